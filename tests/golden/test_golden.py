"""The golden corpus: client and emulator against documents transcribed from Boomi's own.

For every operation and object on both wires:
- the client reads the golden response (validation on, the default) into the expected values;
- what the client sends equals the golden request (XML trees / JSON, path and method);
- the emulator, sent the golden request over real HTTP, answers with the golden response's
  structure (element names, order, namespaces, attribute sets and stable values).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import requests_mock as requests_mock_module
from lxml import etree

from boomisoap import ApimClient, Application, BoomiError, Contract, PlatformClient
from boomisoap.sandbox import Sandbox
from golden import corpus
from golden.corpus import ACCOUNT, BULK_IDS, CASES, FILTERS, SERVICES, expected
from golden.treecompare import SOAP_ENV, assert_same_json, assert_same_xml, body_child, parse

BASE = "https://api.boomi.test"
USER = "golden-user"
PASSWORD = "g0lden-Passw0rd!"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PASSWORD_TEXT = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordText"
)
SOAP_ROOT = {"apim": "/apim/api/soap/v1/", "platform": "/api/soap/v1/"}
API_KEY_APPLICATION = "6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"  # applicationId of every ApiKey
API_KEY_CONTRACT = "3664c0d8-d193-74b2-d2c2-bfb54356fed5"  # contractId of the updated ApiKey
CASE_IDS = [f"{slug}-{op}" for slug, op in CASES]


def client(slug: str, wire: str, base_url: str = BASE) -> Any:
    cls = PlatformClient if slug == "account" else ApimClient
    return cls(
        account_id=ACCOUNT,
        username=USER,
        password=PASSWORD,
        base_url=base_url,
        wire=wire,
        rate_limit=None,
        retries=0,
    )


@contextlib.contextmanager
def quiet_deprecation(slug: str) -> Iterator[None]:
    # Contract is deprecated by Boomi: the client warns on every call, which is not under test.
    with warnings.catch_warnings():
        if slug == "contract":
            warnings.simplefilter("ignore", DeprecationWarning)
        yield


def call(api: Any, slug: str, op: str) -> Any:
    """The client call that sends ``op``'s golden request(s)."""
    objects = getattr(api, SERVICES[slug])
    cls = corpus.CLASSES[slug]
    with quiet_deprecation(slug):
        if op == "get":
            return objects.get(expected(slug, "get_id"))
        if op == "query":
            return list(objects.query(FILTERS[slug]))
        if op == "create":
            return objects.create(corpus.build(cls, expected(slug, "create_input")))
        if op == "update":
            return objects.update(corpus.build(cls, expected(slug, "update_input")))
        if op == "delete":
            return objects.delete(expected(slug, "delete_id"))
        assert op == "get_bulk"
        return objects.get_many(BULK_IDS)


class Failed:
    """The error a client call raised, kept so that the requests sent before it are checked."""

    def __init__(self, error: BoomiError) -> None:
        self.error = error


def attempt(api: Any, slug: str, op: str) -> Any:
    try:
        return call(api, slug, op)
    except BoomiError as exc:
        return Failed(exc)


def answered(answer: Any) -> Any:
    if isinstance(answer, Failed):
        raise answer.error
    return answer


def assert_sent_count(sent: list[Any], names: tuple[str, ...], answer: Any) -> None:
    if len(sent) != len(names):
        reason = f": the client raised {answer.error!r}" if isinstance(answer, Failed) else ""
        raise AssertionError(f"{len(sent)} requests sent, expected {len(names)}{reason}")


def expected_answer(slug: str, op: str) -> Any:
    if op == "query":
        return expected(slug, "query") + expected(slug, "query_more")
    if op == "delete":
        return True
    return expected(slug, op)


def as_plain(slug: str, op: str, answer: Any) -> Any:
    if op == "query":
        return [corpus.plain(item) for item in answer]
    if op == "get_bulk":
        return [
            {
                "index": item.index,
                "id": item.id,
                "status_code": item.status_code,
                "result": None if item.result is None else corpus.plain(item.result),
                "error_message": item.error_message,
            }
            for item in answer
        ]
    if op == "delete":
        return answer
    return corpus.plain(answer)


def assert_answer(slug: str, op: str, answer: Any) -> None:
    got, want = as_plain(slug, op, answer), expected_answer(slug, op)
    if isinstance(want, list):
        assert len(got) == len(want), f"{len(got)} items read, expected {len(want)}"
        for index, (item, wanted) in enumerate(zip(got, want, strict=True)):
            assert item == wanted, f"item {index}"
    else:
        assert got == want


