"""The HTTP layer every wire shares: pacing, retries, correlation ids and audit capture.

One :meth:`HttpTransport.exchange` call sends a request, hands the response to the wire's
parser and decides, from the typed error the parser raises, whether to try again. Every
attempt, failed or not, is handed to the audit log exactly as it crossed the wire.
"""

from __future__ import annotations

import dataclasses
import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import urlsplit

import requests

from .errors import (
    BoomiError,
    BoomiFault,
    DeadlineExceeded,
    EnvelopeValidationError,
    RateLimited,
    TransportError,
)
from .http_session import new_session, while_waiting
from .httpconfig import HttpOptions, Timeout
from .observe import Observer
from .redact import SecretSet, cut, redact_id
from .redact import scrub as scrub  # re-exported: the SOAP wire, the CLI and the emulator use it

if TYPE_CHECKING:
    from .audit import AuditLog
    from .audit.capture import RequestSide
    from .history import History

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
    # The object type's id field is secret (an ApiKey's key): the ids are secrets too.
    secret_ids: bool = False
    # The object type has secret fields: values of those in answers are secrets as well.
    secret_fields: bool = False

    @property
    def idempotent(self) -> bool:
        return self.operation in IDEMPOTENT

    @property
    def shown_ids(self) -> tuple[str, ...]:
        """The ids as they may be shown: redacted when they are secrets."""
        return tuple(redact_id(i, self.secret_ids) for i in self.object_ids)

    def __repr__(self) -> str:
        return (
            f"Call(service={self.service!r}, operation={self.operation!r}, wire={self.wire!r}, "
            f"object_type={self.object_type!r}, object_ids={self.shown_ids!r}, "
            f"account_id={self.account_id!r})"
        )


@dataclasses.dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes = b""

    def __repr__(self) -> str:
        # Headers and body carry the credentials: a repr (a traceback's locals, a debug
        # print of what an observer got) names only their size.
        return (
            f"HttpRequest({self.method} {scrub(self.url)}, headers={sorted(self.headers)}, "
            f"body={len(self.body)} bytes)"
        )


@dataclasses.dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def __repr__(self) -> str:
        return f"HttpResponse({self.status}, body={len(self.body)} bytes)"


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


