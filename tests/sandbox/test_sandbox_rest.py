"""The REST-ish JSON endpoints (APIM, Platform) and MFT, with raw requests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import requests
from flavours import Flavour

from boomisoap import ApimClient, Conflict, InvalidRequest, NotFound, Plan, PlanAssociation
from boomisoap.sandbox import Sandbox
from boomisoap.sandbox.httpio import POLICY_URL
from boomisoap.sandbox.seed import ORGANIZATIONS, PLAN_IDS

HOW = {
    "name": "how",
    "description": "",
    "maxMessageSize": 0,
    "rateLimit": 9999,
    "quotaLimit": 9999,
    "rateLimitUnit": "MINUTE",
    "quotaLimitUnit": "MONTH",
}


class Rest:
    def __init__(self, sandbox: Sandbox, service: str = "apim") -> None:
        prefix = "/apim/api/rest/v1/" if service == "apim" else "/api/rest/v1/"
        self.root = sandbox.base_url + prefix + sandbox.account_id
        self.session = requests.Session()
        self.session.auth = ("u", "p")
        self.session.headers["Accept"] = "application/json"

    def call(self, method: str, path: str, body: Any = None, **options: Any) -> Any:
        if body is not None and not isinstance(body, bytes | str):
            options["json"] = body
        elif body is not None:
            options["data"] = body
        return self.session.request(method, self.root + path, timeout=10, **options)


@pytest.fixture
def apim(boomi_sandbox: Sandbox) -> Iterator[Rest]:
    yield Rest(boomi_sandbox)


def test_plan_lifecycle_of_seed_001(apim: Rest) -> None:
    created = apim.call("POST", "/plan/", HOW)
    assert created.status_code == 200
    plan = created.json()
    assert next(iter(plan)) == "@type" and plan["@type"] == "Plan"
    assert plan["status"] == "ENABLED" and plan["planId"]
    plan_id = plan["planId"]
    assert apim.call("GET", f"/plan/{plan_id}").json() == plan
    query = {
        "QueryFilter": {
            "expression": {"argument": ["ENABLED"], "operator": "EQUALS", "property": "status"}
        }
    }
    found = apim.call("POST", "/plan/query", query).json()
    assert found == {"@type": "ApimQueryResult", "result": [plan], "numberOfResults": 1}
    # Seed 001's update body leaves status out; the plan stays ENABLED.
    update = {"planId": plan_id, **HOW, "maxMessageSize": 2048}
    updated = apim.call("POST", f"/plan/{plan_id}/update", update).json()
    assert updated == {**plan, "maxMessageSize": 2048}
    deleted = apim.call("DELETE", f"/plan/{plan_id}")
    assert deleted.status_code == 200 and deleted.json() is True
    missing = apim.call("GET", f"/plan/{plan_id}")
    assert missing.status_code == 404
    assert missing.json() == {
        "@type": "Error",
        "statusCode": 404,
        "message": f"Plan {plan_id} does not exist",
        "field": "planId",
    }
    assert apim.call("POST", f"/plan/{plan_id}/update", update).status_code == 410


def test_rest_errors(apim: Rest) -> None:
    assert apim.call("GET", "/widget/1").json()["message"] == "widget does not exist"
    bad_unit = apim.call("POST", "/plan/", {**HOW, "rateLimitUnit": "minute"})
    assert bad_unit.status_code == 400 and bad_unit.json()["field"] == "rateLimitUnit"
    unknown = apim.call("POST", "/plan/", {**HOW, "colour": "red"})
    assert unknown.json()["message"] == "colour does not exist"
    negative = apim.call("POST", "/plan/", {**HOW, "maxMessageSize": -1})
    assert negative.status_code == 400
    assert apim.call("POST", "/plan/", b"{not json").status_code == 400
    query = {
        "QueryFilter": {
            "expression": {"argument": ["x"], "operator": "EQUALS", "property": "colour"}
        }
    }
    assert apim.call("POST", "/plan/query", query).json()["message"] == "colour does not exist"
    assert apim.call("PUT", "/plan/abc").status_code == 405
    plan_id = apim.call("POST", "/plan/", HOW).json()["planId"]
    mismatch = apim.call("POST", f"/plan/{plan_id}/update", {**HOW, "planId": "other"})
    assert mismatch.status_code == 400


def associations_xml(root: str, *triples: tuple[str, str, str]) -> str:
    """A body as Boomi's "Add/Remove Plans to Deployments" pages write it."""
    items = "".join(
        f'<apim:association componentId="{c}" environmentId="{e}" planId="{p}"/>'
        for c, e, p in triples
    )
    return (
        f'<apim:{root} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:bns="http://api.platform.boomi.com/" '
        f'xmlns:apim="http://apim.api.platform.boomi.com/">{items}</apim:{root}>'
    )


