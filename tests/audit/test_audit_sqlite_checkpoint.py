"""The SQLite store's WAL is checkpointed on a thread of its own, never in an append."""

from __future__ import annotations

import gc
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from audit_helpers import exchange

from boomisoap.audit import AuditLog
from boomisoap.audit.stores import walcheckpoint as checkpoint


def _checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "boomisoap-audit-checkpoint"]


def _wait_until(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def small_checkpoints(monkeypatch):
    monkeypatch.setattr(checkpoint, "CHECKPOINT_BYTES", 64 * 1024)


def test_appends_never_checkpoint_and_the_thread_does(tmp_path: Path, small_checkpoints):
    path = tmp_path / "c.db"
    with AuditLog.open(f"sqlite:///{path}") as log:
        writer = log.sink._conn  # type: ignore[attr-defined]
        assert writer.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        log.record(exchange(0))
        # Only a checkpoint writes table pages into the database file itself.
        empty = path.stat().st_size
        for i in range(1, 40):
            log.record(exchange(i))
        assert _wait_until(lambda: path.stat().st_size > empty)
        assert len(_checkpoint_threads()) >= 1
        report = log.verify()
        assert report.ok and report.checked == 40, report
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM audit_record").fetchone()[0] == 40


def _wal_after_bursts(path: Path) -> int:
    with AuditLog.open(f"sqlite:///{path}") as log:
        for burst in range(12):
            for i in range(25):
                log.record(exchange(burst * 25 + i))
            time.sleep(0.05)
        assert log.verify().checked == 300
        return Path(f"{path}-wal").stat().st_size


def test_wal_starts_over_between_bursts(tmp_path: Path, monkeypatch):
    """Calls leave gaps (the network wait); the checkpointer uses them to restart the
    WAL, so it stays near the checkpoint size instead of growing with the store."""
    monkeypatch.setattr(checkpoint, "CHECKPOINT_BYTES", 1 << 40)
    unbounded = _wal_after_bursts(tmp_path / "never.db")
    monkeypatch.setattr(checkpoint, "CHECKPOINT_BYTES", 64 * 1024)
    bounded = _wal_after_bursts(tmp_path / "often.db")
    assert bounded < unbounded / 4, (bounded, unbounded)


def test_batched_appends_are_checkpointed_too(tmp_path: Path, small_checkpoints):
    path = tmp_path / "b.db"
    with AuditLog.open(f"sqlite:///{path}", batch=True, batch_size=50) as log:
        for i in range(200):
            log.record(exchange(i))
        log.flush()
        assert _wait_until(lambda: path.stat().st_size > 64 * 1024)
        assert log.verify().checked == 200


def test_close_stops_the_thread_and_so_does_dropping_the_store(tmp_path, small_checkpoints):
    before = set(_checkpoint_threads())
    log = AuditLog.open(f"sqlite:///{tmp_path / 'a.db'}")
    for i in range(40):
        log.record(exchange(i))
    started = set(_checkpoint_threads()) - before
    assert len(started) == 1
    log.close()
    assert not any(t.is_alive() for t in started)

    dropped = AuditLog.open(f"sqlite:///{tmp_path / 'b.db'}")
    for i in range(40):
        dropped.record(exchange(i))
    started = set(_checkpoint_threads()) - before
    assert len(started) == 1
    del dropped
    gc.collect()
    assert _wait_until(lambda: not any(t.is_alive() for t in started))


def test_small_stores_start_no_thread(tmp_path):
    before = set(_checkpoint_threads())
    with AuditLog.open(f"sqlite:///{tmp_path / 's.db'}") as log:
        for i in range(5):
            log.record(exchange(i))
        assert set(_checkpoint_threads()) == before
