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
from itertools import islice
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..chain import Chain
from ..errors import AuditError, AuditURLError
from ..parallel import PARALLEL_FROM_ROWS, auto_workers, ordered_entries
from ..query import Query
from ..record import GENESIS, AuditRecord
from ..verify import Corrupt, Entry, Head, Link, VerifyReport, combine, verify_stream
from .base import Sink
from .rows import COLUMNS, canonical_of_row, from_row, row_from_meta

RECORDS = "boomisoap_audit_record"
HEADS = "boomisoap_audit_head"
_OWN_PARAMS = ("stream",)
# Any constant works; it only has to be the same for every process creating the schema.
_SCHEMA_LOCK = 0x626F6F6D69
# Rows a verification worker reads per job.
ROWS_PER_JOB = 10_000

_SCHEMA = [
    f"""CREATE TABLE IF NOT EXISTS {RECORDS} (
        stream text NOT NULL,
        seq bigint NOT NULL,
        writer text NOT NULL,
        alg text NOT NULL,
        service text NOT NULL,
        operation text NOT NULL,
        wire text NOT NULL,
        method text NOT NULL,
        url text NOT NULL,
        request_headers text NOT NULL,
        request_body bytea NOT NULL,
        started_at timestamptz NOT NULL,
        duration double precision NOT NULL,
        outcome text NOT NULL,
        correlation_id text NOT NULL,
        status integer,
        response_headers text NOT NULL,
        response_body bytea,
        object_type text,
        object_ids text NOT NULL,
        account_id text,
        fault_code text,
        status_code integer,
        error_class text,
        attempt integer NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
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
                        f"SELECT count, last_hash FROM {HEADS} WHERE stream = %s FOR UPDATE",
                        (self.stream,),
                    )
                    count, last = cur.fetchone()
                    pairs = chain.seal_all_with_meta(drafts, self.stream, int(count), str(last))
                    sealed = [record for record, _ in pairs]
                    cur.executemany(
                        _INSERT, [row_from_meta(r, m, time_as_text=False) for r, m in pairs]
                    )
                    cur.execute(
                        f"UPDATE {HEADS} SET count = %s, last_hash = %s, updated_at = now() "
                        "WHERE stream = %s",
                        (sealed[-1].seq, sealed[-1].hash, self.stream),
                    )
            except self._psycopg.Error as exc:
                raise AuditError(f"cannot append to the PostgreSQL audit store: {exc}") from exc
        return sealed

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
        for row in self._rows(f"{_SELECT}{where} ORDER BY stream, seq", params):
            record = from_row(row)
            if query.matches(record):
                yield record

    def heads(self) -> dict[str, Head]:
        rows = self._rows(f"SELECT stream, count, last_hash FROM {HEADS}", ())
        return {str(s): Head(int(n), str(h)) for s, n, h in rows}

    def verify(self, chain: Chain, workers: int | None = None) -> VerifyReport:
        psycopg = self._psycopg
        try:
            with psycopg.connect(self.conninfo) as conn:
                # One REPEATABLE READ snapshot for heads and rows (shared with any
                # workers): records committed by live writers meanwhile are not seen.
                conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                with conn.transaction():
                    rows = self._rows(f"SELECT stream, count, last_hash FROM {HEADS}", (), conn)
                    heads = {str(s): Head(int(n), str(h)) for s, n, h in rows}
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
                    if workers:
                        reports = self._verify_in_workers(
                            streams, spans, heads, chain, conn, workers
                        )
                    else:
                        reports = [
                            verify_stream(s, self._links(s, conn), heads.get(s), chain)
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
    ) -> list[VerifyReport]:
        # Workers read seq ranges of each stream in this transaction's snapshot; their
        # entries arrive stream after stream, and each stream's verify gets exactly its
        # row count, the rest of a broken stream being skipped.
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        jobs = (
            ("postgresql", (self.conninfo, snapshot, stream, lo, hi))
            for stream in streams
            for lo, hi in _ranges(*spans.get(stream, (1, 0, 0)))
        )
        entries = ordered_entries(jobs, workers)
        reports = []
        for stream in streams:
            part = islice(entries, spans.get(stream, (0, 0, 0))[2])
            reports.append(verify_stream(stream, part, heads.get(stream), chain))
            deque(part, maxlen=0)
        return reports

    def _links(self, stream: str, conn: Any) -> Iterator[Entry]:
        sql = f"{_SELECT} WHERE stream = %s ORDER BY seq"
        try:
            yield from _entries_of_rows(self._rows(sql, (stream,), conn))
        except self._psycopg.Error as exc:
            yield Corrupt(f"cannot read rows ({exc})")

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _where(query: Query) -> tuple[str, list[Any]]:
    # object_ids is a JSON array in text.
    return query.sql_where("%s", lambda moment: moment, "object_ids::jsonb ? %s")


def _entries_of_rows(rows: Iterable[Any]) -> Iterator[Entry]:
    for row in rows:
        try:
            yield Link(int(row[1]), row[0], row[3], row[25], row[26], canonical_of_row(row))
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