def test_plan_association_blocks_delete(apim: Rest) -> None:
    plan_id = apim.call("POST", "/plan/", HOW).json()["planId"]
    other = apim.call("POST", "/plan/", HOW).json()["planId"]
    xml = {"Content-Type": "application/xml"}
    body = associations_xml(
        "PlanAssociations", ("dep-1", "env-1", plan_id), ("dep-2", "env-1", other)
    )
    linked = apim.call("POST", "/planAssociation", body, headers=xml)
    assert (linked.status_code, linked.content) == (200, b"")  # Boomi: an empty 200
    conflict = apim.call("DELETE", f"/plan/{plan_id}")
    assert conflict.status_code == 409
    assert "deployment dep-1 in environment env-1" in conflict.json()["message"]
    # All or nothing: one unknown association and nothing is removed.
    partly = associations_xml(
        "PlanAssociation", ("dep-1", "env-1", plan_id), ("dep-9", "env-1", other)
    )
    refused = apim.call("DELETE", "/planAssociation", partly, headers=xml)
    assert refused.status_code == 404
    assert apim.call("DELETE", f"/plan/{plan_id}").status_code == 409
    # DELETE carries the body too; the remove page writes the root in the singular.
    remove = associations_xml("PlanAssociation", ("dep-1", "env-1", plan_id))
    removed = apim.call("DELETE", "/planAssociation", remove, headers=xml)
    assert (removed.status_code, removed.content) == (200, b"")
    assert apim.call("DELETE", f"/plan/{plan_id}").json() is True
    again = apim.call("POST", "/planAssociation", remove, headers=xml)
    assert again.status_code == 404  # a deleted plan cannot be re-used
    # ... and a refused POST adds none of its associations.
    assert apim.call("DELETE", f"/plan/{other}").status_code == 409
    missing = associations_xml("PlanAssociations", ("dep-3", "env-1", other), ("d", "e", "nope"))
    assert apim.call("POST", "/planAssociation", missing, headers=xml).status_code == 404
    apim.call(
        "DELETE",
        "/planAssociation",
        associations_xml("PlanAssociations", ("dep-2", "env-1", other)),
        headers=xml,
    )
    assert apim.call("DELETE", f"/plan/{other}").json() is True
    bad = apim.call("POST", "/planAssociation", "<apim:Nope xmlns:apim='x'/>", headers=xml)
    assert bad.status_code == 400 and bad.json()["field"] == "body"
    empty = associations_xml("PlanAssociations", ("", "env-1", other))
    assert (
        apim.call("POST", "/planAssociation", empty, headers=xml).json()["field"] == "componentId"
    )


