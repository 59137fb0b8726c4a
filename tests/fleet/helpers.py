"""Helpers of the fleet tests."""

from __future__ import annotations

import time
import uuid

import redis

from boomisoap.pacing import RedisRateLimit

INTERVAL = 0.1  # seconds per token at 10/s


def account() -> str:
    """A fresh account id: process-wide fallback buckets are keyed by account."""
    return f"acct-{uuid.uuid4().hex[:12]}"


def server_now_us(url: str) -> int:
    with redis.Redis.from_url(url) as admin:
        seconds, micros = admin.time()
        return int(seconds) * 1_000_000 + int(micros)


def stored_tat(url: str, key: str) -> int:
    with redis.Redis.from_url(url) as admin:
        value = admin.get(key)
        assert value is not None, f"no bucket at {key}"
        return int(value)


class Stopwatch:
    """Time since creation: the most a wait can have shrunk since the first call."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.start


def limiter(url: str, **settings: object) -> RedisRateLimit:
    return RedisRateLimit(url, **settings)  # type: ignore[arg-type]
