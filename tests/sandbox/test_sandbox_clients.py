"""ApimClient and PlatformClient against the emulator over loopback HTTP (SOAP wire)."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from flavours import Flavour

from boomisoap import (
    Account,
    ApiKey,
    ApimClient,
    Application,
    AuthenticationError,
    Conflict,
    Contract,
    EnvelopeValidationError,
    InvalidRequest,
    NotFound,
    Plan,
    PlanStatus,
    PlatformClient,
    Q,
    QuotaLimitUnit,
    RateLimited,
    RateLimitUnit,
    TransportError,
)
from boomisoap.sandbox import Sandbox
from boomisoap.sandbox.seed import DISABLED_PLAN_ID, PLAN_IDS

HOW = Plan(
    name="how",
    description="",
    max_message_size=0,
    rate_limit=9999,
    rate_limit_unit=RateLimitUnit.MINUTE,
    quota_limit=9999,
    quota_limit_unit=QuotaLimitUnit.MONTH,
)


def client(
    sandbox: Sandbox, cls: Any = ApimClient, *, via: Flavour | None = None, **options: Any
) -> Any:
    """A client of ``sandbox``: sync, or (``via`` the async flavour) its async twin."""
    values = {
        "account_id": sandbox.account_id,
        "username": "u",
        "password": "p",
        "base_url": sandbox.base_url,
        "rate_limit": None,
        **options,
    }
    return (via or Flavour("sync")).make(cls, **values)


@pytest.fixture
def apim_client(boomi_sandbox: Sandbox, flavour: Flavour) -> Iterator[Any]:
    """The plugin's fixture, for the sync client and then its async twin."""
    with client(boomi_sandbox, via=flavour) as apim:
        yield apim


def test_plan_lifecycle_of_seed_001(apim_client: ApimClient) -> None:
    plan = apim_client.plans.create(HOW)
    assert plan.plan_id and plan.status is PlanStatus.ENABLED
    assert dataclasses.replace(plan, plan_id=None, status=None) == HOW
    assert apim_client.plans.get(plan.plan_id) == plan
    assert [p.name for p in apim_client.plans.query(Q.status == "ENABLED")] == ["how"]
    updated = apim_client.plans.update(dataclasses.replace(plan, max_message_size=2048))
    assert updated == dataclasses.replace(plan, max_message_size=2048)
    assert apim_client.plans.get(plan.plan_id).max_message_size == 2048
    assert apim_client.plans.delete(plan.plan_id) is True
    with pytest.raises(NotFound) as missing:
        apim_client.plans.get(plan.plan_id)
    assert missing.value.status_code == 404
    # A deleted plan is gone for good: it cannot be updated back to life (410).
    with pytest.raises(NotFound) as gone:
        apim_client.plans.update(plan)
    assert gone.value.status_code == 410
    with pytest.raises(NotFound):
        apim_client.plans.delete(plan.plan_id)


def test_update_is_full_replacement_and_status_keeps(apim_client: ApimClient) -> None:
    plan = apim_client.plans.create(dataclasses.replace(HOW, description="first"))
    disabled = apim_client.plans.update(dataclasses.replace(plan, status=PlanStatus.DISABLED))
    assert disabled.status is PlanStatus.DISABLED
    bare = Plan(plan_id=plan.plan_id, name="renamed")
    replaced = apim_client.plans.update(bare)
    assert replaced == Plan(plan_id=plan.plan_id, name="renamed", status=PlanStatus.DISABLED)


