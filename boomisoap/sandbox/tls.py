"""HTTPS for the sandbox: a TLS-terminating front in front of waitress.

waitress speaks plain HTTP only, and wrapping its non-blocking asyncore sockets in TLS
would put half-read TLS records under its parser. Instead :class:`TlsFront` listens on
the public address, does each TLS handshake (requiring a client certificate when
:class:`SandboxTLS` names a client CA) on a thread of its own, and relays the decrypted
bytes to waitress on a private loopback port. A client refused at the handshake never
reaches the emulator; :attr:`TlsFront.refused` counts them with OpenSSL's reason.
"""

from __future__ import annotations

import contextlib
import dataclasses
import select
import socket
import ssl
import threading
from pathlib import Path

IDLE_TIMEOUT = 30.0  # seconds a relayed connection may stay silent
BUFFER = 65536


@dataclasses.dataclass(frozen=True, slots=True)
class SandboxTLS:
    """What the sandbox serves HTTPS with: a PEM certificate chain and its key, and the
    CA whose client certificates it requires (no client certificate asked without)."""

    cert: str | Path
    key: str | Path
    client_ca: str | Path | None = None

    def context(self) -> ssl.SSLContext:
        """The server context; raises ValueError naming the file that cannot be used."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            context.load_cert_chain(str(self.cert), str(self.key))
        except (OSError, ssl.SSLError) as exc:
            raise ValueError(
                f"cannot load TLS certificate {self.cert} / key {self.key}: {exc}"
            ) from None
        if self.client_ca is not None:
            try:
                context.load_verify_locations(str(self.client_ca))
            except (OSError, ssl.SSLError) as exc:
                raise ValueError(f"cannot load client CA {self.client_ca}: {exc}") from None
            context.verify_mode = ssl.CERT_REQUIRED
        return context


class TlsFront:
    """Accepts TLS on ``(host, port)`` and relays each connection to ``backend``."""

    def __init__(
        self, context: ssl.SSLContext, host: str, port: int, backend: tuple[str, int]
    ) -> None:
        self._context = context
        self._backend = backend
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._listener = socket.create_server((host, port), family=family)
        self._listener.settimeout(0.5)
        self._stopping = threading.Event()
        self._live: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.refused: list[str] = []
        # Handshakes accepted but not yet ended: a client may see its refusal (the alert)
        # before the handshake thread has written the reason down.
        self._handshakes = 0
        self._handshakes_done = threading.Condition(self._lock)
        self._acceptor = threading.Thread(target=self._accept, name="sandbox-tls", daemon=True)
        self._acceptor.start()

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                raw, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(raw,), daemon=True)
            with self._lock:
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
                self._handshakes += 1
            thread.start()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._live.add(sock)

    def _serve(self, raw: socket.socket) -> None:
        raw.settimeout(IDLE_TIMEOUT)
        self._track(raw)
        try:
            try:
                secure = self._context.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                self.refused.append(getattr(exc, "reason", None) or type(exc).__name__)
                self._handshake_ended()
                _linger(raw)
                return
            self._handshake_ended()
            self._track(secure)
            with secure, socket.create_connection(self._backend, timeout=IDLE_TIMEOUT) as plain:
                self._track(plain)
                _relay(secure, plain)
        except OSError:
            pass
        finally:
            with self._lock:
                self._live.discard(raw)
            raw.close()

    def _handshake_ended(self) -> None:
        with self._lock:
            self._handshakes -= 1
            self._handshakes_done.notify_all()

    def refusals(self, wait: float = 2.0) -> list[str]:
        """The reasons of the refused handshakes, once those under way have ended."""
        with self._lock:
            self._handshakes_done.wait_for(lambda: self._handshakes <= 0, timeout=wait)
            return list(self.refused)

    def stop(self) -> None:
        self._stopping.set()
        self._listener.close()
        self._acceptor.join(timeout=5)
        with self._lock:
            live, threads = list(self._live), list(self._threads)
        for sock in live:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(timeout=5)


def _linger(raw: socket.socket) -> None:
    """Close after a refused handshake so that the client reads the TLS alert: closing
    with its unread request still buffered would reset the connection and lose it."""
    with contextlib.suppress(OSError):
        raw.shutdown(socket.SHUT_WR)
        raw.settimeout(1.0)
        while raw.recv(BUFFER):
            pass


def _relay(secure: ssl.SSLSocket, plain: socket.socket) -> None:
    """Copy bytes both ways until either side closes or stays silent too long."""
    peers: dict[socket.socket, socket.socket] = {secure: plain, plain: secure}
    while True:
        # Bytes already decrypted by OpenSSL are invisible to select.
        ready: list[socket.socket] | None = [secure] if secure.pending() else None
        if ready is None:
            ready, _, _ = select.select(list(peers), [], [], IDLE_TIMEOUT)
        if not ready:
            return
        for sock in ready:
            try:
                data = sock.recv(BUFFER)
            except ssl.SSLWantReadError:
                continue
            if not data:
                return
            peers[sock].sendall(data)
