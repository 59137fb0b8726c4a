"""One member of a test fleet: THREADS threads calling ``accounts.get`` until a deadline.

Run as ``python worker.py CONFIG_JSON``. It warms up (one call: zeep loads the WSDL and
schemas at the first), prints ``ready``, reads the start time (``time.time()``) from its
standard input, runs ``seconds`` from then and prints one JSON line of counts.
``retries=0``, so every 503 the service answers reaches the client and is counted here.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any

from boomisoap import PlatformClient, RateLimited


def run(config: dict[str, Any]) -> dict[str, Any]:
    counts = {"ok": 0, "rate_limited": 0, "errors": 0}
    last_finish = [0.0]
    lock = threading.Lock()
    client = PlatformClient(
        account_id=config["account_id"],
        username=config["username"],
        password=config["password"],
        base_url=config["base_url"],
        rate_limit=config["rate_limit"],
        retries=0,
        timeout=30,
    )
    client.accounts.get(config["account_id"])  # warm-up, before the clock starts
    print("ready", flush=True)
    start_at = float(sys.stdin.readline())
    stop_at = start_at + config["seconds"]

    def work() -> None:
        while time.time() < stop_at:
            try:
                client.accounts.get(config["account_id"])
                outcome = "ok"
            except RateLimited:
                outcome = "rate_limited"
            except Exception:
                outcome = "errors"
            with lock:
                counts[outcome] += 1
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
