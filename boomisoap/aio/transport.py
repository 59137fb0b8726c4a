"""The async transport: the same attempts (``boomisoap.policy.Attempts``) sent with
httpx, pacing and backing off with ``await`` so an event loop never blocks.

What a request carries, how its answer is read, when it is sent again and what every
recorder is told are the sync transport's (``boomisoap.transport``); only the sending,
sleeping and pacing are awaited here.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from ..calls import Call, HttpRequest, HttpResponse, Operation
from ..errors import BoomiError, TransportError
from ..httpconfig import HttpOptions, Timeout
from ..transport import BaseTransport

T = TypeVar("T")

# As many connections as the sync session keeps per host (http_session.new_session).
LIMITS = httpx.Limits(max_connections=64, max_keepalive_connections=64)
NODELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]


class AsyncHttpTransport(BaseTransport):
    """Sends requests for one async client; safe to share between tasks of one loop."""

    def __init__(
        self,
        *,
        http: HttpOptions | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        **settings: Any,
    ) -> None:
        super().__init__(http=http, **settings)
        self._sleep = sleep
        self._client: httpx.AsyncClient | None = None
        self._retired: list[httpx.AsyncClient] = []

    def reload_environment(self) -> None:
        """Read the proxy and CA bundle environment variables again on the next call."""
        if self._client is not None:
            self._retired.append(self._client)
            self._client = None

    async def _session(self) -> httpx.AsyncClient:
        while self._retired:
            await self._retired.pop().aclose()
        if self._client is None:
            self._client = _client_for(self.http)
        return self._client

    async def aclose(self) -> None:
        self.reload_environment()
        await self._session()  # closes the retired client
        self._client = None
        self._close_recorders()

    async def run(self, operation: Operation[T]) -> T:
        """Send an operation and return what its parser read, retrying where it is safe."""
        with self._calling(operation) as (operation, correlation_id, span):
            attempts = self._attempts(operation)
            while True:
                request = attempts.next()
                if self.bucket is not None:
                    delay = await _reserve(self.bucket)
                    if delay > 0:
                        await self._sleep(attempts.pause(delay))
                attempt, job = self._begin(attempts, correlation_id)
                try:
                    response = await self._send_while(
                        job, request, operation.call, attempts.timeout()
                    )
                    result = self._answered(attempt, response, operation.parse, span)
                except BoomiError as exc:
                    verdict = self._failed(attempts, attempt, exc)
                    if verdict.penalty is not None:
                        await _penalize(self.bucket, verdict.penalty)
                    if verdict.retry:
                        await self._sleep(attempts.pause(verdict.pause, exc))
                        continue
                    raise
                self._succeeded(attempt, span)
                return result

    async def _send_while(
        self, job: Callable[[], None] | None, request: HttpRequest, call: Call, timeout: Timeout
    ) -> HttpResponse:
        if job is None:
            return await self._send(request, call, timeout)
        # The recorders' job (the audit trail redacting the request) runs once the request
        # is on its way, while the server works.
        sending = asyncio.ensure_future(self._send(request, call, timeout))
        await asyncio.sleep(0)
        job()
        return await sending

    async def _send(self, request: HttpRequest, call: Call, timeout: Timeout) -> HttpResponse:
        client = await self._session()
        try:
            async with client.stream(
                request.method,
                request.url,
                headers=dict(request.headers),
                content=request.body or None,
                timeout=_timeout(timeout),
            ) as answer:
                body = await self._read_body(answer)
                headers = _headers(answer)
                status = answer.status_code
        except httpx.TimeoutException as exc:
            raise self._failure(request, call, "timed out", exc, sent=None) from exc
        except httpx.ConnectError as exc:
            # The connection (or its TLS handshake) failed: nothing was written.
            raise self._failure(request, call, "connection failed", exc, sent=False) from exc
        except httpx.TransportError as exc:
            raise self._failure(request, call, "connection failed", exc, sent=True) from exc
        except httpx.HTTPError as exc:
            raise self._failure(request, call, "request failed", exc, sent=None) from exc
        return HttpResponse(status, headers, body)

    def _failure(
        self, request: HttpRequest, call: Call, what: str, exc: BaseException, *, sent: bool | None
    ) -> TransportError:
        proxy = _proxy_for(self.http, request.url)
        return TransportError(self._failure_text(request, call, what, exc, proxy), sent=sent)

    async def _read_body(self, answer: httpx.Response) -> bytes:
        # Read in chunks and stop at the limit, as the sync transport does.
        chunks: list[bytes] = []
        size = 0
        async for chunk in answer.aiter_bytes(65536):
            size += len(chunk)
            if size > self.max_response_bytes:
                raise self._too_large(answer.status_code)
            chunks.append(chunk)
        return b"".join(chunks)


async def _reserve(bucket: Any) -> float:
    # A fleet's bucket asks Redis without blocking the loop; a local one never blocks.
    reserve_async = getattr(bucket, "reserve_async", None)
    if reserve_async is not None:
        delay: float = await reserve_async()
        return delay
    waited: float = bucket.reserve()
    return waited


async def _penalize(bucket: Any, seconds: float) -> None:
    penalize_async = getattr(bucket, "penalize_async", None)
    if penalize_async is not None:
        await penalize_async(seconds)
        return
    penalize = getattr(bucket, "penalize", None)
    if penalize is not None:
        penalize(seconds)


def _headers(answer: httpx.Response) -> dict[str, str]:
    """The headers with their names as the server spelled them (httpx lowercases its
    mapping's keys); repeated ones joined as requests joins them."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in answer.headers.raw:
        name = raw_name.decode("latin-1")
        value = raw_value.decode("latin-1")
        known = next((k for k in headers if k.lower() == name.lower()), None)
        if known is None:
            headers[name] = value
        else:
            headers[known] = f"{headers[known]}, {value}"
    return headers


def _timeout(timeout: Timeout) -> httpx.Timeout:
    if isinstance(timeout, tuple):
        connect, read = timeout
        return httpx.Timeout(read, connect=connect)
    return httpx.Timeout(timeout)


def _ssl_context(http: HttpOptions) -> ssl.SSLContext:
    """What the sync transport would verify with: the client's option, else the
    ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` variables, else certifi's CAs (requests'
    default); the client certificate from PEM files, or the PKCS#12 one already loaded."""
    from ..connections import tls_context

    verify = http.verify
    if verify is None:
        verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    return tls_context(verify, http.cert, http.ssl_context)


def _proxy_for(http: HttpOptions, url: str) -> str | None:
    proxies = dict(http.proxies or {})
    scheme = url.partition(":")[0]
    return proxies.get(scheme) or proxies.get("all")


def _proxy_mounts(http: HttpOptions) -> dict[str, str | None]:
    """URL pattern -> proxy (None: direct), as requests decides: the client's ``proxies``
    win, then the environment's ``*_proxy`` and ``no_proxy``."""
    import urllib.request

    explicit = dict(http.proxies or {})
    found = {k: v for k, v in urllib.request.getproxies().items() if v}
    mounts: dict[str, str | None] = {}
    skip = explicit.get("no_proxy") or found.get("no", "")
    for host in (h.strip() for h in skip.split(",")):
        if host and host != "*":
            mounts[f"all://*{host}" if host.startswith(".") else f"all://{host}"] = None
    for scheme in ("http", "https"):
        proxy = explicit.get(scheme) or explicit.get("all") or found.get(scheme)
        if proxy:
            mounts[f"{scheme}://"] = proxy if "://" in proxy else f"http://{proxy}"
    return mounts


def _client_for(http: HttpOptions) -> httpx.AsyncClient:
    context = _ssl_context(http)

    def transport(proxy: str | None = None) -> httpx.AsyncHTTPTransport:
        # TCP_NODELAY as urllib3 sets it: httpx writes headers and body apart, and Nagle's
        # algorithm would hold the body back until the server acknowledged the headers.
        return httpx.AsyncHTTPTransport(
            verify=context, limits=LIMITS, proxy=proxy, socket_options=NODELAY
        )

    mounts: dict[str, httpx.AsyncBaseTransport | None] = {
        pattern: None if proxy is None else transport(proxy)
        for pattern, proxy in _proxy_mounts(http).items()
    }
    return httpx.AsyncClient(
        transport=transport(),
        mounts=mounts,
        follow_redirects=False,
        # The environment was read above, once, as for the sync transport.
        trust_env=False,
    )