class HttpTransport:
    """Sends requests for one client; safe to share between threads."""

    def __init__(
        self,
        *,
        timeout: Timeout = 30.0,
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
        http: HttpOptions | None = None,
        history: int = 0,
    ) -> None:
        http = http or HttpOptions(session=session, timeout=timeout)
        if session is None:
            session = http.session
        self.http = http
        self.timeout = timeout
        self.deadline = http.deadline
        self.max_response_bytes = max_response_bytes
        self.retries = retries
        self.bucket = bucket
        self.audit = audit
        # True when the client opened the log from a URL: nobody else can close it.
        self._close_audit = close_audit
        self.correlation_id = correlation_id
        # Held while the client lives: scrubbed from every message and log record.
        self.secrets = SecretSet(secrets)
        # A session the caller gave stays theirs: close() leaves it open.
        self._owns_session = session is None
        self._session = session or new_session(http.ssl_context)
        # Proxies, CA bundle and client certificate per (scheme, host), environment read
        # once: requests would re-read the proxy variables (and ~/.netrc) on every call.
        self._settings: dict[tuple[str, str], _Settings] = {}
        self._settings_lock = threading.Lock()
        self._observer = Observer(history, audit)
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._sleep = sleep
        # Called with each request as sent and its response as it arrived, before parsing
        # (the CLI keeps the raw bodies this way for --output xml).
        self.observers: list[Callable[[Call, HttpRequest, HttpResponse], None]] = []

    @property
    def history(self) -> History | None:
        """The last exchanges (redacted), when the client was made with ``history=N``."""
        return self._observer.history

    def reload_environment(self) -> None:
        """Read the proxy and CA bundle environment variables again on the next call."""
        with self._settings_lock:
            self._settings.clear()

    def settings_for(self, url: str) -> _Settings:
        """The proxies, verify and cert a request to ``url`` is sent with."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        settings = self._settings.get(key)
        if settings is None:
            settings = _resolve(self._session, self.http, url)
            with self._settings_lock:
                self._settings[key] = settings
        return settings

    def close(self) -> None:
        if self._owns_session:
            self._session.close()
        self.secrets.close()
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
        if call.secret_ids:
            self.secrets.add(*call.object_ids)
        headers = {**request.headers, "X-Correlation-ID": correlation_id}
        request = dataclasses.replace(request, headers=headers)
        from .audit.correlation import correlation
        from .tracing import call_span

        # The id is current for the whole call: every log record made meanwhile carries it.
        with (
            correlation(correlation_id),
            call_span(
                call.service,
                call.operation,
                call.object_type,
                call.wire,
                request.method,
                lambda: self.safe_url(request, call),
                correlation_id,
            ) as span,
        ):
            return self._attempts(call, request, parse, rebuild, correlation_id, span)

    def _attempts(
        self,
        call: Call,
        request: HttpRequest,
        parse: Callable[[HttpResponse], T],
        rebuild: Callable[[], bytes] | None,
        correlation_id: str,
        span: Any,
    ) -> T:
        ends = None if self.deadline is None else time.monotonic() + self.deadline
        attempt = 0
        while True:
            attempt += 1
            if attempt > 1 and rebuild is not None:
                request = dataclasses.replace(request, body=rebuild())
            if self.bucket is not None:
                delay = self.bucket.reserve()
                if delay > 0:
                    self._wait(delay, ends, call, request, attempt - 1, None)
            # The request half of the audit record is redacted while the server works.
            # Credentials only: the ApiKey keys a client has seen can be thousands, and
            # each would be searched in every body (an exchange's own keys are found in it).
            known = self.secrets.credentials()
            prepared = (
                None
                if self.audit is None
                else self.audit.prepare_request(
                    request.url,
                    request.headers,
                    request.body,
                    secret_ids=call.object_ids if call.secret_ids else (),
                    known_secrets=known,
                )
            )
            started = datetime.now(UTC)
            clock = time.perf_counter()
            response: HttpResponse | None = None
            try:
                with while_waiting(None if prepared is None else prepared.run):
                    response = self._send(request, call, self._attempt_timeout(ends))
                span.set_attribute("http.response.status_code", response.status)
                if call.secret_fields:
                    # Known before parsing: a validation error may quote one of them.
                    self.secrets.add(*secret_values(response))
                for observe in self.observers:
                    observe(call, request, response)
                result = parse(response)
            except BoomiError as exc:
                self._record(
                    call,
                    request,
                    response,
                    started,
                    clock,
                    exc,
                    attempt,
                    correlation_id,
                    prepared,
                    known,
                )
                retry = self._should_retry(call, exc, attempt)
                if retry or isinstance(exc, RateLimited):
                    delay = self._backoff(attempt)
                    if isinstance(exc, RateLimited):
                        self._penalize(delay)
                    if retry:
                        self._wait(delay, ends, call, request, attempt, exc)
                        continue
                raise
            self._record(
                call,
                request,
                response,
                started,
                clock,
                None,
                attempt,
                correlation_id,
                prepared,
                known,
            )
            span.set_attribute("boomisoap.attempts", attempt)
            return result

    def _attempt_timeout(self, ends: float | None) -> Timeout:
        """The per-attempt timeout, cut down to what is left of the deadline."""
        if ends is None:
            return self.timeout
        # Never zero or less (requests refuses those): a spent deadline makes the attempt
        # time out at once, and the deadline check before the retry ends the call.
        left = max(ends - time.monotonic(), 0.001)
        if isinstance(self.timeout, tuple):
            return (min(self.timeout[0], left), min(self.timeout[1], left))
        return min(self.timeout, left)

    def _wait(
        self,
        pause: float,
        ends: float | None,
        call: Call,
        request: HttpRequest,
        attempts: int,
        last: BoomiError | None,
    ) -> None:
        """Sleep ``pause`` seconds, unless that would end past the deadline."""
        if ends is not None and time.monotonic() + pause >= ends:
            where = self.describe(request, call)
            why = "" if last is None else f"; last error: {last}"
            raise DeadlineExceeded(
                f"{where}: deadline of {self.deadline:g}s reached after {attempts} "
                f"attempt{'s' if attempts != 1 else ''}{why}",
                attempts=attempts,
                sent=None if last is None else getattr(last, "sent", True),
            ) from last
        self._sleep(pause)

    def safe_url(self, request: HttpRequest, call: Call | None = None) -> str:
        """The URL of a request, safe to show: no credentials, no secret ids."""
        from .neterrors import safe_url

        return safe_url(request.url, self._hidden(call))

    def describe(self, request: HttpRequest, call: Call | None = None) -> str:
        """``METHOD url`` of a request, safe to show."""
        return f"{request.method} {self.safe_url(request, call)}"

    def _hidden(self, call: Call | None) -> tuple[str, ...]:
        # The id of an object whose id is a secret (an ApiKey's key) is in its REST path.
        credentials = self.secrets.credentials()
        if call is None or not call.secret_ids:
            return credentials
        return (*credentials, *call.object_ids)

    def _penalize(self, delay: float) -> None:
        # A shared bucket hears of the 503 so that every member of the fleet slows down,
        # not only this caller; a local bucket has nothing to tell.
        penalize = getattr(self.bucket, "penalize", None)
        if penalize is not None:
            penalize(delay)

    def _correlation_id(self) -> str:
        from .audit.correlation import current_correlation_id

        return current_correlation_id() or self.correlation_id or str(uuid.uuid4())

    def _send(
        self, request: HttpRequest, call: Call | None = None, timeout: Timeout | None = None
    ) -> HttpResponse:
        settings = self.settings_for(request.url)
        try:
            answer = self._session.send(
                _prepare(self._session, request),
                timeout=self.timeout if timeout is None else timeout,
                allow_redirects=False,
                stream=True,
                proxies=settings.proxies,
                verify=settings.verify,
                cert=settings.cert,
            )
            try:
                body = self._read_body(answer)
            finally:
                answer.close()
        except requests.Timeout as exc:
            raise self._failure(request, call, "timed out", exc, sent=None) from exc
        except requests.ConnectionError as exc:
            # A refused or unreachable connection never carried the request.
            sent = not _never_connected(exc)
            raise self._failure(request, call, "connection failed", exc, sent=sent) from exc
        except requests.RequestException as exc:
            raise self._failure(request, call, "request failed", exc, sent=None) from exc
        return HttpResponse(answer.status_code, dict(answer.headers), body)

    def _failure(
        self,
        request: HttpRequest,
        call: Call | None,
        what: str,
        exc: BaseException,
        *,
        sent: bool | None,
    ) -> TransportError:
        """``POST https://host/path: connection failed: TLS: hostname mismatch (...)``."""
        from requests.utils import select_proxy

        from .neterrors import cause_of, safe_url

        hidden = self._hidden(call)
        proxy = select_proxy(request.url, self.settings_for(request.url).proxies)
        cause = safe_url(cause_of(exc, hidden, proxy), hidden)
        return TransportError(f"{self.describe(request, call)}: {what}: {cause}", sent=sent)

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

    def excerpt(self, body: bytes) -> str:
        """The start of a body for an error; TransportError scrubs it (errors.py)."""
        return cut(body)

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
        known: tuple[str, ...] = (),
    ) -> None:
        if self.audit is None and not self._observer.active():
            return
        from .audit.exchange import Exchange

        if error is None:
            outcome = "ok"
        elif isinstance(error, BoomiFault | EnvelopeValidationError):
            outcome = "fault"
        else:
            outcome = "transport_error"
        fault = error if isinstance(error, BoomiFault) else None
        exchange = Exchange(
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
            secret_ids=call.secret_ids,
            known_secrets=known,
            account_id=call.account_id,
            fault_code=None if fault is None else fault.fault_code,
            status_code=None if fault is None else fault.status_code,
            error_class=None if error is None else type(error).__name__,
            attempt=attempt,
        )
        if self.audit is not None:
            self.audit.record(exchange, request=prepared)
        self._observer.observe(exchange)


