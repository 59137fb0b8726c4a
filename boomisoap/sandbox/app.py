"""The emulator's WSGI application: routing, body limits, rate limit, request log, audit.

Paths follow docs/wire.md. The protocol handlers do the per-wire work; this module only
decides which one answers, and applies what every request shares: the body limit (413),
the per-account rate limit (503) and the account check (403).
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from .. import redact
from ..correlation import correlation
from ..errors import AuthenticationError, BoomiFault, InvalidRequest, NotFound, RateLimited
from ..logs import get_logger
from . import wsdl
from .httpio import (
    BodyTooLarge,
    EnvironHeaders,
    Request,
    Response,
    json_error,
    path_segments,
    read_body,
    status_line,
)
from .mft import MftHandler
from .ratelimit import RateLimiter, SharedRateLimiter
from .rest import RestHandler, secret_ids_in_path
from .rest import error as rest_error
from .security import Authenticator
from .soap import SoapHandler
from .storage import Store

LOG = get_logger("boomisoap.sandbox")
SOAP_PREFIXES = {"apim": ["apim", "api", "soap", "v1"], "platform": ["api", "soap", "v1"]}
REST_PREFIXES = {"apim": ["apim", "api", "rest", "v1"], "platform": ["api", "rest", "v1"]}
RATE_LIMITED = "Rate limit exceeded: at most {rate:g} requests per second per account"

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class SandboxApp:
    def __init__(
        self,
        *,
        soap: SoapHandler,
        rest: RestHandler,
        mft: MftHandler,
        auth: Authenticator,
        account_id: str,
        max_body: int,
        rate_limit: float | None,
        audit: Any = None,
        log_requests: bool = False,
        partner: Any = None,
        shared: Store | None = None,
        worker: int = 0,
    ) -> None:
        # The Partner API endpoints (boomisoap.sandbox.partner.PartnerEndpoint), if served.
        self.partner = partner
        self.soap = soap
        self.rest = rest
        self.mft = mft
        self.auth = auth
        self.account_id = account_id
        self.max_body = max_body
        # ``shared``: the database of several serving processes holds the buckets.
        self.limiter: RateLimiter | None = None
        if rate_limit is not None:
            self.limiter = (
                RateLimiter(rate_limit) if shared is None else SharedRateLimiter(shared, rate_limit)
            )
        self.audit = audit
        self._trail: Any = None
        self.log_requests = log_requests
        # Which worker process answered (Sandbox(workers=N)): for tests and operators.
        self._worker_header = [("X-Sandbox-Worker", str(worker))] if worker else []

    def __call__(
        self, environ: Mapping[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        # The emulator's log records carry the correlation id the client sent.
        cid = environ.get("HTTP_X_CORRELATION_ID")
        with correlation(cid) if cid else contextlib.nullcontext():
            return self._answer(environ, start_response)

    def _answer(self, environ: Mapping[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        # The wall-clock start is only read for the audit record (it costs a system call).
        started_at = datetime.now(UTC) if self.audit is not None else None
        clock = time.perf_counter()
        request = _request(environ)
        wire = "http"
        try:
            wire, response = self._dispatch(environ, request)
        except Exception:
            shown = _shown_path(request.path, secret_ids_in_path(request.path))
            LOG.exception("unhandled error answering %s %s", request.method, shown)
            response = json_error(500, "internal error in the emulator")
        headers = [
            *response.headers,
            *self._worker_header,
            ("Content-Length", str(len(response.body))),
        ]
        start_response(status_line(response.status), headers)
        duration = time.perf_counter() - clock
        if self.log_requests:
            LOG.info(
                "%s %s %s %d %dB %.1fms",
                environ.get("REMOTE_ADDR", "-"),
                request.method,
                _shown_path(request.path, response.secret_ids),
                response.status,
                len(response.body),
                duration * 1000,
            )
        if started_at is not None:
            self._record(wire, request, response, started_at, duration)
        return [response.body]

    def _dispatch(self, environ: Mapping[str, Any], request: Request) -> tuple[str, Response]:
        if self.mft.serves(request.path):
            # Exact configured paths first: a custom MFT set may share a root with Platform.
            return "mft", self._mft(environ, request)
        parts = path_segments(environ)
        if self.partner is not None and self.partner.serves(parts):
            wire, response = self.partner.dispatch(self, parts, environ, request)
            return wire, response
        for service, prefix in SOAP_PREFIXES.items():
            if parts[: len(prefix)] == prefix and len(parts) == len(prefix) + 1:
                return "soap", self._soap(service, parts[-1], environ, request)
        for service, prefix in REST_PREFIXES.items():
            if parts[: len(prefix)] == prefix and len(parts) > len(prefix) + 1:
                account, segments = parts[len(prefix)], parts[len(prefix) + 1 :]
                return "rest", self._rest(service, account, segments, environ, request)
        return "http", json_error(404, f"{request.path} does not exist")

    # wires -----------------------------------------------------------------------------

    def _soap(
        self, service: str, account: str, environ: Mapping[str, Any], request: Request
    ) -> Response:
        if request.method == "GET":
            return self._description(service, request.base_url + request.path, request)
        if request.method != "POST":
            return json_error(405, f"{request.method} is not allowed on a SOAP endpoint")
        try:
            request.body = read_body(environ, self.max_body)
        except BodyTooLarge:
            return self.soap.fault(_too_large(self.max_body))
        if not self._allowed(account):
            return self.soap.fault(_rate_limited(self.limiter))
        if account != self.account_id:
            return self.soap.fault(_foreign(account))
        return self.soap.handle(service, account, request)

    def _description(self, service: str, soap_url: str, request: Request) -> Response:
        """``?wsdl`` / ``?xsd=N``, behind HTTP Basic like the real service."""
        try:
            self.auth.verify_basic(request.header("Authorization"))
            params = request.params()
            if request.query.lower() == "wsdl":
                body = wsdl.wsdl_document(service, soap_url)
            elif "xsd" in params:
                body = wsdl.xsd_document(params["xsd"], soap_url)
            else:
                raise NotFound("a SOAP endpoint answers POST, ?wsdl and ?xsd=N")
        except BoomiFault as exc:
            return rest_error(exc)
        response = Response(200, body, [("Content-Type", "text/xml; charset=utf-8")])
        response.operation = "wsdl"
        return response

    def _rest(
        self,
        service: str,
        account: str,
        segments: list[str],
        environ: Mapping[str, Any],
        request: Request,
    ) -> Response:
        try:
            request.body = read_body(environ, self.max_body)
        except BodyTooLarge:
            return rest_error(_too_large(self.max_body))
        if not self._allowed(account):
            return rest_error(_rate_limited(self.limiter))
        if account != self.account_id:
            return rest_error(_foreign(account))
        if "overrideAccount" in request.params():
            # A Partner API parameter: acting on the caller's own account instead would
            # be a silent surprise (docs/partner.md).
            return rest_error(_not_partner("overrideAccount"))
        return self.rest.handle(service, account, segments, request)

    def _mft(self, environ: Mapping[str, Any], request: Request) -> Response:
        try:
            request.body = read_body(environ, self.max_body)
        except BodyTooLarge:
            return rest_error(_too_large(self.max_body))
        if not self._allowed("mft"):
            return rest_error(_rate_limited(self.limiter))
        return self.mft.handle(request)

    # shared ----------------------------------------------------------------------------

    def _allowed(self, key: str) -> bool:
        # Charged before authentication: a retried request re-sends the same nonce, so a
        # refused one must not have consumed it.
        return self.limiter is None or self.limiter.allow(key)

    def _record(
        self, wire: str, request: Request, response: Response, started: datetime, duration: float
    ) -> None:
        # The server-side trail is the client's recorder (boomisoap.audit.recorder) told of
        # the exchange as the emulator saw it: one attempt, a fault when it answered >= 400.
        try:
            from ..audit.recorder import AuditRecorder
            from ..calls import Call, HttpRequest, HttpResponse
            from ..errors import BoomiFault
            from ..policy import Attempt

            if self._trail is None:
                self._trail = AuditRecorder(self.audit)
            call = Call(
                service="mft" if wire == "mft" else _service_of(request.path),
                operation=response.operation or request.method.lower(),
                wire=wire,
                object_type=response.object_type,
                object_ids=response.secret_ids,
                account_id=self.account_id,
                secret_ids=bool(response.secret_ids),
            )
            url = request.base_url + request.path + (f"?{request.query}" if request.query else "")
            attempt = Attempt(
                call=call,
                request=HttpRequest(request.method, url, dict(request.headers), request.body),
                number=1,
                correlation_id=request.header("X-Correlation-ID") or str(uuid.uuid4()),
                known_secrets=(),
                started=started,
                clock=0.0,
            )
            attempt.response = HttpResponse(response.status, dict(response.headers), response.body)
            if response.status >= 400:
                attempt.error = BoomiFault(
                    f"answered HTTP {response.status}", status_code=response.status
                )
            attempt.duration = duration
            self._trail.after(attempt)
        except Exception:
            LOG.exception("the audit log refused a record")


def _request(environ: Mapping[str, Any]) -> Request:
    # The Host header straight from the environ: EnvironHeaders' mapping look-up is the
    # same rule (an absent or empty header is none) at several calls' cost.
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
    path = str(environ.get("PATH_INFO", "/"))
    if not path.isascii():
        # PEP 3333 hands the path over as latin-1; the client sent UTF-8. Bytes that are
        # not UTF-8 become lone surrogates, which every id check refuses.
        path = path.encode("latin-1").decode("utf-8", "surrogateescape")
    return Request(
        method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
        path=path,
        query=str(environ.get("QUERY_STRING", "")),
        headers=EnvironHeaders(environ),
        body=b"",
        base_url=f"{environ.get('wsgi.url_scheme', 'http')}://{host}",
    )


def _shown_path(path: str, secret_ids: tuple[str, ...]) -> str:
    return redact.scrub(path, secret_ids) if secret_ids else path


def _service_of(path: str) -> str:
    return "apim" if path.startswith("/apim/") else "platform"


def _too_large(limit: int) -> BoomiFault:
    return BoomiFault(f"the request body exceeds {limit} bytes", status_code=413)


def _rate_limited(limiter: RateLimiter | None) -> BoomiFault:
    rate = 0.0 if limiter is None else limiter.rate
    return RateLimited(RATE_LIMITED.format(rate=rate), status_code=503, fault_code="Server")


def _not_partner(field: str) -> BoomiFault:
    return InvalidRequest(
        f"{field} (the account override) is a Partner API parameter: use /partner/api/",
        field=field,
    )


def _foreign(account: str) -> BoomiFault:
    return AuthenticationError(f"not authorized for account {account}", status_code=403)
