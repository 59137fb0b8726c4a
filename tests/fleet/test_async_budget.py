"""100 concurrent ``get`` tasks on one async client keep to the client's local budget.

The moments the pacer let each request go (told to a recorder before it is sent) must
satisfy the token bucket's law: in any stretch from one release to a later one, no more
requests than the burst plus the rate times the stretch's length. The emulator has its
own limit a little above the client's (a release exactly on a token's refill could reach
it a hair early), with retries off: a client far past its budget would draw 503s.
"""

from __future__ import annotations

import asyncio
import threading
import time

from boomisoap import AsyncApimClient, Plan
from boomisoap.policy import Attempt, Job
from boomisoap.sandbox import Sandbox

RATE = 40.0
TASKS = 100


class Releases:
    """A recorder noting when each attempt is sent."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self._lock = threading.Lock()

    def before_send(self, attempt: Attempt) -> Job | None:
        with self._lock:
            self.times.append(time.monotonic())
        return None

    def after(self, attempt: Attempt) -> None:
        return None


def test_concurrent_gets_keep_to_the_local_budget() -> None:
    releases = Releases()
    with Sandbox.start(users={"u": "p"}, rate_limit=RATE * 1.25) as sandbox:

        async def main() -> list[object]:
            async with AsyncApimClient(
                account_id=sandbox.account_id,
                username="u",
                password="p",
                base_url=sandbox.base_url,
                rate_limit=RATE,
                retries=0,
            ) as apim:
                plan = await apim.plans.create(Plan(name="paced"))
                # The bucket is full again before the burst: its law holds from here.
                await asyncio.sleep(max(1.0, RATE) / RATE + 0.2)
                apim.transport.recorders.append(releases)
                return await asyncio.gather(*(apim.plans.get(plan.plan_id) for _ in range(TASKS)))

        plans = asyncio.run(main())
    assert len(plans) == TASKS  # none refused with a 503 (retries are off)
    times = sorted(releases.times)
    assert len(times) == TASKS
    burst = max(1.0, RATE)
    for i, start in enumerate(times):
        for j in range(i, len(times)):
            # A little slack for the clock read after the bucket's own.
            assert j - i + 1 <= burst + RATE * (times[j] - start) + 1, (i, j)
