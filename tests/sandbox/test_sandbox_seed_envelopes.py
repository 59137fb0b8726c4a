"""Seed 001's SOAP examples, corrected and posted as bytes: answers of the seed's shape.

No boomisoap client code is used: the requests are the seed's envelopes (SOAP 1.1 namespace
fixed, tags closed, a UsernameToken header added) and the answers are compared as XML trees
with the seed's responses, namespaces by URI and xsi:type resolved.
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from xmltree import assert_same_tree, body_child

from boomisoap.sandbox import Sandbox

from .helpers import envelope, post

SEED_NS = (
    'xmlns:apim="http://apim.api.platform.boomi.com/" '
    'xmlns:bns="http://api.platform.boomi.com/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:ns4="http://soap.apim.api.platform.boomi.com/"'
)
SEED_NSMAP = {
    "apim": "http://apim.api.platform.boomi.com/",
    "bns": "http://api.platform.boomi.com/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "ns4": "http://soap.apim.api.platform.boomi.com/",
}
NEW_ID = "575b480a-ae86-4aba-905f-75263bf40276"


def seed_response(wrapper: str, inner: str) -> Any:
    text = (
        '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
        f"<ns4:{wrapper} {SEED_NS}>{inner}</ns4:{wrapper}></S:Body></S:Envelope>"
    )
    return etree.fromstring(text.encode())


def plan(
    status: str,
    units: tuple[str, str],
    size: str,
    name: str,
    rate: str,
    plan_id: str,
    tag: str = "apim:result",
) -> str:
    return (
        f'<{tag} xsi:type="apim:Plan" status="{status}" quotaLimitUnit="{units[1]}" '
        f'rateLimitUnit="{units[0]}" maxMessageSize="{size}" name="{name}" description="" '
        f'rateLimit="{rate}" quotaLimit="{rate}" planId="{plan_id}"/>'
    )


def answer(sandbox: Sandbox, body: str) -> Any:
    response = post(sandbox, envelope(body))
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    wrapper = body_child(root)
    # Same prefixes as the seed, declared on the wrapper, and the S prefix on the envelope.
    assert wrapper.nsmap == {**SEED_NSMAP, "S": "http://schemas.xmlsoap.org/soap/envelope/"}
    assert root.prefix == "S"
    return root


def with_id(root: Any, plan_id: str) -> Any:
    """The response with a server-generated planId replaced by the seed's."""
    for element in root.iter():
        if element.get("planId") is not None:
            element.set("planId", plan_id)
    return root


def test_get(seeded: Sandbox) -> None:
    body = (
        "<soap:get><!--Optional:--><apim:objectType>Plan</apim:objectType>"
        "<apim:objectId>4d50decd-f2b6-d59e-53f4-22ec4f188bb1</apim:objectId></soap:get>"
    )
    expected = seed_response(
        "getResponse",
        plan(
            "DISABLED",
            ("SECOND", "DAY"),
            "1024",
            "apiTestKh",
            "0",
            "4d50decd-f2b6-d59e-53f4-22ec4f188bb1",
        ),
    )
    assert_same_tree(answer(seeded, body), expected)


def test_query_enabled(seeded: Sandbox) -> None:
    body = (
        "<soap:query><apim:objectType>Plan</apim:objectType><api:queryConfig><api:QueryFilter>"
        '<api:expression operator="EQUALS" property="status" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="api:SimpleExpression">'
        "<api:argument>ENABLED</api:argument></api:expression></api:QueryFilter>"
        "</api:queryConfig></soap:query>"
    )
    ids = {
        "v": "99f8e822-8f2d-fdf6-4849-6f8d236dbe34",
        "w": "54e457e9-59ce-c25a-be59-70b04205c2c1",
        "x": "f864a76f-87e6-be52-1fe9-649640c19259",
        "y": "9733c1e2-c640-19a4-2d78-966aea9259ab",
        "z": "67ada6c5-4323-18a8-b1e0-2f688c38bda2",
    }
    results = "".join(
        plan("ENABLED", ("SECOND", "DAY"), "0", name, "0", plan_id, tag="bns:result")
        for name, plan_id in ids.items()
    )
    expected = seed_response(
        "queryResponse", f'<apim:results numberOfResults="5">{results}</apim:results>'
    )
    assert_same_tree(answer(seeded, body), expected)


def test_create_update_delete(boomi_sandbox: Sandbox) -> None:
    create = (
        '<soap:create><apim:object xsi:type="apim:Plan" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" maxMessageSize="0" name="how" '
        'description="" quotaLimitUnit="MONTH" rateLimitUnit="MINUTE" rateLimit="9999" '
        'quotaLimit="9999"></apim:object></soap:create>'
    )
    created = answer(boomi_sandbox, create)
    plan_id = body_child(created)[0].get("planId")
    expected = seed_response(
        "createResponse", plan("ENABLED", ("MINUTE", "MONTH"), "0", "how", "9999", NEW_ID)
    )
    assert_same_tree(with_id(created, NEW_ID), expected)

    update = (
        '<soap:update><apim:object xsi:type="apim:Plan" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" status="ENABLED" '
        'quotaLimitUnit="MONTH" rateLimitUnit="MINUTE" maxMessageSize="2048" name="how" '
        f'description="" rateLimit="9999" quotaLimit="9999" planId="{plan_id}">'
        "</apim:object></soap:update>"
    )
    expected = seed_response(
        "updateResponse", plan("ENABLED", ("MINUTE", "MONTH"), "2048", "how", "9999", NEW_ID)
    )
    assert_same_tree(with_id(answer(boomi_sandbox, update), NEW_ID), expected)

    delete = (
        "<soap:delete><apim:objectType>Plan</apim:objectType>"
        f"<apim:objectId>{plan_id}</apim:objectId></soap:delete>"
    )
    expected = seed_response("deleteResponse", "<apim:successful>true</apim:successful>")
    assert_same_tree(answer(boomi_sandbox, delete), expected)