def test_plan_associations_through_the_client(boomi_sandbox: Sandbox, flavour: Flavour) -> None:
    options = {
        "account_id": boomi_sandbox.account_id,
        "username": "u",
        "password": "p",
        "base_url": boomi_sandbox.base_url,
        "rate_limit": None,
    }
    with flavour.make(ApimClient, wire="rest", **options) as apim:
        plan = apim.plans.create(Plan(name="associated"))
        assert plan.plan_id is not None
        link = PlanAssociation(plan_id=plan.plan_id, component_id="api-c", environment_id="env-p")
        apim.associate_plans([link])
        with pytest.raises(Conflict):
            apim.plans.delete(plan.plan_id)
        apim.dissociate_plans([link])
        with pytest.raises(NotFound):
            apim.dissociate_plans([link])
        with pytest.raises(InvalidRequest) as empty:
            apim.associate_plans([])
        assert empty.value.field == "association"
        assert apim.plans.delete(plan.plan_id) is True
    with flavour.make(ApimClient, **options) as soap, pytest.raises(InvalidRequest) as soap_wire:
        soap.associate_plans([link])
    assert soap_wire.value.field == "wire"


def test_contract_deprecation_headers_on_both_wires(apim: Rest, boomi_sandbox: Sandbox) -> None:
    created = apim.call("POST", "/contract/", {"name": "c"})
    headers = created.headers
    # Boomi's format (its versioning policy page, the OpenAPI's response headers).
    assert re.fullmatch(
        r'version="1\.0"; date="\w{3}, \d\d \w{3} \d{4} [\d:]{8} GMT"', headers["Deprecation"]
    )
    assert headers["Sunset"].endswith("GMT")
    assert headers["Warning"] == (
        '299 - "You are using a deprecated API endpoint: Contract is deprecated; use Plan"'
    )
    assert headers["Link"] == (
        f'<{POLICY_URL}>; rel="deprecation"; type="text/html", '
        f'<{apim.root}/plan>; rel="successor-version"'
    )
    assert "Deprecation" not in apim.call("POST", "/plan/", HOW).headers
    from .helpers import envelope, post

    body = (
        f"<soap:get><apim:objectType>Contract</apim:objectType><apim:objectId>"
        f"{created.json()['contractId']}</apim:objectId></soap:get>"
    )
    soap = post(boomi_sandbox, envelope(body))
    assert soap.status_code == 200 and soap.headers["Deprecation"] == headers["Deprecation"]


def test_api_key_generation(apim: Rest) -> None:
    app_id = apim.call("POST", "/application/", {"applicationName": "a"}).json()["applicationId"]
    key = apim.call(
        "POST",
        "/apiKey/",
        {"apiId": "api", "environmentId": "env", "applicationId": app_id, "key": "chosen"},
    ).json()
    assert key["key"] != "chosen" and len(key["key"]) >= 32
    other = apim.call(
        "POST", "/apiKey/", {"apiId": "api", "environmentId": "env", "applicationId": app_id}
    ).json()
    assert other["key"] != key["key"]
    # The key is the id: a body naming another key than the URL is refused.
    change = apim.call(
        "POST", f"/apiKey/{quote(key['key'], safe='')}/update", {**key, "key": "mine"}
    )
    assert change.status_code == 400 and change.json()["field"] == "key"
    got = apim.call("GET", f"/apiKey/{quote(key['key'], safe='')}")
    assert got.status_code == 200 and got.json() == key
    missing = apim.call("POST", "/apiKey/", {"apiId": "api"})
    assert missing.status_code == 400


