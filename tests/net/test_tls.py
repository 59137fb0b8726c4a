"""HTTPS against the sandbox's TLS front: real handshakes with a test CA on loopback."""

from __future__ import annotations

import pytest
import requests
from flavours import Flavour

from boomisoap import InvalidRequest, Plan, TransportError
from boomisoap.sandbox import Sandbox, SandboxTLS
from boomisoap.sandbox.testca import Issued, TestCA

from .conftest import PASSWORD, client

pytestmark = pytest.mark.usefixtures("no_proxy_env")


def refusals(sandbox: Sandbox, timeout: float = 5.0) -> list[str]:
    """The sandbox's refused handshakes, once its TLS thread has recorded one: the client
    can see the refusal before the server's handshake thread writes it down."""
    import time

    ends = time.monotonic() + timeout
    while not sandbox.tls_refused and time.monotonic() < ends:
        time.sleep(0.01)
    return sandbox.tls_refused


def _plan() -> Plan:
    return Plan(name="tls plan", description="over https")


def test_custom_ca_bundle_round_trip(https_sandbox: Sandbox, ca: TestCA, flavour: Flavour) -> None:
    assert https_sandbox.base_url.startswith("https://127.0.0.1:")
    with client(via=flavour, base_url=https_sandbox.base_url, verify=str(ca.cert)) as apim:
        created = apim.plans.create(_plan())
        assert apim.plans.get(created.plan_id).name == "tls plan"


def test_default_trust_refuses_the_test_ca(https_sandbox: Sandbox) -> None:
    with client(https_sandbox.base_url) as apim, pytest.raises(TransportError) as caught:
        apim.plans.get("p-1")
    message = str(caught.value)
    assert message.startswith(f"POST {https_sandbox.base_url}/apim/api/soap/v1/acct-1: ")
    assert "unknown CA" in message
    assert isinstance(caught.value.__cause__, requests.exceptions.SSLError)
    assert caught.value.sent is False


def test_hostname_mismatch_is_named(ca: TestCA, flavour: Flavour) -> None:
    other = ca.issue("elsewhere", hosts=("elsewhere.example",))
    with (
        Sandbox.start(rate_limit=None, tls=SandboxTLS(other.cert, other.key)) as sandbox,
        client(via=flavour, base_url=sandbox.base_url, verify=str(ca.cert)) as apim,
        pytest.raises(TransportError, match="mismatch"),
    ):
        apim.plans.get("p-1")


def test_expired_server_certificate_is_named(ca: TestCA, flavour: Flavour) -> None:
    old = ca.issue("old", expired=True)
    with (
        Sandbox.start(rate_limit=None, tls=SandboxTLS(old.cert, old.key)) as sandbox,
        client(via=flavour, base_url=sandbox.base_url, verify=str(ca.cert)) as apim,
        pytest.raises(TransportError, match="has expired"),
    ):
        apim.plans.get("p-1")


def test_plain_http_client_on_https_port_fails_clearly(https_sandbox: Sandbox) -> None:
    url = https_sandbox.base_url.replace("https://", "http://")
    with client(url) as apim, pytest.raises(TransportError) as caught:
        apim.plans.get("p-1")
    assert caught.value.__cause__ is not None
    assert url in str(caught.value)


def test_mutual_tls_with_a_pem_pair(
    mtls_sandbox: Sandbox, ca: TestCA, client_cert: Issued, flavour: Flavour
) -> None:
    with client(
        mtls_sandbox.base_url, via=flavour, verify=str(ca.cert), cert=client_cert.pair
    ) as apim:
        created = apim.plans.create(_plan())
        assert apim.plans.get(created.plan_id).plan_id == created.plan_id


def test_mutual_tls_with_a_combined_pem_file(
    mtls_sandbox: Sandbox, ca: TestCA, client_cert: Issued, tmp_path: pytest.TempPathFactory
) -> None:
    both = ca.directory / "alice-both.pem"
    both.write_bytes(client_cert.cert.read_bytes() + client_cert.key.read_bytes())
    with client(mtls_sandbox.base_url, verify=str(ca.cert), cert=str(both)) as apim:
        assert list(apim.plans.query()) is not None


def test_mutual_tls_with_pkcs12_and_password(
    mtls_sandbox: Sandbox, ca: TestCA, client_cert: Issued, flavour: Flavour
) -> None:
    p12 = ca.pkcs12(client_cert, "p12-Secret")
    with client(
        mtls_sandbox.base_url, via=flavour, verify=str(ca.cert), cert=(str(p12), "p12-Secret")
    ) as apim:
        created = apim.plans.create(_plan())
        assert created.plan_id


def test_pkcs12_with_a_wrong_password_fails_at_construction(
    ca: TestCA, client_cert: Issued
) -> None:
    p12 = ca.pkcs12(client_cert, "right-one")
    with pytest.raises(InvalidRequest) as caught:
        client("https://127.0.0.1:1", cert=(str(p12), "wrong-one"))
    assert caught.value.field == "cert"
    assert "wrong-one" not in str(caught.value) and "right-one" not in str(caught.value)


