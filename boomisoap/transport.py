"""The HTTP layer every wire shares: pacing, retries, correlation ids and audit capture.

One :meth:`HttpTransport.exchange` call sends a request, hands the response to the wire's
parser and decides, from the typed error the parser raises, whether to try again. Every
attempt, failed or not, is handed to the audit log exactly as it crossed the wire.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

import requests

from .errors import (
    BoomiError,
    BoomiFault,
    EnvelopeValidationError,
    RateLimited,
    TransportError,
)
from .http_session import new_session, while_waiting

if TYPE_CHECKING:
    from .audit import AuditLog
    from .audit.capture import RequestSide

T = TypeVar("T")

# Operations that change nothing on the server: safe to send again after a lost answer.
IDEMPOTENT = frozenset(
    {
        "get",
        "query",
        "queryMore",
        "getBulk",
        "transfer_quota",
        "transfer_usage",
        "month_to_date",
        "daily",
        "billing_daily",
    }
)
EXCERPT_LENGTH = 200
MAX_RESPONSE_BYTES = 16 * 1024 * 1024


@dataclasses.dataclass(frozen=True, slots=True)
class Call:
    """What an exchange is about, for retries and the audit record."""

    service: str
    operation: str
    wire: str
    object_type: str | None = None
    object_ids: tuple[str, ...] = ()
    account_id: str | None = None

    @property
    def idempotent(self) -> bool:
        return self.operation in IDEMPOTENT


@dataclasses.dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes = b""


@dataclasses.dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes


class Pacer(Protocol):
    """What the transport paces with: :class:`TokenBucket`, or a fleet's shared bucket
    (``boomisoap.pacing``), which may also have ``penalize(seconds)`` to hear of a 503."""

    def reserve(self) -> float: ...


class TokenBucket:
    """Client-side pacing: ``rate`` requests per second with a burst of ``rate``."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._tokens = self.capacity
        self._clock = clock
        self._stamp = clock()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take one token; return how long the caller must wait before using it."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate


_BUCKETS: dict[tuple[str, str, float], TokenBucket] = {}
_BUCKETS_LOCK = threading.Lock()


