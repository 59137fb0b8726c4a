"""``Sandbox(workers=N)``: N processes serving one listening socket over one database file.

One process runs one Python interpreter, whose lock lets one thread run at a time; several
processes use several cores. The parent binds the socket and hands it to each worker, a
fresh interpreter (``python -m boomisoap.sandbox.worker``, nothing of the caller's own
script re-run); the kernel gives each new connection to whichever worker accepts it first.
What one process kept in memory is in the shared SQLite file (WAL mode) instead: objects
(each worker's row cache checks ``PRAGMA data_version``), the WS-Security replay cache, the
per-account rate limit and the query tokens, so every worker refuses a Nonce another
accepted, charges the same buckets and pages any worker's ``queryToken``.

A worker reads its options (pickled) from its stdin and serves until that pipe closes:
when the parent stops the pool, or dies.
"""

from __future__ import annotations

import os
import pickle
import socket
import subprocess
import sys
import threading
from typing import Any

START_TIMEOUT = 120.0  # seconds for every worker to import, open the database and listen
STOP_TIMEOUT = 10.0
READY = "ready"
WORKER_MODULE = "boomisoap.sandbox.worker"  # its main(), run by name: no import here


class WorkerPool:
    """The worker processes of one sandbox, started on construction."""

    def __init__(self, options: dict[str, Any], count: int, host: str, port: int) -> None:
        options = dict(options)
        try:
            pickle.dumps(options)
        except Exception as exc:
            raise TypeError(
                f"these Sandbox options cannot be sent to worker processes: {exc}"
            ) from None
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._socket = socket.socket(family, socket.SOCK_STREAM)
        try:
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._socket.bind((host, port))
            self._socket.listen(1024)
        except OSError:
            self._socket.close()
            raise
        self.port = int(self._socket.getsockname()[1])
        self._processes: list[subprocess.Popen[bytes]] = []
        try:
            for number in range(1, count + 1):
                # Each worker is told its number (the X-Sandbox-Worker header of its answers).
                options["_worker"] = number
                self._processes.append(self._spawn(pickle.dumps(options)))
            for process in self._processes:
                self._wait_ready(process)
        except BaseException:
            self.stop()
            raise

    def _spawn(self, payload: bytes) -> subprocess.Popen[bytes]:
        fd = self._socket.fileno()
        process = subprocess.Popen(
            [sys.executable, "-m", WORKER_MODULE, str(fd)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            pass_fds=(fd,),
            env=_environment(),
        )
        assert process.stdin is not None
        levels = pickle.dumps(logging_levels())
        for part in (levels, payload):
            process.stdin.write(len(part).to_bytes(8, "big") + part)
        process.stdin.flush()
        return process

    @staticmethod
    def _wait_ready(process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        found: list[bytes] = []
        reader = threading.Thread(target=lambda: found.append(process.stdout.readline()))  # type: ignore[union-attr]
        reader.start()
        reader.join(START_TIMEOUT)
        line = found[0].decode(errors="replace").strip() if found else ""
        if line != READY:
            raise RuntimeError(f"a sandbox worker did not start: {line or 'no answer'}")

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self._processes]

    def stop(self) -> None:
        """Close every worker's stdin (its signal to stop), wait for them, close the socket."""
        for process in self._processes:
            if process.stdin is not None:
                process.stdin.close()
        for process in self._processes:
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT)
            if process.stdout is not None:
                process.stdout.close()
        self._processes = []
        self._socket.close()


def logging_levels() -> dict[str, int]:
    """This process's logging levels that a worker repeats: the root's (the request log of
    ``sandbox serve``) and waitress's task-queue warnings (which a busy server logs on
    every request when they are not silenced)."""
    import logging

    return {
        name: logging.getLogger(name or None).getEffectiveLevel() for name in ("", "waitress.queue")
    }


def _environment() -> dict[str, str]:
    """The worker imports the same boomisoap as this process (a checkout or an install)."""
    # This file is <root>/boomisoap/sandbox/workers.py.
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    paths = [root, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
