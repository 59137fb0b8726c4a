"""Fuzzing the emulator's SOAP request path, in process, through the WSGI application.

Seeds are real request envelopes built by the client (zeep, from the WSDL) for every
operation of both SOAP services, with a UsernameToken (PasswordText or PasswordDigest)
whose Nonce, Created and digest are placeholders. Each example mutates a seed at the byte
level, then fills the placeholders with fresh values (and recomputes the digest), so a
mutated request still authenticates and reaches validation and the handlers. The answer
must be a well-formed SOAP envelope: a result with HTTP 200, or a Client Fault whose detail
carries a 4xx status. An exception escaping the application, a JSON "internal error", a
Server fault (the emulator's own failure) or a body that is not a SOAP envelope fails.

    BOOMISOAP_FUZZ_EXAMPLES=100000 python -m pytest tests/hardening -k fuzz
"""

from __future__ import annotations

import base64
import copy
import io
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from boomisoap import Account, ApimClient, Application, Plan, PlatformClient, Q
from boomisoap.models.registry import spec_for
from boomisoap.namespaces import API, APIM, APIM_SOAP, PLATFORM_SOAP_LEGACY, SOAP_ENV, XSI
from boomisoap.sandbox import Sandbox
from boomisoap.wsse.username import password_digest
from hardening.fuzzing import FUZZ, mutations
from hardening.strategies import XML_TEXT

USER, PASSWORD = "fuzzer", "fuzz-Passw0rd"
NONCE, CREATED, DIGEST = "@@NONCE@@", "@@CREATED@@", "@@DIGEST@@"
PATHS = {"apim": "/apim/api/soap/v1/acct-1", "platform": "/api/soap/v1/acct-1"}
ALLOWED_STATUSES = {400, 403, 404, 409, 410, 413}
BODY = f"{{{SOAP_ENV}}}Body"


def _placeholders(envelope: bytes, digest: bool) -> bytes:
    text = envelope.decode()
    text = re.sub(r"(<[\w-]+:Nonce[^>]*>)[^<]*<", rf"\g<1>{NONCE}<", text)
    text = re.sub(r"(<[\w-]+:Created>)[^<]*<", rf"\g<1>{CREATED}<", text)
    if digest:
        text = re.sub(r"(<[\w-]+:Password[^>]*>)[^<]*<", rf"\g<1>{DIGEST}<", text)
    return text.encode()


def _seeds() -> list[tuple[str, bytes]]:
    seeds: list[tuple[str, bytes]] = []
    plan, app, account = spec_for("Plan"), spec_for("Application"), spec_for("Account")
    for digest in (False, True):
        options = {
            "account_id": "acct-1",
            "username": USER,
            "password": PASSWORD,
            "base_url": "http://fuzz.invalid",
            "password_digest": digest,
            "rate_limit": None,
        }
        with ApimClient(**options) as apim, PlatformClient(**options) as platform:
            apim_envelopes = [
                apim.envelope("get", plan, "fuzz-plan"),
                apim.envelope(
                    "query",
                    plan,
                    (Q.name.starts_with("f") | (Q.status == "ENABLED")) & Q.name.like("%z%"),
                ),
                apim.envelope("query_more", "not-a-token"),
                apim.envelope(
                    "create",
                    plan,
                    Plan(name="new", description="d", rate_limit=5, max_message_size=1024),
                ),
                apim.envelope("update", plan, Plan(plan_id="fuzz-plan", name="renamed")),
                apim.envelope("delete", plan, "fuzz-other"),
                apim.envelope("create", app, Application(application_name="app", enabled=True)),
            ]
            platform_envelopes = [
                platform.envelope("get", account, "acct-1"),
                platform.envelope("get_bulk", account, ["acct-1", "nobody"]),
                platform.envelope(
                    "query", account, Q.dateCreated.between("2014-01-01", "2030-01-01")
                ),
            ]
        seeds += [("apim", _placeholders(e, digest)) for e in apim_envelopes]
        seeds += [("platform", _placeholders(e, digest)) for e in platform_envelopes]
    return seeds


SEEDS = _seeds()


def fill(data: bytes) -> bytes:
    """Fresh Nonce and Created where the placeholders survived; the digest recomputed."""
    nonce = os.urandom(16)
    created = datetime.now(UTC).replace(microsecond=0).isoformat()
    data = data.replace(NONCE.encode(), base64.b64encode(nonce))
    data = data.replace(CREATED.encode(), created.encode())
    return data.replace(DIGEST.encode(), password_digest(PASSWORD, nonce, created).encode())


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    # Not served: the WSGI application is called directly.
    sb = Sandbox(users={USER: PASSWORD}, rate_limit=None, seed_demo=True, max_body=256 * 1024)
    sb.add(Plan(plan_id="fuzz-plan", name="fuzz"), Plan(plan_id="fuzz-other", name="other"))
    sb.add(Account(account_id="nobody-else", name="n"))
    try:
        yield sb
    finally:
        sb.store.close()


def call_app(sb: Sandbox, service: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": PATHS[service],
        "QUERY_STRING": "",
        "CONTENT_TYPE": "text/xml; charset=utf-8",
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_SOAPACTION": '""',
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
    }
    answered: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answered["status"] = int(status.split(" ", 1)[0])
        answered["headers"] = dict(headers)

    chunks = sb.app(environ, start_response)
    return answered["status"], answered["headers"], b"".join(chunks)


