"""The emulator's behaviour rules that the field maps do not already say, as data.

Everything here is keyed by object type or field name and read by the one generic CRUD path
in :mod:`boomisoap.sandbox.objects`; no object type has code of its own.
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..models.apim import PlanStatus
from ..models.fields import Field, ObjectSpec


@dataclasses.dataclass(frozen=True, slots=True)
class Context:
    """Who asked: the authenticated user name, for fields such as ``generatedBy``."""

    user: str


# Values a new object takes when the caller leaves them out (Boomi's Plan page: new plans are
# ENABLED). An update that leaves one of these out keeps the stored value.
CREATE_DEFAULTS: dict[str, dict[str, Any]] = {
    "Plan": {"status": PlanStatus.ENABLED},
    "ApiKey": {"enabled": True},
    "Application": {"enabled": True},
}

# Fields that name another emulated object: checked on create and update.
REFERENCES: dict[str, dict[str, str]] = {
    "ApiKey": {"contract_id": "Contract", "application_id": "Application"},
}

# Types that cannot be deleted while a deployment or a subscription holds them (Boomi's Plan page).
GUARDED_BY_LINKS = frozenset({"Plan"})
LINK_KINDS = ("deployment", "subscription")


def _now(_: Context) -> datetime:
    # Whole seconds: what is stored, answered and echoed back on update stays identical.
    return datetime.now(UTC).replace(microsecond=0)


# How the service fills server-assigned fields, by python field name. The identifier of
# every other type is a fresh UUID (handled in :func:`assigned_value`); an ApiKey's
# identifier is its key.
GENERATED: dict[str, Callable[[Context], Any]] = {
    "key": lambda _: secrets.token_urlsafe(32),
    "generated_at": _now,
    "generated_by": lambda context: context.user,
    "deleted": lambda _: False,
}


def assigned_value(spec: ObjectSpec, fld: Field, context: Context) -> Any:
    """The value the server gives a server-assigned field on create.

    A generated field wins over the id rule: an ApiKey's id is its generated ``key``.
    """
    generate = GENERATED.get(fld.name)
    if generate is not None:
        return generate(context)
    return str(uuid.uuid4()) if fld.name == spec.id_field else None


def keeps_deleted(spec: ObjectSpec) -> bool:
    """Whether deleted objects stay visible, flagged ``deleted="true"`` (Boomi's Contract page).

    Types with a ``deleted`` field answer get and query with the flag set; the others
    (Plan) answer a deleted object as if it never existed.
    """
    return "deleted" in spec.by_name
