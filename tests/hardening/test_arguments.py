"""Arguments and options: each wrong one is an InvalidRequest naming it, before sending.

Client options are checked when the client is built (``boomisoap.options``); filters are
refused past ``MAX_FILTER_DEPTH`` instead of exhausting the recursion limit, in the
client and in the emulator; ``get_many`` takes a collection of ids, never one string.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sandbox.helpers import SOAP_HEADERS, envelope, soap_url

from boomisoap import ApimClient, InvalidRequest, MftClient, PlatformClient, Q
from boomisoap.query import MAX_FILTER_DEPTH, Expr
from boomisoap.sandbox import Sandbox
from hardening.listener import Listener

GOOD = {"account_id": "acct-1", "username": "u", "password": "p", "base_url": "http://h"}

BAD_OPTIONS = [
    ("username", None),
    ("username", 5),
    ("username", ""),
    ("username", "u\r\nX-Injected: 1"),
    ("username", "u\x00"),
    ("base_url", None),
    ("base_url", ""),
    ("base_url", 42),
    ("base_url", "ftp://h"),
    ("base_url", "http://"),
    ("base_url", "h.example.com"),
    ("base_url", "https://h/x?q=1"),
    ("base_url", "https://h/x#f"),
    ("base_url", "https://h\r\n/x"),
    ("base_url", "https://h x"),
    ("timeout", -1),
    ("timeout", 0),
    ("timeout", math.nan),
    ("timeout", math.inf),
    ("timeout", "10"),
    ("timeout", True),
    ("timeout", None),
    ("retries", "3"),
    ("retries", -1),
    ("retries", 1.5),
    ("retries", True),
    ("retries", 10_000),
    ("rate_limit", 0),
    ("rate_limit", -5),
    ("rate_limit", "10"),
    ("rate_limit", math.nan),
    ("rate_limit", False),
    ("account_id", "acct\r\n1"),
    ("account_id", "acct/../other"),
    ("account_id", "acct?x=1"),
    ("account_id", "acct 1"),
    ("account_id", ""),
    ("account_id", None),
    ("account_id", 7),
    ("password", "p\x00w"),
    ("password", ""),
    ("otp", "12\r\n34"),
    ("otp", 123456),
    ("correlation_id", "c\nX-Evil: 1"),
    ("correlation_id", 5),
]


def option_id(case: tuple[str, Any]) -> str:
    return f"{case[0]}={case[1]!r}"


@pytest.mark.parametrize("cls", [ApimClient, PlatformClient])
@pytest.mark.parametrize("wire", ["soap", "rest"])
@pytest.mark.parametrize("case", BAD_OPTIONS, ids=option_id)
def test_a_bad_option_is_refused_at_construction(
    cls: Any, wire: str, case: tuple[str, Any]
) -> None:
    name, value = case
    with pytest.raises(InvalidRequest) as caught:
        cls(**{**GOOD, "wire": wire, name: value})
    assert caught.value.field == name
    assert name in str(caught.value)


@pytest.mark.parametrize("wire", ["soap", "rest"])
def test_secret_options_are_not_quoted(wire: str) -> None:
    for name, value in (("password", "hunter2\x01"), ("token", "tok-secret\x00"), ("otp", "9\n9")):
        options = {**GOOD, "wire": wire, name: value}
        if name == "token":
            del options["password"]
        with pytest.raises(InvalidRequest) as caught:
            ApimClient(**options)
        assert caught.value.field == name
        assert value.strip("\x00\x01\n") not in str(caught.value) + repr(caught.value)


def test_a_colon_in_the_user_name_is_refused_on_rest_only() -> None:
    with pytest.raises(InvalidRequest) as caught:
        ApimClient(**{**GOOD, "username": "ann:admin", "wire": "rest"})
    assert caught.value.field == "username"
    with ApimClient(**{**GOOD, "username": "ann:admin", "wire": "soap"}) as soap:
        assert soap.username == "ann:admin"


def test_good_options_are_kept() -> None:
    with ApimClient(
        **{**GOOD, "base_url": "https://api.boomi.com/"},
        timeout=2.5,
        retries=0,
        rate_limit=None,
        otp="123456",
        correlation_id="run-7",
    ) as client:
        assert client.base_url == "https://api.boomi.com"
        assert client.transport.timeout == 2.5 and client.transport.retries == 0
    with PlatformClient(**GOOD, timeout=1, rate_limit=0.5) as client:
        assert client.transport.timeout == 1.0


MFT_GOOD = {"base_url": "http://h", "api_key": "key-123"}
MFT_BAD = [
    ("base_url", None),
    ("base_url", "nope"),
    ("api_key", None),
    ("api_key", "key\r\nX: 1"),
    ("api_key", ""),
    ("base_path", 5),
    ("base_path", "/mft?x=1"),
    ("base_path", "/m\nft"),
    ("timeout", 0),
    ("timeout", "10"),
    ("retries", "3"),
    ("rate_limit", -5),
    ("rate_limit", "10"),
    ("correlation_id", "a\r\nb"),
]


@pytest.mark.parametrize("case", MFT_BAD, ids=option_id)
def test_mft_options_are_checked(case: tuple[str, Any]) -> None:
    name, value = case
    with pytest.raises(InvalidRequest) as caught:
        MftClient(**{**MFT_GOOD, name: value})
    assert caught.value.field == name
    if name == "api_key" and isinstance(value, str) and value:
        assert "key" not in str(caught.value).replace("api_key", "")


# get_many -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


@pytest.mark.parametrize("wire", ["soap", "rest"])
@pytest.mark.parametrize("ids", ["abc", b"abc", None, 5, 1.5], ids=repr)
def test_get_many_takes_a_collection_of_ids(listener: Listener, wire: str, ids: Any) -> None:
    with PlatformClient(**{**GOOD, "base_url": listener.url}, wire=wire, rate_limit=None) as c:
        with pytest.raises(InvalidRequest) as caught:
            c.accounts.get_many(ids)
        assert caught.value.field == "ids"
        with pytest.raises(InvalidRequest) as caught:
            c.accounts.get_many(["fine", 5])  # type: ignore[list-item]
        assert caught.value.field == "accountId"
    assert listener.hits == 0


# filter depth ---------------------------------------------------------------------------


def nested(depth: int) -> Expr:
    """A filter ``depth`` expressions deep: and/or alternate, so nothing flattens."""
    expr: Expr = Q.name == "leaf"
    for level in range(depth - 1):
        other = Q.name == f"n{level}" if level % 2 else Q.status == "ENABLED"
        expr = expr | other if level % 2 else expr & other
    return expr


@pytest.mark.parametrize("wire", ["soap", "rest"])
@pytest.mark.parametrize("depth", [MAX_FILTER_DEPTH + 1, 600, 3_000])
def test_a_filter_too_deep_is_refused_before_sending(
    listener: Listener, wire: str, depth: int
) -> None:
    client = ApimClient(**{**GOOD, "base_url": listener.url}, wire=wire, rate_limit=None)
    with client as apim, pytest.raises(InvalidRequest) as caught:
        list(apim.plans.query(nested(depth)))
    assert caught.value.field == "nestedExpression"
    assert str(MAX_FILTER_DEPTH) in str(caught.value)
    assert listener.hits == 0


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox.start(seed_demo=True, rate_limit=None) as sandbox:
        yield sandbox


@pytest.mark.parametrize("wire", ["soap", "rest"])
def test_a_filter_at_the_limit_works_end_to_end(sb: Sandbox, wire: str) -> None:
    with ApimClient(
        account_id=sb.account_id,
        username="u",
        password="p",
        base_url=sb.base_url,
        wire=wire,
        rate_limit=None,
    ) as apim:
        assert list(apim.plans.query(nested(MAX_FILTER_DEPTH))) == []


def json_filter(depth: int) -> str:
    # Written as text: json.dumps itself recurses once per level.
    node = '{"argument": ["x"], "operator": "EQUALS", "property": "name"}'
    for level in range(depth - 1):
        operator = "and" if level % 2 else "or"
        node = f'{{"operator": "{operator}", "nestedExpression": [{node}]}}'
    return f'{{"QueryFilter": {{"expression": {node}}}}}'


@pytest.mark.parametrize("depth", [MAX_FILTER_DEPTH + 1, 300, 450])
def test_emulator_rest_refuses_a_deep_filter(sb: Sandbox, depth: int) -> None:
    response = requests.post(
        f"{sb.base_url}/apim/api/rest/v1/{sb.account_id}/plan/query",
        data=json_filter(depth),
        auth=("u", "p"),
        headers={"Accept": "application/json", "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400, response.text
    assert response.json()["field"] == "nestedExpression"


def xml_filter(depth: int) -> str:
    inner = (
        '<api:expression xsi:type="api:SimpleExpression" operator="EQUALS" property="name">'
        "<api:argument>x</api:argument></api:expression>"
    )
    inner = inner.replace("api:expression", "api:nestedExpression")
    for level in range(depth - 2):
        operator = "and" if level % 2 else "or"
        inner = (
            f'<api:nestedExpression xsi:type="api:GroupingExpression" operator="{operator}">'
            f"{inner}</api:nestedExpression>"
        )
    return (
        "<soap:query><apim:objectType>Plan</apim:objectType><api:queryConfig><api:QueryFilter>"
        '<api:expression xsi:type="api:GroupingExpression" operator="and">'
        f"{inner}</api:expression></api:QueryFilter></api:queryConfig></soap:query>"
    )


@pytest.mark.parametrize("depth", [MAX_FILTER_DEPTH + 1, 200])
def test_emulator_soap_refuses_a_deep_filter(sb: Sandbox, depth: int) -> None:
    response = requests.post(
        soap_url(sb), data=envelope(xml_filter(depth)), headers=SOAP_HEADERS, timeout=10
    )
    assert response.status_code == 500
    assert b"nests deeper than" in response.content
