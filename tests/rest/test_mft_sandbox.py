"""MftClient against the emulator over loopback HTTP, with its demo data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from _rest_helpers import AuditRecorder, assert_no_secret

from boomisoap import AuthenticationError, InvalidRequest, MftClient
from boomisoap.rest import BillingDaily, DailyTransfer, MonthToDateTransfer, TransferUsage
from boomisoap.sandbox import Sandbox, seed

YEAR, MONTH = 2026, 11


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Any, AuditRecorder]]:
    recorder = AuditRecorder()
    with Sandbox.start(seed_demo=True, rate_limit=None, audit=recorder) as sb:
        yield sb, recorder


@pytest.fixture
def mft(served: tuple[Any, AuditRecorder]) -> Iterator[MftClient]:
    sb, _ = served
    with MftClient(base_url=sb.base_url, api_key=sb.mft_api_key, rate_limit=None) as client:
        yield client


def organizations() -> list[int]:
    return sorted(seed.ORGANIZATIONS)


def test_transfer_quota(mft: MftClient) -> None:
    assert mft.accounting.transfer_quota() == seed.TRANSFER_QUOTA


def test_transfer_usage(mft: MftClient) -> None:
    usage = mft.accounting.transfer_usage()
    assert usage and all(isinstance(row, TransferUsage) for row in usage)
    assert all(row.transfer_date.tzinfo is not None for row in usage)
    assert {row.customer_id for row in usage} == {seed.CUSTOMER_ID}


def test_daily_for_org_0_is_every_organization(mft: MftClient) -> None:
    everyone = mft.accounting.daily(0, MONTH, YEAR)
    per_org = [row for org in organizations() for row in mft.accounting.daily(org, MONTH, YEAR)]
    assert all(isinstance(row, DailyTransfer) for row in everyone)
    assert len(everyone) == 3 * 30
    assert Counter(everyone) == Counter(per_org)
    assert {row.entity_name for row in everyone} == set(seed.ORGANIZATIONS.values())


def test_month_to_date_sums_the_days(mft: MftClient) -> None:
    totals = mft.accounting.month_to_date(org_id=0, month=MONTH, year=YEAR)
    assert all(isinstance(row, MonthToDateTransfer) for row in totals)
    assert {row.entity_name for row in totals} == set(seed.ORGANIZATIONS.values())
    for org in organizations():
        days = mft.accounting.daily(org, MONTH, YEAR)
        [total] = mft.accounting.month_to_date(org, MONTH, YEAR)
        assert total in totals
        assert total.entity_name == seed.ORGANIZATIONS[org]
        for name in ("source_transfers", "target_transfers", "gui_downloads"):
            assert getattr(total, name) == sum(getattr(day, name) for day in days), name
        assert total.source_transfer_bytes == sum(d.source_transfer_bytes for d in days)


def test_billing_daily_defaults_to_every_organization(mft: MftClient) -> None:
    everyone = mft.accounting.billing_daily(YEAR, MONTH)
    assert all(isinstance(row, BillingDaily) for row in everyone)
    assert {row.organization_id for row in everyone} == set(organizations())
    per_org = []
    for org in organizations():
        rows = mft.accounting.billing_daily(year=YEAR, month=MONTH, org_id=org)
        assert rows and {row.organization_id for row in rows} == {org}
        per_org += rows
    assert Counter(everyone) == Counter(per_org)
    first = everyone[0]
    assert first.last_updated.tzinfo is not None
    assert first.action_items and all(item.count >= 0 for item in first.action_items)


def test_a_month_without_data_is_empty(mft: MftClient) -> None:
    assert mft.accounting.daily(organizations()[0], 1, 2001) == []


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"org_id": 0, "month": 13, "year": YEAR}, "month"),
        ({"org_id": 0, "month": 0, "year": YEAR}, "month"),
        ({"org_id": -5, "month": MONTH, "year": YEAR}, "org_id"),
        ({"org_id": 0, "month": MONTH, "year": 1900}, "year"),
    ],
)
def test_an_invalid_argument_never_reaches_the_server(
    served: tuple[Any, AuditRecorder], mft: MftClient, arguments: dict[str, int], field: str
) -> None:
    _, recorder = served
    before = len(recorder.exchanges)
    for method in ("month_to_date", "daily", "billing_daily"):
        with pytest.raises(InvalidRequest) as caught:
            getattr(mft.accounting, method)(**arguments)
        assert caught.value.field == field
    assert len(recorder.exchanges) == before


def test_a_wrong_key_is_refused_without_leaking(served: tuple[Any, AuditRecorder]) -> None:
    sb, _ = served
    wrong = "wrong-key-0123456789"
    with MftClient(base_url=sb.base_url, api_key=wrong, rate_limit=None) as client:
        with pytest.raises(AuthenticationError) as caught:
            client.accounting.transfer_usage()
        texts = [str(caught.value), repr(caught.value), repr(client), repr(client.accounting)]
    assert all(wrong not in text for text in texts)
    assert_no_secret(*texts)
    assert caught.value.status_code == 401


def test_the_server_saw_the_documented_paths(served: tuple[Any, AuditRecorder]) -> None:
    sb, recorder = served
    with MftClient(base_url=sb.base_url, api_key=sb.mft_api_key, rate_limit=None) as client:
        client.accounting.billing_daily(YEAR, MONTH, org_id=1001)
    last = recorder.exchanges[-1]
    assert last.url.endswith(f"/api/Accounting/billing/daily?year={YEAR}&month=11&orgId=1001")
    assert last.status == 200
