"""A small forwarding HTTP proxy on loopback for the proxy tests, recording what it relays.

Plain ``http://`` requests arrive in absolute form and are forwarded one per connection
(``Connection: close``); ``CONNECT host:port`` opens a tunnel, so an ``https://`` call
keeps its TLS handshake end to end with the server behind it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import select
import socket
import threading
from urllib.parse import urlsplit


@dataclasses.dataclass(frozen=True)
class Seen:
    method: str
    target: str
    headers: dict[str, str]


class ForwardProxy:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.5)
        self.seen: list[Seen] = []
        self.tunnelled_bytes = b""  # what went through CONNECT tunnels, client to server
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._live: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(timeout=5)
        for sock in list(self._live):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> ForwardProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _handle(self, client: socket.socket) -> None:
        self._live.add(client)
        client.settimeout(10)
        try:
            with client:
                head, rest = _read_head(client)
                if head is None:
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, version = lines[0].split(" ", 2)
                headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
                self.seen.append(Seen(method, target, headers))
                if method == "CONNECT":
                    self._tunnel(client, target, rest)
                else:
                    self._forward(client, method, target, version, lines[1:], rest)
        except OSError:
            pass
        finally:
            self._live.discard(client)

    def _tunnel(self, client: socket.socket, target: str, rest: bytes) -> None:
        host, _, port = target.rpartition(":")
        with socket.create_connection((host, int(port)), timeout=10) as upstream:
            self._live.add(upstream)
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
            peers = {client: upstream, upstream: client}
            while True:
                ready, _, _ = select.select(list(peers), [], [], 10)
                if not ready:
                    return
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is client:
                        self.tunnelled_bytes += data
                    peers[sock].sendall(data)

    def _forward(
        self,
        client: socket.socket,
        method: str,
        target: str,
        version: str,
        header_lines: list[str],
        rest: bytes,
    ) -> None:
        parts = urlsplit(target)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        kept = [
            line
            for line in header_lines
            if line and not line.lower().startswith(("proxy-", "connection:"))
        ]
        head = "\r\n".join([f"{method} {path} {version}", *kept, "Connection: close", "", ""])
        length = next(
            (
                int(line.split(":", 1)[1])
                for line in kept
                if line.lower().startswith("content-length")
            ),
            0,
        )
        while len(rest) < length:
            chunk = client.recv(65536)
            if not chunk:
                break
            rest += chunk
        with socket.create_connection((parts.hostname, parts.port or 80), timeout=10) as upstream:
            upstream.sendall(head.encode("latin-1") + rest)
            while chunk := upstream.recv(65536):
                client.sendall(chunk)


def _read_head(sock: socket.socket) -> tuple[bytes | None, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest
