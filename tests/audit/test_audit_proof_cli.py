"""`boomisoap audit keygen|checkpoint|prove|check-proof|prove-consistency|check-consistency`
and `verify --public-key --anchor`."""

from __future__ import annotations

import json
import os
from pathlib import Path

from audit_helpers import exchange
from click.testing import CliRunner

from boomisoap.audit import AuditLog
from boomisoap.cli.audit import audit


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(audit, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_keys_checkpoints_and_proofs_end_to_end(tmp_path: Path):
    key = tmp_path / "writer.pem"
    code, out = run("keygen", "--out", str(key))
    assert code == 0 and os.stat(key).st_mode & 0o777 == 0o600
    public = f"{key}.pub"
    assert b"PRIVATE" not in Path(public).read_bytes()
    assert run("keygen", "--out", str(key))[0] == 1  # never overwritten

    url = f"sqlite://{tmp_path / 'a.db'}"
    anchor = tmp_path / "anchor.jsonl"
    with AuditLog.open(url, signing_key=key, checkpoint_every=4, anchor=str(anchor)) as log:
        for i in range(6):
            log.record(exchange(i))
    code, out = run("checkpoint", url, "--signing-key", str(key))
    assert code == 0 and json.loads(out)["size"] == 6  # already signed at close: shown

    proof_file = tmp_path / "record3.json"
    code, _ = run("prove", url, "3", "--output", str(proof_file))
    assert code == 0
    proof = json.loads(proof_file.read_text())
    assert proof["record"]["seq"] == 3 and proof["tree_size"] == 6
    code, out = run("check-proof", str(proof_file), "--public-key", public)
    assert code == 0 and out.startswith("OK: record 3")

    proof["record"]["operation"] = "delete"
    proof_file.write_text(json.dumps(proof))
    code, out = run("check-proof", str(proof_file), "--public-key", public)
    assert code == 1 and "FAILED: record 3: not included" in out

    cons = tmp_path / "cons.json"
    assert run("prove-consistency", url, "--old-size", "4", "-o", str(cons))[0] == 0
    trusted = tmp_path / "trusted.json"
    trusted.write_text(anchor.read_text().splitlines()[0])
    code, out = run("check-consistency", str(cons), "--public-key", public, "--trusted",
                    str(trusted))  # fmt: skip
    assert code == 0 and "only grew from 4 to 6" in out
    trusted.write_text(anchor.read_text().splitlines()[1])  # the checkpoint at 6, not 4
    code, out = run("check-consistency", str(cons), "--public-key", public, "--trusted",
                    str(trusted))  # fmt: skip
    assert code == 1 and "does not start from the trusted checkpoint" in out

    code, out = run("verify", url, "--public-key", public, "--anchor", str(anchor))
    assert code == 0 and "2 checkpoint(s) match, 2 signatures good" in out
    other = tmp_path / "other.pem"
    run("keygen", "--out", str(other))
    code, out = run("verify", url, "--public-key", f"{other}.pub")
    assert code == 1 and "checkpoint at size 4: signed by key" in out
    code, out = run("check-proof", str(proof_file), "--public-key", str(tmp_path / "none.pub"))
    assert code == 2 and "--public-key" in out
