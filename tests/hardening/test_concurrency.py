"""Concurrency: many threads through one client, many processes with their own, one emulator.

Each worker (``hardening.stress.Worker``) works on its own Plans and Applications, so the
final state is a deterministic model: the union of the workers' models must equal what the
emulator holds, field for field. Every answer is checked against the model as it arrives;
expected errors (NotFound for deleted or missing objects, 410 for changes to deleted ones)
are counted, anything else is an unexpected error and fails the test. The client's audit
trail must verify and hold exactly one record per HTTP attempt the workers counted.

Sizes: ``BOOMISOAP_STRESS=full`` runs 32 threads x 500 operations and 8 processes x 2,000;
the default run is 32 x 60 and 8 x 60 (docs/security.md has the measured durations).
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from boomisoap import ApimClient, Application, Plan
from boomisoap.audit import AuditLog
from boomisoap.sandbox import Sandbox
from hardening.stress import (
    PROCESS_OPS,
    PROCESSES,
    THREAD_OPS,
    THREADS,
    Worker,
    WorkerResult,
    run_in_process,
)


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox.start(rate_limit=None, threads=8) as sandbox:
        yield sandbox


def final_state(sb: Sandbox) -> tuple[dict[str, Plan], dict[str, Application]]:
    with ApimClient(
        account_id=sb.account_id, username="u", password="p", base_url=sb.base_url, rate_limit=None
    ) as reader:
        plans = {p.plan_id: p for p in reader.plans.query() if p.plan_id}
        apps = {a.application_id: a for a in reader.applications.query() if a.application_id}
    return plans, apps


def check_results(
    sb: Sandbox, results: list[WorkerResult], audit_url: str, elapsed: float, label: str
) -> None:
    unexpected = [u for r in results for u in r.unexpected]
    mismatches = [m for r in results for m in r.mismatches]
    assert (len(unexpected), unexpected[:5]) == (0, [])
    assert (len(mismatches), mismatches[:5]) == (0, [])

    want_plans: dict[str, Plan] = {}
    want_apps: dict[str, Application] = {}
    for result in results:
        want_plans.update(result.plans)
        want_apps.update(result.applications)
    plans, apps = final_state(sb)
    assert plans == want_plans
    assert apps == want_apps
    deleted_plans = sum(len(r.deleted_plans) for r in results)
    assert sb.count("Plan") == len(want_plans)
    assert sb.count("Plan", include_deleted=True) == len(want_plans) + deleted_plans
    assert sb.count("Application", include_deleted=True) == len(want_apps)

    attempts = sum(r.attempts for r in results)
    calls = sum(r.calls for r in results)
    with AuditLog.open(audit_url, read_only=True) as log:
        report = log.verify()
        outcomes = Counter(r.outcome for r in log.records())
        retried = sum(1 for r in log.records() if r.attempt != 1)
    assert report.ok, report
    assert report.checked == attempts
    assert retried == 0
    assert outcomes == Counter(
        ok=attempts - sum(r.expected_errors for r in results),
        fault=sum(r.expected_errors for r in results),
    )
    operations = sum((r.operations for r in results), Counter())
    print(
        f"\n{label}: {calls} calls ({sum(operations.values())} operations, "
        f"{sum(r.expected_errors for r in results)} expected errors, 0 unexpected), "
        f"{attempts} HTTP attempts = {report.checked} audit records, {len(want_plans)} live "
        f"plans, {deleted_plans} deleted, {len(want_apps)} applications, {elapsed:.1f} s "
        f"({attempts / elapsed:.0f} requests/s)"
    )


def test_threads_share_one_client(sb: Sandbox, tmp_path: Any) -> None:
    audit_url = f"sqlite://{tmp_path}/threads-audit.db"
    with ApimClient(
        account_id=sb.account_id,
        username="u",
        password="p",
        base_url=sb.base_url,
        rate_limit=None,
        audit=audit_url,
    ) as client:
        workers = [Worker(client, f"t{n:02d}", THREAD_OPS, seed=n) for n in range(THREADS)]
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(Worker.run, workers))
        elapsed = time.perf_counter() - started
        assert client.audit is not None
        client.audit.close()
    check_results(sb, results, audit_url, elapsed, f"{THREADS} threads x {THREAD_OPS}")


def test_processes_each_with_a_client(sb: Sandbox, tmp_path: Any) -> None:
    audit_url = f"sqlite://{tmp_path}/processes-audit.db"
    context = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    with concurrent.futures.ProcessPoolExecutor(PROCESSES, mp_context=context) as pool:
        futures = [
            pool.submit(
                run_in_process,
                sb.base_url,
                sb.account_id,
                f"p{n:02d}",
                PROCESS_OPS,
                1000 + n,
                audit_url,
            )
            for n in range(PROCESSES)
        ]
        results = [future.result() for future in futures]
    elapsed = time.perf_counter() - started
    check_results(sb, results, audit_url, elapsed, f"{PROCESSES} processes x {PROCESS_OPS}")
