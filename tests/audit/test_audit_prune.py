"""Retention: a pruned store, and proofs exported before pruning, still verify."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
import rfc9162
from audit_helpers import T0, exchange
from click.testing import CliRunner

from boomisoap.audit import AuditError, AuditLog
from boomisoap.audit.encoding import canonical
from boomisoap.audit.proofs import check_consistency, check_proof
from boomisoap.audit.signing import load_private_key, write_key_pair
from boomisoap.cli.audit import audit


@pytest.fixture
def key(tmp_path: Path) -> Path:
    return write_key_pair(tmp_path / "signer.pem")[0]


def fill(url: str, key: Path, start: int, n: int) -> None:
    with AuditLog.open(url, signing_key=key, checkpoint_every=5) as log:
        for i in range(start, start + n):
            log.record(exchange(i))  # started at T0 + i seconds


def _inclusion_holds(proof: dict) -> bool:
    """The RFC's algorithm, from the proof file alone."""
    from boomisoap.audit.record import record_from_dict

    record = record_from_dict(proof["record"])
    leaf = hashlib.sha256(b"\x00" + canonical(record)).digest()
    return rfc9162.verify_inclusion(
        proof["leaf_index"],
        proof["tree_size"],
        leaf,
        [bytes.fromhex(h) for h in proof["inclusion_path"]],
        bytes.fromhex(proof["checkpoint"]["root"]),
    )


def _prune_and_check(url: str, key: Path) -> None:
    public = load_private_key(key).public_key()
    fill(url, key, 0, 20)
    with AuditLog.open(url, read_only=True) as log:
        before = {seq: log.prove(seq) for seq in (2, 8, 15)}
    with AuditLog.open(url) as log:
        assert log.prune(T0 + timedelta(seconds=8)) == 8
        assert log.prune(T0 + timedelta(seconds=8)) == 0  # nothing more to prune
    with AuditLog.open(url, read_only=True) as log:
        report = log.verify(public_key=public)
        assert report.ok and report.checked == 12, report
        assert "records 1..8 pruned" in report.reason
        assert [r.seq for r in log.records()][:2] == [9, 10]
        for proof in before.values():
            assert check_proof(proof, public).ok
            assert _inclusion_holds(proof)
        fresh = log.prove(15)
        assert check_proof(fresh, public).ok and _inclusion_holds(fresh)
        with pytest.raises(AuditError, match="no record 3"):
            log.prove(3)
        assert check_consistency(log.prove_consistency(5, 20), public).ok
    fill(url, key, 20, 4)
    with AuditLog.open(url, read_only=True) as log:
        report = log.verify(public_key=public)
        assert report.ok and report.checked == 16, report
        assert check_proof(log.prove(22), public).ok


def test_pruned_store_and_earlier_proofs_still_verify(store, key):
    # One writer stream across both writing sessions (PostgreSQL names one per log).
    _prune_and_check(store.url + ("?stream=s1" if store.kind == "postgres" else ""), key)
    # Damage after pruning is still found and named (JSONL lines shifted by the prune).
    store.tamper.edit_body(12 - 8 if store.kind == "jsonl" else 12)
    with AuditLog.open(store.url, read_only=True) as log:
        report = log.verify(public_key=load_private_key(key).public_key())
    assert (report.ok, report.first_broken) == (False, 12), report


def test_pruning_rotated_jsonl_files(tmp_path, key):
    url = f"jsonl://{tmp_path / 'rot.jsonl'}?max_bytes=6000"
    _prune_and_check(url, key)
    names = sorted(p.name for p in tmp_path.glob("rot.jsonl*"))
    assert "rot.jsonl.1" not in names  # the oldest file held only pruned records


def test_pruning_stops_at_the_latest_checkpoint(tmp_path, key):
    url = f"sqlite://{tmp_path / 'p.db'}"
    with AuditLog.open(url, signing_key=key, checkpoint_every=5) as log:
        for i in range(8):
            log.record(exchange(i))
        # Checkpoint at 5 only (close is later): records 6..8 are not yet provable.
        assert log.prune(T0 + timedelta(days=1)) == 5
    with AuditLog.open(url, read_only=True) as log:
        assert log.verify(public_key=load_private_key(key).public_key()).ok


def test_pruning_without_a_checkpoint_is_refused(tmp_path):
    url = f"sqlite://{tmp_path / 'n.db'}"
    with AuditLog.open(url) as log:
        log.record(exchange(0))
        with pytest.raises(AuditError, match="no signed checkpoint"):
            log.prune(T0 + timedelta(days=1))


def test_prune_command(tmp_path, key):
    url = f"sqlite://{tmp_path / 'c.db'}"
    with AuditLog.open(url) as log:  # no checkpoints while writing
        for i in range(6):
            log.record(exchange(i))
    runner = CliRunner()
    result = runner.invoke(audit, ["prune", url, "--before", "2026-03-01T12:00:04"])
    assert result.exit_code == 1 and "no signed checkpoint" in result.output
    result = runner.invoke(
        audit, ["prune", url, "--before", "2026-03-01T12:00:04", "--signing-key", str(key)]
    )
    assert result.exit_code == 0 and "pruned 4 record(s)" in result.output
    result = runner.invoke(audit, ["verify", url, "--public-key", f"{key}.pub"])
    assert result.exit_code == 0 and "records 1..4 pruned" in result.output, result.output
