"""Boomi's query operators end to end: CONTAINS / NOT_CONTAINS, per-object operator sets,
upper-case Account property names and argument counts, on both wires against the emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from lxml import etree

from boomisoap import Account, ApimClient, InvalidRequest, Plan, PlatformClient, Q
from boomisoap.audit import AuditLog
from boomisoap.models import OBJECTS
from boomisoap.query import Simple
from boomisoap.sandbox import Sandbox

from .helpers import SOAP_HEADERS, envelope

ACCOUNT = OBJECTS["Account"]
WIRES = ("soap", "rest")
# The seeded child accounts (seed 003): ids and names the filters below select from.
SEEDED = {"abc-H566GG": "ABC Co", "xyz-V3M1QL": "Boomi Inc", "boomiqa-T7KIDU": "BoomiQA"}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox.start(users={"u": "p"}, seed_demo=True, rate_limit=None) as sb:
        sb.add(Account(account_id="noname-00001"))  # an account without a name
        yield sb


def _client(sandbox: Sandbox, cls: Any, wire: str, **options: Any) -> Any:
    values = {
        "account_id": sandbox.account_id,
        "username": "u",
        "password": "p",
        "base_url": sandbox.base_url,
        "rate_limit": None,
        "wire": wire,
        **options,
    }
    return cls(**values)


def _seeded_ids(platform: PlatformClient, where: Any) -> set[str]:
    found = {a.account_id for a in platform.accounts.query(where)}
    return found & (set(SEEDED) | {"noname-00001"})


@pytest.mark.parametrize("wire", WIRES)
def test_contains_and_not_contains_select_accounts(sandbox: Sandbox, wire: str) -> None:
    with _client(sandbox, PlatformClient, wire) as platform:
        assert _seeded_ids(platform, Q.name.contains("Boomi")) == {"xyz-V3M1QL", "boomiqa-T7KIDU"}
        # Case-sensitive, no wildcards: "%" is a literal character for CONTAINS.
        assert _seeded_ids(platform, Q.name.contains("boomi")) == set()
        assert _seeded_ids(platform, Q.name.contains("B%")) == set()
        # NOT_CONTAINS, like NOT_EQUALS, also matches an account without the property.
        assert _seeded_ids(platform, Q.name.not_contains("Boomi")) == {"abc-H566GG", "noname-00001"}
        combined = Q.accountId.contains("-") & Q.name.not_contains("Co") & Q.name.contains("QA")
        assert _seeded_ids(platform, combined) == {"boomiqa-T7KIDU"}


@pytest.mark.parametrize("wire", WIRES)
def test_an_operator_account_does_not_take_is_refused_before_sending(wire: str) -> None:
    # Nothing listens on port 9: reaching the network would be a TransportError instead.
    with (
        PlatformClient(
            account_id="acct",
            username="u",
            password="p",
            base_url="http://127.0.0.1:9",
            retries=0,
            wire=wire,
        ) as platform,
        pytest.raises(InvalidRequest) as caught,
    ):
        platform.accounts.query(Q.name.starts_with("B"))
    assert caught.value.field == "name"
    assert "STARTS_WITH" in caught.value.message and "name" in caught.value.message
    assert "CONTAINS" in caught.value.message  # the message lists what Account does take


@pytest.mark.parametrize("wire", WIRES)
def test_apim_objects_keep_the_documented_operator_set(sandbox: Sandbox, wire: str) -> None:
    with _client(sandbox, ApimClient, wire) as apim:
        apim.plans.create(Plan(name=f"contains-{wire}"))
        found = [p.name for p in apim.plans.query(Q.name.starts_with(f"contains-{wire}"))]
        assert found == [f"contains-{wire}"]
        with pytest.raises(InvalidRequest) as caught:
            apim.plans.query(Q.name.contains("check"))
    assert caught.value.field == "name" and "CONTAINS" in caught.value.message


@pytest.mark.parametrize("wire", WIRES)
def test_upper_case_account_properties_are_sent_in_camel_case(sandbox: Sandbox, wire: str) -> None:
    audit = AuditLog.open("sqlite:///:memory:")
    with _client(sandbox, PlatformClient, wire, audit=audit) as platform:
        found = _seeded_ids(platform, Q.ACCOUNTID == "abc-H566GG")
        sent = [r.request_body for r in audit.records(operation="query")]
    assert found == {"abc-H566GG"}
    assert sent and b"accountId" in sent[-1] and b"ACCOUNTID" not in sent[-1]


# The emulator on requests written by hand: it enforces the same sets and counts ------------


def _rest_query(sandbox: Sandbox, expression: dict[str, Any]) -> requests.Response:
    url = f"{sandbox.base_url}/api/rest/v1/{sandbox.account_id}/Account/query"
    body = {"QueryFilter": {"expression": expression}}
    headers = {"Accept": "application/json"}
    return requests.post(url, json=body, auth=("u", "p"), headers=headers, timeout=10)


def _soap_query(sandbox: Sandbox, operator: str, prop: str, arguments: list[str]) -> Any:
    args = "".join(f"<api:argument>{a}</api:argument>" for a in arguments)
    body = (
        "<soap:query><api:objectType>Account</api:objectType><api:queryConfig>"
        '<api:QueryFilter><api:expression xsi:type="api:SimpleExpression" '
        f'operator="{operator}" property="{prop}">{args}</api:expression>'
        "</api:QueryFilter></api:queryConfig></soap:query>"
    )
    url = f"{sandbox.base_url}/api/soap/v1/{sandbox.account_id}"
    answer = requests.post(
        url, data=envelope(body, service="platform"), headers=SOAP_HEADERS, timeout=10
    )
    return answer, etree.fromstring(answer.content)


def _faultstring(document: Any) -> str:
    return str(document.findtext(".//faultstring") or "")


def test_emulator_refuses_starts_with_on_account_on_both_wires(sandbox: Sandbox) -> None:
    rest = _rest_query(sandbox, {"operator": "STARTS_WITH", "property": "name", "argument": ["B"]})
    assert rest.status_code == 400
    assert "STARTS_WITH" in rest.json()["message"] and "name" in rest.json()["message"]
    soap, document = _soap_query(sandbox, "STARTS_WITH", "name", ["B"])
    assert soap.status_code == 500
    assert "STARTS_WITH is not allowed on name" in _faultstring(document)


def test_emulator_enforces_argument_counts_the_schema_leaves_open(sandbox: Sandbox) -> None:
    # The XSD accepts any number of arguments now: the count is the field map's rule.
    three = ["2010-01-01T00:00:00Z", "2011-01-01T00:00:00Z", "2012-01-01T00:00:00Z"]
    soap, document = _soap_query(sandbox, "BETWEEN", "dateCreated", three)
    assert soap.status_code == 500 and "BETWEEN takes 2 argument(s), got 3" in _faultstring(
        document
    )
    rest = _rest_query(sandbox, {"operator": "CONTAINS", "property": "name", "argument": []})
    assert (
        rest.status_code == 400 and "CONTAINS takes 1 argument(s), got 0" in rest.json()["message"]
    )
    soap, document = _soap_query(sandbox, "IS_NULL", "name", ["x"])
    assert "IS_NULL takes 0 argument(s), got 1" in _faultstring(document)


def test_emulator_accepts_upper_case_and_camel_case_account_properties(sandbox: Sandbox) -> None:
    for prop in ("ACCOUNTID", "accountId"):
        rest = _rest_query(
            sandbox, {"operator": "EQUALS", "property": prop, "argument": ["abc-H566GG"]}
        )
        assert rest.status_code == 200, rest.text
        assert [a["accountId"] for a in rest.json()["result"]] == ["abc-H566GG"]
        soap, document = _soap_query(sandbox, "CONTAINS", prop, ["xyz"])
        assert soap.status_code == 200, soap.text
        ids = [e.get("accountId") for e in document.iter("{http://api.platform.boomi.com/}result")]
        assert ids == ["xyz-V3M1QL"]
    # Mixed spellings are neither: Boomi's lists hold only the two forms.
    rest = _rest_query(sandbox, {"operator": "EQUALS", "property": "AccountId", "argument": ["x"]})
    assert rest.status_code == 400 and rest.json()["message"] == "AccountId does not exist"


# The DSL alone ------------------------------------------------------------------------------


def test_each_operator_s_argument_count_is_enforced_by_bind() -> None:
    from boomisoap.query import ARITY, bind

    assert ARITY["CONTAINS"] == ARITY["NOT_CONTAINS"] == 1
    for operator, count in ARITY.items():
        if operator not in ACCOUNT.query_operators:
            continue
        name = ACCOUNT.by_wire["name"]
        prop = "name" if operator in ACCOUNT.operators_for(name) else "dateCreated"
        with pytest.raises(InvalidRequest, match=f"{operator} takes {count} argument"):
            bind(Simple(operator, prop, ("2010-01-01T00:00:00Z",) * (count + 1)), ACCOUNT)
