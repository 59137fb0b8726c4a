"""Kept-alive ``http.client`` connections: the sending path of a client that owns its session.

requests and urllib3 spend ~300 µs of CPU on each call (header dictionaries merged and
re-checked, the URL parsed again, the pool looked up by a normalised key, the body sent
apart from the headers, the answer wrapped twice) for what one ``http.client`` connection
does in a tenth of it. A client that made its own session, with no proxy for the host,
sends through :class:`Connections` instead; the answer, the errors and the settings are the
same (docs/client.md, "How requests are sent"). Anything requests would do differently
(a user's session, a proxy, a cookie the server set, a test double patched into requests)
keeps the requests path: :func:`requests_patched` tells the transport.
"""

from __future__ import annotations

import errno
import http.client
import logging
import select
import socket
import ssl
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.adapters

from .httpconfig import Timeout

# What the session made by http_session.new_session keeps idle per host, as its pool does.
MAX_IDLE = 64
# The encodings asked for are the ones decoded here; requests asks for the same two.
ACCEPT_ENCODING = "gzip, deflate"
_CLOSED_EARLY = (errno.ECONNRESET, errno.EPROTOTYPE)
# The two lines urllib3 logs at DEBUG, for whoever follows connections in the log; like
# every record, scrubbed of the live secrets (boomisoap.redact.logs).
log = logging.getLogger(__name__)

_SEND = requests.Session.send
_GET_ADAPTER = requests.Session.get_adapter
_ADAPTER_SEND = requests.adapters.HTTPAdapter.send


def requests_patched() -> bool:
    """Whether a test double (requests-mock, responses, ...) replaced requests' sending.

    Such a double answers what the test told it to only when the call goes through
    requests, so then the client does too. Checked on every call: a mock is started and
    stopped around the calls it answers.
    """
    return (
        requests.Session.send is not _SEND
        or requests.Session.get_adapter is not _GET_ADAPTER
        or requests.adapters.HTTPAdapter.send is not _ADAPTER_SEND
    )


# (verify, cert) as requests takes them: True, False or a CA bundle file or directory; a
# PEM file or a (certificate, key) pair.
Tls = tuple[bool | str, str | tuple[str, str] | None]
_Key = tuple[str, str, int, Tls]


def tls_context(
    verify: bool | str, cert: str | tuple[str, str] | None, base: ssl.SSLContext | None = None
) -> ssl.SSLContext:
    """The TLS context requests' adapter would connect with for ``verify`` and ``cert``:
    urllib3's defaults (TLS 1.2 or later, its ciphers), only certifi's CAs unless
    ``verify`` names a bundle file or directory, the hostname checked; ``base`` is a
    context already holding a client certificate (PKCS#12, httpconfig.pkcs12_context).
    The sync and the async transports both connect with it."""
    import os

    from urllib3.util.ssl_ import create_urllib3_context

    context = base or create_urllib3_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif verify is True:
        import certifi

        context.load_verify_locations(cafile=certifi.where())
    elif os.path.isdir(verify):
        context.load_verify_locations(capath=verify)
    else:
        context.load_verify_locations(cafile=verify)
    if isinstance(cert, tuple):
        context.load_cert_chain(cert[0], cert[1])
    elif cert is not None:
        context.load_cert_chain(cert)
    context.set_alpn_protocols(["http/1.1"])
    return context


@dataclass(frozen=True, slots=True)
class Answer:
    """A response as read from the connection, its body decoded and bounded."""

    status: int
    headers: dict[str, str]
    body: bytes
    # The header block as http.client parsed it (for a cookie jar to read Set-Cookie).
    message: http.client.HTTPMessage


