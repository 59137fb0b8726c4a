"""The emulator's parse and validation errors never send a secret back (loopback HTTP).

Error messages quote what could not be read; a password, token or nonce put where a value,
a name or a type was expected must come back as ``***``, on SOAP and REST alike.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
import requests

from boomisoap.sandbox import Sandbox

PASSWORD = "Zz-secret-PW-123"
TOKEN = "tok-Secret-987654"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
TEXT = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordText"
)
GET = "<soap:get><apim:objectType>Plan</apim:objectType><apim:objectId>x</apim:objectId></soap:get>"


def envelope(body: str, password: str = PASSWORD, extra: str = "") -> bytes:
    return (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:soap="http://soap.apim.api.platform.boomi.com/" '
        'xmlns:apim="http://apim.api.platform.boomi.com/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<soapenv:Header><wsse:Security xmlns:wsse="{WSSE_NS}"><wsse:UsernameToken>'
        f'<wsse:Username>u</wsse:Username><wsse:Password Type="{TEXT}">{password}'
        f"</wsse:Password>{extra}</wsse:UsernameToken></wsse:Security></soapenv:Header>"
        f"<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    ).encode()


SOAP_CASES = {
    "a value": envelope(
        f'<soap:create><apim:object xsi:type="apim:Plan" name="n" rateLimit="{PASSWORD}"/>'
        "</soap:create>"
    ),
    "an attribute name": envelope(GET.replace("<soap:get>", f'<soap:get {PASSWORD}="1">')),
    "an object type": envelope(GET.replace(">Plan<", f">{PASSWORD}<")),
    "a wrong password echoed": envelope(
        GET.replace(">Plan<", ">Plan-wrong-pw-123<"), password="Plan-wrong-pw-123"
    ),
    "a token": envelope(GET.replace(">Plan<", f">{TOKEN}<")),
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox.start(users={"u": PASSWORD}, tokens={"u": TOKEN}, rate_limit=None) as running:
        yield running


@pytest.mark.parametrize("case", SOAP_CASES)
def test_soap_errors_never_echo_a_secret(sandbox: Sandbox, case: str) -> None:
    url = f"{sandbox.base_url}/apim/api/soap/v1/{sandbox.account_id}"
    answer = requests.post(
        url, data=SOAP_CASES[case], headers={"Content-Type": "text/xml"}, timeout=10
    )
    assert answer.status_code in (403, 500) and b"<faultstring>" in answer.content
    for secret in (PASSWORD, TOKEN, "Plan-wrong-pw-123"):
        assert secret.encode() not in answer.content, case
    if case != "a wrong password echoed":
        assert b"***" in answer.content  # the place is still shown, the value is not


@pytest.mark.parametrize(
    "body",
    [
        f'{{"name": "n", "rateLimit": "{PASSWORD}"}}',
        f'{{"name": "n", "rateLimitUnit": "{TOKEN}"}}',
        f'{{"name": "{PASSWORD}"',
    ],
)
def test_rest_errors_never_echo_a_secret(sandbox: Sandbox, body: str) -> None:
    root = f"{sandbox.base_url}/apim/api/rest/v1/{sandbox.account_id}"
    answer = requests.post(
        f"{root}/plan/",
        data=body.encode(),
        auth=("u", PASSWORD),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 400 and "message" in answer.json()
    basic = base64.b64encode(f"u:{PASSWORD}".encode()).decode()
    for secret in (PASSWORD, TOKEN, basic):
        assert secret not in answer.text
