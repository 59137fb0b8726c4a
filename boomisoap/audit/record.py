"""The stored form of one exchange: redacted, sequenced and chained."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

Headers = tuple[tuple[str, str], ...]

GENESIS = "0" * 64
"""prev_hash of the first record of every stream."""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One exchange as stored: metadata, redacted bytes and headers, chain links.

    ``stream`` names the hash chain the record belongs to and ``seq`` its position
    (1, 2, 3 ... without gaps); ``writer`` is ``host:pid`` of the process that wrote
    it; ``alg`` is ``sha256`` or ``hmac-sha256``.
    """

    seq: int
    stream: str
    writer: str
    alg: str
    service: str
    operation: str
    wire: str
    method: str
    url: str
    request_headers: Headers
    request_body: bytes
    started_at: datetime
    duration: float
    outcome: str
    correlation_id: str
    status: int | None
    response_headers: Headers
    response_body: bytes | None
    object_type: str | None
    object_ids: tuple[str, ...]
    account_id: str | None
    fault_code: str | None
    status_code: int | None
    error_class: str | None
    attempt: int
    prev_hash: str
    hash: str

    def header(self, name: str, *, response: bool = False) -> str | None:
        """The first header called ``name`` (any case), request side by default."""
        low = name.lower()
        for key, value in self.response_headers if response else self.request_headers:
            if key.lower() == low:
                return value
        return None

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict; bodies as UTF-8 text when they decode, else base64."""
        from .codec import record_to_dict

        return record_to_dict(self)


def placed(
    d: AuditRecord, stream: str, seq: int, alg: str, prev_hash: str, digest: str
) -> AuditRecord:
    """``d`` with its chain fields set (dataclasses.replace is several times slower)."""
    return AuditRecord(
        seq, stream, d.writer, alg, d.service, d.operation, d.wire, d.method, d.url,
        d.request_headers, d.request_body, d.started_at, d.duration, d.outcome,
        d.correlation_id, d.status, d.response_headers, d.response_body, d.object_type,
        d.object_ids, d.account_id, d.fault_code, d.status_code, d.error_class, d.attempt,
        prev_hash, digest,
    )  # fmt: skip


def utc(value: datetime) -> datetime:
    """A tz-aware UTC datetime; a naive one is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_time(value: datetime) -> str:
    """Fixed-width ISO 8601 UTC with microseconds, the form hashed and stored."""
    if value.tzinfo is not UTC:
        value = utc(value)
    # isoformat is C code, several times faster than strftime; "+00:00" -> "Z".
    return value.isoformat(timespec="microseconds")[:-6] + "Z"


def parse_time(text: str) -> datetime:
    """Inverse of format_time (fromisoformat is several times faster than strptime)."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is UTC:
        return value
    if value.tzinfo is None:
        raise ValueError(f"time without a zone: {text!r}")
    return value.astimezone(UTC)
