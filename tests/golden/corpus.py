"""Loading the golden documents and the expected values, and turning values into dataclasses.

The documents are files (tests/golden/soap, tests/golden/rest; README.md names the source
of each); the expected values (tests/golden/expected) use the dataclass field names, with
enums as their wire text and date-times as ISO 8601 text.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from boomisoap import Account, ApiKey, Application, Contract, Plan, Q

HERE = Path(__file__).parent
ACCOUNT = "boomiqa-T7KIDU"  # the account of every URL in the corpus (seed 003's account)

APIM_OBJECTS = ("plan", "contract", "api_key", "application")
APIM_OPERATIONS = ("get", "query", "create", "update", "delete")
PLATFORM_OPERATIONS = ("get", "query", "get_bulk")
CLASSES: dict[str, type] = {
    "plan": Plan,
    "contract": Contract,
    "api_key": ApiKey,
    "application": Application,
    "account": Account,
}
SERVICES = {
    "plan": "plans",
    "contract": "contracts",
    "api_key": "api_keys",
    "application": "applications",
    "account": "accounts",
}
# The filters of query.request.* written with the client's query DSL.
FILTERS = {
    "plan": Q.status == "ENABLED",
    "contract": Q.deleted == "false",
    "api_key": Q.applicationId == "6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
    "application": Q.companyName == "Northwind Traders",
    "account": (Q.status != "deleted")
    & Q.dateCreated.between("2014-01-01T00:00:00Z", "2016-01-01T00:00:00Z"),
}
BULK_IDS = ("boomiqa-T7KIDU", "not-a-real-account", "abc-H566GG")

CASES = [(slug, op) for slug in APIM_OBJECTS for op in APIM_OPERATIONS] + [
    ("account", op) for op in PLATFORM_OPERATIONS
]


def service_of(slug: str) -> str:
    return "platform" if slug == "account" else "apim"


def soap_path(slug: str, name: str) -> Path:
    return HERE / "soap" / service_of(slug) / slug / f"{name}.xml"


def soap_document(slug: str, name: str) -> bytes:
    """``name`` is ``<operation>.request`` or ``<operation>.response``."""
    return soap_path(slug, name).read_bytes()


def rest_request(slug: str, op: str) -> dict[str, Any]:
    """``{"method", "path", "body"?, "contentType"?}`` of a golden REST request."""
    path = HERE / "rest" / service_of(slug) / slug / f"{op}.request.json"
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def rest_response(slug: str, op: str) -> str:
    return (HERE / "rest" / service_of(slug) / slug / f"{op}.response.json").read_text()


@cache
def _expected_file(slug: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((HERE / "expected" / f"{slug}.json").read_text())
    return document


def expected(slug: str, key: str) -> Any:
    return _expected_file(slug)[key]


def soap_operations(op: str) -> tuple[str, ...]:
    """The documents one client call goes through: a query follows its token with queryMore."""
    return ("query", "query_more") if op == "query" else (op,)


# Values <-> dataclasses -----------------------------------------------------------------


def _unwrap(hint: Any) -> Any:
    """``X | None`` -> ``X``."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


def _datetime(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def build(cls: type, values: dict[str, Any]) -> Any:
    """A dataclass instance from expected values (enum text -> enum, ISO text -> datetime)."""
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for name, value in values.items():
        hint = _unwrap(hints[name])
        if value is None:
            kwargs[name] = None
        elif dataclasses.is_dataclass(hint):
            kwargs[name] = build(typing.cast(type, hint), value)
        elif isinstance(hint, type) and issubclass(hint, enum.Enum):
            kwargs[name] = hint(value)
        elif hint is datetime:
            kwargs[name] = _datetime(value)
        else:
            kwargs[name] = value
    return cls(**kwargs)


def plain(obj: Any, path: str = "") -> Any:
    """A dataclass as expected-values JSON: None fields dropped, every typed field checked.

    An enum field must hold its enum, a date-time an aware datetime, a nested object its
    dataclass: a codec that returned plain text where Boomi's schema has a type fails here.
    """
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return obj
    hints = typing.get_type_hints(type(obj))
    out: dict[str, Any] = {}
    for fld in dataclasses.fields(obj):
        value = getattr(obj, fld.name)
        where = f"{path}{type(obj).__name__}.{fld.name}"
        if value is None or (fld.name == "extras" and not value):
            continue
        hint = _unwrap(hints[fld.name])
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            assert isinstance(value, hint), f"{where} is {value!r}, not a {hint.__name__}"
            out[fld.name] = value.value
        elif hint is datetime:
            assert isinstance(value, datetime), f"{where} is {value!r}, not a datetime"
            assert value.tzinfo is not None, f"{where} has no time zone"
            out[fld.name] = value.isoformat().replace("+00:00", "Z")
        elif dataclasses.is_dataclass(hint):
            assert isinstance(value, typing.cast(type, hint)), f"{where} is {value!r}"
            out[fld.name] = plain(value, f"{where}.")
        else:
            out[fld.name] = value
    return out
