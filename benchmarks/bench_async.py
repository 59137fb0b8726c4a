"""The async client against the sync one at equal concurrency: ``plans.get`` over SOAP.

The emulator runs in its own process with its rate limit off (bench_roundtrip.sandbox);
the sync client is shared by ``CONCURRENCY`` threads, the async one by as many tasks on
one event loop. Each sample is a block of calls; throughput is calls per second over the
block, p99 the 99th percentile of the calls' own latencies. The variants take turns.

    python -m benchmarks.bench_async [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time
from typing import Any

from benchmarks.bench_roundtrip import PASSWORD, USER, client, sandbox
from benchmarks.stats import SAMPLES, figure
from boomisoap import AsyncApimClient, Plan

CONCURRENCY = 8
WORKLOAD = f"plans.get over SOAP, {CONCURRENCY} concurrent callers, emulator in its own process"


def _p99(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=100)[98] * 1000


def sync_block(sb: Any, plan_id: str, calls: int) -> tuple[float, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    with client(sb) as apim:
        apim.plans.get(plan_id)  # warm connection and schemas

        def work() -> None:
            for _ in range(calls // CONCURRENCY):
                start = time.perf_counter()
                apim.plans.get(plan_id)
                with lock:
                    latencies.append(time.perf_counter() - start)

        threads = [threading.Thread(target=work) for _ in range(CONCURRENCY)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    return len(latencies) / elapsed, _p99(latencies)


async def _async_block(sb: Any, plan_id: str, calls: int) -> tuple[float, float]:
    latencies: list[float] = []
    options = {
        "account_id": sb.account_id,
        "username": USER,
        "password": PASSWORD,
        "base_url": sb.base_url,
        "rate_limit": None,
    }
    async with AsyncApimClient(**options) as apim:
        await apim.plans.get(plan_id)

        async def work() -> None:
            for _ in range(calls // CONCURRENCY):
                start = time.perf_counter()
                await apim.plans.get(plan_id)
                latencies.append(time.perf_counter() - start)

        began = time.perf_counter()
        await asyncio.gather(*(work() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - began
    return len(latencies) / elapsed, _p99(latencies)


def async_block(sb: Any, plan_id: str, calls: int) -> tuple[float, float]:
    return asyncio.run(_async_block(sb, plan_id, calls))


def run(quick: bool = False) -> list[dict[str, Any]]:
    calls = 80 if quick else 1600
    samples: dict[str, list[tuple[float, float]]] = {"sync": [], "async": []}
    with sandbox() as sb:
        with client(sb) as apim:
            plan = apim.plans.create(Plan(name="bench-async"))
        assert plan.plan_id is not None
        for _ in range(SAMPLES):
            samples["sync"].append(sync_block(sb, plan.plan_id, calls))
            samples["async"].append(async_block(sb, plan.plan_id, calls))
    sync_rate = statistics.median(rate for rate, _ in samples["sync"])
    sync_p99 = statistics.median(p99 for _, p99 in samples["sync"])
    rows = []
    for variant, label in (("sync", "ApimClient, threads"), ("async", "AsyncApimClient, tasks")):
        rows.append(
            figure(
                WORKLOAD,
                f"{label}: throughput",
                "calls/s",
                [rate for rate, _ in samples[variant]],
                baseline="ApimClient, threads",
                baseline_median=sync_rate,
                digits=0,
            )
        )
        rows.append(
            figure(
                WORKLOAD,
                f"{label}: p99 latency",
                "ms",
                [p99 for _, p99 in samples[variant]],
                baseline="ApimClient, threads",
                baseline_median=sync_p99,
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    from benchmarks.__main__ import print_table

    print_table(run(args.quick))


if __name__ == "__main__":
    main()
