"""Fixtures for the audit tests: stores of each kind, a PostgreSQL cluster."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from audit_helpers import JsonlTamper, PostgresTamper, SqliteTamper

try:
    from pgcluster import PgCluster, pg_cluster
except ImportError:  # run from a tree where tests/ is a package
    from tests.pgcluster import PgCluster, pg_cluster

SINKS = ("sqlite", "jsonl", "postgres")


@pytest.fixture(scope="session")
def pg() -> Iterator[PgCluster]:
    with pg_cluster() as cluster:
        yield cluster


@pytest.fixture
def pg_url(pg: PgCluster) -> str:
    """A fresh, empty database on the session's cluster."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return pg.url_for(name)


@dataclass
class Store:
    kind: str
    url: str
    location: str  # file path, or the libpq URL for postgres
    tamper: Any


def make_store(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    if kind == "sqlite":
        path = str(tmp_path / "audit.db")
        return Store(kind, f"sqlite://{path}", path, SqliteTamper(path))
    if kind == "jsonl":
        path = str(tmp_path / "audit.jsonl")
        return Store(kind, f"jsonl://{path}", path, JsonlTamper(path))
    url = request.getfixturevalue("pg_url")
    return Store(kind, url, url, PostgresTamper(url))


@pytest.fixture(
    params=[pytest.param(kind, marks=[pytest.mark.postgres] if kind == "postgres" else [])
            for kind in SINKS]
)  # fmt: skip
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    return make_store(request.param, tmp_path, request)
