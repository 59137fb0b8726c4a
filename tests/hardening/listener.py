"""Watching for connections nobody should make: a counting listener and a connect() spy."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import Any


class Listener:
    """A loopback TCP listener counting every connection made to it (and answering none)."""

    def __init__(self) -> None:
        self.hits = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port: int = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hit-listener", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@contextlib.contextmanager
def outbound_connections(allowed_ports: set[int]) -> Iterator[list[Any]]:
    """Record every ``socket.connect`` made from Python in this process to another port.

    libxml2 fetches through its own C sockets, which only the :class:`Listener` sees;
    this catches Python-level fetches (urllib in a schema library, say) from any thread.
    """
    made: list[Any] = []
    original = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        port = address[1] if isinstance(address, tuple) and len(address) > 1 else None
        if port not in allowed_ports:
            made.append(address)
        return original(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign]
    try:
        yield made
    finally:
        socket.socket.connect = original  # type: ignore[method-assign]