def xml_answer(document: bytes) -> dict[str, Any]:
    return {"content": document, "status_code": 200, "headers": {"Content-Type": "text/xml"}}


def json_answer(text: str) -> dict[str, Any]:
    return {"text": text, "status_code": 200, "headers": {"Content-Type": "application/json"}}


# Client: SOAP ------------------------------------------------------------------------------


def soap_exchange(slug: str, op: str) -> tuple[Any, list[Any]]:
    """Run the client against the golden SOAP responses; (answer, requests sent)."""
    url = f"{BASE}{SOAP_ROOT[corpus.service_of(slug)]}{ACCOUNT}"
    answers = [
        xml_answer(corpus.soap_document(slug, f"{name}.response"))
        for name in corpus.soap_operations(op)
    ]
    with requests_mock_module.Mocker() as mock, client(slug, "soap") as api:
        mock.post(url, answers)
        return attempt(api, slug, op), list(mock.request_history)


@pytest.mark.parametrize(("slug", "op"), CASES, ids=CASE_IDS)
def test_soap_client_reads_golden_response(slug: str, op: str) -> None:
    answer, _ = soap_exchange(slug, op)
    assert_answer(slug, op, answered(answer))


@pytest.mark.parametrize(("slug", "op"), CASES, ids=CASE_IDS)
def test_soap_client_sends_golden_request(slug: str, op: str) -> None:
    answer, sent = soap_exchange(slug, op)
    names = corpus.soap_operations(op)
    # Each request sent is compared, even when the client then failed to read the answer.
    for request, name in zip(sent, names, strict=False):
        golden = body_child(parse(corpus.soap_document(slug, f"{name}.request")))
        assert_same_xml(body_child(parse(request.body)), golden, exact=True)
    assert_sent_count(sent, names, answer)


# Client: REST ------------------------------------------------------------------------------


def rest_exchange(slug: str, op: str) -> tuple[Any, list[Any]]:
    with requests_mock_module.Mocker() as mock, client(slug, "rest") as api:
        for name in corpus.soap_operations(op):
            request = corpus.rest_request(slug, name)
            mock.register_uri(
                request["method"],
                BASE + request["path"],
                **json_answer(corpus.rest_response(slug, name)),
            )
        return attempt(api, slug, op), list(mock.request_history)


def sent_body(request: Any) -> Any:
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return body


@pytest.mark.parametrize(("slug", "op"), CASES, ids=CASE_IDS)
def test_rest_client_reads_golden_response(slug: str, op: str) -> None:
    answer, _ = rest_exchange(slug, op)
    assert_answer(slug, op, answered(answer))


@pytest.mark.parametrize(("slug", "op"), CASES, ids=CASE_IDS)
def test_rest_client_sends_golden_request(slug: str, op: str) -> None:
    answer, sent = rest_exchange(slug, op)
    names = corpus.soap_operations(op)
    for request, name in zip(sent, names, strict=False):
        golden = corpus.rest_request(slug, name)
        path = urlsplit(request.url).path
        assert request.method == golden["method"], f"{request.method} {path}"
        assert path == golden["path"], f"sent to {path}, expected {golden['path']}"
        body = sent_body(request)
        if "body" not in golden:
            assert not body, f"unexpected body {body!r}"
        elif golden.get("contentType") == "text/plain":
            assert body == golden["body"]
            assert request.headers["Content-Type"].startswith("text/plain")
        else:
            assert_same_json(json.loads(body), golden["body"], exact=True)
    assert_sent_count(sent, names, answer)


# Emulator ----------------------------------------------------------------------------------


@pytest.fixture
def emulator() -> Iterator[Sandbox]:
    with Sandbox.start(users={USER: PASSWORD}, account_id=ACCOUNT, rate_limit=None) as sandbox:
        yield sandbox


def _id_of(values: dict[str, Any]) -> Any:
    return next(
        values.get(name)
        for name in ("plan_id", "contract_id", "key", "application_id", "account_id")
        if name in values
    )


def seed(sandbox: Sandbox, slug: str, op: str) -> None:
    """Store what the golden request acts on, exactly as the expected values describe it."""
    if op == "get":
        rows = [expected(slug, "get")]
    elif op == "query":
        rows = expected(slug, "query") + expected(slug, "query_more")
    elif op == "update":
        # The object as it was before the update: the created one where the ids agree.
        created, updated = expected(slug, "create"), expected(slug, "update")
        rows = [created if _id_of(created) == _id_of(updated) else updated]
    elif op == "delete":
        rows = [expected(slug, "create")]
    elif op == "get_bulk":
        rows = [expected(slug, "get"), expected(slug, "query")[0]]
    else:
        rows = []
    if slug == "api_key":
        # An ApiKey names its Application and Contract: both exist before any key does.
        sandbox.add(
            Application(application_id=API_KEY_APPLICATION, application_name="Northwind portal"),
            Contract(contract_id=API_KEY_CONTRACT, name="Northwind standard"),
        )
    sandbox.add(*(corpus.build(corpus.CLASSES[slug], row) for row in rows))


