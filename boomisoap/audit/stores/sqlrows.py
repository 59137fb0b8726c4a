"""Record <-> table row, shared by the SQL stores; all of it derived from the field list.

A row holds the fields in column order (each field's ``column`` in AuditRecord): the
header and id columns hold the very JSON text that META hashes, so verify hashes a
row as read, without decoding it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..encoding import FRAME_OF_TEXT, HELPERS, META, meta_fields, meta_items
from ..fields import OPT_BODY, Spec, by_column, compile_function
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
    "_new_tuple": tuple.__new__,
    "_loads": json.loads,
    "_bytes": _bytes,
    "_blob": bytearray,
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


# The values of an append, record after record, in this order: the META list as it is
# (an item the row does not store as such, the duration's text, under a name of its
# own that no column takes), then the columns the record gives.
_FROM_RECORD = tuple(s for s in COLUMN_SPECS if s.meta is None or s.kind.to_row != "{m}")
APPEND_COLUMNS: tuple[str, ...] = (
    *(s.name if s.kind.to_row == "{m}" else f"{s.name}_meta" for s in META),
    *(s.name for s in _FROM_RECORD),
)
"""The names of an append's values per record, as sqlite_values writes them."""


def _value(s: Spec) -> str:
    x = f"r.{s.name}"
    if not s.is_body:
        return s.kind.to_row.format(x=x, m="")
    # A body goes in as a bytearray copy: the sqlite3 module binds one as it is, but
    # looks a bytes value up among its adapters first, which costs more than the copy.
    return f"(None if {x} is None else _blob({x}))" if s.kind is OPT_BODY else f"_blob({x})"


def _values_source() -> str:
    tail = ", ".join(_value(s) for s in _FROM_RECORD)
    return (
        "def sqlite_values(sealed):\n"
        "    values = []\n"
        "    extend = values.extend\n"
        "    for r, meta, _ in sealed:\n"
        "        extend(meta)\n"
        f"        extend(({tail},))\n"
        "    return values\n"
    )


def _from_row_source() -> str:
    args = ", ".join(s.kind.from_row.format(x=f"c{s.column}") for s in FIELDS)
    return f"def from_row(row):\n    {_UNPACK}\n    return _Record({args})\n"


def _frame_lines(unpack: str, text: str) -> str:
    """Lines unpacking a row and binding ``encoded`` to the canonical encoding of its
    bodies and the META text ``text``."""
    request, response = f"c{_AT['request_body']}", f"c{_AT['response_body']}"
    return (
        f"    {unpack}\n"
        f"    if type({request}) is not bytes:\n"
        f"        {request} = _as_bytes({request})\n"
        f"    if {response} is not None and type({response}) is not bytes:\n"
        f"        {response} = _as_bytes({response})\n"
        f"    encoded = {FRAME_OF_TEXT.format(request=request, response=response, text=text)}\n"
    )


def _frame_of_row() -> str:
    """Lines binding ``encoded`` to the canonical encoding of the unpacked row."""
    items = meta_items("row_meta", lambda s: f"c{s.column}")
    return _frame_lines(_UNPACK, f"_meta_text({items})")


def _canonical_source() -> str:
    return f"def canonical_of_row(row):\n{_frame_of_row()}    return encoded\n"


_LINKED = ("seq", "stream", "alg", "prev_hash", "hash")


def _return_link(stream: str, alg: str) -> str:
    # tuple.__new__ as Link's own __new__ calls it, without that Python-level call.
    seq, prev, this = (f"c{_AT[n]}" for n in ("seq", "prev_hash", "hash"))
    return f"    return _new_tuple(_Link, (int({seq}), {stream}, {alg}, {prev}, {this}, encoded))\n"


def _link_source() -> str:
    at = {n: f"c{_AT[n]}" for n in ("stream", "alg")}
    return f"def link_of_row(row):\n{_frame_of_row()}{_return_link(at['stream'], at['alg'])}"


