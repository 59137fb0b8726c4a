"""The HTTP layer every wire shares: pacing, retries, correlation ids, recorders.

A wire describes an exchange as an :class:`~boomisoap.calls.Operation`; a transport sends
it. The rules of sending (how often to try, how long to pause, when the deadline ends
the call) are :class:`~boomisoap.policy.Attempts`, written once; :class:`HttpTransport`
drives them with requests, and ``boomisoap.aio.AsyncHttpTransport`` with httpx. Every
attempt, failed or not, is told to the recorders (:class:`~boomisoap.policy.Recorder`):
the audit trail, the history, the DEBUG log and the observers.
"""

from __future__ import annotations

import dataclasses
import http.client
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import urlsplit

import requests

from .calls import (
    IDEMPOTENT,
    Call,
    HttpRequest,
    HttpResponse,
    Operation,
    answered_html,
    header,
    is_xml,
)
from .connections import ACCEPT_ENCODING, Connections, TooLarge, requests_patched
from .correlation import correlation, current_correlation_id
from .errors import BoomiError, TransportError
from .http_session import new_session, run_waiting_job, while_waiting
from .httpconfig import HttpOptions, Timeout
from .observe import Observer
from .policy import Attempt, Attempts, Observers, Recorder, RetryPolicy, Verdict, jobs_of, started
from .redact import SecretSet, cut
from .redact import scrub as _scrub

if TYPE_CHECKING:
    from .history import History
    from .redact.structural import Redactor

T = TypeVar("T")

MAX_RESPONSE_BYTES = 16 * 1024 * 1024

__all__ = [
    "IDEMPOTENT",
    "MAX_RESPONSE_BYTES",
    "BaseTransport",
    "Call",
    "HttpRequest",
    "HttpResponse",
    "HttpTransport",
    "Operation",
    "Pacer",
    "TokenBucket",
    "answered_html",
    "header",
    "is_xml",
    "scrub",
    "secret_values",
    "shared_bucket",
]


class Pacer(Protocol):
    """What the transport paces with: :class:`TokenBucket`, or a fleet's shared bucket
    (``boomisoap.pacing``), which may also have ``penalize(seconds)`` to hear of a 503
    (and ``reserve_async``/``penalize_async`` for the async transport)."""

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


def scrub(text: str, secrets: Iterable[str] = (), *, live: bool = True) -> str:
    """Remove the live secrets (boomisoap.redact) and ``secrets`` from a text."""
    return _scrub(text, secrets, live=live)


