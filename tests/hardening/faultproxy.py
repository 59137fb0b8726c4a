"""A loopback HTTP/1.1 proxy that breaks exchanges on purpose, one request at a time.

Put it between a client and the emulator (``client base_url = proxy.base_url``), queue the
faults the next requests meet with :meth:`FaultProxy.script`, and read afterwards what it
saw: every request, its SOAP operation, what was done to it and whether the emulator got
it (``forwarded``). Requests beyond the script pass through untouched.

Modes (per request):

=================  ===========================================================  =========
mode               what the client sees                                         forwarded
=================  ===========================================================  =========
``pass``           the emulator's answer                                        yes
``reset_before``   TCP reset once the request has arrived                       no
``reset_after``    TCP reset after the emulator answered (the answer is lost)   yes
``drip``           the answer, ``drip_chunk`` bytes every ``drip_delay`` s      yes
``stall``          nothing, until the client gives up (its read timeout)        yes
``truncate``       headers and half the body, then the connection closes        yes
``truncate_xml``   a complete HTTP answer whose envelope is cut in half         yes
``html502``        a gateway's HTML ``502 Bad Gateway`` page                    no
``503``            ``503 Service Unavailable`` (plain text)                     no
=================  ===========================================================  =========
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import socket
import struct
import threading
import time
from collections import deque

MODES = (
    "pass",
    "reset_before",
    "reset_after",
    "drip",
    "stall",
    "truncate",
    "truncate_xml",
    "html502",
    "503",
)
FORWARDING = frozenset({"pass", "reset_after", "drip", "stall", "truncate", "truncate_xml"})
_OPERATION = re.compile(rb"Body>\s*<(?:[\w.-]+:)?(\w+)")
_NONCE = re.compile(rb"Nonce[^>]*>([^<]*)<")
HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


@dataclasses.dataclass(frozen=True, slots=True)
class Seen:
    """One request the proxy received, and what it did with it."""

    mode: str
    method: str
    path: str
    operation: str | None
    forwarded: bool
    nonce: str | None  # the UsernameToken's Nonce, to tell a re-sent envelope from a new one


class ProxyError(Exception):
    pass


class FaultProxy:
    def __init__(self, upstream_port: int, *, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.drip_chunk = 64
        self.drip_delay = 0.005
        self.seen: list[Seen] = []
        self._script: deque[str] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._clients: list[socket.socket] = []
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self._server.settimeout(0.1)
        self.port: int = self._server.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._accept_thread = threading.Thread(target=self._accept, name="faultproxy", daemon=True)
        self._accept_thread.start()

    # control ---------------------------------------------------------------------------

    def script(self, *modes: str) -> None:
        """Queue modes for the next requests, in order; later requests pass."""
        for mode in modes:
            if mode not in MODES:
                raise ValueError(f"unknown mode {mode!r}")
        with self._lock:
            self._script.extend(modes)

    def count(self, *, operation: str | None = None, forwarded: bool | None = None) -> int:
        """How many requests arrived (for ``operation``; only those forwarded or not)."""
        with self._lock:
            return sum(
                1
                for s in self.seen
                if (operation is None or s.operation == operation)
                and (forwarded is None or s.forwarded == forwarded)
            )

    def reset_counts(self) -> None:
        with self._lock:
            self.seen.clear()
            self._script.clear()

    def close(self) -> None:
        self._stop.set()
        self._accept_thread.join()
        with self._lock:
            clients = list(self._clients)
        for client in clients:
            with contextlib.suppress(OSError):
                client.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._server.close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # serving ---------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                continue
            with self._lock:
                self._clients.append(client)
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _next_mode(self) -> str:
        with self._lock:
            return self._script.popleft() if self._script else "pass"

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(0.2)
        reader = _Reader(client, self._stop)
        try:
            while not self._stop.is_set():
                request = reader.message()
                if request is None:
                    return  # the client closed its connection
                mode = self._next_mode()
                head = request.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
                found = _OPERATION.search(request)
                nonce = _NONCE.search(request)
                with self._lock:
                    self.seen.append(
                        Seen(
                            mode=mode,
                            method=head[0],
                            path=head[1] if len(head) > 1 else "",
                            operation=found.group(1).decode() if found else None,
                            forwarded=mode in FORWARDING,
                            nonce=nonce.group(1).decode() if nonce else None,
                        )
                    )
                if not self._answer(client, reader, request, mode):
                    return
        except (OSError, ProxyError):
            return
        finally:
            with contextlib.suppress(OSError):
                client.close()

    def _answer(self, client: socket.socket, reader: _Reader, request: bytes, mode: str) -> bool:
        """Handle one request; False when the client connection is finished."""
        if mode == "reset_before":
            _reset(client)
            return False
        if mode == "html502":
            client.sendall(_response(502, "Bad Gateway", "text/html", HTML_502))
            return True
        if mode == "503":
            client.sendall(_response(503, "Service Unavailable", "text/plain", b"overloaded\n"))
            return True
        answer = self._forward(request)
        if mode == "pass":
            client.sendall(answer)
        elif mode == "reset_after":
            _reset(client)
            return False
        elif mode == "drip":
            for start in range(0, len(answer), self.drip_chunk):
                client.sendall(answer[start : start + self.drip_chunk])
                time.sleep(self.drip_delay)
        elif mode == "stall":
            reader.wait_for_close()
            return False
        elif mode == "truncate":
            head, _, body = answer.partition(b"\r\n\r\n")
            client.sendall(head + b"\r\n\r\n" + body[: len(body) // 2])
            return False
        elif mode == "truncate_xml":
            head, _, body = answer.partition(b"\r\n\r\n")
            cut = body[: len(body) // 2]
            head = re.sub(rb"(?im)^content-length:.*$", b"Content-Length: %d" % len(cut), head)
            client.sendall(head + b"\r\n\r\n" + cut)
        return True

    def _forward(self, request: bytes) -> bytes:
        with socket.create_connection(self.upstream, timeout=30) as upstream:
            upstream.sendall(request)
            answer = _Reader(upstream, self._stop).message(response=True)
        if answer is None:
            raise ProxyError("the upstream closed without answering")
        return answer


class _Reader:
    """Reads whole HTTP/1.1 messages (Content-Length framing) from a socket."""

    def __init__(self, sock: socket.socket, stop: threading.Event) -> None:
        self.sock = sock
        self.stop = stop
        self.buffer = b""

    def _fill(self) -> bool:
        while not self.stop.is_set():
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                continue
            if not data:
                return False
            self.buffer += data
            return True
        return False

    def message(self, *, response: bool = False) -> bytes | None:
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                return None
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        found = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        length = int(found.group(1)) if found else 0
        if response and found is None:
            # No length: the body runs to the end of the connection.
            while self._fill():
                pass
            message, self.buffer = self.buffer, b""
            return message
        while len(rest) < length:
            if not self._fill():
                raise ProxyError("connection closed inside a message")
            head, _, rest = self.buffer.partition(b"\r\n\r\n")
        message = head + b"\r\n\r\n" + rest[:length]
        self.buffer = rest[length:]
        return message

    def wait_for_close(self) -> None:
        """Hold the connection, answering nothing, until the peer closes it."""
        while self._fill():
            self.buffer = b""


def _reset(sock: socket.socket) -> None:
    # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _response(status: int, reason: str, content_type: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body
