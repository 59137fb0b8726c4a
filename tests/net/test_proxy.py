"""Calls through a forwarding proxy on loopback: plain HTTP forwarded, HTTPS by CONNECT."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from boomisoap import InvalidRequest, Plan, TransportError
from boomisoap.sandbox import Sandbox
from boomisoap.sandbox.testca import TestCA

from .conftest import PASSWORD, client
from .proxy import ForwardProxy

pytestmark = pytest.mark.usefixtures("no_proxy_env")


@pytest.fixture(scope="module")
def http_sandbox() -> Iterator[Sandbox]:
    with Sandbox.start(users={"u": PASSWORD}, rate_limit=None) as sandbox:
        yield sandbox


def test_plain_http_goes_through_the_proxy(http_sandbox: Sandbox, proxy: ForwardProxy) -> None:
    with client(http_sandbox.base_url, proxies={"http": proxy.url}) as apim:
        created = apim.plans.create(Plan(name="proxied"))
        assert apim.plans.get(created.plan_id).name == "proxied"
    endpoint = f"{http_sandbox.base_url}/apim/api/soap/v1/acct-1"
    assert [(s.method, s.target) for s in proxy.seen] == [("POST", endpoint)] * 2


def test_https_is_tunnelled_with_connect(
    https_sandbox: Sandbox, proxy: ForwardProxy, ca: TestCA
) -> None:
    with client(https_sandbox.base_url, proxies={"https": proxy.url}, verify=str(ca.cert)) as apim:
        created = apim.plans.create(Plan(name="tunnelled"))
        assert apim.plans.get(created.plan_id).name == "tunnelled"
    host = https_sandbox.base_url.removeprefix("https://")
    assert proxy.seen and all(s.method == "CONNECT" and s.target == host for s in proxy.seen)
    # End-to-end TLS: the proxy relayed ciphertext, never the envelope or the password.
    assert proxy.tunnelled_bytes
    assert (
        b"Envelope" not in proxy.tunnelled_bytes and PASSWORD.encode() not in proxy.tunnelled_bytes
    )


def test_proxy_from_the_environment_is_read_once_until_reloaded(
    http_sandbox: Sandbox, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with client(http_sandbox.base_url) as apim:
        apim.plans.create(Plan(name="one"))
        assert len(proxy.seen) == 1
        monkeypatch.delenv("HTTP_PROXY")
        apim.plans.create(Plan(name="two"))  # the proxy resolved at the first call
        assert len(proxy.seen) == 2
        apim.reload_environment()
        apim.plans.create(Plan(name="three"))  # now straight to the server
        assert len(proxy.seen) == 2


def test_no_proxy_in_the_environment_is_honoured(
    http_sandbox: Sandbox, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with client(http_sandbox.base_url) as apim:
        apim.plans.create(Plan(name="direct"))
    assert proxy.seen == []


def test_an_explicit_proxy_beats_the_session_and_the_environment(
    http_sandbox: Sandbox, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    import requests

    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:1")
    session = requests.Session()
    session.proxies = {"http": "http://127.0.0.1:2"}
    with client(http_sandbox.base_url, session=session, proxies={"http": proxy.url}) as apim:
        apim.plans.create(Plan(name="explicit"))
    assert len(proxy.seen) == 1


def test_the_sessions_own_proxies_are_used(http_sandbox: Sandbox, proxy: ForwardProxy) -> None:
    import requests

    session = requests.Session()
    session.proxies = {"http": proxy.url}
    with client(http_sandbox.base_url, session=session) as apim:
        apim.plans.create(Plan(name="session proxy"))
    assert [s.method for s in proxy.seen] == ["POST"]


def test_a_dead_proxy_is_named_and_its_password_hidden(http_sandbox: Sandbox) -> None:
    dead = "http://puser:proxy-Secret1@127.0.0.1:1"
    with (
        client(http_sandbox.base_url, proxies={"http": dead}) as apim,
        pytest.raises(TransportError) as caught,
    ):
        apim.plans.get("p-1")
    message = str(caught.value)
    assert "proxy" in message.lower()
    assert "proxy-Secret1" not in message
    assert caught.value.__cause__ is not None


@pytest.mark.parametrize(
    "proxies",
    ["http://proxy:3128", {"https": "ftp://proxy"}, {"https": "proxy:3128"}, {1: "http://p"}],
)
def test_bad_proxies_are_refused_at_construction(proxies: object) -> None:
    with pytest.raises(InvalidRequest) as caught:
        client("http://127.0.0.1:1", proxies=proxies)
    assert caught.value.field == "proxies"


def test_a_bad_proxy_url_is_not_echoed_with_its_password() -> None:
    with pytest.raises(InvalidRequest) as caught:
        client("http://127.0.0.1:1", proxies={"https": "ftp://u:hunter2-pw@proxy"})
    assert "hunter2-pw" not in str(caught.value)
