"""Bad input is refused by name before anything is sent: a trial expiration more than 90
days ahead, an override on a call that takes none, a malformed override or provisioning.
The emulator holds the same rules for what reaches it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from boomisoap import AccountProvision, InvalidRequest, PartnerClient, ProvisionProduct
from boomisoap.models.partner import ACCOUNT_PROVISION, PARTNER_ACCOUNT, TRIAL_DAYS
from boomisoap.sandbox import Sandbox

from .conftest import SUB_1, WIRES, partner_client

PRODUCTS = (ProvisionProduct(product_code="STANDARD", quantity=1),)


def _refused_unsent(sandbox: Sandbox, call: Callable[[], Any], field: str) -> InvalidRequest:
    before = len(sandbox.partner.served)
    with pytest.raises(InvalidRequest) as refused:
        call()
    assert refused.value.field == field
    assert len(sandbox.partner.served) == before  # nothing reached the emulator
    return refused.value


@pytest.mark.parametrize("days", [TRIAL_DAYS + 1, 365, -1])
def test_trial_expiration_is_checked_before_sending(
    sandbox: Sandbox, partner: PartnerClient, days: int
) -> None:
    when = datetime.now(UTC) + timedelta(days=days)
    error = _refused_unsent(
        sandbox, lambda: partner.create_account("Too long", when), "expirationDate"
    )
    assert "expirationDate" in error.message


def test_trial_expiration_needs_a_time_zone(sandbox: Sandbox, partner: PartnerClient) -> None:
    naive = datetime.now() + timedelta(days=10)
    _refused_unsent(sandbox, lambda: partner.create_account("x", naive), "expirationDate")


def test_account_create_needs_a_name(sandbox: Sandbox, partner: PartnerClient) -> None:
    when = datetime.now(UTC) + timedelta(days=10)
    _refused_unsent(sandbox, lambda: partner.create_account("  ", when), "name")


def test_ninety_days_is_allowed(partner: PartnerClient) -> None:
    when = datetime.now(UTC) + timedelta(days=TRIAL_DAYS) - timedelta(minutes=1)
    assert partner.create_account("Ninety", when).expiration_date is not None


def _no_override_calls(client: PartnerClient) -> dict[str, Callable[[], Any]]:
    when = datetime.now(UTC) + timedelta(days=10)
    return {
        "create_account": lambda: client.create_account("x", when),
        "delete_account": lambda: client.delete_account(SUB_1),
        "accounts.delete": lambda: client.accounts.delete(SUB_1),
        "accounts.create": lambda: client.accounts.create(
            PARTNER_ACCOUNT.cls(account_id="", name="x", expiration_date=when)
        ),
        "provision": lambda: client.provision(AccountProvision(id=SUB_1, products=PRODUCTS)),
        "provision_status": lambda: client.provision_status("prov-1"),
    }


@pytest.mark.parametrize("wire", WIRES)
def test_an_override_on_a_call_that_takes_none_is_refused_before_sending(
    sandbox: Sandbox, wire: str
) -> None:
    with partner_client(sandbox, wire) as client:
        for name, call in _no_override_calls(client).items():
            with client.override(SUB_1):
                error = _refused_unsent(sandbox, call, "override_account")
            assert "override" in error.message, name
    with partner_client(sandbox, wire, override_account=SUB_1) as client:
        for call in _no_override_calls(client).values():
            _refused_unsent(sandbox, call, "override_account")
        # override(None): the partner itself, despite the client's override.
        with client.override(None):
            assert client.provision(AccountProvision(id=SUB_1, products=PRODUCTS)).id


@pytest.mark.parametrize("bad", ["", "a/b", "x y", "ü", 7])
def test_a_malformed_override_is_refused_by_name(sandbox: Sandbox, bad: Any) -> None:
    with pytest.raises(InvalidRequest) as refused:
        partner_client(sandbox, "rest", override_account=bad)
    assert refused.value.field == "override_account"
    client = partner_client(sandbox, "soap")
    with client, pytest.raises(InvalidRequest) as refused, client.override(bad):
        pass
    assert refused.value.field == "override_account"


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (AccountProvision(id=SUB_1), "product"),
        (AccountProvision(products=PRODUCTS), "name"),
        (
            AccountProvision(id=SUB_1, products=(ProvisionProduct(product_code="X", quantity=0),)),
            "quantity",
        ),
        (
            AccountProvision(id=SUB_1, products=(ProvisionProduct(product_code=" ", quantity=1),)),
            "productCode",
        ),
    ],
)
def test_provisioning_is_checked_before_sending(
    sandbox: Sandbox, partner: PartnerClient, request_: AccountProvision, field: str
) -> None:
    _refused_unsent(sandbox, lambda: partner.provision(request_), field)


def test_the_emulator_refuses_an_override_on_calls_that_take_none(sandbox: Sandbox) -> None:
    root = f"{sandbox.base_url}/partner/api/rest/v1/{sandbox.account_id}"
    when = (datetime.now(UTC) + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sent = [
        ("POST", f"{root}/Account/", {"name": "x", "expirationDate": when}),
        ("DELETE", f"{root}/Account/{SUB_1}", None),
        ("POST", f"{root}/AccountProvision/execute", {"id": SUB_1, "product": []}),
        ("GET", f"{root}/AccountProvision/prov-1", None),
    ]
    for method, url, body in sent:
        answer = requests.request(
            method, url, params={"overrideAccount": SUB_1}, json=body, auth=("u", "p"), timeout=10
        )
        assert answer.status_code == 400, (method, url)
        assert answer.json()["field"] == "overrideAccount"
    # SOAP: the accountId header block on an Account delete.
    with partner_client(sandbox, "soap") as client, client.override(SUB_1):
        envelope = client.envelope("delete", PARTNER_ACCOUNT, SUB_1)
    assert b"accountId" in envelope
    answer = requests.post(
        f"{sandbox.base_url}/partner/api/soap/v1/{sandbox.account_id}",
        data=envelope,
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
        timeout=10,
    )
    assert answer.status_code == 500 and b"field>accountId</" in answer.content
    assert sandbox.partner.partner.hierarchy.manages(sandbox.account_id, SUB_1)


def test_the_emulator_checks_the_trial_itself(sandbox: Sandbox) -> None:
    root = f"{sandbox.base_url}/partner/api/rest/v1/{sandbox.account_id}"
    when = (datetime.now(UTC) + timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    answer = requests.post(
        f"{root}/Account/", json={"name": "x", "expirationDate": when}, auth=("u", "p"), timeout=10
    )
    assert answer.status_code == 400 and answer.json()["field"] == "expirationDate"
    assert ACCOUNT_PROVISION.type_name == "AccountProvision"