class TooLarge(Exception):
    """The decoded body passed the limit; the connection is closed, not reused."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class Connections:
    """Idle keep-alive connections per (scheme, host, port), shared by a client's threads.

    A connection is taken for one exchange and given back once its answer is read whole;
    one that the server has closed meanwhile (readable while idle) is dropped, as urllib3
    drops it, and any connection an error interrupted is closed.
    """

    def __init__(self) -> None:
        # Built on first https use: a plain-HTTP client never loads a CA bundle.
        self._contexts: dict[Tls, ssl.SSLContext] = {}
        self._idle: dict[_Key, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes | None,
        timeout: Timeout,
        max_bytes: int,
        on_sent: Callable[[], None],
        tls: Tls = (True, None),
    ) -> Answer:
        """Send one request and read its answer; ``on_sent`` runs once it is on the wire.

        Raises :class:`TooLarge` past ``max_bytes``, and otherwise the requests exception
        requests would have raised, its cause the socket's, ssl's or http.client's own.
        """
        parts = urlsplit(url)
        scheme = parts.scheme
        host = parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        key = (scheme, host, port, tls)
        connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        connection = self._take(key)
        if connection is None:
            connection = self._open(key, connect)
        keep = False
        try:
            response = _exchange(connection, method, target, body, headers, read, on_sent)
            answer = _read(response, max_bytes)
            keep = not response.will_close
            log.debug('%s://%s:%s "%s %s HTTP/1.1" %s %s', scheme, host, port, method, target,
                      answer.status, len(answer.body))  # fmt: skip
            return answer
        finally:
            if keep:
                self._give_back(key, connection)
            else:
                connection.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()

    def _take(self, key: _Key) -> http.client.HTTPConnection | None:
        while True:
            with self._lock:
                connections = self._idle.get(key)
                if not connections:
                    return None
                connection = connections.pop()
            if not _dropped(connection):
                return connection
            connection.close()

    def _give_back(self, key: _Key, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            connections = self._idle.setdefault(key, [])
            if not self._closed and len(connections) < MAX_IDLE:
                connections.append(connection)
                return
        connection.close()

    def _open(self, key: _Key, connect: float) -> http.client.HTTPConnection:
        scheme, host, port, tls = key
        log.debug("Starting new %s connection: %s:%s", scheme.upper(), host, port)
        # Looked up when used, so that a recorder patched into http.client (vcrpy) sees it.
        connection: http.client.HTTPConnection
        if scheme == "https":
            context = self._contexts.get(tls)
            if context is None:
                context = self._contexts[tls] = tls_context(*tls)
            connection = http.client.HTTPSConnection(host, port, timeout=connect, context=context)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=connect)
        try:
            connection.connect()
        except BaseException as exc:
            connection.close()
            raise _connect_error(exc) from exc
        assert connection.sock is not None
        # One segment for a small request's headers and body (http.client sends them in
        # one write), and no wait for the server's delayed acknowledgement of the last.
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection


def _connect_error(exc: BaseException) -> BaseException:
    """What requests raises for a connection that could not be opened: the transport reads
    the same exceptions (and the same "nothing was sent") from either path."""
    from urllib3.exceptions import NewConnectionError

    if isinstance(exc, TimeoutError):
        return requests.exceptions.ConnectTimeout(exc)
    if isinstance(exc, ssl.SSLError):
        return requests.exceptions.SSLError(exc)
    if isinstance(exc, OSError):
        return requests.ConnectionError(NewConnectionError(None, str(exc)))  # type: ignore[arg-type]
    return exc


def _dropped(connection: http.client.HTTPConnection) -> bool:
    """Whether an idle connection can no longer be used: closed by the server, or holding
    bytes nobody asked for."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _exchange(
    connection: http.client.HTTPConnection,
    method: str,
    target: str,
    body: bytes | None,
    headers: dict[str, str],
    read: float,
    on_sent: Callable[[], None],
) -> http.client.HTTPResponse:
    """Write the request, read the status line and headers; errors as requests names them."""
    try:
        assert connection.sock is not None
        connection.sock.settimeout(read)
        try:
            connection.request(method, target, body, headers)
        except OSError as exc:
            # urllib3's rule: a server may answer and close before it has read a whole
            # (large) body; its answer is still there to read.
            if not isinstance(exc, BrokenPipeError) and exc.errno not in _CLOSED_EARLY:
                raise
        on_sent()
        return connection.getresponse()
    except TimeoutError as exc:
        raise requests.exceptions.ReadTimeout(exc) from exc
    except ssl.SSLError as exc:
        raise requests.exceptions.SSLError(exc) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise requests.ConnectionError(exc) from exc
    except ValueError as exc:  # a header or target http.client refuses to write
        raise requests.RequestException(exc) from exc


def _read(response: http.client.HTTPResponse, max_bytes: int) -> Answer:
    """The answer, its body read whole; errors as requests' ``iter_content`` names them."""
    try:
        return _read_answer(response, max_bytes)
    except TimeoutError as exc:
        raise requests.ConnectionError(exc) from exc
    except ssl.SSLError as exc:
        raise requests.exceptions.SSLError(exc) from exc
    except (OSError, http.client.HTTPException) as exc:
        # Cut short (fewer bytes than Content-Length, a broken chunk) or reset meanwhile.
        raise requests.exceptions.ChunkedEncodingError(exc) from exc
    except zlib.error as exc:
        raise requests.exceptions.ContentDecodingError(exc) from exc


def _read_answer(response: http.client.HTTPResponse, max_bytes: int) -> Answer:
    headers: dict[str, str] = {}
    names: dict[str, str] = {}
    for name, value in response.getheaders():
        # Repeated headers join with ", " under the first spelling, as urllib3 joins them.
        lower = name.lower()
        first = names.setdefault(lower, name)
        headers[first] = f"{headers[first]}, {value}" if first in headers else value
    decoder = _decoder(response.getheader("Content-Encoding"))
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.read(65536)
        if not chunk:
            break
        if decoder is not None:
            # Bounded: a small compressed body must not expand past the limit in memory.
            chunk = decoder.decompress(chunk, max_bytes + 1 - size)
        size += len(chunk)
        if size > max_bytes or (decoder is not None and decoder.unconsumed_tail):
            raise TooLarge(response.status)
        chunks.append(chunk)
    if response.length:
        # http.client ends a body cut short quietly; urllib3 (and so requests) refuses it.
        raise http.client.IncompleteRead(b"".join(chunks), response.length)
    if decoder is not None:
        tail = decoder.flush()
        size += len(tail)
        if size > max_bytes:
            raise TooLarge(response.status)
        chunks.append(tail)
    return Answer(response.status, headers, b"".join(chunks), response.msg)


class _Deflate:
    """``deflate`` as servers send it: zlib-wrapped, or (older IIS) raw, as urllib3 reads it."""

    def __init__(self) -> None:
        self._decoder: Any = zlib.decompressobj()
        self._first = True

    @property
    def unconsumed_tail(self) -> bytes:
        return bytes(self._decoder.unconsumed_tail)

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._first:
            self._first = False
            try:
                return bytes(self._decoder.decompress(data, max_length))
            except zlib.error:
                self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
        return bytes(self._decoder.decompress(data, max_length))

    def flush(self) -> bytes:
        return bytes(self._decoder.flush())


def _decoder(encoding: str | None) -> Any:
    if not encoding:
        return None
    name = encoding.strip().lower()
    if name in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if name == "deflate":
        return _Deflate()
    return None  # identity, or one not asked for: the body as it came, as requests gives it
