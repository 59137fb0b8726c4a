"""Raw SOAP for the emulator tests: envelopes with a UsernameToken, posted with requests."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from lxml import etree

from boomisoap.namespaces import API, PASSWORD_DIGEST, PASSWORD_TEXT, SOAP_ENV, WSSE, WSU
from boomisoap.sandbox import Sandbox
from boomisoap.wsse.username import password_digest

APIM_NS = (
    'xmlns:soap="http://soap.apim.api.platform.boomi.com/" '
    'xmlns:apim="http://apim.api.platform.boomi.com/" '
    'xmlns:api="http://api.platform.boomi.com/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)
PLATFORM_NS = (
    # Boomi's served WSDL: Platform wrappers in the object namespace.
    'xmlns:soap="http://api.platform.boomi.com/" '
    'xmlns:api="http://api.platform.boomi.com/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)
SOAP_HEADERS = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}


def now_text(offset: float = 0.0) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=offset)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def token(
    username: str = "u",
    password: str = "p",
    *,
    digest: bool = False,
    nonce: bytes | None = None,
    created: str | None = "now",
    with_nonce: bool = True,
) -> str:
    """One wsse:UsernameToken element as text."""
    raw_nonce = nonce if nonce is not None else os.urandom(16)
    stamp = now_text() if created == "now" else created
    if digest:
        assert stamp is not None
        secret, kind = password_digest(password, raw_nonce, stamp), PASSWORD_DIGEST
    else:
        secret, kind = password, PASSWORD_TEXT
    parts = [f"<wsse:Username>{username}</wsse:Username>"]
    parts.append(f'<wsse:Password Type="{kind}">{secret}</wsse:Password>')
    if with_nonce:
        encoded = base64.b64encode(raw_nonce).decode()
        parts.append(f"<wsse:Nonce>{encoded}</wsse:Nonce>")
    if stamp is not None:
        parts.append(f"<wsu:Created>{stamp}</wsu:Created>")
    return f"<wsse:UsernameToken>{''.join(parts)}</wsse:UsernameToken>"


def security(*tokens: str) -> str:
    return (
        f'<soapenv:Header><wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}">'
        f"{''.join(tokens)}</wsse:Security></soapenv:Header>"
    )


def envelope(
    body: str, header: str | None = None, *, service: str = "apim", envelope_ns: str = SOAP_ENV
) -> bytes:
    """A request envelope; ``header`` defaults to a fresh PasswordText token for u/p."""
    namespaces = APIM_NS if service == "apim" else PLATFORM_NS
    head = security(token()) if header is None else header
    return (
        f'<soapenv:Envelope xmlns:soapenv="{envelope_ns}" {namespaces}>'
        f"{head}<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    ).encode()


def soap_url(sandbox: Sandbox, service: str = "apim") -> str:
    prefix = "/apim/api/soap/v1/" if service == "apim" else "/api/soap/v1/"
    return sandbox.base_url + prefix + sandbox.account_id


def post(sandbox: Sandbox, data: bytes, service: str = "apim", **headers: str) -> Any:
    return requests.post(
        soap_url(sandbox, service), data=data, headers={**SOAP_HEADERS, **headers}, timeout=10
    )


def fault(response: Any) -> tuple[str, int, str]:
    """(faultcode, detail statusCode, faultstring) of a fault response."""
    root = etree.fromstring(response.content)
    element = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert element is not None, response.text
    detail = element.find(f"detail/{{{API}}}ServiceFault")
    return (
        element.findtext("faultcode") or "",
        int(detail.get("statusCode")),
        element.findtext("faultstring") or "",
    )


GET_PLAN = (
    "<soap:get><apim:objectType>Plan</apim:objectType>"
    "<apim:objectId>4d50decd-f2b6-d59e-53f4-22ec4f188bb1</apim:objectId></soap:get>"
)
