"""How each field of an audit record is stored: the vocabulary of the one field list.

The field list itself is :class:`~boomisoap.audit.record.AuditRecord`: every field
there carries a :class:`Stored` (``field(metadata=stored(...))``) giving its kind, its
SQL column position and its position in the canonical encoding's META array (see
encoding.py). Everything else is derived from that list: the canonical encoding, the
SQL columns, types, inserts and selects, the JSON Lines form and the record's own
constructors. A new field is one line there (plus a new encoding version, since the
hash covers META).

A :class:`Kind` says how a value of one sort travels between its forms: the record
attribute, its META item, its SQL column and its JSON value. The conversions are
written as expression templates over ``{x}`` and compiled once into straight-line
functions (as :mod:`dataclasses` does for ``__init__``): a loop over the fields
calling converters would cost several times more per record, and these run for every
record appended, read or verified.

The templates keep each path exactly as strict as it has to be: a value read from a
store enters the META item as stored (only ``seq`` and ``duration`` are normalised),
so a stored value of the wrong JSON type fails the hash instead of being coerced into
passing it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import Field, dataclass, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Kind:
    """One sort of stored value: its SQL types and the expressions converting it.

    Templates over ``{x}``, the value in its source form: ``meta`` makes the META item
    from the record attribute, ``row_meta`` and ``json_meta`` from a stored SQL column
    or a decoded JSON value (None: the kind never enters META; bodies enter the
    encoding through their digests, the chain links are what it is hashed into);
    ``from_row`` and ``from_json`` make the record attribute; ``to_json`` the JSON
    value. ``to_row`` (and ``to_row_pg`` where PostgreSQL differs) make the SQL column
    from the record attribute ``{x}`` or its META item ``{m}``. ``meta_sqlite`` is
    the SQL that SQLite's ``json_array`` turns into the META item from the column
    ``{x}`` (None: ``row_meta`` makes it in Python, a string).
    """

    sqlite: str
    postgres: str
    meta: str | None
    row_meta: str | None
    json_meta: str | None
    from_row: str
    from_json: str
    to_json: str = "{x}"
    to_row: str = "{m}"
    to_row_pg: str | None = None
    meta_sqlite: str | None = "{x}"


# SQLite writes a REAL in JSON with 15 digits, not Python's shortest round trip: in a
# column that can hold one (INTEGER affinity) it becomes a BLOB, which json_array
# refuses, so such a row is read the exact way (a TEXT column turns numbers into text).
_NO_REAL = "iif(typeof({x}) = 'real', x'', {x})"
TEXT = Kind("TEXT NOT NULL", "text NOT NULL", "{x}", "{x}", "{x}", "{x}", "str({x})")
OPT_TEXT = Kind("TEXT", "text", "{x}", "{x}", "{x}", "{x}", "_opt_str({x})")
SEQ = Kind(
    "INTEGER PRIMARY KEY", "bigint NOT NULL", "int({x})", "int({x})", "int({x})", "int({x})",
    "int({x})", meta_sqlite=_NO_REAL,
)  # fmt: skip
INT = Kind(
    "INTEGER NOT NULL", "integer NOT NULL", "{x}", "{x}", "{x}", "int({x})", "int({x})",
    meta_sqlite=_NO_REAL,
)  # fmt: skip
OPT_INT = Kind(
    "INTEGER", "integer", "{x}", "{x}", "{x}", "{x}", "_opt_int({x})", meta_sqlite=_NO_REAL
)
SECONDS = Kind(
    "REAL NOT NULL", "double precision NOT NULL", "repr(float({x}))", "repr(float({x}))",
    "repr(float({x}))", "float({x})", "float({x})", to_row="{x}", meta_sqlite=None,
)  # fmt: skip
# SQLite keeps the META text; PostgreSQL a timestamptz, which arrives as a datetime.
TIME = Kind(
    "TEXT NOT NULL", "timestamptz NOT NULL", "_format_time({x})",
    "(_format_time({x}) if isinstance({x}, _datetime) else {x})", "{x}",
    "_time_of_row({x})", "_parse_time({x})", "_format_time({x})", to_row_pg="{x}",
)  # fmt: skip
# Headers and ids are kept in SQL as the very JSON text META holds (see encoding.py).
HEADERS = Kind(
    "TEXT NOT NULL", "text NOT NULL", "_pairs_text({x})", "{x}", "_pairs_text({x})",
    "tuple(map(tuple, _loads({x})))", "_headers_in({x})", "[list(p) for p in {x}]",
)  # fmt: skip
IDS = Kind(
    "TEXT NOT NULL", "text NOT NULL", "_strings_text({x})", "{x}", "_strings_text({x})",
    "tuple(_loads({x}))", "tuple(str(i) for i in {x})", "list({x})",
)  # fmt: skip
# Bodies: JSON forms are written by record.py (text, or base64 when not UTF-8).
BODY = Kind(
    "BLOB NOT NULL", "bytea NOT NULL", None, None, None,
    "({x} if type({x}) is bytes else _bytes({x}))", "", to_row="{x}",
)  # fmt: skip
OPT_BODY = Kind(
    "BLOB", "bytea", None, None, None,
    "(None if {x} is None else {x} if type({x}) is bytes else _bytes({x}))", "", to_row="{x}",
)  # fmt: skip
HASH = Kind("TEXT NOT NULL", "text NOT NULL", None, None, None, "{x}", "str({x})", to_row="{x}")


@dataclass(frozen=True, slots=True)
class Stored:
    """Where a field goes: ``column`` is its position in SQL rows, ``meta`` its position
    in the canonical encoding's META array (None: not in META); ``sealed`` fields are
    set by the chain when a draft is sealed (stream, seq, alg and the two hashes)."""

    kind: Kind
    column: int
    meta: int | None = None
    sealed: bool = False


def stored(
    kind: Kind, column: int, meta: int | None = None, *, sealed: bool = False
) -> Mapping[str, Stored]:
    """The ``metadata`` of a record field."""
    return {"stored": Stored(kind, column, meta, sealed)}


@dataclass(frozen=True, slots=True)
class Spec:
    """One field of the list, as the derived code reads it."""

    name: str
    kind: Kind
    column: int
    meta: int | None
    sealed: bool

    @property
    def is_body(self) -> bool:
        return self.kind in (BODY, OPT_BODY)


def specs_of(record_class: type) -> tuple[Spec, ...]:
    """The field list of ``record_class`` in constructor order, checked for gaps."""
    out = []
    for f in fields(record_class):
        how = _stored(f)
        out.append(Spec(f.name, how.kind, how.column, how.meta, how.sealed))
    result = tuple(out)
    _check_positions("column", [s.column for s in result])
    _check_positions("META", [s.meta for s in result if s.meta is not None])
    for s in result:
        if (s.meta is None) != (s.kind.meta is None):
            raise TypeError(f"field {s.name}: its kind and its META position disagree")
    return result


def _stored(f: Field[Any]) -> Stored:
    found = f.metadata.get("stored")
    if not isinstance(found, Stored):
        raise TypeError(f"record field {f.name} has no stored= metadata")
    return found


def _check_positions(what: str, positions: Sequence[int]) -> None:
    if sorted(positions) != list(range(len(positions))):
        raise TypeError(f"{what} positions {sorted(positions)} are not 0..{len(positions) - 1}")


def by_column(specs: Sequence[Spec]) -> tuple[Spec, ...]:
    return tuple(sorted(specs, key=lambda s: s.column))


def by_meta(specs: Sequence[Spec]) -> tuple[Spec, ...]:
    return tuple(sorted((s for s in specs if s.meta is not None), key=lambda s: s.meta or 0))


def compile_function(name: str, source: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    """``def name`` from ``source``, executed in ``namespace`` (its helpers)."""
    code = compile(source, f"<boomisoap.audit {name}>", "exec")
    exec(code, namespace)
    function: Callable[..., Any] = namespace[name]
    function.__source__ = source  # type: ignore[attr-defined]
    return function
