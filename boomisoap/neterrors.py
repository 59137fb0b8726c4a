"""Words for a failed HTTP attempt: which URL (safe to show) and what went wrong.

requests and urllib3 wrap the real cause (a refused connection, a TLS alert, a failed
certificate check) several layers deep, and their own messages repeat the whole URL.
:func:`cause_of` digs the cause out and names it in a short phrase; a TLS failure names
the check that failed.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterable, Iterator
from urllib.parse import quote

from .redact.markers import REDACTED
from .redact.structural import redact_text, redact_url

# OpenSSL X509_V_ERR_* codes a user meets, and what they mean for the server's certificate.
_VERIFY_CODES = {
    2: "unknown CA: the issuer certificate is not in the CA bundle",
    9: "the server certificate is not yet valid",
    10: "the server certificate has expired",
    18: "unknown CA: the server certificate is self-signed",
    19: "unknown CA: self-signed certificate in the chain",
    20: "unknown CA: the issuer is not in the CA bundle",
    21: "unknown CA: cannot verify the first certificate",
    62: "hostname mismatch",
    64: "IP address mismatch",
}
# OpenSSL reasons (the ssl module's SSLError.reason) of alerts and protocol errors.
_REASONS = {
    "TLSV13_ALERT_CERTIFICATE_REQUIRED": "the server requires a client certificate",
    "SSLV3_ALERT_HANDSHAKE_FAILURE": "handshake refused (a client certificate may be required)",
    "TLSV1_ALERT_UNKNOWN_CA": "the server does not trust the client certificate (unknown CA)",
    "SSLV3_ALERT_BAD_CERTIFICATE": "the server refused the client certificate",
    "SSLV3_ALERT_CERTIFICATE_EXPIRED": "the server says the client certificate has expired",
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN": "the server refused the client certificate",
    "WRONG_VERSION_NUMBER": "the server did not answer in TLS (plain HTTP on an https URL?)",
    "TLSV1_ALERT_PROTOCOL_VERSION": "no TLS version both sides accept",
    "UNEXPECTED_EOF_WHILE_READING": "the server closed the connection during the handshake",
}


def safe_url(url: str, hidden: Iterable[str] = ()) -> str:
    """``url`` without user-info password, secret query values or secret path parts."""
    text = redact_url(url)
    for value in hidden:
        if value and len(value) >= 3:
            for form in {value, quote(value, safe="")}:
                text = text.replace(form, REDACTED)
    return text


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """Every exception reachable from ``exc`` through causes, contexts and wrapped reasons."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for nxt in (
            getattr(current, "reason", None),
            current.__cause__,
            current.__context__,
            *current.args,
        ):
            if isinstance(nxt, BaseException):
                todo.append(nxt)


def refused_server_certificate(exc: BaseException) -> bool:
    """Whether the client refused the server's certificate (so sent nothing)."""
    return any(isinstance(inner, ssl.SSLCertVerificationError) for inner in _chain(exc))


def tls_problem(exc: BaseException) -> str | None:
    """Which TLS check failed, in words, if the failure was TLS at all."""
    for inner in _chain(exc):
        if isinstance(inner, ssl.SSLCertVerificationError):
            meaning = _VERIFY_CODES.get(inner.verify_code)
            detail = inner.verify_message or inner.reason or "certificate verify failed"
            if meaning is None:
                return f"server certificate check failed: {detail}"
            return f"server certificate check failed: {meaning} ({detail})"
    for inner in _chain(exc):
        if isinstance(inner, ssl.SSLEOFError):
            # Under TLS 1.3 a server that refuses the client's certificate (or its absence)
            # says so after the client has finished; a client still writing sees only EOF.
            return (
                "the server closed the TLS connection (it may require a client certificate, "
                "or refuse the one sent)"
            )
        if isinstance(inner, ssl.SSLError):
            reason = inner.reason or ""
            meaning = _REASONS.get(reason)
            if meaning is not None:
                return meaning
            return str(reason or inner.strerror or type(inner).__name__)
    return None


def cause_of(exc: BaseException, secrets: Iterable[str] = (), proxy: str | None = None) -> str:
    """A short phrase for why an attempt failed, free of secrets; ``proxy`` is the proxy
    the request went to, if any."""
    import requests

    if isinstance(exc, requests.exceptions.ProxyError):
        where = f"proxy {redact_url(proxy)}" if proxy else "the proxy"
        return f"{where} failed: {_plain_cause(exc, secrets)}"
    return _plain_cause(exc, secrets)


def _plain_cause(exc: BaseException, secrets: Iterable[str]) -> str:
    tls = tls_problem(exc)
    if tls is not None:
        return "TLS: " + tls
    for inner in _chain(exc):
        if isinstance(inner, ConnectionRefusedError):
            return "connection refused"
        if isinstance(inner, socket.gaierror):
            return "host name not found"
        if isinstance(inner, ConnectionResetError):
            return "connection reset by the peer"
        if isinstance(inner, TimeoutError | socket.timeout):
            return "timed out"
    return _innermost_text(exc, secrets)


def _innermost_text(exc: BaseException, secrets: Iterable[str]) -> str:
    innermost = list(_chain(exc))[-1]
    text = str(innermost) or type(innermost).__name__
    return f"{type(innermost).__name__}: {redact_text(text, secrets)}"[:300]
