"""PostgreSQL store: one chain per writer stream, for fleets of writers on many hosts.

Each AuditLog writes its own stream (``host:pid:random`` unless ``?stream=NAME``
is given) and keeps a head row per stream in ``boomisoap_audit_head``.  An append
is one transaction that locks that head row with ``SELECT ... FOR UPDATE``, inserts
the sealed records and moves the head.  Writers of different streams never wait for
each other (no global serialisation point, unlike a single chain), and writers that
share a stream name are serialised by the row lock, so the chain stays linear either
way.  ``verify`` checks every stream found in either table.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..chain import Chain
from ..errors import AuditError, AuditURLError
from ..filters import Query
from ..merkle import HASH_SIZE, Frontier, NodeGetter, node_position
from ..parallel import PARALLEL_FROM_ROWS, auto_workers, ordered_entries
from ..record import GENESIS, AuditRecord, format_time, parse_time
from ..signing import PublicKey, SignedCheckpoint
from ..treecheck import StreamTree, TreeCheck
from ..verify import Corrupt, Entry, Head, VerifyReport, combine, verify_stream
from .base import Sink
from .sqlrows import (
    COLUMNS,
    canonical_of_row,
    column_definitions,
    heads_of,
    link_of_row,
    matching,
    postgres_row,
)
from .treebuild import catch_up

RECORDS = "boomisoap_audit_record"
HEADS = "boomisoap_audit_head"
NODES = "boomisoap_audit_node"
CHECKPOINTS = "boomisoap_audit_checkpoint"
PRUNED = "boomisoap_audit_prune"
_CHECKPOINT_COLUMNS = "stream, size, root, time, key_id, alg, signature"
_OWN_PARAMS = ("stream",)
# Any constant works; it only has to be the same for every process creating the schema.
_SCHEMA_LOCK = 0x626F6F6D69
# Rows a verification worker reads per job.
ROWS_PER_JOB = 10_000

_SCHEMA = [
    f"""CREATE TABLE IF NOT EXISTS {RECORDS} (
{column_definitions("postgres", "        ")},
        PRIMARY KEY (stream, seq)
    )""",
    f"CREATE INDEX IF NOT EXISTS {RECORDS}_started_at ON {RECORDS} (started_at)",
    f"CREATE INDEX IF NOT EXISTS {RECORDS}_correlation ON {RECORDS} (correlation_id)",
    f"""CREATE TABLE IF NOT EXISTS {HEADS} (
        stream text PRIMARY KEY,
        count bigint NOT NULL,
        last_hash text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
    )""",
    # The nodes an append completed, in one row: positions first_pos, first_pos + 1, ...
    # as 32-byte hashes end to end (a row per node cost about as much as the records).
    f"""CREATE TABLE IF NOT EXISTS {NODES} (
        stream text NOT NULL,
        first_pos bigint NOT NULL,
        hashes bytea NOT NULL,
        PRIMARY KEY (stream, first_pos)
    )""",
    f"""CREATE TABLE IF NOT EXISTS {CHECKPOINTS} (
        id bigserial PRIMARY KEY,
        stream text NOT NULL,
        size bigint NOT NULL,
        root text NOT NULL,
        time text NOT NULL,
        key_id text NOT NULL,
        alg text NOT NULL,
        signature text NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS {PRUNED} (
        stream text PRIMARY KEY,
        through bigint NOT NULL,
        last_hash text NOT NULL
    )""",
]
_INSERT = (
    f"INSERT INTO {RECORDS} ({', '.join(COLUMNS)}) VALUES ({', '.join('%s' for _ in COLUMNS)})"
)
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM {RECORDS}"


def split_url(url: str) -> tuple[str, str | None]:
    """(libpq conninfo URL, stream name) from a store URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise AuditURLError(f"not a PostgreSQL URL: {url!r}")
    params = parse_qsl(parts.query, keep_blank_values=True)
    stream = next((v for k, v in params if k == "stream"), None)
    rest = [(k, v) for k, v in params if k not in _OWN_PARAMS]
    return urlunsplit(parts._replace(query=urlencode(rest))), stream


class PostgresSink(Sink):
    def __init__(self, url: str, *, read_only: bool = False) -> None:
        import psycopg

        self._psycopg = psycopg
        self.conninfo, stream = split_url(url)
        self.url = url
        self.read_only = read_only
        self.stream = stream or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lock = threading.Lock()
        try:
            self._conn: Any = psycopg.connect(self.conninfo, autocommit=True)
            if not read_only:
                with self._conn.transaction():
                    # Concurrent CREATE ... IF NOT EXISTS can still collide in the
                    # catalogue; one advisory lock makes schema creation one at a time.
                    self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                    for statement in _SCHEMA:
                        self._conn.execute(statement)
                    if not _has_tree(self._conn):
                        # The head row also carries the tree head. Only when missing:
                        # ALTER TABLE locks the table against every live writer.
                        self._conn.execute(
                            f"ALTER TABLE {HEADS} ADD COLUMN IF NOT EXISTS tree_size bigint, "
                            "ADD COLUMN IF NOT EXISTS frontier bytea"
                        )
        except psycopg.Error as exc:
            raise AuditError(f"cannot open PostgreSQL audit store: {exc}") from exc

    def append(self, drafts: Sequence[AuditRecord], chain: Chain) -> list[AuditRecord]:
        if self.read_only:
            raise AuditError("audit store opened read-only")
        if not drafts:
            return []
        with self._lock:
            try:
                with self._conn.transaction(), self._conn.cursor() as cur:
                    cur.execute(
                        f"INSERT INTO {HEADS} (stream, count, last_hash) VALUES (%s, 0, %s) "
                        "ON CONFLICT (stream) DO NOTHING",
                        (self.stream, GENESIS),
                    )
                    cur.execute(
                        f"SELECT count, last_hash, tree_size, frontier FROM {HEADS} "
                        "WHERE stream = %s FOR UPDATE",
                        (self.stream,),
                    )
                    count, last, tree_size, frontier = cur.fetchone()
                    tree = self._tree_for(cur, int(count), tree_size, frontier)
                    triples = chain.seal_all_with_leaves(drafts, self.stream, int(count), str(last))
                    sealed = [record for record, _, _ in triples]
                    cur.executemany(
                        _INSERT,
                        [postgres_row(r, m) for r, m, _ in triples],
                    )
                    tree, nodes = tree.extend([leaf for _, _, leaf in triples])
                    self._insert_nodes(cur, nodes)
                    cur.execute(
                        f"UPDATE {HEADS} SET count = %s, last_hash = %s, tree_size = %s, "
                        "frontier = %s, updated_at = now() WHERE stream = %s",
                        (sealed[-1].seq, sealed[-1].hash, tree.size, tree.to_bytes(), self.stream),
                    )
            except self._psycopg.Error as exc:
                raise AuditError(f"cannot append to the PostgreSQL audit store: {exc}") from exc
        return sealed

    def _insert_nodes(self, cur: Any, nodes: list[tuple[int, bytes]]) -> None:
        if nodes:
            cur.execute(
                f"INSERT INTO {NODES} (stream, first_pos, hashes) VALUES (%s, %s, %s)",
                (self.stream, nodes[0][0], b"".join(h for _, h in nodes)),
            )

    def _tree_for(self, cur: Any, count: int, size: Any, frontier: Any) -> Frontier:
        """The stream's tree head, first extended over records it lacks (a stream
        written before the tree existed). Inside the append's transaction."""
        tree = Frontier.empty() if size is None else Frontier.from_bytes(int(size), bytes(frontier))
        if size is None:
            cur.execute(f"DELETE FROM {NODES} WHERE stream = %s", (self.stream,))
        if tree.size > count:
            raise AuditError(f"stream {self.stream}: the Merkle tree holds more than the chain")
        if tree.size < count:
            rows = list(
                self._rows(
                    f"{_SELECT} WHERE stream = %s AND seq > %s ORDER BY seq",
                    (self.stream, tree.size),
                    cur.connection,
                )
            )
            tree, nodes = catch_up(tree, ((int(r[1]), canonical_of_row(r)) for r in rows))
            self._insert_nodes(cur, nodes)
        return tree

    def _rows(self, sql: str, params: Sequence[Any], conn: Any = None) -> Iterator[Any]:
        # A separate connection and a server-side binary cursor: reads of any size
        # stream in batches, bytea arrives unencoded, and the writer connection is free.
        if conn is None:
            with self._psycopg.connect(self.conninfo) as own:
                yield from self._rows(sql, params, own)
            return
        with conn.cursor(name=f"audit_{uuid.uuid4().hex[:12]}", binary=True) as cur:
            cur.itersize = 2000
            cur.execute(sql, params)
            yield from cur

    def records(self, query: Query) -> Iterator[AuditRecord]:
        where, params = _where(query)
        yield from matching(self._rows(f"{_SELECT}{where} ORDER BY stream, seq", params), query)

    def heads(self) -> dict[str, Head]:
        rows = self._rows(f"SELECT stream, count, last_hash FROM {HEADS}", ())
        return heads_of(rows)

    def verify(
        self,
        chain: Chain,
        workers: int | None = None,
        public_key: PublicKey | None = None,
        anchored: Sequence[SignedCheckpoint] = (),
    ) -> VerifyReport:
        psycopg = self._psycopg
        try:
            with psycopg.connect(self.conninfo) as conn:
                # One REPEATABLE READ snapshot for heads and rows (shared with any
                # workers): records committed by live writers meanwhile are not seen.
                conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                with conn.transaction():
                    rows = self._rows(f"SELECT stream, count, last_hash FROM {HEADS}", (), conn)
                    heads = heads_of(rows)
                    found = self._rows(
                        f"SELECT stream, min(seq), max(seq), count(*) FROM {RECORDS} "
                        "GROUP BY stream",
                        (),
                        conn,
                    )
                    spans = {str(s): (int(lo), int(hi), int(n)) for s, lo, hi, n in found}
                    streams = sorted(set(spans) | set(heads))
                    if workers is None:
                        total = sum(n for _, _, n in spans.values())
                        workers = auto_workers(total >= PARALLEL_FROM_ROWS)
                    if _has_tree(conn):
                        signed = self._checkpoints(conn, None) + list(anchored)
                        trees = {s: self._stream_tree(conn, s, signed, public_key) for s in streams}
                    else:  # a store older than the tree, opened read-only
                        trees = {
                            s: (TreeCheck(s, _no_tree(s, anchored), public_key), None)
                            for s in streams
                        }
                    if workers:
                        reports = self._verify_in_workers(
                            streams, spans, heads, chain, conn, workers, trees
                        )
                    else:
                        reports = [
                            verify_stream(s, self._links(s, conn), heads.get(s), chain, *trees[s])
                            for s in streams
                        ]
        except psycopg.Error as exc:
            return VerifyReport(0, False, None, f"cannot read the store: {exc}", None, 0)
        except AuditError as exc:
            return VerifyReport(0, False, None, f"cannot verify the store: {exc}", None, 0)
        return combine(reports)

    def _verify_in_workers(
        self,
        streams: list[str],
        spans: dict[str, tuple[int, int, int]],
        heads: dict[str, Head],
        chain: Chain,
        conn: Any,
        workers: int,
        trees: dict[str, tuple[TreeCheck, Head | None]],
    ) -> list[VerifyReport]:
        # Workers read seq ranges of each stream in this transaction's snapshot; their
        # entries arrive stream after stream, and each stream's verify gets exactly its
        # row count, the rest of a broken stream being skipped.
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        jobs = (
            (links_of_range, (self.conninfo, snapshot, stream, lo, hi))
            for stream in streams
            for lo, hi in _ranges(*spans.get(stream, (1, 0, 0)))
        )
        entries = ordered_entries(jobs, workers)
        reports = []
        for stream in streams:
            part = islice(entries, spans.get(stream, (0, 0, 0))[2])
            reports.append(verify_stream(stream, part, heads.get(stream), chain, *trees[stream]))
            deque(part, maxlen=0)
        return reports

    def _stream_tree(
        self,
        conn: Any,
        stream: str,
        signed: list[SignedCheckpoint],
        public_key: PublicKey | None,
    ) -> tuple[TreeCheck, Head | None]:
        row = conn.execute(
            f"SELECT tree_size, frontier FROM {HEADS} WHERE stream = %s", (stream,)
        ).fetchone()
        frontier = None
        if row is not None and row[0] is not None:
            frontier = Frontier.from_bytes(int(row[0]), bytes(row[1]))
        marker = conn.execute(
            f"SELECT through, last_hash FROM {PRUNED} WHERE stream = %s", (stream,)
        ).fetchone()
        pruned = None if marker is None else Head(int(marker[0]), str(marker[1]))
        nodes = _split_nodes(
            self._rows(
                f"SELECT first_pos, hashes FROM {NODES} WHERE stream = %s ORDER BY first_pos",
                (stream,),
                conn,
            )
        )
        tree = StreamTree(
            frontier,
            nodes,
            _node_getter(conn, stream),
            [cp for cp in signed if cp.stream == stream],
            pruned.count if pruned else 0,
        )
        return TreeCheck(stream, tree, public_key), pruned

    def _checkpoints(self, conn: Any, stream: str | None) -> list[SignedCheckpoint]:
        rows = conn.execute(
            f"SELECT {_CHECKPOINT_COLUMNS} FROM {CHECKPOINTS} ORDER BY size, id"
        ).fetchall()
        found = [_checkpoint_of_row(r) for r in rows]
        return [cp for cp in found if stream is None or cp.stream == stream]

    def tree_head(self, stream: str | None = None) -> Frontier:
        # On the writer's own connection: a checkpoint due every N records should not
        # cost a new connection each time.
        with self._lock:
            if not _has_tree(self._conn):
                return Frontier.empty()
            row = self._conn.execute(
                f"SELECT tree_size, frontier FROM {HEADS} WHERE stream = %s",
                (stream or self.stream,),
            ).fetchone()
        if row is None or row[0] is None:
            return Frontier.empty()
        return Frontier.from_bytes(int(row[0]), bytes(row[1]))

    @contextmanager
    def nodes(self, stream: str | None = None) -> Iterator[NodeGetter]:
        with self._psycopg.connect(self.conninfo) as conn:
            yield _node_getter(conn, stream or self.stream)

    def add_checkpoint(self, cp: SignedCheckpoint) -> None:
        if self.read_only:
            raise AuditError("audit store opened read-only")
        with self._lock:
            try:
                self._conn.execute(
                    f"INSERT INTO {CHECKPOINTS} ({_CHECKPOINT_COLUMNS}) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    (cp.stream, cp.size, cp.root, format_time(cp.time), cp.key_id, cp.alg,
                     cp.signature),
                )  # fmt: skip
            except self._psycopg.Error as exc:
                raise AuditError(f"cannot store a checkpoint: {exc}") from exc

    def checkpoints(self, stream: str | None = None) -> list[SignedCheckpoint]:
        with self._lock:
            if not _has_tree(self._conn):  # a store older than the tree, opened read-only
                return []
            return self._checkpoints(self._conn, stream)

    def pruned(self, stream: str | None = None) -> int:
        with self._psycopg.connect(self.conninfo) as conn:
            if not _has_tree(conn):
                return 0
            row = conn.execute(
                f"SELECT through FROM {PRUNED} WHERE stream = %s", (stream or self.stream,)
            ).fetchone()
        return 0 if row is None else int(row[0])

    def prune(self, stream: str, through: int) -> int:
        if self.read_only:
            raise AuditError("audit store opened read-only")
        with self._lock:
            try:
                with self._conn.transaction(), self._conn.cursor() as cur:
                    cur.execute(
                        f"SELECT hash FROM {RECORDS} WHERE stream = %s AND seq = %s",
                        (stream, through),
                    )
                    row = cur.fetchone()
                    if row is None:
                        raise AuditError(f"record {through} is not in stream {stream!r}")
                    cur.execute(
                        f"DELETE FROM {RECORDS} WHERE stream = %s AND seq <= %s",
                        (stream, through),
                    )
                    deleted = cur.rowcount
                    cur.execute(
                        f"INSERT INTO {PRUNED} (stream, through, last_hash) VALUES (%s, %s, %s) "
                        "ON CONFLICT (stream) DO UPDATE SET through = excluded.through, "
                        "last_hash = excluded.last_hash",
                        (stream, through, str(row[0])),
                    )
            except self._psycopg.Error as exc:
                raise AuditError(f"cannot prune the PostgreSQL audit store: {exc}") from exc
        return int(deleted)

    def _links(self, stream: str, conn: Any) -> Iterator[Entry]:
        sql = f"{_SELECT} WHERE stream = %s ORDER BY seq"
        try:
            yield from _entries_of_rows(self._rows(sql, (stream,), conn))
        except self._psycopg.Error as exc:
            yield Corrupt(f"cannot read rows ({exc})")

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _has_tree(conn: Any) -> bool:
    row = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL AND EXISTS ("
        "SELECT 1 FROM information_schema.columns WHERE table_name = %s "
        "AND column_name = 'tree_size')",
        (NODES, PRUNED, HEADS),
    ).fetchone()
    return bool(row[0])