def with_security(document: bytes) -> bytes:
    """The golden request with the WS-Security UsernameToken every request carries."""
    root = parse(document)
    header = root.find(f"{{{SOAP_ENV}}}Header")
    if header is None:
        header = etree.Element(f"{{{SOAP_ENV}}}Header")
        root.insert(0, header)
    created = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    nonce = base64.b64encode(os.urandom(16)).decode()
    header.append(
        etree.fromstring(
            f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}"><wsse:UsernameToken>'
            f"<wsse:Username>{USER}</wsse:Username>"
            f'<wsse:Password Type="{PASSWORD_TEXT}">{PASSWORD}</wsse:Password>'
            f"<wsse:Nonce>{nonce}</wsse:Nonce><wsu:Created>{created}</wsu:Created>"
            "</wsse:UsernameToken></wsse:Security>"
        )
    )
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def replace_token(document: bytes, token: str) -> bytes:
    """The golden queryMore request carrying the emulator's own token."""
    root = parse(document)
    (element,) = [e for e in root.iter() if etree.QName(e).localname == "queryToken"]
    element.text = token
    return bytes(etree.tostring(root))


def answer_of(response: requests.Response) -> Any:
    assert response.status_code == 200, (
        f"HTTP {response.status_code}: {response.content[:600].decode(errors='replace')}"
    )
    return response


def post_soap(sandbox: Sandbox, slug: str, document: bytes) -> Any:
    url = f"{sandbox.base_url}{SOAP_ROOT[corpus.service_of(slug)]}{sandbox.account_id}"
    response = requests.post(
        url,
        data=with_security(document),
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
        timeout=30,
    )
    return body_child(parse(answer_of(response).content))


def found_token(answer: Any) -> str:
    tokens = [e.text for e in answer.iter() if etree.QName(e).localname == "queryToken"]
    assert len(tokens) == 1 and tokens[0], f"no queryToken in the emulator's first page: {tokens}"
    return str(tokens[0])


@pytest.mark.parametrize(("slug", "op"), CASES, ids=CASE_IDS)
def test_soap_emulator_answers_like_golden(emulator: Sandbox, slug: str, op: str) -> None:
    seed(emulator, slug, op)
    request = corpus.soap_document(slug, f"{op}.request")
    answer = post_soap(emulator, slug, request)
    golden = body_child(parse(corpus.soap_document(slug, f"{op}.response")))
    assert_same_xml(answer, golden, exact=False)
    if op == "query":
        more = replace_token(corpus.soap_document(slug, "query_more.request"), found_token(answer))
        golden_more = body_child(parse(corpus.soap_document(slug, "query_more.response")))
        assert_same_xml(post_soap(emulator, slug, more), golden_more, exact=False)


def send_rest(sandbox: Sandbox, request: dict[str, Any], body: Any = None) -> Any:
    headers = {"Accept": "application/json"}
    data: bytes | None = None
    payload = request.get("body") if body is None else body
    if payload is not None:
        if request.get("contentType") == "text/plain":
            headers["Content-Type"] = "text/plain"
            data = str(payload).encode()
        else:
            headers["Content-Type"] = "application/json"
            data = json.dumps(payload).encode()
    response = requests.request(
        request["method"],
        sandbox.base_url + request["path"],
        data=data,
        headers=headers,
        auth=(USER, PASSWORD),
        timeout=30,
    )
    return answer_of(response).json()


@pytest.mark.parametrize(("slug", "op"), CASES, ids=CASE_IDS)
def test_rest_emulator_answers_like_golden(emulator: Sandbox, slug: str, op: str) -> None:
    seed(emulator, slug, op)
    answer = send_rest(emulator, corpus.rest_request(slug, op))
    assert_same_json(answer, json.loads(corpus.rest_response(slug, op)), exact=False)
    if op == "query":
        token = answer.get("queryToken")
        assert token, "no queryToken in the emulator's first page"
        more = send_rest(emulator, corpus.rest_request(slug, "query_more"), body=token)
        golden_more = json.loads(corpus.rest_response(slug, "query_more"))
        assert_same_json(more, golden_more, exact=False)
