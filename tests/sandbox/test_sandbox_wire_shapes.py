"""Boomi's real wire shapes end to end over loopback HTTP: paging with the token first,
bulk answers without index or id, ApiKey by key, Application elements, the WSDL names."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import requests
from lxml import etree

from boomisoap import ApiKey, ApimClient, Application, Plan, PlatformClient, Q
from boomisoap.namespaces import API, APIM, XSI
from boomisoap.sandbox import Sandbox

from .helpers import envelope, fault, post

WIRES = ("soap", "rest")
WSDL = "http://schemas.xmlsoap.org/wsdl/"


def options(sandbox: Sandbox, wire: str) -> dict[str, Any]:
    return {
        "account_id": sandbox.account_id,
        "username": "u",
        "password": "p",
        "base_url": sandbox.base_url,
        "rate_limit": None,
        "wire": wire,
    }


@pytest.fixture(scope="module")
def large() -> Iterator[Sandbox]:
    """250 Plans and 250 child Accounts: three pages of each."""
    with Sandbox.start(users={"u": "p"}, rate_limit=None) as sandbox:
        sandbox.add(*(Plan(plan_id=f"pid-{n:03d}", name=f"paged-{n:03d}") for n in range(250)))
        sandbox.add_accounts(250)
        yield sandbox


# paging -----------------------------------------------------------------------------


def results_children(response: Any, namespace: str) -> list[str]:
    results = etree.fromstring(response.content).find(f".//{{{namespace}}}results")
    assert results is not None
    return [etree.QName(child).localname for child in results]


def test_soap_pages_carry_the_token_first_on_both_services(large: Sandbox) -> None:
    apim = envelope(
        "<soap:query><apim:objectType>Plan</apim:objectType>"
        "<api:queryConfig><api:QueryFilter/></api:queryConfig></soap:query>"
    )
    platform = envelope(
        "<soap:query><api:objectType>Account</api:objectType>"
        "<api:queryConfig><api:QueryFilter/></api:queryConfig></soap:query>",
        service="platform",
    )
    for body, service, namespace in ((apim, "apim", APIM), (platform, "platform", API)):
        children = results_children(post(large, body, service), namespace)
        assert children[0] == "queryToken", service
        assert children[1:] == ["result"] * 100, service


@pytest.mark.parametrize("wire", WIRES)
def test_apim_paging_across_3_pages(large: Sandbox, wire: str) -> None:
    with ApimClient(**options(large, wire)) as apim:
        found = apim.plans.query(Q.name.like("paged-%"))
        names = [plan.name for plan in found]
        assert names == [f"paged-{n:03d}" for n in range(250)]
        assert found.pages_fetched == 3


@pytest.mark.parametrize("wire", WIRES)
def test_platform_paging_across_3_pages(large: Sandbox, wire: str) -> None:
    with PlatformClient(**options(large, wire)) as platform:
        found = platform.accounts.query()
        ids = [account.account_id for account in found]
        assert len(ids) == len(set(ids)) == 250
        assert found.pages_fetched == 3


# bulk -------------------------------------------------------------------------------


def test_emulator_bulk_answer_is_boomis_shape(large: Sandbox) -> None:
    with PlatformClient(**options(large, "soap")) as platform:
        first = next(iter(platform.accounts.query())).account_id
    body = envelope(
        "<soap:getBulk><api:objectType>Account</api:objectType>"
        f'<api:bulkObject type="GET"><api:request xsi:type="api:BulkId" id="{first}"/>'
        '<api:request xsi:type="api:BulkId" id="no-such"/></api:bulkObject></soap:getBulk>',
        service="platform",
    )
    root = etree.fromstring(post(large, body, "platform").content)
    items = root.findall(f".//{{{API}}}results/{{{API}}}response")
    assert [dict(item.attrib) for item in items] == [
        {"statusCode": "200"},
        {"errorMessage": "Account no-such does not exist", "statusCode": "400", "id": "no-such"},
    ]
    result = items[0].find(f"{{{API}}}Result")
    assert result is not None and result.get("accountId") == first
    assert result.get(f"{{{XSI}}}type", "").endswith(":Account")


@pytest.mark.parametrize("wire", WIRES)
def test_bulk_of_230_ids_in_the_order_asked(large: Sandbox, wire: str) -> None:
    with PlatformClient(**options(large, wire)) as platform:
        known = [account.account_id for account in platform.accounts.query()]
        # Every seventh id does not exist; the answer names failures only by id and
        # successes by nothing at all: the client pairs them in the order asked.
        ids = [f"missing-{n}" if n % 7 == 3 else known[n] for n in range(230)]
        items = platform.accounts.get_many(ids)
    assert [item.id for item in items] == ids
    assert [item.index for item in items] == list(range(230))
    for item, asked in zip(items, ids, strict=True):
        if asked.startswith("missing-"):
            assert (item.ok, item.status_code, item.result) == (False, 400, None)
            assert asked in (item.error_message or "")
        else:
            assert item.ok and item.unwrap().account_id == asked


# ApiKey by key ------------------------------------------------------------------------


@pytest.mark.parametrize("wire", WIRES)
def test_api_key_get_and_update_by_key(boomi_sandbox: Sandbox, wire: str) -> None:
    with ApimClient(**options(boomi_sandbox, wire)) as apim:
        app = apim.applications.create(Application(application_name="keys"))
        created = apim.api_keys.create(
            ApiKey(api_id="api-1", environment_id="env-1", application_id=app.application_id)
        )
        assert created.key and created.key not in repr(created)
        assert apim.api_keys.get(created.key) == created
        enabled = apim.api_keys.update(dataclasses.replace(created, enabled=False))
        assert enabled.key == created.key and enabled.enabled is False
        assert apim.api_keys.get(created.key).enabled is False


@pytest.mark.parametrize("wire", WIRES)
def test_api_key_whose_key_needs_percent_encoding(boomi_sandbox: Sandbox, wire: str) -> None:
    key = f"k/with+reserved=chars?#{wire}"
    with ApimClient(**options(boomi_sandbox, wire)) as apim:
        app = apim.applications.create(Application(application_name="encoded"))
        boomi_sandbox.add(
            ApiKey(key=key, api_id="a", environment_id="e", application_id=app.application_id)
        )
        assert apim.api_keys.get(key).key == key
        updated = apim.api_keys.update(
            dataclasses.replace(apim.api_keys.get(key), subscription_name="s")
        )
        assert updated.subscription_name == "s" and updated.key == key
    url = f"{boomi_sandbox.base_url}/apim/api/rest/v1/{boomi_sandbox.account_id}/apiKey/"
    answer = requests.get(url + quote(key, safe=""), auth=("u", "p"), timeout=10)
    assert answer.status_code == 200 and answer.json()["key"] == key


# Application elements -----------------------------------------------------------------


def test_application_description_and_notes_are_elements_both_ways(
    boomi_sandbox: Sandbox,
) -> None:
    app = Application(application_name="shop", description="d & <d>", notes="n", enabled=True)
    with ApimClient(**options(boomi_sandbox, "soap")) as apim:
        sent = etree.fromstring(apim.envelope("create", apim.applications.spec, app))
        obj = sent.find(f".//{{{APIM}}}object")
        assert obj is not None
        assert [etree.QName(c).localname for c in obj] == ["description", "notes"]
        assert [c.text for c in obj] == ["d & <d>", "n"]
        assert "description" not in obj.attrib and "notes" not in obj.attrib
        created = apim.applications.create(app)
        assert (created.description, created.notes) == ("d & <d>", "n")
        assert apim.applications.get(created.application_id) == created
    body = envelope(
        "<soap:get><apim:objectType>Application</apim:objectType>"
        f"<apim:objectId>{created.application_id}</apim:objectId></soap:get>"
    )
    result = etree.fromstring(post(boomi_sandbox, body).content).find(f".//{{{APIM}}}result")
    assert result is not None and result.get("applicationName") == "shop"
    assert [(etree.QName(c).localname, c.text) for c in result] == [
        ("description", "d & <d>"),
        ("notes", "n"),
    ]
    with ApimClient(**options(boomi_sandbox, "rest")) as rest:
        assert rest.applications.get(created.application_id) == created


# WSDL names -----------------------------------------------------------------------------


@pytest.mark.parametrize("service", ["apim", "platform"])
def test_served_wsdl_has_boomis_names_and_no_faults(boomi_sandbox: Sandbox, service: str) -> None:
    prefix = "/apim/api/soap/v1/" if service == "apim" else "/api/soap/v1/"
    url = boomi_sandbox.base_url + prefix + boomi_sandbox.account_id
    wsdl = etree.fromstring(requests.get(url + "?wsdl", auth=("u", "p"), timeout=10).content)
    names = {
        kind: [e.get("name") for e in wsdl.iter(f"{{{WSDL}}}{kind}")]
        for kind in ("service", "portType", "binding", "port", "fault")
    }
    assert names == {
        "service": ["BoomiApiVersion1Service"],
        "portType": ["BoomiApiVersion1"],
        "binding": ["BoomiApiVersion1PortBinding"],
        "port": ["BoomiApiVersion1Port"],
        "fault": [],
    }
    if service == "platform":
        assert wsdl.get("targetNamespace") == API


# SimpleExpression ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "arguments", "words"),
    [
        ("BOGUS", ["x"], "BOGUS is not a query operator"),
        ("EQUALS", [], "EQUALS takes 1 argument(s), got 0"),
        ("EQUALS", ["a", "b", "c"], "EQUALS takes 1 argument(s), got 3"),
    ],
)
def test_operators_and_argument_counts_are_the_services_rules(
    boomi_sandbox: Sandbox, operator: str, arguments: list[str], words: str
) -> None:
    # Boomi's schema: operator a plain string, argument unbounded. The schema lets these
    # through; the emulator refuses them as Boomi's own rules do.
    args = "".join(f"<api:argument>{a}</api:argument>" for a in arguments)
    body = envelope(
        "<soap:query><apim:objectType>Plan</apim:objectType><api:queryConfig><api:QueryFilter>"
        f'<api:expression xsi:type="api:SimpleExpression" operator="{operator}" property="name">'
        f"{args}</api:expression></api:QueryFilter></api:queryConfig></soap:query>"
    )
    assert fault(post(boomi_sandbox, body))[1:] == (400, words)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("<soap:get><api:objectId>x</api:objectId></soap:get>", "objectType is required"),
        (
            "<soap:get><api:objectType>Account</api:objectType></soap:get>",
            "objectId must not be empty",
        ),
        (
            "<soap:query><api:objectType>Account</api:objectType></soap:query>",
            "queryConfig is required",
        ),
        (
            "<soap:getBulk><api:objectType>Account</api:objectType></soap:getBulk>",
            "bulkObject is required",
        ),
        ("<soap:queryMore/>", "queryToken is required"),
    ],
)
def test_platform_wrapper_parts_the_schema_leaves_optional(
    boomi_sandbox: Sandbox, body: str, words: str
) -> None:
    # Boomi's Platform wrappers declare every child minOccurs="0": a missing one passes the
    # schema and is refused by the handler, naming it.
    answer = post(boomi_sandbox, envelope(body, service="platform"), "platform")
    assert fault(answer)[1:] == (400, words)
