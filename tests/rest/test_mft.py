"""MftClient against requests_mock: paths, parameters, every field, checks and errors."""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import _mft_rows as rows
import pytest
from _rest_helpers import API_KEY, BASE, MFT_ROOT, AuditRecorder, assert_no_secret, error_body
from requests_mock import ANY, Mocker

from boomisoap import (
    AuthenticationError,
    BoomiError,
    EnvelopeValidationError,
    InvalidRequest,
    MftClient,
    RateLimited,
    TransportError,
)
from boomisoap.models.mft import BILLING_DAILY, DAILY, MONTH_TO_DATE, TRANSFER_USAGE


def params(request: Any) -> list[tuple[str, str]]:
    # requests_mock's own ``qs`` lowercases names; orgId must keep its capital.
    return parse_qsl(urlsplit(request.url).query)


def assert_fields(actual: Any, expected: Any) -> None:
    assert type(actual) is type(expected)
    for field in dataclasses.fields(expected):
        got, want = getattr(actual, field.name), getattr(expected, field.name)
        assert got == want, field.name
        assert type(got) is type(want), field.name
        if hasattr(want, "tzinfo"):
            assert got.tzinfo is not None and got.utcoffset() == want.utcoffset(), field.name


@pytest.mark.parametrize(
    ("document", "spec"),
    [
        (rows.TRANSFER_USAGE_JSON, TRANSFER_USAGE),
        (rows.MONTH_TO_DATE_JSON, MONTH_TO_DATE),
        (rows.DAILY_JSON, DAILY),
        (rows.BILLING_DAILY_JSON, BILLING_DAILY),
    ],
)
def test_the_rows_carry_every_field_of_seed_000(document: dict[str, Any], spec: Any) -> None:
    assert list(document) == [field.wire for field in spec.fields]


def test_transfer_quota(mft: MftClient, requests_mock: Mocker) -> None:
    mock = requests_mock.get(f"{MFT_ROOT}/transferQuota", text="250000")
    assert mft.accounting.transfer_quota() == 250000
    request = mock.last_request
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.headers["Accept"] == "application/json"
    assert params(request) == []


@pytest.mark.parametrize("body", ["true", "2147483648", "1.5", '"12"', "null", "[]"])
def test_transfer_quota_must_be_an_int32(mft: MftClient, requests_mock: Mocker, body: str) -> None:
    requests_mock.get(f"{MFT_ROOT}/transferQuota", text=body)
    with pytest.raises(EnvelopeValidationError):
        mft.accounting.transfer_quota()


def test_transfer_usage(mft: MftClient, requests_mock: Mocker) -> None:
    answer = [rows.TRANSFER_USAGE_JSON, rows.TRANSFER_USAGE_NULL_HOUR_JSON]
    mock = requests_mock.get(f"{MFT_ROOT}/transferUsage", json=answer)
    usage = mft.accounting.transfer_usage()
    assert len(usage) == 2
    assert_fields(usage[0], rows.TRANSFER_USAGE)
    assert_fields(usage[1], dataclasses.replace(rows.TRANSFER_USAGE, transfer_hour=None))
    assert params(mock.last_request) == []


def test_a_lone_row_is_read_as_a_list_of_one(mft: MftClient, requests_mock: Mocker) -> None:
    # Seed 000 does not say "Array" for transferUsage and daily; accept both shapes.
    requests_mock.get(f"{MFT_ROOT}/transferUsage", json=rows.TRANSFER_USAGE_JSON)
    assert mft.accounting.transfer_usage() == [rows.TRANSFER_USAGE]


def test_month_to_date(mft: MftClient, requests_mock: Mocker) -> None:
    mock = requests_mock.get(f"{MFT_ROOT}/monthToDate", json=[rows.MONTH_TO_DATE_JSON])
    [row] = mft.accounting.month_to_date(org_id=7, month=11, year=2026)
    assert_fields(row, rows.MONTH_TO_DATE)
    assert params(mock.last_request) == [("orgid", "7"), ("monthnum", "11"), ("year", "2026")]


def test_daily(mft: MftClient, requests_mock: Mocker) -> None:
    mock = requests_mock.get(f"{MFT_ROOT}/daily", json=[rows.DAILY_JSON, rows.DAILY_JSON])
    daily = mft.accounting.daily(0, 2, 2000)
    assert len(daily) == 2
    for row in daily:
        assert_fields(row, rows.DAILY)
    assert params(mock.last_request) == [("orgid", "0"), ("monthnum", "2"), ("year", "2000")]


