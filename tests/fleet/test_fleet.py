"""A fleet of 4 processes x 8 threads (or 8 tasks on one event loop each) sharing one
account limited to 10 requests/s.

With the budget shared through Redis the service answers no 503 and at least 95% of what
it allows is used; with each process pacing locally at 10/s (the default before a shared
limiter) the fleet draws 503s, which shows the first run's zero is the limiter's doing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from boomisoap.sandbox import Sandbox

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PROCESSES, THREADS, SECONDS = 4, 8, 20.0
RATE = 10.0  # the emulator's per-account limit, and the budget the fleet is given


@pytest.fixture
def emulator() -> Iterator[Sandbox]:
    # Up to 32 requests in flight: enough server threads that none waits for one.
    with Sandbox.start(users={"u": "p"}, rate_limit=RATE, threads=16) as sandbox:
        yield sandbox


def run_fleet(sandbox: Sandbox, rate_limit: Any, mode: str = "threads") -> dict[str, Any]:
    config = {
        "account_id": sandbox.account_id,
        "username": "u",
        "password": "p",
        "base_url": sandbox.base_url,
        "rate_limit": rate_limit,
        "threads": THREADS,
        "seconds": SECONDS,
        "mode": mode,
    }
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    members = [
        subprocess.Popen(
            [sys.executable, str(HERE / "worker.py"), json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(PROCESSES)
    ]
    for member in members:
        assert member.stdout is not None
        line = member.stdout.readline()
        assert line.strip() == "ready", member.communicate(timeout=30)[1][-2000:]
    # The warm-up calls have drawn from both buckets: let the service's refill first.
    start_at = time.time() + max(1.0, RATE) / RATE + 0.5
    for member in members:  # all told before any is waited for
        assert member.stdin is not None
        member.stdin.write(f"{start_at!r}\n")
        member.stdin.flush()
    results = []
    for member in members:
        out, err = member.communicate(timeout=SECONDS + 120)
        assert member.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    # Every member took part (sent requests); whether each got answers is the tests' own
    # question: without the shared budget a member may lose every race for the tokens.
    assert all(r["ok"] + r["rate_limited"] > 0 for r in results), results
    window = max(r["last_finish"] for r in results) - start_at
    ok = sum(r["ok"] for r in results)
    return {
        "ok": ok,
        "rate_limited": sum(r["rate_limited"] for r in results),
        "errors": sum(r["errors"] for r in results),
        "window": window,
        # What the service lets through in the window: its burst, then RATE per second.
        "allowed": max(1.0, RATE) + RATE * window,
        "used": ok / (max(1.0, RATE) + RATE * window),
        "per_member": results,
    }


def report(label: str, figures: dict[str, Any]) -> None:
    print(
        f"\n{label}: {figures['ok']} ok, {figures['rate_limited']} answers of 503, "
        f"{figures['errors']} other errors in {figures['window']:.1f} s; "
        f"{figures['used']:.1%} of the {figures['allowed']:.0f} requests allowed"
    )


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["threads", "async"])
def test_a_fleet_sharing_the_budget_through_redis_gets_no_503(
    emulator: Sandbox, redis_url: str, mode: str
) -> None:
    figures = run_fleet(emulator, f"{redis_url}?rate={RATE:g}", mode)
    report(f"shared through Redis ({mode})", figures)
    assert figures["errors"] == 0, figures
    assert figures["rate_limited"] == 0, figures
    assert figures["used"] >= 0.95, figures
    assert all(r["ok"] > 0 for r in figures["per_member"]), figures  # all shared the budget


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["threads", "async"])
def test_a_fleet_pacing_per_process_draws_503s(emulator: Sandbox, mode: str) -> None:
    figures = run_fleet(emulator, RATE, mode)
    report(f"paced per process ({mode})", figures)
    assert figures["errors"] == 0, figures
    # Four members at 10/s each against 10/s: about three requests in four are refused.
    assert figures["rate_limited"] >= RATE * SECONDS, figures
