"""APIM over the JSON wire, against the seeds' JSON examples (requests_mock)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import _rest_seeds as seeds
import pytest
from _rest_helpers import ACCOUNT, APIM_ROOT, BASE, CREDENTIALS, PASSWORD, USER, sent_json
from requests_mock import ANY, Mocker

from boomisoap import (
    ApiKey,
    ApimClient,
    Application,
    Contract,
    EnvelopeValidationError,
    InvalidRequest,
    Plan,
    PlanStatus,
    Q,
    QuotaLimitUnit,
    RateLimitUnit,
    UnknownFieldWarning,
)
from boomisoap.models.extras import forget_reported

HOW = "575b480a-ae86-4aba-905f-75263bf40276"
BIG = 999999999999999999


def test_plan_get(apim: ApimClient, requests_mock: Mocker) -> None:
    plan_id = "4d50decd-f2b6-d59e-53f4-22ec4f188bb1"
    mock = requests_mock.get(f"{APIM_ROOT}/plan/{plan_id}", text=seeds.PLAN_GET)
    plan = apim.plans.get(plan_id)
    assert plan == Plan(
        plan_id=plan_id,
        name="apiTestKh",
        description="",
        max_message_size=1024,
        rate_limit=0,
        quota_limit=0,
        rate_limit_unit=RateLimitUnit.SECOND,
        quota_limit_unit=QuotaLimitUnit.DAY,
        status=PlanStatus.DISABLED,
    )
    request = mock.last_request
    assert request.method == "GET"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Authorization"] == f"Basic {CREDENTIALS}"


def test_plan_query(apim: ApimClient, requests_mock: Mocker) -> None:
    mock = requests_mock.post(f"{APIM_ROOT}/plan/query", text=seeds.PLAN_QUERY_RESPONSE)
    plans = list(apim.plans.query(Q.status == "ENABLED"))
    assert sent_json(mock.last_request) == json.loads(seeds.PLAN_QUERY_REQUEST)
    assert mock.last_request.headers["Content-Type"] == "application/json"
    assert [p.name for p in plans] == ["v", "w", "x", "y", "z"]
    assert plans[0] == Plan(
        plan_id="99f8e822-8f2d-fdf6-4849-6f8d236dbe34",
        name="v",
        description="",
        max_message_size=0,
        rate_limit=0,
        quota_limit=0,
        rate_limit_unit=RateLimitUnit.SECOND,
        quota_limit_unit=QuotaLimitUnit.DAY,
        status=PlanStatus.ENABLED,
    )
    # The seed's "x" has no maxMessageSize: unlimited.
    assert plans[2].max_message_size is None
    assert all(p.status is PlanStatus.ENABLED for p in plans)


def test_plan_query_without_filter_sends_an_empty_query_filter(
    apim: ApimClient, requests_mock: Mocker
) -> None:
    mock = requests_mock.post(
        f"{APIM_ROOT}/plan/query", json={"@type": "ApimQueryResult", "numberOfResults": 0}
    )
    assert list(apim.plans.query()) == []
    assert sent_json(mock.last_request) == {"QueryFilter": {}}


def test_plan_create(apim: ApimClient, requests_mock: Mocker) -> None:
    mock = requests_mock.post(f"{APIM_ROOT}/plan/", text=seeds.PLAN_CREATE_RESPONSE)
    created = apim.plans.create(
        Plan(
            name="how",
            description="",
            max_message_size=0,
            rate_limit=9999,
            quota_limit=9999,
            rate_limit_unit=RateLimitUnit.MINUTE,
            quota_limit_unit=QuotaLimitUnit.MONTH,
        )
    )
    assert sent_json(mock.last_request) == {
        **json.loads(seeds.PLAN_CREATE_REQUEST),
    }
    assert created.plan_id == HOW
    assert created.status is PlanStatus.ENABLED
    assert (created.rate_limit, created.quota_limit) == (9999, 9999)
    assert created.rate_limit_unit is RateLimitUnit.MINUTE
    assert created.quota_limit_unit is QuotaLimitUnit.MONTH


def test_plan_create_never_sends_server_assigned_fields(
    apim: ApimClient, requests_mock: Mocker
) -> None:
    mock = requests_mock.post(f"{APIM_ROOT}/plan/", text=seeds.PLAN_CREATE_RESPONSE)
    apim.plans.create(Plan(name="how", plan_id="caller-chosen"))
    assert sent_json(mock.last_request) == {"name": "how"}


def test_plan_update(apim: ApimClient, requests_mock: Mocker) -> None:
    mock = requests_mock.post(f"{APIM_ROOT}/plan/{HOW}/update", text=seeds.PLAN_UPDATE_RESPONSE)
    created = Plan(
        plan_id=HOW,
        name="how",
        description="",
        max_message_size=0,
        rate_limit=9999,
        quota_limit=9999,
        rate_limit_unit=RateLimitUnit.MINUTE,
        quota_limit_unit=QuotaLimitUnit.MONTH,
    )
    updated = apim.plans.update(dataclasses.replace(created, max_message_size=2048))
    assert sent_json(mock.last_request) == {
        **json.loads(seeds.PLAN_UPDATE_REQUEST),
    }
    assert updated == dataclasses.replace(created, max_message_size=2048, status=PlanStatus.ENABLED)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (seeds.DELETE_AS_PUBLISHED, True),
        (seeds.DELETE_JSON, True),
        (" { true }\n", True),
        ("false", False),
    ],
)
def test_plan_delete(apim: ApimClient, requests_mock: Mocker, body: str, expected: bool) -> None:
    mock = requests_mock.delete(f"{APIM_ROOT}/plan/{HOW}", text=body)
    assert apim.plans.delete(HOW) is expected
    assert mock.last_request.method == "DELETE"


def test_delete_rejects_anything_but_a_boolean(apim: ApimClient, requests_mock: Mocker) -> None:
    requests_mock.delete(f"{APIM_ROOT}/plan/{HOW}", json={"deleted": True})
    with pytest.raises(EnvelopeValidationError):
        apim.plans.delete(HOW)


def test_ids_are_percent_encoded_whole(apim: ApimClient, requests_mock: Mocker) -> None:
    mock = requests_mock.get(f"{APIM_ROOT}/plan/a%2Fb%3Fc", text=seeds.PLAN_GET)
    apim.plans.get("a/b?c")
    assert mock.called


# Contract (deprecated) --------------------------------------------------------------


def test_contract_get(apim: ApimClient, requests_mock: Mocker) -> None:
    contract_id = "4d50decd-f2b6-d59e-53f4-22ec4f188bb1"
    requests_mock.get(f"{APIM_ROOT}/contract/{contract_id}", text=seeds.CONTRACT_GET)
    with pytest.warns(DeprecationWarning, match="Plan"):
        contract = apim.contracts.get(contract_id)
    assert contract == Contract(
        contract_id=contract_id,
        name="Less than 0",
        max_message_size=1024,
        rate_limit=0,
        quota_limit=0,
        rate_limit_unit=RateLimitUnit.SECOND,
        quota_limit_unit=QuotaLimitUnit.DAY,
        deleted=True,
    )


def test_contract_query(apim: ApimClient, requests_mock: Mocker) -> None:
    mock = requests_mock.post(f"{APIM_ROOT}/contract/query", text=seeds.CONTRACT_QUERY_RESPONSE)
    where = (Q.contractId == "c0cd5950-5f79-42a7-9dff-678d87989207") & (Q.deleted == "false")
    with pytest.warns(DeprecationWarning):
        contracts = list(apim.contracts.query(where))
    assert sent_json(mock.last_request) == json.loads(seeds.CONTRACT_QUERY_REQUEST)
    assert [c.name for c in contracts] == ["v", "w", "x", "y", "z"]
    assert all(c.deleted is False for c in contracts)
    assert contracts[2].max_message_size is None
    assert contracts[4].contract_id == "67ada6c5-4323-18a8-b1e0-2f688c38bda2"


def _test_qa() -> Contract:
    return Contract(
        name="testQA",
        max_message_size=0,
        rate_limit=BIG,
        rate_limit_unit=RateLimitUnit.MINUTE,
        quota_limit=BIG,
        quota_limit_unit=QuotaLimitUnit.MONTH,
    )


def test_contract_create_keeps_64_bit_numbers_exact(
    apim: ApimClient, requests_mock: Mocker
) -> None:
    mock = requests_mock.post(f"{APIM_ROOT}/contract/", text=seeds.CONTRACT_CREATE_RESPONSE)
    with pytest.warns(DeprecationWarning):
        created = apim.contracts.create(_test_qa())
    raw = mock.last_request.body.decode()
    assert '"rateLimit":999999999999999999' in raw
    # Boomi's documented request bodies carry no "@type".
    expected_body = json.loads(seeds.CONTRACT_CREATE_REQUEST)
    assert sent_json(mock.last_request) == expected_body
    assert created == dataclasses.replace(
        _test_qa(), contract_id="575b480a-ae86-4aba-905f-75263bf40276", deleted=False
    )
    assert created.rate_limit == BIG and created.quota_limit == BIG


def test_contract_create_response_with_the_seeds_swapped_units_is_reported(
    apim: ApimClient, requests_mock: Mocker
) -> None:
    # The seed answers rateLimitUnit "DAY" (a QuotaLimitUnit). Responses are read openly
    # (issue 13: Boomi adds enumeration values), so by default it is a plain string with a
    # warning; validate="strict" refuses it as before, naming the field.
    requests_mock.post(f"{APIM_ROOT}/contract/", text=seeds.CONTRACT_CREATE_RESPONSE_AS_PUBLISHED)
    forget_reported()
    with pytest.warns(DeprecationWarning), pytest.warns(UnknownFieldWarning) as seen:
        created = apim.contracts.create(_test_qa())
    unknown = [w for w in seen if w.category is UnknownFieldWarning]
    assert sorted(str(w.message).split("'")[1] for w in unknown) == [
        "quotaLimitUnit",
        "rateLimitUnit",
    ]
    assert created.rate_limit_unit == "DAY" and type(created.rate_limit_unit) is str
    strict = ApimClient(
        account_id=ACCOUNT,
        username=USER,
        password=PASSWORD,
        base_url=BASE,
        wire="rest",
        rate_limit=None,
        validate="strict",
    )
    with pytest.warns(DeprecationWarning), pytest.raises(EnvelopeValidationError) as caught:
        strict.contracts.create(_test_qa())
    assert caught.value.path == "/rateLimitUnit"
    assert caught.value.direction == "response"


def test_contract_update_refuses_the_seeds_negative_size_before_sending(
    apim: ApimClient, requests_mock: Mocker
) -> None:
    mock = requests_mock.post(ANY, text=seeds.CONTRACT_UPDATE_RESPONSE)
    published = seeds.CONTRACT_UPDATE_REQUEST_AS_PUBLISHED
    contract = Contract(
        contract_id=published["contractId"],
        name=published["name"],
        max_message_size=published["maxMessageSize"],
        rate_limit=published["rateLimit"],
        rate_limit_unit=RateLimitUnit(published["rateLimitUnit"]),
        quota_limit=published["quotaLimit"],
        quota_limit_unit=QuotaLimitUnit(published["quotaLimitUnit"]),
    )
    with pytest.warns(DeprecationWarning), pytest.raises(InvalidRequest) as caught:
        apim.contracts.update(contract)
    assert caught.value.field == "maxMessageSize"
    assert mock.call_count == 0


def test_contract_update(apim: ApimClient, requests_mock: Mocker) -> None:
    contract_id = "c340ccd1-0dfd-4cff-8e40-ef4f3d6da5f9"
    mock = requests_mock.post(
        f"{APIM_ROOT}/contract/{contract_id}/update", text=seeds.CONTRACT_UPDATE_RESPONSE
    )
    contract = dataclasses.replace(_test_qa(), contract_id=contract_id, name="how")
    with pytest.warns(DeprecationWarning):
        updated = apim.contracts.update(dataclasses.replace(contract, max_message_size=None))
    sent = sent_json(mock.last_request)
    assert sent["contractId"] == contract_id and "maxMessageSize" not in sent
    assert sent["rateLimit"] == BIG
    assert updated == dataclasses.replace(contract, max_message_size=None, deleted=False)


def test_contract_delete(apim: ApimClient, requests_mock: Mocker) -> None:
    requests_mock.delete(f"{APIM_ROOT}/contract/{HOW}", text=seeds.DELETE_AS_PUBLISHED)
    with pytest.warns(DeprecationWarning):
        assert apim.contracts.delete(HOW) is True


# ApiKey and Application: shapes from their field maps --------------------------------

# apim.xsd has no apiKeyId: the key is the id. This one needs percent-encoding in a URL.
KEY = "k-4f1c/0a9e+Q=="
KEY_PATH = "k-4f1c%2F0a9e%2BQ%3D%3D"
API_KEY_JSON = {
    "@type": "ApiKey",
    "apiId": "api-1",
    "environmentId": "env-1",
    "applicationId": "app-1",
    "key": KEY,
    "generatedBy": "alice@example.com",
    "generatedAt": "2026-11-03T10:15:00Z",
    "subscriptionName": "gold",
    "enabled": True,
    "deleted": False,
}
API_KEY_OBJECT = ApiKey(
    api_id="api-1",
    environment_id="env-1",
    application_id="app-1",
    key=KEY,
    generated_by="alice@example.com",
    generated_at=datetime(2026, 11, 3, 10, 15, tzinfo=UTC),
    subscription_name="gold",
    enabled=True,
    deleted=False,
)


def test_api_key_create_get_query_update_delete(apim: ApimClient, requests_mock: Mocker) -> None:
    create = requests_mock.post(f"{APIM_ROOT}/apiKey/", json=API_KEY_JSON)
    created = apim.api_keys.create(
        ApiKey(api_id="api-1", environment_id="env-1", application_id="app-1")
    )
    assert sent_json(create.last_request) == {
        "apiId": "api-1",
        "environmentId": "env-1",
        "applicationId": "app-1",
    }
    assert created == API_KEY_OBJECT
    assert created.generated_at is not None and created.generated_at.tzinfo is not None
    assert KEY not in repr(created)

    got = requests_mock.get(f"{APIM_ROOT}/apiKey/{KEY_PATH}", json=API_KEY_JSON)
    assert apim.api_keys.get(KEY) == API_KEY_OBJECT
    assert got.last_request.path.endswith(f"/apikey/{KEY_PATH}".lower())

    page = {"@type": "ApimQueryResult", "result": [API_KEY_JSON], "numberOfResults": 1}
    query = requests_mock.post(f"{APIM_ROOT}/apiKey/query", json=page)
    assert list(apim.api_keys.query(Q.applicationId == "app-1")) == [API_KEY_OBJECT]
    assert sent_json(query.last_request) == {
        "QueryFilter": {
            "expression": {"argument": ["app-1"], "operator": "EQUALS", "property": "applicationId"}
        }
    }

    answer = {**API_KEY_JSON, "contractId": "contract-9"}
    update = requests_mock.post(f"{APIM_ROOT}/apiKey/{KEY_PATH}/update", json=answer)
    updated = apim.api_keys.update(dataclasses.replace(created, contract_id="contract-9"))
    assert sent_json(update.last_request)["contractId"] == "contract-9"
    assert sent_json(update.last_request)["key"] == KEY
    assert updated == dataclasses.replace(API_KEY_OBJECT, contract_id="contract-9")

    requests_mock.delete(f"{APIM_ROOT}/apiKey/{KEY_PATH}", text="true")
    assert apim.api_keys.delete(KEY) is True


def test_api_key_create_needs_its_three_ids(apim: ApimClient, requests_mock: Mocker) -> None:
    mock = requests_mock.post(ANY, json=API_KEY_JSON)
    with pytest.raises(InvalidRequest) as caught:
        apim.api_keys.create(ApiKey(api_id="api-1", environment_id="env-1"))
    assert caught.value.field == "applicationId"
    assert mock.call_count == 0


APPLICATION_JSON = {
    "@type": "Application",
    "applicationId": "app-1",
    "applicationName": "Billing portal",
    "description": "Customer billing",
    "contactName": "Ana",
    "contactEmail": "ana@example.com",
    "contactPhone": "+1 555 0100",
    "companyName": "Example Corp",
    "companyWebsite": "https://example.com",
    "notes": "pilot",
    "enabled": True,
    "deleted": False,
}
APPLICATION_OBJECT = Application(
    application_id="app-1",
    application_name="Billing portal",
    description="Customer billing",
    contact_name="Ana",
    contact_email="ana@example.com",
    contact_phone="+1 555 0100",
    company_name="Example Corp",
    company_website="https://example.com",
    notes="pilot",
    enabled=True,
    deleted=False,
)


def test_application_create_get_query_update_delete(
    apim: ApimClient, requests_mock: Mocker
) -> None:
    create = requests_mock.post(f"{APIM_ROOT}/application/", json=APPLICATION_JSON)
    draft = dataclasses.replace(APPLICATION_OBJECT, application_id=None, deleted=None)
    assert apim.applications.create(draft) == APPLICATION_OBJECT
    expected = {
        k: v for k, v in APPLICATION_JSON.items() if k not in ("@type", "applicationId", "deleted")
    }
    assert sent_json(create.last_request) == expected

    requests_mock.get(f"{APIM_ROOT}/application/app-1", json=APPLICATION_JSON)
    assert apim.applications.get("app-1") == APPLICATION_OBJECT

    page = {"@type": "ApimQueryResult", "result": [APPLICATION_JSON], "numberOfResults": 1}
    query = requests_mock.post(f"{APIM_ROOT}/application/query", json=page)
    where = Q.applicationName.starts_with("Bill") | Q.companyName.like("%Corp")
    assert list(apim.applications.query(where)) == [APPLICATION_OBJECT]
    assert sent_json(query.last_request)["QueryFilter"]["expression"]["operator"] == "or"

    answer = {**APPLICATION_JSON, "enabled": False}
    update = requests_mock.post(f"{APIM_ROOT}/application/app-1/update", json=answer)
    updated = apim.applications.update(dataclasses.replace(APPLICATION_OBJECT, enabled=False))
    assert sent_json(update.last_request) == {k: v for k, v in answer.items() if k != "@type"}
    assert updated.enabled is False

    requests_mock.delete(f"{APIM_ROOT}/application/app-1", text="{true}")
    assert apim.applications.delete("app-1") is True


def test_a_result_of_another_type_is_reported(apim: ApimClient, requests_mock: Mocker) -> None:
    requests_mock.get(f"{APIM_ROOT}/application/app-1", json=API_KEY_JSON)
    with pytest.raises(EnvelopeValidationError) as caught:
        apim.applications.get("app-1")
    assert caught.value.path == "/@type"
