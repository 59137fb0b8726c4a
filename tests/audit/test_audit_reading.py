"""Reading back, correlation ids, logging, batch mode, URLs."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from audit_helpers import T0, exchange

from boomisoap.audit import (
    AuditError,
    AuditLog,
    AuditURLError,
    correlation,
    current_correlation_id,
)


def test_correlation_context():
    assert current_correlation_id() is None
    with correlation() as outer:
        assert current_correlation_id() == outer and len(outer) == 36
        with correlation("fixed") as inner:
            assert inner == "fixed" == current_correlation_id()
        assert current_correlation_id() == outer
    assert current_correlation_id() is None


def test_filters_and_raw_bytes(tmp_path):
    with AuditLog.open(f"sqlite://{tmp_path}/r.db") as log:
        for i in range(6):
            log.record(
                exchange(
                    i,
                    operation="get" if i % 2 else "query",
                    outcome="fault" if i == 5 else "ok",
                    object_ids=(f"id-{i}", "shared"),
                    correlation_id="c-even" if i % 2 == 0 else f"c-{i}",
                )
            )
        assert [r.seq for r in log.records(operation="get")] == [2, 4, 6]
        assert [r.seq for r in log.records(object_id="id-3")] == [4]
        assert len(list(log.records(object_id="shared"))) == 6
        assert [r.seq for r in log.records(outcome="fault")] == [6]
        assert [r.seq for r in log.records(correlation_id="c-even")] == [1, 3, 5]
        window = log.records(since=T0 + timedelta(seconds=2), until=T0 + timedelta(seconds=4))
        assert [r.seq for r in window] == [3, 4]
        assert list(log.records(service="platform")) == []
        record = log.get(1)
        assert record is not None
        assert record.request_body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        assert record.header("content-type") == "text/xml; charset=utf-8"
        assert record.header("set-cookie", response=True) == "***REDACTED***"


def test_records_are_the_same_in_every_sink(store):
    with AuditLog.open(store.url) as log:
        written = [log.record(exchange(i, object_ids=(f"o{i}",))) for i in range(3)]
        read = list(log.records())
        assert read == written
        assert [r.seq for r in log.records(object_id="o1")] == [2]


def test_batch_mode_flushes_on_close_and_by_time(tmp_path):
    url = f"sqlite://{tmp_path}/b.db"
    log = AuditLog.open(url, batch=True, flush_interval=0.05, batch_size=1000)
    assert log.record(exchange(0)) is None
    done = threading.Event()
    for _ in range(100):
        if log.heads().get("main"):
            done.set()
            break
        threading.Event().wait(0.02)
    assert done.is_set(), "the flusher thread never committed"
    for i in range(1, 30):
        log.record(exchange(i))
    log.close()
    with AuditLog.open(url, read_only=True) as again:
        assert again.verify().checked == 30


def test_large_batches_keep_every_record_in_order(store):
    """Batches bigger than one INSERT statement take several, in one transaction."""
    from boomisoap.audit.stores.sqlite import ROWS_PER_INSERT

    count = 2 * ROWS_PER_INSERT + 91  # 256 + 256 + 64 + 16 + 8 + 2 + 1 rows per statement
    with AuditLog.open(store.url, batch=True, batch_size=10_000, flush_interval=60) as log:
        for i in range(count):
            log.record(exchange(i, correlation_id=f"big-{i}"))
        log.flush()
        report = log.verify()
        cids = [r.correlation_id for r in log.records()]
    assert report.ok and report.checked == count, report
    assert cids == [f"big-{i}" for i in range(count)]


def test_threads_share_one_log(tmp_path):
    with AuditLog.open(f"jsonl://{tmp_path}/t.jsonl") as log:
        threads = [
            threading.Thread(
                target=lambda t=t: [log.record(exchange(t * 100 + i)) for i in range(25)]
            )
            for t in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        report = log.verify()
    assert report.ok and report.checked == 100


def test_log_records_metadata_only_unless_asked(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="boomisoap.audit")
    with AuditLog.open("sqlite:///:memory:") as log:
        log.record(exchange(0))
        log.record(exchange(1, outcome="fault", status=500, fault_code="Server"))
    first, second = caplog.records
    assert first.levelno == logging.INFO and second.levelno == logging.WARNING
    assert first.audit["seq"] == 1 and first.audit["correlation_id"] == "cid-0"
    assert "Envelope" not in first.getMessage()
    caplog.clear()
    with AuditLog.open("sqlite:///:memory:", log_bodies=True) as log:
        log.record(exchange(0))
    assert "<wsse:Password" in caplog.records[0].getMessage()
    assert "***REDACTED***" in caplog.records[0].getMessage()


def test_bad_urls_and_closed_log(tmp_path):
    for url in (
        "mysql://x/y",
        "sqlite://host/path",
        "jsonl://rel/x",
        "sqlite:///x.db?a=1",
        f"jsonl://{tmp_path}/x.jsonl?max_bytes=zero",
    ):
        with pytest.raises(AuditURLError):
            AuditLog.open(url)
    with pytest.raises(AuditError):
        AuditLog.open(f"sqlite://{tmp_path}/missing.db", read_only=True)
    log = AuditLog.open("sqlite:///:memory:")
    log.close()
    log.close()
    with pytest.raises(AuditError):
        log.record(exchange(0))


def test_jsonl_refuses_to_write_over_a_truncated_store(tmp_path):
    url = f"jsonl://{tmp_path}/x.jsonl"
    with AuditLog.open(url) as log:
        for i in range(3):
            log.record(exchange(i))
    path = tmp_path / "x.jsonl"
    path.write_bytes(path.read_bytes()[:-10])
    with AuditLog.open(url) as log, pytest.raises(AuditError, match="shorter"):
        log.record(exchange(9))


def test_verify_while_another_writer_appends(store):
    """Heads and records are read from one snapshot: live appends never look like damage."""
    with AuditLog.open(store.url) as writer, AuditLog.open(store.url) as reader:
        writer.record(exchange(0))
        stop = threading.Event()

        def write() -> None:
            i = 1
            while not stop.is_set() and i < 400:
                writer.record(exchange(i))
                i += 1

        thread = threading.Thread(target=write)
        thread.start()
        try:
            reports = [reader.verify() for _ in range(15)]
        finally:
            stop.set()
            thread.join()
    assert all(r.ok for r in reports), [r for r in reports if not r.ok]


def test_two_writers_on_one_sqlite_file_take_turns(tmp_path):
    """Each writer remembers the head it left; the other moves it in between."""
    url = f"sqlite:///{tmp_path / 'turns.db'}"
    first, second = AuditLog.open(url), AuditLog.open(url)
    try:
        for i in range(6):
            writer = first if i % 2 == 0 else second
            record = writer.record(exchange(i, correlation_id=f"turn-{i}"))
            assert record is not None and record.seq == i + 1
        report = first.verify()
        assert report.ok and report.checked == 6, report
        assert [r.correlation_id for r in first.records()] == [f"turn-{i}" for i in range(6)]
    finally:
        first.close()
        second.close()


def test_sqlite_store_refuses_a_record_that_does_not_continue_the_head(tmp_path):
    import sqlite3

    from boomisoap.audit.stores.sqlrows import to_row

    url = f"sqlite:///{tmp_path / 'guard.db'}"
    with AuditLog.open(url) as log:
        sealed = [log.record(exchange(i)) for i in range(2)]
    assert sealed[1] is not None
    # Record 2 again, placed as record 3: its prev_hash is not the head's hash.
    row = list(to_row(sealed[1]))
    row[1] = 3
    marks = ", ".join("?" for _ in row)
    conn = sqlite3.connect(tmp_path / "guard.db")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="head moved"):
            conn.execute(f"INSERT INTO audit_record VALUES ({marks})", row)
    finally:
        conn.close()
    with AuditLog.open(url) as log:
        assert log.verify().ok
