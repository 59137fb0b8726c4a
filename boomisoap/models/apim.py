"""API Management objects (Boomi's Plan and Contract pages, docs/apim.md) and their field maps."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import StrEnum
from typing import Any

from ..errors import InvalidRequest
from ..namespaces import APIM
from .extras import NO_EXTRAS, Extras
from .fields import (
    BOOLEAN,
    DATETIME,
    NON_NEGATIVE_INT64,
    Field,
    ObjectSpec,
    enum_kind,
)

CRUD = frozenset({"get", "query", "create", "update", "delete"})


class RateLimitUnit(StrEnum):
    SECOND = "SECOND"
    MINUTE = "MINUTE"
    HOUR = "HOUR"
    UNLIMITED = "UNLIMITED"


class QuotaLimitUnit(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    UNLIMITED = "UNLIMITED"


class PlanStatus(StrEnum):
    ENABLED = "ENABLED"
    DISABLED = "DISABLED"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """An API Management plan. ``max_message_size=None`` means unlimited."""

    name: str
    plan_id: str | None = None
    description: str | None = None
    max_message_size: int | None = None
    rate_limit: int | None = None
    quota_limit: int | None = None
    rate_limit_unit: RateLimitUnit | None = None
    quota_limit_unit: QuotaLimitUnit | None = None
    # A PlanStatus, or the plain string of a status this library does not know yet.
    status: PlanStatus | str | None = None
    extras: Extras = dataclasses.field(default=NO_EXTRAS, compare=False)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Contract:
    """A deprecated API Management contract (replaced by :class:`Plan`)."""

    name: str
    contract_id: str | None = None
    api_id: str | None = None
    environment_id: str | None = None
    max_message_size: int | None = None
    rate_limit: int | None = None
    quota_limit: int | None = None
    rate_limit_unit: RateLimitUnit | None = None
    quota_limit_unit: QuotaLimitUnit | None = None
    deleted: bool | None = None
    extras: Extras = dataclasses.field(default=NO_EXTRAS, compare=False)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ApiKey:
    """An API key issued to an application for an API in an environment.

    ``key`` is both the identifier (Boomi's schema has no ``apiKeyId``: GET, UPDATE and
    DELETE go by key) and the secret the service generates; it is kept out of ``repr``,
    and wherever it appears as an id it is redacted like any other secret
    (docs/security.md).
    """

    api_id: str | None = None
    environment_id: str | None = None
    application_id: str | None = None
    contract_id: str | None = None
    key: str | None = dataclasses.field(default=None, repr=False)
    generated_by: str | None = None
    generated_at: datetime | None = None
    subscription_name: str | None = None
    enabled: bool | None = None
    deleted: bool | None = None
    extras: Extras = dataclasses.field(default=NO_EXTRAS, compare=False)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Application:
    """A consumer application of published APIs."""

    application_name: str
    application_id: str | None = None
    description: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    company_name: str | None = None
    company_website: str | None = None
    notes: str | None = None
    enabled: bool | None = None
    deleted: bool | None = None
    extras: Extras = dataclasses.field(default=NO_EXTRAS, compare=False)


def _limits() -> tuple[Field, ...]:
    return (
        Field("max_message_size", "maxMessageSize", NON_NEGATIVE_INT64),
        Field("rate_limit", "rateLimit", NON_NEGATIVE_INT64),
        Field("quota_limit", "quotaLimit", NON_NEGATIVE_INT64),
        Field("rate_limit_unit", "rateLimitUnit", enum_kind(RateLimitUnit)),
        Field("quota_limit_unit", "quotaLimitUnit", enum_kind(QuotaLimitUnit)),
    )


PLAN = ObjectSpec(
    type_name="Plan",
    cls=Plan,
    namespace=APIM,
    id_field="plan_id",
    rest_path="plan",
    operations=CRUD,
    fields=(
        Field("plan_id", "planId", server_assigned=True),
        Field("name", "name", required=True, queryable=True),
        Field("description", "description"),
        *_limits(),
        # xs:string on the wire: a status Boomi adds later is read as the plain string.
        Field("status", "status", enum_kind(PlanStatus), queryable=True),
    ),
)

CONTRACT = ObjectSpec(
    type_name="Contract",
    cls=Contract,
    namespace=APIM,
    id_field="contract_id",
    rest_path="contract",
    operations=CRUD,
    deprecated="Plan",
    fields=(
        Field("contract_id", "contractId", server_assigned=True, queryable=True),
        Field("name", "name", required=True, queryable=True),
        Field("api_id", "apiId", queryable=True),
        Field("environment_id", "environmentId"),
        *_limits(),
        Field("deleted", "deleted", BOOLEAN, server_assigned=True, queryable=True),
    ),
)


def _check_api_key(obj: Any, operation: str) -> None:
    # Boomi's ApiKey page: an ApiKey is created from apiId + environmentId + applicationId; the
    # key itself is generated by the service and can never be set or changed by a caller.
    if operation == "create":
        for name, wire in (
            ("api_id", "apiId"),
            ("environment_id", "environmentId"),
            ("application_id", "applicationId"),
        ):
            if not getattr(obj, name):
                raise InvalidRequest(f"{wire} is required to create an ApiKey", field=wire)


API_KEY = ObjectSpec(
    type_name="ApiKey",
    cls=ApiKey,
    namespace=APIM,
    # apimObjectList.json: primaryKey "key". The id is a secret too (Field.secret).
    id_field="key",
    rest_path="apiKey",
    operations=CRUD,
    extra_check=_check_api_key,
    fields=(
        Field("api_id", "apiId", queryable=True, immutable=True),
        Field("environment_id", "environmentId", queryable=True, immutable=True),
        Field("application_id", "applicationId", queryable=True, immutable=True),
        Field("contract_id", "contractId", queryable=True),
        Field("key", "key", server_assigned=True, secret=True),
        Field("generated_by", "generatedBy", server_assigned=True),
        Field("generated_at", "generatedAt", DATETIME, server_assigned=True),
        Field("subscription_name", "subscriptionName", queryable=True),
        Field("enabled", "enabled", BOOLEAN, queryable=True),
        Field("deleted", "deleted", BOOLEAN, server_assigned=True, queryable=True),
    ),
)

APPLICATION = ObjectSpec(
    type_name="Application",
    cls=Application,
    namespace=APIM,
    id_field="application_id",
    # Boomi's "Application object" page writes /Application/ (Plan and Contract: lower case).
    rest_path="Application",
    operations=CRUD,
    # description and notes are child elements (apim.xsd), listed in the schema's order.
    fields=(
        Field("application_id", "applicationId", server_assigned=True, queryable=True),
        Field("application_name", "applicationName", required=True, queryable=True),
        Field("description", "description", xml="element"),
        Field("contact_name", "contactName", queryable=True),
        Field("contact_email", "contactEmail", queryable=True),
        Field("contact_phone", "contactPhone"),
        Field("company_name", "companyName", queryable=True),
        Field("company_website", "companyWebsite"),
        Field("notes", "notes", xml="element"),
        Field("enabled", "enabled", BOOLEAN, queryable=True),
        Field("deleted", "deleted", BOOLEAN, server_assigned=True, queryable=True),
    ),
)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class PlanAssociation:
    """One plan added to (or removed from) an API deployment: Boomi's REST-only
    ``planAssociation`` action, ``<association componentId environmentId planId/>``."""

    plan_id: str
    component_id: str
    environment_id: str


# The attributes of an <association>, in the order Boomi's pages write them.
PLAN_ASSOCIATION_FIELDS = (
    ("component_id", "componentId"),
    ("environment_id", "environmentId"),
    ("plan_id", "planId"),
)