def _json_pieces() -> tuple[list[str], list[Spec]]:
    """META as SQL text pieces and the items Python writes between them (piece 0,
    item 0, piece 1, ...): each piece holds its items as SQLite's json_array writes
    them, with the brackets and commas around them."""
    runs: list[list[Spec]] = [[]]
    python: list[Spec] = []
    for s in META:
        if s.kind.meta_sqlite is None:
            python.append(s)
            runs.append([])
        else:
            runs[-1].append(s)
    pieces = []
    for k, run in enumerate(runs):
        first, last = k == 0, k == len(runs) - 1
        if not run:
            pieces.append(
                "'[]'" if first and last else "'['" if first else "']'" if last else "','"
            )
            continue
        sql = "json_array({})".format(
            ", ".join((s.kind.meta_sqlite or "").format(x=s.name) for s in run)
        )
        # An item never starts with "[" nor ends with "]": only the array's own go.
        if not first:
            sql = f"',' || ltrim({sql}, '[')"
        if not last:
            sql = f"rtrim({sql}, ']') || ','"
        pieces.append(sql)
    return pieces, python


_PIECES, _PYTHON_ITEMS = _json_pieces()
# The stream and algorithm come as one flag, whether they are the ones expected (a
# column fewer to convert, per row): a row that has others is read the exact way.
_JSON_ROW_FIRST = ("seq", "stream = ? AND alg = ?", "prev_hash", "hash", "request_body")
_JSON_ROW_COLUMNS = [
    *(f"c{_AT[n]}" for n in ("seq",)),
    "placed",
    *(f"c{_AT[n]}" for n in ("prev_hash", "hash", "request_body", "response_body")),
    *(name for k, p in enumerate(_PYTHON_ITEMS) for name in (f"p{k}", f"c{p.column}")),
    f"p{len(_PYTHON_ITEMS)}",
]
JSON_SELECT = "SELECT {} FROM audit_record".format(
    ", ".join(
        [
            *_JSON_ROW_FIRST,
            "response_body",
            *(sql for k, p in enumerate(_PYTHON_ITEMS) for sql in (_PIECES[k], p.name)),
            _PIECES[-1],
        ]
    )
)
"""The SELECT of SQLite rows for link_of_json_row, given the stream and algorithm
expected: the chain links, the bodies and the META text, made by SQLite but for the
items only Python writes exactly."""


def _json_link_source() -> str:
    text = " + ".join(
        [
            *(
                f"p{k} + _json_string({p.kind.row_meta.format(x=f'c{p.column}')})"
                for k, p in enumerate(_PYTHON_ITEMS)
                if p.kind.row_meta
            ),
            f"p{len(_PYTHON_ITEMS)}",
        ]
    )
    unpack = ", ".join(_JSON_ROW_COLUMNS) + ", = row"
    return (
        "def link_of_json_row(row, stream, alg):\n"
        f"{_frame_lines(unpack, text)}"
        "    if placed != 1:\n"
        "        raise ValueError('not the stream or algorithm expected')\n"
        f"{_return_link('stream', 'alg')}"
    )


sqlite_row: Callable[[AuditRecord, list[Any]], tuple[Any, ...]] = compile_function(
    "sqlite_row", _row_source("sqlite_row", False), _NAMESPACE
)
"""The SQLite row of a sealed record from the META items its hash covered."""
postgres_row: Callable[[AuditRecord, list[Any]], tuple[Any, ...]] = compile_function(
    "postgres_row", _row_source("postgres_row", True), _NAMESPACE
)
"""The PostgreSQL row of a sealed record (started_at as a timestamptz)."""
sqlite_values: Callable[[Iterable[tuple[AuditRecord, list[Any], bytes]]], list[Any]] = (
    compile_function("sqlite_values", _values_source(), _NAMESPACE)
)
"""The values of sealed (record, META list, leaf) triples in APPEND_COLUMNS order, as
one list: the META items go in as they are, without a row tuple per record."""
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
link_of_json_row: Callable[[Sequence[Any], str, str], Link] = compile_function(
    "link_of_json_row", _json_link_source(), _NAMESPACE
)
"""link_of_row for a row of JSON_SELECT. Its encoding is the exact one whenever it
hashes to the stored hash: SQLite's JSON of a text or an integer is a JSON encoding of
that same value, so equal bytes mean equal values (a REAL never gets there, see
fields.py); a row that does not match must be read again with link_of_row, which
words what is wrong with it."""


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
