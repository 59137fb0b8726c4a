"""Hostile XML in requests: the emulator answers each with a typed error, in bounded time,
without reading a file or opening a connection.

Every document is posted as raw bytes to a running ``Sandbox``. Refusals are SOAP 1.1
Faults whose detail carries the status (400 for XML the emulator will not process, 403
when authentication fails), or HTTP 413 for a body over the limit. A listener on
loopback counts connections (libxml2 would fetch with its own sockets) and a spy on
``socket.connect`` counts Python-level ones: both must stay at zero. The client side of
the same attacks is ``test_client_hostile_xml.py``.
"""

from __future__ import annotations

import dataclasses
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from core.helpers import APIM_URL, xml_response
from core.seeds import PLAN_GET_RESPONSE
from sandbox.helpers import APIM_NS, GET_PLAN, SOAP_HEADERS, envelope, fault, security, token

from boomisoap import ApimClient, Application, EnvelopeValidationError, InvalidRequest, Plan
from boomisoap.namespaces import SOAP12_ENV
from boomisoap.sandbox import Sandbox
from hardening.listener import Listener, outbound_connections

SECRET_TEXT = "root-secret-line-7f3a"
PLAN_ID = "4d50decd-f2b6-d59e-53f4-22ec4f188bb1"
BOUND = 2.0  # seconds any single answer may take
MAX_BODY = 1024 * 1024


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("hostile") / "passwd"
    path.write_text(SECRET_TEXT + "\n")
    return str(path)


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox.start(seed_demo=True, rate_limit=None, max_body=MAX_BODY) as sandbox:
        yield sandbox


@pytest.fixture
def spy(sb: Sandbox, listener: Listener) -> Iterator[list[Any]]:
    with outbound_connections({sb.port}) as made:
        yield made
    assert made == []
    assert listener.hits == 0


def url(sb: Sandbox) -> str:
    return f"{sb.base_url}/apim/api/soap/v1/{sb.account_id}"


def post(sb: Sandbox, data: bytes) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.post(url(sb), data=data, headers=SOAP_HEADERS, timeout=30)
    return response, time.monotonic() - started


# the documents ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Case:
    data: bytes
    status: int  # the status in the fault detail; 200 for legal XML that must work
    words: str = ""  # expected in the faultstring
    code: str = "S:Client"


def laughs(levels: int = 10) -> str:
    return '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, levels)
    )


def with_plan_id(value: str) -> str:
    return GET_PLAN.replace(PLAN_ID, value)


def in_header(extra: str) -> bytes:
    return envelope(
        GET_PLAN, security(token()).replace("</soapenv:Header>", extra + "</soapenv:Header>")
    )


