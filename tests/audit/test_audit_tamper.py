"""Tamper evidence: every kind of damage to every store is found and located."""

from __future__ import annotations

import dataclasses

import pytest
from audit_helpers import exchange

from boomisoap.audit import AuditLog
from boomisoap.audit.chain import Chain

N = 10
KEYS = pytest.mark.parametrize("key", [None, b"an hmac key"], ids=["sha256", "hmac"])


@pytest.fixture(params=[0, 2], ids=["inline", "workers"])
def workers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Verify in this process, or in two worker processes given small jobs, so that
    even these small stores are split over several jobs and both workers."""
    from boomisoap.audit.stores import jsonl, postgres

    monkeypatch.setattr(jsonl, "LINES_PER_JOB", 3)
    monkeypatch.setattr(postgres, "ROWS_PER_JOB", 3)
    return int(request.param)


def fill(url: str, key: bytes | None, n: int = N) -> list[object]:
    with AuditLog.open(url, hmac_key=key) as log:
        return [log.record(exchange(i)) for i in range(n)]


def check(url: str, key: bytes | None, workers: int = 0) -> object:
    with AuditLog.open(url, hmac_key=key, read_only=True) as log:
        return log.verify(workers=workers)


@KEYS
def test_clean_store_verifies(store, key, workers):
    fill(store.url, key)
    report = check(store.url, key, workers)
    assert report.ok, report
    assert report.checked == N
    assert report.first_broken is None


@KEYS
def test_edited_body_byte(store, key, workers):
    fill(store.url, key)
    store.tamper.edit_body(4)
    report = check(store.url, key, workers)
    assert not report.ok
    assert report.first_broken == 4
    assert report.checked == 3
    assert "altered" in report.reason


@KEYS
def test_deleted_record(store, key, workers):
    fill(store.url, key)
    store.tamper.delete(6)
    report = check(store.url, key, workers)
    assert (report.ok, report.first_broken) == (False, 6), report


@KEYS
def test_swapped_records(store, key, workers):
    fill(store.url, key)
    store.tamper.swap(3, 7)
    report = check(store.url, key, workers)
    assert (report.ok, report.first_broken) == (False, 3), report


@KEYS
def test_truncated_tail(store, key, workers):
    fill(store.url, key)
    store.tamper.truncate(keep=7)
    report = check(store.url, key, workers)
    assert (report.ok, report.first_broken) == (False, 8), report
    assert "truncated" in report.reason


@KEYS
def test_inserted_record(store, key, workers):
    """A forger recomputes a plain SHA-256 link for the record they slip in: without
    a key that record's link looks sound, but its leaf is not the one the Merkle tree
    stored at its place, so the forged record is named either way (with HMAC already
    by its link)."""
    fill(store.url, key)
    with AuditLog.open(store.url, hmac_key=key, read_only=True) as log:
        records = list(log.records())
    victim = records[4]
    forged = Chain(None).seal(
        dataclasses.replace(victim, request_body=b"<forged/>"),
        victim.stream,
        5,
        records[3].hash,
    )
    store.tamper.insert(forged)
    report = check(store.url, key, workers)
    assert not report.ok
    assert report.first_broken == 5, report
    assert ("tree" in report.reason) != bool(key), report


def test_wrong_or_missing_key_is_reported(store):
    fill(store.url, b"right key", n=3)
    wrong = check(store.url, b"wrong key")
    assert (wrong.ok, wrong.first_broken) == (False, 1)
    missing = check(store.url, None)
    assert not missing.ok and "key is needed" in missing.reason


def test_appends_continue_the_chain_after_reopen(store):
    fill(store.url, None, n=3)
    fill(store.url, None, n=4)
    report = check(store.url, None)
    assert report.ok and report.checked == 7


def test_a_failing_verification_worker_is_reported_not_taken_for_damage(tmp_path, monkeypatch):
    from boomisoap.audit import parallel

    url = f"jsonl://{tmp_path / 'w.jsonl'}"
    fill(url, None)
    monkeypatch.setattr(parallel, "_WORKER_MAIN", "import sys; sys.exit(3)")
    report = check(url, None, workers=2)
    assert not report.ok and report.first_broken is None
    assert "cannot verify the store" in report.reason and "worker failed" in report.reason
    monkeypatch.undo()
    assert check(url, None, workers=2).ok
