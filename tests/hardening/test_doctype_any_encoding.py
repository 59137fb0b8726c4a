"""Nothing a document names is ever opened, whatever its encoding.

A DOCTYPE with a SYSTEM id, or a parameter entity with one, written in UTF-16 or UTF-32
(with or without a BOM, either byte order) once slipped past the byte check for
``<!DOCTYPE`` and made libxml2 open the named file. Each case here names a FIFO, which
shows whether anyone opened it for reading (a writer opened non-blocking gets ENXIO while
no reader exists), and compares the answers for an existing file, a missing one and a
directory: they must be identical, or the answer is an oracle on the file system.
Both sides: ``xmlsafe.parse`` itself, the client reading a response from a loopback
server, and the emulator reading a request.
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from sandbox.helpers import GET_PLAN, SOAP_HEADERS, envelope, fault, soap_url

from boomisoap import ApimClient, TransportError, xmlsafe
from boomisoap.sandbox import Sandbox
from hardening.canned import CannedServer

ENCODINGS = (
    "utf-8",
    "utf-8-sig",
    "utf-16",  # with a BOM
    "utf-16-le",
    "utf-16-be",
    "utf-32",  # with a BOM
    "utf-32-le",
    "utf-32-be",
)
LABELS = {"utf-8-sig": "UTF-8", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}
SHAPES = {
    "external-subset": '<!DOCTYPE {root} SYSTEM "{path}">',
    "parameter-entity": '<!DOCTYPE {root} [<!ENTITY % p SYSTEM "{path}"> %p;]>',
    "general-entity": '<!DOCTYPE {root} [<!ENTITY x SYSTEM "file://{path}">]>',
    "public-id": '<!DOCTYPE {root} PUBLIC "-//x//y" "{path}">',
}
REFUSED = "XML refused: a DOCTYPE or ENTITY declaration is not allowed"
ENVELOPE_RESPONSE = (
    '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
    '<ns2:getResponse xmlns:ns2="http://soap.apim.api.platform.boomi.com/"/>'
    "</S:Body></S:Envelope>"
)


def encode(text: str, encoding: str, *, declared: bool) -> bytes:
    if declared:
        label = LABELS.get(encoding, encoding.upper().replace("-LE", "").replace("-BE", ""))
        text = f'<?xml version="1.0" encoding="{label}"?>' + text
    return text.encode(encoding)


def hostile(shape: str, path: str, body: str, encoding: str, *, declared: bool) -> bytes:
    doctype = SHAPES[shape].format(root="S:Envelope", path=path)
    return encode(doctype + body, encoding, declared=declared)


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    yield str(path)
    # Should a reader be blocked on it after all, give it EOF so no thread stays stuck.
    release(str(path))


def release(path: str) -> bool:
    """Whether a reader had the FIFO open (and, if so, hand it EOF)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        assert exc.errno == errno.ENXIO  # no reader
        return False
    os.close(fd)
    return True


@pytest.fixture
def targets(tmp_path: Path) -> dict[str, str]:
    existing = tmp_path / "secret.txt"
    existing.write_text("root-only-secret-9c1e\n")
    return {
        "existing": str(existing),
        "missing": str(tmp_path / "missing.txt"),
        "directory": str(tmp_path),
    }


def outcome(call: Any) -> str:
    try:
        result = call()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return f"answered: {result!r}"


def settle(call: Any) -> str:
    """``outcome(call)`` from a thread; a parse blocked on a FIFO must not hang the test."""
    found: list[str] = []
    worker = threading.Thread(target=lambda: found.append(outcome(call)), daemon=True)
    worker.start()
    worker.join(10)
    return found[0] if found else "blocked"


CASES = [
    (shape, encoding, declared)
    for shape in SHAPES
    for encoding in ENCODINGS
    for declared in (True, False)
]


def case_id(case: tuple[str, str, bool]) -> str:
    shape, encoding, declared = case
    return f"{shape}-{encoding}-{'declared' if declared else 'bare'}"


