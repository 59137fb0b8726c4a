"""SQLite store: one chain in one file, shared by threads and processes on one machine.

WAL lets readers run beside the single writer.  Triggers refuse a record that does
not continue the head and move the head with every record, so records and the head
marker always commit together.  A writer seals a record after the head it last left
and inserts it in one statement; if another writer moved the head meanwhile, the
trigger refuses it and the append becomes a ``BEGIN IMMEDIATE`` transaction, which
takes SQLite's write lock before reading the head, so no two writers interleave.

Durability: in WAL mode ``synchronous=NORMAL`` (the default) makes a commit survive the
writing process being killed, which is the promise ``record()`` makes; only an operating
system crash or power loss can lose the last transactions. ``?synchronous=full`` in the
URL fsyncs the WAL on every commit as well, at about 0.4 ms per record.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..chain import Chain
from ..errors import AuditError
from ..query import Query
from ..record import GENESIS, AuditRecord, format_time
from ..verify import Corrupt, Entry, Head, Link, VerifyReport, verify_stream
from .base import Sink
from .checkpoint import Checkpointer
from .rows import COLUMNS, canonical_of_row, from_row, row_from_meta

STREAM = "main"
BUSY_TIMEOUT_MS = 60_000
_HEAD_MOVED = "audit chain head moved"
# Each record must continue its stream's head, and moves it: the store itself keeps
# records and head consistent, whichever writer (or version of this module) inserts.
_SCHEMA: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS audit_record (
    stream TEXT NOT NULL,
    seq INTEGER PRIMARY KEY,
    writer TEXT NOT NULL,
    alg TEXT NOT NULL,
    service TEXT NOT NULL,
    operation TEXT NOT NULL,
    wire TEXT NOT NULL,
    method TEXT NOT NULL,
    url TEXT NOT NULL,
    request_headers TEXT NOT NULL,
    request_body BLOB NOT NULL,
    started_at TEXT NOT NULL,
    duration REAL NOT NULL,
    outcome TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    status INTEGER,
    response_headers TEXT NOT NULL,
    response_body BLOB,
    object_type TEXT,
    object_ids TEXT NOT NULL,
    account_id TEXT,
    fault_code TEXT,
    status_code INTEGER,
    error_class TEXT,
    attempt INTEGER NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
)""",
    """DROP INDEX IF EXISTS audit_record_started_at""",
    """CREATE INDEX IF NOT EXISTS audit_record_correlation ON audit_record(correlation_id)""",
    """CREATE TABLE IF NOT EXISTS audit_head (
    stream TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    last_hash TEXT NOT NULL
)""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_record_continues_head BEFORE INSERT ON audit_record
WHEN NEW.seq != 1 + COALESCE((SELECT count FROM audit_head WHERE stream = NEW.stream), 0)
  OR NEW.prev_hash != COALESCE(
    (SELECT last_hash FROM audit_head WHERE stream = NEW.stream), '{GENESIS}')
BEGIN
    SELECT RAISE(ABORT, '{_HEAD_MOVED}');
END""",
    """CREATE TRIGGER IF NOT EXISTS audit_record_moves_head AFTER INSERT ON audit_record
BEGIN
    INSERT INTO audit_head (stream, count, last_hash) VALUES (NEW.stream, NEW.seq, NEW.hash)
    ON CONFLICT(stream) DO UPDATE SET count = excluded.count, last_hash = excluded.last_hash;
END""",
)
_ROW_MARKS = f"({', '.join('?' for _ in COLUMNS)})"
# Rows per INSERT statement at most (fewer where SQLite allows fewer variables).
ROWS_PER_INSERT = 256
# What a commit adds to the WAL besides its rows: whole pages of the table, the
# correlation index and the head marker. Only steers when checkpoints run.
_COMMIT_WAL_BYTES = 3 * 4096
_ROW_WAL_BYTES = 512


@cache
def _insert_rows(count: int) -> str:
    return f"INSERT INTO audit_record ({', '.join(COLUMNS)}) VALUES " + ", ".join(
        [_ROW_MARKS] * count
    )


_SELECT = f"SELECT {', '.join(COLUMNS)} FROM audit_record"
_HEAD = "SELECT count, last_hash FROM audit_head WHERE stream = ?"
_STREAM_PARAM = (STREAM,)


