"""A throwaway certificate authority for HTTPS and mutual-TLS tests against the sandbox.

``TestCA(directory)`` makes a CA and writes its certificate to ``ca.pem``; :meth:`issue`
writes a leaf certificate and key signed by it (server certificates for ``localhost`` and
``127.0.0.1`` by default, client certificates with ``client=True``), and
:meth:`pkcs12` packs one into a password-protected PKCS#12 file. Keys are unencrypted
PEM, mode 600: they are for tests, never for production.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LOOPBACK = ("localhost", "127.0.0.1")


@dataclasses.dataclass(frozen=True, slots=True)
class Issued:
    """A certificate and its key, as PEM files."""

    name: str
    cert: Path
    key: Path

    @property
    def pair(self) -> tuple[str, str]:
        """``(cert, key)`` as a client's ``cert=`` takes it."""
        return (str(self.cert), str(self.key))


def _write_private(path: Path, data: bytes) -> None:
    path.touch(mode=0o600)
    os.chmod(path, 0o600)
    path.write_bytes(data)


def _key_pem(key: Any) -> bytes:
    return bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _san(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


class TestCA:
    """A CA whose files live in ``directory`` (created if missing)."""

    __test__ = False  # not a pytest test class, whatever its name

    def __init__(self, directory: str | Path, name: str = "boomisoap test CA") -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.now(UTC)
        self._cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False
            )
            .sign(self._key, hashes.SHA256())
        )
        self.cert = self.directory / "ca.pem"
        self.cert.write_bytes(self._cert.public_bytes(serialization.Encoding.PEM))

    def issue(
        self,
        name: str = "server",
        *,
        hosts: tuple[str, ...] = LOOPBACK,
        client: bool = False,
        expired: bool = False,
    ) -> Issued:
        """A leaf certificate ``<name>.pem`` with key ``<name>-key.pem``."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        start, end = (
            (now - timedelta(days=3), now - timedelta(days=1))
            if expired
            else (now - timedelta(minutes=5), now + timedelta(days=1))
        )
        usage = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(self._cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()),
                critical=False,
            )
        )
        if not client:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([_san(h) for h in hosts]), critical=False
            )
        cert = builder.sign(self._key, hashes.SHA256())
        issued = Issued(name, self.directory / f"{name}.pem", self.directory / f"{name}-key.pem")
        issued.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        _write_private(issued.key, _key_pem(key))
        return issued

    def pkcs12(self, issued: Issued, password: str | None) -> Path:
        """``<name>.p12`` holding the key, the certificate and this CA."""
        key = serialization.load_pem_private_key(issued.key.read_bytes(), None)
        cert = x509.load_pem_x509_certificate(issued.cert.read_bytes())
        encryption = (
            serialization.BestAvailableEncryption(password.encode())
            if password
            else serialization.NoEncryption()
        )
        data = pkcs12.serialize_key_and_certificates(
            issued.name.encode(),
            key,  # type: ignore[arg-type]
            cert,
            [self._cert],
            encryption,
        )
        path = self.directory / f"{issued.name}.p12"
        _write_private(path, data)
        return path
