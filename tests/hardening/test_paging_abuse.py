"""Paging a server cannot abuse: whole query tokens, no endless loops, bounded JSON depth.

A loopback server plays the hostile service (``hardening.canned``): it splits a token
with a comment, hands the same token out again (with empty pages or full ones), or cycles
through a few; the client must send the whole token back and stop with a PagingError on
the first token it was already given. A JSON body nested 100,000 deep is a typed error
in the client (APIM, Platform and MFT reading) and a 400 in the emulator.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from boomisoap import ApimClient, EnvelopeValidationError, MftClient, PlatformClient, TransportError
from boomisoap.errors import PagingError
from boomisoap.sandbox import Sandbox
from hardening.canned import Answer, CannedServer

NS = (
    'xmlns:apim="http://apim.api.platform.boomi.com/" '
    'xmlns:bns="http://api.platform.boomi.com/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:ns4="http://soap.apim.api.platform.boomi.com/"'
)
DEEP = 100_000
CAP = 50  # requests the hostile server answers before it gives up


def soap_page(operation: str, names: list[str], token_xml: str | None) -> bytes:
    items = "".join(
        f'<bns:result xsi:type="apim:Plan" name="{n}" planId="id-{n}" status="ENABLED"/>'
        for n in names
    )
    token = f"<bns:queryToken>{token_xml}</bns:queryToken>" if token_xml is not None else ""
    return (
        '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
        f'<ns4:{operation}Response {NS}><apim:results numberOfResults="{len(names)}">'
        f"{items}{token}</apim:results></ns4:{operation}Response></S:Body></S:Envelope>"
    ).encode()


def rest_page(names: list[str], token: str | None) -> bytes:
    document: dict[str, Any] = {
        "@type": "ApimQueryResult",
        "result": [{"@type": "Plan", "name": n, "planId": f"id-{n}"} for n in names],
        "numberOfResults": len(names),
    }
    if token is not None:
        document["queryToken"] = token
    return json.dumps(document).encode()


def sent_token(wire: str, body: bytes) -> str | None:
    """The token a queryMore request carried; None for the first query."""
    if wire == "rest":
        return body.decode() if body and not body.startswith(b"{") else None
    found = re.search(rb"queryToken[^>]*>([^<]*)<", body)
    return found.group(1).decode() if found else None


# tokens are (page names, token as the server writes it in XML, token's text)
Pages = Callable[[int], tuple[list[str], str | None]]


def server_for(wire: str, pages: Pages) -> Answer:
    counter = itertools.count()

    def answer(path: str, body: bytes) -> tuple[int, str, bytes]:
        n = next(counter)
        if n >= CAP:
            # A client that does not stop fails here rather than looping forever.
            return 500, "text/plain", b"the test's request cap was reached"
        names, token = pages(n)
        if wire == "rest":
            plain = None if token is None else re.sub(r"<!--.*?-->", "", token)
            return 200, "application/json", rest_page(names, plain)
        operation = "query" if b"queryMore" not in body else "queryMore"
        return 200, "text/xml", soap_page(operation, names, token)

    return answer


def client(server: CannedServer, wire: str, cls: Any = ApimClient) -> Any:
    return cls(
        account_id="acct-1",
        username="u",
        password="p",
        base_url=server.base_url,
        wire=wire,
        rate_limit=None,
        retries=0,
        # The canned pages are written for any queryToken position (the branch that
        # follows Boomi's XSD moves it first); validation is not what these tests are about.
        validate=False,
    )


@pytest.mark.parametrize(
    "written",
    [
        "tok<!-- split -->en-42",
        "tok<!--a--><!--b-->en-42",
        "<!--lead-->token-42",
        "tok<![CDATA[en-42]]>",
    ],
)
def test_soap_reads_a_token_split_by_comments_whole(written: str) -> None:
    def pages(n: int) -> tuple[list[str], str | None]:
        return ([f"p{n}"], written) if n == 0 else ([f"p{n}"], None)

    with CannedServer(server_for("soap", pages)) as server, client(server, "soap") as apim:
        assert [p.name for p in apim.plans.query()] == ["p0", "p1"]
        expected = re.sub(r"<!--.*?-->|<!\[CDATA\[|\]\]>", "", written)
        assert [sent_token("soap", b) for _, b in server.requests] == [None, expected]


def same_token(names: list[str]) -> Pages:
    return lambda n: (names, "tok-same-7")


def cycle(*tokens: str) -> Pages:
    return lambda n: ([f"p{n}"], tokens[n % len(tokens)])


@pytest.mark.parametrize("wire", ["soap", "rest"])
@pytest.mark.parametrize(
    ("pages", "first_tokens"),
    [
        pytest.param(same_token([]), 1, id="empty-pages-same-token"),
        pytest.param(same_token(["a", "b"]), 1, id="full-pages-same-token"),
        pytest.param(cycle("t1", "t2", "t3"), 3, id="cycle-of-three"),
        pytest.param(lambda n: ([], "t0" if n == 0 else "t1"), 2, id="second-token-repeats"),
    ],
)
def test_a_repeated_token_stops_the_iteration(wire: str, pages: Pages, first_tokens: int) -> None:
    with CannedServer(server_for(wire, pages)) as server, client(server, wire) as apim:
        results = apim.plans.query()
        with pytest.raises(PagingError) as caught:
            for _ in results:
                pass
        # one query, then one queryMore per distinct token: nothing is fetched twice
        assert len(server.requests) == 1 + first_tokens
        tokens = [sent_token(wire, b) for _, b in server.requests[1:]]
        assert len(set(tokens)) == len(tokens)
    assert isinstance(caught.value, EnvelopeValidationError)
    assert caught.value.path == "/queryToken"
    assert "tok-same-7" not in str(caught.value) and "t1" not in str(caught.value)


# JSON depth ------------------------------------------------------------------------------


def deep_json(depth: int = DEEP) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("status", [200, 400, 500])
@pytest.mark.parametrize("shape", ["array", "object"])
def test_client_rest_reading_deep_json_is_a_typed_error(status: int, shape: str) -> None:
    body = deep_json() if shape == "array" else b'{"a":' * DEEP + b"1" + b"}" * DEEP

    def answer(path: str, request: bytes) -> tuple[int, str, bytes]:
        return status, "application/json", body

    with CannedServer(answer) as server:
        with client(server, "rest") as apim, pytest.raises(TransportError):
            apim.plans.get("plan-1")
        with client(server, "rest", PlatformClient) as platform, pytest.raises(TransportError):
            list(platform.accounts.query())


def test_mft_reading_deep_json_is_a_typed_error() -> None:
    def answer(path: str, request: bytes) -> tuple[int, str, bytes]:
        return 200, "application/json", deep_json()

    with CannedServer(answer) as server:
        mft = MftClient(base_url=server.base_url, api_key="key-1", rate_limit=None, retries=0)
        with mft, pytest.raises(TransportError, match="too deeply"):
            mft.accounting.transfer_quota()


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox.start(seed_demo=True, rate_limit=None) as sandbox:
        yield sandbox


@pytest.mark.parametrize(
    "path",
    [
        "/apim/api/rest/v1/{acct}/plan",
        "/apim/api/rest/v1/{acct}/plan/query",
        "/api/rest/v1/{acct}/Account/bulk",
        "/api/rest/v1/{acct}/Account/query",
    ],
)
def test_emulator_rest_refuses_deep_json(sb: Sandbox, path: str) -> None:
    response = requests.post(
        sb.base_url + path.format(acct=sb.account_id),
        data=deep_json(),
        auth=("u", "p"),
        headers={"Accept": "application/json", "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 400, response.text
    assert response.json()["field"] == "body"
    assert "too deeply" in response.json()["message"]