def check_answer(status: int, headers: dict[str, str], body: bytes) -> int:
    """A SOAP envelope; on failure a Client fault whose detail status fits the HTTP status.

    Returns 200, or the status the fault's detail carries.
    """
    assert headers["Content-Type"].startswith("text/xml"), (status, body[:300])
    assert headers["Content-Length"] == str(len(body))
    envelope = etree.fromstring(body)
    assert envelope.tag == f"{{{SOAP_ENV}}}Envelope"
    fault = envelope.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    if status == 200:
        assert fault is None
        return 200
    assert fault is not None, body[:300]
    detail = fault.find(f"detail/{{{API}}}ServiceFault")
    assert detail is not None, body[:300]
    code = int(detail.get("statusCode"))
    message = fault.findtext("faultstring")
    assert code in ALLOWED_STATUSES, (code, message)
    assert fault.findtext("faultcode") in ("S:Client", "S:VersionMismatch"), message
    assert status == (code if code in (403, 413) else 500), (status, code, message)
    assert PASSWORD not in message
    return code


# Tree edits keep the request well-formed, so it gets past the parser to authentication,
# validation, the query reader and the object rules, where byte edits rarely arrive.
NAMESPACES = [SOAP_ENV, API, APIM, APIM_SOAP, PLATFORM_SOAP_LEGACY, XSI, "urn:other"]
NAMES = [
    *("get", "query", "queryMore", "create", "update", "delete", "getBulk"),
    *("objectType", "objectId", "object", "queryConfig", "QueryFilter", "expression"),
    *("nestedExpression", "argument", "bulkObject", "request", "queryToken", "result"),
    *("Body", "Header", "Envelope", "Fault", "Security", "UsernameToken", "Password", "x"),
]
ATTRIBUTES = [
    *("operator", "property", f"{{{XSI}}}type", f"{{{XSI}}}nil", "type", "id", "name"),
    *("planId", "rateLimit", "rateLimitUnit", "maxMessageSize", "status", "accountId"),
    *("applicationName", "enabled", "deleted", "dateCreated", "numberOfResults", "Type"),
]
VALUES = st.one_of(
    XML_TEXT,
    st.sampled_from(
        [
            *("", " ", "-1", "0", "9223372036854775807", "9223372036854775808", "1e10"),
            *("true", "false", "NaN", "2026-13-45T25:61:61Z", "2014-01-01", "%", "_", "\\"),
            *("ENABLED", "DISABLED", "MINUTE", "UNLIMITED", "Plan", "Account", "Contract"),
            *("ApiKey", "Application", "Widget", "apim:Plan", "api:Account", "bns:Plan"),
            *("api:GroupingExpression", "api:SimpleExpression", "xs:string", "nope:Type"),
            *("EQUALS", "NOT_EQUALS", "LIKE", "BETWEEN", "IS_NULL", "and", "or", "GET"),
            *("name", "status", "dateCreated", "colour", "fuzz-plan", "acct-1", "x" * 5000),
        ]
    ),
)


@st.composite
def tree_mutations(draw: st.DrawFn, seed: bytes) -> bytes:
    root = etree.fromstring(seed)
    for _ in range(draw(st.integers(1, 4))):
        elements = list(root.iter(etree.Element))
        # Mostly inside the Body, where the handlers read: edits to the token are refused
        # at authentication, before anything else runs.
        inside = [e for e in elements if any(a.tag == BODY for a in e.iterancestors())]
        element = draw(st.sampled_from(inside if inside and draw(st.integers(0, 9)) else elements))
        parent = element.getparent()
        action = draw(
            st.sampled_from(
                ["text", "attribute", "drop-attribute", "remove", "duplicate", "rename", "insert"]
            )
        )
        if action == "text":
            element.text = draw(VALUES)
        elif action == "attribute":
            element.set(draw(st.sampled_from(ATTRIBUTES)), draw(VALUES))
        elif action == "drop-attribute" and element.attrib:
            del element.attrib[draw(st.sampled_from(sorted(element.attrib)))]
        elif action == "remove" and parent is not None:
            parent.remove(element)
        elif action == "duplicate" and parent is not None:
            element.addnext(copy.deepcopy(element))
        elif action == "rename":
            namespace = draw(st.sampled_from(NAMESPACES))
            element.tag = f"{{{namespace}}}{draw(st.sampled_from(NAMES))}"
        elif action == "insert":
            namespace = draw(st.sampled_from(NAMESPACES))
            child = etree.SubElement(element, f"{{{namespace}}}{draw(st.sampled_from(NAMES))}")
            child.text = draw(st.none() | VALUES)
    return bytes(etree.tostring(root))


@st.composite
def mutated_requests(draw: st.DrawFn) -> tuple[str, bytes]:
    service, seed = draw(st.sampled_from(SEEDS))
    edit = draw(st.sampled_from([mutations, tree_mutations]))
    return service, draw(edit(seed))


def test_every_seed_is_accepted_unmutated(sandbox: Sandbox) -> None:
    for service, seed in SEEDS:
        code = check_answer(*call_app(sandbox, service, fill(seed)))
        # The token is good: 400 is the made-up queryToken, 410 the second delete.
        assert code in (200, 400, 410), seed


@FUZZ
@given(mutated_requests())
def test_fuzz_emulator_soap_requests(sandbox: Sandbox, case: tuple[str, bytes]) -> None:
    service, data = case
    status, headers, body = call_app(sandbox, service, fill(data))
    check_answer(status, headers, body)


@FUZZ
@given(st.sampled_from(sorted(PATHS)), st.binary(max_size=600))
def test_fuzz_emulator_on_noise(sandbox: Sandbox, service: str, data: bytes) -> None:
    status, headers, body = call_app(sandbox, service, data)
    check_answer(status, headers, body)
