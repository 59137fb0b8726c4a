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

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..chain import ALG_HMAC, ALG_SHA256, Chain
from ..errors import AuditError
from ..filters import Query
from ..merkle import HASH_SIZE, Frontier, NodeGetter, node_position
from ..record import GENESIS, AuditRecord, format_time, parse_time
from ..signing import PublicKey, SignedCheckpoint
from ..treecheck import StreamTree, TreeCheck
from ..verify import Corrupt, Entry, Head, Link, VerifyReport, verify_stream
from .base import Sink
from .sqlrows import (
    APPEND_COLUMNS,
    COLUMNS,
    JSON_SELECT,
    canonical_of_row,
    column_definitions,
    heads_of,
    link_of_json_row,
    link_of_row,
    matching,
    sqlite_values,
)
from .treebuild import catch_up
from .walcheckpoint import Checkpointer

STREAM = "main"
BUSY_TIMEOUT_MS = 60_000
_HEAD_MOVED = "audit chain head moved"
# Each record must continue its stream's head, and moves it: the store itself keeps
# records and head consistent, whichever writer (or version of this module) inserts.
_SCHEMA: tuple[str, ...] = (
    f"""CREATE TABLE IF NOT EXISTS audit_record (
{column_definitions("sqlite", "    ")}
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
    # The Merkle tree: every completed node by position (the tree head, size and
    # frontier, lives in the head row: see _TREE_COLUMNS).
    """CREATE TABLE IF NOT EXISTS audit_node (pos INTEGER PRIMARY KEY, hash BLOB NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS audit_checkpoint (
    stream TEXT NOT NULL,
    size INTEGER NOT NULL,
    root TEXT NOT NULL,
    time TEXT NOT NULL,
    key_id TEXT NOT NULL,
    alg TEXT NOT NULL,
    signature TEXT NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS audit_prune (
    stream TEXT PRIMARY KEY,
    through INTEGER NOT NULL,
    last_hash TEXT NOT NULL
)""",
)
_TREE_TABLES = ("audit_node", "audit_checkpoint", "audit_prune")
# Added to audit_head (older stores get them at the first writable open): the row every
# append already rewrites, so the tree head costs no page of its own in the commit.
_TREE_COLUMNS = (
    "ALTER TABLE audit_head ADD COLUMN tree_size INTEGER",
    "ALTER TABLE audit_head ADD COLUMN frontier BLOB",
)
# Rows per INSERT statement at most (fewer where SQLite allows fewer variables).
ROWS_PER_INSERT = 256
# The page size of a new store (an existing one keeps its own). Records of a few KB
# fill SQLite's default 4 KiB page one or two at a time, so every record cost a WAL
# frame and its writes; with 8 KiB pages a batch takes a fifth less time, and a
# commit of one record no more (at 16 KiB it writes twice the bytes, a fifth slower).
PAGE_SIZE = 8192
# What a commit adds to the WAL besides its rows: whole pages of the table, the
# correlation index and the head marker. Only steers when checkpoints run.
_COMMIT_WAL_BYTES = 3 * PAGE_SIZE
_ROW_WAL_BYTES = 512


@cache
def _insert_rows(count: int) -> str:
    # Only the last row's tree columns are bound; the others are NULL in the statement
    # itself, as a bound None costs the sqlite3 module an adapter look-up (each one
    # as much as a dozen text values).
    return "INSERT INTO audit_append VALUES " + ", ".join(
        [*[_ROW_NO_TREE] * (count - 1), _ROW_MARKS]
    )


@cache
def _slots(count: int) -> str:
    return json.dumps(list(range(count)))


# An append is one INSERT into this view of this connection (TEMP: nothing in the file
# changes): each row is a record, and the last row of an append also carries the tree
# nodes it completes (first position, their hashes end to end, a JSON array of their
# offsets for json_each to count them out) and the new tree head. One statement, run on
# its own, commits by itself: BEGIN, the node and tree statements and COMMIT would each
# be a call into SQLite of their own (and a release of the GIL), for the same work. The
# audit_record triggers still check and move the head, so a record that does not continue
# it is refused exactly as before.
_APPEND_EXTRA = ("node_first", "node_hashes", "node_slots", "tree_size", "tree_frontier")
_APPEND_VIEW = "CREATE TEMP VIEW IF NOT EXISTS audit_append AS SELECT " + ", ".join(
    f"NULL AS {name}" for name in (*APPEND_COLUMNS, *_APPEND_EXTRA)
)
_APPEND_TRIGGER = f"""CREATE TEMP TRIGGER IF NOT EXISTS audit_append_row
INSTEAD OF INSERT ON audit_append
BEGIN
    INSERT INTO audit_record ({", ".join(COLUMNS)})
    VALUES ({", ".join(f"NEW.{name}" for name in COLUMNS)});
    INSERT INTO audit_node (pos, hash)
    SELECT NEW.node_first + value, substr(NEW.node_hashes, value * {HASH_SIZE} + 1, {HASH_SIZE})
    FROM json_each(NEW.node_slots);
    UPDATE audit_head SET tree_size = NEW.tree_size, frontier = NEW.tree_frontier
    WHERE NEW.tree_size IS NOT NULL AND stream = NEW.stream;
END"""
_NO_TREE = (None,) * len(_APPEND_EXTRA)
_PER_ROW = len(APPEND_COLUMNS)
_ROW_MARKS = "({})".format(", ".join("?" * (_PER_ROW + len(_APPEND_EXTRA))))
_ROW_NO_TREE = "({})".format(", ".join(["?"] * _PER_ROW + ["NULL"] * len(_APPEND_EXTRA)))
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM audit_record"
_INSERT_NODE = "INSERT INTO audit_node (pos, hash) VALUES (?, ?)"
_SET_TREE = "UPDATE audit_head SET tree_size = ?, frontier = ? WHERE stream = ?"
_TREE_HEAD = "SELECT tree_size, frontier FROM audit_head WHERE stream = ?"
_CHECKPOINT_COLUMNS = "stream, size, root, time, key_id, alg, signature"
_HEAD = "SELECT count, last_hash FROM audit_head WHERE stream = ?"
_STREAM_PARAM = (STREAM,)
# Verify reads every page of the file once: mapped, SQLite reads them in place instead
# of a read() call and a copy per page. SQLite caps it at its compiled-in maximum.
_VERIFY_MMAP = "PRAGMA mmap_size=1099511627776"


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
        # (count, last hash, tree) as this connection left the head, for the append
        # without a head read; None until known.
        self._head: tuple[int, str, Frontier] | None = None
        self._rows_per_insert = 1
        self._checkpointer: Checkpointer | None = None
        if read_only and not self.memory and not Path(path).exists():
            raise AuditError(f"no audit store at {path}")
        try:
            self._conn = self._connect(read_only)
            if not read_only:
                self._setup()
                variables = self._conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
                per_row = (variables - len(_APPEND_EXTRA)) // _PER_ROW
                self._rows_per_insert = max(1, min(ROWS_PER_INSERT, per_row))
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
        # Before the first write (the switch to WAL): only an empty file takes it.
        c.execute(f"PRAGMA page_size={PAGE_SIZE}")
        if not self.memory:
            self._enable_wal()
            # Checkpoints run on the Checkpointer's thread, not inside some caller's commit.
            c.execute("PRAGMA wal_autocheckpoint=0")
        c.execute(f"PRAGMA synchronous={self.synchronous}")
        with self._transaction():
            for statement in _SCHEMA:
                c.execute(statement)
            if not _head_has_tree(c):
                for statement in _TREE_COLUMNS:
                    c.execute(statement)
        c.execute(_APPEND_VIEW)
        c.execute(_APPEND_TRIGGER)

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
        if c.in_transaction:
            c.execute("COMMIT")

    stream = STREAM

    def append(self, drafts: Sequence[AuditRecord], chain: Chain) -> list[AuditRecord]:
        if self.read_only:
            raise AuditError("audit store opened read-only")
        if not drafts:
            return []
        with self._lock:
            try:
                sealed = None
                if self._head is not None:
                    sealed = self._append_after_known_head(drafts, chain, *self._head)
                if sealed is None:
                    with self._transaction() as c:
                        # Read inside the write transaction: no other writer can move it.
                        row = c.execute(_HEAD, _STREAM_PARAM).fetchone()
                        count, last = (int(row[0]), str(row[1])) if row else (0, GENESIS)
                        tree = self._tree_for(c, count)
                        sealed = self._insert(c, drafts, chain, count, last, tree)
            except sqlite3.Error as exc:
                self._head = None
                raise AuditError(f"cannot append to {self.path}: {exc}") from exc
            self._wal_grew(drafts)
        return sealed

    def _insert(
        self,
        c: sqlite3.Connection,
        drafts: Sequence[AuditRecord],
        chain: Chain,
        count: int,
        last: str,
        tree: Frontier,
    ) -> list[AuditRecord]:
        """Seal and insert drafts, their tree nodes and the new tree head (in the caller's
        transaction, or as one statement that commits by itself); remembers the head for
        the next append."""
        triples = chain.seal_all_with_leaves(drafts, STREAM, count, last)
        tree, nodes = tree.extend([leaf for _, _, leaf in triples])
        first = nodes[0][0]
        if nodes[-1][0] - first != len(nodes) - 1:
            raise AuditError("the Merkle tree completed nodes out of position order")
        hashes = b"".join(h for _, h in nodes)
        tree_row = (first, hashes, _slots(len(nodes)), tree.size, tree.to_bytes())
        self._insert_many(c, sqlite_values(triples), tree_row)
        record = triples[-1][0]
        self._head = (record.seq, record.hash, tree)
        return [record for record, _, _ in triples]

    def _tree_for(self, c: sqlite3.Connection, count: int) -> Frontier:
        """The stored tree head, first extended over any records it lacks (a store
        written before the tree existed)."""
        tree = _frontier(c.execute(_TREE_HEAD, _STREAM_PARAM).fetchone())
        if tree.size > count:
            raise AuditError(f"{self.path}: the Merkle tree holds more records than the chain")
        if tree.size < count:
            rows = c.execute(f"{_SELECT} WHERE seq > ? ORDER BY seq", (tree.size,))
            tree, nodes = catch_up(tree, ((int(r[1]), canonical_of_row(r)) for r in rows))
            c.executemany(_INSERT_NODE, nodes)
            c.execute(_SET_TREE, (tree.size, tree.to_bytes(), STREAM))
        return tree

    def _wal_grew(self, drafts: Sequence[AuditRecord]) -> None:
        if self._checkpointer is None:
            return
        size = _COMMIT_WAL_BYTES
        for d in drafts:
            size += _ROW_WAL_BYTES + len(d.request_body) + len(d.response_body or b"")
        self._checkpointer.appended(size)

    def _insert_many(
        self, c: sqlite3.Connection, values: list[Any], tree_row: tuple[Any, ...]
    ) -> None:
        """Insert the records' ``values``, the last one's row also carrying the tree."""
        # Several rows per statement, in power-of-two counts so a handful of prepared
        # statements serve every batch size. Each statement releases the GIL once;
        # a statement per row would wait for it once per row, behind busy callers.
        chunks = self._chunks(len(values) // _PER_ROW)
        if len(chunks) == 1:  # the usual batch: the list itself, not a copy
            values += tree_row
            c.execute(_insert_rows(chunks[0]), values)
            return
        done = 0
        for k, count in enumerate(chunks):
            end = done + count * _PER_ROW
            last = tree_row if k == len(chunks) - 1 else _NO_TREE
            c.execute(_insert_rows(count), [*values[done:end], *last])
            done = end

    def flush_count(self, waiting: int) -> int:
        # As many as one INSERT statement takes: one step, and no transaction around it.
        return min(self._rows_per_insert, 1 << (waiting.bit_length() - 1))

    def _chunks(self, total: int) -> list[int]:
        """The rows of each INSERT statement that appends ``total`` records."""
        counts = []
        while total:
            count = self.flush_count(total)
            counts.append(count)
            total -= count
        return counts

    def _append_after_known_head(
        self, drafts: Sequence[AuditRecord], chain: Chain, count: int, last: str, tree: Frontier
    ) -> list[AuditRecord] | None:
        """Drafts sealed after the head this connection last wrote, without reading it:
        the insert trigger refuses the first record if another writer moved the head
        meanwhile; then None, and the caller reads the head and reseals. Drafts that go
        in one statement need no transaction around it: a statement is atomic."""
        one_statement = len(self._chunks(len(drafts))) == 1
        with self._transaction() if not one_statement else nullcontext(self._conn) as c:
            try:
                return self._insert(c, drafts, chain, count, last, tree)
            except sqlite3.IntegrityError as exc:
                if _HEAD_MOVED not in str(exc):
                    raise
                if c.in_transaction:
                    c.execute("ROLLBACK")
                self._head = None
                return None

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
        yield from matching(self._rows(f"{_SELECT}{where} ORDER BY seq", params), query)

    def heads(self) -> dict[str, Head]:
        rows = self._rows("SELECT stream, count, last_hash FROM audit_head", ())
        return heads_of(rows)

    def verify(
        self,
        chain: Chain,
        workers: int | None = None,
        public_key: PublicKey | None = None,
        anchored: Sequence[SignedCheckpoint] = (),
    ) -> VerifyReport:
        # Rows come out of SQLite already holding the canonical text forms: decoding is
        # cheap enough that workers would cost more than they save.
        try:
            with self._reader() as conn:
                if not self.memory:
                    conn.execute(_VERIFY_MMAP)
                # One read transaction: head markers and rows from the same snapshot,
                # so records committed meanwhile by other writers cannot look extra.
                conn.execute("BEGIN")
                try:
                    rows = conn.execute("SELECT stream, count, last_hash FROM audit_head")
                    heads = heads_of(rows)
                    links = _Links(conn, ALG_HMAC if chain.keyed else ALG_SHA256)
                    tree, pruned = self._stream_tree(conn)
                    tree.checkpoints += [cp for cp in anchored if cp.stream == STREAM]
                    check = TreeCheck(STREAM, tree, public_key)
                    report = verify_stream(
                        STREAM, links, heads.get(STREAM), chain, check, pruned, links.reread
                    )
                finally:
                    conn.execute("COMMIT")
        except sqlite3.Error as exc:
            return VerifyReport(0, False, None, f"cannot read the store: {exc}", STREAM)
        others = sorted(set(heads) - {STREAM})
        if report.ok and others:
            return replace(report, ok=False, reason=f"unexpected head marker(s) {others}")
        return report

    # -- the Merkle tree, checkpoints and pruning ---------------------------------

    def _has_tree_tables(self, conn: sqlite3.Connection) -> bool:
        names = {
            str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        return all(t in names for t in _TREE_TABLES) and _head_has_tree(conn)

    def _stream_tree(self, conn: sqlite3.Connection) -> tuple[StreamTree, Head | None]:
        if not self._has_tree_tables(conn):
            return StreamTree(None, iter(()), _no_node), None
        found = conn.execute(_TREE_HEAD, _STREAM_PARAM).fetchone()
        frontier = None if found is None or found[0] is None else _frontier(found)
        # The types asked of SQLite, not of Python per row: a damaged cell becomes a
        # value that differs from the recomputed node (NULL: a node that is missing).
        nodes: Iterator[tuple[int, bytes]] = conn.execute(
            "SELECT CAST(pos AS INTEGER), CAST(hash AS BLOB) FROM audit_node ORDER BY pos"
        )
        prune = conn.execute(
            "SELECT through, last_hash FROM audit_prune WHERE stream = ?", _STREAM_PARAM
        ).fetchone()
        pruned = None if prune is None else Head(int(prune[0]), str(prune[1]))
        tree = StreamTree(
            frontier,
            nodes,
            _node_getter(conn),
            self._checkpoints(conn, STREAM),
            pruned.count if pruned else 0,
        )
        return tree, pruned

    def _checkpoints(self, conn: sqlite3.Connection, stream: str | None) -> list[SignedCheckpoint]:
        rows = conn.execute(
            f"SELECT {_CHECKPOINT_COLUMNS} FROM audit_checkpoint ORDER BY size, rowid"
        ).fetchall()
        found = [_checkpoint_of_row(r) for r in rows]
        return [cp for cp in found if stream is None or cp.stream == stream]

    def tree_head(self, stream: str | None = None) -> Frontier:
        with self._reader() as conn:
            if not self._has_tree_tables(conn):
                return Frontier.empty()
            row = conn.execute(_TREE_HEAD, _STREAM_PARAM).fetchone()
        return _frontier(row)

    @contextmanager
    def nodes(self, stream: str | None = None) -> Iterator[NodeGetter]:
        with self._reader() as conn:
            conn.execute("BEGIN")
            try:
                yield _node_getter(conn)
            finally:
                conn.execute("COMMIT")

    def add_checkpoint(self, cp: SignedCheckpoint) -> None:
        if self.read_only:
            raise AuditError("audit store opened read-only")
        with self._lock:
            try:
                with self._transaction() as c:
                    c.execute(
                        f"INSERT INTO audit_checkpoint ({_CHECKPOINT_COLUMNS}) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        _checkpoint_row(cp),
                    )
            except sqlite3.Error as exc:
                raise AuditError(f"cannot store a checkpoint in {self.path}: {exc}") from exc

    def checkpoints(self, stream: str | None = None) -> list[SignedCheckpoint]:
        with self._reader() as conn:
            if not self._has_tree_tables(conn):
                return []
            return self._checkpoints(conn, stream)

    def pruned(self, stream: str | None = None) -> int:
        with self._reader() as conn:
            if not self._has_tree_tables(conn):
                return 0
            row = conn.execute(
                "SELECT through FROM audit_prune WHERE stream = ?", _STREAM_PARAM
            ).fetchone()
        return 0 if row is None else int(row[0])

    def prune(self, stream: str, through: int) -> int:
        """Delete records 1..through (already covered by the tree), keeping the tree
        and a marker of where the chain now starts. Returns how many were deleted."""
        if self.read_only:
            raise AuditError("audit store opened read-only")
        with self._lock:
            try:
                with self._transaction() as c:
                    row = c.execute(
                        "SELECT hash FROM audit_record WHERE seq = ?", (through,)
                    ).fetchone()
                    if row is None:
                        raise AuditError(f"record {through} is not in the store")
                    deleted = c.execute(
                        "DELETE FROM audit_record WHERE seq <= ?", (through,)
                    ).rowcount
                    c.execute(
                        "INSERT INTO audit_prune (stream, through, last_hash) VALUES (?, ?, ?) "
                        "ON CONFLICT(stream) DO UPDATE SET through = excluded.through, "
                        "last_hash = excluded.last_hash",
                        (STREAM, through, str(row[0])),
                    )
            except sqlite3.Error as exc:
                raise AuditError(f"cannot prune {self.path}: {exc}") from exc
        return int(deleted)

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.close()
        with self._lock:
            self._conn.close()


class _Links:
    """The links of every row, in seq order, whatever its stream column says (a row
    moved to another stream name is an inserted/deleted record for this chain).

    Read with JSON_SELECT, whose META text SQLite writes without a Python object per
    column; from a row it cannot read that way (another stream or algorithm than
    expected, too), or whose hash does not match (then ``reread``), on, with the exact
    select, which also words what is wrong.
    """

    def __init__(self, conn: sqlite3.Connection, alg: str) -> None:
        self._conn = conn
        self._alg = alg  # the algorithm expected of every record
        self._given = 0
        self._exact = False

    def __iter__(self) -> Iterator[Entry]:
        alg = self._alg
        try:
            for row in self._conn.execute(f"{JSON_SELECT} ORDER BY seq", (STREAM, alg)):
                link = link_of_json_row(row, STREAM, alg)
                self._given += 1
                yield link
                if self._exact:
                    break
            else:
                return
        except (ValueError, TypeError, KeyError, sqlite3.Error):
            pass  # the same row again, the exact way
        yield from _exact_links(self._from(self._given))

    def reread(self, link: Link) -> Entry:
        self._exact = True
        for entry in _exact_links(self._from(self._given - 1)):
            return entry
        return Corrupt("row vanished while read")

    def _from(self, offset: int) -> Iterator[Any]:
        # By position, as the rows came: the same rows in the same read transaction.
        return self._conn.execute(f"{_SELECT} ORDER BY seq LIMIT -1 OFFSET ?", (offset,))


def _exact_links(rows: Iterator[Any]) -> Iterator[Entry]:
    try:
        for row in rows:
            try:
                yield link_of_row(row)
            except (ValueError, TypeError, KeyError) as exc:
                yield Corrupt(f"undecodable row ({exc})")
    except sqlite3.Error as exc:
        yield Corrupt(f"cannot read rows ({exc})")


def _head_has_tree(conn: sqlite3.Connection) -> bool:
    columns = {str(r[1]) for r in conn.execute("PRAGMA table_info(audit_head)")}
    return "tree_size" in columns


def _frontier(row: Sequence[Any] | None) -> Frontier:
    """The tree head of a head row's (tree_size, frontier); none yet: the empty tree."""
    if row is None or row[0] is None:
        return Frontier.empty()
    return Frontier.from_bytes(int(row[0]), bytes(row[1]))


def _node_getter(conn: sqlite3.Connection) -> NodeGetter:
    def node(level: int, index: int) -> bytes:
        row = conn.execute(
            "SELECT hash FROM audit_node WHERE pos = ?", (node_position(level, index),)
        ).fetchone()
        if row is None:
            raise KeyError(f"tree node ({level}, {index}) is missing")
        return bytes(row[0])

    return node


def _no_node(level: int, index: int) -> bytes:
    raise KeyError(f"tree node ({level}, {index}) is missing: the store has no tree")


def _checkpoint_row(cp: SignedCheckpoint) -> tuple[Any, ...]:
    return (cp.stream, cp.size, cp.root, format_time(cp.time), cp.key_id, cp.alg, cp.signature)


def _checkpoint_of_row(row: Sequence[Any]) -> SignedCheckpoint:
    return SignedCheckpoint(
        str(row[0]), int(row[1]), str(row[2]), parse_time(str(row[3])),
        str(row[4]), str(row[5]), str(row[6]),
    )  # fmt: skip


def _where(query: Query) -> tuple[str, list[Any]]:
    return query.sql_where(
        "?",
        format_time,
        "EXISTS (SELECT 1 FROM json_each(audit_record.object_ids) WHERE value = ?)",
    )