def _no_tree(stream: str, anchored: Sequence[SignedCheckpoint]) -> StreamTree:
    def missing(level: int, index: int) -> bytes:
        raise KeyError("the store has no tree")

    return StreamTree(None, iter(()), missing, [c for c in anchored if c.stream == stream])


def _split_nodes(rows: Iterable[Any]) -> Iterator[tuple[int, bytes]]:
    for first, hashes in rows:
        data = bytes(hashes)
        for i in range(0, len(data), HASH_SIZE):
            yield int(first) + i // HASH_SIZE, data[i : i + HASH_SIZE]


def _node_getter(conn: Any, stream: str) -> NodeGetter:
    def node(level: int, index: int) -> bytes:
        pos = node_position(level, index)
        # The row of the append that stored it: the last one starting at or before pos.
        row = conn.execute(
            f"SELECT substring(hashes FROM ((%s - first_pos) * {HASH_SIZE} + 1)::int "
            f"FOR {HASH_SIZE}) "
            f"FROM {NODES} WHERE stream = %s AND first_pos <= %s "
            "ORDER BY first_pos DESC LIMIT 1",
            (pos, stream, pos),
        ).fetchone()
        if row is None or len(bytes(row[0])) != HASH_SIZE:
            raise KeyError(f"tree node ({level}, {index}) is missing")
        return bytes(row[0])

    return node


