"""JSON Lines store: append-only files, a lock file, and a checkpoint as commit marker.

Layout for ``jsonl:///var/log/app/audit.jsonl``::

    audit.jsonl          the active file, one JSON record per line
    audit.jsonl.1, .2 .. rotated files, oldest first (with ?max_bytes=N)
    audit.jsonl.head     checkpoint: count, last hash, rotated file count, committed size
    audit.jsonl.lock     fcntl.flock target serialising writers across processes

An append holds the lock, writes and fsyncs its lines, then atomically replaces the
checkpoint (write, fsync, rename).  The checkpoint is the commit: bytes after its
``offset`` are an append that never completed (a writer killed mid-write) and are
ignored by readers and cut off by the next writer, so a crash never leaves half a
batch visible.  Rotation renames the active file to the next number before a batch
that would overflow it; a batch is never split, and the chain continues across files.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from ..chain import Chain
from ..codec import link_from_dict, record_from_dict, record_to_dict
from ..errors import AuditError
from ..parallel import PARALLEL_FROM_BYTES, Job, auto_workers, ordered_entries
from ..query import Query
from ..record import GENESIS, AuditRecord
from ..verify import Corrupt, Entry, Head, VerifyReport, verify_stream
from .base import Sink

STREAM = "main"
# Lines a verification worker decodes per job.
LINES_PER_JOB = 2000


@dataclass(frozen=True, slots=True)
class Checkpoint:
    count: int
    last_hash: str
    segments: int
    offset: int

    def to_json(self) -> bytes:
        data = {
            "format": 1,
            "stream": STREAM,
            "count": self.count,
            "last_hash": self.last_hash,
            "segments": self.segments,
            "offset": self.offset,
        }
        return json.dumps(data).encode("ascii") + b"\n"


EMPTY = Checkpoint(0, GENESIS, 0, 0)


class JsonlSink(Sink):
    def __init__(self, path: str, *, max_bytes: int | None = None, read_only: bool = False) -> None:
        self.path = Path(path)
        self.url = f"jsonl://{path}" + (f"?max_bytes={max_bytes}" if max_bytes else "")
        self.max_bytes = max_bytes
        self.read_only = read_only
        self.head_path = Path(f"{path}.head")
        self.lock_path = Path(f"{path}.lock")
        self._tlock = threading.Lock()
        self._lock_fd: int | None = None
        try:
            if read_only:
                if not self.path.exists() and not self.head_path.exists():
                    raise AuditError(f"no audit store at {path}")
                if self.lock_path.exists():
                    self._lock_fd = os.open(self.lock_path, os.O_RDONLY)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
                with self._locked(exclusive=True):
                    if not self.head_path.exists():
                        if self._segment_numbers() or _size(self.path):
                            raise AuditError(f"{self.head_path} is missing: refusing to write")
                        # Committing "empty" first means a crash during the very first
                        # append leaves uncommitted bytes, not an unexplained file.
                        self._write_checkpoint(EMPTY)
        except OSError as exc:
            raise AuditError(f"cannot open JSONL audit store {path}: {exc}") from exc

    # -- locking and checkpoint -------------------------------------------------

    @contextmanager
    def _locked(self, *, exclusive: bool) -> Iterator[None]:
        with self._tlock:
            if self._lock_fd is None:
                yield
                return
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            try:
                yield
            finally:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _read_checkpoint(self) -> Checkpoint | None:
        try:
            data = json.loads(self.head_path.read_bytes())
            return Checkpoint(
                int(data["count"]),
                str(data["last_hash"]),
                int(data["segments"]),
                int(data["offset"]),
            )
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as exc:
            raise AuditError(f"checkpoint {self.head_path} is damaged: {exc}") from exc

    def _write_checkpoint(self, cp: Checkpoint) -> None:
        tmp = Path(f"{self.head_path}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            _write_all(fd, cp.to_json())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.head_path)
        _fsync_dir(self.head_path.parent)

    def _segment(self, n: int) -> Path:
        return Path(f"{self.path}.{n}")

    def _segment_numbers(self) -> list[int]:
        prefix = self.path.name + "."
        numbers = []
        for entry in self.path.parent.iterdir() if self.path.parent.exists() else ():
            tail = entry.name[len(prefix) :] if entry.name.startswith(prefix) else ""
            if tail.isdigit():
                numbers.append(int(tail))
        return sorted(numbers)

    def _recover(self) -> Checkpoint:
        """The committed state, after finishing an interrupted rotation and cutting
        off bytes of an append that never committed.  Caller holds the lock."""
        cp = self._read_checkpoint()
        if cp is None:
            raise AuditError(f"{self.head_path} is missing: refusing to write")
        if self._segment(cp.segments + 1).exists():
            # Renamed but the checkpoint not yet updated: finish the rotation.
            cp = Checkpoint(cp.count, cp.last_hash, cp.segments + 1, 0)
            self._write_checkpoint(cp)
        size = _size(self.path)
        if size < cp.offset:
            raise AuditError(
                f"{self.path} is shorter than its checkpoint says: run verify; refusing to write"
            )
        if size > cp.offset:
            if cp.offset and _byte_at(self.path, cp.offset - 1) != b"\n":
                raise AuditError(f"{self.path} does not match its checkpoint: run verify")
            os.truncate(self.path, cp.offset)
        return cp

    # -- writing ------------------------------------------------------------------

    def append(self, drafts: Sequence[AuditRecord], chain: Chain) -> list[AuditRecord]:
        if self.read_only:
            raise AuditError("audit store opened read-only")
        if not drafts:
            return []
        try:
            with self._locked(exclusive=True):
                cp = self._recover()
                sealed = chain.seal_all(drafts, STREAM, cp.count, cp.last_hash)
                data = b"".join(_line(r) for r in sealed)
                if self.max_bytes and cp.offset and cp.offset + len(data) > self.max_bytes:
                    os.rename(self.path, self._segment(cp.segments + 1))
                    _fsync_dir(self.path.parent)
                    cp = Checkpoint(cp.count, cp.last_hash, cp.segments + 1, 0)
                    self._write_checkpoint(cp)
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                try:
                    _write_all(fd, data)
                    os.fsync(fd)
                finally:
                    os.close(fd)
                if cp.offset == 0:
                    _fsync_dir(self.path.parent)
                self._write_checkpoint(
                    replace(
                        cp,
                        count=sealed[-1].seq,
                        last_hash=sealed[-1].hash,
                        offset=cp.offset + len(data),
                    )
                )
        except OSError as exc:
            raise AuditError(f"cannot append to {self.path}: {exc}") from exc
        return sealed

    # -- reading ------------------------------------------------------------------

    def _snapshot(self) -> tuple[Checkpoint | None, list[tuple[IO[bytes], int | None]], int]:
        """Open every file of the committed state under the lock; reading them later
        is then safe against concurrent appends, rotations and roll-backs.

        Returns (checkpoint, [(file, byte limit or None)], uncommitted byte count).
        """
        with self._locked(exclusive=False):
            cp = self._read_checkpoint()
            numbers = self._segment_numbers()
            files: list[tuple[IO[bytes], int | None]] = []
            try:
                for n in numbers:
                    files.append((open(self._segment(n), "rb"), None))  # noqa: SIM115
                limit = None if cp is None else cp.offset
                if cp is not None and cp.segments + 1 in numbers:
                    # An interrupted rotation: the renamed file is the committed one.
                    files[-1] = (files[-1][0], cp.offset)
                    limit = 0
                if self.path.exists():
                    files.append((open(self.path, "rb"), limit))  # noqa: SIM115
            except OSError:
                for f, _ in files:
                    f.close()
                raise
        extra = 0
        if files and files[-1][1] is not None:
            f, lim = files[-1]
            extra = max(0, os.fstat(f.fileno()).st_size - int(lim or 0))
        return cp, files, extra

    def _entries(self) -> Iterator[Entry]:
        _, files, _ = self._snapshot()
        yield from _read_entries(files)

    def records(self, query: Query) -> Iterator[AuditRecord]:
        for entry in self._entries():
            if isinstance(entry, AuditRecord) and query.matches(entry):
                yield entry

    def heads(self) -> dict[str, Head]:
        with self._locked(exclusive=False):
            cp = self._read_checkpoint()
        return {} if cp is None else {STREAM: Head(cp.count, cp.last_hash)}

    def verify(self, chain: Chain, workers: int | None = None) -> VerifyReport:
        try:
            cp, files, extra = self._snapshot()
        except (OSError, AuditError) as exc:
            return VerifyReport(0, False, None, f"cannot read the store: {exc}", STREAM)
        head = None if cp is None else Head(cp.count, cp.last_hash)
        if workers is None:
            size = sum(os.fstat(f.fileno()).st_size for f, _ in files)
            workers = auto_workers(size >= PARALLEL_FROM_BYTES)
        entries = (
            ordered_entries(_line_jobs(files), workers)
            if workers
            else _read_entries(files, links=True)
        )
        try:
            report = verify_stream(STREAM, entries, head, chain)
        except AuditError as exc:
            return VerifyReport(0, False, None, f"cannot verify the store: {exc}", STREAM)
        if report.ok and extra:
            note = f"; {extra} bytes of an append that never committed are ignored"
            report = replace(report, reason=report.reason + note)
        return report

    def close(self) -> None:
        with self._tlock:
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None


def _committed_lines(files: list[tuple[IO[bytes], int | None]]) -> Iterator[bytes]:
    """Lines of the committed state: a line belongs to it if it starts before the
    file's limit (so a record edited to be longer is still read, and then fails)."""
    try:
        for f, limit in files:
            pos = 0
            for line in f:
                if limit is not None and pos >= limit:
                    break
                pos += len(line)
                yield line
    finally:
        for f, _ in files:
            f.close()


