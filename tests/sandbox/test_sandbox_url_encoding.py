"""Account and object ids are one URL path segment each, on every wire, over loopback."""

from __future__ import annotations

from typing import Any

import pytest

from boomisoap import ApimClient, PlatformClient
from boomisoap.errors import InvalidRequest, NotFound
from boomisoap.sandbox import Sandbox

AWKWARD = ["acct 1/../x", "a%2Fb%", "ü/..", "../acct-1", "a?b#c"]


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
def test_an_awkward_account_id_is_refused_before_sending(account_id: str, wire: str) -> None:
    # Boomi's account ids are letters, digits, "_" and "-" ("name-T9DOG4"): anything that
    # would need encoding in a path is refused by name (docs/choices.md, "URL path parts").
    with pytest.raises(InvalidRequest) as caught:
        _client(PlatformClient, "http://127.0.0.1:9", account_id, wire)
    assert caught.value.field == "account_id"


@pytest.mark.parametrize("wire", ["soap", "rest"])
def test_the_emulator_never_serves_a_traversing_account_path(wire: str) -> None:
    # What a client would have to send for x/../acct-1: the emulator splits the raw path
    # before decoding, so the account is "x/../acct-1", not acct-1.
    import requests

    with Sandbox.start(users={"u": "p"}, rate_limit=None) as sandbox:
        root = "/api/rest/v1/" if wire == "rest" else "/api/soap/v1/"
        url = f"{sandbox.base_url}{root}x%2F..%2F{sandbox.account_id}"
        if wire == "rest":
            url += f"/Account/{sandbox.account_id}"
            answer = requests.get(url, auth=("u", "p"), timeout=10)
        else:
            answer = requests.post(url, data=b"<x/>", auth=("u", "p"), timeout=10)
        assert answer.status_code in (400, 403, 404), answer.text


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
    with pytest.raises(InvalidRequest) as caught:
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
