"""The rules of one exchange, written once for the sync and the async transport.

:class:`Attempts` is a small state machine with no I/O: it numbers the attempts, gives
each its body (a fresh one after the first, when the wire says so) and its timeout
within the deadline, and decides from the typed error an attempt ended with whether to
try again and after what pause. Each transport drives it in a short loop, doing the
sending, the sleeping and the pacing its own way (blocking, or awaiting).

:class:`Recorder` is how anything that wants to see the attempts (the audit trail, the
in-memory history, the DEBUG log, deprecation notices, a CLI keeping raw bodies) is told
of them: the transport knows nothing else about any of them.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

from .calls import Call, HttpRequest, HttpResponse, Operation
from .errors import (
    BoomiError,
    BoomiFault,
    DeadlineExceeded,
    EnvelopeValidationError,
    RateLimited,
    TransportError,
)
from .httpconfig import Timeout

Job = Callable[[], None]
Observer = Callable[[Call, HttpRequest, HttpResponse], None]


@dataclasses.dataclass(slots=True, eq=False)
class Attempt:
    """One attempt at an exchange, as recorders see it: before sending, then finished."""

    call: Call
    request: HttpRequest
    number: int
    correlation_id: str
    # The credentials known when it was sent: what its records are redacted of.
    known_secrets: tuple[str, ...]
    started: datetime
    clock: float
    response: HttpResponse | None = None
    error: BoomiError | None = None
    duration: float = 0.0
    # Where a recorder keeps what it made in before_send (keyed by the recorder).
    notes: dict[object, Any] = dataclasses.field(default_factory=dict)

    @property
    def outcome(self) -> str:
        if self.error is None:
            return "ok"
        if isinstance(self.error, BoomiFault | EnvelopeValidationError):
            return "fault"
        return "transport_error"

    def finish(self, response: HttpResponse | None, error: BoomiError | None) -> Attempt:
        self.response = response
        self.error = error
        self.duration = time.perf_counter() - self.clock
        return self


class Recorder(Protocol):
    """Told of every attempt. ``before_send`` may return a job to run while the server
    works (the audit trail redacts the request then; the job must not raise); ``after``
    gets the finished attempt, answered or not. An ``after`` that raises fails the call
    (the audit trail does so when its store cannot take the record: it fails closed)."""

    def before_send(self, attempt: Attempt) -> Job | None: ...

    def after(self, attempt: Attempt) -> None: ...


class AnswerRecorder:
    """A recorder with no work while the server works, told only of the attempts that
    got an answer (any status): what the deprecation notices, the CLI's raw bodies and
    the pytest plugin's recorded requests look at. A subclass writes :meth:`answered`."""

    def before_send(self, attempt: Attempt) -> Job | None:
        return None

    def after(self, attempt: Attempt) -> None:
        if attempt.response is not None:
            self.answered(attempt, attempt.response)

    def answered(self, attempt: Attempt, response: HttpResponse) -> None:
        raise NotImplementedError


class Observers(AnswerRecorder, list[Observer]):
    """Plain callables ``(call, request, response)`` told of every answer that arrived:
    a shorthand recorder (``transport.observers.append(f)``) in the same list as the
    audit trail's."""

    def answered(self, attempt: Attempt, response: HttpResponse) -> None:
        for observe in self:
            observe(attempt.call, attempt.request, response)


def started(
    call: Call, request: HttpRequest, number: int, correlation_id: str, known: tuple[str, ...]
) -> Attempt:
    return Attempt(
        call=call,
        request=request,
        number=number,
        correlation_id=correlation_id,
        known_secrets=known,
        started=datetime.now(UTC),
        clock=time.perf_counter(),
    )


def jobs_of(recorders: Iterable[Recorder], attempt: Attempt) -> Job | None:
    """The recorders' while-waiting jobs as one (None when none has work)."""
    jobs = [job for job in (r.before_send(attempt) for r in recorders) if job is not None]
    if not jobs:
        return None
    if len(jobs) == 1:
        return jobs[0]

    def run_all() -> None:
        for job in jobs:
            job()

    return run_all


@dataclasses.dataclass(frozen=True, slots=True)
class Verdict:
    """What to do after a failed attempt: ``retry`` after ``pause`` seconds, and tell the
    pacer of a 503 (``penalty`` seconds) so that a shared bucket slows everyone."""

    retry: bool
    pause: float
    penalty: float | None


@dataclasses.dataclass(frozen=True, slots=True)
class RetryPolicy:
    retries: int
    timeout: Timeout
    deadline: float | None
    backoff_base: float
    backoff_max: float


class Attempts:
    """The attempts of one operation: retries, backoff, pacing pauses and the deadline."""

    def __init__(
        self,
        operation: Operation[Any],
        policy: RetryPolicy,
        describe: Callable[[HttpRequest], str],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.call = operation.call
        self.request = operation.request
        self._rebuild = operation.rebuild
        self.policy = policy
        self._describe = describe
        self._clock = clock
        self.ends = None if policy.deadline is None else clock() + policy.deadline
        self.number = 0

    def next(self) -> HttpRequest:
        """The request of the next attempt (a fresh body after the first, if rebuilt)."""
        self.number += 1
        if self.number > 1 and self._rebuild is not None:
            self.request = dataclasses.replace(self.request, body=self._rebuild())
        return self.request

    def timeout(self) -> Timeout:
        """The attempt's timeout, cut down to what is left of the deadline."""
        timeout = self.policy.timeout
        if self.ends is None:
            return timeout
        # Never zero or less (requests refuses those): a spent deadline makes the attempt
        # time out at once, and the deadline check before the retry ends the call.
        left = max(self.ends - self._clock(), 0.001)
        if isinstance(timeout, tuple):
            return (min(timeout[0], left), min(timeout[1], left))
        return min(timeout, left)

    def pause(self, seconds: float, last: BoomiError | None = None) -> float:
        """``seconds`` to sleep (pacing, or backoff after ``last``), unless that would end
        past the deadline: then DeadlineExceeded."""
        if self.ends is not None and self._clock() + seconds >= self.ends:
            # A pacing pause comes before the attempt is sent; a backoff after it.
            attempts = self.number if last is not None else self.number - 1
            why = "" if last is None else f"; last error: {last}"
            raise DeadlineExceeded(
                f"{self._describe(self.request)}: deadline of {self.policy.deadline:g}s "
                f"reached after {attempts} attempt{'s' if attempts != 1 else ''}{why}",
                attempts=attempts,
                sent=None if last is None else getattr(last, "sent", True),
            ) from last
        return seconds

    def failed(self, error: BoomiError) -> Verdict:
        retry = self._may_retry(error)
        limited = isinstance(error, RateLimited)
        if not (retry or limited):
            return Verdict(False, 0.0, None)
        pause = self._backoff()
        return Verdict(retry, pause, pause if limited else None)

    def _may_retry(self, error: BoomiError) -> bool:
        if self.number > self.policy.retries:
            return False
        if isinstance(error, RateLimited):
            # 503 means the service did nothing: even a create may go again.
            return True
        if isinstance(error, TransportError) and self.call.idempotent:
            return error.http_status is None or error.http_status in (502, 504)
        return False

    def _backoff(self) -> float:
        policy = self.policy
        ceiling = min(policy.backoff_max, policy.backoff_base * (2 ** (self.number - 1)))
        return random.uniform(ceiling / 2, ceiling)
