"""A file database keeps the data across restarts, and across a SIGKILL mid-traffic."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import requests

from boomisoap import ApimClient, Plan
from boomisoap.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]


def test_restart_keeps_the_data(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    with Sandbox.start(db=db, rate_limit=None, seed_demo=True) as first:
        options = {
            "account_id": first.account_id,
            "username": "u",
            "password": "p",
            "base_url": first.base_url,
            "rate_limit": None,
        }
        with ApimClient(**options) as apim:
            plan = apim.plans.create(Plan(name="kept"))
        plans = first.count("Plan")
    with Sandbox.start(db=db, rate_limit=None, seed_demo=True) as second:
        options["base_url"] = second.base_url
        with ApimClient(**options) as apim:
            assert apim.plans.get(plan.plan_id) == plan
        # The demo data is loaded once, not again on every start.
        assert second.count("Plan") == plans
        assert second.count("Account") == first_accounts(second)


def first_accounts(sandbox: Sandbox) -> int:
    return 3 + 120 + 1  # seed 003, the generated children, the sandbox's own account


def serve(db: Path) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "boomisoap.sandbox",
            "serve",
            "--port",
            "0",
            "--db",
            str(db),
            "--rate-limit",
            "off",
            "--user",
            "u:p",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "listening on" in line, line
    return process, line.split("listening on ")[1].split()[0]


def test_sigkill_loses_no_committed_request(tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    process, base_url = serve(db)
    url = f"{base_url}/apim/api/rest/v1/acct-1/plan/"
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer() -> None:
        session = requests.Session()
        session.auth = ("u", "p")
        number = 0
        while not stop.is_set():
            number += 1
            try:
                answer = session.post(url, json={"name": f"p{number}"}, timeout=5)
            except requests.RequestException:
                return  # the server died under this request: it was never acknowledged
            if answer.status_code == 200:
                acknowledged.append(answer.json()["planId"])

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    while len(acknowledged) < 60:
        threading.Event().wait(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    assert process.returncode == -signal.SIGKILL

    with Sandbox.start(db=db, rate_limit=None) as restarted:
        session = requests.Session()
        session.auth = ("u", "p")
        root = f"{restarted.base_url}/apim/api/rest/v1/{restarted.account_id}/plan/"
        for plan_id in acknowledged:
            assert session.get(root + plan_id, timeout=5).status_code == 200, plan_id
        assert restarted.count("Plan") >= len(acknowledged)
