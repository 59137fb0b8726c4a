"""One HTTP attempt as the transport saw it: the unit the audit trail records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Exchange:
    """Everything known about one HTTP attempt, bodies exactly as they crossed the wire.

    The transport builds one per attempt (retries are separate exchanges with
    ``attempt`` counting from 1) and hands it to :meth:`AuditLog.record`, which
    redacts secrets before anything is stored or logged.
    """

    service: str
    operation: str
    wire: str
    method: str
    # Unredacted: the reprs of these never show them (the audit redacts them on record).
    url: str = field(repr=False)
    request_headers: Mapping[str, str] = field(repr=False)
    request_body: bytes = field(repr=False)
    started_at: datetime
    duration: float
    outcome: str
    correlation_id: str
    status: int | None = None
    response_headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    response_body: bytes | None = field(default=None, repr=False)
    object_type: str | None = None
    object_ids: tuple[str, ...] = field(default=(), repr=False)
    account_id: str | None = None
    fault_code: str | None = None
    status_code: int | None = None
    error_class: str | None = None
    attempt: int = 1
    # The object type's id field is secret (an ApiKey's key): the ids are stored
    # redacted, and removed wherever else the exchange holds them (the URL, a body).
    secret_ids: bool = False
    # The client's credentials: removed wherever a server echoes them, even where no
    # rule marks the place (a password quoted in an invalid attribute value, say).
    known_secrets: tuple[str, ...] = field(default=(), repr=False)


OUTCOMES = frozenset({"ok", "fault", "transport_error"})
