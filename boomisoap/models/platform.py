"""Platform API objects (Boomi's Account page): Account, its licensing and Runtime counts."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import StrEnum

from ..namespaces import API
from .extras import NO_EXTRAS, Extras
from .fields import (
    BOOLEAN,
    DATETIME,
    NON_NEGATIVE_INT64,
    OPENAPI_OPERATORS,
    Field,
    ObjectSpec,
    enum_kind,
)


class AccountStatus(StrEnum):
    TRIAL = "trial"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETED = "deleted"
    UNLIMITED = "unlimited"


class SupportLevel(StrEnum):
    STANDARD = "standard"
    PREMIER = "premier"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class License:
    """Connections purchased and used in one connector class."""

    purchased: int | None = None
    used: int | None = None
    extras: Extras = dataclasses.field(default=NO_EXTRAS, compare=False)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Licensing:
    standard: License | None = None
    small_business: License | None = None
    enterprise: License | None = None
    trading_partner: License | None = None
    standard_test: License | None = None
    small_business_test: License | None = None
    enterprise_test: License | None = None
    trading_partner_test: License | None = None
    extras: Extras = dataclasses.field(default=NO_EXTRAS, compare=False)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Molecule:
    """Runtime clusters purchased and in use."""

    purchased: int | None = None
    used: int | None = None
    extras: Extras = dataclasses.field(default=NO_EXTRAS, compare=False)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    account_id: str
    name: str | None = None
    status: AccountStatus | None = None
    date_created: datetime | None = None
    expiration_date: datetime | None = None
    licensing: Licensing | None = None
    molecule: Molecule | None = None
    over_deployed: bool | None = None
    suggestions_enabled: bool | None = None
    support_access: bool | None = None
    support_level: SupportLevel | None = None
    widget_account: bool | None = None
    extras: Extras = dataclasses.field(default=NO_EXTRAS, compare=False)


def _counts(type_name: str, cls: type) -> ObjectSpec:
    return ObjectSpec(
        type_name=type_name,
        cls=cls,
        namespace=API,
        fields=(
            Field("purchased", "purchased", NON_NEGATIVE_INT64),
            Field("used", "used", NON_NEGATIVE_INT64),
        ),
    )


LICENSE = _counts("License", License)
MOLECULE = _counts("Molecule", Molecule)

LICENSING = ObjectSpec(
    type_name="Licensing",
    cls=Licensing,
    namespace=API,
    json_type="",  # an anonymous type in Boomi's XSD: its JSON samples write "@type": ""
    fields=tuple(
        Field(name, wire, xml="element", nested=LICENSE)
        for name, wire in (
            ("standard", "standard"),
            ("small_business", "smallBusiness"),
            ("enterprise", "enterprise"),
            ("trading_partner", "tradingPartner"),
            ("standard_test", "standardTest"),
            ("small_business_test", "smallBusinessTest"),
            ("enterprise_test", "enterpriseTest"),
            ("trading_partner_test", "tradingPartnerTest"),
        )
    ),
)

ACCOUNT = ObjectSpec(
    type_name="Account",
    cls=Account,
    namespace=API,
    id_field="account_id",
    service="platform",
    rest_path="Account",
    operations=frozenset({"get", "query", "getBulk"}),
    # AccountSimpleExpression in Boomi's Platform OpenAPI: its operator and property lists.
    query_operators=OPENAPI_OPERATORS,
    upper_case_query_names=True,
    fields=(
        Field("account_id", "accountId", required=True, queryable=True),
        Field("name", "name", queryable=True),
        Field("status", "status", enum_kind(AccountStatus), queryable=True),
        Field("date_created", "dateCreated", DATETIME, queryable=True),
        Field("expiration_date", "expirationDate", DATETIME, queryable=True),
        Field("over_deployed", "overDeployed", BOOLEAN, queryable=True),
        Field("suggestions_enabled", "suggestionsEnabled", BOOLEAN),
        Field("support_access", "supportAccess", BOOLEAN),
        Field("support_level", "supportLevel", enum_kind(SupportLevel)),
        Field("widget_account", "widgetAccount", BOOLEAN, queryable=True),
        Field("licensing", "licensing", xml="element", nested=LICENSING),
        Field("molecule", "molecule", xml="element", nested=MOLECULE),
    ),
)
