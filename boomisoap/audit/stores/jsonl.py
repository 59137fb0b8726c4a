"""JSON Lines store: append-only files, a lock file, and a checkpoint as commit marker.

Layout for ``jsonl:///var/log/app/audit.jsonl``::

    audit.jsonl          the active file, one JSON record per line
    audit.jsonl.1, .2 .. rotated files, oldest first (with ?max_bytes=N)
    audit.jsonl.head     checkpoint: count, last hash, rotated file count, committed size,
                         Merkle tree size and frontier
    audit.jsonl.lock     fcntl.flock target serialising writers across processes
    audit.jsonl.tree     the Merkle tree's nodes, 32 bytes each, in position order
    audit.jsonl.signed   signed checkpoints, one JSON line each
    audit.jsonl.pruned   after a prune: how many records went and the last one's hash

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
from ..encoding import canonical_of_dict
from ..errors import AuditError
from ..filters import Query
from ..merkle import HASH_SIZE, Frontier, NodeGetter, node_position, nodes_for
from ..parallel import PARALLEL_FROM_BYTES, Job, auto_workers, ordered_entries
from ..record import GENESIS, AuditRecord, record_from_dict, record_to_dict
from ..signing import PublicKey, SignedCheckpoint
from ..treecheck import StreamTree, TreeCheck
from ..verify import Corrupt, Entry, Head, Link, VerifyReport, verify_stream
from .base import Sink
from .treebuild import catch_up

STREAM = "main"
# Lines a verification worker decodes per job.
LINES_PER_JOB = 2000


@dataclass(frozen=True, slots=True)
class Checkpoint:
    count: int
    last_hash: str
    segments: int
    offset: int
    # None: written before the tree existed (built by the next append).
    tree: Frontier | None = None

    def to_json(self) -> bytes:
        data: dict[str, object] = {
            "format": 1,
            "stream": STREAM,
            "count": self.count,
            "last_hash": self.last_hash,
            "segments": self.segments,
            "offset": self.offset,
        }
        if self.tree is not None:
            data["tree_size"] = self.tree.size
            data["frontier"] = self.tree.to_bytes().hex()
        return json.dumps(data).encode("ascii") + b"\n"


EMPTY = Checkpoint(0, GENESIS, 0, 0, Frontier.empty())


class JsonlSink(Sink):
    def __init__(self, path: str, *, max_bytes: int | None = None, read_only: bool = False) -> None:
        self.path = Path(path)
        self.url = f"jsonl://{path}" + (f"?max_bytes={max_bytes}" if max_bytes else "")
        self.max_bytes = max_bytes
        self.read_only = read_only
        self.head_path = Path(f"{path}.head")
        self.lock_path = Path(f"{path}.lock")
        self.tree_path = Path(f"{path}.tree")
        self.signed_path = Path(f"{path}.signed")
        self.pruned_path = Path(f"{path}.pruned")
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
            tree = None
            if "tree_size" in data:
                tree = Frontier.from_bytes(int(data["tree_size"]), bytes.fromhex(data["frontier"]))
            return Checkpoint(
                int(data["count"]),
                str(data["last_hash"]),
                int(data["segments"]),
                int(data["offset"]),
                tree,
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
            cp = replace(cp, segments=cp.segments + 1, offset=0)
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
        if cp.tree is not None:
            # Nodes of an append that never committed are cut off like its lines.
            nodes = nodes_for(cp.tree.size) * HASH_SIZE
            tree_bytes = _size(self.tree_path)
            if tree_bytes > nodes:
                os.truncate(self.tree_path, nodes)
            elif tree_bytes < nodes:
                self._rebuild_tree_tail(cp.tree, tree_bytes)
        return cp

    def _rebuild_tree_tail(self, expected: Frontier, tree_bytes: int) -> None:
        """The tree file lost its tail (appends do not fsync it: after a power loss the
        records, which are fsynced, are what counts): rebuild the lost nodes from the
        records and check they give the committed tree head."""
        size = 0
        while nodes_for(size + 1) * HASH_SIZE <= tree_bytes:
            size += 1
        os.truncate(self.tree_path, nodes_for(size) * HASH_SIZE)
        with self.nodes() as node:
            tree = Frontier.from_nodes(size, node)
        _, files, _ = self._snapshot_locked()
        entries = (
            (e.seq, e.encoded)
            for e in _read_entries(files, links=True)
            if isinstance(e, Link) and e.seq > size
        )
        tree, nodes = catch_up(tree, entries)
        if tree != expected:
            raise AuditError(f"{self.tree_path} does not match the records: run verify")
        self._write_nodes(nodes, sync=True)

    def _tree_of(self, cp: Checkpoint) -> Frontier:
        """The committed tree, first extended over records it lacks (a store written
        before the tree existed). Caller holds the lock."""
        tree = Frontier.empty() if cp.tree is None else cp.tree
        if cp.tree is None and _size(self.tree_path):
            os.truncate(self.tree_path, 0)
        if tree.size < cp.count:
            _, files, _ = self._snapshot_locked()
            entries = (
                (e.seq, e.encoded)
                for e in _read_entries(files, links=True)
                if isinstance(e, Link) and e.seq > tree.size
            )
            tree, nodes = catch_up(tree, entries)
            self._write_nodes(nodes, sync=True)
        return tree

    def _write_nodes(self, nodes: list[tuple[int, bytes]], *, sync: bool) -> None:
        fd = os.open(self.tree_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            _write_all(fd, b"".join(h for _, h in nodes))
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)

    # -- writing ------------------------------------------------------------------

    def append(self, drafts: Sequence[AuditRecord], chain: Chain) -> list[AuditRecord]:
        if self.read_only:
            raise AuditError("audit store opened read-only")
        if not drafts:
            return []
        try:
            with self._locked(exclusive=True):
                cp = self._recover()
                tree = self._tree_of(cp)
                triples = chain.seal_all_with_leaves(drafts, STREAM, cp.count, cp.last_hash)
                sealed = [r for r, _, _ in triples]
                data = b"".join(_line(r) for r in sealed)
                tree, nodes = tree.extend([leaf for _, _, leaf in triples])
                if self.max_bytes and cp.offset and cp.offset + len(data) > self.max_bytes:
                    os.rename(self.path, self._segment(cp.segments + 1))
                    _fsync_dir(self.path.parent)
                    cp = replace(cp, segments=cp.segments + 1, offset=0)
                    self._write_checkpoint(cp)
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                try:
                    _write_all(fd, data)
                    os.fsync(fd)
                finally:
                    os.close(fd)
                # Not fsynced: the tree is rebuilt from the (fsynced) records should a
                # power loss take its tail (see _recover).
                self._write_nodes(nodes, sync=False)
                if cp.offset == 0:
                    _fsync_dir(self.path.parent)
                self._write_checkpoint(
                    replace(
                        cp,
                        count=sealed[-1].seq,
                        last_hash=sealed[-1].hash,
                        offset=cp.offset + len(data),
                        tree=tree,
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
            return self._snapshot_locked()

    def _snapshot_locked(
        self,
    ) -> tuple[Checkpoint | None, list[tuple[IO[bytes], int | None]], int]:
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

    def verify(
        self,
        chain: Chain,
        workers: int | None = None,
        public_key: PublicKey | None = None,
        anchored: Sequence[SignedCheckpoint] = (),
    ) -> VerifyReport:
        try:
            with self._locked(exclusive=False):
                cp, files, extra = self._snapshot_locked()
                tree_file = _open_or_none(self.tree_path)
                pruned = self._read_pruned()
                signed = self._read_signed()
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
        if pruned is not None:
            # Lines a prune was cut short before removing are pruned all the same.
            entries = (e for e in entries if isinstance(e, Corrupt) or e.seq > pruned.count)
        frontier = None if cp is None else cp.tree
        if frontier is not None and tree_file is None and frontier.size:
            frontier = None  # reported below as a missing tree
        tree = StreamTree(
            frontier,
            _file_nodes(tree_file, nodes_for(frontier.size) if frontier else 0),
            _file_node_getter(tree_file),
            [c for c in [*signed, *anchored] if c.stream == STREAM],
            pruned.count if pruned else 0,
        )
        try:
            report = verify_stream(
                STREAM, entries, head, chain, TreeCheck(STREAM, tree, public_key), pruned
            )
        except AuditError as exc:
            return VerifyReport(0, False, None, f"cannot verify the store: {exc}", STREAM)
        finally:
            if tree_file is not None:
                tree_file.close()
        if report.ok and extra:
            note = f"; {extra} bytes of an append that never committed are ignored"
            report = replace(report, reason=report.reason + note)
        return report

    # -- the Merkle tree, checkpoints and pruning ---------------------------------

    stream = STREAM

    def tree_head(self, stream: str | None = None) -> Frontier:
        with self._locked(exclusive=False):
            cp = self._read_checkpoint()
        return Frontier.empty() if cp is None or cp.tree is None else cp.tree

    @contextmanager
    def nodes(self, stream: str | None = None) -> Iterator[NodeGetter]:
        f = _open_or_none(self.tree_path)
        try:
            yield _file_node_getter(f)
        finally:
            if f is not None:
                f.close()

    def add_checkpoint(self, cp: SignedCheckpoint) -> None:
        if self.read_only:
            raise AuditError("audit store opened read-only")
        try:
            with self._locked(exclusive=True):
                fd = os.open(self.signed_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                try:
                    _write_all(fd, (cp.line() + "\n").encode("utf-8"))
                    os.fsync(fd)
                finally:
                    os.close(fd)
        except OSError as exc:
            raise AuditError(f"cannot store a checkpoint in {self.signed_path}: {exc}") from exc

    def _read_signed(self) -> list[SignedCheckpoint]:
        try:
            text = self.signed_path.read_text("utf-8")
        except FileNotFoundError:
            return []
        out = []
        for line in text.splitlines():
            if line.strip():
                try:
                    out.append(SignedCheckpoint.from_json(json.loads(line)))
                except ValueError as exc:
                    raise AuditError(f"{self.signed_path}: damaged line ({exc})") from None
        return sorted(out, key=lambda c: c.size)

    def checkpoints(self, stream: str | None = None) -> list[SignedCheckpoint]:
        with self._locked(exclusive=False):
            found = self._read_signed()
        return [cp for cp in found if stream is None or cp.stream == stream]

    def _read_pruned(self) -> Head | None:
        try:
            data = json.loads(self.pruned_path.read_bytes())
            return Head(int(data["through"]), str(data["last_hash"]))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as exc:
            raise AuditError(f"{self.pruned_path} is damaged: {exc}") from exc

    def pruned(self, stream: str | None = None) -> int:
        with self._locked(exclusive=False):
            marker = self._read_pruned()
        return 0 if marker is None else marker.count

    def prune(self, stream: str, through: int) -> int:
        """Rewrite the files without records 1..through: a rotated file holding only
        such records is deleted, the file holding the cut is rewritten (a new file
        renamed over it). The marker is written first, so a prune cut short leaves
        records that readers and verify already treat as pruned."""
        if self.read_only:
            raise AuditError("audit store opened read-only")
        try:
            with self._locked(exclusive=True):
                cp = self._recover()
                last = None
                for line in _committed_lines(self._snapshot_locked()[1]):
                    entry = _entry(line, True)
                    if isinstance(entry, Link) and entry.seq == through:
                        last = entry.hash
                        break
                if last is None:
                    raise AuditError(f"record {through} is not in the store")
                # The pruned records' nodes must outlive them: on disk before they go.
                fd = os.open(self.tree_path, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
                marker = json.dumps({"stream": STREAM, "through": through, "last_hash": last})
                self._replace_file(self.pruned_path, marker.encode("ascii") + b"\n")
                deleted = 0
                paths = [self._segment(n) for n in self._segment_numbers()] + [self.path]
                for path in paths:
                    if not path.exists():
                        continue
                    limit = cp.offset if path == self.path else None
                    kept, gone = _split_lines(path, through, limit)
                    deleted += gone
                    if not gone:
                        continue
                    if path != self.path and not kept:
                        path.unlink()
                        continue
                    self._replace_file(path, kept)
                    if path == self.path:
                        cp = replace(cp, offset=len(kept))
                        self._write_checkpoint(cp)
                _fsync_dir(self.path.parent)
        except OSError as exc:
            raise AuditError(f"cannot prune {self.path}: {exc}") from exc
        return deleted

    def _replace_file(self, path: Path, data: bytes) -> None:
        tmp = Path(f"{path}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)

    def close(self) -> None:
        with self._tlock:
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None


def _open_or_none(path: Path) -> IO[bytes] | None:
    try:
        return open(path, "rb")
    except FileNotFoundError:
        return None


def _file_nodes(f: IO[bytes] | None, count: int) -> Iterator[tuple[int, bytes]]:
    if f is None:
        return
    f.seek(0)
    for pos in range(count):
        h = f.read(HASH_SIZE)
        if len(h) < HASH_SIZE:
            return
        yield pos, h


def _file_node_getter(f: IO[bytes] | None) -> NodeGetter:
    def node(level: int, index: int) -> bytes:
        if f is None:
            raise KeyError("the store has no tree file")
        h = os.pread(f.fileno(), HASH_SIZE, node_position(level, index) * HASH_SIZE)
        if len(h) < HASH_SIZE:
            raise KeyError(f"tree node ({level}, {index}) is missing")
        return h

    return node


def _split_lines(path: Path, through: int, limit: int | None) -> tuple[bytes, int]:
    """(the lines of ``path`` to keep, how many were dropped): lines of records up to
    ``through`` go; with ``limit``, bytes past it (uncommitted) are dropped too."""
    data = path.read_bytes()
    if limit is not None:
        data = data[:limit]
    kept: list[bytes] = []
    gone = 0
    for line in data.splitlines(keepends=True):
        entry = _entry(line, True)
        if isinstance(entry, Link) and entry.seq <= through:
            gone += 1
        elif entry is not None:
            kept.append(line)
    return b"".join(kept), gone


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
        return _link(data) if links else record_from_dict(data)
    except (ValueError, KeyError, TypeError) as exc:
        return Corrupt(f"undecodable line ({type(exc).__name__}: {exc})")


def _link(d: dict[str, Any]) -> Link:
    """What verify needs of a decoded line, without building an AuditRecord."""
    encoded = canonical_of_dict(d)
    return Link(int(d["seq"]), str(d["stream"]), str(d["alg"]), str(d["prev_hash"]),
                str(d["hash"]), encoded)  # fmt: skip


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
            yield (links_of_lines, chunk)
            chunk = []
    if chunk:
        yield (links_of_lines, chunk)


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
