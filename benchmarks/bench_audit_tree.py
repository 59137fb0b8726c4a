"""The Merkle tree's cost and its proofs (docs/audit.md).

Rows ``audit tree``: batched appends with the tree and signed checkpoints (every 1,000
records and at close) against the same workload run by the code *before* the tree
(the parent of the commit that added ``boomisoap/audit/merkle.py``, taken with ``git
archive`` and run in a child process), several samples each, min/median/max. Rows
``audit proof``: proving one record and checking the proof in a store of 1,000,000
records (100,000 with --quick); that store's tree is built from leaf hashes appended
directly (see :func:`big_tree_store`), with real records at the sampled positions.

Run: ``python -m benchmarks.bench_audit_tree [--quick]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from hashlib import sha256 as hashlib_sha256
from pathlib import Path
from typing import Any

from benchmarks.bench_audit import _fresh_db, exchanges, postgres
from boomisoap.audit import AuditLog, Exchange
from boomisoap.audit.capture import draft
from boomisoap.audit.chain import Chain
from boomisoap.audit.stores import open_sink
from boomisoap.redact.structural import Redactor


def run(quick: bool = False) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, postgres() as pg_url:
        root = Path(tmp)
        sinks = [("sqlite", f"sqlite://{root}/a.db"), ("jsonl", f"jsonl://{root}/a.jsonl")]
        if pg_url:
            sinks.append(("postgresql", pg_url))
        rows.extend(tree_rows(root, sinks, 2_000 if quick else 10_000, 1 if quick else SAMPLES))
        rows.extend(proof_rows(root, 100_000 if quick else 1_000_000, 5 if quick else 20))
    return rows


REPO = Path(__file__).resolve().parents[1]
SAMPLES = 3


def _spread(values: list[float]) -> dict[str, float]:
    return {
        "min": round(min(values)),
        "median": round(statistics.median(values)),
        "max": round(max(values)),
    }


def _signing_key(folder: Path) -> Path:
    from boomisoap.audit.signing import write_key_pair

    path = folder / "bench-signer.pem"
    if not path.exists():
        write_key_pair(path)
    return path


def tree_rate(url: str, items: list[Exchange], key: Path) -> float:
    """Records/s of a batched log with signed checkpoints every 1,000 and at close."""
    start = time.perf_counter()
    with AuditLog.open(url, batch=True, signing_key=key, checkpoint_every=1000) as log:
        for ex in items:
            log.record(ex)
    return len(items) / (time.perf_counter() - start)


_BASELINE_CHILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(1, sys.argv[2])
from boomisoap.audit import AuditLog
from benchmarks.bench_audit import exchanges
items = exchanges(int(sys.argv[4]))
start = time.perf_counter()
with AuditLog.open(sys.argv[3], batch=True) as log:
    for ex in items:
        log.record(ex)
print(len(items) / (time.perf_counter() - start))
"""