def _checkpoint_of_row(row: Sequence[Any]) -> SignedCheckpoint:
    return SignedCheckpoint(
        str(row[0]), int(row[1]), str(row[2]), parse_time(str(row[3])),
        str(row[4]), str(row[5]), str(row[6]),
    )  # fmt: skip


def _where(query: Query) -> tuple[str, list[Any]]:
    # object_ids is a JSON array in text.
    return query.sql_where("%s", lambda moment: moment, "object_ids::jsonb ? %s")


def _entries_of_rows(rows: Iterable[Any]) -> Iterator[Entry]:
    for row in rows:
        try:
            yield link_of_row(row)
        except (ValueError, TypeError, KeyError) as exc:
            yield Corrupt(f"undecodable row ({exc})")


def _ranges(low: int, high: int, count: int) -> Iterator[tuple[int, int]]:
    """[lo, hi) seq ranges covering low..high, about ROWS_PER_JOB rows each."""
    if count <= 0:
        return
    jobs = max(1, -(-count // ROWS_PER_JOB))
    step = max(1, -(-(high - low + 1) // jobs))
    for lo in range(low, high + 1, step):
        yield lo, min(lo + step, high + 1)


def links_of_range(job: tuple[str, str, str, int, int]) -> list[Entry]:
    """A verification worker's share: one stream's rows with lo <= seq < hi, read in
    the snapshot the caller exported."""
    import psycopg
    from psycopg import sql

    conninfo, snapshot, stream, lo, hi = job
    with psycopg.connect(conninfo) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with conn.transaction():
            conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
            with conn.cursor(binary=True) as cur:
                cur.execute(
                    f"{_SELECT} WHERE stream = %s AND seq >= %s AND seq < %s ORDER BY seq",
                    (stream, lo, hi),
                )
                return list(_entries_of_rows(cur))
