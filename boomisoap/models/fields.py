"""The field map: one description per object type, read by every codec.

A :class:`Field` ties a dataclass attribute to its wire name (the XML attribute or element
and the JSON key: Boomi uses the same camelCase name for both) and to a :class:`Kind` that
knows how to turn the value into text and back and which rules it must obey. The SOAP and
JSON codecs, the query DSL, the emulator's storage and its query evaluator all read these
tables, so a property is described exactly once.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from ..errors import InvalidRequest

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

# Query operators and the number of arguments each takes ("Query filters" page; CONTAINS and
# NOT_CONTAINS from the per-object operator lists of Boomi's Platform OpenAPI). The XSD types
# SimpleExpression/@operator as a plain string with unbounded arguments, so these counts are
# enforced here, by the client before sending and by the emulator on what it receives.
ARITY: Mapping[str, int] = {
    "EQUALS": 1,
    "NOT_EQUALS": 1,
    "LIKE": 1,
    "STARTS_WITH": 1,
    "BETWEEN": 2,
    "GREATER_THAN": 1,
    "GREATER_THAN_OR_EQUAL": 1,
    "LESS_THAN": 1,
    "LESS_THAN_OR_EQUAL": 1,
    "IS_NULL": 0,
    "IS_NOT_NULL": 0,
    "CONTAINS": 1,
    "NOT_CONTAINS": 1,
}

EQUALITY = ("EQUALS", "NOT_EQUALS")
NULLS = ("IS_NULL", "IS_NOT_NULL")
ORDERING = ("GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN", "LESS_THAN_OR_EQUAL", "BETWEEN")
TEXT_MATCH = ("LIKE", "STARTS_WITH")
CONTAINMENT = ("CONTAINS", "NOT_CONTAINS")
# Operators whose argument is a text pattern, not a value of the property's kind.
TEXT_ARGUMENT = TEXT_MATCH + CONTAINMENT

# Which operators an object accepts, whatever the property (the kind narrows it further).
# The "Query filters" page's table: what an object takes when no per-object list is published
# (the APIM objects: their pages list query fields, not operators).
DOCUMENTED_OPERATORS = frozenset(ARITY) - frozenset(CONTAINMENT)
# The list the Platform OpenAPI gives for 59 of its 71 SimpleExpression types, Account's among
# them (AccountSimpleExpression.operator): CONTAINS / NOT_CONTAINS added, no STARTS_WITH.
OPENAPI_OPERATORS = frozenset(ARITY) - {"STARTS_WITH"}

# What one string value may hold. XML 1.0 (the Char production) cannot carry NUL, the
# other C0 controls but tab, LF and CR, U+FFFE, U+FFFF or a lone surrogate, not even as a
# character reference: a SOAP request with one cannot be written, and a value stored from
# JSON would make every later SOAP answer that includes it unwritable. Every wire refuses
# them alike, in the client before sending and in the emulator on receipt.
# The set is written as what the production leaves out, not as its negation: compiling a
# negated class over the whole BMP costs milliseconds, paid by every process at import.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Boomi documents no length limit for string fields; a value longer than this is a
# mistake, not a name (docs/choices.md, "Limits on values").
MAX_TEXT = 65_536


def check_text(value: str) -> str:
    """``value`` when XML can carry it and it is not over :data:`MAX_TEXT`; else ValueError.

    The message names the offending code point and where it is, never the value itself
    (a value may be a secret).
    """
    if len(value) > MAX_TEXT:
        raise ValueError(f"{len(value)} characters is over the limit of {MAX_TEXT}")
    # A printable string holds none of them (controls, surrogates and U+FFFE/U+FFFF are
    # all unprintable): the common case skips the search.
    found = None if value.isprintable() else _NOT_XML.search(value)
    if found is not None:
        raise ValueError(
            f"U+{ord(found.group()):04X} at position {found.start()} cannot be carried by XML"
        )
    return value


class Kind:
    """How one type of value is written, read, checked and compared."""

    name = "string"
    operators: tuple[str, ...] = EQUALITY + TEXT_MATCH + CONTAINMENT + NULLS

    def to_text(self, value: Any) -> str:
        return str(value)

    def from_text(self, text: str) -> Any:
        return text

    def to_json(self, value: Any) -> Any:
        return value

    def from_json(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError(f"expected a string, got {type(value).__name__}")
        return value

    def check(self, value: Any) -> Any:
        """Return the value in its canonical Python type, or raise ValueError."""
        if not isinstance(value, str):
            raise ValueError(f"expected a string, got {type(value).__name__}")
        return check_text(value)

    def as_sent(self, value: Any) -> str | None:
        """A value this kind refused, kept as sent when reading openly; None if it cannot be.

        Only enumerations are open (Boomi adds values); a wrongly typed value of any other
        kind is an error in every mode.
        """
        return None


class _Int(Kind):
    name = "int64"
    operators = EQUALITY + NULLS + ORDERING

    def __init__(self, minimum: int = INT64_MIN, maximum: int = INT64_MAX) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def from_text(self, text: str) -> int:
        return self.check(int(text.strip()))

    def from_json(self, value: Any) -> int:
        if isinstance(value, str):
            return self.from_text(value)
        return self.check(value)

    def check(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected an integer, got {type(value).__name__}")
        if not self.minimum <= value <= self.maximum:
            raise ValueError(f"{value} is outside {self.minimum}..{self.maximum}")
        return value


class _Bool(Kind):
    name = "boolean"
    operators = EQUALITY + NULLS

    def to_text(self, value: Any) -> str:
        return "true" if value else "false"

    def from_text(self, text: str) -> bool:
        lowered = text.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise ValueError(f"{text!r} is not a boolean")

    def from_json(self, value: Any) -> bool:
        # Boomi's bulk example sends booleans as strings ("true"); accept both.
        if isinstance(value, str):
            return self.from_text(value)
        return self.check(value)

    def check(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError(f"expected a boolean, got {type(value).__name__}")
        return value


class _DateTime(Kind):
    name = "dateTime"
    operators = EQUALITY + NULLS + ORDERING

    def to_text(self, value: Any) -> str:
        moment: datetime = value.astimezone(UTC)
        text = moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds")
        return text.replace("+00:00", "Z")

    def from_text(self, text: str) -> datetime:
        # Boomi types Account dates as xs:string: ISO 8601 text with or without a fraction
        # (any number of digits), with Z, +HH:MM or +HHMM, or none. Anything else is refused
        # naming the field, so a date is always a datetime (docs/choices.md).
        try:
            moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{text!r} is not an ISO 8601 date-time") from None
        if moment.tzinfo is None:
            # Boomi writes UTC; a bare timestamp is read as UTC rather than local time.
            moment = moment.replace(tzinfo=UTC)
        return moment

    def to_json(self, value: Any) -> Any:
        return self.to_text(value)

    def from_json(self, value: Any) -> datetime:
        if not isinstance(value, str):
            raise ValueError(f"expected a date-time string, got {type(value).__name__}")
        return self.from_text(value)

    def check(self, value: Any) -> datetime:
        if isinstance(value, str):
            return self.from_text(value)
        if not isinstance(value, datetime):
            raise ValueError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None:
            raise ValueError("a datetime must be timezone-aware")
        return value


class _Enum(Kind):
    name = "enum"
    operators = EQUALITY + NULLS

    def __init__(self, enum: type[StrEnum]) -> None:
        # A value read from the wire that is not a member is the readers' concern: they
        # keep it as the plain string (as_sent) and report it, or refuse it when strict.
        self.enum = enum

    def to_text(self, value: Any) -> str:
        return str(value.value) if isinstance(value, StrEnum) else str(value)

    def from_text(self, text: str) -> StrEnum:
        return self.check(text)

    def from_json(self, value: Any) -> StrEnum:
        return self.check(value)

    def check(self, value: Any) -> StrEnum:
        try:
            return self.enum(value)
        except ValueError:
            allowed = ", ".join(member.value for member in self.enum)
            raise ValueError(f"{value!r} is not one of {allowed}") from None

    def as_sent(self, value: Any) -> str | None:
        # A plain str (not a member): it compares and prints exactly as the service sent it.
        return str(value) if isinstance(value, str) else None


STRING = Kind()
INT64 = _Int()
NON_NEGATIVE_INT64 = _Int(minimum=0)
INT32 = _Int(-(2**31), 2**31 - 1)
BOOLEAN = _Bool()
DATETIME = _DateTime()


def enum_kind(enum: type[StrEnum]) -> Kind:
    return _Enum(enum)


@dataclasses.dataclass(frozen=True, slots=True)
class Field:
    """One property of an object: python name, wire name, kind and rules."""

    name: str
    wire: str
    kind: Kind = STRING
    # "attribute": an XML attribute (APIM objects, Boomi's Plan page); "element": a child element in
    # the object's namespace, holding a nested object (Account.licensing) or, without
    # ``nested``, the value as text (Application.description). Element fields are listed
    # in the schema's sequence order: the XML codec writes them in field-map order.
    xml: str = "attribute"
    nested: ObjectSpec | None = None
    # With ``nested``: the value is a tuple of nested objects, a JSON array on the wire
    # (MFT billing action items). JSON only; no XML object carries a list.
    many: bool = False
    required: bool = False  # must be present (non-empty) on create and update
    server_assigned: bool = False  # set by the service; never sent on create
    immutable: bool = False  # may be sent on update but must not change
    queryable: bool = False
    secret: bool = False  # redacted in audit records, never shown in reprs


@dataclasses.dataclass(frozen=True, slots=True)
class ObjectSpec:
    """Everything the codecs, the adapter and the emulator know about an object type."""

    type_name: str  # Boomi's object type, e.g. "Plan"; also the xsi:type local name
    cls: type[Any]
    namespace: str
    fields: tuple[Field, ...]
    id_field: str | None = None  # python name of the identifier
    service: str = "apim"  # "apim" | "platform"
    rest_path: str = ""  # REST path segment, e.g. "plan"
    # The JSON "@type" when it is not type_name: Boomi writes "" for an anonymous XSD type
    # (Account's licensing).
    json_type: str | None = None
    operations: frozenset[str] = frozenset()
    deprecated: str | None = None  # replacement's name when deprecated
    # Extra rule checked before sending and by the emulator (e.g. ApiKey create needs ids).
    extra_check: Callable[[Any, str], None] | None = None
    # The operators a query of this object may use (each property's kind narrows them).
    query_operators: frozenset[str] = DOCUMENTED_OPERATORS
    # The OpenAPI spells this object's query properties in upper case (ACCOUNTID) while its
    # own examples and the SOAP pages use the camelCase names: both are accepted, and a
    # bound expression always carries the camelCase name.
    upper_case_query_names: bool = False

    @property
    def by_name(self) -> Mapping[str, Field]:
        return _index(self, "name")

    @property
    def by_wire(self) -> Mapping[str, Field]:
        return _index(self, "wire")

    @property
    def secret_id(self) -> bool:
        """Whether the identifier is itself a secret (an ApiKey's key): ids are redacted
        wherever a secret would be (URLs, audit object_ids, messages, reprs, logs)."""
        return self.id_field is not None and self.by_name[self.id_field].secret

    @property
    def has_secrets(self) -> bool:
        return any(f.secret for f in self.fields)

    @property
    def id_wire(self) -> str | None:
        return None if self.id_field is None else self.by_name[self.id_field].wire

    def sendable(self, operation: str) -> tuple[Field, ...]:
        """The fields a request of ``operation`` carries when they are set, in map order.

        The one statement of the rule for every wire (SOAP envelopes, REST bodies): what the
        service assigns (ids, keys, ``deleted``) is never sent on create; on update every
        field is sent, the id included, and the service refuses a change to what it owns.
        """
        found = _SENDABLE.get((id(self), operation))
        if found is None:
            found = _SENDABLE[(id(self), operation)] = tuple(
                f for f in self.fields if not (operation == "create" and f.server_assigned)
            )
        return found

    def query_field(self, prop: str) -> Field:
        """The field behind a query property, or InvalidRequest in Boomi's words."""
        found = self.by_wire.get(prop)
        if found is None and self.upper_case_query_names and prop.isupper():
            found = _index(self, "upper").get(prop)
        if found is None or not found.queryable:
            raise InvalidRequest(f"{prop} does not exist", field=prop)
        return found

    def operators_for(self, fld: Field) -> tuple[str, ...]:
        """The operators a query may apply to ``fld``: its kind's, as far as the object allows."""
        return tuple(op for op in fld.kind.operators if op in self.query_operators)


_INDEXES: dict[tuple[int, str], Mapping[str, Field]] = {}
# Specs are module-level constants, never freed: keying by id() is safe and avoids hashing
# the whole frozen dataclass on every call.
_SENDABLE: dict[tuple[int, str], tuple[Field, ...]] = {}


def _index(spec: ObjectSpec, attr: str) -> Mapping[str, Field]:
    key = (id(spec), attr)
    table = _INDEXES.get(key)
    if table is None:
        if attr == "upper":
            table = {f.wire.upper(): f for f in spec.fields}
        else:
            table = {getattr(f, attr): f for f in spec.fields}
        _INDEXES[key] = table
    return table


def check_object(spec: ObjectSpec, obj: Any, operation: str) -> None:
    """Apply the documented rules to ``obj`` before ``operation`` ("create"/"update").

    Raises InvalidRequest naming the field. Used by the client before sending and by the
    emulator on what it receives, so both enforce the same rules.
    """
    if not isinstance(obj, spec.cls):
        raise InvalidRequest(
            f"expected a {spec.type_name}, got {type(obj).__name__}", field="object"
        )
    for fld in spec.fields:
        value = getattr(obj, fld.name)
        if value is None:
            if fld.required:
                raise InvalidRequest(f"{fld.wire} is required", field=fld.wire)
            continue
        if fld.nested is not None:
            for item in value if fld.many else (value,):
                check_object(fld.nested, item, operation)
            continue
        try:
            fld.kind.check(value)
        except ValueError as exc:
            raise InvalidRequest(f"{fld.wire}: {exc}", field=fld.wire) from None
        if fld.required and isinstance(value, str) and not value.strip():
            raise InvalidRequest(f"{fld.wire} must not be empty", field=fld.wire)
    if operation == "update" and spec.id_field is not None and not getattr(obj, spec.id_field):
        id_wire = spec.id_wire or spec.id_field
        raise InvalidRequest(f"{id_wire} is required for update", field=id_wire)
    if spec.extra_check is not None:
        spec.extra_check(obj, operation)


def instantiate(spec: ObjectSpec, values: dict[str, Any]) -> Any:
    """``spec.cls(**values)``, or InvalidRequest naming the first required field missing."""
    try:
        return spec.cls(**values)
    except TypeError:
        missing = [f.wire for f in spec.fields if f.required and f.name not in values]
        field = missing[0] if missing else spec.type_name
        raise InvalidRequest(f"{field} is required", field=field) from None


def check_id(spec: ObjectSpec, object_id: Any) -> str:
    """Validate an identifier argument: a non-empty string."""
    name = spec.id_wire or "id"
    if not isinstance(object_id, str) or not object_id.strip():
        raise InvalidRequest(f"{name} must be a non-empty string", field=name)
    try:
        return check_text(object_id)
    except ValueError as exc:
        raise InvalidRequest(f"{name}: {exc}", field=name) from None


def hidden_ids(spec: ObjectSpec | None, ids: Sequence[str]) -> tuple[str, ...]:
    """``ids`` when the type's identifier is a secret (an ApiKey's key), else nothing."""
    if spec is None or spec.id_field is None or not spec.by_name[spec.id_field].secret:
        return ()
    return tuple(ids)
