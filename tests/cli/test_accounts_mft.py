"""Accounts (get, bulk get, paged query) and the MFT accounting commands."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from .conftest import Cli

SEEDED = ["boomiqa-T7KIDU", "abc-H566GG", "xyz-V3M1QL"]


def test_get(run: Cli) -> None:
    account = json.loads(run("accounts", "get", "abc-H566GG", "-o", "json").stdout)
    assert account["@type"] == "Account" and account["name"] == "ABC Co"
    assert account["licensing"]["standardTest"]["purchased"] == 1000
    table = run("accounts", "get", "abc-H566GG").stdout
    assert "molecule.purchased" in table and "40" in table


def test_get_many_keeps_the_order_and_reports_failures(run: Cli) -> None:
    result = run("accounts", "get-many", SEEDED[2], "missing-1", SEEDED[0], "-o", "json", expect=1)
    assert [a["accountId"] for a in json.loads(result.stdout)] == [SEEDED[2], SEEDED[0]]
    assert "error: missing-1: 400" in result.stderr


def test_get_many_from_a_file_in_chunks_of_100(run: Cli, tmp_path: Path) -> None:
    ids = [a["accountId"] for a in json.loads(run("accounts", "query", "-o", "json").stdout)]
    assert len(ids) > 100
    listing = tmp_path / "ids.txt"
    listing.write_text("# every account\n\n" + "\n".join(ids) + "\n")
    out = run("accounts", "get-many", "--from-file", str(listing), "-o", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["accountId"] for r in rows] == ids
    stdin = run("accounts", "get-many", "--from-file", "-", "-o", "json", input=SEEDED[1])
    assert json.loads(stdin.stdout)[0]["accountId"] == SEEDED[1]


def test_get_many_needs_ids(run: Cli) -> None:
    assert "at least one ID" in run("accounts", "get-many", expect=2).stderr


def test_query_with_where(run: Cli) -> None:
    out = run(
        "accounts",
        "query",
        "-o",
        "json",
        "--where",
        "dateCreated between 2010-01-01T00:00:00Z and 2010-12-31T00:00:00Z and status = active",
    ).stdout
    assert sorted(a["accountId"] for a in json.loads(out)) == ["abc-H566GG", "xyz-V3M1QL"]


def test_query_with_contains(run: Cli) -> None:
    where = "name contains Boomi and accountId not contains qa and ACCOUNTID contains -"
    out = run("accounts", "query", "-o", "json", "--where", where).stdout
    assert [a["accountId"] for a in json.loads(out)] == ["xyz-V3M1QL"]
    refused = run("accounts", "query", "--where", "name starts-with B", expect=2)
    assert "STARTS_WITH is not allowed on name (Account takes" in refused.stderr


def test_query_bad_operator_is_a_usage_error(run: Cli) -> None:
    result = run("accounts", "query", "--where", "name > a", expect=2)
    assert "GREATER_THAN is not allowed on name" in result.stderr


def test_accounts_have_no_create(run: Cli) -> None:
    run("accounts", "create", expect=2)


def test_mft_quota_and_usage(run: Cli) -> None:
    assert "transferQuota" in run("mft", "quota").stdout
    assert json.loads(run("mft", "quota", "-o", "json").stdout) == {"transferQuota": 500000}
    rows = json.loads(run("mft", "usage", "-o", "json").stdout)
    assert rows and rows[0]["@type"] == "TransferUsage"


def test_mft_month_to_date_daily_and_billing(run: Cli) -> None:
    mtd = json.loads(
        run("mft", "mtd", "--org", "1001", "--month", "10", "--year", "2026", "-o", "json").stdout
    )
    assert mtd and all(r["entityName"] == "Acme Logistics" for r in mtd)
    daily = list(
        csv.DictReader(
            io.StringIO(run("mft", "daily", "--month", "9", "--year", "2026", "-o", "csv").stdout)
        )
    )
    assert len(daily) == 30 * 3  # every day of September for three organizations
    billing = json.loads(
        run(
            "mft", "billing", "--year", "2026", "--month", "11", "--org", "1002", "-o", "json"
        ).stdout
    )
    assert billing and {r["organizationId"] for r in billing} == {1002}
    table = run("mft", "billing", "--year", "2026", "--month", "11").stdout
    assert "flowEndpointId" in table


def test_mft_usage_errors(run: Cli) -> None:
    run("mft", "mtd", "--month", "13", expect=2)
    run("mft", "billing", "--year", "2026", expect=2)  # --month is required
    assert "JSON only" in run("mft", "usage", "-o", "xml", expect=2).stderr


def test_mft_bad_key_exits_1(run: Cli) -> None:
    run("mft", "quota", env={"BOOMI_MFT_API_KEY": "not-the-key"}, expect=1)
    result = run("mft", "quota", env={"BOOMI_MFT_API_KEY": None}, expect=2)
    assert "BOOMI_MFT_API_KEY" in result.stderr


def test_daily_plot_writes_a_png(run: Cli, tmp_path: Path) -> None:
    import matplotlib  # noqa: F401  (a dev extra: missing, the test fails rather than skips)

    target = tmp_path / "daily.png"
    result = run("mft", "daily", "--month", "10", "--year", "2026", "--plot", str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {target}" in result.stderr


def test_daily_plot_without_matplotlib_is_a_usage_error(
    run: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import now raises ImportError
    target = tmp_path / "daily.png"
    result = run("mft", "daily", "--month", "10", "--year", "2026", "--plot", str(target), expect=2)
    assert "pip install 'boomisoap[plot]'" in result.stderr
    assert not target.exists()


def test_daily_totals_sum_per_day() -> None:
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from boomisoap.cli.plot import daily_totals

    day = datetime(2026, 10, 1, tzinfo=UTC)
    rows = [
        SimpleNamespace(
            transfer_date=day,
            source_transfers=1,
            target_transfers=2,
            source_transfer_bytes=10,
            target_transfer_bytes=20,
        ),
        SimpleNamespace(
            transfer_date=day,
            source_transfers=3,
            target_transfers=4,
            source_transfer_bytes=30,
            target_transfer_bytes=40,
        ),
    ]
    assert daily_totals(rows) == ([day.date()], [10], [100])
