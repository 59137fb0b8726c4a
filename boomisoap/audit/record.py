"""The stored form of one exchange: redacted, sequenced and chained.

:class:`AuditRecord` is the one list of the record's fields: each carries how it is
stored (see fields.py), and the canonical encoding (encoding.py), the SQL rows
(stores/sqlrows.py) and the JSON form below are all derived from it.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .fields import (
    BODY,
    HASH,
    HEADERS,
    IDS,
    INT,
    OPT_BODY,
    OPT_INT,
    OPT_TEXT,
    SECONDS,
    SEQ,
    TEXT,
    TIME,
    compile_function,
    specs_of,
    stored,
)

Headers = tuple[tuple[str, str], ...]

GENESIS = "0" * 64
"""prev_hash of the first record of every stream."""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One exchange as stored: metadata, redacted bytes and headers, chain links.

    ``stream`` names the hash chain the record belongs to and ``seq`` its position
    (1, 2, 3 ... without gaps); ``writer`` is ``host:pid`` of the process that wrote
    it; ``alg`` is ``sha256`` or ``hmac-sha256``.

    Each field's metadata: its kind, its SQL column and its META position (the
    canonical encoding, version 1: these positions are fixed by every stored hash).
    """

    seq: int = field(metadata=stored(SEQ, 1, 1, sealed=True))
    stream: str = field(metadata=stored(TEXT, 0, 0, sealed=True))
    writer: str = field(metadata=stored(TEXT, 2, 2))
    alg: str = field(metadata=stored(TEXT, 3, 3, sealed=True))
    service: str = field(metadata=stored(TEXT, 4, 4))
    operation: str = field(metadata=stored(TEXT, 5, 5))
    wire: str = field(metadata=stored(TEXT, 6, 6))
    method: str = field(metadata=stored(TEXT, 7, 7))
    url: str = field(metadata=stored(TEXT, 8, 8))
    request_headers: Headers = field(metadata=stored(HEADERS, 9, 9))
    request_body: bytes = field(metadata=stored(BODY, 10))
    started_at: datetime = field(metadata=stored(TIME, 11, 10))
    duration: float = field(metadata=stored(SECONDS, 12, 11))
    outcome: str = field(metadata=stored(TEXT, 13, 12))
    correlation_id: str = field(metadata=stored(TEXT, 14, 13))
    status: int | None = field(metadata=stored(OPT_INT, 15, 14))
    response_headers: Headers = field(metadata=stored(HEADERS, 16, 15))
    response_body: bytes | None = field(metadata=stored(OPT_BODY, 17))
    object_type: str | None = field(metadata=stored(OPT_TEXT, 18, 16))
    object_ids: tuple[str, ...] = field(metadata=stored(IDS, 19, 17))
    account_id: str | None = field(metadata=stored(OPT_TEXT, 20, 18))
    fault_code: str | None = field(metadata=stored(OPT_TEXT, 21, 19))
    status_code: int | None = field(metadata=stored(OPT_INT, 22, 20))
    error_class: str | None = field(metadata=stored(OPT_TEXT, 23, 21))
    attempt: int = field(metadata=stored(INT, 24, 22))
    prev_hash: str = field(metadata=stored(HASH, 25, sealed=True))
    hash: str = field(metadata=stored(HASH, 26, sealed=True))

    def header(self, name: str, *, response: bool = False) -> str | None:
        """The first header called ``name`` (any case), request side by default."""
        low = name.lower()
        for key, value in self.response_headers if response else self.request_headers:
            if key.lower() == low:
                return value
        return None

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict; bodies as UTF-8 text when they decode, else base64."""
        return record_to_dict(self)


FIELDS = specs_of(AuditRecord)
"""The field list, in constructor order (see fields.Spec)."""


def utc(value: datetime) -> datetime:
    """A tz-aware UTC datetime; a naive one is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_time(value: datetime) -> str:
    """Fixed-width ISO 8601 UTC with microseconds, the form hashed and stored."""
    if value.tzinfo is not UTC:
        value = utc(value)
    # The fields through one %-format: isoformat's form (years zero-padded to four
    # digits) without its keyword parsing and UTC offset, which were cut off again.
    return _TIME_FORMAT % (
        value.year, value.month, value.day, value.hour, value.minute, value.second,
        value.microsecond,
    )  # fmt: skip


_TIME_FORMAT = "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ"


def parse_time(text: str) -> datetime:
    """Inverse of format_time (fromisoformat is several times faster than strptime)."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is UTC:
        return value
    if value.tzinfo is None:
        raise ValueError(f"time without a zone: {text!r}")
    return value.astimezone(UTC)


def _setters(values: Callable[[str], str]) -> str:
    """Lines of a new record's body: each field set through its slot, ``values(name)``
    its value. The frozen dataclass's ``__init__`` looks ``object.__setattr__`` up for
    every field; the slots' own setters, bound once, take half the time."""
    lines = ["    r = _new(_Record)"]
    lines += [f"    _set_{s.name}(r, {values(s.name)})" for s in FIELDS]
    return "\n".join([*lines, "    return r", ""])


