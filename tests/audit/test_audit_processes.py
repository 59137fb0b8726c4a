"""Crashes and concurrent writers: SIGKILL mid-burst, several processes on one store."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from audit_helpers import JsonlTamper, exchange

from boomisoap.audit import AuditLog

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHILD = str(HERE / "audit_child.py")


def spawn(url: str, mode: str, tag: str, count: int) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(HERE), env.get("PYTHONPATH", "")])
    return subprocess.Popen(
        [sys.executable, CHILD, url, mode, tag, str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def kill_mid_burst(url: str, mode: str, after: int) -> list[tuple[int, str]]:
    """Start a writer, SIGKILL it once it reported ``after`` records; all it reported."""
    child = spawn(url, mode, "k", 0)
    assert child.stdout is not None
    reported: list[tuple[int, str]] = []
    for line in child.stdout:
        seq, cid = line.split()
        reported.append((int(seq), cid))
        if len(reported) >= after:
            os.kill(child.pid, signal.SIGKILL)
            break
    # Lines already in the pipe were reported before the kill as well.
    for line in child.stdout:
        seq, cid = line.split()
        reported.append((int(seq), cid))
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, child.stderr.read() if child.stderr else ""
    return reported


@pytest.fixture(params=["sqlite", "jsonl"])
def file_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'crash.db'}"
    return f"jsonl://{tmp_path / 'crash.jsonl'}?max_bytes=60000"


def test_sigkill_sync_keeps_every_returned_record(file_url):
    reported = kill_mid_burst(file_url, "sync", after=120)
    with AuditLog.open(file_url) as log:
        report = log.verify()
        assert report.ok, report
        stored = {r.seq: r.correlation_id for r in log.records()}
    for seq, cid in reported:
        assert stored.get(seq) == cid
    # A new writer continues the chain where the dead one stopped.
    with AuditLog.open(file_url) as log:
        log.record(exchange(999))
        assert log.verify().ok


def test_sigkill_batch_leaves_whole_batches_only(file_url):
    kill_mid_burst(file_url, "batch", after=400)
    with AuditLog.open(file_url, read_only=True) as log:
        report = log.verify()
        assert report.ok, report
        records = list(log.records())
        heads = log.heads()
    assert 0 < len(records) == heads["main"].count == report.checked
    # What is there is a prefix of what was written, in order, nothing half-written.
    assert [r.correlation_id for r in records] == [f"k-{i}" for i in range(len(records))]
    assert all(r.request_body.endswith(b"</soapenv:Envelope>\n") for r in records)


def test_jsonl_torn_append_is_ignored_then_cut(tmp_path):
    """A writer killed inside write(2) leaves part of a line after the checkpoint."""
    url = f"jsonl://{tmp_path / 'torn.jsonl'}"
    with AuditLog.open(url) as log:
        for i in range(3):
            log.record(exchange(i))
    path = tmp_path / "torn.jsonl"
    with open(path, "ab") as f:
        f.write(b'{"format":1,"stream":"main","seq":4,"writer":"x","al')
    with AuditLog.open(url, read_only=True) as log:
        report = log.verify()
        assert report.ok and report.checked == 3
        assert "never committed" in report.reason
    with AuditLog.open(url) as log:
        log.record(exchange(3))
        assert log.verify().ok
    assert JsonlTamper(str(path))._lines()[-1].endswith(b"}\n")


def run_writers(url: str, processes: int, count: int) -> None:
    children = [spawn(url, "sync", f"p{p}", count) for p in range(processes)]
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        assert len(out.splitlines()) == count


def assert_all_once(url: str, processes: int, count: int, streams: int) -> None:
    with AuditLog.open(url, read_only=True) as log:
        report = log.verify()
        assert report.ok, report
        assert report.streams == streams
        cids = [r.correlation_id for r in log.records()]
    assert report.checked == processes * count
    assert sorted(cids) == sorted(f"p{p}-{i}" for p in range(processes) for i in range(count))


def test_four_processes_one_sqlite_chain(tmp_path):
    url = f"sqlite://{tmp_path / 'shared.db'}"
    run_writers(url, 4, 200)
    assert_all_once(url, 4, 200, streams=1)


def test_four_processes_one_jsonl_chain(tmp_path):
    url = f"jsonl://{tmp_path / 'shared.jsonl'}?max_bytes=200000"
    run_writers(url, 4, 100)
    assert_all_once(url, 4, 100, streams=1)
    assert len(list(tmp_path.glob("shared.jsonl.*[0-9]"))) >= 2  # rotated and still one chain


@pytest.mark.postgres
def test_four_processes_postgres_one_stream_each(pg_url):
    run_writers(pg_url, 4, 200)
    assert_all_once(pg_url, 4, 200, streams=4)


@pytest.mark.postgres
def test_four_processes_postgres_shared_stream(pg_url):
    url = pg_url + "?stream=shared"
    run_writers(url, 4, 100)
    assert_all_once(url, 4, 100, streams=1)


def _open_after(barrier: Any, url: str, failures: Any) -> None:
    barrier.wait()
    try:
        AuditLog.open(url).close()
    except Exception as exc:  # reported to the parent, which names it
        failures.put(repr(exc))


def test_processes_opening_a_new_sqlite_store_together(tmp_path):
    """Switching a fresh file to WAL is contended: every opener must still succeed."""
    ctx = multiprocessing.get_context("fork")
    failures = ctx.Queue()
    for round_ in range(15):
        url = f"sqlite://{tmp_path / f'fresh{round_}.db'}"
        barrier = ctx.Barrier(6)
        openers = [ctx.Process(target=_open_after, args=(barrier, url, failures)) for _ in range(6)]
        for opener in openers:
            opener.start()
        for opener in openers:
            opener.join(timeout=60)
            assert opener.exitcode == 0
        assert failures.empty(), failures.get()
        with AuditLog.open(url, read_only=True) as log:
            assert log.verify().ok