@dataclasses.dataclass(frozen=True, slots=True)
class _Settings:
    proxies: dict[str, str]
    verify: bool | str
    cert: str | tuple[str, str] | None


def _resolve(session: requests.Session, http: HttpOptions, url: str) -> _Settings:
    """What requests' ``merge_environment_settings`` would give, decided once per host.

    The client's own option wins, then the session's setting, then (when the session
    trusts the environment) the ``*_proxy``/``no_proxy`` and ``REQUESTS_CA_BUNDLE``/
    ``CURL_CA_BUNDLE`` variables.
    """
    explicit = dict(http.proxies or {})
    proxies: dict[str, str] = {}
    ca_bundle: str | None = None
    if session.trust_env:
        from requests.utils import get_environ_proxies

        proxies.update(get_environ_proxies(url, no_proxy=explicit.get("no_proxy")))
        ca_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    proxies.update(session.proxies)
    proxies.update(explicit)
    proxies.pop("no_proxy", None)
    verify: bool | str
    if http.verify is not None:
        verify = http.verify
    elif session.verify is not True and session.verify is not None:
        verify = session.verify
    else:
        verify = ca_bundle or True
    cert = http.cert if http.cert is not None else session.cert
    return _Settings(proxies, verify, cert)


def _prepare(session: requests.Session, request: HttpRequest) -> requests.PreparedRequest:
    """``Session.prepare_request`` without its per-call read of ~/.netrc (the client sends
    its own credentials, and a netrc entry would replace them).

    The client builds its URLs itself, already quoted: unless the session adds auth or
    query parameters, the request is assembled directly, which costs a tenth of requests'
    general preparation (URL parsing and re-quoting, header checks).
    """
    from requests.structures import CaseInsensitiveDict

    if session.auth is not None or session.params or not request.url.isascii():
        return _prepare_fully(session, request)
    headers: Any = CaseInsensitiveDict()
    headers.update(session.headers)
    headers.update(request.headers)
    for name in [name for name, value in headers.items() if value is None]:
        del headers[name]  # requests' merge rule: None removes a session header
    body = request.body or None
    if body is not None or request.method not in ("GET", "HEAD"):
        headers["Content-Length"] = str(len(body or b""))
    prepared = requests.PreparedRequest()
    prepared.method = request.method.upper()
    prepared.url = request.url
    prepared.headers = headers
    prepared.body = body
    prepared.hooks = {"response": list(session.hooks.get("response", ()))}
    if session.cookies:
        prepared.prepare_cookies(session.cookies)
    else:
        # requests builds the next request of a redirect (Response.next) even when it does
        # not follow it, and that needs the jar prepare_cookies would have set.
        from requests.cookies import RequestsCookieJar

        prepared._cookies = RequestsCookieJar()  # type: ignore[attr-defined]
    return prepared


