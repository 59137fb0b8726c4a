"""The partner story over the emulator, on both wires: create a sub-account, provision it
and poll to COMPLETED, create Plans inside it through the override, be refused another
partner's sub-account, delete the sub-account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from boomisoap import (
    AccountProvision,
    AccountStatus,
    AuthenticationError,
    Plan,
    ProvisionProduct,
    ProvisionStatus,
)
from boomisoap.partner import PartnerClient
from boomisoap.sandbox import Sandbox

from .conftest import SUB_1, partner_client


def test_partner_story(partner: PartnerClient, sandbox: Sandbox) -> None:
    own_plans = {p.plan_id for p in partner.plans.query()}
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)

    account = partner.create_account("Customer One", expires)
    assert account.account_id and account.name == "Customer One"
    assert account.status is AccountStatus.TRIAL
    assert account.expiration_date == expires
    assert partner.accounts.get(account.account_id).name == "Customer One"

    started = partner.provision(
        AccountProvision(
            id=account.account_id,
            products=(ProvisionProduct(product_code="STANDARD", quantity=2),),
        )
    )
    assert started.status is ProvisionStatus.PENDING
    assert started.account_id == account.account_id
    done = partner.wait_provisioned(started, timeout=30, interval=0.05)
    assert done.completed and done.id == started.id
    assert partner.provision_status(started.id).status is ProvisionStatus.COMPLETED

    with partner.override(account.account_id):
        inside = partner.plans.create(Plan(name="customer plan"))
        assert [p.plan_id for p in partner.plans.query()] == [inside.plan_id]
        assert partner.plans.get(inside.plan_id).name == "customer plan"
    # The partner's own data is untouched and does not hold the sub-account's plan.
    assert {p.plan_id for p in partner.plans.query()} == own_plans
    assert sandbox.state.count(account.account_id, "Plan") == 1

    # The client-level override does the same.
    with partner_client(sandbox, partner.wire_name, override_account=account.account_id) as sub:
        second = sub.plans.create(Plan(name="second plan"))
        assert {p.plan_id for p in sub.plans.query()} == {inside.plan_id, second.plan_id}

    with pytest.raises(AuthenticationError) as refused, partner.override("other-sub-1"):
        list(partner.plans.query())
    assert refused.value.status_code == 403

    assert partner.delete_account(account.account_id) is True
    assert partner.accounts.get(account.account_id).status is AccountStatus.DELETED
    with pytest.raises(AuthenticationError), partner.override(account.account_id):
        partner.plans.get(inside.plan_id)


def test_provision_creates_a_named_sub_account(partner: PartnerClient) -> None:
    started = partner.provision(
        AccountProvision(
            name="Provisioned Co",
            products=(
                ProvisionProduct(product_code="STANDARD", quantity=1),
                ProvisionProduct(product_code="ENTERPRISE", quantity=3),
            ),
        )
    )
    assert started.account_id is not None
    assert partner.accounts.get(started.account_id).name == "Provisioned Co"
    assert partner.wait_provisioned(started.id, timeout=30, interval=0.05).completed
    with partner.override(started.account_id):
        assert list(partner.plans.query()) == []


def test_status_is_pending_until_the_delay(sandbox: Sandbox, partner: PartnerClient) -> None:
    sandbox.partner.partner.provision_delay = 3600
    started = partner.provision(
        AccountProvision(id=SUB_1, products=(ProvisionProduct(product_code="X", quantity=1),))
    )
    assert partner.provision_status(started.id).status is ProvisionStatus.PENDING
    sandbox.partner.partner.provision_delay = 0
    assert partner.provision_status(started.id).status is ProvisionStatus.COMPLETED


def test_provisioning_an_account_outside_the_hierarchy_is_refused(
    partner: PartnerClient,
) -> None:
    for target in ("other-sub-1", "no-such-account"):
        with pytest.raises(AuthenticationError) as refused:
            partner.provision(
                AccountProvision(
                    id=target, products=(ProvisionProduct(product_code="X", quantity=1),)
                )
            )
        assert refused.value.status_code == 403


def test_deleting_an_account_outside_the_hierarchy_is_refused(
    partner: PartnerClient, sandbox: Sandbox
) -> None:
    messages = set()
    for target in ("other-sub-1", "other-partner", "no-such-account", sandbox.account_id):
        with pytest.raises(AuthenticationError) as refused:
            partner.delete_account(target)
        messages.add((refused.value.status_code, refused.value.message))
    assert len(messages) == 1
    assert sandbox.state.get("other-partner", partner.accounts.spec, "other-sub-1").status is (
        AccountStatus.ACTIVE
    )


def test_the_partner_wsdl_is_served_and_loads(sandbox: Sandbox) -> None:
    import requests
    import zeep

    url = f"{sandbox.base_url}/partner/api/soap/v1/{sandbox.account_id}"
    session = requests.Session()
    session.auth = ("u", "p")
    loaded = zeep.Client(url + "?wsdl", transport=zeep.Transport(session=session))
    operations = set(loaded.service._binding._operations)
    assert {"get", "query", "queryMore", "getBulk", "create", "delete", "execute"} <= operations
    assert requests.get(url + "?wsdl", timeout=10).status_code == 401