def test_billing_daily(mft: MftClient, requests_mock: Mocker) -> None:
    answer = [rows.BILLING_DAILY_JSON, rows.BILLING_DAILY_NULLS_JSON]
    mock = requests_mock.get(f"{MFT_ROOT}/billing/daily", json=answer)
    full, nulls = mft.accounting.billing_daily(year=2026, month=11, org_id=7)
    assert_fields(full, rows.BILLING_DAILY)
    assert full.action_items is not None
    for got, want in zip(full.action_items, rows.BILLING_DAILY.action_items or (), strict=True):
        assert_fields(got, want)
    assert nulls.action_items is None and nulls.id is None and nulls.thru_node_name is None
    assert params(mock.last_request) == [("year", "2026"), ("month", "11"), ("orgId", "7")]


def test_billing_daily_defaults_to_every_organization(
    mft: MftClient, requests_mock: Mocker
) -> None:
    mock = requests_mock.get(f"{MFT_ROOT}/billing/daily", json=[])
    assert mft.accounting.billing_daily(2100, 12) == []
    assert params(mock.last_request) == [("year", "2100"), ("month", "12"), ("orgId", "0")]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"month": 0}, "month"),
        ({"month": 13}, "month"),
        ({"month": True}, "month"),
        ({"month": "11"}, "month"),
        ({"month": 11.0}, "month"),
        ({"year": 1999}, "year"),
        ({"year": 2101}, "year"),
        ({"year": None}, "year"),
        ({"org_id": -1}, "org_id"),
        ({"org_id": False}, "org_id"),
        ({"org_id": 2**31}, "org_id"),
    ],
)
@pytest.mark.parametrize("method", ["month_to_date", "daily", "billing_daily"])
def test_arguments_are_checked_before_sending(
    mft: MftClient, requests_mock: Mocker, kwargs: dict[str, Any], field: str, method: str
) -> None:
    mock = requests_mock.get(ANY, json=[])
    arguments: dict[str, Any] = {"org_id": 1, "month": 11, "year": 2026, **kwargs}
    with pytest.raises(InvalidRequest) as caught:
        getattr(mft.accounting, method)(**arguments)
    assert caught.value.field == field
    assert field in str(caught.value)
    assert mock.call_count == 0 and requests_mock.call_count == 0


@pytest.mark.parametrize(
    ("row", "path"),
    [
        ({**rows.TRANSFER_USAGE_JSON, "pullCount": 2**31}, "/0/pullCount"),  # int32
        ({**rows.TRANSFER_USAGE_JSON, "transferBytes": 2**63}, "/0/transferBytes"),
        ({**rows.TRANSFER_USAGE_JSON, "pushCount": None}, "/0/pushCount"),  # required
        ({**rows.TRANSFER_USAGE_JSON, "transferDate": "03/11/2026"}, "/0/transferDate"),
        ({**rows.TRANSFER_USAGE_JSON, "compressionCount": True}, "/0/compressionCount"),
    ],
)
def test_a_row_breaking_the_seed_types_is_reported(
    mft: MftClient, requests_mock: Mocker, row: dict[str, Any], path: str
) -> None:
    requests_mock.get(f"{MFT_ROOT}/transferUsage", json=[row])
    with pytest.raises(EnvelopeValidationError) as caught:
        mft.accounting.transfer_usage()
    assert caught.value.path == path


def test_bad_action_items_are_reported(mft: MftClient, requests_mock: Mocker) -> None:
    row = {**rows.BILLING_DAILY_JSON, "actionItems": {"action": "ENCRYPT"}}
    requests_mock.get(f"{MFT_ROOT}/billing/daily", json=[row])
    with pytest.raises(EnvelopeValidationError) as caught:
        mft.accounting.billing_daily(2026, 11)
    assert caught.value.path == "/0/actionItems"


def test_naive_timestamps_are_read_as_utc(mft: MftClient, requests_mock: Mocker) -> None:
    row = {**rows.DAILY_JSON, "transferDate": "2026-11-02T00:00:00"}
    requests_mock.get(f"{MFT_ROOT}/daily", json=[row])
    [daily] = mft.accounting.daily(1, 11, 2026)
    assert daily.transfer_date == rows.DAILY.transfer_date
    assert daily.transfer_date.tzinfo is not None


def test_base_path_is_configurable(requests_mock: Mocker) -> None:
    # base_path replaces only the root; the section segment keeps its default.
    mock = requests_mock.get(f"{BASE}/custom/mft/v2/Accounting/transferQuota", text="1")
    with MftClient(base_url=BASE + "/", api_key=API_KEY, base_path="custom/mft/v2/") as client:
        assert client.accounting.transfer_quota() == 1
    assert mock.called


