"""Every security check of the emulator, provoked over real HTTP with raw requests."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator

import pytest
import requests
from hardening.listener import Listener

from boomisoap.namespaces import SOAP12_ENV
from boomisoap.sandbox import Sandbox, SecurityPolicy

from .helpers import GET_PLAN, envelope, fault, now_text, post, security, token


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox.start(
        users={"u": "p"},
        tokens={"svc": "tok-123"},
        seed_demo=True,
        rate_limit=None,
        max_body=64 * 1024,
    ) as sandbox:
        yield sandbox


def assert_denied(response: requests.Response, words: str) -> None:
    assert response.status_code == 403
    code, status, message = fault(response)
    assert (code, status) == ("S:Client", 403)
    assert words in message


def test_password_text_and_digest_are_accepted(sb: Sandbox) -> None:
    assert post(sb, envelope(GET_PLAN)).status_code == 200
    digest = envelope(GET_PLAN, security(token(digest=True)))
    assert post(sb, digest).status_code == 200


def test_the_seeds_token_without_nonce_or_created_is_accepted(sb: Sandbox) -> None:
    header = security(token(with_nonce=False, created=None))
    assert post(sb, envelope(GET_PLAN, header)).status_code == 200


def test_api_token_user(sb: Sandbox) -> None:
    good = security(token("BOOMI_TOKEN.svc", "tok-123"))
    assert post(sb, envelope(GET_PLAN, good)).status_code == 200
    # A user's password is not a token, and a token is not a password.
    assert_denied(post(sb, envelope(GET_PLAN, security(token("BOOMI_TOKEN.u", "p")))), "Incorrect")
    assert_denied(post(sb, envelope(GET_PLAN, security(token("svc", "tok-123")))), "Incorrect")


@pytest.mark.parametrize(
    ("username", "password", "digest"),
    [("nobody", "p", False), ("u", "wrong", False), ("u", "wrong", True), ("nobody", "p", True)],
)
def test_unknown_user_or_wrong_password(
    sb: Sandbox, username: str, password: str, digest: bool
) -> None:
    header = security(token(username, password, digest=digest))
    response = post(sb, envelope(GET_PLAN, header))
    assert_denied(response, "Incorrect user name and password combination.")
    assert "wrong" not in response.text


def test_missing_security_header(sb: Sandbox) -> None:
    assert_denied(post(sb, envelope(GET_PLAN, "<soapenv:Header/>")), "no WS-Security header")
    assert_denied(post(sb, envelope(GET_PLAN, "")), "no WS-Security header")


def test_security_header_without_token(sb: Sandbox) -> None:
    assert_denied(post(sb, envelope(GET_PLAN, security())), "no UsernameToken")


def test_duplicated_username_token(sb: Sandbox) -> None:
    header = security(token(), token())
    assert_denied(post(sb, envelope(GET_PLAN, header)), "more than one UsernameToken")


def test_replayed_nonce(sb: Sandbox) -> None:
    data = envelope(GET_PLAN, security(token(nonce=os.urandom(16))))
    assert post(sb, data).status_code == 200
    assert_denied(post(sb, data), "already used")


def test_replayed_nonce_with_digest(sb: Sandbox) -> None:
    nonce = os.urandom(16)
    assert (
        post(sb, envelope(GET_PLAN, security(token(digest=True, nonce=nonce)))).status_code == 200
    )
    # A new Created cannot launder a used nonce.
    again = envelope(GET_PLAN, security(token(digest=True, nonce=nonce, created=now_text(-1))))
    assert_denied(post(sb, again), "already used")


def test_stale_and_future_created(sb: Sandbox) -> None:
    stale = security(token(created=now_text(-301)))
    assert_denied(post(sb, envelope(GET_PLAN, stale)), "expired")
    future = security(token(created=now_text(61 + 5)))
    assert_denied(post(sb, envelope(GET_PLAN, future)), "future")
    within = security(token(created=now_text(-290)))
    assert post(sb, envelope(GET_PLAN, within)).status_code == 200
    garbage = security(token(created="yesterday"))
    assert_denied(post(sb, envelope(GET_PLAN, garbage)), "Created")


def test_digest_needs_nonce_and_created(sb: Sandbox) -> None:
    header = security(token(digest=True, with_nonce=False))
    assert_denied(post(sb, envelope(GET_PLAN, header)), "Nonce")


def test_freshness_window_is_configurable() -> None:
    policy = SecurityPolicy(max_age=10.0, max_future=0.0, require_nonce=True)
    with Sandbox.start(rate_limit=None, seed_demo=True, security=policy) as sandbox:
        assert_denied(
            post(sandbox, envelope(GET_PLAN, security(token(created=now_text(-20))))), "expired"
        )
        bare = security(token(with_nonce=False, created=None))
        assert_denied(post(sandbox, envelope(GET_PLAN, bare)), "Nonce")
        assert post(sandbox, envelope(GET_PLAN)).status_code == 200


def test_soap_12_envelope_is_a_version_mismatch(sb: Sandbox) -> None:
    response = post(sb, envelope(GET_PLAN, envelope_ns=SOAP12_ENV))
    assert response.status_code == 500
    code, status, message = fault(response)
    assert (code, status) == ("S:VersionMismatch", 400)
    assert "SOAP 1.2" in message


def test_body_over_the_limit_is_413(sb: Sandbox) -> None:
    padding = "<!--" + "x" * (70 * 1024) + "-->"
    response = post(sb, envelope(GET_PLAN + padding))
    assert response.status_code == 413
    assert fault(response)[1] == 413


def test_chunked_body_over_the_limit_is_413(sb: Sandbox) -> None:
    data = envelope(GET_PLAN + "<!--" + "x" * (70 * 1024) + "-->")
    chunks = (data[i : i + 4096] for i in range(0, len(data), 4096))
    response = requests.post(
        sb.base_url + "/apim/api/soap/v1/" + sb.account_id,
        data=chunks,
        headers={"Content-Type": "text/xml"},
        timeout=10,
    )
    assert response.status_code == 413


def test_foreign_account_is_denied(sb: Sandbox) -> None:
    url = sb.base_url + "/apim/api/soap/v1/someone-else"
    response = requests.post(
        url, data=envelope(GET_PLAN), headers={"Content-Type": "text/xml"}, timeout=10
    )
    assert_denied(response, "not authorized for account someone-else")


def test_invalid_body_names_the_element_path(sb: Sandbox) -> None:
    body = (
        "<soap:get><apim:objectType>Plan</apim:objectType>"
        "<apim:objectId></apim:objectId></soap:get>"
    )
    response = post(sb, envelope(body))
    assert response.status_code == 500
    code, status, message = fault(response)
    assert (code, status) == ("S:Client", 400)
    assert "objectId" in message


# hostile XML ----------------------------------------------------------------------------


def hostile(doctype: str, body: str) -> bytes:
    return doctype.encode() + envelope(body)


def assert_refused(response: requests.Response) -> None:
    assert response.status_code == 500
    code, status, message = fault(response)
    assert (code, status) == ("S:Client", 400)
    assert "XML refused" in message


def test_xxe_entity_is_refused(sb: Sandbox) -> None:
    doctype = '<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    body = GET_PLAN.replace("4d50decd-f2b6-d59e-53f4-22ec4f188bb1", "&xxe;")
    response = post(sb, hostile(doctype, body))
    assert_refused(response)
    assert "root:" not in response.text


def test_external_dtd_opens_no_connection(sb: Sandbox) -> None:
    listener = Listener()
    try:
        url = f"http://127.0.0.1:{listener.port}/evil.dtd"
        doctype = f'<!DOCTYPE e SYSTEM "{url}">'
        assert_refused(post(sb, hostile(doctype, GET_PLAN)))
        parameter = f'<!DOCTYPE e [<!ENTITY % remote SYSTEM "{url}"> %remote;]>'
        assert_refused(post(sb, hostile(parameter, GET_PLAN)))
    finally:
        listener.close()
    assert listener.hits == 0


def test_billion_laughs_is_refused(sb: Sandbox) -> None:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ]
    doctype = "<!DOCTYPE e [" + "".join(entities) + "]>"
    body = GET_PLAN.replace("4d50decd-f2b6-d59e-53f4-22ec4f188bb1", "&lol9;")
    assert_refused(post(sb, hostile(doctype, body)))


def test_deep_nesting_is_refused(sb: Sandbox) -> None:
    body = "<a>" * 300 + "</a>" * 300
    assert_refused(post(sb, envelope(body)))


def test_not_xml_at_all(sb: Sandbox) -> None:
    assert_refused(post(sb, b"this is not XML"))


# HTTP Basic and bearer -------------------------------------------------------------------


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_rest_basic_auth(sb: Sandbox) -> None:
    url = (
        f"{sb.base_url}/apim/api/rest/v1/{sb.account_id}/plan/4d50decd-f2b6-d59e-53f4-22ec4f188bb1"
    )
    assert requests.get(url, headers={"Authorization": basic("u", "p")}, timeout=10).ok
    token_user = basic("BOOMI_TOKEN.svc", "tok-123")
    assert requests.get(url, headers={"Authorization": token_user}, timeout=10).ok
    missing = requests.get(url, timeout=10)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Basic")
    wrong = requests.get(url, headers={"Authorization": basic("u", "nope")}, timeout=10)
    assert wrong.status_code == 403
    assert wrong.json()["message"] == "Incorrect user name and password combination."


def test_wsdl_needs_basic_auth(sb: Sandbox) -> None:
    url = f"{sb.base_url}/apim/api/soap/v1/{sb.account_id}?wsdl"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, auth=("u", "bad"), timeout=10).status_code == 403
    assert requests.get(url, auth=("u", "p"), timeout=10).status_code == 200


def test_mft_bearer_key(sb: Sandbox) -> None:
    url = f"{sb.base_url}/mft/api/v1/accounting/transferQuota"
    assert requests.get(url, timeout=10).status_code == 401
    bad = requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=10)
    assert bad.status_code == 401
    assert bad.json()["statusCode"] == 401
    good = requests.get(url, headers={"Authorization": f"Bearer {sb.mft_api_key}"}, timeout=10)
    assert good.json() == 500_000


# rate limit ------------------------------------------------------------------------------


def test_rate_limit_answers_503_on_every_wire() -> None:
    with Sandbox.start(rate_limit=1.0, seed_demo=True) as sandbox:
        first = post(sandbox, envelope(GET_PLAN))
        assert first.status_code == 200
        limited = post(sandbox, envelope(GET_PLAN))
        assert limited.status_code == 503
        assert fault(limited)[:2] == ("S:Server", 503)
        rest = requests.get(
            f"{sandbox.base_url}/api/rest/v1/{sandbox.account_id}/Account/x",
            auth=("u", "p"),
            timeout=10,
        )
        assert rest.status_code == 503
        assert rest.json()["statusCode"] == 503
