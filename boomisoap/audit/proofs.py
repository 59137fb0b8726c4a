"""Self-contained proofs: one record's inclusion under a signed checkpoint, and the
consistency of two checkpoints of a stream (the log only grew between them).

An inclusion proof is a JSON document holding the record as stored (redacted bytes:
UTF-8 text, or base64 when not UTF-8), its leaf index, the RFC 9162 audit path and
the signed checkpoint. :func:`check_proof` needs nothing else but the public key: it
recomputes the record's canonical encoding and leaf hash, walks the path to a root
and compares it with the one the checkpoint signs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .encoding import canonical, leaf_of
from .errors import AuditError
from .filters import Query
from .merkle import consistency_proof, inclusion_proof, verify_consistency, verify_inclusion
from .record import record_from_dict, record_to_dict
from .signing import PublicKey, SignedCheckpoint
from .stores import Sink

PROOF_FORMAT = "boomisoap-audit-inclusion/1"
CONSISTENCY_FORMAT = "boomisoap-audit-consistency/1"


@dataclass(frozen=True, slots=True)
class ProofCheck:
    """Outcome of checking a proof: ``ok``, and what was wrong or what was shown."""

    ok: bool
    reason: str


def _latest(sink: Sink, stream: str, at_least: int) -> SignedCheckpoint:
    covering = [cp for cp in sink.checkpoints(stream) if cp.size >= at_least]
    if not covering:
        raise AuditError(f"no signed checkpoint of stream {stream!r} covers {at_least} records yet")
    return covering[-1]


def prove_record(sink: Sink, seq: int, stream: str) -> dict[str, Any]:
    """The inclusion proof of record ``seq`` under the latest checkpoint covering it."""
    record = next(iter(sink.records(Query(seq=seq, stream=stream))), None)
    if record is None:
        raise AuditError(f"no record {seq} in stream {stream!r}")
    cp = _latest(sink, stream, seq)
    with sink.nodes(stream) as node:
        path = inclusion_proof(seq - 1, cp.size, node)
    return {
        "format": PROOF_FORMAT,
        "record": record_to_dict(record),
        "leaf_index": seq - 1,
        "leaf_hash": leaf_of(canonical(record)).hex(),
        "tree_size": cp.size,
        "inclusion_path": [h.hex() for h in path],
        "checkpoint": cp.to_json(),
    }


def check_proof(proof: Mapping[str, Any], public_key: PublicKey) -> ProofCheck:
    """Check an inclusion proof offline, with the public key alone."""
    try:
        if proof.get("format") != PROOF_FORMAT:
            return ProofCheck(False, f"not an inclusion proof (format {proof.get('format')!r})")
        cp = SignedCheckpoint.from_json(proof["checkpoint"])
        record = record_from_dict(proof["record"])
        index = int(proof["leaf_index"])
        size = int(proof["tree_size"])
        path = [bytes.fromhex(str(h)) for h in proof["inclusion_path"]]
        root = bytes.fromhex(cp.root)
    except (AuditError, KeyError, TypeError, ValueError) as exc:
        return ProofCheck(False, f"malformed proof ({type(exc).__name__}: {exc})")
    wrong = cp.check(public_key)
    if wrong:
        return ProofCheck(False, f"checkpoint: {wrong}")
    if size != cp.size or record.stream != cp.stream or index != record.seq - 1:
        return ProofCheck(False, "record, leaf index and checkpoint do not belong together")
    if not verify_inclusion(leaf_of(canonical(record)), index, size, path, root):
        return ProofCheck(
            False, f"record {record.seq}: not included in the tree the checkpoint signs"
        )
    return ProofCheck(
        True,
        f"record {record.seq} of stream {record.stream!r} is in the signed tree of "
        f"{size} records (checkpoint of {cp.to_json()['time']})",
    )


def prove_consistency(
    sink: Sink, stream: str, old_size: int, new_size: int | None = None
) -> dict[str, Any]:
    """A consistency proof between the stored checkpoints at ``old_size`` and at
    ``new_size`` (the latest one by default)."""
    cps = sink.checkpoints(stream)
    old = next((cp for cp in cps if cp.size == old_size), None)
    if old is None:
        raise AuditError(f"no checkpoint of stream {stream!r} at size {old_size}")
    if new_size is None:
        new = _latest(sink, stream, old_size)
    else:
        found = next((cp for cp in reversed(cps) if cp.size == new_size), None)
        if found is None:
            raise AuditError(f"no checkpoint of stream {stream!r} at size {new_size}")
        new = found
    with sink.nodes(stream) as node:
        path = consistency_proof(old.size, new.size, node)
    return {
        "format": CONSISTENCY_FORMAT,
        "old": old.to_json(),
        "new": new.to_json(),
        "consistency_path": [h.hex() for h in path],
    }


def check_consistency(
    proof: Mapping[str, Any],
    public_key: PublicKey,
    trusted_old: SignedCheckpoint | None = None,
) -> ProofCheck:
    """Check a consistency proof offline; with ``trusted_old`` (a checkpoint kept
    earlier) also that the proof starts from it."""
    try:
        if proof.get("format") != CONSISTENCY_FORMAT:
            return ProofCheck(False, f"not a consistency proof (format {proof.get('format')!r})")
        old = SignedCheckpoint.from_json(proof["old"])
        new = SignedCheckpoint.from_json(proof["new"])
        path = [bytes.fromhex(str(h)) for h in proof["consistency_path"]]
        old_root, new_root = bytes.fromhex(old.root), bytes.fromhex(new.root)
    except (AuditError, KeyError, TypeError, ValueError) as exc:
        return ProofCheck(False, f"malformed proof ({type(exc).__name__}: {exc})")
    for name, cp in (("old", old), ("new", new)):
        wrong = cp.check(public_key)
        if wrong:
            return ProofCheck(False, f"{name} checkpoint: {wrong}")
    if old.stream != new.stream:
        return ProofCheck(False, "the checkpoints are of different streams")
    if trusted_old is not None and (trusted_old.size, trusted_old.root) != (old.size, old.root):
        return ProofCheck(False, "the proof does not start from the trusted checkpoint")
    if not verify_consistency(old.size, new.size, old_root, new_root, path):
        return ProofCheck(
            False,
            f"the tree of {new.size} records does not extend the tree of {old.size}: "
            "records 1.."
            f"{old.size} were rewritten",
        )
    return ProofCheck(
        True, f"stream {old.stream!r} only grew from {old.size} to {new.size} records"
    )
