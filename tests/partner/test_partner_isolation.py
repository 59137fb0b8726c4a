"""Isolation: no call with an override outside the partner's hierarchy reads or changes
anything, over every operation of every object type on both wires, and the refusal is the
same whether the target account exists (another partner's) or not."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import requests

from boomisoap import (
    ApiKey,
    Application,
    AuthenticationError,
    BoomiError,
    Contract,
    InvalidRequest,
    Plan,
)
from boomisoap.models.registry import spec_for
from boomisoap.partner import PartnerClient
from boomisoap.sandbox import Sandbox
from boomisoap.sandbox.partner import NOT_IN_HIERARCHY
from boomisoap.services import ObjectService

from .conftest import SUB_1, SUB_2, WIRES, partner_client

# Another partner's sub-account, another partner, and an account that does not exist.
pytestmark = pytest.mark.filterwarnings("ignore:Contract is deprecated:DeprecationWarning")

OUTSIDE = ("other-sub-1", "other-partner", "no-such-account")
TYPES = ("Plan", "Contract", "ApiKey", "Application", "Account")
TARGET_OBJECTS = {
    "Plan": Plan(plan_id="plan-of-other", name="theirs"),
    "Contract": Contract(contract_id="contract-of-other", name="theirs"),
    "Application": Application(application_id="app-of-other", application_name="theirs"),
    "ApiKey": ApiKey(
        key="key-of-other", api_id="a", environment_id="e", application_id="app-of-other"
    ),
}


def _snapshot(sandbox: Sandbox) -> dict[tuple[str, str], Any]:
    accounts = (sandbox.account_id, SUB_1, SUB_2, *OUTSIDE)
    found: dict[tuple[str, str], Any] = {}
    with sandbox.store.transaction() as tx:
        for type_name in (*TYPES, "Account"):
            found[("*", type_name)] = tx.count(None, type_name, include_deleted=True)
            for account in accounts:
                rows = tx.scan(account, type_name, include_deleted=True)
                found[(account, type_name)] = [(r.id, r.text, r.deleted) for r in rows]
    return found


def _service(client: PartnerClient, type_name: str) -> ObjectService[Any]:
    services = {
        "Plan": client.plans,
        "Contract": client.contracts,
        "ApiKey": client.api_keys,
        "Application": client.applications,
        "Account": client.accounts,
    }
    return services[type_name]


def _calls(client: PartnerClient, type_name: str) -> dict[str, Any]:
    """One call per operation the type supports, with ids of the other partner's objects."""
    service = _service(client, type_name)
    spec = service.spec
    target = TARGET_OBJECTS.get(type_name)
    object_id = "other-sub-1" if target is None else getattr(target, spec.id_field or "")
    # queryMore has no public method of its own: the wire's operation, sent by the service.
    wire = service._calls.wire
    calls: dict[str, Any] = {
        "get": lambda: service.get(object_id),
        "query": lambda: list(service.query()),
        "queryMore": lambda: service._run(wire.query_more(spec, "token-of-other")),
        "getBulk": lambda: service.get_many([object_id]),
        "delete": lambda: service.delete(object_id),
    }
    if target is not None:
        fresh = dataclasses.replace(target, **{spec.id_field or "": None})
        calls["create"] = lambda: service.create(fresh)
        calls["update"] = lambda: service.update(target)
    return {op: call for op, call in calls.items() if op in spec.operations or op == "queryMore"}


@pytest.mark.parametrize("wire", WIRES)
def test_sweep_outside_the_hierarchy(sandbox: Sandbox, wire: str) -> None:
    for obj in TARGET_OBJECTS.values():
        sandbox.state.put("other-sub-1", obj, spec_for(type(obj).__name__))
    before = _snapshot(sandbox)
    swept = 0
    with partner_client(sandbox, wire) as client:
        for type_name in TYPES:
            for operation, call in _calls(client, type_name).items():
                refusals = set()
                for target in OUTSIDE:
                    with client.override(target), pytest.raises(BoomiError) as refused:
                        call()
                    error = refused.value
                    refusals.add((type(error), error.status_code, error.message, error.field))
                    swept += 1
                assert len(refusals) == 1, (type_name, operation, refusals)
                kind, status, message, field = refusals.pop()
                if (type_name, operation) == ("Account", "delete"):
                    # Takes no override: refused before sending.
                    assert (kind, field) == (InvalidRequest, "override_account")
                else:
                    assert (kind, status, message) == (AuthenticationError, 403, NOT_IN_HIERARCHY)
    assert swept >= 3 * 25
    assert _snapshot(sandbox) == before
    # Every refused request reached the emulator except the ones refused before sending.
    refused_here = [s for _, key, s in sandbox.partner.served if s == 403]
    assert len(refused_here) == swept - 3