def test_every_query_operator(apim_client: ApimClient) -> None:
    for index, size in enumerate((None, 0, 100, 2048)):
        apim_client.plans.create(
            Plan(
                name=f"p{index}",
                max_message_size=size,
                description=None if index % 2 else f"d{index}",
            )
        )

    def names(expr: Any) -> list[str]:
        return [p.name for p in apim_client.plans.query(expr)]

    assert names(Q.name == "p1") == ["p1"]
    assert names(Q.name != "p1") == ["p0", "p2", "p3"]
    assert names(Q.name.like("p_")) == ["p0", "p1", "p2", "p3"]
    assert names(Q.name.like("%3")) == ["p3"]
    assert names(Q.name.starts_with("p")) == ["p0", "p1", "p2", "p3"]
    assert names(Q.status == "ENABLED") == ["p0", "p1", "p2", "p3"]
    assert names(Q.status.is_null()) == []
    assert names(Q.status.is_not_null()) == ["p0", "p1", "p2", "p3"]
    assert names((Q.name == "p0") | (Q.name == "p3")) == ["p0", "p3"]
    assert names((Q.name.starts_with("p")) & ((Q.name == "p1") | (Q.name == "p2"))) == ["p1", "p2"]
    assert names(None) == ["p0", "p1", "p2", "p3"]


def test_typed_comparisons_on_accounts(seeded: Sandbox, flavour: Flavour) -> None:
    with client(seeded, PlatformClient, via=flavour) as platform:

        def ids(expr: Any) -> list[str]:
            return [a.account_id for a in platform.accounts.query(expr)]

        early = "2010-06-01T00:00:00Z"
        assert ids(Q.dateCreated < early) == ["abc-H566GG"]
        assert ids(Q.dateCreated <= "2010-02-22T15:43:03Z") == ["abc-H566GG"]
        assert "abc-H566GG" not in ids(Q.dateCreated > "2010-02-22T15:43:03Z")
        assert ids(Q.dateCreated >= "2022-09-02T20:16:28Z") == ["boomiqa-T7KIDU"]
        between = ids(Q.dateCreated.between("2010-01-01T00:00:00Z", "2010-12-31T00:00:00Z"))
        assert between == ["abc-H566GG", "xyz-V3M1QL"]
        assert ids(Q.overDeployed == True) == [  # noqa: E712 - a query, not a comparison
            f"child-{n:05d}" for n in range(11, 121, 11)
        ]
        assert ids(Q.expirationDate.is_null()) == []


def test_contract_crud_warns_and_keeps_deleted(apim_client: ApimClient) -> None:
    with pytest.warns(DeprecationWarning):
        contract = apim_client.contracts.create(
            Contract(name="c", rate_limit=5, rate_limit_unit=RateLimitUnit.HOUR)
        )
    assert contract.deleted is False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert apim_client.contracts.get(contract.contract_id) == contract
        renamed = apim_client.contracts.update(dataclasses.replace(contract, name="c2"))
        assert renamed.name == "c2"
        assert [c.name for c in apim_client.contracts.query(Q.deleted == "false")] == ["c2"]
        assert apim_client.contracts.delete(contract.contract_id) is True
        # Seed 002: a deleted contract still answers, flagged deleted.
        assert apim_client.contracts.get(contract.contract_id).deleted is True
        assert [c.name for c in apim_client.contracts.query(Q.deleted == True)] == ["c2"]  # noqa: E712
        with pytest.raises(NotFound) as gone:
            apim_client.contracts.update(renamed)
        assert gone.value.status_code == 410


