"""Partner API objects: Account CREATE/DELETE and Account Provision (docs/partner.md).

The shapes follow Boomi's served schema: ``AccountProvision`` (``product`` items with
``productCode`` and ``quantity``, then id, name, address, status and expirationDate),
``AccountProvisionResult`` (id, accountId, status) and ``AccountProvisionStatus``
(PENDING, COMPLETED). The rules are checked by the client before sending and by the
emulator on what it receives (one definition: the ``extra_check`` of each spec).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from ..errors import InvalidRequest
from ..namespaces import API
from .extras import NO_EXTRAS, Extras
from .fields import DATETIME, INT32, Field, ObjectSpec, enum_kind
from .platform import ACCOUNT, Account, AccountStatus

# Boomi's Account CREATE: "trial expiration date (maximum of 90 days in the future)".
TRIAL_DAYS = 90


class ProvisionStatus(StrEnum):
    PENDING = "PENDING"
    COMPLETED = "COMPLETED"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ProvisionProduct:
    """One product of a provisioning: Boomi's product code and how many."""

    product_code: str
    quantity: int
    extras: Extras = dataclasses.field(default=NO_EXTRAS, compare=False)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class AccountProvision:
    """What an Account Provision asks for. ``id`` names the sub-account to provision;
    without it the service creates one named ``name``."""

    products: tuple[ProvisionProduct, ...] = ()
    id: str | None = None
    name: str | None = None
    street: str | None = None
    city: str | None = None
    state_code: str | None = None
    zip_code: str | None = None
    country_code: str | None = None
    status: AccountStatus | None = None
    expiration_date: datetime | None = None
    extras: Extras = dataclasses.field(default=NO_EXTRAS, compare=False)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class AccountProvisionResult:
    """The answer to an Account Provision, and to each poll of its status."""

    id: str
    account_id: str | None = None
    status: ProvisionStatus | None = None
    extras: Extras = dataclasses.field(default=NO_EXTRAS, compare=False)

    @property
    def completed(self) -> bool:
        return self.status is ProvisionStatus.COMPLETED


def check_trial(expiration: datetime | None, now: datetime | None = None) -> None:
    """A trial expiration date: given, in the future, at most TRIAL_DAYS days ahead."""
    if expiration is None:
        raise InvalidRequest("expirationDate is required", field="expirationDate")
    if expiration.tzinfo is None:
        raise InvalidRequest("expirationDate must carry a time zone (UTC)", field="expirationDate")
    now = now or datetime.now(UTC)
    if expiration <= now:
        raise InvalidRequest("expirationDate must be in the future", field="expirationDate")
    if expiration > now + timedelta(days=TRIAL_DAYS):
        raise InvalidRequest(
            f"expirationDate must be at most {TRIAL_DAYS} days ahead", field="expirationDate"
        )


def _check_account(obj: Any, operation: str) -> None:
    if operation != "create":
        return
    if not (obj.name or "").strip():
        raise InvalidRequest("name is required", field="name")
    check_trial(obj.expiration_date)


def _check_provision(obj: Any, operation: str) -> None:
    if not obj.products:
        raise InvalidRequest("at least one product is required", field="product")
    for product in obj.products:
        if not isinstance(product, ProvisionProduct):
            raise InvalidRequest("each product must be a ProvisionProduct", field="product")
        if not product.product_code.strip():
            raise InvalidRequest("productCode must not be empty", field="productCode")
        if isinstance(product.quantity, bool) or product.quantity < 1:
            raise InvalidRequest("quantity must be a whole number >= 1", field="quantity")
    if obj.id is None and not (obj.name or "").strip():
        raise InvalidRequest("give the id of a sub-account or a name", field="name")


# The Account as the Partner API creates it: the service assigns the id, and the rules of
# CREATE (a name, a trial expiration at most 90 days ahead) apply.
PARTNER_ACCOUNT = dataclasses.replace(
    ACCOUNT,
    service="partner",
    operations=ACCOUNT.operations | {"create", "delete"},
    fields=tuple(
        dataclasses.replace(f, required=False, server_assigned=True)
        if f.name == "account_id"
        else f
        for f in ACCOUNT.fields
    ),
    extra_check=_check_account,
)

PRODUCT = ObjectSpec(
    type_name="product",
    cls=ProvisionProduct,
    namespace=API,
    json_type="",  # an anonymous type in Boomi's XSD
    fields=(
        Field("product_code", "productCode", required=True),
        Field("quantity", "quantity", INT32, required=True),
    ),
)

ACCOUNT_PROVISION = ObjectSpec(
    type_name="AccountProvision",
    cls=AccountProvision,
    namespace=API,
    id_field="id",
    service="partner",
    rest_path="AccountProvision",
    operations=frozenset({"execute"}),
    fields=(
        Field("products", "product", xml="element", nested=PRODUCT, many=True),
        Field("id", "id"),
        Field("name", "name"),
        Field("street", "street"),
        Field("city", "city"),
        Field("state_code", "stateCode"),
        Field("zip_code", "zipCode"),
        Field("country_code", "countryCode"),
        Field("status", "status", enum_kind(AccountStatus)),
        Field("expiration_date", "expirationDate", DATETIME),
    ),
    extra_check=_check_provision,
)

ACCOUNT_PROVISION_RESULT = ObjectSpec(
    type_name="AccountProvisionResult",
    cls=AccountProvisionResult,
    namespace=API,
    id_field="id",
    service="partner",
    # Polled as GET .../AccountProvision/{id} (REST) or get(AccountProvision, id) (SOAP).
    rest_path="AccountProvision",
    operations=frozenset({"get"}),
    fields=(
        Field("id", "id", required=True),
        Field("account_id", "accountId"),
        Field("status", "status", enum_kind(ProvisionStatus)),
    ),
)

__all__ = [
    "ACCOUNT_PROVISION",
    "ACCOUNT_PROVISION_RESULT",
    "PARTNER_ACCOUNT",
    "PRODUCT",
    "TRIAL_DAYS",
    "Account",
    "AccountProvision",
    "AccountProvisionResult",
    "ProvisionProduct",
    "ProvisionStatus",
    "check_trial",
]
