"""Canonical encodings computed in worker processes, for verifying large stores.

Verifying a store is decoding every record and hashing it in order. The hashing is
cheap and must be sequential; the decoding (JSON lines, database rows) is most of
the cost and independent per record, so for large stores it runs in worker
processes while the calling process walks the chain. Workers return canonical
encodings (:class:`~boomisoap.audit.verify.Link`); they never see an HMAC key, and
every hash is still computed and compared by the caller. A job names the function
that does it (a store's own, pickled by reference), so this module knows no store.

Workers are plain ``python`` children speaking length-prefixed pickles over their
standard streams: unlike multiprocessing, this neither re-runs the caller's
``__main__`` nor forks a threaded process.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from .errors import AuditError
from .verify import Entry, Link

# Below these sizes starting processes costs more than it saves.
PARALLEL_FROM_BYTES = 32 * 1024 * 1024
PARALLEL_FROM_ROWS = 20_000
MAX_WORKERS = 4

_HEADER = struct.Struct(">Q")
# The children import this very package: found as usual, or else where it was found here.
_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_WORKER_MAIN = (
    "import sys; sys.path.append(sys.argv[1]); "
    "from boomisoap.audit.parallel import serve; serve(sys.stdin.buffer, sys.stdout.buffer)"
)
Job = tuple[Callable[[Any], list[Any]], Any]
"""(function, payload): a module-level function of a store and what it reads."""


def auto_workers(large: bool) -> int:
    """How many workers to use for a store: none for a small store, on one CPU, or in
    an embedded interpreter that cannot start another Python."""
    cpus = os.cpu_count() or 1
    return min(cpus, MAX_WORKERS) if large and cpus > 1 and sys.executable else 0


def _send(stream: IO[bytes], value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("the other side closed the pipe")
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the other side closed the pipe mid-message")
    return pickle.loads(data)


def ordered_entries(jobs: Iterable[Job], workers: int) -> Iterator[Entry]:
    """Run ``jobs`` (function, payload) on ``workers`` processes; yield their entries in
    job order. Each worker has one job at a time, and gets its next one before the
    caller consumes the previous result, so workers and caller run side by side."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER_MAIN, _PACKAGE_ROOT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        for _ in range(workers)
    ]
    busy: deque[subprocess.Popen[bytes]] = deque()
    try:
        queue = iter(jobs)
        for proc in procs:
            job = next(queue, None)
            if job is None:
                break
            _send(_stdin(proc), job)
            busy.append(proc)
        while busy:
            proc = busy.popleft()
            result = _receive(_stdout(proc))
            if isinstance(result, BaseException):
                raise AuditError(f"verification worker failed: {result!r}")
            job = next(queue, None)
            if job is not None:
                _send(_stdin(proc), job)
                busy.append(proc)
            for entry in result:
                yield Link._make(entry) if type(entry) is tuple else entry
    except (EOFError, OSError, pickle.PickleError) as exc:
        raise AuditError(f"verification worker failed: {exc}") from None
    finally:
        # Closing both pipes ends every worker: at its next read, or at the write of
        # a result nobody will read (the caller stopped at a broken record).
        for proc in procs:
            for pipe in (proc.stdin, proc.stdout):
                if pipe is not None:
                    pipe.close()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _stdin(proc: subprocess.Popen[bytes]) -> IO[bytes]:
    assert proc.stdin is not None
    return proc.stdin


def _stdout(proc: subprocess.Popen[bytes]) -> IO[bytes]:
    assert proc.stdout is not None
    return proc.stdout


def serve(stdin: IO[bytes], stdout: IO[bytes]) -> None:
    while True:
        try:
            function, payload = _receive(stdin)
        except EOFError:
            return
        try:
            # Links travel as plain tuples: pickled many times faster than objects.
            result: object = [
                tuple(entry) if isinstance(entry, Link) else entry for entry in function(payload)
            ]
        except Exception as exc:  # reported to the caller, which raises AuditError
            result = RuntimeError(f"{type(exc).__name__}: {exc}")
        try:
            _send(stdout, result)
        except OSError:  # the caller stopped early (a broken chain) and closed the pipe
            return
