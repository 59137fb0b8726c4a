"""HTTP options checked at construction, timeouts, the deadline, and errors that explain."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from boomisoap import ApimClient, InvalidRequest, MftClient, Plan, PlatformClient, TransportError
from boomisoap.audit import REDACTED
from boomisoap.errors import DeadlineExceeded
from boomisoap.neterrors import safe_url
from boomisoap.sandbox import Sandbox

from .conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("no_proxy_env")

Make = Callable[..., Any]


def _apim(**options: Any) -> ApimClient:
    return ApimClient(account_id="acct-1", username="u", password=PASSWORD, **options)


def _platform(**options: Any) -> PlatformClient:
    return PlatformClient(account_id="acct-1", username="u", password=PASSWORD, **options)


def _mft(**options: Any) -> MftClient:
    options.setdefault("base_url", "http://127.0.0.1:1")
    return MftClient(api_key="k" * 20, **options)


CLIENTS = [_apim, _platform, _mft]
BAD = [
    ("timeout", 0),
    ("timeout", -1.5),
    ("timeout", "3"),
    ("timeout", True),
    ("timeout", float("nan")),
    ("timeout", (1.0,)),
    ("timeout", (1.0, 0)),
    ("deadline", 0),
    ("deadline", "10"),
    ("verify", 3),
    ("verify", "/nonexistent/ca.pem"),
    ("cert", "/nonexistent/client.pem"),
    ("cert", ("a", "b", "c")),
    ("cert", 42),
    ("session", object()),
    ("proxies", ["http://proxy"]),
    ("history", -1),
    ("history", True),
    ("history", 2.5),
]


@pytest.mark.parametrize("make", CLIENTS, ids=["apim", "platform", "mft"])
@pytest.mark.parametrize(("option", "value"), BAD, ids=[f"{o}={v!r}" for o, v in BAD])
def test_bad_options_are_refused_naming_the_option(make: Make, option: str, value: Any) -> None:
    with pytest.raises(InvalidRequest) as caught:
        make(**{option: value})
    assert caught.value.field == option
    assert option in str(caught.value)


def test_pkcs12_cannot_be_combined_with_a_session(tmp_path: Path) -> None:
    from boomisoap.sandbox.testca import TestCA

    ca = TestCA(tmp_path)
    p12 = ca.pkcs12(ca.issue("bob", client=True), "pw-123")
    with pytest.raises(InvalidRequest, match="session") as caught:
        _apim(session=requests.Session(), cert=(str(p12), "pw-123"))
    assert caught.value.field == "cert"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox.start(users={"u": PASSWORD}, rate_limit=None) as running:
        yield running


@pytest.mark.parametrize("timeout", [12, 12.5, (3.0, 20.0), [3, 20]])
def test_timeouts_as_seconds_or_a_connect_read_pair(sandbox: Sandbox, timeout: Any) -> None:
    with _apim(base_url=sandbox.base_url, rate_limit=None, timeout=timeout) as apim:
        assert list(apim.plans.query()) is not None
        expected = tuple(float(t) for t in timeout) if isinstance(timeout, list) else timeout
        assert apim.transport.timeout == expected


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.create_server(("127.0.0.1", 0), backlog=8) as listener:
        yield listener.getsockname()[1]


def test_the_deadline_ends_retries_and_chains_the_last_error(silent_port: int) -> None:
    apim = _apim(
        base_url=f"http://127.0.0.1:{silent_port}", rate_limit=None, retries=50, deadline=0.3
    )
    with apim, pytest.raises(DeadlineExceeded) as caught:
        list(apim.plans.query())  # idempotent: retried until the deadline
    error = caught.value
    assert isinstance(error, TransportError)
    assert isinstance(error.__cause__, TransportError) and "timed out" in str(error.__cause__)
    assert error.attempts >= 1
    assert "deadline of 0.3s" in str(error)
    assert f"POST http://127.0.0.1:{silent_port}/apim/api/soap/v1/acct-1" in str(error)


def test_connection_refused_names_method_url_and_cause() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again: nothing listens there
    base = f"http://u:url-Secret9@127.0.0.1:{port}"
    with (
        _apim(base_url=base, rate_limit=None, retries=0) as apim,
        pytest.raises(TransportError) as caught,
    ):
        apim.plans.get("p-1")
    message = str(caught.value)
    assert message == (
        f"POST http://u:{REDACTED}@127.0.0.1:{port}/apim/api/soap/v1/acct-1: "
        "connection failed: connection refused"
    )
    assert isinstance(caught.value.__cause__, requests.ConnectionError)
    assert caught.value.sent is False
    assert "url-Secret9" not in repr(caught.value)


def test_an_unknown_host_is_named() -> None:
    apim = _apim(base_url="http://no-such-host.invalid", rate_limit=None, retries=0)
    with apim, pytest.raises(TransportError, match="host name not found"):
        apim.plans.get("p-1")


def test_mft_errors_name_the_url_too() -> None:
    with _mft(rate_limit=None, retries=0) as mft, pytest.raises(TransportError) as caught:
        mft.accounting.transfer_quota()
    assert str(caught.value).startswith(
        "GET http://127.0.0.1:1/api/Accounting/transferQuota: connection failed"
    )
    assert "k" * 20 not in str(caught.value)


def test_secret_path_parts_are_hidden_from_urls() -> None:
    url = "https://h/apim/api/rest/v1/acct-1/apiKey/s3cr3t%2Fkey?apiKey=abc123"
    shown = safe_url(url, hidden=["s3cr3t/key"])
    assert "s3cr3t" not in shown and "abc123" not in shown
    assert shown.startswith("https://h/apim/api/rest/v1/acct-1/apiKey/")


def test_the_deadline_stops_rate_limited_retries() -> None:
    from boomisoap import Plan, RateLimited

    # One request per ten seconds: however slow the machine, the bucket has not refilled
    # when the second request comes.
    with Sandbox.start(users={"u": PASSWORD}, rate_limit=0.1) as limited:
        apim = _apim(base_url=limited.base_url, rate_limit=None, retries=50, deadline=0.3)
        with apim:
            apim.plans.create(Plan(name="first"))  # the one request of these ten seconds
            with pytest.raises(DeadlineExceeded) as caught:
                apim.plans.create(Plan(name="second"))
    assert isinstance(caught.value.__cause__, RateLimited)
    assert caught.value.attempts >= 1
    assert "last error" in str(caught.value)


def test_closing_a_client_leaves_the_users_session_open(sandbox: Sandbox) -> None:
    seen: list[str] = []

    class Recording(requests.adapters.HTTPAdapter):
        def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
            seen.append(str(request.url))
            return super().send(request, **kwargs)

    session = requests.Session()
    session.mount("http://", Recording())
    session.params = {"trace": "on"}  # the session's own settings reach the request
    with _apim(base_url=sandbox.base_url, rate_limit=None, session=session) as apim:
        apim.plans.create(Plan(name="mine"))
    assert seen == [f"{sandbox.base_url}/apim/api/soap/v1/acct-1?trace=on"]
    # Not closed with the client: its owner can go on using it.
    answer = session.get(f"{sandbox.base_url}/apim/api/soap/v1/acct-1?wsdl", timeout=10)
    assert answer.status_code == 401 and len(seen) == 2  # unauthenticated, but answered


def test_session_headers_and_cookies_reach_the_request(sandbox: Sandbox) -> None:
    seen: list[requests.PreparedRequest] = []

    class Recording(requests.adapters.HTTPAdapter):
        def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
            seen.append(request)
            return super().send(request, **kwargs)

    session = requests.Session()
    session.mount("http://", Recording())
    session.headers["X-Team"] = "billing"
    session.headers["Accept-Encoding"] = None  # type: ignore[assignment]  # None removes it
    session.cookies.set("route", "node-2")
    with _apim(base_url=sandbox.base_url, rate_limit=None, session=session) as apim:
        apim.plans.create(Plan(name="with session headers"))
    (sent,) = seen
    assert sent.headers["X-Team"] == "billing"
    assert sent.headers["Cookie"] == "route=node-2"
    assert "Accept-Encoding" not in sent.headers
    assert sent.headers["Content-Length"] == str(len(sent.body or b""))
    assert sent.headers["X-Correlation-ID"]
