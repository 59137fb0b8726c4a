"""Configurable MFT Accounting paths: client and emulator read one MftPaths table."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from _rest_helpers import AuditRecorder

from boomisoap import InvalidRequest, MftClient, MftPaths, NotFound
from boomisoap.models.mftpaths import OPERATIONS
from boomisoap.rest import LEGACY_MFT_PATHS
from boomisoap.sandbox import Sandbox, seed

YEAR, MONTH = 2026, 11
# Every segment differs from the defaults, and the base shares its root with Platform REST.
CUSTOM = MftPaths(
    base="/api/rest/v1/mft-gateway",
    accounting="billing-v2",
    transfer_quota="getTransferQuota",
    transfer_usage="usage/transfers",
    month_to_date="getMonthToDate",
    daily="stats/daily",
    billing_daily="getBillingDaily",
)


def _calls(client: MftClient) -> list[Any]:
    accounting = client.accounting
    return [
        accounting.transfer_quota(),
        accounting.transfer_usage(),
        accounting.month_to_date(org_id=0, month=MONTH, year=YEAR),
        accounting.daily(org_id=1001, month=MONTH, year=YEAR),
        accounting.billing_daily(year=YEAR, month=MONTH),
    ]


@pytest.fixture(scope="module")
def custom() -> Iterator[tuple[Sandbox, AuditRecorder]]:
    recorder = AuditRecorder()
    with Sandbox.start(seed_demo=True, rate_limit=None, audit=recorder, mft_paths=CUSTOM) as sb:
        yield sb, recorder


def test_a_custom_path_set_round_trips_against_the_emulator(
    custom: tuple[Sandbox, AuditRecorder],
) -> None:
    sb, recorder = custom
    assert sb.mft_paths == CUSTOM
    with MftClient(base_url=sb.base_url, api_key=sb.mft_api_key, paths=CUSTOM) as client:
        answers = _calls(client)
    assert answers[0] == seed.TRANSFER_QUOTA
    assert all(isinstance(rows, list) and rows for rows in answers[1:])
    paths = [e.url.split("?")[0].removeprefix(sb.base_url) for e in recorder.exchanges[-5:]]
    assert paths == [CUSTOM.path(op) for op in OPERATIONS]
    assert paths[4] == "/api/rest/v1/mft-gateway/billing-v2/getBillingDaily"
    assert {e.service for e in recorder.exchanges[-5:]} == {"mft"}


def test_the_same_data_answers_at_the_default_and_at_custom_paths(
    custom: tuple[Sandbox, AuditRecorder],
) -> None:
    sb, _ = custom
    with (
        Sandbox.start(seed_demo=True, rate_limit=None) as default_sb,
        MftClient(base_url=default_sb.base_url, api_key=default_sb.mft_api_key) as client,
    ):
        expected = _calls(client)
    with MftClient(base_url=sb.base_url, api_key=sb.mft_api_key, paths=CUSTOM) as client:
        assert _calls(client) == expected


def test_paths_the_emulator_was_not_given_are_not_served(
    custom: tuple[Sandbox, AuditRecorder],
) -> None:
    sb, _ = custom
    auth = {"Authorization": f"Bearer {sb.mft_api_key}"}
    for other in (MftPaths(), LEGACY_MFT_PATHS):
        url = sb.base_url + other.path("transfer_quota")
        answer = requests.get(url, headers=auth, timeout=10)
        assert answer.status_code == 404, url
    # A client left at the defaults is told the path does not exist there.
    with (
        MftClient(base_url=sb.base_url, api_key=sb.mft_api_key, retries=0) as client,
        pytest.raises(NotFound, match="does not exist"),
    ):
        client.accounting.transfer_quota()
    # Platform REST under the shared root still answers as before.
    platform = f"{sb.base_url}/api/rest/v1/{sb.account_id}/Account/{sb.account_id}"
    assert requests.get(platform, auth=("u", "p"), timeout=10).status_code == 200


def test_the_default_emulator_serves_the_new_and_the_earlier_layout() -> None:
    with Sandbox.start(seed_demo=True, rate_limit=None) as sb:
        assert sb.mft_paths == MftPaths()
        for paths in (MftPaths(), LEGACY_MFT_PATHS):
            with MftClient(base_url=sb.base_url, api_key=sb.mft_api_key, paths=paths) as client:
                assert client.accounting.transfer_quota() == seed.TRANSFER_QUOTA
        # The older base_path argument still works, and replaces only the root.
        legacy_root = MftClient(
            base_url=sb.base_url,
            api_key=sb.mft_api_key,
            base_path="/mft/api/v1",
            paths=LEGACY_MFT_PATHS,
        )
        with legacy_root as client:
            assert client.accounting.daily(1001, MONTH, YEAR)
            assert client.base_path == "/mft/api/v1"


def test_several_path_sets_are_served_at_once() -> None:
    moved = dataclasses.replace(CUSTOM, base="/elsewhere")
    with Sandbox.start(seed_demo=True, rate_limit=None, mft_paths=[CUSTOM, moved]) as sb:
        assert sb.mft_paths == CUSTOM
        for paths in (CUSTOM, moved):
            with MftClient(base_url=sb.base_url, api_key=sb.mft_api_key, paths=paths) as client:
                assert client.accounting.transfer_quota() == seed.TRANSFER_QUOTA


def test_default_paths_follow_the_api_section_family() -> None:
    paths = MftPaths()
    assert [paths.path(op) for op in OPERATIONS] == [
        "/api/Accounting/transferQuota",
        "/api/Accounting/transferUsage",
        "/api/Accounting/monthToDate",
        "/api/Accounting/daily",
        "/api/Accounting/billing/daily",
    ]
    assert LEGACY_MFT_PATHS.path("billing_daily") == "/mft/api/v1/accounting/billing/daily"
    assert MftPaths(base="", accounting="").path("daily") == "/daily"
    assert MftPaths(base="x/y/", daily="/d/").path("daily") == "/x/y/Accounting/d"
    assert paths.operation_of("/api/Accounting/daily") == "daily"
    assert paths.operation_of("/api/accounting/daily") is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"daily": ""}, "paths.daily"),
        ({"transfer_quota": "a b"}, "paths.transfer_quota"),
        ({"base": "/api/../admin"}, "paths.base"),
        ({"billing_daily": "billing//daily"}, "paths.billing_daily"),
        ({"month_to_date": "x?y=1"}, "paths.month_to_date"),
        ({"accounting": 3}, "paths.accounting"),
    ],
)
def test_a_bad_segment_is_refused_naming_the_field(values: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        MftPaths(**values)
    assert caught.value.field == field


def test_client_and_emulator_refuse_what_is_not_a_path_set() -> None:
    with pytest.raises(InvalidRequest) as caught:
        MftClient(base_url="http://127.0.0.1:9", api_key="k", paths="/api")  # type: ignore[arg-type]
    assert caught.value.field == "paths"
    with pytest.raises(InvalidRequest) as caught:
        MftClient(base_url="http://127.0.0.1:9", api_key="k", base_path="a b")
    assert caught.value.field == "base_path"
    with pytest.raises(InvalidRequest) as caught:
        Sandbox(mft_paths=["/api"])  # type: ignore[list-item]
    assert caught.value.field == "mft_paths"
    with pytest.raises(InvalidRequest):
        MftPaths().path("invoices")
