"""One member of a test fleet: THREADS threads calling ``accounts.get`` until a deadline
(or, with ``"mode": "async"``, one event loop running that many tasks on an
AsyncPlatformClient).

Run as ``python worker.py CONFIG_JSON``. It warms up (one call: zeep loads the WSDL and
schemas at the first), prints ``ready``, reads the start time (``time.time()``) from its
standard input, runs ``seconds`` from then and prints one JSON line of counts.
``retries=0``, so every 503 the service answers reaches the client and is counted here.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from typing import Any

from boomisoap import AsyncPlatformClient, PlatformClient, RateLimited


def options(config: dict[str, Any]) -> dict[str, Any]:
    return {
        "account_id": config["account_id"],
        "username": config["username"],
        "password": config["password"],
        "base_url": config["base_url"],
        "rate_limit": config["rate_limit"],
        "retries": 0,
        "timeout": 30,
    }


def outcome_of(error: BaseException | None) -> str:
    if error is None:
        return "ok"
    return "rate_limited" if isinstance(error, RateLimited) else "errors"


async def run_async(config: dict[str, Any]) -> dict[str, Any]:
    counts = {"ok": 0, "rate_limited": 0, "errors": 0}
    last_finish = 0.0
    async with AsyncPlatformClient(**options(config)) as client:
        await client.accounts.get(config["account_id"])  # warm-up, before the clock starts
        print("ready", flush=True)
        start_at = float(await asyncio.to_thread(sys.stdin.readline))
        stop_at = start_at + config["seconds"]

        async def work() -> None:
            nonlocal last_finish
            while time.time() < stop_at:
                try:
                    await client.accounts.get(config["account_id"])
                    error = None
                except Exception as exc:
                    error = exc
                counts[outcome_of(error)] += 1
                last_finish = max(last_finish, time.time())

        await asyncio.sleep(max(0.0, start_at - time.time()))  # every member starts together
        await asyncio.gather(*(work() for _ in range(config["threads"])))
    return {**counts, "last_finish": last_finish}


def run(config: dict[str, Any]) -> dict[str, Any]:
    if config.get("mode") == "async":
        return asyncio.run(run_async(config))
    counts = {"ok": 0, "rate_limited": 0, "errors": 0}
    last_finish = [0.0]
    lock = threading.Lock()
    client = PlatformClient(**options(config))
    client.accounts.get(config["account_id"])  # warm-up, before the clock starts
    print("ready", flush=True)
    start_at = float(sys.stdin.readline())
    stop_at = start_at + config["seconds"]

    def work() -> None:
        while time.time() < stop_at:
            try:
                client.accounts.get(config["account_id"])
                error = None
            except Exception as exc:
                error = exc
            with lock:
                counts[outcome_of(error)] += 1
                last_finish[0] = max(last_finish[0], time.time())

    threads = [threading.Thread(target=work) for _ in range(config["threads"])]
    time.sleep(max(0.0, start_at - time.time()))  # every member starts together
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client.close()
    return {**counts, "last_finish": last_finish[0]}


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.argv[1]))), flush=True)