class BaseTransport:
    """What the sync and the async transport share: settings, secrets, recorders, and the
    steps around sending that do no I/O. Subclasses send, sleep and pace."""

    def __init__(
        self,
        *,
        timeout: Timeout = 30.0,
        retries: int = 5,
        bucket: Pacer | None = None,
        recorders: Iterable[Recorder] = (),
        correlation_id: str | None = None,
        secrets: Iterable[str] = (),
        backoff_base: float = 0.1,
        backoff_max: float = 5.0,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        http: HttpOptions | None = None,
        history: int = 0,
        redactor: Redactor | None = None,
    ) -> None:
        http = http or HttpOptions(timeout=timeout)
        self.http = http
        self.timeout = timeout
        self.deadline = http.deadline
        self.max_response_bytes = max_response_bytes
        self.retries = retries
        self.bucket = bucket
        self.correlation_id = correlation_id
        # Held while the client lives: scrubbed from every message and log record.
        self.secrets = SecretSet(secrets)
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        # The history and the DEBUG log see what the audit trail would store.
        self._observer = Observer(history, redactor)
        # Called with each request as sent and its response as it arrived (the CLI keeps
        # the raw bodies this way for --output xml; deprecation notices are read so).
        self.observers = Observers()
        # Everything told of the attempts, in order: the audit trail first.
        self.recorders: list[Recorder] = [*recorders, self._observer, self.observers]

    @property
    def history(self) -> History | None:
        """The last exchanges (redacted), when the client was made with ``history=N``."""
        return self._observer.history

    def _close_recorders(self) -> None:
        self.secrets.close()
        for recorder in self.recorders:
            close = getattr(recorder, "close", None)
            if close is not None:
                close()

    # the steps of an exchange, free of I/O -----------------------------------------------

    def _attempts(self, operation: Operation[Any]) -> Attempts:
        policy = RetryPolicy(
            self.retries, self.timeout, self.deadline, self._backoff_base, self._backoff_max
        )
        return Attempts(operation, policy, lambda request: self.describe(request, operation.call))

    @contextmanager
    def _calling(self, operation: Operation[Any]) -> Iterator[tuple[Operation[Any], str, Any]]:
        """The correlation id and trace span of a whole call (all its attempts)."""
        from .tracing import call_span

        call = operation.call
        correlation_id = self._correlation_id()
        if call.secret_ids:
            self.secrets.add(*call.object_ids)
        request = operation.request
        headers = {**request.headers, "X-Correlation-ID": correlation_id}
        request = dataclasses.replace(request, headers=headers)
        operation = dataclasses.replace(operation, request=request)
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
            yield operation, correlation_id, span

    def _begin(self, attempts: Attempts, correlation_id: str) -> tuple[Attempt, Any]:
        # The recorders redact with the credentials only: the ApiKey keys a client has seen
        # can be thousands, and each would be searched in every body (an exchange's own
        # keys are found in it).
        attempt = started(
            attempts.call,
            attempts.request,
            attempts.number,
            correlation_id,
            self.secrets.credentials(),
        )
        return attempt, jobs_of(self.recorders, attempt)

    def _answered(
        self,
        attempt: Attempt,
        response: HttpResponse,
        parse: Callable[[HttpResponse], T],
        span: Any,
    ) -> T:
        span.set_attribute("http.response.status_code", response.status)
        attempt.response = response
        if attempt.call.secret_fields:
            # Known before parsing: a validation error may quote one of them.
            self.secrets.add(*secret_values(response))
        return parse(response)

    def _failed(self, attempts: Attempts, attempt: Attempt, error: BoomiError) -> Verdict:
        self._after(attempt.finish(attempt.response, error))
        return attempts.failed(error)

    def _succeeded(self, attempt: Attempt, span: Any) -> None:
        self._after(attempt.finish(attempt.response, None))
        span.set_attribute("boomisoap.attempts", attempt.number)

    def _after(self, attempt: Attempt) -> None:
        for recorder in self.recorders:
            recorder.after(attempt)

    # what may be shown ------------------------------------------------------------------

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

    def _correlation_id(self) -> str:
        return current_correlation_id() or self.correlation_id or str(uuid.uuid4())

    def _too_large(self, status: int) -> TransportError:
        return TransportError(
            f"response larger than {self.max_response_bytes} bytes", http_status=status
        )

    def _failure_text(
        self,
        request: HttpRequest,
        call: Call | None,
        what: str,
        exc: BaseException,
        proxy: str | None,
    ) -> str:
        """``POST https://host/path: connection failed: TLS: hostname mismatch (...)``."""
        from .neterrors import cause_of, safe_url

        hidden = self._hidden(call)
        cause = safe_url(cause_of(exc, hidden, proxy), hidden)
        return f"{self.describe(request, call)}: {what}: {cause}"

    def excerpt(self, body: bytes) -> str:
        """The start of a body for an error; TransportError scrubs it (errors.py)."""
        return cut(body)


