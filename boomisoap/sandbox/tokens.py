"""Query tokens: opaque, unguessable handles on the rest of a query, expiring.

A token remembers the bound filter and the creation sequence of the last object served, so
the next page continues in the same stable order. Tokens live in memory (a restart
forgets them), or, when several processes serve one database, in its file; their number is
bounded, oldest dropped first.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import InvalidRequest
from ..query import Expr, from_json, to_json

if TYPE_CHECKING:
    from .storage import Store

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


class SharedQueryTokens(QueryTokens):
    """Query tokens in the store's SQLite file: a token issued by one process pages on
    any other serving the same database. The clock must mean the same in every process
    (``time.monotonic`` does on one machine)."""

    def __init__(
        self,
        store: Store,
        ttl: float = DEFAULT_TTL,
        *,
        limit: int = MAX_TOKENS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(ttl, limit=limit, clock=clock)
        self._store = store

    def issue(self, account: str, type_name: str, expr: Expr | None, after: int) -> str:
        token = secrets.token_urlsafe(32)
        now = self._clock()
        with self._store.transaction() as tx:
            tx.execute("DELETE FROM query_tokens WHERE expires <= ?", (now,))
            tx.execute(
                "INSERT INTO query_tokens (token, account, type, expr, after, expires)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (token, account, type_name, json.dumps(to_json(expr)), after, now + self.ttl),
            )
            tx.execute(
                "DELETE FROM query_tokens WHERE seq <= (SELECT MAX(seq) FROM query_tokens) - ?",
                (self._limit,),
            )
        return token

    def redeem(self, account: str, token: str) -> Cursor:
        with self._store.transaction() as tx:
            found = tx.execute(
                "SELECT account, type, expr, after, expires FROM query_tokens"
                " WHERE token=? AND expires > ?",
                (token, self._clock()),
            )
        if not found or found[0][0] != account:
            raise InvalidRequest("queryToken is unknown or expired", field="queryToken")
        owner, type_name, expr, after, expires = found[0]
        return Cursor(owner, type_name, from_json(json.loads(expr)), int(after), float(expires))

    def revoke(self, token: str) -> None:
        with self._store.transaction() as tx:
            tx.execute("DELETE FROM query_tokens WHERE token=?", (token,))
