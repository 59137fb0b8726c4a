"""SQLite verify reads META as SQLite writes it in JSON: every damaged cell is still
found and worded exactly as the reading of each column into Python words it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from audit_helpers import exchange

from boomisoap.audit import AuditLog
from boomisoap.audit.stores import sqlite as sqlite_store
from boomisoap.audit.stores.sqlrows import JSON_SELECT, link_of_json_row, link_of_row

N = 6
AT = 3
# (column, SQL value): each cell of record AT set to it, below the library.
DAMAGE = [
    ("writer", "x'41'"),  # a BLOB where text belongs
    ("writer", "CAST(x'ff41' AS TEXT)"),  # text that is not UTF-8
    ("url", "url || char(8232)"),
    ("request_headers", "replace(request_headers, ',', ', ')"),
    ("status", "200.5"),
    ("status", "200.00000000000003"),
    ("status", "'200'"),  # INTEGER affinity: stored as the integer 200 again
    ("attempt", "'one'"),
    ("duration", "'soon'"),
    ("duration", "duration + 1e-17"),
    ("duration", "0.30000000000000004"),
    ("started_at", "julianday(started_at)"),
    ("object_ids", "json('[\"key-3\"]')"),
    ("request_body", "CAST(request_body AS TEXT)"),
    ("response_body", "NULL"),
    ("object_type", "NULL"),
    ("account_id", "123"),
    ("stream", "'other'"),
    ("alg", "'md5'"),
    ("prev_hash", "upper(prev_hash)"),
]


def _fill(path: Path, **overrides: Any) -> str:
    url = f"sqlite:///{path}"
    with AuditLog.open(url) as log:
        for i in range(N):
            log.record(exchange(i, **overrides))
    return url


def _damage(path: Path, column: str, value: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(f"UPDATE audit_record SET {column} = {value} WHERE seq = ?", (AT,))
    finally:
        conn.close()


def _verify(url: str) -> object:
    with AuditLog.open(url, read_only=True) as log:
        return log.verify()


def _exact(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every row read the exact way, as if SQLite could write none in JSON."""

    def refuse(row: object, stream: str, alg: str) -> object:
        raise ValueError("not read in JSON")

    monkeypatch.setattr(sqlite_store, "link_of_json_row", refuse)


@pytest.mark.parametrize(("column", "value"), DAMAGE, ids=[f"{c}={v}" for c, v in DAMAGE])
def test_damaged_cell_reported_as_the_exact_reading_reports_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, column: str, value: str
) -> None:
    path = tmp_path / "a.db"
    url = _fill(path)
    _damage(path, column, value)
    report = _verify(url)
    _exact(monkeypatch)
    assert report == _verify(url)


def test_damage_found_at_its_record(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    url = _fill(path)
    _damage(path, "status", "200.5")
    report = _verify(url)
    assert not report.ok and report.first_broken == AT, report  # type: ignore[attr-defined]


def test_text_needing_json_escapes_verifies(tmp_path: Path) -> None:
    odd = 'q"b\\s/\b\f\n\r\t\x00\x01\x1f\x7f é \u2028 \U0001f600'
    url = _fill(tmp_path / "a.db", operation=odd, correlation_id=odd, object_ids=(odd,))
    assert _verify(url).ok  # type: ignore[attr-defined]


def test_json_reading_gives_the_exact_links(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    _fill(path, status=None, response_body=None)
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(f"{JSON_SELECT} ORDER BY seq", ("main", "sha256"))
        fast = [link_of_json_row(r, "main", "sha256") for r in rows]
        exact = [link_of_row(r) for r in conn.execute(sqlite_store._SELECT + " ORDER BY seq")]
    finally:
        conn.close()
    assert fast == exact


def test_a_record_misread_in_json_is_read_again_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _fill(tmp_path / "a.db")
    reads: list[int] = []

    def misread(row: Any, stream: str, alg: str) -> Any:
        link = link_of_json_row(row, stream, alg)
        reads.append(link.seq)
        return link._replace(encoded=link.encoded + b" ") if link.seq == AT else link

    monkeypatch.setattr(sqlite_store, "link_of_json_row", misread)
    report = _verify(url)
    assert report.ok and report.checked == N, report  # type: ignore[attr-defined]
    assert reads == list(range(1, AT + 1))  # the records after it: read exactly
