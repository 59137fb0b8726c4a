"""Raw rewrites of a store's records, tree and checkpoints, as a forger with write
access (and this library) could do them: below the library's own checks."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from boomisoap.audit import AuditRecord
from boomisoap.audit.stores.jsonl import _line
from boomisoap.audit.stores.sqlrows import COLUMNS, to_row


def _sqlite(path: str, *statements: tuple[str, Any]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for sql, params in statements:
            if isinstance(params, list):
                conn.executemany(sql, params)
            else:
                conn.execute(sql, params)
        conn.execute("COMMIT")
    finally:
        conn.close()


def _pg(url: str, *statements: tuple[str, Any]) -> None:
    import psycopg

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for sql, params in statements:
            if isinstance(params, list):
                cur.executemany(sql, params)
            else:
                cur.execute(sql, params)


def replace_records(kind: str, location: str, records: list[AuditRecord]) -> None:
    """All records replaced by ``records`` and the head marker moved to the last."""
    last = records[-1]
    stream = last.stream
    if kind == "sqlite":
        marks = ", ".join("?" for _ in COLUMNS)
        _sqlite(
            location,
            ("DROP TRIGGER IF EXISTS audit_record_continues_head", ()),
            ("DROP TRIGGER IF EXISTS audit_record_moves_head", ()),
            ("DELETE FROM audit_record", ()),
            (
                f"INSERT INTO audit_record ({', '.join(COLUMNS)}) VALUES ({marks})",
                [to_row(r) for r in records],
            ),
            ("UPDATE audit_head SET count = ?, last_hash = ?", (last.seq, last.hash)),
        )
    elif kind == "jsonl":
        path = Path(location)
        data = b"".join(_line(r) for r in records)
        path.write_bytes(data)
        head_path = Path(f"{location}.head")
        head = json.loads(head_path.read_bytes())
        head.update(count=last.seq, last_hash=last.hash, offset=len(data))
        head_path.write_text(json.dumps(head))
    else:
        marks = ", ".join("%s" for _ in COLUMNS)
        _pg(
            location,
            ("DELETE FROM boomisoap_audit_record WHERE stream = %s", (stream,)),
            (
                f"INSERT INTO boomisoap_audit_record ({', '.join(COLUMNS)}) VALUES ({marks})",
                [to_row(r, time_as_text=False) for r in records],
            ),
            (
                "UPDATE boomisoap_audit_head SET count = %s, last_hash = %s WHERE stream = %s",
                (last.seq, last.hash, stream),
            ),
        )


def rewrite_tree(
    kind: str, location: str, stream: str, size: int, frontier: bytes, nodes: list[bytes]
) -> None:
    """The stored tree replaced: ``nodes`` in position order, and the tree head."""
    if kind == "sqlite":
        _sqlite(
            location,
            ("DELETE FROM audit_node", ()),
            ("INSERT INTO audit_node (pos, hash) VALUES (?, ?)", list(enumerate(nodes))),
            ("UPDATE audit_head SET tree_size = ?, frontier = ?", (size, frontier)),
        )
    elif kind == "jsonl":
        Path(f"{location}.tree").write_bytes(b"".join(nodes))
        head_path = Path(f"{location}.head")
        head = json.loads(head_path.read_bytes())
        head.update(tree_size=size, frontier=frontier.hex())
        head_path.write_text(json.dumps(head))
    else:
        _pg(
            location,
            ("DELETE FROM boomisoap_audit_node WHERE stream = %s", (stream,)),
            (
                "INSERT INTO boomisoap_audit_node (stream, first_pos, hashes) VALUES (%s, 0, %s)",
                (stream, b"".join(nodes)),
            ),
            (
                "UPDATE boomisoap_audit_head SET tree_size = %s, frontier = %s WHERE stream = %s",
                (size, frontier, stream),
            ),
        )


def drop_checkpoints(kind: str, location: str) -> None:
    if kind == "sqlite":
        _sqlite(location, ("DELETE FROM audit_checkpoint", ()))
    elif kind == "jsonl":
        Path(f"{location}.signed").unlink()
    else:
        _pg(location, ("DELETE FROM boomisoap_audit_checkpoint", ()))


def strip_tree(kind: str, location: str) -> None:
    """Make the store look as if written before the tree existed."""
    if kind == "sqlite":
        _sqlite(
            location,
            *[(f"DROP TABLE {t}", ()) for t in ("audit_node", "audit_checkpoint", "audit_prune")],
            ("ALTER TABLE audit_head DROP COLUMN tree_size", ()),
            ("ALTER TABLE audit_head DROP COLUMN frontier", ()),
        )
    elif kind == "jsonl":
        for suffix in (".tree", ".signed"):
            Path(f"{location}{suffix}").unlink(missing_ok=True)
        head_path = Path(f"{location}.head")
        head = json.loads(head_path.read_bytes())
        head.pop("tree_size", None)
        head.pop("frontier", None)
        head_path.write_text(json.dumps(head))
    else:
        _pg(
            location,
            ("DROP TABLE boomisoap_audit_node, boomisoap_audit_checkpoint, "
             "boomisoap_audit_prune", ()),
            ("ALTER TABLE boomisoap_audit_head DROP COLUMN tree_size, DROP COLUMN frontier", ()),
        )  # fmt: skip
