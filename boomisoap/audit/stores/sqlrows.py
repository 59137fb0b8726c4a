"""Record <-> table row, shared by the SQL stores; all of it derived from the field list.

A row holds the fields in column order (each field's ``column`` in AuditRecord): the
header and id columns hold the very JSON text that META hashes, so verify hashes a
row as read, without decoding it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..encoding import FRAME, HELPERS, meta_fields, meta_items
from ..fields import Spec, by_column, compile_function
from ..record import FIELDS, AuditRecord, parse_time, utc
from ..verify import Head, Link

if TYPE_CHECKING:
    from ..filters import Query

COLUMN_SPECS: tuple[Spec, ...] = by_column(FIELDS)
COLUMNS: tuple[str, ...] = tuple(s.name for s in COLUMN_SPECS)
_AT = {s.name: s.column for s in FIELDS}


def column_definitions(dialect: str, indent: str) -> str:
    """The columns of a CREATE TABLE, one a line: ``dialect`` is sqlite or postgres."""
    return ",\n".join(f"{indent}{s.name} {getattr(s.kind, dialect)}" for s in COLUMN_SPECS)


def _bytes(value: Any) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value)


def _time_of_row(value: Any) -> Any:
    return parse_time(value) if isinstance(value, str) else utc(value)


_NAMESPACE: dict[str, Any] = {
    **HELPERS,
    "_Record": AuditRecord,
    "_Link": Link,
    "_loads": json.loads,
    "_bytes": _bytes,
    "_time_of_row": _time_of_row,
}
# Each column of a row as a local (c0, c1, ...): one unpacking, then plain names.
_UNPACK = ", ".join(f"c{s.column}" for s in COLUMN_SPECS) + ", = row"


def _row_source(name: str, postgres: bool) -> str:
    items = []
    for s in COLUMN_SPECS:
        template = (s.kind.to_row_pg if postgres else None) or s.kind.to_row
        items.append(template.format(x=f"r.{s.name}", m=f"meta[{s.meta}]"))
    return f"def {name}(r, meta):\n    return ({', '.join(items)},)\n"


def _from_row_source() -> str:
    args = ", ".join(s.kind.from_row.format(x=f"c{s.column}") for s in FIELDS)
    return f"def from_row(row):\n    {_UNPACK}\n    return _Record({args})\n"


def _frame_of_row() -> str:
    """Lines binding ``encoded`` to the canonical encoding of the unpacked row."""
    items = meta_items("row_meta", lambda s: f"c{s.column}")
    request, response = f"c{_AT['request_body']}", f"c{_AT['response_body']}"
    return (
        f"    {_UNPACK}\n"
        f"    if type({request}) is not bytes:\n"
        f"        {request} = _as_bytes({request})\n"
        f"    if {response} is not None and type({response}) is not bytes:\n"
        f"        {response} = _as_bytes({response})\n"
        f"    encoded = {FRAME.format(request=request, response=response, meta=items)}\n"
    )


def _canonical_source() -> str:
    return f"def canonical_of_row(row):\n{_frame_of_row()}    return encoded\n"


def _link_source() -> str:
    at = {name: f"c{_AT[name]}" for name in ("seq", "stream", "alg", "prev_hash", "hash")}
    return (
        f"def link_of_row(row):\n{_frame_of_row()}"
        f"    return _Link(int({at['seq']}), {at['stream']}, {at['alg']}, "
        f"{at['prev_hash']}, {at['hash']}, encoded)\n"
    )


sqlite_row: Callable[[AuditRecord, list[Any]], tuple[Any, ...]] = compile_function(
    "sqlite_row", _row_source("sqlite_row", False), _NAMESPACE
)
"""The SQLite row of a sealed record from the META items its hash covered."""
postgres_row: Callable[[AuditRecord, list[Any]], tuple[Any, ...]] = compile_function(
    "postgres_row", _row_source("postgres_row", True), _NAMESPACE
)
"""The PostgreSQL row of a sealed record (started_at as a timestamptz)."""
from_row: Callable[[Sequence[Any]], AuditRecord] = compile_function(
    "from_row", _from_row_source(), _NAMESPACE
)
"""A record rebuilt from a row in COLUMNS order; raises on a damaged row."""
canonical_of_row: Callable[[Sequence[Any]], bytes] = compile_function(
    "canonical_of_row", _canonical_source(), _NAMESPACE
)
"""The canonical encoding of a row in COLUMNS order, computed from the stored text
forms (started_at as text, or a datetime) without decoding anything."""
link_of_row: Callable[[Sequence[Any]], Link] = compile_function(
    "link_of_row", _link_source(), _NAMESPACE
)
"""What verify needs of a row: its place, its hashes and its canonical encoding."""


def to_row(r: AuditRecord, *, time_as_text: bool = True) -> tuple[Any, ...]:
    """The row of a sealed record (for SQLite, or with ``time_as_text=False`` PostgreSQL)."""
    return (sqlite_row if time_as_text else postgres_row)(r, meta_fields(r))


def matching(rows: Iterable[Sequence[Any]], query: Query) -> Iterator[AuditRecord]:
    """The records of ``rows`` that ``query`` matches (its SQL WHERE is a prefilter)."""
    for row in rows:
        record = from_row(row)
        if query.matches(record):
            yield record


def heads_of(rows: Iterable[Sequence[Any]]) -> dict[str, Head]:
    """Rows ``(stream, count, last_hash)`` of a head table, by stream."""
    return {str(s): Head(int(n), str(h)) for s, n, h in rows}
