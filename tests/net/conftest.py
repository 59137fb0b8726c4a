"""Fixtures of the HTTP tests: a test CA, HTTPS and mutual-TLS sandboxes, a proxy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flavours import Flavour

from boomisoap import ApimClient
from boomisoap.sandbox import Sandbox, SandboxTLS
from boomisoap.sandbox.testca import Issued, TestCA

from .proxy import ForwardProxy

PASSWORD = "tls-pass-w0rd"


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    return TestCA(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def server_cert(ca: TestCA) -> Issued:
    return ca.issue("server")


@pytest.fixture(scope="module")
def client_cert(ca: TestCA) -> Issued:
    return ca.issue("alice", client=True)


@pytest.fixture(scope="module")
def https_sandbox(server_cert: Issued) -> Iterator[Sandbox]:
    """HTTPS with the test CA, no client certificate asked."""
    tls = SandboxTLS(server_cert.cert, server_cert.key)
    with Sandbox.start(users={"u": PASSWORD}, rate_limit=None, tls=tls) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def mtls_sandbox(ca: TestCA, server_cert: Issued) -> Iterator[Sandbox]:
    """HTTPS that requires a client certificate signed by the test CA."""
    tls = SandboxTLS(server_cert.cert, server_cert.key, client_ca=ca.cert)
    with Sandbox.start(users={"u": PASSWORD}, rate_limit=None, tls=tls) as sandbox:
        yield sandbox


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    with ForwardProxy() as running:
        yield running


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy or CA bundle variables from the machine running the tests."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


def client(base_url: str, via: Flavour | None = None, **options: Any) -> ApimClient:
    """A client of ``base_url``: sync, or (``via`` the async flavour) its async twin."""
    options.setdefault("rate_limit", None)
    options.setdefault("retries", 0)
    return (via or Flavour("sync")).make(
        ApimClient, account_id="acct-1", username="u", password=PASSWORD, base_url=base_url,
        **options,
    )  # fmt: skip


def ca_path(ca: TestCA) -> str:
    return str(Path(ca.cert))
