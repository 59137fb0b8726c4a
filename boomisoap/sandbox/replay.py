"""The replay cache: what each user already sent, kept as long as it could be accepted again.

An entry (a Nonce, a signed message) is kept until the freshness checks alone would
refuse its copy, and never dropped before: a cache that evicts the oldest entry when full
can be flushed by a burst of requests, after which the evicted Nonce replays. Entries are
kept per user and only after the user authenticated, so only a user's own traffic fills
that user's store; the number of users is the number configured. When a user's store is
full, that user's next new entry is refused (:class:`CacheFull`) until entries expire,
instead of forgetting one that is still live.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable, Hashable


class CacheFull(Exception):
    """The user's store holds ``limit`` live entries; nothing may be forgotten early."""


class ReplayCache:
    """Per-user sets of entries, each with its own expiry (seconds since the epoch)."""

    def __init__(self, limit: int, clock: Callable[[], float]) -> None:
        if limit < 1:
            raise ValueError("the replay cache needs room for at least one entry per user")
        self._limit = limit
        self._clock = clock
        self._users: dict[str, _Store] = {}
        self._lock = threading.Lock()

    def first_use(self, user: str, key: Hashable, expires: float) -> bool:
        """Record ``key`` for ``user`` until ``expires``; False if it is already there.

        Raises :class:`CacheFull` when the user's store is full of live entries.
        """
        with self._lock:
            store = self._users.setdefault(user, _Store())
            store.purge(self._clock())
            if key in store.expiry:
                return False
            if len(store.expiry) >= self._limit:
                raise CacheFull(user)
            store.add(key, expires)
            return True

    def size(self, user: str) -> int:
        """Live entries of ``user`` (for tests and metrics)."""
        with self._lock:
            store = self._users.get(user)
            if store is None:
                return 0
            store.purge(self._clock())
            return len(store.expiry)


class _Store:
    __slots__ = ("expiry", "heap", "order")

    def __init__(self) -> None:
        self.expiry: dict[Hashable, float] = {}
        self.heap: list[tuple[float, int, Hashable]] = []
        self.order = itertools.count()

    def add(self, key: Hashable, expires: float) -> None:
        self.expiry[key] = expires
        # The counter breaks ties between equal expiries without comparing keys.
        heapq.heappush(self.heap, (expires, next(self.order), key))

    def purge(self, now: float) -> None:
        # An entry is live while ``expires >= now``: the checks it stands for accept a
        # copy up to and including that instant.
        while self.heap and self.heap[0][0] < now:
            expires, _, key = heapq.heappop(self.heap)
            if self.expiry.get(key) == expires:
                del self.expiry[key]
