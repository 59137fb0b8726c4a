"""The audit log as one of the transport's recorders (``boomisoap.policy.Recorder``).

The transport tells its recorders of every attempt; this one redacts the request while
the server works (``before_send`` returns that job) and stores the finished exchange.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .exchange import Exchange

if TYPE_CHECKING:
    from ..policy import Attempt, Job
    from .log import AuditLog


def exchange_of(attempt: Attempt) -> Exchange:
    """The audit's view of a finished attempt."""
    from ..errors import BoomiFault

    call, request, response, error = attempt.call, attempt.request, attempt.response, attempt.error
    fault = error if isinstance(error, BoomiFault) else None
    return Exchange(
        service=call.service,
        operation=call.operation,
        wire=call.wire,
        method=request.method,
        url=request.url,
        request_headers=request.headers,
        request_body=request.body,
        started_at=attempt.started,
        duration=attempt.duration,
        outcome=attempt.outcome,
        correlation_id=attempt.correlation_id,
        status=None if response is None else response.status,
        response_headers={} if response is None else response.headers,
        response_body=None if response is None else response.body,
        object_type=call.object_type,
        object_ids=call.object_ids,
        secret_ids=call.secret_ids,
        known_secrets=attempt.known_secrets,
        account_id=call.account_id,
        fault_code=None if fault is None else fault.fault_code,
        status_code=None if fault is None else fault.status_code,
        error_class=None if error is None else type(error).__name__,
        attempt=attempt.number,
    )


class AuditRecorder:
    """Records every attempt in ``log``; closes it with the client when ``owned`` (a log
    the client opened from a URL, which nobody else can close)."""

    def __init__(self, log: AuditLog, *, owned: bool = False) -> None:
        self.log = log
        self._owned = owned

    def before_send(self, attempt: Attempt) -> Job | None:
        call, request = attempt.call, attempt.request
        prepared = self.log.prepare_request(
            request.url,
            request.headers,
            request.body,
            secret_ids=call.object_ids if call.secret_ids else (),
            known_secrets=attempt.known_secrets,
        )
        attempt.notes[self] = prepared
        # A stand-in log (a test's) may prepare nothing: it is given the exchange only.
        return None if prepared is None else prepared.run

    def after(self, attempt: Attempt) -> None:
        # Raises AuditError when the store cannot take the record: the call fails closed.
        self.log.record(exchange_of(attempt), request=attempt.notes.get(self))

    def close(self) -> None:
        if self._owned:
            self.log.close()

    def __repr__(self) -> str:
        return f"<AuditRecorder {self.log!r}>"