class SqliteSink(Sink):
    def __init__(self, path: str, *, read_only: bool = False, synchronous: str = "NORMAL") -> None:
        if synchronous.upper() not in ("NORMAL", "FULL", "EXTRA"):
            raise AuditError(f"synchronous must be normal, full or extra, not {synchronous!r}")
        self.synchronous = synchronous.upper()
        self.path = path
        self.memory = path == ":memory:"
        self.url = f"sqlite:///{path}"
        self.read_only = read_only
        self._lock = threading.RLock()
        # (count, last hash) as this connection left the head, for the one-statement
        # append; None until known.
        self._head: tuple[int, str] | None = None
        self._rows_per_insert = 1
        self._checkpointer: Checkpointer | None = None
        if read_only and not self.memory and not Path(path).exists():
            raise AuditError(f"no audit store at {path}")
        try:
            self._conn = self._connect(read_only)
            if not read_only:
                self._setup()
                variables = self._conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
                self._rows_per_insert = max(1, min(ROWS_PER_INSERT, variables // len(COLUMNS)))
                if not self.memory:
                    self._checkpointer = Checkpointer(path)
        except sqlite3.Error as exc:
            raise AuditError(f"cannot open SQLite audit store {path}: {exc}") from exc

    def _connect(self, read_only: bool) -> sqlite3.Connection:
        if read_only and not self.memory:
            uri = f"file:{quote(self.path)}?mode=ro"
            conn = sqlite3.connect(
                uri,
                uri=True,
                isolation_level=None,
                check_same_thread=False,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
        else:
            conn = sqlite3.connect(
                self.path,
                isolation_level=None,
                check_same_thread=False,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return conn

    def _setup(self) -> None:
        c = self._conn
        if not self.memory:
            self._enable_wal()
            # Checkpoints run on the Checkpointer's thread, not inside some caller's commit.
            c.execute("PRAGMA wal_autocheckpoint=0")
        c.execute(f"PRAGMA synchronous={self.synchronous}")
        with self._transaction():
            for statement in _SCHEMA:
                c.execute(statement)

    def _enable_wal(self) -> None:
        # Switching a file to WAL takes an exclusive lock, and SQLite answers SQLITE_BUSY at
        # once rather than calling the busy handler: writers opening a new store together
        # race here, so the switch is retried until the busy timeout.
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        pause = 0.001
        while True:
            try:
                mode = self._conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.05)
                continue
            if str(mode).lower() != "wal":
                raise AuditError(f"SQLite audit store {self.path} cannot use WAL (mode {mode})")
            return

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        c = self._conn
        c.execute("BEGIN IMMEDIATE")
        try:
            yield c
        except BaseException:
            if c.in_transaction:
                c.execute("ROLLBACK")
            raise
        c.execute("COMMIT")

    def append(self, drafts: Sequence[AuditRecord], chain: Chain) -> list[AuditRecord]:
        if self.read_only:
            raise AuditError("audit store opened read-only")
        if not drafts:
            return []
        with self._lock:
            try:
                if len(drafts) == 1 and self._head is not None:
                    sealed = self._append_after_known_head(drafts[0], chain, *self._head)
                    if sealed is not None:
                        self._wal_grew(drafts)
                        return [sealed]
                with self._transaction() as c:
                    # Read inside the write transaction: no other writer can move the head.
                    row = c.execute(_HEAD, _STREAM_PARAM).fetchone()
                    count, last = (int(row[0]), str(row[1])) if row else (0, GENESIS)
                    pairs = chain.seal_all_with_meta(drafts, STREAM, count, last)
                    self._insert_many(c, [row_from_meta(r, meta) for r, meta in pairs])
            except sqlite3.Error as exc:
                self._head = None
                raise AuditError(f"cannot append to {self.path}: {exc}") from exc
            head = pairs[-1][0]
            self._head = (head.seq, head.hash)
            self._wal_grew(drafts)
        return [record for record, _ in pairs]

    def _wal_grew(self, drafts: Sequence[AuditRecord]) -> None:
        if self._checkpointer is None:
            return
        size = _COMMIT_WAL_BYTES
        for d in drafts:
            size += _ROW_WAL_BYTES + len(d.request_body) + len(d.response_body or b"")
        self._checkpointer.appended(size)

    def _insert_many(self, c: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
        # Several rows per statement, in power-of-two counts so a handful of prepared
        # statements serve every batch size. Each statement releases the GIL once;
        # a statement per row would wait for it once per row, behind busy callers.
        done = 0
        while done < len(rows):
            count = min(self._rows_per_insert, 1 << ((len(rows) - done).bit_length() - 1))
            chunk = rows[done : done + count]
            c.execute(_insert_rows(count), [value for row in chunk for value in row])
            done += count

    def _append_after_known_head(
        self, draft: AuditRecord, chain: Chain, count: int, last: str
    ) -> AuditRecord | None:
        """One statement, so one implicit transaction: the record sealed after the head
        this connection last wrote. The insert trigger refuses it if another writer
        moved the head meanwhile; then None, and the caller reads the head and reseals."""
        record, meta = chain.seal_with_meta(draft, STREAM, count + 1, last)
        try:
            self._conn.execute(_insert_rows(1), row_from_meta(record, meta))
        except sqlite3.IntegrityError as exc:
            if _HEAD_MOVED not in str(exc):
                raise
            return None
        self._head = (record.seq, record.hash)
        return record

    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        # A file store gets its own connection per read so a long iteration neither
        # blocks nor is disturbed by appends on the writer connection.
        if self.memory:
            with self._lock:
                yield self._conn
            return
        conn = self._connect(read_only=True)
        try:
            yield conn
        finally:
            conn.close()

    def _rows(self, sql: str, params: Sequence[Any]) -> Iterator[Any]:
        if self.memory:
            # Fetched under the lock, yielded after it: a caller may write while iterating.
            with self._reader() as conn:
                rows = conn.execute(sql, params).fetchall()
            yield from rows
            return
        with self._reader() as conn:
            yield from conn.execute(sql, params)

    def records(self, query: Query) -> Iterator[AuditRecord]:
        where, params = _where(query)
        sql = f"{_SELECT}{where} ORDER BY seq"
        for row in self._rows(sql, params):
            record = from_row(row)
            if query.matches(record):
                yield record

    def heads(self) -> dict[str, Head]:
        rows = self._rows("SELECT stream, count, last_hash FROM audit_head", ())
        return {str(s): Head(int(n), str(h)) for s, n, h in rows}

    def verify(self, chain: Chain, workers: int | None = None) -> VerifyReport:
        # Rows come out of SQLite already holding the canonical text forms: decoding is
        # cheap enough that workers would cost more than they save.
        try:
            with self._reader() as conn:
                # One read transaction: head markers and rows from the same snapshot,
                # so records committed meanwhile by other writers cannot look extra.
                conn.execute("BEGIN")
                try:
                    rows = conn.execute("SELECT stream, count, last_hash FROM audit_head")
                    heads = {str(s): Head(int(n), str(h)) for s, n, h in rows}
                    links = _links(conn.execute(f"{_SELECT} ORDER BY seq"))
                    report = verify_stream(STREAM, links, heads.get(STREAM), chain)
                finally:
                    conn.execute("COMMIT")
        except sqlite3.Error as exc:
            return VerifyReport(0, False, None, f"cannot read the store: {exc}", STREAM)
        others = sorted(set(heads) - {STREAM})
        if report.ok and others:
            return replace(report, ok=False, reason=f"unexpected head marker(s) {others}")
        return report

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.close()
        with self._lock:
            self._conn.close()


def _links(rows: Iterator[Any]) -> Iterator[Entry]:
    # Every row, in seq order, whatever its stream column says: a row moved to
    # another stream name is an inserted/deleted record for this chain.
    try:
        for row in rows:
            try:
                yield Link(int(row[1]), row[0], row[3], row[25], row[26], canonical_of_row(row))
            except (ValueError, TypeError, KeyError) as exc:
                yield Corrupt(f"undecodable row ({exc})")
    except sqlite3.Error as exc:
        yield Corrupt(f"cannot read rows ({exc})")


def _where(query: Query) -> tuple[str, list[Any]]:
    return query.sql_where(
        "?",
        format_time,
        "EXISTS (SELECT 1 FROM json_each(audit_record.object_ids) WHERE value = ?)",
    )
