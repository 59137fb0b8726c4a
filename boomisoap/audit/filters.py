"""Filters for reading records back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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

    def sql_where(
        self,
        placeholder: str,
        moment: Callable[[datetime], Any],
        object_id_clause: str,
    ) -> tuple[str, list[Any]]:
        """A ``WHERE`` clause for the SQL sinks; they differ only in the dialect bits given.

        The SQL narrows the rows; :meth:`matches` still re-checks each record exactly.
        """
        clauses: list[str] = []
        params: list[Any] = []
        for column in ("service", "operation", "outcome", "correlation_id", "stream", "seq"):
            value = getattr(self, column)
            if value is not None:
                clauses.append(f"{column} = {placeholder}")
                params.append(value)
        if self.since is not None:
            clauses.append(f"started_at >= {placeholder}")
            params.append(moment(utc(self.since)))
        if self.until is not None:
            clauses.append(f"started_at < {placeholder}")
            params.append(moment(utc(self.until)))
        if self.object_id is not None:
            clauses.append(object_id_clause)
            params.append(self.object_id)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params