def hostile_cases(secret_path: str, port: int) -> dict[str, Case]:
    evil = f"http://127.0.0.1:{port}"
    refused = "XML refused"
    xxe = f'<!DOCTYPE e [<!ENTITY xxe SYSTEM "file://{secret_path}">]>'
    utf16_xxe = ('<?xml version="1.0" encoding="UTF-16"?>' + xxe).encode("utf-16")
    utf16_xxe += envelope(with_plan_id("&xxe;")).decode().encode("utf-16")[2:]
    quadratic = '<!DOCTYPE e [<!ENTITY a "' + "a" * 50_000 + '">]>'
    soap_fault = (
        "<soapenv:Fault><faultcode>x</faultcode><faultstring>y</faultstring></soapenv:Fault>"
    )
    return {
        # entities and DTDs
        "xxe-local-file": Case(xxe.encode() + envelope(with_plan_id("&xxe;")), 400, refused),
        "xxe-local-file-utf16": Case(utf16_xxe, 400, refused),
        "xxe-in-attribute": Case(
            xxe.encode() + envelope(GET_PLAN.replace("<soap:get>", '<soap:get a="&xxe;">')),
            400,
            refused,
        ),
        "external-dtd": Case(
            f'<!DOCTYPE e SYSTEM "{evil}/evil.dtd">'.encode() + envelope(GET_PLAN), 400, refused
        ),
        "external-entity-http": Case(
            f'<!DOCTYPE e [<!ENTITY x SYSTEM "{evil}/x">]>'.encode()
            + envelope(with_plan_id("&x;")),
            400,
            refused,
        ),
        "external-parameter-entity": Case(
            f'<!DOCTYPE e [<!ENTITY % p SYSTEM "{evil}/p"> %p;]>'.encode() + envelope(GET_PLAN),
            400,
            refused,
        ),
        "external-dtd-utf32": Case(
            (
                f'<?xml version="1.0" encoding="UTF-32"?><!DOCTYPE e SYSTEM "{evil}/evil.dtd">'
            ).encode("utf-32")
            + envelope(GET_PLAN).decode().encode("utf-32")[4:],
            400,
            refused,
        ),
        "billion-laughs": Case(
            f"<!DOCTYPE e [{laughs()}]>".encode() + envelope(with_plan_id("&l9;")), 400, refused
        ),
        "billion-laughs-utf16": Case(
            (f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE e [{laughs()}]>').encode("utf-16")
            + envelope(with_plan_id("&l9;")).decode().encode("utf-16")[2:],
            400,
            refused,
        ),
        "quadratic-blowup": Case(
            quadratic.encode() + envelope(with_plan_id("&a;" * 50_000)), 400, refused
        ),
        "undeclared-entity": Case(envelope(with_plan_id("&undeclared;")), 400, refused),
        "xinclude-local-file": Case(
            envelope(
                with_plan_id(
                    '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                    f'href="file://{secret_path}" parse="text"/>'
                )
            ),
            400,
            "invalid request",
        ),
        "schema-location-hint": Case(
            envelope(
                with_plan_id("").replace(
                    "<soap:get>",
                    '<soap:get xsi:schemaLocation="http://soap.apim.api.platform.boomi.com/ '
                    f'{evil}/evil.xsd">',
                )
            ),
            400,
            # objectId is xs:string in Boomi's apim.xsd: the handler refuses the empty id.
            "objectId must not be empty",
        ),
        "stylesheet-instruction": Case(
            f'<?xml-stylesheet type="text/xsl" href="{evil}/x.xsl"?>'.encode() + envelope(GET_PLAN),
            400,
            "processing instructions",
        ),
        # size and shape
        "deep-nesting-10000": Case(envelope("<a>" * 10_000 + "</a>" * 10_000), 400, refused),
        "deep-nesting-in-header": Case(in_header("<x>" * 10_000 + "</x>" * 10_000), 400, refused),
        "fifty-thousand-attributes": Case(
            envelope(
                GET_PLAN.replace(
                    "<soap:get>",
                    "<soap:get " + " ".join(f'a{i}="{i}"' for i in range(50_000)) + ">",
                )
            ),
            400,
            "invalid request",
        ),
        "long-element-name": Case(envelope(f"<{'n' * 500_000}/>"), 400, refused),
        # quadratic in the schema library's error report before the fix in validation.py
        "two-hundred-thousand-children": Case(
            envelope(GET_PLAN.replace("</soap:get>", "<x/>" * 200_000 + "</soap:get>")),
            400,
            "invalid request",
        ),
        # encodings
        "invalid-utf8": Case(envelope(GET_PLAN).replace(b"Plan<", b"Pl\xff\xfean<"), 400, refused),
        "overlong-utf8": Case(envelope(GET_PLAN).replace(b"Plan<", b"Pl\xc1\xa1n<"), 400, refused),
        "nul-byte": Case(envelope(GET_PLAN).replace(b"Plan<", b"Pl\x00an<"), 400, refused),
        "control-character": Case(envelope(with_plan_id("\x1b[31m")), 400, refused),
        "utf16-bom-on-utf8": Case(b"\xff\xfe" + envelope(GET_PLAN), 400, refused),
        "encoding-declaration-lies": Case(
            b'<?xml version="1.0" encoding="UTF-16"?>' + envelope(GET_PLAN), 400, refused
        ),
        "not-xml": Case(b"\x00\x01\x02 this is not XML", 400, refused),
        "empty-body": Case(b"", 400, refused),
        "truncated": Case(envelope(GET_PLAN)[:-30], 400, refused),
        "trailing-garbage": Case(envelope(GET_PLAN) + b"<second/>", 400, refused),
        # SOAP structure
        "soap12-envelope": Case(
            envelope(GET_PLAN, envelope_ns=SOAP12_ENV), 400, "SOAP 1.2", "S:VersionMismatch"
        ),
        "not-an-envelope": Case(
            GET_PLAN.replace("<soap:get>", f"<soap:get {APIM_NS}>").encode(),
            400,
            "not a SOAP 1.1 Envelope",
        ),
        "two-bodies": Case(
            envelope(GET_PLAN).replace(
                b"</soapenv:Body>",
                b"</soapenv:Body><soapenv:Body>" + GET_PLAN.encode() + b"</soapenv:Body>",
            ),
            400,
            "Body",
        ),
        "body-hidden-in-header": Case(
            in_header(f"<soapenv:Body>{with_plan_id('other')}</soapenv:Body>"), 400, "Body"
        ),
        "body-inside-body": Case(
            envelope(GET_PLAN.replace("</soap:get>", "<soapenv:Body/></soap:get>")), 400, "Body"
        ),
        "fault-inside-body": Case(envelope(GET_PLAN + soap_fault), 400, "Fault"),
        "two-headers": Case(
            envelope(GET_PLAN).replace(b"<soapenv:Body>", b"<soapenv:Header/><soapenv:Body>"),
            400,
            "Header",
        ),
        "header-after-body": Case(
            envelope(GET_PLAN, "").replace(
                b"</soapenv:Body>", b"</soapenv:Body>" + security(token()).encode()
            ),
            400,
            "Header",
        ),
        "empty-body-element": Case(envelope(""), 400, "invalid request"),
        "two-operations": Case(envelope(GET_PLAN + GET_PLAN), 400, "invalid request"),
        # processing instructions and comments in odd places
        "pi-before-envelope": Case(b"<?boomi run?>" + envelope(GET_PLAN), 400, "processing"),
        "pi-in-header": Case(in_header("<?boomi run?>"), 400, "processing"),
        "pi-in-body": Case(envelope("<?boomi run?>" + GET_PLAN), 400, "processing"),
        "pi-inside-value": Case(envelope(with_plan_id("4d50<?x?>decd")), 400, "processing"),
        "pi-after-envelope": Case(envelope(GET_PLAN) + b"<?boomi run?>", 400, "processing"),
        "comment-splitting-the-id": Case(
            envelope(with_plan_id(PLAN_ID.replace("-", "<!-- x -->-", 1))), 200
        ),
        "comments-everywhere": Case(
            b"<!-- a -->"
            + envelope(with_plan_id(f"<!-- b -->{PLAN_ID}<!-- c -->")).replace(
                b"<soapenv:Body>", b"<!-- d --><soapenv:Body><!-- e -->"
            )
            + b"<!-- f -->",
            200,
        ),
        "cdata-id": Case(envelope(with_plan_id(f"<![CDATA[{PLAN_ID}]]>")), 200),
        "utf8-bom": Case(b"\xef\xbb\xbf" + envelope(GET_PLAN), 200),
        "utf16-with-bom": Case(
            ('<?xml version="1.0" encoding="UTF-16"?>' + envelope(GET_PLAN).decode()).encode(
                "utf-16"
            ),
            200,
        ),
    }


CASES = hostile_cases("/placeholder", 1)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_request_gets_a_typed_answer(
    sb: Sandbox, listener: Listener, secret_file: str, spy: list[Any], name: str
) -> None:
    case = hostile_cases(secret_file, listener.port)[name]
    response, elapsed = post(sb, case.data)
    assert elapsed < BOUND, f"{name} took {elapsed:.2f} s"
    assert SECRET_TEXT not in response.text
    if case.status == 200:
        assert response.status_code == 200, response.text[:300]
        assert PLAN_ID.encode() in response.content
        return
    code, status, message = fault(response)
    assert (code, status) == (case.code, case.status), message
    assert case.words in message
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/xml")


# 50 MB: refused from the headers ---------------------------------------------------------------


def test_fifty_megabytes_are_refused_before_they_are_read(sb: Sandbox, spy: list[Any]) -> None:
    """The answer arrives after 64 KiB of the 50 MB announced: the rest is never read."""
    declared = 50 * 1024 * 1024
    first_part = envelope(GET_PLAN + "<!--" + "x" * (64 * 1024))
    head = (
        f"POST /apim/api/soap/v1/{sb.account_id} HTTP/1.1\r\nHost: 127.0.0.1:{sb.port}\r\n"
        f"Content-Type: text/xml; charset=utf-8\r\nContent-Length: {declared}\r\n\r\n"
    )
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", sb.port), timeout=BOUND) as sock:
        sock.sendall(head.encode() + first_part)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert elapsed < BOUND
    assert len(first_part) < declared // 100


def test_a_body_just_over_the_limit_is_a_413_fault(sb: Sandbox, spy: list[Any]) -> None:
    data = envelope(GET_PLAN + "<!--" + "x" * MAX_BODY + "-->")
    response, elapsed = post(sb, data)
    assert response.status_code == 413
    assert fault(response)[1] == 413
    assert elapsed < BOUND


def test_the_client_sees_invalid_request_for_a_fifty_megabyte_create(sb: Sandbox) -> None:
    """A 50 MB field is refused before sending; an over-size body, each of its fields
    under the per-field limit, meets the HTTP server's own 413 page: still InvalidRequest."""
    before = sb.count("Plan"), sb.count("Application")
    wide = "\U0001f600" * 60_000  # 240 kB of UTF-8 each, under MAX_TEXT characters
    with ApimClient(
        account_id=sb.account_id,
        username="u",
        password="p",
        base_url=sb.base_url,
        rate_limit=None,
        validate=False,
    ) as client:
        with pytest.raises(InvalidRequest) as refused:
            client.plans.create(Plan(name="huge", description="d" * (50 * 1024 * 1024)))
        started = time.monotonic()
        with pytest.raises(InvalidRequest) as caught:
            client.applications.create(
                Application(
                    application_name=wide,
                    description=wide,
                    contact_name=wide,
                    contact_email=wide,
                    contact_phone=wide,
                    company_name=wide,
                    company_website=wide,
                    notes=wide,
                )
            )
        elapsed = time.monotonic() - started
    assert refused.value.field == "description" and refused.value.status_code == 400
    assert caught.value.status_code == 413
    assert elapsed < 30
    assert (sb.count("Plan"), sb.count("Application")) == before


def test_the_emulator_still_serves_after_the_hostile_run(sb: Sandbox) -> None:
    response, _ = post(sb, envelope(GET_PLAN))
    assert response.status_code == 200


def test_the_clients_schema_report_is_bounded_too(apim: ApimClient, mock: Any) -> None:
    """The guard in validation.py protects the client as well: before it, explaining why
    this 800 KB response of 200,000 unknown elements is invalid took minutes."""
    hostile = PLAN_GET_RESPONSE.replace(
        b"</ns4:getResponse>", b"<x/>" * 200_000 + b"</ns4:getResponse>"
    )
    mock.post(APIM_URL, **xml_response(hostile))
    started = time.monotonic()
    with pytest.raises(EnvelopeValidationError) as caught:
        apim.plans.get("x")
    assert time.monotonic() - started < BOUND
    assert caught.value.direction == "response"
