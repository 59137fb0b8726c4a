"""A throwaway Redis server for tests: ``redis-server`` on a free port, stopped after.

Usage::

    from redisserver import redis_server

    with redis_server() as server:    # skips the test when redis-server is missing
        server.url                    # (fails instead when CI=true)
        server.stop(); server.start() # an outage, then the same server back on its port

Nothing is persisted (``--save ''``, no AOF); the server runs in the foreground as a
child process so that the test owns it and a crash leaves nothing behind.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class RedisUnavailable(RuntimeError):
    """No redis-server binary on this machine."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    def __init__(self, binary: str, directory: Path) -> None:
        self.binary = binary
        self.directory = directory
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert self.process is None, "already running"
        log = open(self.directory / "redis.log", "ab")  # noqa: SIM115 - kept by the child
        with log:
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                    "--dir",
                    str(self.directory),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited: {self.log()}")
            if self._answers():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not start: {self.log()}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def log(self) -> str:
        path = self.directory / "redis.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""


def find_binary() -> str:
    found = shutil.which("redis-server")
    if found is None:
        raise RedisUnavailable("redis-server not found in PATH (Debian package redis-server)")
    return found


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    """A running server; skip the test when redis-server is missing, fail when CI=true."""
    from required import missing

    try:
        binary = find_binary()
    except RedisUnavailable as exc:
        missing(f"Redis ({exc})", "apt-get install redis-server")
    directory = Path(tempfile.mkdtemp(prefix="redis-"))
    server = RedisServer(binary, directory)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
