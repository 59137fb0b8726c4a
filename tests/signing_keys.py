"""Keys and certificates for the signing tests, generated fresh and written as PEM files.

RSA generation dominates the cost, so each test module builds its material once
(module-scoped fixtures) and writes it into a temporary directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class KeyMaterial:
    """A private key and its certificate, in memory and as PEM files."""

    key: PrivateKey
    cert: x509.Certificate
    key_path: Path
    cert_path: Path
    password: bytes | None = None

    @property
    def key_pem(self) -> bytes:
        return self.key_path.read_bytes()

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def new_key(kind: str = "rsa", bits: int = 2048) -> PrivateKey:
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=bits)
    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(kind)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "boomisoap tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_cert(
    key: PrivateKey,
    common_name: str,
    *,
    issuer: KeyMaterial | None = None,
    issuer_name: str | None = None,
    ca: bool = False,
    valid_from: datetime | None = None,
    days: int = 30,
) -> x509.Certificate:
    """A certificate for ``key``: self-signed unless ``issuer`` signs it."""
    start = valid_from or datetime.now(UTC) - timedelta(days=1)
    signing_key = issuer.key if issuer else key
    issued_by = issuer.cert.subject if issuer else _name(issuer_name or common_name)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issued_by)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return builder.sign(signing_key, hashes.SHA256())


def write_material(
    directory: Path,
    name: str,
    key: PrivateKey,
    cert: x509.Certificate,
    *,
    password: bytes | None = None,
) -> KeyMaterial:
    """Write ``name``.key (PKCS#8, encrypted when ``password``) and ``name``.crt."""
    directory.mkdir(parents=True, exist_ok=True)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    key_path = directory / f"{name}.key"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    cert_path = directory / f"{name}.crt"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return KeyMaterial(key, cert, key_path, cert_path, password)


def self_signed(
    directory: Path,
    name: str,
    kind: str = "rsa",
    *,
    password: bytes | None = None,
    valid_from: datetime | None = None,
    days: int = 30,
) -> KeyMaterial:
    key = new_key(kind)
    cert = make_cert(key, name, valid_from=valid_from, days=days)
    return write_material(directory, name, key, cert, password=password)


def make_ca(directory: Path, name: str = "Test CA") -> KeyMaterial:
    key = new_key("ec")
    return write_material(directory, name.replace(" ", "-"), key, make_cert(key, name, ca=True))


def issued_by(ca: KeyMaterial, directory: Path, name: str, kind: str = "rsa") -> KeyMaterial:
    key = new_key(kind)
    return write_material(directory, name, key, make_cert(key, name, issuer=ca))


def write_bundle(path: Path, *materials: KeyMaterial) -> Path:
    """A PEM bundle of the materials' certificates."""
    path.write_bytes(b"".join(m.cert_pem for m in materials))
    return path
