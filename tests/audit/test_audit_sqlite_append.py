"""The SQLite store's append: one statement after a known head, the same chain and tree
as record-by-record statements, and another writer's records still noticed."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from audit_helpers import exchange

from boomisoap.audit import AuditLog
from boomisoap.audit.capture import draft
from boomisoap.audit.chain import Chain
from boomisoap.audit.merkle import Frontier, nodes_for
from boomisoap.audit.stores import open_sink
from boomisoap.audit.stores.sqlite import SqliteSink
from boomisoap.redact.structural import Redactor


def _drafts(count: int) -> list:
    redactor = Redactor()
    return [draft(exchange(i), redactor) for i in range(count)]


def _statements(sink: SqliteSink) -> list[str]:
    seen: list[str] = []
    sink._conn.set_trace_callback(seen.append)  # type: ignore[attr-defined]
    return seen


def _nodes(path: Path) -> list[tuple[int, bytes]]:
    with sqlite3.connect(path) as conn:
        return [(int(p), bytes(h)) for p, h in conn.execute("SELECT pos, hash FROM audit_node")]


def _tree(path: Path) -> Frontier:
    with sqlite3.connect(path) as conn:
        size, frontier = conn.execute("SELECT tree_size, frontier FROM audit_head").fetchone()
    return Frontier.from_bytes(int(size), bytes(frontier))


def test_an_append_after_the_known_head_is_one_statement(tmp_path: Path) -> None:
    sink = open_sink(f"sqlite://{tmp_path}/a.db")
    assert isinstance(sink, SqliteSink)
    chain, drafts = Chain(), _drafts(3)
    sink.append([drafts[0]], chain)  # the first append reads the head
    seen = _statements(sink)
    sink.append([drafts[1]], chain)
    sink.append(drafts[1:3], chain)
    # No transaction of its own: the INSERT into the view (and its trigger's statements).
    assert seen and all(s.lstrip("- ").split()[0] != "BEGIN" for s in seen)
    assert "COMMIT" not in seen
    sink.close()


def test_records_nodes_and_tree_head_match_the_tree_built_leaf_by_leaf(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    sink = open_sink(f"sqlite://{path}")
    chain, drafts = Chain(), _drafts(40)
    sealed = []
    for batch in ([drafts[0]], drafts[1:4], [drafts[4]], drafts[5:21], drafts[21:40]):
        sealed += sink.append(batch, chain)
    sink.close()
    assert [r.seq for r in sealed] == list(range(1, 41))
    # The tree recomputed from the records' own leaves, one at a time.
    leaves = [leaf for _, _, leaf in Chain().seal_all_with_leaves(drafts, "main", 0, "")]
    tree, expected = Frontier.empty(), []
    for leaf in leaves:
        tree, nodes = tree.extend([leaf])
        expected += nodes
    assert sorted(_nodes(path)) == expected and len(expected) == nodes_for(40)
    assert _tree(path) == tree
    with AuditLog.open(f"sqlite:///{path}", read_only=True) as log:
        report = log.verify()
    assert report.ok and report.checked == 40


def test_another_writer_moving_the_head_is_noticed(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/a.db"
    first, second = open_sink(url), open_sink(url)
    chain, drafts = Chain(), _drafts(8)
    for i in range(0, 8, 2):
        # Each sink's known head is stale by one record: its single statement is refused
        # by the head trigger, and the append is redone after reading the head.
        assert first.append([drafts[i]], chain)[0].seq == i + 1
        assert second.append([drafts[i + 1]], chain)[0].seq == i + 2
    refused = _statements(first)
    first.append(drafts[:2], chain)
    assert refused[0].startswith("INSERT INTO audit_append")  # tried on the stale head
    assert "BEGIN IMMEDIATE" in refused  # then under the write lock
    first.close()
    second.close()
    with AuditLog.open(f"sqlite:///{tmp_path}/a.db", read_only=True) as log:
        report = log.verify()
    assert report.ok and report.checked == 10
    assert _tree(tmp_path / "a.db").size == 10


def test_the_flusher_of_a_batched_log_takes_one_statement_at_a_time(tmp_path: Path) -> None:
    """Each statement lets go of the GIL, and taking it back behind a busy caller waits a
    switch interval: the background flush hands the store what one INSERT takes."""
    url = f"sqlite://{tmp_path}/b.db"
    log = AuditLog.open(url, batch=True, batch_size=100, flush_interval=60)
    sizes: list[int] = []
    append = log.sink.append

    def counted(drafts, chain):  # type: ignore[no-untyped-def]
        sizes.append(len(drafts))
        return append(drafts, chain)

    log.sink.append = counted  # type: ignore[method-assign]
    for i in range(150):  # the thread wakes at 100 waiting, takes 64 or 128 of them
        log.record(exchange(i, correlation_id=f"b-{i}"))
    for _ in range(500):
        if sizes:
            break
        threading.Event().wait(0.01)
    assert sizes and sizes[0] in (64, 128), sizes
    assert log._batcher is not None and log._batcher.pending == 150 - sizes[0]
    log.close()  # the rest at once
    assert sum(sizes) == 150 and len(sizes) == 2, sizes
    with AuditLog.open(url, read_only=True) as again:
        assert again.verify().ok
        assert [r.correlation_id for r in again.records()] == [f"b-{i}" for i in range(150)]


def test_new_stores_get_8_kib_pages_and_old_ones_keep_theirs(tmp_path: Path) -> None:
    new, old = tmp_path / "new.db", tmp_path / "old.db"
    with sqlite3.connect(old) as conn:  # a store made with SQLite's default pages
        conn.execute("PRAGMA page_size=4096")
        conn.execute("CREATE TABLE made_before (x)")
    for path in (new, old):
        with AuditLog.open(f"sqlite:///{path}") as log:
            for i in range(3):
                log.record(exchange(i))
            assert log.verify().checked == 3
    sizes = {}
    for path in (new, old):
        with sqlite3.connect(path) as conn:
            sizes[path.name] = conn.execute("PRAGMA page_size").fetchone()[0]
    assert sizes == {"new.db": 8192, "old.db": 4096}
