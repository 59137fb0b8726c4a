"""SQLite storage for the emulator: one generic table of objects, links and MFT rows.

Objects of every type live in one table, keyed by (account, type, id) and encoded with the
JSON codec, so adding an object type to the registry needs no schema change. One connection
is shared behind a lock: an in-memory database exists only inside the connection that made
it, and serialising the short transactions costs far less than the XML work around them.

Gets by id are answered from a cache of rows kept in step with the database: a hit takes
neither the lock nor SQLite (whose calls release the GIL, so under load each one costs a
round of thread switches), a miss reads under the lock, and a write transaction evicts what
it changed when it commits. When several processes serve one database file, each checks
SQLite's ``data_version`` before trusting its cache.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: writers of several processes wait in SQLite's busy handler
    fcntl = None  # type: ignore[assignment]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    type TEXT NOT NULL,
    id TEXT NOT NULL,
    json TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account, type, id)
);
CREATE INDEX IF NOT EXISTS objects_by_type ON objects (account, type, seq);
CREATE TABLE IF NOT EXISTS links (
    account TEXT NOT NULL,
    kind TEXT NOT NULL,
    plan_id TEXT NOT NULL,
    ref TEXT NOT NULL,
    PRIMARY KEY (account, kind, plan_id, ref)
);
CREATE TABLE IF NOT EXISTS mft_rows (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    org_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    month INTEGER NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mft_by_month ON mft_rows (kind, year, month, org_id, seq);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# What the processes of one server share besides the objects (``Sandbox(workers=N)``): the
# replay cache, the rate limit's buckets and the query tokens (replay.py, ratelimit.py,
# tokens.py keep them in memory when one process serves).
_SHARED_SCHEMA = """
CREATE TABLE IF NOT EXISTS replay_entries (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS replay_by_expiry ON replay_entries (expires);
CREATE TABLE IF NOT EXISTS replay_owners (owner TEXT PRIMARY KEY, held INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS rate_buckets (
    key TEXT PRIMARY KEY,
    tokens REAL NOT NULL,
    stamp REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS query_tokens (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    token TEXT NOT NULL UNIQUE,
    account TEXT NOT NULL,
    type TEXT NOT NULL,
    expr TEXT NOT NULL,
    after INTEGER NOT NULL,
    expires REAL NOT NULL
);
"""


ROW_CACHE_LIMIT = 100_000  # cached rows; the cache starts afresh when it is full
_MISSING = object()


class Row:
    """One stored object: its creation sequence, id, JSON text and deleted flag."""

    __slots__ = ("deleted", "id", "seq", "text")

    def __init__(self, seq: int, object_id: str, text: str, deleted: bool) -> None:
        self.seq = seq
        self.id = object_id
        self.text = text  # kept as stored: it doubles as the key of the decoding cache
        self.deleted = deleted

    @property
    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.text)
        return document


class Transaction:
    """The operations available inside one transaction (one request)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self.changed: set[tuple[str, str, str]] = set()  # objects written, for the cache

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Any statement on the shared tables (replay cache, buckets, tokens); its rows."""
        return self._db.execute(sql, params).fetchall()

    # objects ---------------------------------------------------------------------------

    def get(self, account: str, type_name: str, object_id: str) -> Row | None:
        # fetchall: the statement runs to completion instead of staying open.
        found = self._db.execute(
            "SELECT seq, id, json, deleted FROM objects WHERE account=? AND type=? AND id=?",
            (account, type_name, object_id),
        ).fetchall()
        return _row(found[0]) if found else None

    def scan(
        self,
        account: str,
        type_name: str,
        *,
        after: int = 0,
        include_deleted: bool = False,
        skip_id: str | None = None,
        prefixes: Sequence[tuple[str, str]] = (),
    ) -> Iterator[Row]:
        """Objects of a type in creation order, starting after sequence ``after``.

        ``skip_id``: an id left out; ``prefixes``: ``(key, prefix)`` pairs, each kept only
        where the document's ``key`` is a string starting with ``prefix`` (see ``texts``).
        """
        sql, params = _scan_sql("seq, id, json, deleted", account, type_name, after)
        sql, params = _narrowed(sql, params, include_deleted, skip_id, prefixes)
        for found in self._db.execute(sql + " ORDER BY seq", params):
            yield _row(found)

    def texts(
        self,
        account: str,
        type_name: str,
        *,
        after: int,
        limit: int,
        include_deleted: bool = False,
        skip_id: str | None = None,
        prefixes: Sequence[tuple[str, str]] = (),
    ) -> list[tuple[int, str]]:
        """``(seq, JSON text)`` of the first ``limit`` objects ``scan`` would yield.

        A query page reads only these two columns, and only as many rows as it needs: the
        filter runs inside SQLite instead of on decoded objects.
        """
        sql, params = _scan_sql("seq, json", account, type_name, after)
        sql, params = _narrowed(sql, params, include_deleted, skip_id, prefixes)
        params.append(limit)
        return self._db.execute(sql + " ORDER BY seq LIMIT ?", params).fetchall()

    def insert(
        self, account: str, type_name: str, object_id: str, document: dict[str, Any]
    ) -> None:
        self.changed.add((account, type_name, object_id))  # a cached miss is stale now
        self._db.execute(
            "INSERT INTO objects (account, type, id, json) VALUES (?, ?, ?, ?)",
            (account, type_name, object_id, json.dumps(document)),
        )

    def replace(
        self,
        account: str,
        type_name: str,
        object_id: str,
        document: dict[str, Any],
        *,
        deleted: bool = False,
    ) -> None:
        self.changed.add((account, type_name, object_id))
        self._db.execute(
            "UPDATE objects SET json=?, deleted=? WHERE account=? AND type=? AND id=?",
            (json.dumps(document), int(deleted), account, type_name, object_id),
        )

    def count(self, account: str | None, type_name: str, *, include_deleted: bool = False) -> int:
        sql = "SELECT COUNT(*) FROM objects WHERE type=?"
        params: list[Any] = [type_name]
        if account is not None:
            sql += " AND account=?"
            params.append(account)
        if not include_deleted:
            sql += " AND deleted=0"
        return int(self._db.execute(sql, params).fetchone()[0])

    # links (plan associations and subscriptions) ---------------------------------------

    def link(self, account: str, kind: str, plan_id: str, ref: str) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO links (account, kind, plan_id, ref) VALUES (?, ?, ?, ?)",
            (account, kind, plan_id, ref),
        )

    def unlink(self, account: str, kind: str, plan_id: str, ref: str) -> bool:
        cursor = self._db.execute(
            "DELETE FROM links WHERE account=? AND kind=? AND plan_id=? AND ref=?",
            (account, kind, plan_id, ref),
        )
        return cursor.rowcount > 0

    def links_of(self, account: str, plan_id: str) -> list[tuple[str, str]]:
        cursor = self._db.execute(
            "SELECT kind, ref FROM links WHERE account=? AND plan_id=? ORDER BY kind, ref",
            (account, plan_id),
        )
        return [(str(kind), str(ref)) for kind, ref in cursor]

    # MFT rows and settings ------------------------------------------------------------

    def add_mft_row(
        self, kind: str, org_id: int, year: int, month: int, document: dict[str, Any]
    ) -> None:
        self._db.execute(
            "INSERT INTO mft_rows (kind, org_id, year, month, json) VALUES (?, ?, ?, ?, ?)",
            (kind, org_id, year, month, json.dumps(document)),
        )

    def mft_rows(
        self, kind: str, *, org_id: int = 0, year: int | None = None, month: int | None = None
    ) -> list[dict[str, Any]]:
        sql = "SELECT json FROM mft_rows WHERE kind=?"
        params: list[Any] = [kind]
        for column, value in (("year", year), ("month", month)):
            if value is not None:
                sql += f" AND {column}=?"
                params.append(value)
        if org_id:
            sql += " AND org_id=?"
            params.append(org_id)
        cursor = self._db.execute(sql + " ORDER BY seq", params)
        return [json.loads(text) for (text,) in cursor]

    def get_meta(self, key: str) -> str | None:
        found = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if found is None else str(found[0])

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def _scan_sql(columns: str, account: str, type_name: str, after: int) -> tuple[str, list[Any]]:
    sql = f"SELECT {columns} FROM objects WHERE account=? AND type=? AND seq>?"
    return sql, [account, type_name, after]


# A string value starting with the prefix, compared as Python's str.startswith does: substr
# counts characters (code points, as len() does) and = compares them exactly, where LIKE
# would fold ASCII case and treat % and _ as wildcards. A value of another JSON type is
# kept, so decoding it fails as it did when the filter ran on decoded objects; an absent
# or null value never starts with anything.
_PREFIX = (
    " AND CASE ifnull(json_type(json, ?), 'null')"
    " WHEN 'text' THEN substr(json_extract(json, ?), 1, ?) = ? WHEN 'null' THEN 0 ELSE 1 END"
)


def _narrowed(
    sql: str,
    params: list[Any],
    include_deleted: bool,
    skip_id: str | None,
    prefixes: Sequence[tuple[str, str]],
) -> tuple[str, list[Any]]:
    if not include_deleted:
        sql += " AND deleted=0"
    if skip_id is not None:
        sql += " AND id<>?"
        params.append(skip_id)
    for key, prefix in prefixes:
        path = _json_path(key)
        sql += _PREFIX
        params.extend((path, path, len(prefix), prefix))
    return sql, params


def _json_path(key: str) -> str:
    # Quoted, so any key is one member name (a key holding '"' would need escaping, and
    # the field maps' wire names never do).
    if '"' in key or "\\" in key:
        raise ValueError(f"{key!r} cannot be named in a JSON path")
    return f'$."{key}"'


def _row(found: tuple[Any, ...]) -> Row:
    seq, object_id, text, deleted = found
    return Row(int(seq), str(object_id), str(text), bool(deleted))


class Store:
    """The emulator's database: in memory (``path=None``) or a file kept across restarts.

    ``shared=True``: other processes write the same file (``Sandbox(workers=N)``). The row
    cache then asks SQLite before each hit whether anyone else committed since
    (``PRAGMA data_version``), and starts afresh if so.
    """

    def __init__(self, path: str | Path | None = None, *, shared: bool = False) -> None:
        self.path = None if path is None else Path(path)
        if shared and self.path is None:
            raise ValueError("a store shared between processes needs a database file")
        self.shared = shared
        target = ":memory:" if self.path is None else str(self.path)
        # isolation_level=None: transactions are opened explicitly, one per request.
        # timeout: how long a write waits for another process's transaction to end.
        self._db = sqlite3.connect(
            target, check_same_thread=False, isolation_level=None, timeout=30.0
        )
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, str, str], Row | None] = {}
        self._version = -1
        # Across processes, writers queue on a lock file: SQLite's own busy handler, finding
        # the write lock taken, sleeps 1 ms and more before each retry; flock() wakes the
        # next writer the moment the lock is released.
        self._writers: Any = None
        if shared and fcntl is not None:
            self._writers = open(f"{self.path}.writers", "ab")  # noqa: SIM115 - closed in close()
        if self.path is not None:
            # WAL + NORMAL: a committed transaction survives the process being killed.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA + _SHARED_SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One atomic unit of work: committed when the block ends, rolled back on error."""
        with self._lock, self._writer_turn():
            self._db.execute("BEGIN IMMEDIATE")
            tx = Transaction(self._db)
            try:
                yield tx
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            for key in tx.changed:
                self._rows.pop(key, None)

    @contextmanager
    def _writer_turn(self) -> Iterator[None]:
        if self._writers is None:
            yield
            return
        assert fcntl is not None
        fcntl.flock(self._writers.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._writers.fileno(), fcntl.LOCK_UN)

    def get(self, account: str, type_name: str, object_id: str) -> Row | None:
        """One object by id, outside any transaction (a plain get request)."""
        key = (account, type_name, object_id)
        if self.shared:
            return self._shared_get(key)
        cached = self._rows.get(key, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        with self._lock:
            # Read and cache under the lock: a commit cannot slip in between and leave a
            # stale row behind.
            row = Transaction(self._db).get(account, type_name, object_id)
            if len(self._rows) >= ROW_CACHE_LIMIT:
                self._rows.clear()
            self._rows[key] = row
        return row

    def _shared_get(self, key: tuple[str, str, str]) -> Row | None:
        with self._lock:
            # data_version changes when another connection commits (never for our own).
            version = int(self._db.execute("PRAGMA data_version").fetchone()[0])
            if version != self._version:
                self._rows.clear()
                self._version = version
            cached = self._rows.get(key, _MISSING)
            if cached is not _MISSING:
                return cached  # type: ignore[return-value]
            row = Transaction(self._db).get(*key)
            if len(self._rows) >= ROW_CACHE_LIMIT:
                self._rows.clear()
            self._rows[key] = row
            return row

    def close(self) -> None:
        with self._lock:
            self._db.close()
            if self._writers is not None:
                self._writers.close()
