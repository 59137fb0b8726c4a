"""The client's own connections (boomisoap/connections.py) against a scripted HTTP server.

A client that made its own session sends through kept-alive http.client connections; these
tests hold that path to what requests did before it: one connection reused, a closed one
replaced, bodies decoded and bounded, cookies kept, errors and their causes alike, and
requests used whenever a test double or a proxy stands in requests' way.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import requests
import requests_mock as requests_mock_module
from core import seeds

from boomisoap import ApimClient, TransportError
from boomisoap.transport import MAX_RESPONSE_BYTES

PLAN_ID = "4d50decd-f2b6-d59e-53f4-22ec4f188bb1"
ANSWER = seeds.PLAN_GET_RESPONSE  # Boomi's own example answer: planId PLAN_ID, apiTestKh

Reply = Callable[[bytes], bytes | None]  # the request's bytes -> what to write (None: close)


def ok(body: bytes = ANSWER, *extra: str) -> bytes:
    head = ["HTTP/1.1 200 OK", "Content-Type: text/xml; charset=utf-8"]
    head += [*extra, f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@dataclass
class Scripted:
    """A loopback HTTP/1.1 server answering each request with ``reply(request)``."""

    reply: Reply
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)
    port: int = 0
    close_after: bool = False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _read_request(conn: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        rest += conn.recv(65536)
    return head + b"\r\n\r\n" + rest


@pytest.fixture
def scripted() -> Iterator[Callable[[Reply], Scripted]]:
    listeners: list[socket.socket] = []

    def start(reply: Reply) -> Scripted:
        server = Scripted(reply)
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)
        server.port = listener.getsockname()[1]

        def serve(conn: socket.socket) -> None:
            with conn:
                while (request := _read_request(conn)) is not None:
                    server.requests.append(request)
                    answer = server.reply(request)
                    if answer is None:
                        return
                    conn.sendall(answer)
                    if server.close_after:
                        return

        def accept() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                server.connections += 1
                threading.Thread(target=serve, args=(conn,), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()
        return server

    yield start
    for listener in listeners:
        listener.close()


def _client(base_url: str, **options: object) -> ApimClient:
    return ApimClient(
        account_id="acct-1",
        username="u",
        password="p-Secret9",
        base_url=base_url,
        rate_limit=None,
        retries=0,
        **options,  # type: ignore[arg-type]
    )


def test_calls_share_one_kept_alive_connection(scripted: Callable[[Reply], Scripted]) -> None:
    server = scripted(lambda _: ok())
    with _client(server.base_url) as apim:
        for _ in range(5):
            assert apim.plans.get(PLAN_ID).name == "apiTestKh"
    assert server.connections == 1
    head = server.requests[0].split(b"\r\n\r\n", 1)[0].decode()
    # requests' session headers, in one write with the envelope.
    assert "Accept-Encoding: gzip, deflate" in head
    assert "User-Agent: python-requests/" in head
    assert "Content-Type: text/xml; charset=utf-8" in head
    assert f"Host: 127.0.0.1:{server.port}" in head


def test_a_connection_the_server_closed_is_replaced(scripted: Callable[[Reply], Scripted]) -> None:
    server = scripted(lambda _: ok(ANSWER, "Connection: close"))
    with _client(server.base_url) as apim:
        for _ in range(3):
            apim.plans.get(PLAN_ID)
    assert server.connections == 3


def test_an_idle_connection_the_server_dropped_is_replaced(
    scripted: Callable[[Reply], Scripted],
) -> None:
    server = scripted(lambda _: ok())
    server.close_after = True  # closes after each answer, without saying so
    with _client(server.base_url) as apim:
        for _ in range(3):
            assert apim.plans.get(PLAN_ID).name == "apiTestKh"
            time.sleep(0.05)  # the server's FIN arrives while the connection is idle
    assert server.connections == 3


def test_a_server_gone_mid_exchange_is_a_sent_failure(
    scripted: Callable[[Reply], Scripted],
) -> None:
    answers = iter([ok(), None, ok()])
    server = scripted(lambda _: next(answers))
    with _client(server.base_url) as apim:
        apim.plans.get(PLAN_ID)
        with pytest.raises(TransportError, match="connection failed") as caught:
            apim.plans.get(PLAN_ID)
        assert caught.value.sent is True
        assert isinstance(caught.value.__cause__, requests.ConnectionError)
        assert apim.plans.get(PLAN_ID).name == "apiTestKh"
    assert server.connections == 2


@pytest.mark.parametrize(
    "encoding, encode",
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as old IIS sent it
    ],
)
def test_compressed_answers_are_decoded(
    scripted: Callable[[Reply], Scripted], encoding: str, encode: Callable[[bytes], bytes]
) -> None:
    server = scripted(lambda _: ok(encode(ANSWER), f"Content-Encoding: {encoding}"))
    with _client(server.base_url) as apim:
        assert apim.plans.get(PLAN_ID).plan_id == PLAN_ID


def test_a_chunked_answer_is_read_whole(scripted: Callable[[Reply], Scripted]) -> None:
    def chunked(_: bytes) -> bytes:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n"
        parts = [ANSWER[:100], ANSWER[100:]]
        body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
        return head + body

    server = scripted(chunked)
    with _client(server.base_url) as apim:
        for _ in range(2):
            assert apim.plans.get(PLAN_ID).name == "apiTestKh"
    assert server.connections == 1


def test_a_compressed_body_is_bounded_after_decoding(
    scripted: Callable[[Reply], Scripted],
) -> None:
    bomb = gzip.compress(b"<" + b" " * 20_000_000)  # ~20 KB on the wire, 20 MB decoded
    server = scripted(lambda _: ok(bomb, "Content-Encoding: gzip"))
    too_large = f"larger than {MAX_RESPONSE_BYTES} bytes"
    with _client(server.base_url) as apim, pytest.raises(TransportError, match=too_large):
        apim.plans.get(PLAN_ID)


def test_a_cookie_the_server_sets_is_sent_back(scripted: Callable[[Reply], Scripted]) -> None:
    server = scripted(lambda _: ok(ANSWER, "Set-Cookie: AWSALB=sticky-1; Path=/"))
    with _client(server.base_url) as apim:
        apim.plans.get(PLAN_ID)
        apim.plans.get(PLAN_ID)
    assert b"Cookie: AWSALB=sticky-1" not in server.requests[0]
    assert b"Cookie: AWSALB=sticky-1" in server.requests[1]


def test_an_unparseable_status_line_is_a_sent_connection_failure(
    scripted: Callable[[Reply], Scripted],
) -> None:
    server = scripted(lambda _: b"garbage\r\n\r\n")
    with (
        _client(server.base_url) as apim,
        pytest.raises(TransportError, match="connection failed") as caught,
    ):
        apim.plans.get(PLAN_ID)
    assert caught.value.sent is True
    assert isinstance(caught.value.__cause__, requests.ConnectionError)


def test_a_read_timeout_is_a_requests_timeout(scripted: Callable[[Reply], Scripted]) -> None:
    release = threading.Event()

    def slow(_: bytes) -> bytes:
        release.wait(5)
        return ok()

    server = scripted(slow)
    try:
        with (
            _client(server.base_url, timeout=0.2) as apim,
            pytest.raises(TransportError, match="timed out") as caught,
        ):
            apim.plans.get(PLAN_ID)
        assert caught.value.sent is None
        assert isinstance(caught.value.__cause__, requests.exceptions.ReadTimeout)
    finally:
        release.set()


def test_requests_mock_still_answers(scripted: Callable[[Reply], Scripted]) -> None:
    server = scripted(lambda _: ok())
    with _client(server.base_url) as apim, requests_mock_module.Mocker() as mocker:
        mocker.post(requests_mock_module.ANY, content=ANSWER, headers={"Content-Type": "text/xml"})
        assert apim.plans.get(PLAN_ID).name == "apiTestKh"
        assert mocker.call_count == 1
    assert server.requests == []  # the mock answered, nothing reached the socket


def test_a_proxied_host_goes_through_requests(
    scripted: Callable[[Reply], Scripted], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = scripted(lambda _: ok())
    # A proxy that refuses: the call fails there, so it went through requests' proxy path.
    with socket.create_server(("127.0.0.1", 0)) as probe:
        dead = probe.getsockname()[1]
    proxies = {"http": f"http://127.0.0.1:{dead}"}
    with (
        _client(server.base_url, proxies=proxies) as apim,
        pytest.raises(TransportError, match="proxy"),
    ):
        apim.plans.get(PLAN_ID)
    assert server.requests == []


def test_the_password_is_in_no_request_line_or_header(
    scripted: Callable[[Reply], Scripted],
) -> None:
    server = scripted(lambda _: ok())
    with _client(server.base_url) as apim:
        apim.plans.get(PLAN_ID)
    head = server.requests[0].split(b"\r\n\r\n", 1)[0]
    assert b"p-Secret9" not in head
