"""Server-side rate limit: a token bucket per account, answered with HTTP 503 when empty.

Unlike the client's pacing bucket, a request that finds no token is refused, not delayed,
and costs nothing: the bucket never goes into debt.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .storage import Store


class RateLimiter:
    """``rate`` requests per second per key, with a burst of ``max(1, rate)``."""

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Take a token for ``key`` if one is available now."""
        with self._lock:
            now = self._clock()
            tokens, allowed = self._take(self._buckets.get(key, (self.capacity, now)), now)
            self._buckets[key] = (tokens, now)
            return allowed

    def _take(self, bucket: tuple[float, float], now: float) -> tuple[float, bool]:
        """The bucket's tokens after this request, and whether it was allowed."""
        tokens, stamp = bucket
        tokens = min(self.capacity, tokens + (now - stamp) * self.rate)
        allowed = tokens >= 1.0
        return (tokens - 1.0 if allowed else tokens), allowed


class SharedRateLimiter(RateLimiter):
    """The same buckets kept in the store's SQLite file, for every process serving it.

    The clock must mean the same in every process: ``time.monotonic`` does on one machine
    (Linux's CLOCK_MONOTONIC counts from boot)."""

    def __init__(
        self, store: Store, rate: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(rate, clock=clock)
        self._store = store

    def allow(self, key: str) -> bool:
        with self._store.transaction() as tx:
            now = self._clock()
            found = tx.execute("SELECT tokens, stamp FROM rate_buckets WHERE key=?", (key,))
            bucket = (float(found[0][0]), float(found[0][1])) if found else (self.capacity, now)
            tokens, allowed = self._take(bucket, now)
            tx.execute(
                "INSERT OR REPLACE INTO rate_buckets (key, tokens, stamp) VALUES (?, ?, ?)",
                (key, tokens, now),
            )
            return allowed
