"""Re-send a recorded request to another endpoint with fresh credentials.

The recorded envelope's WS-Security header is dropped (its password was redacted
anyway, and its nonce and timestamp would be stale) and a new UsernameToken is
added, built by the client's own wsse module: Username, Password (PasswordText), a
random base64 Nonce and wsu:Created (in WSS4J's form, with milliseconds and a Z).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from lxml import etree

from .. import xmlsafe
from ..namespaces import SOAP12_ENV, SOAP_ENV, WSSE, WSU
from ..redact.markers import REDACTED
from ..redact.structural import Redactor, content_type
from ..wsse.username import UsernameToken, format_created_millis
from .record import AuditRecord, Headers

_SOAP_NAMESPACES = (SOAP_ENV, SOAP12_ENV)
# Request headers worth carrying over; everything else is per-connection or a credential.
_KEPT_HEADERS = ("content-type", "soapaction", "accept")


class ReplayError(ValueError):
    """The record cannot be replayed (not a request we can rebuild)."""


@dataclass(frozen=True)
class ReplayResult:
    """What was sent and received, both redacted for display."""

    url: str
    method: str
    status: int
    headers: Headers
    body: bytes
    request_body: bytes
    leftover_redactions: int


def target_url(recorded_url: str, base_url: str) -> str:
    """The recorded URL's path and query under ``base_url`` (whose path is a prefix)."""
    old = urlsplit(recorded_url)
    new = urlsplit(base_url)
    return urlunsplit((new.scheme, new.netloc, new.path.rstrip("/") + old.path, old.query, ""))


def _is_security(el: Any) -> bool:
    qname = etree.QName(el)
    return qname.localname == "Security" and (
        qname.namespace == WSSE or "secext" in (qname.namespace or "")
    )


def with_fresh_token(
    envelope: bytes,
    username: str,
    password: str,
    *,
    now: datetime | None = None,
    nonce: bytes | None = None,
) -> bytes:
    """The envelope with any wsse:Security header replaced by a new UsernameToken."""
    root = xmlsafe.parse(envelope)
    qname = etree.QName(root)
    if qname.localname != "Envelope" or qname.namespace not in _SOAP_NAMESPACES:
        raise ReplayError("the recorded request is not a SOAP envelope")
    env_ns = qname.namespace
    header = root.find(f"{{{env_ns}}}Header")
    if header is None:
        header = etree.Element(f"{{{env_ns}}}Header")
        root.insert(0, header)
    for old in [child for child in header if isinstance(child.tag, str) and _is_security(child)]:
        header.remove(old)
    security = etree.Element(f"{{{WSSE}}}Security", nsmap={"wsse": WSSE, "wsu": WSU})
    security.set(f"{{{env_ns}}}mustUnderstand", "1" if env_ns == SOAP_ENV else "true")
    header.insert(0, security)
    token = UsernameToken(
        username,
        password,
        nonce_source=os.urandom if nonce is None else lambda size: nonce,
        clock=lambda: datetime.now(UTC) if now is None else now,
        created_format=format_created_millis,
    )
    security.append(token.token_element())
    declared = envelope.lstrip().startswith(b"<?xml")
    return bytes(etree.tostring(root, xml_declaration=declared, encoding="UTF-8"))


def build_request(
    record: AuditRecord, username: str, password: str
) -> tuple[bytes, dict[str, str], tuple[str, str] | None]:
    """(body, headers, basic auth) to re-send ``record`` with these credentials."""
    headers = {k: v for k, v in record.request_headers if k.lower() in _KEPT_HEADERS}
    if record.wire == "soap":
        body = with_fresh_token(record.request_body, username, password)
        headers.setdefault("Content-Type", "text/xml; charset=utf-8")
        if record.method.upper() == "POST" and not any(k.lower() == "soapaction" for k in headers):
            headers["SOAPAction"] = '""'
        return body, headers, None
    if record.wire == "rest":
        # REST calls of APIM and Platform use HTTP Basic; the recorded header was redacted.
        return record.request_body, headers, (username, password)
    raise ReplayError(f"cannot replay a {record.wire!r} exchange")


def replay(
    record: AuditRecord,
    base_url: str,
    username: str,
    password: str,
    *,
    timeout: float = 30.0,
    session: requests.Session | None = None,
) -> ReplayResult:
    """Send the rebuilt request; the result is redacted like any audited exchange."""
    body, headers, auth = build_request(record, username, password)
    url = target_url(record.url, base_url)
    http = session or requests.Session()
    try:
        response = http.request(
            record.method, url, data=body, headers=headers, auth=auth, timeout=timeout
        )
    finally:
        if session is None:
            http.close()
    redactor = Redactor()
    sent = redactor.body(body, headers.get("Content-Type")) or b""
    answer_headers = dict(response.headers)
    received = redactor.body(response.content, content_type(answer_headers)) or b""
    leftover = body.count(REDACTED.encode()) + url.count(REDACTED)
    return ReplayResult(
        url=url,
        method=record.method,
        status=response.status_code,
        headers=redactor.headers(answer_headers),
        body=received,
        request_body=sent,
        leftover_redactions=leftover,
    )
