"""Record <-> table row, shared by the SQL stores."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..chain import META_FIELDS, canonical_row, meta_fields
from ..record import AuditRecord, parse_time, utc

# Each body follows its headers; the chain links come last.
COLUMNS: tuple[str, ...] = (
    *META_FIELDS[:10],
    "request_body",
    *META_FIELDS[10:16],
    "response_body",
    *META_FIELDS[16:],
    "prev_hash",
    "hash",
)
_META_AT = tuple(COLUMNS.index(name) for name in META_FIELDS)
_BODIES_AT = (COLUMNS.index("request_body"), COLUMNS.index("response_body"))


def canonical_of_row(row: Sequence[Any]) -> bytes:
    """The canonical encoding of a row in COLUMNS order."""
    return canonical_row(row, _META_AT, _BODIES_AT)


def to_row(r: AuditRecord, *, time_as_text: bool = True) -> tuple[Any, ...]:
    return row_from_meta(r, meta_fields(r), time_as_text=time_as_text)


def row_from_meta(r: AuditRecord, meta: list[Any], *, time_as_text: bool = True) -> tuple[Any, ...]:
    """The row of a sealed record from the META items its hash covered: the header and
    id columns hold the very JSON text that was hashed, so verify can hash them as read."""
    return (
        *meta[0:10],
        r.request_body,
        meta[10] if time_as_text else r.started_at,
        r.duration,
        *meta[12:16],
        r.response_body,
        *meta[16:23],
        r.prev_hash,
        r.hash,
    )


def _bytes(value: Any) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value)


_loads = json.loads


def from_row(row: Sequence[Any]) -> AuditRecord:
    """Rebuild a record from a row in COLUMNS order; raises on a damaged row.

    Positional construction in AuditRecord's field order: verify calls this for every
    row, and keyword arguments and per-pair conversions cost measurably.
    """
    started = row[11]
    response = row[17]
    return AuditRecord(
        int(row[1]),
        row[0],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        row[7],
        row[8],
        tuple(map(tuple, _loads(row[9]))),
        row[10] if type(row[10]) is bytes else _bytes(row[10]),
        utc(started) if isinstance(started, datetime) else parse_time(started),
        float(row[12]),
        row[13],
        row[14],
        row[15],
        tuple(map(tuple, _loads(row[16]))),
        None if response is None else response if type(response) is bytes else _bytes(response),
        row[18],
        tuple(_loads(row[19])),
        row[20],
        row[21],
        row[22],
        row[23],
        int(row[24]),
        row[25],
        row[26],
    )
