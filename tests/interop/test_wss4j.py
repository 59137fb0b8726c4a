"""Apache WSS4J, the WS-Security engine of CXF and Axis2, processes what our client sends.

Each envelope is built by ``ApimClient.envelope`` exactly as it would be sent, written to a
file and handed to ``java/Wss4jVerify.java``, which runs WSS4J's ``WSSecurityEngine`` with a
password callback and a trust store holding the signer's certificate.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from signing_keys import KeyMaterial, self_signed

from boomisoap import ApimClient
from boomisoap.models.apim import PLAN
from boomisoap.namespaces import SOAP_ENV
from boomisoap.wsse import X509Signer

from .stacks import run, wss4j_classes

USER, PASSWORD = "interop-user", "s3cret-Pa55"


@pytest.fixture(scope="module")
def verifier() -> tuple[Path, str]:
    return wss4j_classes()


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> KeyMaterial:
    return self_signed(tmp_path_factory.mktemp("wss4j-keys"), "interop-signer")


def envelope(**options: object) -> bytes:
    client = ApimClient(
        account_id="acct-1",
        username=USER,
        password=PASSWORD,
        base_url="http://127.0.0.1:9",
        rate_limit=None,
        **options,  # type: ignore[arg-type]
    )
    with client:
        return client.envelope("get", PLAN, "plan-1")


def wss4j(
    verifier: tuple[Path, str],
    tmp_path: Path,
    body: bytes,
    *,
    password: str = PASSWORD,
    trusted: Path | None = None,
) -> tuple[bool, list[str]]:
    """(accepted, WSS4J's lines) for one envelope."""
    classes, libs = verifier
    path = tmp_path / "envelope.xml"
    path.write_bytes(body)
    args = ["java", "-cp", f"{classes}:{libs}", "Wss4jVerify", str(path), USER, password]
    if trusted is not None:
        args.append(str(trusted))
    try:
        lines = run(args).splitlines()
    except AssertionError as refused:
        return False, [line for line in str(refused).splitlines() if line.startswith("REFUSED")]
    return True, lines


def test_password_text_accepted(verifier: tuple[Path, str], tmp_path: Path) -> None:
    accepted, lines = wss4j(verifier, tmp_path, envelope())
    assert accepted, lines
    assert f"UT {USER} text" in lines


def test_password_digest_and_timestamp_accepted(verifier: tuple[Path, str], tmp_path: Path) -> None:
    accepted, lines = wss4j(verifier, tmp_path, envelope(password_digest=True, timestamp=True))
    assert accepted, lines
    assert f"UT {USER} digest" in lines
    assert any(line.startswith("TS ") for line in lines)


@pytest.mark.parametrize("digest", [False, True], ids=["text", "digest"])
def test_wrong_password_refused(verifier: tuple[Path, str], tmp_path: Path, digest: bool) -> None:
    accepted, lines = wss4j(
        verifier, tmp_path, envelope(password_digest=digest), password="not-the-password"
    )
    assert not accepted
    assert lines and "REFUSED" in lines[0]
    assert PASSWORD not in "".join(lines)


def test_x509_signature_accepted(
    verifier: tuple[Path, str], tmp_path: Path, material: KeyMaterial
) -> None:
    signer = X509Signer(material.key_path, material.cert_path)
    accepted, lines = wss4j(verifier, tmp_path, envelope(signer=signer), trusted=material.cert_path)
    assert accepted, lines
    signed = next(line.split()[1:] for line in lines if line.startswith("SIGN"))
    assert "Body" in signed and "Timestamp" in signed
    assert any(line.startswith("TS ") for line in lines)
    assert f"UT {USER} text" in lines


def test_tampered_body_refused(
    verifier: tuple[Path, str], tmp_path: Path, material: KeyMaterial
) -> None:
    signer = X509Signer(material.key_path, material.cert_path)
    document = etree.fromstring(envelope(signer=signer))
    object_id = document.find(f".//{{{SOAP_ENV}}}Body").xpath(".//*[text()='plan-1']")[0]
    object_id.text = "plan-2"
    accepted, lines = wss4j(
        verifier, tmp_path, etree.tostring(document), trusted=material.cert_path
    )
    assert not accepted
    assert lines and "REFUSED" in lines[0]


def test_untrusted_signer_refused(
    verifier: tuple[Path, str], tmp_path: Path, material: KeyMaterial
) -> None:
    other = self_signed(tmp_path / "other", "someone-else")
    signer = X509Signer(material.key_path, material.cert_path)
    accepted, lines = wss4j(verifier, tmp_path, envelope(signer=signer), trusted=other.cert_path)
    assert not accepted
    assert lines and "REFUSED" in lines[0]