def test_a_client_without_certificate_is_refused(mtls_sandbox: Sandbox, ca: TestCA) -> None:
    before = mtls_sandbox.count("Plan")
    with (
        client(mtls_sandbox.base_url, verify=str(ca.cert)) as apim,
        pytest.raises(TransportError) as caught,
    ):
        apim.plans.create(_plan())
    assert "client certificate" in str(caught.value)
    assert caught.value.__cause__ is not None
    # Refused at the handshake, for the missing certificate; nothing reached the emulator.
    assert "PEER_DID_NOT_RETURN_A_CERTIFICATE" in refusals(mtls_sandbox)
    assert mtls_sandbox.count("Plan") == before


def test_a_certificate_from_another_ca_is_refused(
    mtls_sandbox: Sandbox, ca: TestCA, tmp_path_factory: pytest.TempPathFactory
) -> None:
    stranger = TestCA(tmp_path_factory.mktemp("other-ca")).issue("mallory", client=True)
    with (
        client(mtls_sandbox.base_url, verify=str(ca.cert), cert=stranger.pair) as apim,
        pytest.raises(TransportError, match="client certificate"),
    ):
        apim.plans.get("p-1")
    assert "CERTIFICATE_VERIFY_FAILED" in refusals(mtls_sandbox)


def test_a_users_session_keeps_its_adapters_and_settings(
    mtls_sandbox: Sandbox, ca: TestCA, client_cert: Issued
) -> None:
    sent: list[str] = []

    class Counting(requests.adapters.HTTPAdapter):
        def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:  # type: ignore[override]
            sent.append(str(request.url))
            return super().send(request, **kwargs)  # type: ignore[arg-type]

    session = requests.Session()
    session.verify = str(ca.cert)
    session.cert = client_cert.pair
    session.mount(mtls_sandbox.base_url, Counting())
    with client(mtls_sandbox.base_url, session=session) as apim:
        created = apim.plans.create(_plan())
        assert apim.plans.get(created.plan_id).name == "tls plan"
    assert len(sent) == 2 and all(url.startswith(mtls_sandbox.base_url) for url in sent)


def test_verify_false_skips_the_check(https_sandbox: Sandbox) -> None:
    with pytest.warns(Warning), client(https_sandbox.base_url, verify=False) as apim:
        assert apim.plans.create(_plan()).plan_id


def test_ca_bundle_from_the_environment_is_read_once(
    https_sandbox: Sandbox,
    ca: TestCA,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca.cert))
    with client(https_sandbox.base_url) as apim:
        apim.plans.create(_plan())
        other = TestCA(tmp_path_factory.mktemp("unrelated-ca"))
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other.cert))
        apim.plans.create(_plan())  # still the bundle read at the first call
        apim.reload_environment()
        with pytest.raises(TransportError, match="unknown CA"):
            apim.plans.create(_plan())


def test_sandbox_refuses_an_unusable_certificate(tmp_path: pytest.TempPathFactory) -> None:
    with pytest.raises(ValueError, match="cannot load TLS certificate"):
        Sandbox(tls=SandboxTLS("/nonexistent/cert.pem", "/nonexistent/key.pem"))


def test_password_is_not_in_tls_errors(https_sandbox: Sandbox, flavour: Flavour) -> None:
    with (
        client(via=flavour, base_url=https_sandbox.base_url) as apim,
        pytest.raises(TransportError) as caught,
    ):
        apim.plans.get("p-1")
    assert PASSWORD not in str(caught.value) and PASSWORD not in repr(caught.value)


def test_sandbox_serve_with_tls_flags(ca: TestCA, server_cert: Issued, client_cert: Issued) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    command = [
        sys.executable,
        "-m",
        "boomisoap.sandbox",
        "serve",
        "--port",
        "0",
        "--rate-limit",
        "off",
        "--user",
        f"u:{PASSWORD}",
        "--tls-cert",
        str(server_cert.cert),
        "--tls-key",
        str(server_cert.key),
        "--tls-client-ca",
        str(ca.cert),
    ]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        base_url = line.split("listening on ")[1].split()[0]
        assert base_url.startswith("https://127.0.0.1:")
        with client(base_url, verify=str(ca.cert), cert=client_cert.pair) as apim:
            assert apim.plans.create(_plan()).plan_id
        with client(base_url, verify=str(ca.cert)) as apim, pytest.raises(TransportError):
            apim.plans.create(_plan())
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_sandbox_serve_refuses_a_key_without_certificate(server_cert: Issued) -> None:
    from click.testing import CliRunner

    from boomisoap.cli.sandbox import sandbox_group

    result = CliRunner().invoke(sandbox_group, ["serve", "--tls-key", str(server_cert.key)])
    assert result.exit_code == 2 and "--tls-cert and --tls-key go together" in result.output
