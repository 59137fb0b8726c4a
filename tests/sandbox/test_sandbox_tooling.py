"""The pytest plugin, the demo, the serve command, the server-side audit and the docs."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from boomisoap import ApimClient, Plan, PlatformClient
from boomisoap.cli.demo import demo_command
from boomisoap.cli.sandbox import sandbox_group
from boomisoap.demo import run_demo
from boomisoap.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]


def test_fixtures_give_fresh_state(
    boomi_sandbox: Sandbox, apim_client: ApimClient, platform_client: PlatformClient
) -> None:
    assert boomi_sandbox.count("Plan") == 0
    apim_client.plans.create(Plan(name="mine"))
    assert boomi_sandbox.count("Plan") == 1
    assert platform_client.accounts.get(boomi_sandbox.account_id).account_id == "acct-1"


@pytest.mark.boomi_sandbox(seed_demo=True, account_id="acct-9")
def test_marker_configures_the_sandbox(boomi_sandbox: Sandbox, apim_client: ApimClient) -> None:
    assert boomi_sandbox.account_id == "acct-9"
    assert len(list(apim_client.plans.query())) == 6


def test_plugin_loads_in_a_user_suite(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent("""
        from boomisoap import Plan

        def test_create(apim_client, boomi_sandbox):
            plan = apim_client.plans.create(Plan(name="mine"))
            assert apim_client.plans.get(plan.plan_id) == plan
            assert boomi_sandbox.count("Plan") == 1
    """)
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    # Installed, the pytest11 entry point loads the plugin; from a checkout, -p does.
    installed = any(e.value == "boomisoap.testing" for e in entry_points(group="pytest11"))
    plugin = [] if installed else ["-p", "boomisoap.testing"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            *plugin,
            "-p",
            "no:cacheprovider",
            str(tmp_path / "test_user.py"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_demo_runs_and_shows_no_secret() -> None:
    out = io.StringIO()
    assert run_demo(out) == 0
    text = out.getvalue()
    for step in (
        "create Plan 'how'",
        "maxMessageSize=2048",
        "successful=True",
        "ApiKey",
        "getBulk Account",
        "404",
        "in 2 pages",
        "Acme Logistics",
    ):
        assert step in text, step
    assert "Password" not in text and not re.search(r"key=[A-Za-z0-9_-]{20,}", text)


def test_demo_command() -> None:
    result = CliRunner().invoke(demo_command, [])
    assert result.exit_code == 0, result.output
    assert "Demo complete." in result.output


def test_serve_command_help() -> None:
    result = CliRunner().invoke(sandbox_group, ["serve", "--help"])
    assert result.exit_code == 0
    for option in (
        "--host",
        "--port",
        "--db",
        "--user",
        "--account",
        "--rate-limit",
        "--seed-demo",
        "--audit",
    ):
        assert option in result.output


def test_server_side_audit_records_redacted_exchanges(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    secret = "s3cret-password-value"
    with Sandbox.start(users={"u": secret}, rate_limit=None, audit=f"jsonl://{path}") as sandbox:
        options = {
            "account_id": sandbox.account_id,
            "username": "u",
            "password": secret,
            "base_url": sandbox.base_url,
            "rate_limit": None,
        }
        with ApimClient(**options) as apim:
            apim.plans.create(Plan(name="audited"))
        requests.get(
            f"{sandbox.base_url}/api/rest/v1/acct-1/Account/acct-1", auth=("u", secret), timeout=10
        )
    text = path.read_text()
    assert secret not in text
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert len(records) == 2
    assert "create" in text and "get" in text


def test_docs_examples_run() -> None:
    document = (ROOT / "docs" / "emulator.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", document, re.DOTALL)
    assert blocks
    for block in blocks:
        # Every block runs as written; a pytest example only defines its tests.
        exec(compile(block, "docs/emulator.md", "exec"), {"__name__": "docs_example"})
