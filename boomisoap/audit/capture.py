"""Turn an Exchange into an unsealed, redacted AuditRecord (a draft)."""

from __future__ import annotations

import os
import socket

from .exchange import Exchange
from .record import AuditRecord, Headers, utc
from .redaction import Redactor, content_type, echo_values, scrub, scrub_str

_HOST = socket.gethostname()


def writer_id() -> str:
    """``host:pid`` of this process (read each time: a forked child has its own pid)."""
    return f"{_HOST}:{os.getpid()}"


def _scrub_headers(headers: Headers, echoes: list[bytes]) -> Headers:
    joined = "\n".join(v for _, v in headers).encode("utf-8", "surrogatepass")
    if not any(e in joined for e in echoes):
        return headers
    return tuple((k, scrub_str(v, echoes)) for k, v in headers)


def draft(exchange: Exchange, redactor: Redactor) -> AuditRecord:
    """The exchange with secrets redacted; stream, seq and hashes are set when sealed."""
    e = exchange
    found: set[bytes] = set()
    url = redactor.url(e.url, found)
    request_headers = redactor.headers(e.request_headers, found)
    response_headers = redactor.headers(e.response_headers, found)
    request_body = redactor.body(e.request_body, content_type(e.request_headers), found) or b""
    response_body = redactor.body(e.response_body, content_type(e.response_headers), found)
    # A secret hidden in one place may be echoed in another (a fault repeating the
    # password, an opaque body holding the API key from the URL): remove those too.
    echoes = echo_values(found)
    if echoes:
        url = scrub_str(url, echoes)
        request_body = scrub(request_body, echoes)
        response_body = None if response_body is None else scrub(response_body, echoes)
        request_headers = _scrub_headers(request_headers, echoes)
        response_headers = _scrub_headers(response_headers, echoes)
    return AuditRecord(
        seq=0,
        stream="",
        writer=writer_id(),
        alg="",
        service=e.service,
        operation=e.operation,
        wire=e.wire,
        method=e.method,
        url=url,
        request_headers=request_headers,
        request_body=request_body,
        started_at=utc(e.started_at),
        # Microsecond resolution is all the clock gives; rounding keeps the stored
        # float and its repr (which the hash covers) short and stable.
        duration=round(float(e.duration), 6),
        outcome=e.outcome,
        correlation_id=e.correlation_id,
        status=e.status,
        response_headers=response_headers,
        response_body=response_body,
        object_type=e.object_type,
        object_ids=tuple(str(i) for i in e.object_ids),
        account_id=e.account_id,
        fault_code=e.fault_code,
        status_code=e.status_code,
        error_class=e.error_class,
        attempt=e.attempt,
        prev_hash="",
        hash="",
    )
