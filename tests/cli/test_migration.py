"""Contract -> Plan migration: dry run, apply, idempotence, failures and re-runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from boomisoap import ApimClient, InvalidRequest, Plan
from boomisoap.migration import migrate_contracts, plan_key
from boomisoap.sandbox import Sandbox
from boomisoap.services import ObjectService

from .conftest import PASSWORD, USER, Cli

# The seeded Contracts that have no equivalent seeded Plan (seed 002 against seed 001).
NEW = {"aaa", "1stContracts", "2ndContact", "fgfg", "apiTestKh"}
LIVE_CONTRACTS = 10


@pytest.fixture
def apim(fresh: Sandbox) -> Iterator[ApimClient]:
    with ApimClient(
        account_id=fresh.account_id,
        username=USER,
        password=PASSWORD,
        base_url=fresh.base_url,
        rate_limit=None,
    ) as client:
        yield client


def fail_once_for(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """Make the create of the Plan called ``name`` fail, as a refusing service would."""
    original = ObjectService.create
    refused: list[str] = []

    def create(self: ObjectService[Any], obj: Any) -> Any:
        if isinstance(obj, Plan) and obj.name == name:
            refused.append(name)
            raise InvalidRequest("refused by the test", status_code=400)
        return original(self, obj)

    monkeypatch.setattr(ObjectService, "create", create)
    return refused


def live_contracts(apim: ApimClient) -> int:
    return sum(1 for c in apim.contracts.query() if not c.deleted)


def snapshot(apim: ApimClient) -> tuple[list[Any], list[Any]]:
    return list(apim.plans.query()), list(apim.contracts.query())


pytestmark = pytest.mark.filterwarnings("ignore:Contract is deprecated:DeprecationWarning")


def test_dry_run_changes_nothing(apim: ApimClient) -> None:
    before = snapshot(apim)
    report = migrate_contracts(apim)  # dry_run=True is the default
    assert snapshot(apim) == before
    assert report.dry_run and report.ok
    assert (report.would_create, report.skipped, report.failed, report.created) == (5, 5, 0, 0)
    assert {i.name for i in report.items if i.action == "would-create"} == NEW
    deleted = [c for c in before[1] if c.deleted]
    assert not {i.contract_id for i in report.items} & {c.contract_id for c in deleted}


def test_apply_creates_equivalent_plans_then_nothing(apim: ApimClient, fresh: Sandbox) -> None:
    plans_before = fresh.count("Plan")
    steps: list[tuple[int, int]] = []
    report = migrate_contracts(apim, dry_run=False, progress=lambda d, t: steps.append((d, t)))
    assert (report.created, report.skipped, report.failed) == (5, 5, 0)
    assert steps[-1] == (LIVE_CONTRACTS, LIVE_CONTRACTS)
    assert fresh.count("Plan") == plans_before + 5
    plans = {p.plan_id: p for p in apim.plans.query()}
    contracts = {c.contract_id: c for c in apim.contracts.query()}
    for item in report.items:
        assert item.plan_id is not None
        assert plan_key(plans[item.plan_id]) == plan_key(contracts[item.contract_id])
    created = [plans[i.plan_id] for i in report.items if i.action == "created" and i.plan_id]
    assert {p.name for p in created} == NEW
    assert all(
        p.description == f"Migrated from Contract {i.contract_id}"
        for p, i in zip(created, [i for i in report.items if i.action == "created"], strict=True)
    )
    namesake = next(i for i in report.items if i.name == "apiTestKh")
    assert namesake.reason == "a Plan of this name exists with other limits"
    assert live_contracts(apim) == LIVE_CONTRACTS  # nothing deleted without the option

    again = migrate_contracts(apim, dry_run=False)
    assert (again.created, again.skipped, again.failed) == (0, LIVE_CONTRACTS, 0)
    assert fresh.count("Plan") == plans_before + 5


def test_failure_in_the_middle_then_a_rerun_completes(
    apim: ApimClient, fresh: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = fail_once_for(monkeypatch, "2ndContact")
    report = migrate_contracts(apim, dry_run=False, delete_contracts=True)
    assert refused == ["2ndContact"]
    assert (report.created, report.skipped, report.failed) == (4, 5, 1)
    assert not report.ok
    failed = next(i for i in report.items if i.action == "failed")
    assert failed.name == "2ndContact" and "refused by the test" in failed.reason
    assert not failed.contract_deleted  # never deleted without its Plan
    assert report.deleted == LIVE_CONTRACTS - 1
    assert live_contracts(apim) == 1  # only the failed one is still live

    monkeypatch.undo()
    rerun = migrate_contracts(apim, dry_run=False, delete_contracts=True)
    assert (rerun.created, rerun.skipped, rerun.failed, rerun.deleted) == (1, 0, 0, 1)
    assert rerun.ok and rerun.items[0].name == "2ndContact"
    assert live_contracts(apim) == 0
    assert {p.name for p in apim.plans.query()} >= NEW


def test_two_contracts_with_the_same_values_share_one_plan(
    apim: ApimClient, fresh: Sandbox
) -> None:
    from boomisoap import Contract, QuotaLimitUnit, RateLimitUnit

    twin = dict(
        name="twin",
        rate_limit=5,
        rate_limit_unit=RateLimitUnit.HOUR,
        quota_limit=7,
        quota_limit_unit=QuotaLimitUnit.WEEK,
    )
    fresh.add(Contract(contract_id="c-twin-1", **twin), Contract(contract_id="c-twin-2", **twin))
    dry = migrate_contracts(apim)
    assert [i.action for i in dry.items if i.name == "twin"] == ["would-create", "skipped"]
    report = migrate_contracts(apim, dry_run=False)
    first, second = (i for i in report.items if i.name == "twin")
    assert (first.action, second.action) == ("created", "skipped")
    assert first.plan_id == second.plan_id


def test_cli_dry_run_is_the_default(run_fresh: Cli, fresh: Sandbox, apim: ApimClient) -> None:
    before = fresh.count("Plan")
    result = run_fresh("contracts", "migrate")
    assert "dry run: would create 5, skipped 5, failed 0" in result.stderr
    assert result.stdout.splitlines()[0].split()[:3] == ["contractId", "name", "action"]
    assert fresh.count("Plan") == before
    assert (
        "no effect without --apply"
        in run_fresh("contracts", "migrate", "--delete-contracts").stderr
    )
    assert live_contracts(apim) == LIVE_CONTRACTS


def test_cli_apply_json_and_idempotence(run_fresh: Cli) -> None:
    report = json.loads(run_fresh("contracts", "migrate", "--apply", "-o", "json").stdout)
    assert (report["created"], report["skipped"], report["failed"]) == (5, 5, 0)
    assert {i["name"] for i in report["items"] if i["action"] == "created"} == NEW
    second = json.loads(run_fresh("contracts", "migrate", "--apply", "-o", "json").stdout)
    assert (second["created"], second["skipped"]) == (0, LIVE_CONTRACTS)


def test_cli_failure_exits_1_and_a_rerun_completes(
    run_fresh: Cli, apim: ApimClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_once_for(monkeypatch, "fgfg")
    result = run_fresh(
        "contracts", "migrate", "--apply", "--delete-contracts", "-o", "csv", expect=1
    )
    assert "created 4, skipped 5, failed 1" in result.stderr
    row = next(line for line in result.stdout.splitlines() if ",fgfg," in line)
    assert ",failed," in row
    monkeypatch.undo()
    result = run_fresh("contracts", "migrate", "--apply", "--delete-contracts")
    assert "created 1, skipped 0, failed 0, contracts deleted 1" in result.stderr
    assert live_contracts(apim) == 0


def test_cli_usage_errors(run: Cli) -> None:
    assert "not both" in run("contracts", "migrate", "--dry-run", "--apply", expect=2).stderr
    run("contracts", "migrate", "-o", "xml", expect=2)
