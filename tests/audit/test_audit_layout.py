"""The audit package's layout: no import circles, and one field list behind every form."""

from __future__ import annotations

import ast
import dataclasses
import sqlite3
from pathlib import Path

from audit_helpers import exchange

import boomisoap.audit
from boomisoap.audit import AuditLog, AuditRecord
from boomisoap.audit.encoding import META_FIELDS, meta_fields
from boomisoap.audit.record import record_from_dict, record_to_dict
from boomisoap.audit.stores import open_sink
from boomisoap.audit.stores.sqlrows import APPEND_COLUMNS, COLUMNS, from_row, sqlite_values, to_row

PACKAGE = Path(boomisoap.audit.__file__).parent


def _module(path: Path) -> str:
    parts = ["boomisoap", "audit", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Every import (lazy ones and those for type checking too) between audit modules."""
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - max(node.level - 1, 0)]
                target = ".".join([*base, node.module] if node.module else base)
                if not node.level:
                    target = node.module or ""
                names = [f"{target}.{a.name}" for a in node.names]
                found = [n if n in modules else target for n in names]
            elif isinstance(node, ast.Import):
                found = [a.name for a in node.names]
            else:
                continue
            for t in found:
                while t and t not in modules:
                    t = t.rpartition(".")[0]
                if t and t != name and t != "boomisoap.audit":
                    graph[name].add(t)
    return graph


def test_no_import_circles_inside_the_audit_package():
    graph = _imports()
    assert graph["boomisoap.audit.record"] == {"boomisoap.audit.fields"}

    def reaches(start: str) -> set[str]:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            m = todo.pop()
            if m not in seen:
                seen.add(m)
                todo.extend(graph[m])
        return seen

    circles = sorted(m for m in graph if m in reaches(m))
    assert circles == []


def test_the_record_the_rows_the_lines_and_the_encoding_share_one_field_list(tmp_path):
    names = [f.name for f in dataclasses.fields(AuditRecord)]
    assert sorted(COLUMNS) == sorted(names)
    assert set(META_FIELDS) == set(names) - {"request_body", "response_body", "prev_hash", "hash"}
    # META in stored order: the column order without the bodies and the chain links.
    assert [c for c in COLUMNS if c in META_FIELDS] == list(META_FIELDS)
    open_sink(f"sqlite://{tmp_path}/a.db").close()
    conn = sqlite3.connect(tmp_path / "a.db")
    try:
        table = [str(r[1]) for r in conn.execute("PRAGMA table_info(audit_record)")]
    finally:
        conn.close()
    assert table == list(COLUMNS)
    with AuditLog.open("sqlite:///:memory:") as log:
        record = log.record(exchange(1))
    assert record is not None
    line = record_to_dict(record)
    assert sorted(k for k in line if k != "format") == sorted(names)
    assert record_from_dict(line) == record
    assert from_row(to_row(record)) == record


def test_append_values_hold_each_column_of_the_row() -> None:
    with AuditLog.open("sqlite:///:memory:") as log:
        record = log.record(exchange(1))
    assert record is not None
    values = sqlite_values([(record, meta_fields(record), b"")])
    by_name = dict(zip(APPEND_COLUMNS, values, strict=True))
    assert tuple(by_name[name] for name in COLUMNS) == to_row(record)
