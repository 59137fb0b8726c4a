"""Query paging: 100 a page in creation order, opaque expiring tokens, bulk limits."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from lxml import etree

from boomisoap import ApimClient, InvalidRequest, Plan, Q
from boomisoap.namespaces import API, APIM
from boomisoap.sandbox import Sandbox

from .helpers import envelope, fault, post

QUERY_ALL = (
    "<soap:query><apim:objectType>Plan</apim:objectType>"
    "<api:queryConfig><api:QueryFilter/></api:queryConfig></soap:query>"
)


def query_more(token: str) -> bytes:
    # apim.xsd declares its own queryToken: APIM's queryMore carries apim:queryToken.
    return envelope(f"<soap:queryMore><apim:queryToken>{token}</apim:queryToken></soap:queryMore>")


def page(response: object) -> tuple[list[str], str | None, int]:
    root = etree.fromstring(response.content)  # type: ignore[attr-defined]
    results = root.find(f".//{{{APIM}}}results")
    names = [r.get("name") for r in results.findall(f"{{{API}}}result")]
    return names, results.findtext(f"{{{API}}}queryToken"), int(results.get("numberOfResults"))


@pytest.fixture(scope="module")
def many() -> Iterator[Sandbox]:
    with Sandbox.start(rate_limit=None, query_token_ttl=2.0) as sandbox:
        sandbox.add(*(Plan(plan_id=f"id-{n:03d}", name=f"plan-{n:03d}") for n in range(250)))
        yield sandbox


def test_250_objects_in_3_pages(many: Sandbox) -> None:
    first = page(post(many, envelope(QUERY_ALL)))
    assert first[2] == 100 and first[1] and first[0][0] == "plan-000"
    second = page(post(many, query_more(first[1])))
    assert second[2] == 100 and second[1] and second[0][0] == "plan-100"
    third = page(post(many, query_more(second[1])))
    assert third[2] == 50 and third[1] is None and third[0][-1] == "plan-249"
    assert first[0] + second[0] + third[0] == [f"plan-{n:03d}" for n in range(250)]
    # The token that reached the end is spent.
    assert fault(post(many, query_more(second[1])))[1:] == (400, "queryToken is unknown or expired")


def test_client_follows_query_more(many: Sandbox) -> None:
    options = {
        "account_id": many.account_id,
        "username": "u",
        "password": "p",
        "base_url": many.base_url,
        "rate_limit": None,
    }
    with ApimClient(**options) as apim:
        results = apim.plans.query()
        assert len(list(results)) == 250 and results.pages_fetched == 3
        filtered = apim.plans.query(Q.name.like("plan-1%"))
        assert len(list(filtered)) == 100 and filtered.pages_fetched == 1
        with pytest.raises(InvalidRequest):
            apim._wire.query_more(apim.plans.spec, "not-a-token")


def test_tokens_are_opaque_and_unguessable(many: Sandbox) -> None:
    tokens = {page(post(many, envelope(QUERY_ALL)))[1] for _ in range(5)}
    assert len(tokens) == 5
    assert all(token and len(token) >= 40 and "plan" not in token for token in tokens)


def test_unknown_token_is_400(many: Sandbox) -> None:
    response = post(many, query_more("bm90LWEtdG9rZW4"))
    assert response.status_code == 500
    assert fault(response)[:2] == ("S:Client", 400)


def test_expired_token_is_400(many: Sandbox) -> None:
    token = page(post(many, envelope(QUERY_ALL)))[1]
    assert token
    time.sleep(2.1)
    assert fault(post(many, query_more(token)))[1] == 400


def test_token_of_another_wire_type_is_refused(many: Sandbox) -> None:
    import requests

    token = page(post(many, envelope(QUERY_ALL)))[1]
    url = f"{many.base_url}/apim/api/rest/v1/{many.account_id}/contract/queryMore"
    answer = requests.post(url, data=token, auth=("u", "p"), timeout=10)
    assert answer.status_code == 400
    plan_url = url.replace("/contract/", "/plan/")
    assert (
        len(requests.post(plan_url, data=token, auth=("u", "p"), timeout=10).json()["result"])
        == 100
    )


def test_new_objects_appear_at_the_end(many: Sandbox) -> None:
    first = page(post(many, envelope(QUERY_ALL)))
    many.add(Plan(plan_id="id-late", name="plan-late"))
    try:
        second = page(post(many, query_more(first[1])))
        third = page(post(many, query_more(second[1])))
        assert third[0][-1] == "plan-late" and third[2] == 51
    finally:
        post(
            many,
            envelope(
                "<soap:delete><apim:objectType>Plan</apim:objectType>"
                "<apim:objectId>id-late</apim:objectId></soap:delete>"
            ),
        )
