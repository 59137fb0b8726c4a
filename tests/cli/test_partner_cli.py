"""The Partner API from the command line: --override-account on the object commands and
accounts create | delete | provision | provision-status, against the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from boomisoap.sandbox import Sandbox

from .conftest import Cli, base_env

SUB = "child-00001"  # a sub-account of the demo hierarchy (boomisoap.sandbox.seed)


@pytest.fixture
def partner_run(fresh: Sandbox, tmp_path: Path) -> Cli:
    fresh.partner.partner.provision_delay = 0.0
    return Cli(base_env(fresh, tmp_path), tmp_path)


@pytest.mark.parametrize("wire", ["soap", "rest"])
def test_create_provision_override_and_delete(partner_run: Cli, fresh: Sandbox, wire: str) -> None:
    created = json.loads(
        partner_run("--wire", wire, "accounts", "create", "CLI Customer", "-o", "json").stdout
    )
    account = created["accountId"]
    assert created["name"] == "CLI Customer" and created["status"] == "trial"

    result = partner_run(
        "--wire",
        wire,
        "accounts",
        "provision",
        "--id",
        account,
        "--product",
        "STANDARD=2",
        "--wait",
        "--interval",
        "0.05",
        "-o",
        "json",
    )
    provisioned = json.loads(result.stdout)
    assert provisioned["status"] == "COMPLETED" and provisioned["accountId"] == account
    status = partner_run(
        "--wire", wire, "accounts", "provision-status", provisioned["id"], "-o", "json"
    )
    assert json.loads(status.stdout)["status"] == "COMPLETED"

    plan = json.loads(
        partner_run(
            "--wire",
            wire,
            "plans",
            "create",
            "--name",
            "via cli",
            "--override-account",
            account,
            "-o",
            "json",
        ).stdout
    )
    listed = partner_run(
        "--wire", wire, "plans", "list", "--override-account", account, "-o", "json"
    )
    assert [p["planId"] for p in json.loads(listed.stdout)] == [plan["planId"]]
    own = json.loads(partner_run("--wire", wire, "plans", "list", "-o", "json").stdout)
    assert plan["planId"] not in {p["planId"] for p in own}
    assert fresh.state.count(account, "Plan") == 1

    refused = partner_run(
        "--wire", wire, "plans", "list", "--override-account", "other-sub-1", expect=1
    )
    assert "AuthenticationError (403)" in refused.stderr

    partner_run("--wire", wire, "accounts", "delete", account)
    gone = partner_run("--wire", wire, "accounts", "get", account, "-o", "json")
    assert json.loads(gone.stdout)["status"] == "deleted"


def test_override_on_account_reads(partner_run: Cli) -> None:
    found = partner_run("accounts", "get", SUB, "--override-account", SUB, "-o", "json")
    assert json.loads(found.stdout)["accountId"] == SUB


def test_the_trial_limit_is_checked_before_sending(partner_run: Cli, fresh: Sandbox) -> None:
    result = partner_run(
        "accounts", "create", "Too long", "--expiration-date", "2099-01-01", expect=1
    )
    assert "expirationDate" in result.stderr
    assert fresh.partner.served == []


def test_a_bad_override_is_a_usage_error(partner_run: Cli) -> None:
    result = partner_run("plans", "list", "--override-account", "a/b", expect=2)
    assert "--override-account" in result.stderr


def test_a_bad_product_is_a_usage_error(partner_run: Cli) -> None:
    result = partner_run("accounts", "provision", "--id", SUB, "--product", "STANDARD", expect=2)
    assert "CODE=QUANTITY" in result.stderr
