"""Audit stores, opened by URL."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlsplit

from ..errors import AuditURLError
from .base import Sink
from .jsonl import JsonlSink
from .sqlite import SqliteSink

__all__ = ["JsonlSink", "Sink", "SqliteSink", "open_sink"]


def open_sink(url: str, *, read_only: bool = False) -> Sink:
    """``sqlite:///abs/path[?synchronous=full]``, ``sqlite:///:memory:``, ``jsonl:///abs/path[?max_bytes=N]``
    or ``postgresql://user@host:port/db[?host=/socket/dir][&stream=NAME]``; a local path
    starting ``./`` or ``../`` (``sqlite:///./audit.db``) is relative to the working directory."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("postgresql", "postgres"):
        from .postgres import PostgresSink

        return PostgresSink(url, read_only=read_only)
    if scheme not in ("sqlite", "jsonl"):
        raise AuditURLError(f"unknown audit store scheme in {url!r} (sqlite, jsonl, postgresql)")
    if parts.netloc:
        raise AuditURLError(f"{scheme} URLs name a local path: {scheme}:///abs/path, not {url!r}")
    # sqlite:////abs/path (the SQLAlchemy spelling) means the same file as sqlite:///abs/path;
    # sqlite:///./file and sqlite:///../file are relative to the working directory (as in
    # SQLAlchemy), made absolute here so that a later chdir does not move the store.
    if parts.path.startswith(("/./", "/../")):
        path = os.path.abspath(parts.path[1:])
    elif parts.path.startswith("/"):
        path = "/" + parts.path.lstrip("/")
    else:
        path = parts.path
    query = parse_qs(parts.query)
    unknown = set(query) - ({"synchronous"} if scheme == "sqlite" else {"max_bytes"})
    if unknown:
        raise AuditURLError(f"unknown parameter(s) {sorted(unknown)} in {url!r}")
    if scheme == "sqlite":
        synchronous = query.get("synchronous", ["normal"])[-1]
        if path == "/:memory:":
            return SqliteSink(":memory:", read_only=read_only)
        if not path.startswith("/"):
            raise AuditURLError(f"expected sqlite:///absolute/path, got {url!r}")
        return SqliteSink(path, read_only=read_only, synchronous=synchronous)
    if not path.startswith("/") or path.endswith("/"):
        raise AuditURLError(f"expected jsonl:///absolute/path/file.jsonl, got {url!r}")
    max_bytes = None
    if "max_bytes" in query:
        try:
            max_bytes = int(query["max_bytes"][-1])
        except ValueError:
            raise AuditURLError(f"max_bytes must be an integer in {url!r}") from None
        if max_bytes <= 0:
            raise AuditURLError(f"max_bytes must be positive in {url!r}")
    return JsonlSink(path, max_bytes=max_bytes, read_only=read_only)
