"""Query tokens: opaque, unguessable handles on the rest of a query, expiring.

A token remembers the bound filter and the creation sequence of the last object served, so
the next page continues in the same stable order. Tokens live in memory only (a restart
forgets them) and their number is bounded, oldest dropped first.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from ..errors import InvalidRequest
from ..query import Expr

DEFAULT_TTL = 30 * 60.0
MAX_TOKENS = 10_000


@dataclasses.dataclass(frozen=True, slots=True)
class Cursor:
    account: str
    type_name: str
    expr: Expr | None
    after: int  # creation sequence of the last object already served
    expires: float


class QueryTokens:
    def __init__(
        self,
        ttl: float = DEFAULT_TTL,
        *,
        limit: int = MAX_TOKENS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self._limit = limit
        self._clock = clock
        self._cursors: OrderedDict[str, Cursor] = OrderedDict()
        self._lock = threading.Lock()

    def issue(self, account: str, type_name: str, expr: Expr | None, after: int) -> str:
        token = secrets.token_urlsafe(32)
        cursor = Cursor(account, type_name, expr, after, self._clock() + self.ttl)
        with self._lock:
            self._prune()
            self._cursors[token] = cursor
            while len(self._cursors) > self._limit:
                self._cursors.popitem(last=False)
        return token

    def redeem(self, account: str, token: str) -> Cursor:
        """The cursor behind ``token``; InvalidRequest (400) if unknown, expired or foreign."""
        with self._lock:
            self._prune()
            cursor = self._cursors.get(token)
        if cursor is None or cursor.account != account:
            raise InvalidRequest("queryToken is unknown or expired", field="queryToken")
        return cursor

    def revoke(self, token: str) -> None:
        with self._lock:
            self._cursors.pop(token, None)

    def _prune(self) -> None:
        # Every token gets the same lifetime, so the oldest are first to expire.
        now = self._clock()
        while self._cursors:
            token, cursor = next(iter(self._cursors.items()))
            if cursor.expires > now:
                break
            del self._cursors[token]
