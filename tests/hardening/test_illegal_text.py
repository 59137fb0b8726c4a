"""Text XML cannot carry is refused with InvalidRequest naming the field, on both wires.

NUL, the C0 controls but tab/LF/CR, U+FFFE, U+FFFF and lone surrogates cannot appear in
an XML 1.0 document, not even as character references. The client refuses them in any
string field, id or filter argument before sending (a loopback listener that answers no
request shows nothing was sent); the emulator refuses them on receipt on every wire, so
a value stored through REST can never make a later SOAP answer unwritable.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sandbox.helpers import SOAP_HEADERS, envelope, soap_url

from boomisoap import (
    ApimClient,
    Application,
    InvalidRequest,
    Plan,
    PlatformClient,
    Q,
)
from boomisoap.models.fields import MAX_TEXT
from boomisoap.sandbox import Sandbox
from boomisoap.sandbox.seed import PLAN_IDS
from hardening.listener import Listener

ILLEGAL = {
    "nul": "\x00",
    "soh": "\x01",
    "vt": "\x0b",
    "us": "\x1f",
    "fffe": "\ufffe",
    "ffff": "\uffff",
    "lone-high-surrogate": "\ud800",
    "lone-low-surrogate": "\udfff",
}
WIRES = ("soap", "rest")


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def client(cls: Any, listener: Listener, wire: str) -> Any:
    # Pointed at a listener that closes every connection: anything sent would surface
    # as a TransportError, and the listener would count it.
    return cls(
        account_id="acct-1",
        username="u",
        password="p",
        base_url=listener.url,
        wire=wire,
        rate_limit=None,
        retries=0,
    )


def calls(bad: str) -> dict[str, tuple[str, Any]]:
    """name -> (field expected, call on an ApimClient)"""
    return {
        "create-name": ("name", lambda c: c.plans.create(Plan(name=f"bad{bad}name"))),
        "create-description": (
            "description",
            lambda c: c.plans.create(Plan(name="ok", description=f"x{bad}")),
        ),
        "update-name": (
            "name",
            lambda c: c.plans.update(Plan(plan_id="p-1", name=f"{bad}")),
        ),
        "application-notes-element": (
            "notes",
            lambda c: c.applications.create(Application(application_name="a", notes=f"n{bad}")),
        ),
        "get-id": ("planId", lambda c: c.plans.get(f"id{bad}")),
        "delete-id": ("planId", lambda c: c.plans.delete(f"{bad}id")),
        "filter-equals": ("name", lambda c: list(c.plans.query(Q.name == f"a{bad}"))),
        "filter-like": ("name", lambda c: list(c.plans.query(Q.name.like(f"%{bad}%")))),
        "filter-nested": (
            "name",
            lambda c: list(c.plans.query((Q.status == "ENABLED") & (Q.name == bad))),
        ),
    }


CASES = [(wire, char, call) for wire in WIRES for char in ILLEGAL for call in calls("x")]


@pytest.mark.parametrize(("wire", "char", "call"), CASES)
def test_client_refuses_before_sending(listener: Listener, wire: str, char: str, call: str) -> None:
    field, action = calls(ILLEGAL[char])[call]
    with client(ApimClient, listener, wire) as apim, pytest.raises(InvalidRequest) as caught:
        action(apim)
    assert caught.value.field == field
    assert f"U+{ord(ILLEGAL[char]):04X}" in str(caught.value)
    assert listener.hits == 0


@pytest.mark.parametrize("wire", WIRES)
def test_platform_ids_are_checked_too(listener: Listener, wire: str) -> None:
    with client(PlatformClient, listener, wire) as platform:
        for action in (
            lambda: platform.accounts.get("acct\x00"),
            lambda: platform.accounts.get_many(["a", "b\ufffe"]),
            lambda: list(platform.accounts.query(Q.name == "n\x07")),
        ):
            with pytest.raises(InvalidRequest):
                action()
    assert listener.hits == 0


@pytest.mark.parametrize("wire", WIRES)
def test_an_over_long_value_is_refused_naming_the_field(listener: Listener, wire: str) -> None:
    with client(ApimClient, listener, wire) as apim:
        with pytest.raises(InvalidRequest) as caught:
            apim.plans.create(Plan(name="n" * (2 * 1024 * 1024)))
        assert caught.value.field == "name" and str(MAX_TEXT) in str(caught.value)
        with pytest.raises(InvalidRequest) as caught:
            apim.plans.get("i" * (MAX_TEXT + 1))
        assert caught.value.field == "planId"
    assert listener.hits == 0


@pytest.mark.parametrize("wire", WIRES)
def test_legal_unusual_text_still_goes_through(wire: str, boomi_sandbox: Sandbox) -> None:
    text = "tab\there\nline\r\u00e9\u20ac\U0001f600\ud7ff\ue000\ufffd"
    with ApimClient(
        account_id=boomi_sandbox.account_id,
        username="u",
        password="p",
        base_url=boomi_sandbox.base_url,
        wire=wire,
        rate_limit=None,
    ) as apim:
        created = apim.plans.create(Plan(name="x" * MAX_TEXT, description=text))
        assert apim.plans.get(created.plan_id).description == text


# the emulator -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox.start(seed_demo=True, rate_limit=None) as sandbox:
        yield sandbox


def rest(sb: Sandbox, method: str, path: str, **options: Any) -> requests.Response:
    root = f"{sb.base_url}/apim/api/rest/v1/{sb.account_id}"
    headers = {"Accept": "application/json", **options.pop("headers", {})}
    return requests.request(
        method, root + path, auth=("u", "p"), headers=headers, timeout=10, **options
    )


def soap_query_of_plans(sb: Sandbox) -> requests.Response:
    body = (
        "<soap:query><apim:objectType>Plan</apim:objectType>"
        "<api:queryConfig><api:QueryFilter/></api:queryConfig></soap:query>"
    )
    return requests.post(soap_url(sb), data=envelope(body), headers=SOAP_HEADERS, timeout=10)


@pytest.mark.parametrize("char", ILLEGAL)
def test_emulator_rest_create_refuses_and_soap_keeps_answering(sb: Sandbox, char: str) -> None:
    before = sb.count("Plan")
    # json.dumps escapes as \\uXXXX, so lone surrogates travel as valid JSON text.
    response = rest(sb, "POST", "/plan", json={"name": f"bad{ILLEGAL[char]}name"})
    assert response.status_code == 400, response.text
    assert response.json().get("field") == "name"
    assert sb.count("Plan") == before
    assert soap_query_of_plans(sb).status_code == 200


@pytest.mark.parametrize("char", ["soh", "fffe", "lone-high-surrogate"])
def test_emulator_rest_update_query_bulk_and_link_refuse(sb: Sandbox, char: str) -> None:
    bad = ILLEGAL[char]
    plan_id = next(iter(PLAN_IDS.values()))
    update = rest(
        sb, "POST", f"/plan/{plan_id}/update", json={"planId": plan_id, "name": f"n{bad}"}
    )
    assert update.status_code == 400 and update.json().get("field") == "name"
    expression = {"argument": [f"a{bad}"], "operator": "EQUALS", "property": "name"}
    query = rest(sb, "POST", "/plan/query", json={"QueryFilter": {"expression": expression}})
    assert query.status_code == 400 and query.json().get("field") == "name"
    platform = f"{sb.base_url}/api/rest/v1/{sb.account_id}/Account/bulk"
    bulk = requests.post(
        platform,
        json={"type": "GET", "request": [{"id": f"i{bad}"}]},
        auth=("u", "p"),
        headers={"Accept": "application/json"},
        timeout=10,
    )
    assert bulk.status_code == 400 or all(
        item.get("statusCode") == 400 for item in bulk.json()["response"]
    ), bulk.text
    # Plan associations travel as XML, which cannot carry these characters at all.
    association = (
        '<apim:PlanAssociations xmlns:apim="http://apim.api.platform.boomi.com/">'
        f'<apim:association componentId="d{bad}" environmentId="e" planId="{plan_id}"/>'
        "</apim:PlanAssociations>"
    ).encode("utf-8", "surrogatepass")
    link = rest(
        sb,
        "POST",
        "/planAssociation",
        data=association,
        headers={"Content-Type": "application/xml"},
    )
    assert link.status_code == 400, link.text
    assert soap_query_of_plans(sb).status_code == 200


@pytest.mark.parametrize("encoded", ["%00", "%01", "%1F", "%EF%BF%BE", "%ED%A0%80", "%FF"])
def test_emulator_rest_ids_in_the_path_are_refused(sb: Sandbox, encoded: str) -> None:
    response = rest(sb, "GET", f"/plan/id{encoded}")
    assert response.status_code == 400, response.text
    assert response.json().get("field") == "planId"


@pytest.mark.parametrize("reference", ["&#0;", "&#1;", "&#xFFFE;", "&#xD800;"])
def test_emulator_soap_refuses_character_references(sb: Sandbox, reference: str) -> None:
    body = (
        "<soap:get><apim:objectType>Plan</apim:objectType>"
        f"<apim:objectId>x{reference}</apim:objectId></soap:get>"
    )
    response = requests.post(soap_url(sb), data=envelope(body), headers=SOAP_HEADERS, timeout=10)
    assert response.status_code == 500 and b"XML refused" in response.content


@pytest.mark.parametrize("char", ["nul", "fffe", "lone-low-surrogate"])
def test_envelopes_for_bridges_refuse_it_too(listener: Listener, char: str) -> None:
    bad = ILLEGAL[char]
    with client(ApimClient, listener, "soap") as apim:
        spec = apim.plans.spec
        for args, field in (
            (("get", spec, f"id{bad}"), "planId"),
            (("create", spec, Plan(name="ok", description=bad)), "description"),
            (("query_more", f"tok{bad}"), "queryToken"),
        ):
            with pytest.raises(InvalidRequest) as caught:
                apim.envelope(*args)
            assert caught.value.field == field
