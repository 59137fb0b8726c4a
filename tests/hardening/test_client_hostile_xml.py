"""Hostile XML in responses: the client answers each with a typed error, quickly,
without reading files or opening connections."""

from __future__ import annotations

import time

import pytest
from core.helpers import APIM_URL, xml_response
from core.seeds import NS, PLAN_GET_RESPONSE, response

from boomisoap import BoomiError, EnvelopeValidationError, TransportError
from hardening.listener import Listener

SECRET_FILE_TEXT = "root-secret-line-7f3a"


@pytest.fixture
def listener():
    found = Listener()
    yield found
    found.close()


def hostile_documents(secret_path: str, port: int) -> dict[str, bytes]:
    laughs = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    return {
        "xxe-file": (
            f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret_path}">]>'
            f'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>&x;'
            "</S:Body></S:Envelope>"
        ).encode(),
        "external-dtd": (
            f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:{port}/evil.dtd">'
            '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"/>'
        ).encode(),
        "external-entity-http": (
            f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/x">]>'
            '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/">&x;</S:Envelope>'
        ).encode(),
        "billion-laughs": (f'<?xml version="1.0"?><!DOCTYPE r [{laughs}]><r>&l9;</r>').encode(),
        "quadratic-blowup": (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "'
            + "a" * 50_000
            + '">]><r>'
            + "&a;" * 50_000
            + "</r>"
        ).encode(),
        "deep-nesting": b"<a>" * 10_000 + b"</a>" * 10_000,
        "invalid-utf8": response(f"<ns4:getResponse {NS}>").replace(b"getResponse", b"get\xff\xfe"),
        "soap12": (
            b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>'
            b"<x/></env:Body></env:Envelope>"
        ),
        "two-bodies": PLAN_GET_RESPONSE.replace(b"</S:Body>", b"</S:Body><S:Body/>"),
        "truncated": PLAN_GET_RESPONSE[:-40],
        "not-xml": b"\x00\x01\x02 binary garbage",
    }


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "passwd"
    path.write_text(SECRET_FILE_TEXT)
    return str(path)


@pytest.mark.parametrize(
    "name",
    [
        "xxe-file",
        "external-dtd",
        "external-entity-http",
        "billion-laughs",
        "quadratic-blowup",
        "deep-nesting",
        "invalid-utf8",
        "soap12",
        "two-bodies",
        "truncated",
        "not-xml",
    ],
)
def test_hostile_response_gives_a_typed_error(apim, mock, listener, secret_file, name):
    document = hostile_documents(secret_file, listener.port)[name]
    mock.post(APIM_URL, **xml_response(document))
    started = time.monotonic()
    with pytest.raises(BoomiError) as caught:
        apim.plans.get("x")
    assert time.monotonic() - started < 5
    assert isinstance(caught.value, TransportError | EnvelopeValidationError)
    assert SECRET_FILE_TEXT not in str(caught.value)
    assert listener.hits == 0


def test_oversized_response_is_cut_off(apim, mock):
    apim.transport.max_response_bytes = 1024 * 1024
    huge = PLAN_GET_RESPONSE.replace(
        b"<S:Body>", b"<S:Body><!--" + b"x" * (50 * 1024 * 1024) + b"-->"
    )
    mock.post(APIM_URL, **xml_response(huge))
    with pytest.raises(TransportError, match="larger than"):
        apim.plans.get("x")


def test_bom_comments_and_processing_instructions_are_legal_xml(apim, mock):
    odd = PLAN_GET_RESPONSE.replace(b"<S:Body>", b"<S:Body><!-- comment --><?pi data?>").replace(
        b"</S:Envelope>", b"</S:Envelope><!-- trailing -->"
    )
    mock.post(APIM_URL, **xml_response(b"\xef\xbb\xbf" + odd))
    assert apim.plans.get("x").name == "apiTestKh"
