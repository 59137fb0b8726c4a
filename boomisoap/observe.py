"""What the transport shows of each exchange besides the audit trail: the DEBUG envelope
log on ``boomisoap.transport`` and the in-memory :class:`~boomisoap.history.History`.

Both see the exchange redacted by the audit trail's own code (:func:`audit.capture.draft`
with the client's audit rules when it has an audit log), so a secret hidden in an audit
record is hidden here the same way. Nothing is redacted unless one of them is on. The
:class:`Observer` is one of the transport's recorders (``boomisoap.policy.Recorder``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .logs import get_logger

if TYPE_CHECKING:
    from .audit import AuditRecord
    from .history import History
    from .policy import Attempt, Job
    from .redact.structural import Redactor

LOG = get_logger("boomisoap.transport")


class Observer:
    def __init__(self, history: int, redactor: Redactor | None = None) -> None:
        from .history import History

        self.history: History | None = History(history) if history else None
        # The audit log's redaction when the client has one: its own rules apply here too.
        self._redactor = redactor

    def active(self) -> bool:
        return self.history is not None or LOG.isEnabledFor(logging.DEBUG)

    def before_send(self, attempt: Attempt) -> Job | None:
        return None

    def after(self, attempt: Attempt) -> None:
        if not self.active():
            return
        from .audit.capture import draft
        from .audit.recorder import exchange_of

        record = draft(exchange_of(attempt), self._redactor_for())
        if self.history is not None:
            self.history.add(record)
        if LOG.isEnabledFor(logging.DEBUG):
            log_exchange(record)

    def _redactor_for(self) -> Redactor:
        if self._redactor is None:
            from .redact.structural import Redactor

            self._redactor = Redactor()
        return self._redactor


def _text(headers: tuple[tuple[str, str], ...], body: bytes | None) -> str:
    lines = [f"{name}: {value}" for name, value in headers]
    return "\n".join([*lines, "", "" if body is None else body.decode("utf-8", "replace")])


def log_exchange(r: AuditRecord) -> None:
    """Two DEBUG records, as zeep logs on ``zeep.transports``: the request, the response."""
    meta = {"service": r.service, "operation": r.operation, "attempt": r.attempt}
    LOG.debug(
        "HTTP %s %s (%s %s, attempt %d)\n%s",
        r.method,
        r.url,
        r.service,
        r.operation,
        r.attempt,
        _text(r.request_headers, r.request_body),
        extra={"boomisoap": meta, "correlation_id": r.correlation_id},
    )
    if r.status is None:
        LOG.debug(
            "HTTP no response from %s after %.3fs: %s",
            r.url,
            r.duration,
            r.error_class,
            extra={"boomisoap": meta, "correlation_id": r.correlation_id},
        )
        return
    LOG.debug(
        "HTTP response %s from %s in %.3fs (%s)\n%s",
        r.status,
        r.url,
        r.duration,
        r.outcome,
        _text(r.response_headers, r.response_body),
        extra={"boomisoap": meta, "correlation_id": r.correlation_id},
    )