def test_platform_rest(seeded: Sandbox) -> None:
    platform = Rest(seeded, "platform")
    account = platform.call("GET", "/Account/boomiqa-T7KIDU").json()
    assert account["@type"] == "Account" and account["name"] == "BoomiQA"
    assert account["licensing"]["standard"] == {
        "@type": "License",
        "purchased": 1000000,
        "used": 60,
    }
    assert account["dateCreated"] == "2022-09-02T20:16:28Z"
    bulk = platform.call(
        "POST", "/Account/bulk", {"type": "GET", "request": [{"id": "abc-H566GG"}, {"id": "nope"}]}
    )
    items = bulk.json()["response"]
    # Boomi's JSON: a BulkResult of BulkResponse items; successes carry only statusCode and
    # Result, failures errorMessage, statusCode and id; no index.
    assert bulk.json()["@type"] == "BulkResult"
    assert [sorted(i) for i in items] == [
        ["@type", "Result", "statusCode"],
        ["@type", "errorMessage", "id", "statusCode"],
    ]
    assert [(i["@type"], i["statusCode"]) for i in items] == [
        ("BulkResponse", 200),
        ("BulkResponse", 400),
    ]
    assert items[1]["id"] == "nope"
    assert items[0]["Result"]["name"] == "ABC Co" and items[1]["errorMessage"]
    query = {
        "QueryFilter": {
            "expression": {
                "operator": "and",
                "nestedExpression": [
                    {"argument": ["deleted"], "operator": "NOT_EQUALS", "property": "status"},
                    {
                        "argument": ["2010-01-01T00:00:00Z", "2030-01-01T00:00:00Z"],
                        "operator": "BETWEEN",
                        "property": "dateCreated",
                    },
                ],
            }
        }
    }
    first = platform.call("POST", "/Account/query", query).json()
    assert first["@type"] == "QueryResult" and first["numberOfResults"] == 100
    rest = platform.call(
        "POST", "/Account/queryMore", first["queryToken"], headers={"Content-Type": "text/plain"}
    ).json()
    assert "queryToken" not in rest
    ids = [a["accountId"] for a in first["result"] + rest["result"]]
    assert ids[:3] == ["boomiqa-T7KIDU", "abc-H566GG", "xyz-V3M1QL"]  # creation order
    assert len(ids) == len(set(ids)) == 111
    assert platform.call("POST", "/Account/", {"accountId": "x"}).status_code == 400
    assert platform.call("GET", "/plan/x").status_code == 400


def test_bulk_limits(seeded: Sandbox) -> None:
    platform = Rest(seeded, "platform")
    ids = [{"id": f"child-{n:05d}"} for n in range(1, 102)]
    too_many = platform.call("POST", "/Account/bulk", {"type": "GET", "request": ids})
    assert too_many.status_code == 400 and "at most 100" in too_many.json()["message"]
    exactly = platform.call("POST", "/Account/bulk", {"type": "GET", "request": ids[:100]})
    assert len(exactly.json()["response"]) == 100
    wrong = platform.call("POST", "/Account/bulk", {"type": "DELETE", "request": ids[:1]})
    assert wrong.status_code == 400
    from .helpers import envelope, fault, post

    requests_xml = "".join(
        f'<api:request xsi:type="api:BulkId" id="child-{n:05d}"/>' for n in range(1, 102)
    )
    body = (
        f"<soap:getBulk><api:objectType>Account</api:objectType>"
        f'<api:bulkObject type="GET">{requests_xml}</api:bulkObject></soap:getBulk>'
    )
    # The schema's request is unbounded: the limit of 100 is the service's own rule.
    _, status, message = fault(post(seeded, envelope(body, service="platform"), "platform"))
    assert status == 400 and "at most 100" in message
    untyped = body.replace(' xsi:type="api:BulkId"', "", 1)
    _, status, _ = fault(post(seeded, envelope(untyped, service="platform"), "platform"))
    assert status == 400  # the item type is abstract: an untyped item is refused


# MFT ------------------------------------------------------------------------------------


def mft(sandbox: Sandbox, path: str, **params: Any) -> Any:
    return requests.get(
        f"{sandbox.base_url}/mft/api/v1/accounting/{path}",
        params=params,
        timeout=10,
        headers={"Authorization": f"Bearer {sandbox.mft_api_key}"},
    )


