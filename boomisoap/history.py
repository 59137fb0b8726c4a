"""The last exchanges of a client, redacted, like zeep's HistoryPlugin.

``ApimClient(..., history=10)`` keeps the last ten HTTP attempts (retries count
separately) as :class:`~boomisoap.audit.AuditRecord` values: the redacted request and
response bytes, headers, status, outcome, start time and duration, exactly as the audit
trail would store them, but in memory only and unsealed.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .audit.record import AuditRecord


class History:
    """A bounded, thread-safe list of the most recent exchanges, oldest first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: collections.deque[AuditRecord] = collections.deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, record: AuditRecord) -> None:
        with self._lock:
            self._entries.append(record)

    @property
    def entries(self) -> list[AuditRecord]:
        with self._lock:
            return list(self._entries)

    @property
    def last(self) -> AuditRecord | None:
        """The most recent exchange, or None before the first."""
        with self._lock:
            return self._entries[-1] if self._entries else None

    @property
    def last_sent(self) -> bytes | None:
        """The redacted body of the last request (zeep: ``history.last_sent``)."""
        last = self.last
        return None if last is None else last.request_body

    @property
    def last_received(self) -> bytes | None:
        """The redacted body of the last response; None if none arrived."""
        last = self.last
        return None if last is None else last.response_body

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[AuditRecord]:
        return iter(self.entries)

    def __repr__(self) -> str:
        return f"<History {len(self)}/{self.size}>"
