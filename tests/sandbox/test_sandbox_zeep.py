"""A plain zeep client, knowing nothing of boomisoap, driven by the emulator's own WSDL."""

from __future__ import annotations

import requests
import zeep
from zeep.wsse.username import UsernameToken

from boomisoap.sandbox import Sandbox


def test_zeep_plan_lifecycle(boomi_sandbox: Sandbox) -> None:
    session = requests.Session()
    session.auth = ("u", "p")  # the WSDL and its schemas are behind HTTP Basic
    url = f"{boomi_sandbox.base_url}/apim/api/soap/v1/{boomi_sandbox.account_id}?wsdl"
    client = zeep.Client(
        url, transport=zeep.Transport(session=session), wsse=UsernameToken("u", "p")
    )
    plan_type = client.get_type("{http://apim.api.platform.boomi.com/}Plan")
    created = client.service.create(
        object=plan_type(
            name="how",
            description="",
            maxMessageSize=0,
            rateLimit=9999,
            quotaLimit=9999,
            rateLimitUnit="MINUTE",
            quotaLimitUnit="MONTH",
        )
    )
    assert created.name == "how" and created.status == "ENABLED" and created.planId
    fetched = client.service.get(objectType="Plan", objectId=created.planId)
    assert fetched.maxMessageSize == 0 and fetched.rateLimitUnit == "MINUTE"
    expression_type = client.get_type("{http://api.platform.boomi.com/}SimpleExpression")
    results = client.service.query(
        objectType="Plan",
        queryConfig={
            "QueryFilter": {
                "expression": expression_type(
                    operator="EQUALS", property="status", argument=["ENABLED"]
                )
            }
        },
    )
    assert results.numberOfResults == 1 and results.result[0].planId == created.planId
    assert client.service.delete(objectType="Plan", objectId=created.planId) is True
    try:
        client.service.get(objectType="Plan", objectId=created.planId)
    except zeep.exceptions.Fault as fault:
        assert fault.code.endswith("Client")
        assert fault.detail is not None
    else:
        raise AssertionError("a deleted plan must not be found")


def test_zeep_platform_query_and_bulk_from_the_served_wsdl(seeded: Sandbox) -> None:
    # The served WSDL includes platform.xsd, which includes platform-operations.xsd, all
    # as ?xsd=N of the emulator: a plain zeep must resolve the chain and the wrappers.
    session = requests.Session()
    session.auth = ("u", "p")
    url = f"{seeded.base_url}/api/soap/v1/{seeded.account_id}?wsdl"
    client = zeep.Client(
        url, transport=zeep.Transport(session=session), wsse=UsernameToken("u", "p")
    )
    bulk_id = client.get_type("{http://api.platform.boomi.com/}BulkId")
    answer = client.service.getBulk(
        objectType="Account",
        bulkObject={"type": "GET", "request": [bulk_id(id="abc-H566GG"), bulk_id(id="nope")]},
    )
    # zeep unwraps results (BulkResult) down to its list of response items.
    assert [item.statusCode for item in answer] == [200, 400]
    assert answer[0].Result.name == "ABC Co" and answer[0].index is None
    assert answer[1].id == "nope"
    page = client.service.query(objectType="Account", queryConfig={"QueryFilter": {}})
    assert page.queryToken and len(page.result) == 100
    more = client.service.queryMore(queryToken=page.queryToken)
    assert more.result and more.result[0].accountId != page.result[0].accountId
