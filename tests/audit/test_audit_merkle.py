"""The Merkle tree, signed checkpoints and proofs of every store, checked against an
independent RFC 9162 implementation (tests/audit/rfc9162.py), and tampering with them."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path

import pytest
import rfc9162
from audit_helpers import T0, exchange
from cryptography.hazmat.primitives.asymmetric import ed25519
from tree_tamper import drop_checkpoints, replace_records, rewrite_tree, strip_tree

from boomisoap.audit import AuditError, AuditLog
from boomisoap.audit.chain import Chain
from boomisoap.audit.encoding import canonical
from boomisoap.audit.proofs import check_consistency, check_proof
from boomisoap.audit.signing import Signer, load_private_key, write_key_pair
from boomisoap.audit.stores import open_sink

N = 13
EVERY = 5  # checkpoints at 5, 10 and (on close) 13


@pytest.fixture
def key(tmp_path: Path) -> Path:
    private, _ = write_key_pair(tmp_path / "signer.pem")
    return private


def leaf(record) -> bytes:
    # The entry is the record's canonical encoding (chain.py); the hashing is RFC 9162's.
    return hashlib.sha256(b"\x00" + canonical(record)).digest()


def fill(url: str, key: Path, n: int = N, **options) -> list:
    with AuditLog.open(url, signing_key=key, checkpoint_every=EVERY, **options) as log:
        return [log.record(exchange(i)) for i in range(n)]


def check(url: str, key: Path, **options):
    with AuditLog.open(url, read_only=True) as log:
        return log.verify(public_key=load_private_key(key).public_key(), **options)


def all_records(url: str) -> list:
    with AuditLog.open(url, read_only=True) as log:
        return list(log.records())


def test_checkpoints_sign_the_rfc9162_root_of_the_records(store, key):
    fill(store.url, key)
    records = all_records(store.url)
    with AuditLog.open(store.url, read_only=True) as log:
        cps = log.checkpoints()
    assert [cp.size for cp in cps] == [5, 10, 13]
    leaves = [leaf(r) for r in records]
    for cp in cps:
        assert cp.root == rfc9162.mth_of_leaf_hashes(leaves[: cp.size]).hex()
        assert cp.stream == records[0].stream
    report = check(store.url, key)
    assert report.ok, report
    assert "3 checkpoint(s) match, 3 signatures good" in report.reason


def test_every_inclusion_and_consistency_proof_checks_out_independently(store, key):
    fill(store.url, key)
    records = all_records(store.url)
    public = load_private_key(key).public_key()
    with AuditLog.open(store.url, read_only=True) as log:
        for r in records:
            proof = json.loads(json.dumps(log.prove(r.seq)))  # as written to a file
            root = bytes.fromhex(proof["checkpoint"]["root"])
            path = [bytes.fromhex(h) for h in proof["inclusion_path"]]
            assert proof["tree_size"] == 13 and proof["leaf_index"] == r.seq - 1
            assert rfc9162.verify_inclusion(r.seq - 1, 13, leaf(r), path, root)
            assert not rfc9162.verify_inclusion(r.seq % 13, 13, leaf(r), path, root)
            assert check_proof(proof, public).ok
        for old, new in ((5, 10), (5, 13), (10, 13)):
            proof = log.prove_consistency(old, new)
            path = [bytes.fromhex(h) for h in proof["consistency_path"]]
            first = bytes.fromhex(proof["old"]["root"])
            second = bytes.fromhex(proof["new"]["root"])
            assert rfc9162.verify_consistency(old, new, first, second, path)
            assert not rfc9162.verify_consistency(old, new, second, first, path)
            assert check_consistency(proof, public).ok


def test_library_proofs_of_many_tree_sizes_match_the_rfc(tmp_path, key):
    """Trees of 1..40 leaves (every shape of frontier), one checkpoint per record."""
    url = f"sqlite://{tmp_path / 'sizes.db'}"
    with AuditLog.open(url, signing_key=key, checkpoint_every=1) as log:
        for i in range(40):
            log.record(exchange(i))
    records = all_records(url)
    leaves = [leaf(r) for r in records]
    sink = open_sink(url, read_only=True)
    try:
        cps = {cp.size: cp for cp in sink.checkpoints()}
        from boomisoap.audit.merkle import consistency_proof, inclusion_proof

        with sink.nodes() as node:
            for size in range(1, 41):
                root = rfc9162.mth_of_leaf_hashes(leaves[:size])
                assert cps[size].root == root.hex()
                for index in range(size):
                    path = inclusion_proof(index, size, node)
                    assert rfc9162.verify_inclusion(index, size, leaves[index], path, root)
                for old in range(1, size):
                    path = consistency_proof(old, size, node)
                    first = rfc9162.mth_of_leaf_hashes(leaves[:old])
                    assert rfc9162.verify_consistency(old, size, first, root, path), (old, size)
    finally:
        sink.close()


def test_a_proof_fails_when_anything_in_it_changes(store, key, tmp_path):
    fill(store.url, key)
    public = load_private_key(key).public_key()
    with AuditLog.open(store.url, read_only=True) as log:
        proof = log.prove(4)
    assert check_proof(proof, public).ok
    edited = json.loads(json.dumps(proof))
    edited["record"]["request_body"] = edited["record"]["request_body"].replace("plan-1", "plan-2")
    result = check_proof(edited, public)
    assert not result.ok and "record 4: not included" in result.reason
    moved = json.loads(json.dumps(proof))
    moved["checkpoint"]["root"] = "00" * 32
    assert "bad signature" in check_proof(moved, public).reason
    other = ed25519.Ed25519PrivateKey.generate().public_key()
    assert "not by the given key" in check_proof(proof, other).reason


# -- tampering with records, tree and checkpoints ------------------------------------


def _resealed(records: list, at: int, **change) -> list:
    """Records with record ``at`` changed and every link from it recomputed (SHA-256):
    what a forger who can write the store but holds no key produces."""
    out = records[: at - 1]
    chain = Chain(None)
    prev = out[-1].hash if out else "0" * 64
    for r in records[at - 1 :]:
        if r.seq == at:
            r = dataclasses.replace(r, **change)
        sealed = chain.seal(r, r.stream, r.seq, prev)
        out.append(sealed)
        prev = sealed.hash
    return out


def _forged_tree(records: list) -> tuple[int, bytes, list[bytes]]:
    from boomisoap.audit.merkle import Frontier

    frontier, nodes = Frontier.empty().extend(leaf(r) for r in records)
    return frontier.size, frontier.to_bytes(), [h for _, h in nodes]


@pytest.mark.parametrize(
    "damage", ["edit", "delete", "insert", "swap"], ids=lambda d: f"{d}-record"
)
def test_record_damage_with_the_tree_on_is_named(store, key, damage):
    fill(store.url, key)
    records = all_records(store.url)
    if damage == "edit":
        store.tamper.edit_body(4)
        expected = 4
    elif damage == "delete":
        store.tamper.delete(7)
        expected = 7
    elif damage == "swap":
        store.tamper.swap(3, 9)
        expected = 3
    else:
        forged = Chain(None).seal(
            dataclasses.replace(records[5], request_body=b"<forged/>"),
            records[5].stream,
            6,
            records[4].hash,
        )
        store.tamper.insert(forged)
        expected = 6
    report = check(store.url, key)
    assert (report.ok, report.first_broken) == (False, expected), report


def test_rewritten_prefix_behind_a_checkpoint_is_named(store, key):
    """Record 3 rewritten and the chain and head recomputed: the chain verifies, the
    stored tree names the record."""
    fill(store.url, key)
    records = all_records(store.url)
    replace_records(store.kind, store.location, _resealed(records, 3, request_body=b"<x/>"))
    with AuditLog.open(store.url, read_only=True) as log:
        chain_only = log.sink.verify(Chain(None), 0)  # what the chain alone still says
    assert not chain_only.ok  # the stored tree is checked even without a public key
    report = check(store.url, key)
    assert (report.ok, report.first_broken) == (False, 3), report
    assert "leaf hash" in report.reason


def test_rewritten_prefix_and_tree_behind_a_checkpoint_is_found(store, key):
    """Record 7 rewritten, chain, head and the whole tree recomputed consistently: only
    the signed checkpoints can tell, and they bound the damage to records 6..10."""
    fill(store.url, key)
    records = all_records(store.url)
    forged = _resealed(records, 7, request_body=b"<x/>")
    replace_records(store.kind, store.location, forged)
    rewrite_tree(store.kind, store.location, forged[0].stream, *_forged_tree(forged))
    report = check(store.url, key)
    assert (report.ok, report.first_broken) == (False, 6), report
    assert "records 6..10 differ from what the checkpoint at size 10 signed" in report.reason


def test_forged_checkpoint_is_named(store, key):
    fill(store.url, key)
    stream = all_records(store.url)[0].stream
    good = Signer(load_private_key(key)).sign(stream, 8, b"\x11" * 32)
    forged = dataclasses.replace(good, root="22" * 32)  # signature no longer matches
    sink = open_sink(store.url)
    try:
        sink.add_checkpoint(forged)
    finally:
        sink.close()
    report = check(store.url, key)
    assert (report.ok, report.first_broken) == (False, 8), report
    assert "checkpoint at size 8: bad signature" in report.reason


def test_checkpoint_signed_by_the_wrong_key_is_named(store, key):
    fill(store.url, key)
    records = all_records(store.url)
    intruder = Signer(ed25519.Ed25519PrivateKey.generate())
    from boomisoap.audit.merkle import Frontier

    root = Frontier.empty().extend(leaf(r) for r in records[:9])[0].root()
    sink = open_sink(store.url)
    try:
        sink.add_checkpoint(intruder.sign(records[0].stream, 9, root))
    finally:
        sink.close()
    report = check(store.url, key)
    assert (report.ok, report.first_broken) == (False, 9), report
    assert "checkpoint at size 9: signed by key" in report.reason
    # Without a public key the roots still match: signatures were what was forged.
    with AuditLog.open(store.url, read_only=True) as log:
        assert log.verify().ok


def test_tail_cut_behind_a_checkpoint_is_found(store, key):
    fill(store.url, key)
    records = all_records(store.url)
    kept = records[:11]
    replace_records(store.kind, store.location, kept)
    rewrite_tree(store.kind, store.location, kept[0].stream, *_forged_tree(kept))
    report = check(store.url, key)
    assert (report.ok, report.first_broken) == (False, 12), report
    assert "a checkpoint signs 13 records" in report.reason


def test_a_whole_store_rewritten_is_caught_by_the_anchor(store, key, tmp_path):
    anchor = tmp_path / "anchor.jsonl"
    fill(store.url, key, anchor=str(anchor))
    assert len(anchor.read_text().splitlines()) == 3
    records = all_records(store.url)
    forged = _resealed(records, 2, request_body=b"<x/>")
    replace_records(store.kind, store.location, forged)
    rewrite_tree(store.kind, store.location, forged[0].stream, *_forged_tree(forged))
    drop_checkpoints(store.kind, store.location)
    assert check(store.url, key).ok  # nothing left in the store to contradict it
    report = check(store.url, key, anchor=str(anchor))
    assert (report.ok, report.first_broken) == (False, 1), report


# -- stores older than the tree, keys ---------------------------------------------------


def test_a_store_without_the_tree_verifies_by_chain_and_gets_it_on_next_append(store, key):
    with AuditLog.open(store.url) as log:
        for i in range(6):
            log.record(exchange(i))
    strip_tree(store.kind, store.location)
    with AuditLog.open(store.url, read_only=True) as log:
        report = log.verify()
    assert report.ok and "no Merkle tree stored" in report.reason, report
    stream = all_records(store.url)[0].stream
    url = store.url if store.kind != "postgres" else f"{store.url}?stream={stream}"
    with AuditLog.open(url, signing_key=key, checkpoint_every=100) as log:
        log.record(exchange(6))
    records = all_records(store.url)
    with AuditLog.open(store.url, read_only=True) as log:
        (cp,) = log.checkpoints()
        proof = log.prove(2)
    assert cp.size == 7
    assert cp.root == rfc9162.mth_of_leaf_hashes([leaf(r) for r in records]).hex()
    assert check_proof(proof, load_private_key(key).public_key()).ok
    report = check(store.url, key)
    assert report.ok and "no Merkle tree" not in report.reason, report


def test_a_signing_key_others_can_read_is_refused(tmp_path, key):
    os.chmod(key, 0o640)
    with pytest.raises(AuditError, match=r"accessible by its group .*chmod 600"):
        load_private_key(key)
    with pytest.raises(AuditError, match="refusing"):
        AuditLog.open(f"sqlite://{tmp_path / 'k.db'}", signing_key=key)
    os.chmod(key, 0o604)
    with pytest.raises(AuditError, match="accessible by others"):
        load_private_key(key)


def test_ecdsa_checkpoints(tmp_path):
    private, public = write_key_pair(tmp_path / "ec.pem", ecdsa=True)
    url = f"sqlite://{tmp_path / 'ec.db'}"
    fill(url, private, n=7)
    with AuditLog.open(url, read_only=True) as log:
        assert {cp.alg for cp in log.checkpoints()} == {"ecdsa-p256-sha256"}
        assert log.verify(public_key=public).ok
        assert check_proof(
            log.prove(3), log.public_key or load_private_key(private).public_key()
        ).ok
    with pytest.raises(AuditError, match="exists already"):
        write_key_pair(private)


def test_checkpoints_by_time(tmp_path, key, monkeypatch):
    from boomisoap.audit import checkpoints

    clock = [1000.0]
    monkeypatch.setattr(checkpoints.time, "monotonic", lambda: clock[0])
    url = f"sqlite://{tmp_path / 't.db'}"
    with AuditLog.open(url, signing_key=key, checkpoint_every=None, checkpoint_seconds=60) as log:
        log.record(exchange(0))
        log.record(exchange(1))
        assert log.checkpoints() == []
        clock[0] += 61
        log.record(exchange(2))
        assert [cp.size for cp in log.checkpoints()] == [3]
        log.record(exchange(3))
    assert [cp.size for cp in AuditLog.open(url, read_only=True).checkpoints()] == [3, 4]


def test_prove_needs_a_covering_checkpoint(tmp_path):
    url = f"sqlite://{tmp_path / 'n.db'}"
    with AuditLog.open(url) as log:
        log.record(exchange(0, started_at=T0))
        with pytest.raises(AuditError, match="no signed checkpoint"):
            log.prove(1)
        with pytest.raises(AuditError, match="no signing key"):
            log.checkpoint()


def test_jsonl_tree_tail_lost_in_a_power_cut_is_rebuilt_by_the_next_writer(tmp_path, key):
    """Appends fsync the lines and the head file but not the tree file: a power cut may
    take the tree's tail, which the next writer rebuilds from the records."""
    url = f"jsonl://{tmp_path / 'p.jsonl'}"
    fill(url, key, n=9)
    tree = tmp_path / "p.jsonl.tree"
    whole = tree.read_bytes()
    tree.write_bytes(whole[: 32 * 7])  # the nodes of 4 records and a half
    assert not check(url, key).ok  # a reader sees the missing nodes
    with AuditLog.open(url) as log:
        log.record(exchange(9))
    assert tree.read_bytes()[: len(whole)] == whole
    report = check(url, key)
    assert report.ok and report.checked == 10, report


def test_checkpoints_go_to_syslog_and_a_file(tmp_path, key, monkeypatch):
    import syslog

    sent: list[tuple[int, str]] = []
    monkeypatch.setattr(
        syslog, "syslog", lambda priority, message: sent.append((priority, message))
    )
    anchor = tmp_path / "anchor.jsonl"
    url = f"sqlite://{tmp_path / 's.db'}"
    fill(url, key, n=6, anchor=["syslog", str(anchor)])
    assert [p for p, _ in sent] == [syslog.LOG_INFO, syslog.LOG_INFO]
    lines = [m.removeprefix("boomisoap-audit-checkpoint ") for _, m in sent]
    assert lines == anchor.read_text().splitlines()
    assert [json.loads(line)["size"] for line in lines] == [5, 6]