def test_refusal_bytes_are_the_same_for_existing_and_missing_targets(sandbox: Sandbox) -> None:
    sandbox.state.put("other-sub-1", TARGET_OBJECTS["Plan"], spec_for("Plan"))
    root = f"{sandbox.base_url}/partner/api/rest/v1/{sandbox.account_id}"
    answers = set()
    for target in OUTSIDE:
        answer = requests.get(
            f"{root}/plan/plan-of-other",
            params={"overrideAccount": target},
            auth=("u", "p"),
            timeout=10,
        )
        answers.add((answer.status_code, answer.content))
    assert len(answers) == 1
    status, body = answers.pop()
    assert status == 403 and b"theirs" not in body

    soap_url = f"{sandbox.base_url}/partner/api/soap/v1/{sandbox.account_id}"
    bodies = set()
    with partner_client(sandbox, "soap") as client:
        for target in OUTSIDE:
            with client.override(target):
                envelope = client.envelope("get", client.plans.spec, "plan-of-other")
            answer = requests.post(
                soap_url,
                data=envelope,
                headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
                timeout=10,
            )
            bodies.add((answer.status_code, answer.content))
    assert len(bodies) == 1
    status, body = bodies.pop()
    assert status == 403 and NOT_IN_HIERARCHY.encode() in body and b"theirs" not in body


def test_an_unauthenticated_caller_learns_nothing_of_the_hierarchy(sandbox: Sandbox) -> None:
    root = f"{sandbox.base_url}/partner/api/rest/v1/{sandbox.account_id}"
    answers = set()
    for target in (SUB_1, *OUTSIDE):
        answer = requests.post(
            f"{root}/plan/query",
            params={"overrideAccount": target},
            auth=("u", "wrong"),
            json={},
            timeout=10,
        )
        answers.add((answer.status_code, answer.content))
    assert len(answers) == 1
    assert answers.pop()[0] in (401, 403)


def test_each_sub_account_sees_only_its_own_data(sandbox: Sandbox) -> None:
    for wire in WIRES:
        with partner_client(sandbox, wire) as client:
            with client.override(SUB_1):
                mine = client.plans.create(Plan(name=f"{SUB_1} {wire}"))
            with client.override(SUB_2):
                assert [p.name for p in client.plans.query()] == [
                    p.name for p in client.plans.query()
                ]
                assert all(p.plan_id != mine.plan_id for p in client.plans.query())
                with pytest.raises(BoomiError) as missing:
                    client.plans.get(mine.plan_id or "")
                assert missing.value.status_code == 404
    assert sandbox.state.count(SUB_1, "Plan") == 2
    assert sandbox.state.count(SUB_2, "Plan") == 0


def test_the_platform_endpoints_refuse_the_override(sandbox: Sandbox) -> None:
    answer = requests.post(
        f"{sandbox.base_url}/api/rest/v1/{sandbox.account_id}/Account/query",
        params={"overrideAccount": SUB_1},
        auth=("u", "p"),
        json={},
        timeout=10,
    )
    assert answer.status_code == 400 and answer.json()["field"] == "overrideAccount"


def test_the_platform_soap_endpoint_refuses_the_override_header(sandbox: Sandbox) -> None:
    with partner_client(sandbox, "soap") as client, client.override(SUB_1):
        envelope = client.envelope("get", client.plans.spec, "any")
    answer = requests.post(
        f"{sandbox.base_url}/apim/api/soap/v1/{sandbox.account_id}",
        data=envelope,
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
        timeout=10,
    )
    assert answer.status_code == 500 and b"field>accountId</" in answer.content