def test_application_and_api_key(apim_client: ApimClient) -> None:
    app = apim_client.applications.create(Application(application_name="shop"))
    assert app.enabled is True and app.deleted is False
    assert apim_client.applications.get(app.application_id) == app
    app = apim_client.applications.update(dataclasses.replace(app, contact_name="Ann"))
    assert [
        a.contact_name for a in apim_client.applications.query(Q.applicationName == "shop")
    ] == ["Ann"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        contract = apim_client.contracts.create(Contract(name="c"))
    key = apim_client.api_keys.create(
        ApiKey(api_id="api-1", environment_id="env-1", application_id=app.application_id)
    )
    assert key.key and len(key.key) >= 32 and key.generated_by == "u"
    assert key.generated_at is not None and key.enabled is True and key.deleted is False
    assert apim_client.api_keys.get(key.key) == key
    attached = apim_client.api_keys.update(
        dataclasses.replace(key, contract_id=contract.contract_id)
    )
    assert attached.contract_id == contract.contract_id and attached.key == key.key
    # The key is the identifier: another key names another (here: no) ApiKey.
    with pytest.raises(NotFound) as changed:
        apim_client.api_keys.update(dataclasses.replace(key, key="my-own-key"))
    assert changed.value.field == "key" and "my-own-key" not in str(changed.value)
    with pytest.raises(InvalidRequest) as moved:
        apim_client.api_keys.update(dataclasses.replace(key, api_id="api-2"))
    assert moved.value.field == "apiId"
    with pytest.raises(InvalidRequest) as dangling:
        apim_client.api_keys.create(
            ApiKey(api_id="a", environment_id="e", application_id="no-such-app")
        )
    assert dangling.value.field == "applicationId"
    assert [k.key for k in apim_client.api_keys.query(Q.apiId == "api-1")] == [key.key]
    assert apim_client.api_keys.delete(key.key) is True
    assert apim_client.applications.delete(app.application_id) is True
    assert apim_client.applications.get(app.application_id).deleted is True


def test_account_get_bulk_and_query(seeded: Sandbox, flavour: Flavour) -> None:
    with client(seeded, PlatformClient, via=flavour) as platform:
        qa = platform.accounts.get("boomiqa-T7KIDU")
        assert qa.name == "BoomiQA" and qa.licensing and qa.licensing.standard
        assert (qa.licensing.standard.purchased, qa.licensing.standard.used) == (1000000, 60)
        assert qa.molecule and qa.molecule.purchased == 10
        own = platform.accounts.get(seeded.account_id)
        assert isinstance(own, Account)
        items = platform.accounts.get_many(["abc-H566GG", "missing", "xyz-V3M1QL"])
        assert [(i.index, i.status_code) for i in items] == [(0, 200), (1, 400), (2, 200)]
        assert items[2].unwrap().name == "Boomi Inc"
        with pytest.raises(InvalidRequest):  # Boomi's 400 for an unknown id in a bulk GET
            items[1].unwrap()
        many = platform.accounts.get_many([f"child-{n:05d}" for n in range(1, 121)])
        assert len(many) == 120 and all(i.ok for i in many)  # two bulk requests of <= 100
        active = platform.accounts.query(Q.status != "deleted")
        assert len(list(active)) == 111 and active.pages_fetched == 2
        with pytest.raises(NotFound):
            platform.accounts.get("missing")


# every error class, provoked for real ---------------------------------------------------


def test_invalid_request(apim_client: ApimClient, boomi_sandbox: Sandbox) -> None:
    with pytest.raises(InvalidRequest) as unknown:
        list(apim_client.plans.query(Q.colour == "red"))
    assert str(unknown.value) == "colour does not exist"
    # The same through the server: a raw query with an unknown property.
    from .helpers import envelope, fault, post

    body = (
        "<soap:query><apim:objectType>Plan</apim:objectType><api:queryConfig><api:QueryFilter>"
        '<api:expression operator="EQUALS" property="colour" xsi:type="api:SimpleExpression">'
        "<api:argument>red</api:argument></api:expression></api:QueryFilter></api:queryConfig>"
        "</soap:query>"
    )
    assert fault(post(boomi_sandbox, envelope(body)))[1:] == (400, "colour does not exist")
    unknown_type = envelope(
        "<soap:get><apim:objectType>Widget</apim:objectType><apim:objectId>1</apim:objectId>"
        "</soap:get>"
    )
    assert fault(post(boomi_sandbox, unknown_type))[1:] == (400, "Widget does not exist")


def test_authentication_error(boomi_sandbox: Sandbox, flavour: Flavour) -> None:
    with (
        client(boomi_sandbox, via=flavour, password="wrong") as bad,
        pytest.raises(AuthenticationError) as err,
    ):
        bad.plans.get("x")
    assert err.value.status_code == 403
    tokens = {"password": None, "token": "no-such-token"}
    with client(boomi_sandbox, via=flavour, **tokens) as bad, pytest.raises(AuthenticationError):
        bad.plans.get("x")


def test_not_found(apim_client: ApimClient) -> None:
    with pytest.raises(NotFound) as err:
        apim_client.plans.get("00000000-0000-0000-0000-000000000000")
    assert err.value.status_code == 404 and err.value.fault_code == "Client"


def test_conflict_for_a_plan_in_use(apim_client: ApimClient, boomi_sandbox: Sandbox) -> None:
    plan = apim_client.plans.create(HOW)
    boomi_sandbox.subscribe(plan.plan_id)
    with pytest.raises(Conflict) as err:
        apim_client.plans.delete(plan.plan_id)
    assert err.value.status_code == 409 and "subscription" in err.value.message
    boomi_sandbox.unsubscribe(plan.plan_id)
    boomi_sandbox.associate(plan.plan_id, "deployment-7")
    with pytest.raises(Conflict, match="deployment deployment-7"):
        apim_client.plans.delete(plan.plan_id)
    assert boomi_sandbox.count("Plan") == 1


def test_rate_limited(flavour: Flavour) -> None:
    with Sandbox.start(rate_limit=2.0) as sandbox, client(sandbox, via=flavour, retries=0) as apim:
        with pytest.raises(RateLimited) as err:
            for _ in range(10):
                list(apim.plans.query())
        assert err.value.status_code == 503


def test_rate_limited_request_succeeds_on_retry(flavour: Flavour) -> None:
    # 503s are retried with a fresh token each time until the bucket lets one through.
    with Sandbox.start(rate_limit=5.0) as sandbox, client(sandbox, via=flavour, retries=5) as apim:
        for _ in range(12):
            list(apim.plans.query())


def test_envelope_validation_error_client_side(boomi_sandbox: Sandbox, requests_mock: Any) -> None:
    with client(boomi_sandbox) as apim:
        with pytest.raises(EnvelopeValidationError) as request_side:
            apim.envelope("create", apim.plans.spec, Plan(name="p", max_message_size=-1))
        assert request_side.value.direction == "request"
    # A response the schema refuses (a known field wrongly typed), whoever sent it.
    answer = (
        '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
        '<bns:getResponse xmlns:bns="http://api.platform.boomi.com/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><bns:result '
        'xsi:type="bns:Account" accountId="a-1" widgetAccount="maybe"/></bns:getResponse>'
        "</S:Body></S:Envelope>"
    )
    url = f"http://boomi.invalid/api/soap/v1/{boomi_sandbox.account_id}"
    requests_mock.post(url, text=answer, headers={"Content-Type": "text/xml"})
    with client(boomi_sandbox, PlatformClient, base_url="http://boomi.invalid") as platform:
        with pytest.raises(EnvelopeValidationError) as response_side:
            platform.accounts.get("a-1")
        assert response_side.value.direction == "response"
        assert "widgetAccount" in response_side.value.path + response_side.value.reason


def test_transport_error_when_the_server_is_gone(flavour: Flavour) -> None:
    sandbox = Sandbox.start(rate_limit=None)
    apim = client(sandbox, via=flavour, retries=0)
    assert list(apim.plans.query()) == []
    sandbox.stop()
    with pytest.raises(TransportError) as err:
        apim.plans.get("x")
    assert err.value.http_status is None
    apim.close()


def test_seeded_plans_match_seed_001(seeded: Sandbox, flavour: Flavour) -> None:
    with client(seeded, via=flavour) as apim:
        enabled = list(apim.plans.query(Q.status == "ENABLED"))
        assert [(p.name, p.plan_id) for p in enabled] == list(PLAN_IDS.items())
        assert apim.plans.get(DISABLED_PLAN_ID).max_message_size == 1024
