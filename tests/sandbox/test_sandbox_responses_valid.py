"""Every SOAP answer of the emulator validates against the XSD, faults included.

The server runs with its own response validation off, so this checks the envelopes it
builds, not its safety net.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lxml import etree

from boomisoap.namespaces import API, SOAP_ENV
from boomisoap.sandbox import Sandbox
from boomisoap.validation import validate_element, validate_envelope

from .helpers import envelope, post


@pytest.fixture(scope="module")
def lax() -> Iterator[Sandbox]:
    with Sandbox.start(rate_limit=None, seed_demo=True, validate_responses=False) as sandbox:
        yield sandbox


def valid(response: object) -> str:
    """Validate a response; return the Body child's local name (or the fault status)."""
    root = etree.fromstring(response.content)  # type: ignore[attr-defined]
    detail = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault/detail/{{{API}}}ServiceFault")
    if detail is not None:
        validate_element(detail, direction="response")
        return "fault " + detail.get("statusCode")
    return etree.QName(validate_envelope(root, direction="response")).localname


def apim_call(sandbox: Sandbox, body: str) -> str:
    return valid(post(sandbox, envelope(body)))


def typed(operation: str, type_name: str, object_id: str) -> str:
    return (
        f"<soap:{operation}><apim:objectType>{type_name}</apim:objectType>"
        f"<apim:objectId>{object_id}</apim:objectId></soap:{operation}>"
    )


def obj(operation: str, type_name: str, attributes: str) -> str:
    return (
        f'<soap:{operation}><apim:object xsi:type="apim:{type_name}" {attributes}/>'
        f"</soap:{operation}>"
    )


def query(type_name: str) -> str:
    return (
        f"<soap:query><apim:objectType>{type_name}</apim:objectType>"
        "<api:queryConfig><api:QueryFilter/></api:queryConfig></soap:query>"
    )


def created_id(sandbox: Sandbox, body: str, attribute: str) -> str:
    response = post(sandbox, envelope(body))
    assert valid(response) == "createResponse"
    root = etree.fromstring(response.content)
    found = next(e.get(attribute) for e in root.iter() if e.get(attribute))
    return str(found)


def test_every_apim_operation(lax: Sandbox) -> None:
    app = created_id(lax, obj("create", "Application", 'applicationName="a"'), "applicationId")
    contract = created_id(lax, obj("create", "Contract", 'name="c" rateLimit="1"'), "contractId")
    key = created_id(
        lax,
        obj("create", "ApiKey", f'apiId="x" environmentId="e" applicationId="{app}"'),
        "key",
    )
    plan = created_id(lax, obj("create", "Plan", 'name="p"'), "planId")
    ids = {
        "Plan": (plan, 'name="p2"', "planId"),
        "Contract": (contract, 'name="c2"', "contractId"),
        "ApiKey": (
            key,
            f'apiId="x" environmentId="e" applicationId="{app}" contractId="{contract}"',
            "key",
        ),
        "Application": (app, 'applicationName="a2"', "applicationId"),
    }
    for type_name, (object_id, attributes, id_name) in ids.items():
        assert apim_call(lax, typed("get", type_name, object_id)) == "getResponse"
        assert apim_call(lax, query(type_name)) == "queryResponse"
        update = obj("update", type_name, f'{attributes} {id_name}="{object_id}"')
        assert apim_call(lax, update) == "updateResponse"
    for type_name, (object_id, _, _) in ids.items():
        assert apim_call(lax, typed("delete", type_name, object_id)) == "deleteResponse"
        assert apim_call(lax, typed("get", type_name, "missing")) == "fault 404"


def test_query_more_and_platform_operations(lax: Sandbox) -> None:
    platform = envelope(
        "<soap:query><api:objectType>Account</api:objectType>"
        "<api:queryConfig><api:QueryFilter/></api:queryConfig></soap:query>",
        service="platform",
    )
    response = post(lax, platform, "platform")
    assert valid(response) == "queryResponse"
    token = etree.fromstring(response.content).findtext(f".//{{{API}}}queryToken")
    more = envelope(
        f"<soap:queryMore><api:queryToken>{token}</api:queryToken></soap:queryMore>",
        service="platform",
    )
    assert valid(post(lax, more, "platform")) == "queryMoreResponse"
    get = envelope(
        "<soap:get><api:objectType>Account</api:objectType>"
        "<api:objectId>abc-H566GG</api:objectId></soap:get>",
        service="platform",
    )
    assert valid(post(lax, get, "platform")) == "getResponse"
    bulk = envelope(
        "<soap:getBulk><api:objectType>Account</api:objectType><api:bulkRequest "
        'type="GET"><api:request id="abc-H566GG"/><api:request id="nope"/>'
        "</api:bulkRequest></soap:getBulk>",
        service="platform",
    )
    assert valid(post(lax, bulk, "platform")) == "getBulkResponse"


def test_faults_validate(lax: Sandbox) -> None:
    assert valid(post(lax, envelope("<soap:get/>"))) == "fault 400"
    assert valid(post(lax, envelope(typed("get", "Plan", "x"), "<soapenv:Header/>"))) == "fault 403"
    assert valid(post(lax, envelope(typed("get", "Widget", "x")))) == "fault 400"