def _prepare_fully(session: requests.Session, request: HttpRequest) -> requests.PreparedRequest:
    from requests.cookies import RequestsCookieJar, merge_cookies
    from requests.sessions import merge_setting
    from requests.structures import CaseInsensitiveDict

    prepared = requests.PreparedRequest()
    prepared.prepare(
        method=request.method,
        url=request.url,
        headers=merge_setting(  # type: ignore[no-untyped-call]
            dict(request.headers), session.headers, dict_class=CaseInsensitiveDict
        ),
        data=request.body or None,
        params=session.params or None,
        auth=session.auth,
        cookies=merge_cookies(RequestsCookieJar(), session.cookies),  # type: ignore[no-untyped-call]
        hooks=session.hooks,
    )
    return prepared


def secret_values(response: HttpResponse) -> list[str]:
    """The values of secret fields (an ApiKey's ``key``) in a response body."""
    from .redact.structural import content_type, secret_field_values

    return secret_field_values(response.body, content_type(response.headers))


def _never_connected(exc: requests.ConnectionError) -> bool:
    import urllib3.exceptions

    from .neterrors import refused_server_certificate

    reason = exc.args[0] if exc.args else None
    inner = getattr(reason, "reason", reason)
    return (
        isinstance(exc, requests.exceptions.ConnectTimeout)
        or isinstance(inner, urllib3.exceptions.NewConnectionError)
        # The client broke off the handshake itself: nothing was written.
        or refused_server_certificate(exc)
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
