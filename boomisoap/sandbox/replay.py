"""The replay cache: what was already received, kept as long as it could be accepted again.

An entry (a user's Nonce, a signed message) is kept until the freshness checks alone would
refuse its copy, and never dropped before: a cache that evicts the oldest entry when full
can be flushed by a burst of requests, after which the evicted Nonce replays. Each entry
is charged to the user whose authenticated request added it, and each user may hold at
most ``limit`` live entries; only authenticated requests add entries, so the number of
owners is the number of configured users and tokens. When a user's share is full, that
user's next new entry is refused (:class:`CacheFull`) until entries expire, instead of
forgetting one that is still live; nobody else's traffic counts against it.

Keys are global: whoever presents a key already held is refused, so a signed message
captured from one user is a replay under another user's token too. A key that should be
one user's only (a Nonce) carries the user name in it.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .storage import Store


class CacheFull(Exception):
    """The user's share holds ``limit`` live entries; nothing may be forgotten early."""


class Replays(Protocol):
    """What the authenticator needs of a replay cache (in memory, or shared in SQLite)."""

    def first_use(self, owner: str, key: Hashable, expires: float) -> bool: ...

    def size(self, owner: str) -> int: ...


class ReplayCache:
    """Keys with their own expiry (seconds since the epoch), charged to an owner."""

    def __init__(self, limit: int, clock: Callable[[], float]) -> None:
        if limit < 1:
            raise ValueError("the replay cache needs room for at least one entry per user")
        self._limit = limit
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, str]] = {}
        self._heap: list[tuple[float, int, Hashable]] = []
        self._owned: dict[str, int] = {}
        self._order = itertools.count()  # breaks ties in the heap without comparing keys
        self._lock = threading.Lock()

    def first_use(self, owner: str, key: Hashable, expires: float) -> bool:
        """Record ``key`` until ``expires``, charged to ``owner``; False if already held.

        Raises :class:`CacheFull` when ``owner`` already holds ``limit`` live entries.
        """
        with self._lock:
            self._purge(self._clock())
            if key in self._entries:
                return False
            held = self._owned.get(owner, 0)
            if held >= self._limit:
                raise CacheFull(owner)
            self._entries[key] = (expires, owner)
            self._owned[owner] = held + 1
            heapq.heappush(self._heap, (expires, next(self._order), key))
            return True

    def size(self, owner: str) -> int:
        """Live entries charged to ``owner``."""
        with self._lock:
            self._purge(self._clock())
            return self._owned.get(owner, 0)

    def _purge(self, now: float) -> None:
        # An entry is live while ``expires >= now``: the checks it stands for accept a
        # copy up to and including that instant.
        while self._heap and self._heap[0][0] < now:
            _, _, key = heapq.heappop(self._heap)
            _, owner = self._entries.pop(key)
            self._owned[owner] -= 1
            if not self._owned[owner]:
                del self._owned[owner]


class SharedReplayCache:
    """:class:`ReplayCache` in the store's SQLite file, for every process serving it.

    Same rules: an entry lives until it expires, each owner holds at most ``limit`` live
    entries, and a key already held is refused whichever process holds it. Each check is
    one write transaction, so two processes cannot both accept a Nonce.
    """

    def __init__(self, store: Store, limit: int, clock: Callable[[], float]) -> None:
        if limit < 1:
            raise ValueError("the replay cache needs room for at least one entry per user")
        self._store = store
        self._limit = limit
        self._clock = clock

    def first_use(self, owner: str, key: Hashable, expires: float) -> bool:
        text = _key_text(key)
        with self._store.transaction() as tx:
            self._purge(tx, self._clock())
            if tx.execute("SELECT 1 FROM replay_entries WHERE key=?", (text,)):
                return False
            held = tx.execute("SELECT held FROM replay_owners WHERE owner=?", (owner,))
            count = int(held[0][0]) if held else 0
            if count >= self._limit:
                raise CacheFull(owner)
            tx.execute(
                "INSERT INTO replay_entries (key, owner, expires) VALUES (?, ?, ?)",
                (text, owner, expires),
            )
            tx.execute(
                "INSERT OR REPLACE INTO replay_owners (owner, held) VALUES (?, ?)",
                (owner, count + 1),
            )
            return True

    def size(self, owner: str) -> int:
        with self._store.transaction() as tx:
            self._purge(tx, self._clock())
            held = tx.execute("SELECT held FROM replay_owners WHERE owner=?", (owner,))
            return int(held[0][0]) if held else 0

    @staticmethod
    def _purge(tx: Any, now: float) -> None:
        # Live while ``expires >= now``, as in memory.
        gone = tx.execute(
            "SELECT owner, COUNT(*) FROM replay_entries WHERE expires < ? GROUP BY owner", (now,)
        )
        if not gone:
            return
        tx.execute("DELETE FROM replay_entries WHERE expires < ?", (now,))
        for owner, count in gone:
            tx.execute(
                "UPDATE replay_owners SET held = held - ? WHERE owner=?", (int(count), owner)
            )
        tx.execute("DELETE FROM replay_owners WHERE held <= 0")


def _key_text(key: Hashable) -> str:
    """A cache key (a tuple of strings and bytes) as one string, its parts kept apart."""
    parts = key if isinstance(key, tuple) else (key,)
    return "\x1f".join(
        part.hex() if isinstance(part, bytes) else f"{type(part).__name__}:{part}" for part in parts
    )
