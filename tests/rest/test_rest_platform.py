"""Platform Accounts over the JSON wire: get, bulk in chunks of 100, query + queryMore."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import _rest_seeds as seeds
import pytest
from _rest_helpers import CREDENTIALS, PLATFORM_ROOT, sent_json
from requests_mock import Mocker

from boomisoap import (
    Account,
    AccountStatus,
    EnvelopeValidationError,
    InvalidRequest,
    License,
    Licensing,
    Molecule,
    NotFound,
    PlatformClient,
    Q,
    SupportLevel,
)


def test_account_get(plat: PlatformClient, requests_mock: Mocker) -> None:
    mock = requests_mock.get(f"{PLATFORM_ROOT}/Account/boomiqa-T7KIDU", text=seeds.ACCOUNT_GET)
    account = plat.accounts.get("boomiqa-T7KIDU")
    assert account == Account(
        account_id="boomiqa-T7KIDU",
        name="BoomiQA",
        status=AccountStatus.ACTIVE,
        date_created=datetime(2022, 9, 2, 20, 16, 28, tzinfo=UTC),
        expiration_date=datetime(2016, 2, 13, 5, 0, tzinfo=UTC),
        licensing=Licensing(
            standard=License(purchased=1000000, used=60),
            small_business=License(purchased=1000000, used=0),
            enterprise=License(purchased=1000000, used=0),
            trading_partner=License(purchased=100000, used=3),
            standard_test=License(purchased=1000, used=0),
            small_business_test=License(purchased=1000, used=0),
            enterprise_test=License(purchased=1000, used=0),
            trading_partner_test=License(purchased=1000, used=0),
        ),
        molecule=Molecule(purchased=10, used=0),
        over_deployed=False,
        suggestions_enabled=False,
        support_access=True,
        support_level=SupportLevel.STANDARD,
        widget_account=False,
    )
    assert mock.last_request.headers["Authorization"] == f"Basic {CREDENTIALS}"


def test_bulk_request_matches_the_seed(plat: PlatformClient, requests_mock: Mocker) -> None:
    wanted = seeds.ACCOUNT_BULK_REQUEST["request"][0]["id"]
    # Boomi's JSON ("Bulk GET operations"): no index or id on a success.
    answer = {
        "@type": "BulkResult",
        "response": [
            {"@type": "BulkResponse", "Result": seeds.bulk_result(wanted), "statusCode": 200}
        ],
    }
    mock = requests_mock.post(f"{PLATFORM_ROOT}/Account/bulk", json=answer)
    [item] = plat.accounts.get_many([wanted])
    assert sent_json(mock.last_request) == seeds.ACCOUNT_BULK_REQUEST
    assert item.ok and item.error_message is None
    account = item.unwrap()
    # The seed's bulk example writes these two booleans as strings.
    assert account.support_access is True and account.widget_account is False
    assert account.licensing is not None
    assert account.licensing.trading_partner_test == License(purchased=2, used=0)


def _boomi_bulk_answer(request: Any, context: Any) -> dict[str, Any]:
    # Boomi's own shape: successes carry statusCode and Result only, failures errorMessage,
    # statusCode and id; in the order asked, no index anywhere.
    items: list[dict[str, Any]] = []
    for entry in sent_json(request)["request"]:
        account_id = entry["id"]
        if int(account_id.rpartition("-")[2]) % 7 == 0:
            message = f"Account {account_id} does not exist"
            items.append({"@type": "BulkResponse", "errorMessage": message, "statusCode": 404})
            items[-1]["id"] = account_id
        else:
            result = seeds.bulk_result(account_id)
            items.append({"@type": "BulkResponse", "Result": result, "statusCode": 200})
    return {"@type": "BulkResult", "response": items}


def _bulk_answer(request: Any, context: Any) -> dict[str, Any]:
    # Every 7th id is unknown; the answer lists the items in reverse to check the pairing.
    items = []
    for index, entry in enumerate(sent_json(request)["request"]):
        account_id = entry["id"]
        number = int(account_id.rpartition("-")[2])
        if number % 7 == 0:
            items.append(
                {
                    "index": index,
                    "id": account_id,
                    "statusCode": 404,
                    "errorMessage": f"Account {account_id} does not exist",
                }
            )
        else:
            items.append(
                {
                    "index": index,
                    "id": account_id,
                    "statusCode": 200,
                    "errorMessage": "",
                    "Result": seeds.bulk_result(account_id),
                }
            )
    return {"@type": "BulkResponse", "response": items[::-1]}


@pytest.mark.parametrize("answer", [_bulk_answer, _boomi_bulk_answer], ids=["indexed", "boomi"])
def test_bulk_of_230_is_sent_as_100_100_30(
    plat: PlatformClient, requests_mock: Mocker, answer: Any
) -> None:
    mock = requests_mock.post(f"{PLATFORM_ROOT}/Account/bulk", json=answer)
    ids = [f"acct-{n}" for n in range(230)]
    items = plat.accounts.get_many(ids)

    bodies = [sent_json(request) for request in mock.request_history]
    assert [len(body["request"]) for body in bodies] == [100, 100, 30]
    assert all(body["type"] == "GET" for body in bodies)
    assert [entry["id"] for body in bodies for entry in body["request"]] == ids

    assert [item.index for item in items] == list(range(230))
    assert [item.id for item in items] == ids
    failed = [item for item in items if not item.ok]
    assert [item.id for item in failed] == [f"acct-{n}" for n in range(0, 230, 7)]
    for item in failed:
        assert item.status_code == 404 and item.result is None
        with pytest.raises(NotFound, match="does not exist"):
            item.unwrap()
    for item in items:
        if item.ok:
            assert item.unwrap().account_id == item.id
            assert item.error_message is None


def test_query_with_and_between_and_query_more(plat: PlatformClient, requests_mock: Mocker) -> None:
    first = {
        "@type": "QueryResult",
        "result": seeds.ACCOUNT_QUERY_RESULTS,
        "numberOfResults": 4,
        "queryToken": "EXAMPLE-TOKEN/+=",
    }
    later = [dict(a, accountId=a["accountId"] + "-2") for a in seeds.ACCOUNT_QUERY_RESULTS]
    second = {"@type": "QueryResult", "result": later, "numberOfResults": 4}
    query = requests_mock.post(f"{PLATFORM_ROOT}/Account/query", json=first)
    more = requests_mock.post(f"{PLATFORM_ROOT}/Account/queryMore", json=second)

    where = (Q.status != "deleted") & Q.dateCreated.between(
        datetime(2014, 1, 1, tzinfo=UTC), "2016-01-01T00:00:00Z"
    )
    results = plat.accounts.query(where)
    accounts = list(results)

    assert sent_json(query.last_request) == seeds.ACCOUNT_QUERY_REQUEST
    assert query.last_request.headers["Content-Type"] == "application/json"
    assert more.last_request.body == b"EXAMPLE-TOKEN/+="
    assert more.last_request.headers["Content-Type"].startswith("text/plain")
    assert results.pages_fetched == 2
    assert [a.account_id for a in accounts] == [
        "abc-H566GG",
        "xyz-V3M1QL",
        "abc-H566GG-2",
        "xyz-V3M1QL-2",
    ]
    abc = accounts[0]
    assert abc.name == "ABC Co" and abc.status is AccountStatus.ACTIVE
    assert abc.date_created == datetime(2010, 2, 22, 15, 43, 3, tzinfo=UTC)
    assert abc.molecule == Molecule(purchased=40, used=8)
    assert accounts[1].molecule == Molecule(purchased=500, used=1)
    assert accounts[1].licensing is not None
    assert accounts[1].licensing.standard == License(purchased=10, used=2)


def test_query_rejects_an_unknown_property_before_sending(
    plat: PlatformClient, requests_mock: Mocker
) -> None:
    mock = requests_mock.post(f"{PLATFORM_ROOT}/Account/query", json={})
    with pytest.raises(InvalidRequest, match="supportLevel does not exist"):
        plat.accounts.query(Q.supportLevel == "standard")
    assert mock.call_count == 0


def test_a_page_reports_the_offending_item(plat: PlatformClient, requests_mock: Mocker) -> None:
    bad = dict(seeds.ACCOUNT_QUERY_RESULTS[1], dateCreated="yesterday")
    page = {"@type": "QueryResult", "result": [seeds.ACCOUNT_QUERY_RESULTS[0], bad]}
    requests_mock.post(f"{PLATFORM_ROOT}/Account/query", text=json.dumps(page))
    with pytest.raises(EnvelopeValidationError) as caught:
        list(plat.accounts.query())
    assert caught.value.path == "/result/1/dateCreated"
