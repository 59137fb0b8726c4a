"""Store URLs: ``./`` and ``../`` after ``sqlite:///`` / ``jsonl:///`` are relative."""

from __future__ import annotations

from pathlib import Path

import pytest

from boomisoap.audit.stores import open_sink


def test_dot_slash_is_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    sink = open_sink("sqlite:///./audit.db")
    sink.close()
    assert (tmp_path / "work" / "audit.db").is_file()
    assert sink.url == f"sqlite:///{tmp_path / 'work' / 'audit.db'}"
    sink = open_sink("sqlite:///../up.db")
    sink.close()
    assert (tmp_path / "up.db").is_file()
    sink = open_sink("jsonl:///./trail.jsonl")
    sink.close()
    assert any(p.name.startswith("trail.jsonl") for p in (tmp_path / "work").iterdir())


def test_three_and_four_slashes_stay_absolute(tmp_path: Path) -> None:
    for url in (f"sqlite://{tmp_path}/a.db", f"sqlite:///{tmp_path}/b.db"):
        sink = open_sink(url)
        sink.close()
    assert (tmp_path / "a.db").is_file() and (tmp_path / "b.db").is_file()