def test_401_is_an_authentication_error_and_the_key_never_leaks(
    mft: MftClient, requests_mock: Mocker
) -> None:
    texts = [repr(mft), repr(mft.accounting), str(vars(mft).get("base_url"))]
    answers = [
        (401, {"json": error_body(401, f"API key {API_KEY} is not valid")}),
        (401, {"text": f"<html>Bearer {API_KEY}</html>"}),
        (502, {"text": f"<html>upstream rejected {API_KEY}</html>"}),
        (200, {"text": f"[{{'key': '{API_KEY}'"}),
        (503, {"json": error_body(503, f"slow down, {API_KEY}")}),
    ]
    for status, answer in answers:
        requests_mock.get(f"{MFT_ROOT}/transferQuota", status_code=status, **answer)
        with pytest.raises(BoomiError) as caught:
            mft.accounting.transfer_quota()
        if status == 401:
            assert isinstance(caught.value, AuthenticationError)
        texts += [str(caught.value), repr(caught.value)]
        texts += [str(getattr(caught.value, name, "")) for name in ("message", "excerpt")]
    assert_no_secret(*texts)


def test_api_key_is_required_and_never_echoed() -> None:
    with pytest.raises(InvalidRequest) as caught:
        MftClient(base_url=BASE, api_key="")
    assert caught.value.field == "api_key"


def test_503_is_retried_then_rate_limited(mft: MftClient, requests_mock: Mocker) -> None:
    mock = requests_mock.get(f"{MFT_ROOT}/daily", status_code=503)
    with pytest.raises(RateLimited):
        mft.accounting.daily(1, 11, 2026)
    assert mock.call_count == 6


def test_html_gateway_page_is_a_transport_error(mft: MftClient, requests_mock: Mocker) -> None:
    requests_mock.get(
        f"{MFT_ROOT}/transferUsage",
        [{"status_code": 502, "text": "<html>Bad Gateway</html>"}, {"json": []}],
    )
    # Reads go again after a gateway error, as on the other wires.
    assert mft.accounting.transfer_usage() == []
    requests_mock.get(f"{MFT_ROOT}/transferUsage", text="[{")
    with pytest.raises(TransportError) as caught:
        mft.accounting.transfer_usage()
    assert caught.value.http_status == 200 and caught.value.excerpt == "[{"


def test_calls_are_audited_like_the_other_services(requests_mock: Mocker) -> None:
    recorder = AuditRecorder()
    requests_mock.get(f"{MFT_ROOT}/monthToDate", json=[rows.MONTH_TO_DATE_JSON])
    with MftClient(
        base_url=BASE,
        api_key=API_KEY,
        audit=recorder,  # type: ignore[arg-type]
        correlation_id="cid-mft",
        rate_limit=None,
    ) as client:
        client.accounting.month_to_date(0, 11, 2026)
    [exchange] = recorder.exchanges
    assert (exchange.service, exchange.operation, exchange.wire) == ("mft", "month_to_date", "rest")
    assert exchange.url == f"{MFT_ROOT}/monthToDate?orgid=0&monthnum=11&year=2026"
    assert exchange.outcome == "ok" and exchange.correlation_id == "cid-mft"
    assert exchange.object_type == "MonthToDateTransfer"


def test_rate_limit_paces_requests(requests_mock: Mocker) -> None:
    waits: list[float] = []
    with MftClient(base_url="https://pacing.test", api_key="k-pacing", rate_limit=2.0) as client:
        client.transport._sleep = waits.append
        requests_mock.get("https://pacing.test/api/Accounting/transferQuota", text="1")
        for _ in range(4):
            client.accounting.transfer_quota()
    # A burst of two, then the client waits for tokens.
    assert len(waits) == 2 and all(w > 0 for w in waits)


def test_a_key_cut_by_the_excerpt_leaves_no_head_behind(
    mft: MftClient, requests_mock: Mocker
) -> None:
    requests_mock.get(f"{MFT_ROOT}/transferQuota", text="[" + "1," * 96 + API_KEY)
    with pytest.raises(TransportError) as caught:
        mft.accounting.transfer_quota()
    assert API_KEY[:6] not in str(caught.value)


def test_an_unexpected_type_tag_on_a_row_is_ignored(mft: MftClient, requests_mock: Mocker) -> None:
    row = {"@type": "MonthToDateDto", **rows.MONTH_TO_DATE_JSON}
    requests_mock.get(f"{MFT_ROOT}/monthToDate", json=[row])
    assert mft.accounting.month_to_date(0, 11, 2026) == [rows.MONTH_TO_DATE]
