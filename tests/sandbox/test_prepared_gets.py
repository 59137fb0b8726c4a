"""A get whose bytes were already read (boomisoap.sandbox.prepared) is judged again.

The same body sent twice skips the XML reading the second time; everything that depends
on something besides the bytes must still decide each answer: the clock (Created,
Timestamp), the stored object, a retired type, the endpoint the body was sent to, and the
replay cache (a body with a Nonce is never remembered).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from lxml import etree

from boomisoap.models.registry import spec_for
from boomisoap.namespaces import SOAP_ENV, WSSE, WSU
from boomisoap.sandbox import Sandbox
from boomisoap.sandbox.httpio import Request, Response
from boomisoap.sandbox.lifecycle import Retirement
from boomisoap.sandbox.prepared import PreparedGet
from boomisoap.sandbox.security import Authenticator, Credentials
from boomisoap.sandbox.soap import SoapHandler
from boomisoap.wsse.header import SecurityHeader, TokenParts

from .helpers import GET_PLAN, envelope, now_text, security, token

PLAN_ID = "4d50decd-f2b6-d59e-53f4-22ec4f188bb1"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    sandbox = Sandbox(seed_demo=True, rate_limit=None)
    try:
        yield sandbox
    finally:
        sandbox.stop()


def handler(sandbox: Sandbox, clock: Clock) -> SoapHandler:
    auth = Authenticator(Credentials({"u": "p"}), clock=clock)
    return SoapHandler(sandbox.state, auth, max_body=1024 * 1024)


def ask(handler: SoapHandler, body: bytes, service: str = "apim") -> Response:
    path = "/apim/api/soap/v1/acct-1" if service == "apim" else "/api/soap/v1/acct-1"
    request = Request("POST", path, "", {}, body, "http://127.0.0.1:1")
    return handler.handle(service, "acct-1", request)


def reason(response: Response) -> str:
    root = etree.fromstring(response.body)
    return root.findtext(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault/faultstring") or ""


def test_the_same_bytes_get_the_same_answer(sandbox: Sandbox) -> None:
    soap = handler(sandbox, Clock())
    body = envelope(GET_PLAN, security(token(with_nonce=False, created=None)))
    first, second = ask(soap, body), ask(soap, body)
    assert (first.status, second.status) == (200, 200)
    assert first.body == second.body
    assert (second.operation, second.object_type) == ("get", "Plan")


def test_a_created_time_is_judged_against_the_clock_each_time(sandbox: Sandbox) -> None:
    clock = Clock()
    soap = handler(sandbox, clock)
    body = envelope(GET_PLAN, security(token(with_nonce=False)))
    assert ask(soap, body).status == 200
    clock.now += 301
    refused = ask(soap, body)
    assert refused.status == 403
    assert "expired" in reason(refused)


def test_a_timestamp_is_judged_against_the_clock_each_time(sandbox: Sandbox) -> None:
    clock = Clock()
    soap = handler(sandbox, clock)
    stamp = (
        f"<wsu:Timestamp><wsu:Created>{now_text()}</wsu:Created>"
        f"<wsu:Expires>{now_text(60)}</wsu:Expires></wsu:Timestamp>"
    )
    header = (
        f'<soapenv:Header><wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}">'
        f"{stamp}{token(with_nonce=False, created=None)}</wsse:Security></soapenv:Header>"
    )
    body = envelope(GET_PLAN, header)
    assert ask(soap, body).status == 200
    clock.now += 61
    refused = ask(soap, body)
    assert refused.status == 403
    assert "expired" in reason(refused)


def test_the_password_is_checked_each_time(sandbox: Sandbox) -> None:
    soap = handler(sandbox, Clock())
    body = envelope(GET_PLAN, security(token(with_nonce=False, created=None)))
    assert ask(soap, body).status == 200
    soap.auth.credentials = Credentials({"u": "changed"})
    assert ask(soap, body).status == 403


def test_the_stored_object_is_read_each_time(sandbox: Sandbox) -> None:
    soap = handler(sandbox, Clock())
    body = envelope(GET_PLAN, security(token(with_nonce=False, created=None)))
    assert ask(soap, body).status == 200
    sandbox.state.delete("acct-1", spec_for("Plan"), PLAN_ID)
    gone = ask(soap, body)
    assert gone.status == 500  # Boomi's faults travel with HTTP 500
    assert "does not exist" in reason(gone)
    assert gone.operation == "get"


def test_a_type_retired_later_is_answered_as_retired(sandbox: Sandbox) -> None:
    soap = handler(sandbox, Clock())
    body = envelope(GET_PLAN, security(token(with_nonce=False, created=None)))
    assert ask(soap, body).status == 200
    soap.lifecycle.retired["Plan"] = Retirement()
    assert ask(soap, body).status == 410


def test_the_same_bytes_sent_to_the_other_endpoint_are_read_again(sandbox: Sandbox) -> None:
    soap = handler(sandbox, Clock())
    body = envelope(GET_PLAN, security(token(with_nonce=False, created=None)))
    assert ask(soap, body).status == 200
    refused = ask(soap, body, service="platform")
    assert refused.status == 500
    assert "does not exist on this endpoint" in reason(refused)


def test_a_body_with_a_nonce_is_never_remembered(sandbox: Sandbox) -> None:
    soap = handler(sandbox, Clock())
    body = envelope(GET_PLAN, security(token()))  # a Nonce and a Created
    assert ask(soap, body).status == 200
    replayed = ask(soap, body)
    assert replayed.status == 403
    assert "replayed" in reason(replayed)


def test_a_remembered_get_does_not_show_the_password() -> None:
    parts = TokenParts("u", "secret-password-1", None, None, None)
    prepared = PreparedGet(SecurityHeader(None, parts, None), spec_for("Plan"), PLAN_ID, ())
    assert "secret-password-1" not in repr(prepared)


def test_a_read_token_hides_its_password_and_nonce_from_repr() -> None:
    from boomisoap.wsse.header import TokenParts

    parts = TokenParts("u", "pw-Secret9", None, "bm9uY2Utbm9uY2U=", "2026-12-02T10:00:00Z")
    assert "pw-Secret9" not in repr(parts) and "bm9uY2Utbm9uY2U=" not in repr(parts)
    assert "u" in repr(parts)