@contextlib.contextmanager
def baseline_tree() -> Iterator[Path | None]:
    """The library as it was before the Merkle tree, unpacked in a temporary folder."""
    try:
        added = subprocess.run(
            ["git", "-C", str(REPO), "log", "--diff-filter=A", "--format=%H", "--",
             "boomisoap/audit/merkle.py"],
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        added = []
    if not added:
        yield None
        return
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", f"{added[-1]}^", "boomisoap", "wsdl", "xsd"],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        yield Path(tmp)


def baseline_rate(code: Path, url: str, n: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run(
        [sys.executable, "-c", _BASELINE_CHILD, str(code), str(REPO), url, str(n)],
        capture_output=True, text=True, check=True, env=env,
    ).stdout  # fmt: skip
    return float(out.split()[-1])


def tree_rows(
    root: Path, sinks: list[tuple[str, str]], n: int, samples: int
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    key = _signing_key(root)
    items = exchanges(n)
    with baseline_tree() as code:
        for name, url in sinks:
            ours: list[float] = []
            before: list[float] = []
            for k in range(samples):
                # Alternate the two, each on a fresh store, so drift hits both alike.
                ours.append(tree_rate(_fresh(url, root, f"t{k}"), items, key))
                if code is not None:
                    before.append(baseline_rate(code, _fresh(url, root, f"b{k}"), n))
            row: dict[str, Any] = {
                "workload": "audit tree",
                "variant": f"{name} batched, tree + checkpoints",
                "records": n,
                "samples": samples,
                **{f"rec/s {k}": v for k, v in _spread(ours).items()},
            }
            if before:
                row.update({f"before {k}": v for k, v in _spread(before).items()})
                ratio = statistics.median(ours) / statistics.median(before)
                row["median ratio"] = round(ratio, 3)
            row["target"] = ">= 0.90 of before"
            rows.append(row)
    return rows


def _fresh(url: str, root: Path, tag: str) -> str:
    if url.startswith("postgresql"):
        return _fresh_db(url, f"tree_{tag}_{random.randrange(1 << 30)}")
    scheme, path = url.split("://", 1)
    base = Path(path)
    return f"{scheme}://{base.with_name(f'{tag}-{base.name}')}"


def big_tree_store(path: Path, size: int, real: list[int], key: Path) -> None:
    """A SQLite store whose tree has ``size`` leaves, built fast: the leaves are
    SHA-256 hashes appended to the tree directly (no records), except at the seqs in
    ``real``, where a real record is inserted and its own leaf used. The tree head is
    then signed as the writer would. Only the tree is whole: the chain of such a store
    does not verify, which proving and checking a proof never look at."""
    from boomisoap.audit.encoding import canonical, leaf_of
    from boomisoap.audit.merkle import Frontier
    from boomisoap.audit.signing import Signer, load_private_key
    from boomisoap.audit.stores.sqlrows import COLUMNS, to_row

    url = f"sqlite://{path}"
    redactor = Redactor()
    sample = exchanges(len(real))
    records = {}
    chain = Chain()
    for seq, ex in zip(sorted(real), sample, strict=True):
        records[seq] = chain.seal(draft(ex, redactor), "main", seq, "0" * 64)
    open_sink(url).close()  # the schema
    leaves = (
        leaf_of(canonical(records[i + 1])) if i + 1 in records
        else hashlib_sha256(b"\x00" + i.to_bytes(8, "big")).digest()
        for i in range(size)
    )  # fmt: skip
    frontier, nodes = Frontier.empty().extend(leaves)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute("DROP TRIGGER audit_record_continues_head")
        conn.execute("DROP TRIGGER audit_record_moves_head")
        marks = ", ".join("?" for _ in COLUMNS)
        conn.executemany(
            f"INSERT INTO audit_record ({', '.join(COLUMNS)}) VALUES ({marks})",
            [to_row(r) for r in records.values()],
        )
        conn.executemany("INSERT INTO audit_node (pos, hash) VALUES (?, ?)", nodes)
        conn.execute(
            "INSERT INTO audit_head (stream, count, last_hash, tree_size, frontier) "
            "VALUES ('main', ?, ?, ?, ?)",
            (size, "0" * 64, frontier.size, frontier.to_bytes()),
        )
        cp = Signer(load_private_key(key)).sign("main", size, frontier.root())
        conn.execute(
            "INSERT INTO audit_checkpoint VALUES (?, ?, ?, ?, ?, ?, ?)",
            (cp.stream, cp.size, cp.root, cp.to_json()["time"], cp.key_id, cp.alg, cp.signature),
        )
        conn.execute("COMMIT")
    finally:
        conn.close()


def proof_rows(root: Path, size: int, samples: int) -> list[dict[str, Any]]:
    from boomisoap.audit.proofs import check_proof
    from boomisoap.audit.signing import load_private_key

    key = _signing_key(root)
    public = load_private_key(key).public_key()
    rng = random.Random(9162)
    real = rng.sample(range(1, size + 1), samples)
    path = root / "big.db"
    start = time.perf_counter()
    big_tree_store(path, size, real, key)
    built = time.perf_counter() - start
    prove_ms: list[float] = []
    check_ms: list[float] = []
    with AuditLog.open(f"sqlite://{path}", read_only=True) as log:
        for seq in real:
            t0 = time.perf_counter()
            proof = json.dumps(log.prove(seq))
            t1 = time.perf_counter()
            result = check_proof(json.loads(proof), public)
            t2 = time.perf_counter()
            if not result.ok:
                raise RuntimeError(f"benchmark proof does not verify: {result.reason}")
            prove_ms.append((t1 - t0) * 1000)
            check_ms.append((t2 - t1) * 1000)

    def row(variant: str, values: list[float]) -> dict[str, Any]:
        return {
            "workload": "audit proof",
            "variant": variant,
            "store records": size,
            "samples": len(values),
            "ms min": round(min(values), 2),
            "ms median": round(statistics.median(values), 2),
            "ms max": round(max(values), 2),
        }

    return [
        row("prove one record (JSON written)", prove_ms),
        row("check-proof (offline, public key)", check_ms),
        {"workload": "audit proof", "variant": "build the tree store (leaf hashes)",
         "store records": size, "samples": 1, "ms median": round(built * 1000)},
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_audit_tree")
    parser.add_argument("--quick", action="store_true", help="small counts: proves it runs")
    args = parser.parse_args()
    for row in run(args.quick):
        print(row)


if __name__ == "__main__":
    main()
