"""Account and object ids are one URL path segment each, on every wire, over loopback."""

from __future__ import annotations

from typing import Any

import pytest

from boomisoap import ApimClient, PlatformClient
from boomisoap.errors import AuthenticationError, InvalidRequest, NotFound
from boomisoap.sandbox import Sandbox
from boomisoap.transport import Call, HttpRequest, HttpResponse

AWKWARD = ["acct 1/../x", "a%2Fb%", "ü/..", "../acct-1", "a?b#c"]


def _urls(client: Any) -> list[str]:
    seen: list[str] = []

    def observe(call: Call, request: HttpRequest, response: HttpResponse) -> None:
        seen.append(request.url)

    client.transport.observers.append(observe)
    return seen


def _client(cls: Any, base_url: str, account_id: str, wire: str) -> Any:
    return cls(
        account_id=account_id,
        username="u",
        password="p",
        base_url=base_url,
        rate_limit=None,
        retries=0,
        wire=wire,
    )


@pytest.mark.parametrize("wire", ["soap", "rest"])
@pytest.mark.parametrize("account_id", AWKWARD)
def test_an_awkward_account_id_round_trips(account_id: str, wire: str) -> None:
    with (
        Sandbox.start(users={"u": "p"}, rate_limit=None, account_id=account_id) as sandbox,
        _client(PlatformClient, sandbox.base_url, account_id, wire) as client,
    ):
        urls = _urls(client)
        assert client.accounts.get(account_id).account_id == account_id
    # One encoded segment: no raw slash, dot segment, space or percent from the id.
    tail = urls[0].split("/v1/", 1)[1]
    first = tail.split("/")[0]
    assert "/" not in first and " " not in first and first not in (".", "..")
    assert "?" not in urls[0] and "#" not in urls[0]


@pytest.mark.parametrize("wire", ["soap", "rest"])
def test_a_traversing_account_id_never_reaches_another_account(wire: str) -> None:
    with (
        Sandbox.start(users={"u": "p"}, rate_limit=None) as sandbox,
        _client(PlatformClient, sandbox.base_url, f"x/../{sandbox.account_id}", wire) as client,
        pytest.raises(AuthenticationError, match=r"account x/\.\./acct-1"),
    ):
        client.accounts.get(sandbox.account_id)


@pytest.mark.parametrize("wire", ["soap", "rest"])
def test_a_traversing_object_id_is_looked_up_as_itself(wire: str) -> None:
    with (
        Sandbox.start(users={"u": "p"}, rate_limit=None, seed_demo=True) as sandbox,
        _client(ApimClient, sandbox.base_url, sandbox.account_id, wire) as client,
    ):
        plan = next(iter(client.plans.query()))
        with pytest.raises(NotFound):
            client.plans.get(f"../plan/{plan.plan_id}")
        with pytest.raises(NotFound):
            client.plans.get(f"{plan.plan_id}/../{plan.plan_id}")
        assert client.plans.get(plan.plan_id).plan_id == plan.plan_id


@pytest.mark.parametrize("wire", ["soap", "rest"])
@pytest.mark.parametrize("bad", [".", ".."])
def test_dot_segments_are_refused_before_sending(bad: str, wire: str) -> None:
    with pytest.raises(InvalidRequest, match="account_id must not be") as caught:
        PlatformClient(
            account_id=bad,
            username="u",
            password="p",
            base_url="http://127.0.0.1:9",
            rate_limit=None,
            wire=wire,
        )
    assert caught.value.field == "account_id"


def test_a_dot_object_id_is_refused_on_the_rest_wire() -> None:
    with (
        _client(ApimClient, "http://127.0.0.1:9", "acct-1", "rest") as client,
        pytest.raises(InvalidRequest, match=r"must not be '\.\.'"),
    ):
        client.plans.get("..")