_BUILD_HELPERS: dict[str, Any] = {
    "_Record": AuditRecord,
    "_new": object.__new__,
    **{f"_set_{s.name}": getattr(AuditRecord, s.name).__set__ for s in FIELDS},
}


def _build_source() -> str:
    params = ", ".join(s.name for s in FIELDS)
    return f"def build({params}):\n{_setters(lambda name: name)}"


def _placed_source() -> str:
    sealed = {s.name for s in FIELDS if s.sealed}
    return "def placed(d, stream, seq, alg, prev_hash, hash):\n" + _setters(
        lambda name: name if name in sealed else f"d.{name}"
    )


build: Callable[..., AuditRecord] = compile_function("build", _build_source(), _BUILD_HELPERS)
"""build(seq, stream, ...): ``AuditRecord(...)`` with every field given positionally, in
constructor order, for the hot paths (a draft per exchange): the same record, made
in half the time."""

placed: Callable[[AuditRecord, str, int, str, str, str], AuditRecord] = compile_function(
    "placed", _placed_source(), _BUILD_HELPERS
)
"""placed(draft, stream, seq, alg, prev_hash, hash): the draft with its chain fields set
(dataclasses.replace is several times slower)."""


# -- the JSON form: the line format of JSONL stores, exports and proofs -------------

FORMAT = 1
# Metadata first, in stored order, the bodies last (a line stays readable).
JSON_ORDER = tuple(sorted(FIELDS, key=lambda s: (s.is_body, s.column)))


def _body_out(out: dict[str, object], name: str, body: bytes | None) -> None:
    if body is None:
        out[name] = None
        return
    try:
        # Text keeps a store greppable; bytes that are not UTF-8 go in base64.
        out[name] = body.decode("utf-8")
    except UnicodeDecodeError:
        out[name + "_b64"] = base64.b64encode(body).decode("ascii")


def body_in(data: Mapping[str, Any], name: str) -> bytes | None:
    """A body of a decoded JSON record (text, or base64 under ``name_b64``)."""
    if name + "_b64" in data:
        return base64.b64decode(data[name + "_b64"], validate=True)
    value = data[name]
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} is not a string")
    return value.encode("utf-8")


def _request_body_in(data: Mapping[str, Any], name: str) -> bytes:
    body = body_in(data, name)
    if body is None:
        raise ValueError(f"{name} missing")
    return body


def _headers_in(value: Any) -> Headers:
    return tuple((str(k), str(v)) for k, v in value)


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _to_dict_source() -> str:
    lines = ["def record_to_dict(r):", '    out = {"format": _FORMAT,']
    bodies = []
    for s in JSON_ORDER:
        if s.is_body:
            bodies.append(f"    _body_out(out, {s.name!r}, r.{s.name})")
        else:
            lines.append(f"        {s.name!r}: {s.kind.to_json.format(x='r.' + s.name)},")
    lines.append("    }")
    return "\n".join([*lines, *bodies, "    return out", ""])


def _from_dict_source() -> str:
    args = []
    for s in FIELDS:
        if s.kind is BODY:
            args.append(f"_request_body_in(d, {s.name!r})")
        elif s.kind is OPT_BODY:
            args.append(f"_body_in(d, {s.name!r})")
        else:
            args.append(s.kind.from_json.format(x=f"d[{s.name!r}]"))
    body = ",\n        ".join(args)
    return f"def record_from_dict(d):\n    return _Record(\n        {body},\n    )\n"


_JSON_HELPERS: dict[str, Any] = {
    "_Record": AuditRecord,
    "_FORMAT": FORMAT,
    "_body_out": _body_out,
    "_body_in": body_in,
    "_request_body_in": _request_body_in,
    "_headers_in": _headers_in,
    "_opt_int": _opt_int,
    "_opt_str": _opt_str,
    "_format_time": format_time,
    "_parse_time": parse_time,
}
record_to_dict: Callable[[AuditRecord], dict[str, object]] = compile_function(
    "record_to_dict", _to_dict_source(), _JSON_HELPERS
)
"""The JSON form of a record: metadata, chain links, then the bodies."""
record_from_dict: Callable[[Mapping[str, Any]], AuditRecord] = compile_function(
    "record_from_dict", _from_dict_source(), _JSON_HELPERS
)
"""A record rebuilt from its JSON form; raises KeyError, TypeError or ValueError on a
damaged dict."""