class HttpTransport(BaseTransport):
    """Sends requests for one client with requests; safe to share between threads."""

    def __init__(
        self,
        *,
        timeout: Timeout = 30.0,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        http: HttpOptions | None = None,
        **settings: Any,
    ) -> None:
        http = http or HttpOptions(session=session, timeout=timeout)
        if session is None:
            session = http.session
        super().__init__(timeout=timeout, http=http, **settings)
        # A session the caller gave stays theirs: close() leaves it open.
        self._owns_session = session is None
        self._session = session or new_session(http.ssl_context)
        # The client's own session sends through kept-alive http.client connections where
        # requests would add nothing (connections.py); a user's session is used as it is.
        self._connections = Connections() if self._owns_session else None
        self._base_headers = _lowered(self._session.headers.items())
        self._base_headers["accept-encoding"] = ("Accept-Encoding", ACCEPT_ENCODING)
        # Proxies, CA bundle and client certificate per (scheme, host), environment read
        # once: requests would re-read the proxy variables (and ~/.netrc) on every call.
        self._settings: dict[tuple[str, str], _Settings] = {}
        self._settings_lock = threading.Lock()
        self._sleep = sleep

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
            settings = _resolve(self._session, self.http, url, self._connections is not None)
            with self._settings_lock:
                self._settings[key] = settings
        return settings

    def close(self) -> None:
        if self._connections is not None:
            self._connections.close()
        if self._owns_session:
            self._session.close()
        self._close_recorders()

    def run(self, operation: Operation[T]) -> T:
        """Send an operation and return what its parser read, retrying where it is safe."""
        with self._calling(operation) as (operation, correlation_id, span):
            attempts = self._attempts(operation)
            while True:
                request = attempts.next()
                if self.bucket is not None:
                    delay = self.bucket.reserve()
                    if delay > 0:
                        self._sleep(attempts.pause(delay))
                attempt, job = self._begin(attempts, correlation_id)
                try:
                    with while_waiting(job):
                        response = self._send(request, operation.call, attempts.timeout())
                    result = self._answered(attempt, response, operation.parse, span)
                except BoomiError as exc:
                    verdict = self._failed(attempts, attempt, exc)
                    if verdict.penalty is not None:
                        # A shared bucket hears of the 503 so that every member of the fleet
                        # slows down, not only this caller; a local bucket has nothing to tell.
                        penalize = getattr(self.bucket, "penalize", None)
                        if penalize is not None:
                            penalize(verdict.penalty)
                    if verdict.retry:
                        self._sleep(attempts.pause(verdict.pause, exc))
                        continue
                    raise
                self._succeeded(attempt, span)
                return result

    def _send(
        self, request: HttpRequest, call: Call | None = None, timeout: Timeout | None = None
    ) -> HttpResponse:
        settings = self.settings_for(request.url)
        direct = settings.direct and not self._session.cookies and not requests_patched()
        try:
            if direct:
                return self._send_direct(request, timeout, settings)
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

    def _send_direct(
        self, request: HttpRequest, timeout: Timeout | None, settings: _Settings
    ) -> HttpResponse:
        assert self._connections is not None
        headers = dict(self._base_headers)
        for name, value in request.headers.items():
            headers[name.lower()] = (name, value)
        try:
            answer = self._connections.send(
                request.method.upper(),
                request.url,
                {name: value for name, value in headers.values() if value is not None},
                request.body or None,
                self.timeout if timeout is None else timeout,
                self.max_response_bytes,
                run_waiting_job,
                (settings.verify, settings.cert),
            )
        except TooLarge as exc:
            raise self._too_large(exc.status) from None
        if settings.verify is False and request.url.startswith("https:"):
            _warn_unverified(request.url)
        if "Set-Cookie" in answer.message:
            _keep_cookies(self._session, request, answer.message)
        return HttpResponse(answer.status, answer.headers, answer.body)

    def _failure(
        self,
        request: HttpRequest,
        call: Call | None,
        what: str,
        exc: BaseException,
        *,
        sent: bool | None,
    ) -> TransportError:
        from requests.utils import select_proxy

        proxy = select_proxy(request.url, self.settings_for(request.url).proxies)
        return TransportError(self._failure_text(request, call, what, exc, proxy), sent=sent)

    def _read_body(self, answer: requests.Response) -> bytes:
        # Read in chunks and stop at the limit, so a hostile or broken server cannot make
        # the client hold an unbounded body in memory.
        chunks: list[bytes] = []
        size = 0
        for chunk in answer.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > self.max_response_bytes:
                raise self._too_large(answer.status_code)
            chunks.append(chunk)
        return b"".join(chunks)


@dataclasses.dataclass(frozen=True, slots=True)
class _Settings:
    proxies: dict[str, str]
    verify: bool | str
    cert: str | tuple[str, str] | None
    # Sent through the client's own connections (no proxy, no certificate only requests'
    # adapter holds) rather than requests.
    direct: bool = False


def _lowered(items: Iterable[tuple[str, Any]]) -> dict[str, tuple[str, Any]]:
    return {name.lower(): (name, value) for name, value in items}


def _warn_unverified(url: str) -> None:
    """The warning urllib3 gives for each unverified HTTPS request, given the same way."""
    import warnings

    from urllib3.exceptions import InsecureRequestWarning

    host = urlsplit(url).hostname
    warnings.warn(
        f"Unverified HTTPS request is being made to host '{host}'. Adding certificate "
        "verification is strongly advised.",
        InsecureRequestWarning,
        stacklevel=2,
    )


def _keep_cookies(
    session: requests.Session, request: HttpRequest, message: http.client.HTTPMessage
) -> None:
    """Put a server's cookies in the session's jar, as requests does; from then on the
    session is not empty, and requests sends them back (HttpTransport._send)."""
    from requests.cookies import MockRequest, MockResponse

    prepared = requests.PreparedRequest()
    prepared.prepare(method=request.method, url=request.url, headers=dict(request.headers))
    session.cookies.extract_cookies(MockResponse(message), MockRequest(prepared))  # type: ignore[arg-type]


def _resolve(
    session: requests.Session, http: HttpOptions, url: str, own_connections: bool = False
) -> _Settings:
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
    from requests.utils import select_proxy

    direct = (
        own_connections
        and http.ssl_context is None
        and urlsplit(url).scheme in ("http", "https")
        and select_proxy(url, proxies) is None
    )
    return _Settings(proxies, verify, cert, direct)


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
