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
