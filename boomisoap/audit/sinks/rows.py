"""Record <-> table row, shared by the SQL stores."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..chain import json_text
from ..record import AuditRecord, format_time, parse_time, utc

COLUMNS: tuple[str, ...] = (
    "stream",
    "seq",
    "writer",
    "alg",
    "service",
    "operation",
    "wire",
    "method",
    "url",
    "request_headers",
    "request_body",
    "started_at",
    "duration",
    "outcome",
    "correlation_id",
    "status",
    "response_headers",
    "response_body",
    "object_type",
    "object_ids",
    "account_id",
    "fault_code",
    "status_code",
    "error_class",
    "attempt",
    "prev_hash",
    "hash",
)


# The same JSON text the canonical encoding embeds, so verify can hash columns as read.
_dump = json_text


def to_row(r: AuditRecord, *, time_as_text: bool = True) -> tuple[Any, ...]:
    return (
        r.stream,
        r.seq,
        r.writer,
        r.alg,
        r.service,
        r.operation,
        r.wire,
        r.method,
        r.url,
        _dump(r.request_headers),
        r.request_body,
        format_time(r.started_at) if time_as_text else r.started_at,
        r.duration,
        r.outcome,
        r.correlation_id,
        r.status,
        _dump(r.response_headers),
        r.response_body,
        r.object_type,
        _dump(r.object_ids),
        r.account_id,
        r.fault_code,
        r.status_code,
        r.error_class,
        r.attempt,
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