def test_mft_endpoints(seeded: Sandbox) -> None:
    assert mft(seeded, "transferQuota").json() == 500_000
    usage = mft(seeded, "transferUsage").json()
    assert len(usage) == 30 + 31 + 30 and usage[0]["transferDate"].endswith("Z")
    daily = mft(seeded, "daily", orgid=1001, monthnum=11, year=2026).json()
    assert len(daily) == 30 and {r["entityName"] for r in daily} == {"Acme Logistics"}
    everyone = mft(seeded, "daily", orgid=0, monthnum=11, year=2026).json()
    assert len(everyone) == 90
    month = mft(seeded, "monthToDate", orgid=0, monthnum=11, year=2026).json()
    assert [r["entityName"] for r in month] == list(ORGANIZATIONS.values())
    assert month[0]["sourceTransfers"] == sum(r["sourceTransfers"] for r in daily)
    billing = mft(seeded, "billing/daily", year=2026, month=11).json()
    assert len(billing) == 3 * 30 * 2 and billing[0]["actionItems"][0].keys() == {
        "action",
        "count",
        "bytes",
    }
    one = mft(seeded, "billing/daily", year=2026, month=11, orgId=1002).json()
    assert {r["organizationId"] for r in one} == {1002}
    assert mft(seeded, "daily", orgid=1001, monthnum=13, year=2026).status_code == 400
    assert mft(seeded, "daily", orgid=1001, year=2026).json()["field"] == "monthnum"
    assert mft(seeded, "nothing").status_code == 404
    assert mft(seeded, "daily", orgid=1001, monthnum=1, year=2020).json() == []


def test_mft_client_fixture(mft_client: Any, boomi_sandbox: Sandbox) -> None:
    assert mft_client.accounting.transfer_quota() == 0
    assert mft_client.accounting.daily(org_id=0, month=11, year=2026) == []


# WSDL and XSD ---------------------------------------------------------------------------


def test_wsdl_and_xsd_point_at_the_emulator(boomi_sandbox: Sandbox) -> None:
    from lxml import etree

    from boomisoap.resources import SCHEMA_FILES

    for _service, prefix in (("apim", "/apim/api/soap/v1/"), ("platform", "/api/soap/v1/")):
        url = boomi_sandbox.base_url + prefix + boomi_sandbox.account_id
        wsdl = requests.get(url + "?wsdl", auth=("u", "p"), timeout=10)
        assert wsdl.status_code == 200
        root = etree.fromstring(wsdl.content)
        address = root.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
        assert address.get("location") == url
        locations = [e.get("schemaLocation") for e in root.iter() if e.get("schemaLocation")]
        assert locations and all(loc.startswith(url + "?xsd=") for loc in locations)
        for number, name in enumerate(SCHEMA_FILES, start=1):
            xsd = requests.get(f"{url}?xsd={number}", auth=("u", "p"), timeout=10)
            schema = etree.fromstring(xsd.content)
            assert schema.tag == "{http://www.w3.org/2001/XMLSchema}schema", name
            for element in schema.iter():
                location = element.get("schemaLocation")
                assert location is None or location.startswith(url + "?xsd=")
        assert requests.get(url + "?xsd=99", auth=("u", "p"), timeout=10).status_code == 404
        assert requests.get(url, auth=("u", "p"), timeout=10).status_code == 404


def test_plan_ids_are_the_seeds(seeded: Sandbox) -> None:
    apim = Rest(seeded)
    for name, plan_id in PLAN_IDS.items():
        assert apim.call("GET", f"/plan/{plan_id}").json()["name"] == name


def test_secret_ids_in_a_path_are_found_for_the_request_log() -> None:
    from boomisoap.sandbox.rest import secret_ids_in_path

    root = "/apim/api/rest/v1/acct-1"
    assert secret_ids_in_path(f"{root}/apiKey/k-123/update") == ("k-123",)
    assert secret_ids_in_path(f"{root}/apiKey/k-123") == ("k-123",)
    assert secret_ids_in_path(f"{root}/apiKey/query") == ()
    assert secret_ids_in_path(f"{root}/apiKey/") == ()
    assert secret_ids_in_path(f"{root}/plan/p-1") == ()
