"""The SOAP examples of seeds 001-003 through the client, with the transport mocked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import xmltree

from boomisoap import (
    Account,
    AccountStatus,
    Contract,
    License,
    Plan,
    PlanStatus,
    Q,
    QuotaLimitUnit,
    RateLimitUnit,
    SupportLevel,
)
from core import seeds
from core.helpers import APIM_URL, PLATFORM_URL, xml_response

HOW_ID = "575b480a-ae86-4aba-905f-75263bf40276"


def sent_body(mock) -> object:
    return xmltree.body_child(xmltree.parse(mock.last_request.body))


def expected_body(seed_request: bytes) -> object:
    return xmltree.body_child(xmltree.parse(seed_request))


def test_plan_get(apim, mock):
    mock.post(APIM_URL, **xml_response(seeds.PLAN_GET_RESPONSE))
    plan = apim.plans.get("4d50decd-f2b6-d59e-53f4-22ec4f188bb1")
    assert plan == Plan(
        plan_id="4d50decd-f2b6-d59e-53f4-22ec4f188bb1",
        name="apiTestKh",
        description="",
        max_message_size=1024,
        rate_limit=0,
        quota_limit=0,
        rate_limit_unit=RateLimitUnit.SECOND,
        quota_limit_unit=QuotaLimitUnit.DAY,
        status=PlanStatus.DISABLED,
    )
    xmltree.assert_same_tree(sent_body(mock), expected_body(seeds.PLAN_GET_REQUEST))
    headers = mock.last_request.headers
    assert headers["SOAPAction"] == '""'
    assert headers["Content-Type"] == "text/xml; charset=utf-8"


def test_plan_query(apim, mock):
    mock.post(APIM_URL, **xml_response(seeds.PLAN_QUERY_RESPONSE))
    plans = list(apim.plans.query(Q.status == "ENABLED"))
    assert [(p.name, p.plan_id) for p in plans] == seeds.SEED_PLANS
    for plan in plans:
        assert plan.status is PlanStatus.ENABLED
        assert (plan.rate_limit, plan.quota_limit, plan.max_message_size) == (0, 0, 0)
        assert plan.rate_limit_unit is RateLimitUnit.SECOND
        assert plan.quota_limit_unit is QuotaLimitUnit.DAY
        assert plan.description == ""
    xmltree.assert_same_tree(sent_body(mock), expected_body(seeds.PLAN_QUERY_REQUEST))


def how() -> Plan:
    return Plan(
        name="how",
        description="",
        max_message_size=0,
        rate_limit=9999,
        quota_limit=9999,
        rate_limit_unit=RateLimitUnit.MINUTE,
        quota_limit_unit=QuotaLimitUnit.MONTH,
    )


def test_plan_create(apim, mock):
    mock.post(APIM_URL, **xml_response(seeds.PLAN_CREATE_RESPONSE))
    created = apim.plans.create(how())
    assert created == Plan(
        plan_id=HOW_ID,
        name="how",
        description="",
        max_message_size=0,
        rate_limit=9999,
        quota_limit=9999,
        rate_limit_unit=RateLimitUnit.MINUTE,
        quota_limit_unit=QuotaLimitUnit.MONTH,
        status=PlanStatus.ENABLED,
    )
    xmltree.assert_same_tree(sent_body(mock), expected_body(seeds.PLAN_CREATE_REQUEST))


def test_plan_update(apim, mock):
    mock.post(APIM_URL, **xml_response(seeds.PLAN_UPDATE_RESPONSE))
    current = Plan(
        plan_id=HOW_ID,
        name="how",
        description="",
        max_message_size=2048,
        rate_limit=9999,
        quota_limit=9999,
        rate_limit_unit=RateLimitUnit.MINUTE,
        quota_limit_unit=QuotaLimitUnit.MONTH,
        status=PlanStatus.ENABLED,
    )
    updated = apim.plans.update(current)
    assert updated == current
    xmltree.assert_same_tree(sent_body(mock), expected_body(seeds.PLAN_UPDATE_REQUEST))


def test_plan_delete(apim, mock):
    mock.post(APIM_URL, **xml_response(seeds.DELETE_RESPONSE))
    assert apim.plans.delete(HOW_ID) is True
    xmltree.assert_same_tree(sent_body(mock), expected_body(seeds.PLAN_DELETE_REQUEST))


def test_contract_calls_follow_seed_002_and_warn(apim, mock):
    mock.post(APIM_URL, **xml_response(seeds.CONTRACT_GET_RESPONSE))
    with pytest.warns(DeprecationWarning, match="use Plan"):
        contract = apim.contracts.get("517bfe7a-5db6-4729-93fb-e907908374d8")
    assert contract == Contract(
        contract_id="517bfe7a-5db6-4729-93fb-e907908374d8",
        name="apiTestKh",
        rate_limit=0,
        quota_limit=0,
        rate_limit_unit=RateLimitUnit.UNLIMITED,
        quota_limit_unit=QuotaLimitUnit.UNLIMITED,
        deleted=True,
    )

    mock.post(APIM_URL, **xml_response(seeds.CONTRACT_QUERY_RESPONSE))
    with pytest.warns(DeprecationWarning):
        found = list(apim.contracts.query())
    assert [c.name for c in found] == [row[0] for row in seeds.SEED_CONTRACTS]
    assert [c.max_message_size for c in found] == [None, 1024, 5120, None]
    assert found[3].rate_limit == 5 and found[3].rate_limit_unit is RateLimitUnit.HOUR
    assert all(c.deleted is False for c in found)

    mock.post(APIM_URL, **xml_response(seeds.CONTRACT_CREATE_RESPONSE))
    with pytest.warns(DeprecationWarning):
        created = apim.contracts.create(
            Contract(
                name="apiTestKh",
                rate_limit=0,
                quota_limit=0,
                rate_limit_unit=RateLimitUnit.UNLIMITED,
                quota_limit_unit=QuotaLimitUnit.DAY,
            )
        )
    xmltree.assert_same_tree(sent_body(mock), expected_body(seeds.CONTRACT_CREATE_REQUEST))
    assert created.contract_id == "517bfe7a-5db6-4729-93fb-e907908374d8"
    assert created.deleted is False

    mock.post(APIM_URL, **xml_response(seeds.CONTRACT_UPDATE_RESPONSE))
    with pytest.warns(DeprecationWarning):
        updated = apim.contracts.update(
            Contract(
                contract_id="3da1c4dc-2d74-2a5f-4b82-fa6d7113e9b5",
                name="apiTestKh",
                rate_limit=0,
                quota_limit=0,
                rate_limit_unit=RateLimitUnit.HOUR,
                quota_limit_unit=QuotaLimitUnit.WEEK,
            )
        )
    xmltree.assert_same_tree(sent_body(mock), expected_body(seeds.CONTRACT_UPDATE_REQUEST))
    assert (updated.rate_limit_unit, updated.quota_limit_unit) == (
        RateLimitUnit.HOUR,
        QuotaLimitUnit.WEEK,
    )

    mock.post(APIM_URL, **xml_response(seeds.DELETE_RESPONSE))
    with pytest.warns(DeprecationWarning):
        assert apim.contracts.delete("517bfe7a-5db6-4729-93fb-e907908374d8") is True
    xmltree.assert_same_tree(sent_body(mock), expected_body(seeds.CONTRACT_DELETE_REQUEST))


def test_account_get_reads_licensing_and_molecule(platform, mock):
    mock.post(PLATFORM_URL, **xml_response(seeds.ACCOUNT_GET_RESPONSE))
    account = platform.accounts.get("boomiqa-T7KIDU")
    assert isinstance(account, Account)
    assert account.account_id == "boomiqa-T7KIDU"
    assert account.name == "BoomiQA"
    assert account.status is AccountStatus.ACTIVE
    assert account.date_created == datetime(2022, 9, 2, 20, 16, 28, tzinfo=UTC)
    assert account.expiration_date == datetime(2016, 2, 13, 5, 0, tzinfo=UTC)
    assert account.support_level is SupportLevel.STANDARD
    assert (account.widget_account, account.support_access) == (False, True)
    assert (account.over_deployed, account.suggestions_enabled) == (False, False)
    assert account.licensing is not None
    assert account.licensing.standard == License(purchased=1000000, used=60)
    assert account.licensing.trading_partner == License(purchased=100000, used=3)
    assert account.licensing.trading_partner_test == License(purchased=1000, used=0)
    assert account.molecule is not None
    assert (account.molecule.purchased, account.molecule.used) == (10, 0)
    sent = sent_body(mock)
    # Boomi's served WSDL: the Platform wrapper is in the object namespace.
    assert sent.tag == "{http://api.platform.boomi.com/}get"
    assert [c.text for c in sent] == ["Account", "boomiqa-T7KIDU"]


def test_account_query_sends_seed_003_filter(platform, mock):
    mock.post(PLATFORM_URL, **xml_response(seeds.ACCOUNT_QUERY_RESPONSE))
    where = (Q.status != "deleted") & Q.dateCreated.between(
        datetime(2014, 1, 1, tzinfo=UTC), "2016-01-01T00:00:00Z"
    )
    accounts = list(platform.accounts.query(where))
    assert [a.account_id for a in accounts] == ["abc-H566GG", "xyz-V3M1QL"]
    assert accounts[0].molecule is not None and accounts[0].molecule.used == 8
    expression = sent_body(mock).find(".//{http://api.platform.boomi.com/}expression")
    assert expression.get("operator") == "and"
    nested = list(expression)
    assert [(n.get("operator"), n.get("property")) for n in nested] == [
        ("NOT_EQUALS", "status"),
        ("BETWEEN", "dateCreated"),
    ]
    assert [a.text for a in nested[1]] == ["2014-01-01T00:00:00Z", "2016-01-01T00:00:00Z"]
