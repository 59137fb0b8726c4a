"""Turn an Exchange into an unsealed, redacted AuditRecord (a draft)."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from typing import NamedTuple

from ..redact import redact_id
from ..redact.structural import (
    Redactor,
    content_type,
    echo_values,
    echoed,
    scrub,
    scrub_echoes,
    scrub_headers,
    secret_forms,
)
from .exchange import Exchange
from .record import AuditRecord, Headers, build, utc

_HOST = socket.gethostname()


def writer_id() -> str:
    """``host:pid`` of this process (read each time: a forked child has its own pid)."""
    return f"{_HOST}:{os.getpid()}"


class RequestSide:
    """The request half of an exchange, redacted ahead of the response.

    The transport makes one before sending and runs it while the server works, so the
    redaction costs the caller nothing; :func:`draft` does the work itself when the job
    never ran or ran on other bytes. ``secrets`` are values to remove wherever they
    appear (see :func:`boomisoap.redact.structural.secret_forms`).
    """

    __slots__ = ("_done", "_redactor", "body", "headers", "secrets", "url")

    def __init__(
        self,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        redactor: Redactor,
        secrets: frozenset[bytes] = frozenset(),
    ) -> None:
        self.url = url
        self.headers = headers
        self.body = body
        self.secrets = secrets
        self._redactor = redactor
        self._done: _RedactedRequest | None = None

    def run(self) -> None:
        """Redact now; never raises (a failure is met again, and raised, by draft)."""
        if self._done is None:
            try:
                self._done = _redact_request(
                    self.url, self.headers, self.body, self._redactor, self.secrets, ahead=True
                )
            except Exception:
                self._done = None

    def result_for(self, e: Exchange) -> _RedactedRequest:
        wanted = exchange_secrets(e)
        if self._done is None or not (
            e.request_body is self.body
            and e.request_headers is self.headers
            and e.url == self.url
            and wanted == self.secrets
        ):
            return _redact_request(e.url, e.request_headers, e.request_body, self._redactor, wanted)
        return self._done


def exchange_secrets(e: Exchange) -> frozenset[bytes]:
    ids = [str(i) for i in e.object_ids if i] if e.secret_ids else []
    return secret_forms(ids, e.known_secrets)


class _RedactedRequest(NamedTuple):
    url: str
    headers: Headers
    body: bytes
    found: frozenset[bytes]
    # The request's own echoes and the same three with them scrubbed, worked out
    # ahead (RequestSide.run): final unless the response reveals more secrets. None
    # when draft redacts the request itself: it scrubs once, knowing the response's.
    own: tuple[list[bytes], tuple[str, Headers, bytes]] | None


def _redact_request(
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    redactor: Redactor,
    secrets: frozenset[bytes] = frozenset(),
    *,
    ahead: bool = False,
) -> _RedactedRequest:
    found: set[bytes] = set(secrets)
    url = redactor.url(url, found)
    redacted_headers = redactor.headers(headers, found)
    redacted_body = redactor.body(body, content_type(headers), found) or b""
    own = None
    if ahead:
        echoes = echo_values(found)
        own = (echoes, scrub_echoes(url, redacted_headers, redacted_body, echoes))
    return _RedactedRequest(url, redacted_headers, redacted_body, frozenset(found), own)


def draft(
    exchange: Exchange, redactor: Redactor, request: RequestSide | None = None
) -> AuditRecord:
    """The exchange with secrets redacted; stream, seq and hashes are set when sealed.

    ``request``, when given, holds the request half already redacted for this exchange.
    """
    e = exchange
    if request is None:
        req = _redact_request(
            e.url, e.request_headers, e.request_body, redactor, exchange_secrets(e)
        )
    else:
        req = request.result_for(e)
    found: set[bytes] = set()
    response_headers = redactor.headers(e.response_headers, found)
    response_body = redactor.body(e.response_body, content_type(e.response_headers), found)
    # A secret hidden in one place may be echoed in another (a fault repeating the
    # password, an opaque body holding the API key from the URL): remove those too.
    if req.own is None or found - req.found:
        found |= req.found
        echoes = echo_values(found)
        url, request_headers, request_body = scrub_echoes(req.url, req.headers, req.body, echoes)
    else:
        echoes, (url, request_headers, request_body) = req.own
    if echoes and echoed(echoes, "", response_headers, response_body):
        response_body = None if response_body is None else scrub(response_body, echoes)
        response_headers = scrub_headers(response_headers, echoes)
    return build(
        0,
        "",
        writer_id(),
        "",
        e.service,
        e.operation,
        e.wire,
        e.method,
        url,
        request_headers,
        request_body,
        utc(e.started_at),
        # Microsecond resolution is all the clock gives; rounding keeps the stored
        # float and its repr (which the hash covers) short and stable.
        round(float(e.duration), 6),
        e.outcome,
        e.correlation_id,
        e.status,
        response_headers,
        response_body,
        e.object_type,
        tuple(redact_id(str(i), e.secret_ids) for i in e.object_ids),
        e.account_id,
        e.fault_code,
        e.status_code,
        e.error_class,
        e.attempt,
        "",
        "",
    )
