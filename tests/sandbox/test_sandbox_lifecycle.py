"""Deprecated and retired object types end to end: emulator and client over loopback HTTP.

``Sandbox.start(deprecated=..., retired=...)`` makes the emulator answer as Boomi's
versioning policy says (headers on a deprecated type; 410 or 301/308 for a retired one);
the clients must turn that into a DeprecationWarning and a ``Retired`` error on both wires.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from boomisoap import (
    ApimClient,
    AuthenticationError,
    Contract,
    InvalidRequest,
    NotFound,
    Plan,
    PlatformClient,
    Retired,
)
from boomisoap.rest.responses import raise_for_status
from boomisoap.sandbox import Deprecated, Retirement, Sandbox
from boomisoap.sandbox.httpio import POLICY_URL
from boomisoap.transport import HttpResponse

WIRES = ["soap", "rest"]
PASSWORD = "p-Loopback-9xQ"


def client(sandbox: Sandbox, wire: str, cls: type[Any] = ApimClient) -> Any:
    return cls(
        account_id=sandbox.account_id,
        username="u",
        password=PASSWORD,
        base_url=sandbox.base_url,
        wire=wire,
        rate_limit=None,
    )


@pytest.fixture(scope="module")
def retired() -> Iterator[Sandbox]:
    with Sandbox.start(
        users={"u": PASSWORD},
        rate_limit=None,
        retired={
            "Contract": None,
            "Application": "/apim/api/rest/v1/{account}/plan",
            "Account": Retirement("https://replacement.test/api/rest/v2/Account", status=301),
        },
        deprecated={"Plan": Deprecated(successor=None)},
    ) as sandbox:
        yield sandbox


@pytest.mark.parametrize("wire", WIRES)
def test_a_retired_type_answers_410_and_raises_retired(retired: Sandbox, wire: str) -> None:
    with client(retired, wire) as apim, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Contract's own, static one
        with pytest.raises(NotFound) as caught:
            apim.contracts.create(Contract(name="c"))
        error = caught.value
        assert isinstance(error, Retired)
        assert (error.object_type, error.status_code, error.location) == ("Contract", 410, None)
        assert "Contract is retired by Boomi (HTTP 410)" in str(error)
        # Nothing was created: the emulator refused before doing anything.
        assert retired.state.count(retired.account_id, "Contract") == 0


@pytest.mark.parametrize("wire", WIRES)
def test_a_retired_type_redirects_to_its_replacement(retired: Sandbox, wire: str) -> None:
    with client(retired, wire) as apim:
        with pytest.raises(Retired) as caught:
            apim.applications.get("app-1")
        error = caught.value
        expected = f"{retired.base_url}/apim/api/rest/v1/{retired.account_id}/plan"
        assert (error.object_type, error.status_code, error.location) == (
            "Application",
            308,
            expected,
        )
        assert expected in str(error) and "Application" in str(error)
    with client(retired, wire, PlatformClient) as plat:
        with pytest.raises(Retired) as moved:
            plat.accounts.get(retired.account_id)
        assert moved.value.status_code == 301
        assert moved.value.location == "https://replacement.test/api/rest/v2/Account"


def test_the_raw_retired_answers_are_boomis(retired: Sandbox) -> None:
    root = f"{retired.base_url}/apim/api/rest/v1/{retired.account_id}"
    gone = requests.get(f"{root}/contract/c-1", auth=("u", PASSWORD), timeout=10)
    assert gone.status_code == 410 and gone.json() == {
        "message": "Contract is retired and no longer available"
    }
    moved = requests.get(
        f"{root}/application/a-1", auth=("u", PASSWORD), timeout=10, allow_redirects=False
    )
    assert moved.status_code == 308 and moved.headers["Location"] == f"{root}/plan"
    refused = requests.get(f"{root}/contract/c-1", auth=("u", "wrong"), timeout=10)
    assert refused.status_code == 403  # a retired type still authenticates first


@pytest.mark.parametrize("wire", WIRES)
def test_a_declared_deprecation_warns_once_with_sunset_and_link(
    retired: Sandbox, wire: str
) -> None:
    with client(retired, wire) as apim:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            created = apim.plans.create(Plan(name=f"plan-{wire}"))
            apim.plans.get(created.plan_id)
            list(apim.plans.query())
        messages = [str(w.message) for w in caught if w.category is DeprecationWarning]
        assert len(messages) == 1
        assert "Plan" in messages[0] and "2027-12-31" in messages[0] and POLICY_URL in messages[0]
        notice = apim.deprecations["Plan"]
        assert notice.sunset == datetime(2027, 12, 31, 23, 59, 59, tzinfo=UTC)
        assert notice.version == "1.0" and notice.link == POLICY_URL
        assert notice.successor is None
        assert "deprecated API endpoint" in (notice.message or "")


@pytest.mark.parametrize("wire", WIRES)
def test_contract_deprecation_is_read_from_the_headers(wire: str) -> None:
    with (
        Sandbox.start(users={"u": PASSWORD}, rate_limit=None) as sandbox,
        client(sandbox, wire) as apim,
    ):
        with pytest.warns(DeprecationWarning) as caught:
            apim.contracts.create(Contract(name="c"))
        texts = [str(w.message) for w in caught]
        # The static warning of the field map, and the one the headers carried.
        assert "Contract is deprecated by Boomi; use Plan" in texts
        header_driven = [t for t in texts if t.startswith("Contract is deprecated by Boomi since")]
        assert len(header_driven) == 1 and "sunset 2027-12-31" in header_driven[0]
        notice = apim.deprecations["Contract"]
        assert notice.successor == (
            f"{sandbox.base_url}/apim/api/rest/v1/{sandbox.account_id}/plan"
        )
        assert "Plan" not in apim.deprecations


def test_an_unknown_type_name_fails_the_start() -> None:
    with pytest.raises(ValueError, match="Contrakt"):
        Sandbox(retired={"Contrakt": None})
    with pytest.raises(ValueError, match="301 or 308"):
        Retirement("/x", status=302)


def test_the_emulators_rest_errors_carry_boomis_message_key(retired: Sandbox) -> None:
    root = f"{retired.base_url}/apim/api/rest/v1/{retired.account_id}"
    missing = requests.get(f"{root}/plan/nope", auth=("u", PASSWORD), timeout=10)
    assert missing.status_code == 404
    assert isinstance(missing.json()["message"], str)


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [("application/json", "application/json"), ("application/xml", "application/xml")],
)
def test_the_emulators_rest_errors_in_boomis_shapes_read_by_the_client(
    retired: Sandbox, accept: str, content_type: str
) -> None:
    root = f"{retired.base_url}/apim/api/rest/v1/{retired.account_id}"
    raw = requests.post(
        f"{root}/plan/query",
        data=b'{"QueryFilter": {"expression": {"operator": "EQUALS", "property": "nope"}}}',
        auth=("u", PASSWORD),
        headers={"Accept": accept, "Content-Type": "application/json"},
        timeout=10,
    )
    assert raw.status_code == 400 and raw.headers["Content-Type"] == content_type
    if accept == "application/xml":
        assert raw.text.startswith("<error><message>") and "nope" in raw.text
    else:
        assert "nope" in raw.json()["message"]
    # The client's reader turns either shape into the same typed error.
    answer = HttpResponse(raw.status_code, dict(raw.headers), raw.content)
    with pytest.raises(InvalidRequest) as caught:
        raise_for_status(answer, excerpt=lambda: "", secrets=())
    assert "nope does not exist" in caught.value.message


@pytest.mark.parametrize("wire", WIRES)
def test_401_and_403_from_the_emulator_are_both_authentication_errors(
    retired: Sandbox, wire: str
) -> None:
    root = f"{retired.base_url}/apim/api/rest/v1/{retired.account_id}"
    anonymous = requests.get(f"{root}/plan/p-1", timeout=10)  # no credentials at all
    assert anonymous.status_code == 401
    answer = HttpResponse(anonymous.status_code, dict(anonymous.headers), anonymous.content)
    with pytest.raises(AuthenticationError) as missing:
        raise_for_status(answer, excerpt=lambda: "", secrets=())
    assert missing.value.status_code == 401
    intruder = ApimClient(
        account_id=retired.account_id,
        username="u",
        password="not-the-password",
        base_url=retired.base_url,
        wire=wire,
        rate_limit=None,
    )
    with intruder, pytest.raises(AuthenticationError) as refused:
        intruder.plans.get("p-1")
    assert refused.value.status_code == 403
    assert "not-the-password" not in str(refused.value)