# xmlsafe itself ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_parser_never_opens_a_named_fifo(fifo: str, case: tuple[str, str, bool]) -> None:
    shape, encoding, declared = case
    data = hostile(shape, fifo, ENVELOPE_RESPONSE, encoding, declared=declared)
    answer = settle(lambda: xmlsafe.parse(data))
    assert not release(fifo), "the parser opened the FIFO"
    assert answer == f"UnsafeXMLError: {REFUSED}"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_parser_answer_does_not_depend_on_the_file_system(
    targets: dict[str, str], case: tuple[str, str, bool]
) -> None:
    shape, encoding, declared = case
    answers = {
        kind: outcome(
            lambda p=path: xmlsafe.parse(
                hostile(shape, p, ENVELOPE_RESPONSE, encoding, declared=declared)
            )
        )
        for kind, path in targets.items()
    }
    assert set(answers.values()) == {f"UnsafeXMLError: {REFUSED}"}, answers


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_legal_documents_still_parse_in_every_encoding(encoding: str) -> None:
    for declared in (True, False):
        root = xmlsafe.parse(encode("<r a='é'>ü<!-- c --></r>", encoding, declared=declared))
        assert (root.tag, root.get("a"), root.text) == ("r", "é", "ü")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b'<?xml version="1.0" encoding="UTF-16"?><r/>', id="wide-declared"),
        pytest.param(b'<?xml version="1.0" encoding="nope-42"?><r/>', id="unknown"),
        pytest.param(b'<?xml version="1.0" encoding="rot13"?><r/>', id="not-text"),
        pytest.param(b"\xff\xfe<\x00\x00\xd8r\x00/\x00>\x00", id="lone-surrogate-utf16"),
        pytest.param(
            b'<?xml version="1.0" encoding="ISO-8859-1"?><!DOCTYPE r SYSTEM "/x"><r/>',
            id="doctype-latin1",
        ),
        pytest.param(
            b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE r SYSTEM "/x"+AD4-<r/>',
            id="doctype-utf7",
        ),
    ],
)
def test_encoding_tricks_are_refused(data: bytes) -> None:
    with pytest.raises(xmlsafe.UnsafeXMLError):
        xmlsafe.parse(data)


# the client, over loopback HTTP ----------------------------------------------------------------


def client_outcome(document: bytes) -> str:
    def answer(path: str, body: bytes) -> tuple[int, str, bytes]:
        return 200, "text/xml", document

    with (
        CannedServer(answer) as server,
        ApimClient(
            account_id="acct-1",
            username="u",
            password="p",
            base_url=server.base_url,
            rate_limit=None,
            retries=0,
            timeout=30,
        ) as client,
    ):
        return settle(lambda: client.plans.get("plan-1"))


CLIENT_CASES = [c for c in CASES if c[0] in ("external-subset", "parameter-entity")]


@pytest.mark.parametrize("case", CLIENT_CASES, ids=case_id)
def test_client_never_opens_a_fifo_named_in_a_response(
    fifo: str, case: tuple[str, str, bool]
) -> None:
    shape, encoding, declared = case
    answer = client_outcome(hostile(shape, fifo, ENVELOPE_RESPONSE, encoding, declared=declared))
    assert not release(fifo), "the client opened the FIFO"
    assert answer.startswith(TransportError.__name__), answer
    assert "a DOCTYPE or ENTITY declaration is not allowed" in answer


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32-le"])
def test_client_answer_does_not_depend_on_the_file_system(
    targets: dict[str, str], encoding: str
) -> None:
    answers = {
        kind: client_outcome(
            hostile("external-subset", path, ENVELOPE_RESPONSE, encoding, declared=True)
        )
        for kind, path in targets.items()
    }
    assert len(set(answers.values())) == 1, answers


# the emulator ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    # Two worker threads, as the report: two blocked requests would stop it.
    with Sandbox.start(seed_demo=True, rate_limit=None, threads=2) as sandbox:
        yield sandbox


def request_body(shape: str, path: str, encoding: str, declared: bool) -> bytes:
    text = envelope(GET_PLAN).decode()
    doctype = SHAPES[shape].format(root="soapenv:Envelope", path=path)
    return encode(doctype + text, encoding, declared=declared)


def emulator_answer(sb: Sandbox, data: bytes) -> tuple[int, tuple[str, int, str]]:
    response = requests.post(soap_url(sb), data=data, headers=SOAP_HEADERS, timeout=30)
    return response.status_code, fault(response)


@pytest.mark.parametrize("case", CLIENT_CASES, ids=case_id)
def test_emulator_never_opens_a_fifo_named_in_a_request(
    sb: Sandbox, fifo: str, case: tuple[str, str, bool]
) -> None:
    shape, encoding, declared = case
    data = request_body(shape, fifo, encoding, declared)
    with ThreadPoolExecutor(2) as pool:
        # Two at once: with two worker threads, two blocked requests would stall it.
        answers = list(pool.map(lambda _: settle(lambda: emulator_answer(sb, data)), range(2)))
    opened = release(fifo)
    assert not opened, "the emulator opened the FIFO"
    for answer in answers:
        assert answer.startswith("answered: (500, ('S:Client', 400, "), answer
        assert "a DOCTYPE or ENTITY declaration is not allowed" in answer, answer
    # and it still answers
    ok = requests.post(soap_url(sb), data=envelope(GET_PLAN), headers=SOAP_HEADERS, timeout=30)
    assert ok.status_code == 200


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "utf-32-be"])
@pytest.mark.parametrize("shape", ["external-subset", "parameter-entity"])
def test_emulator_answer_does_not_depend_on_the_file_system(
    sb: Sandbox, targets: dict[str, str], encoding: str, shape: str
) -> None:
    answers = {
        kind: emulator_answer(sb, request_body(shape, path, encoding, True))
        for kind, path in targets.items()
    }
    assert len(set(answers.values())) == 1, answers
    _, (_, detail_status, text) = answers["existing"]
    assert detail_status == 400 and "DOCTYPE" in text
