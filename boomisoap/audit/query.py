"""Filters for reading records back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .record import AuditRecord, utc


@dataclass(frozen=True, slots=True)
class Query:
    """Conditions a record must all meet; None means "any".

    ``since`` is inclusive and ``until`` exclusive, both on ``started_at``.
    """

    since: datetime | None = None
    until: datetime | None = None
    service: str | None = None
    operation: str | None = None
    object_id: str | None = None
    outcome: str | None = None
    correlation_id: str | None = None
    stream: str | None = None
    seq: int | None = None

    def matches(self, r: AuditRecord) -> bool:
        return (
            (self.since is None or r.started_at >= utc(self.since))
            and (self.until is None or r.started_at < utc(self.until))
            and (self.service is None or r.service == self.service)
            and (self.operation is None or r.operation == self.operation)
            and (self.object_id is None or self.object_id in r.object_ids)
            and (self.outcome is None or r.outcome == self.outcome)
            and (self.correlation_id is None or r.correlation_id == self.correlation_id)
            and (self.stream is None or r.stream == self.stream)
            and (self.seq is None or r.seq == self.seq)
        )