def shared_bucket(host: str, account_id: str, rate: float) -> TokenBucket:
    """Boomi limits per account, so clients of one account in a process share a bucket."""
    key = (host, account_id, rate)
    with _BUCKETS_LOCK:
        bucket = _BUCKETS.get(key)
        if bucket is None:
            bucket = _BUCKETS[key] = TokenBucket(rate)
        return bucket


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Remove known secret values from a text meant for a message or a log."""
    for secret in secrets:
        if secret and len(secret) >= 3:
            text = text.replace(secret, "***")
    return text


class HttpTransport:
    """Sends requests for one client; safe to share between threads."""

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        retries: int = 5,
        bucket: Pacer | None = None,
        audit: AuditLog | None = None,
        close_audit: bool = False,
        correlation_id: str | None = None,
        secrets: Iterable[str] = (),
        session: requests.Session | None = None,
        backoff_base: float = 0.1,
        backoff_max: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self.retries = retries
        self.bucket = bucket
        self.audit = audit
        # True when the client opened the log from a URL: nobody else can close it.
        self._close_audit = close_audit
        self.correlation_id = correlation_id
        self._secrets = tuple(s for s in secrets if s)
        self._session = session or new_session()
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._sleep = sleep
        # Called with each request as sent and its response as it arrived, before parsing
        # (the CLI keeps the raw bodies this way for --output xml).
        self.observers: list[Callable[[Call, HttpRequest, HttpResponse], None]] = []

    def close(self) -> None:
        self._session.close()
        if self._close_audit and self.audit is not None:
            self.audit.close()

    def exchange(
        self,
        call: Call,
        request: HttpRequest,
        parse: Callable[[HttpResponse], T],
        *,
        rebuild: Callable[[], bytes] | None = None,
    ) -> T:
        """Send ``request`` and return ``parse(response)``, retrying where it is safe.

        ``rebuild`` gives the body of every attempt after the first. The SOAP wire passes
        one that writes a fresh UsernameToken: after a lost answer the server has seen the
        first Nonce, and re-sending it would be refused as a replay.
        """
        correlation_id = self._correlation_id()
        headers = {**request.headers, "X-Correlation-ID": correlation_id}
        request = dataclasses.replace(request, headers=headers)
        attempt = 0
        while True:
            attempt += 1
            if attempt > 1 and rebuild is not None:
                request = dataclasses.replace(request, body=rebuild())
            if self.bucket is not None:
                delay = self.bucket.reserve()
                if delay > 0:
                    self._sleep(delay)
            # The request half of the audit record is redacted while the server works.
            prepared = (
                None
                if self.audit is None
                else self.audit.prepare_request(request.url, request.headers, request.body)
            )
            started = datetime.now(UTC)
            clock = time.perf_counter()
            response: HttpResponse | None = None
            try:
                with while_waiting(None if prepared is None else prepared.run):
                    response = self._send(request)
                for observe in self.observers:
                    observe(call, request, response)
                result = parse(response)
            except BoomiError as exc:
                self._record(
                    call, request, response, started, clock, exc, attempt, correlation_id, prepared
                )
                retry = self._should_retry(call, exc, attempt)
                if retry or isinstance(exc, RateLimited):
                    delay = self._backoff(attempt)
                    if isinstance(exc, RateLimited):
                        self._penalize(delay)
                    if retry:
                        self._sleep(delay)
                        continue
                raise
            self._record(
                call, request, response, started, clock, None, attempt, correlation_id, prepared
            )
            return result

    def _penalize(self, delay: float) -> None:
        # A shared bucket hears of the 503 so that every member of the fleet slows down,
        # not only this caller; a local bucket has nothing to tell.
        penalize = getattr(self.bucket, "penalize", None)
        if penalize is not None:
            penalize(delay)

    def _correlation_id(self) -> str:
        from .audit.correlation import current_correlation_id

        return current_correlation_id() or self.correlation_id or str(uuid.uuid4())

    def _send(self, request: HttpRequest) -> HttpResponse:
        try:
            answer = self._session.request(
                request.method,
                request.url,
                data=request.body or None,
                headers=dict(request.headers),
                timeout=self.timeout,
                allow_redirects=False,
                stream=True,
            )
            try:
                body = self._read_body(answer)
            finally:
                answer.close()
        except requests.Timeout as exc:
            raise TransportError(f"timed out: {type(exc).__name__}", sent=None) from None
        except requests.ConnectionError as exc:
            # A refused or unreachable connection never carried the request.
            sent = not _never_connected(exc)
            raise TransportError(f"connection failed: {type(exc).__name__}", sent=sent) from None
        except requests.RequestException as exc:
            raise TransportError(f"request failed: {type(exc).__name__}") from None
        return HttpResponse(answer.status_code, dict(answer.headers), body)

    def _read_body(self, answer: requests.Response) -> bytes:
        # Read in chunks and stop at the limit, so a hostile or broken server cannot make
        # the client hold an unbounded body in memory.
        chunks: list[bytes] = []
        size = 0
        for chunk in answer.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > self.max_response_bytes:
                raise TransportError(
                    f"response larger than {self.max_response_bytes} bytes",
                    http_status=answer.status_code,
                )
            chunks.append(chunk)
        return b"".join(chunks)

    def _should_retry(self, call: Call, error: BoomiError, attempt: int) -> bool:
        if attempt > self.retries:
            return False
        if isinstance(error, RateLimited):
            # 503 means the service did nothing: even a create may go again.
            return True
        if isinstance(error, TransportError) and call.idempotent:
            return error.http_status is None or error.http_status in (502, 504)
        return False

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self._backoff_max, self._backoff_base * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The values this transport keeps out of every excerpt and message."""
        return self._secrets

    def excerpt(self, body: bytes) -> str:
        text = body[:EXCERPT_LENGTH].decode("utf-8", errors="replace")
        return scrub(text, self._secrets)

    def _record(
        self,
        call: Call,
        request: HttpRequest,
        response: HttpResponse | None,
        started: datetime,
        clock: float,
        error: BoomiError | None,
        attempt: int,
        correlation_id: str,
        prepared: RequestSide | None,
    ) -> None:
        if self.audit is None:
            return
        from .audit.exchange import Exchange

        if error is None:
            outcome = "ok"
        elif isinstance(error, BoomiFault | EnvelopeValidationError):
            outcome = "fault"
        else:
            outcome = "transport_error"
        fault = error if isinstance(error, BoomiFault) else None
        self.audit.record(
            Exchange(
                service=call.service,
                operation=call.operation,
                wire=call.wire,
                method=request.method,
                url=request.url,
                request_headers=request.headers,
                request_body=request.body,
                started_at=started,
                duration=time.perf_counter() - clock,
                outcome=outcome,
                correlation_id=correlation_id,
                status=None if response is None else response.status,
                response_headers={} if response is None else response.headers,
                response_body=None if response is None else response.body,
                object_type=call.object_type,
                object_ids=call.object_ids,
                account_id=call.account_id,
                fault_code=None if fault is None else fault.fault_code,
                status_code=None if fault is None else fault.status_code,
                error_class=None if error is None else type(error).__name__,
                attempt=attempt,
            ),
            request=prepared,
        )


def _never_connected(exc: requests.ConnectionError) -> bool:
    import urllib3.exceptions

    reason = exc.args[0] if exc.args else None
    inner = getattr(reason, "reason", reason)
    return isinstance(exc, requests.exceptions.ConnectTimeout) or isinstance(
        inner, urllib3.exceptions.NewConnectionError
    )


def header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def is_xml(response: HttpResponse) -> bool:
    content_type = (header(response.headers, "Content-Type") or "").lower()
    return "xml" in content_type or response.body.lstrip()[:1] == b"<"


def answered_html(response: HttpResponse) -> bool:
    """True when the body is an HTML page (a gateway, proxy or login page), not an answer."""
    content_type = (header(response.headers, "Content-Type") or "").lower()
    if "text/html" in content_type:
        return True
    start = response.body.lstrip()[:15].lower()
    return start.startswith((b"<!doctype html", b"<html"))
