"""Real runs of the installed ``boomisoap`` script: exit statuses and parsable output."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
from pathlib import Path

from lxml import etree

from .conftest import PASSWORD, Cli, script_command
from .test_objects import PLAN_V, closed_port


def test_exit_0_with_json_csv_and_xml(run: Cli) -> None:
    plans = json.loads(run.script("plans", "list", "-o", "json").stdout)
    assert len(plans) >= 6
    rows = list(csv.DictReader(io.StringIO(run.script("-o", "csv", "plans", "list").stdout)))
    assert {r["planId"] for r in rows} == {p["planId"] for p in plans}
    root = etree.fromstring(run.script("-o", "xml", "plans", "get", PLAN_V).stdout.encode())
    assert root.find(".//{http://apim.api.platform.boomi.com/}result").get("planId") == PLAN_V


def test_exit_1_on_an_api_error(run: Cli) -> None:
    done = run.script("plans", "get", "no-such-plan", expect=1)
    assert done.stderr.startswith("error: NotFound (404)")


def test_exit_2_on_usage_errors(run: Cli, tmp_path: Path) -> None:
    done = run.script("plans", "list", "--where", "name like", expect=2)
    assert "^" in done.stderr
    config = tmp_path / "open.toml"
    config.write_text(f'[default]\npassword = "{PASSWORD}"\n')
    os.chmod(config, 0o644)
    done = run.script("--config", str(config), "plans", "list", expect=2)
    assert "chmod 600" in done.stderr
    run.script("no-such-command", expect=2)


def test_exit_3_when_the_service_is_unreachable(run: Cli) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    done = run.script("--retries", "0", "plans", "list", env={"BOOMI_BASE_URL": url}, expect=3)
    assert "cannot reach the service" in done.stderr


def test_sandbox_serve_then_talk_to_it(run: Cli, tmp_path: Path) -> None:
    server = subprocess.Popen(
        [
            *script_command(),
            "sandbox",
            "serve",
            "--port",
            "0",
            "--seed-demo",
            "--user",
            f"cli-user:{PASSWORD}",
            "--rate-limit",
            "off",
            "--mft-api-key",
            "k-serve-1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        url = line.split(" on ")[1].split()[0]
        done = run.script("plans", "list", "-o", "json", env={"BOOMI_BASE_URL": url})
        assert len(json.loads(done.stdout)) == 6
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
        if server.stdout is not None:
            server.stdout.close()