def _entry(line: bytes, links: bool) -> Entry | None:
    if not line.strip():
        return None
    try:
        data = _loads(line)
        return link_from_dict(data) if links else record_from_dict(data)
    except (ValueError, KeyError, TypeError) as exc:
        return Corrupt(f"undecodable line ({type(exc).__name__}: {exc})")


def _read_entries(
    files: list[tuple[IO[bytes], int | None]], *, links: bool = False
) -> Iterator[Entry]:
    for line in _committed_lines(files):
        entry = _entry(line, links)
        if entry is not None:
            yield entry


def links_of_lines(lines: list[bytes]) -> list[Entry]:
    """What verify needs of each line (run by verification workers)."""
    return [entry for line in lines if (entry := _entry(line, True)) is not None]


def _line_jobs(files: list[tuple[IO[bytes], int | None]]) -> Iterator[Job]:
    chunk: list[bytes] = []
    for line in _committed_lines(files):
        chunk.append(line)
        if len(chunk) == LINES_PER_JOB:
            yield ("jsonl", chunk)
            chunk = []
    if chunk:
        yield ("jsonl", chunk)


def _loads(line: bytes) -> dict[str, Any]:
    data = json.loads(line)
    if not isinstance(data, dict):
        raise TypeError("line is not a JSON object")
    return data


def _line(r: AuditRecord) -> bytes:
    text = json.dumps(record_to_dict(r), ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8") + b"\n"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _byte_at(path: Path, offset: int) -> bytes:
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(1)
