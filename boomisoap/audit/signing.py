"""Signed checkpoints: (stream, size, root hash, time) signed with Ed25519 or ECDSA P-256.

The signed bytes are a small text note, one field per line::

    boomisoap-audit-checkpoint/1
    <stream>
    <size>
    <root hash, hex>
    <time, YYYY-MM-DDTHH:MM:SS.ffffffZ>

Only the public key is needed to check one. The private key is read from a PEM file
that its owner alone may read (like the CLI's config files holding secrets); a key
readable or writable by the group or others is refused.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from ..filemode import exposure, mode_text
from .errors import AuditError
from .record import format_time, parse_time

NOTE_MAGIC = "boomisoap-audit-checkpoint/1"
ALG_ED25519 = "ed25519"
ALG_ECDSA = "ecdsa-p256-sha256"

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey


def key_id(public: PublicKey) -> str:
    """First 16 hex digits of SHA-256 of the SubjectPublicKeyInfo DER."""
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()[:16]


def _check_private(path: Path) -> None:
    who = exposure(path)
    if who is not None:
        raise AuditError(
            f"signing key {path} is accessible by {who} (mode {mode_text(path)}); "
            f"refusing to use it. Run: chmod 600 {path}"
        )


def load_private_key(path: str | os.PathLike[str]) -> PrivateKey:
    """An unencrypted PEM private key (Ed25519 or ECDSA P-256) readable by its owner only."""
    p = Path(path)
    try:
        _check_private(p)
        key = serialization.load_pem_private_key(p.read_bytes(), password=None)
    except OSError as exc:
        raise AuditError(f"cannot read signing key {p}: {exc.strerror}") from None
    except (ValueError, TypeError):
        # The message of a failed parse could quote key material: not echoed.
        raise AuditError(f"signing key {p} is not an unencrypted PEM private key") from None
    return _checked_private(key, str(p))


def _checked_private(key: Any, where: str) -> PrivateKey:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise AuditError(f"signing key {where}: only Ed25519 and ECDSA P-256 keys are supported")


def load_public_key(source: str | os.PathLike[str] | bytes) -> PublicKey:
    """A PEM public key from a file path or PEM bytes (a private key gives its public half)."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        key: Any = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError):
            raise AuditError("not a PEM public key") from None
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    raise AuditError("only Ed25519 and ECDSA P-256 public keys are supported")


def public_pem(key: PrivateKey | PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def as_public_key(value: PublicKey | PrivateKey | str | os.PathLike[str] | bytes) -> PublicKey:
    if isinstance(value, PrivateKey):
        return value.public_key()
    if isinstance(value, PublicKey):
        return value
    return load_public_key(value)


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A signed statement that ``stream`` held ``size`` records with tree ``root``."""

    stream: str
    size: int
    root: str  # hex
    time: datetime
    key_id: str
    alg: str
    signature: str  # base64

    def note(self) -> bytes:
        return note_bytes(self.stream, self.size, self.root, self.time)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": 1,
            "stream": self.stream,
            "size": self.size,
            "root": self.root,
            "time": format_time(self.time),
            "key_id": self.key_id,
            "alg": self.alg,
            "signature": self.signature,
        }

    @classmethod
    def from_json(cls, data: Any) -> SignedCheckpoint:
        """Raises AuditError on anything that is not a checkpoint."""
        try:
            return cls(
                str(data["stream"]),
                int(data["size"]),
                str(data["root"]),
                parse_time(str(data["time"])),
                str(data["key_id"]),
                str(data["alg"]),
                str(data["signature"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise AuditError(f"not a signed checkpoint ({type(exc).__name__}: {exc})") from None

    def line(self) -> str:
        return json.dumps(self.to_json(), separators=(",", ":"))

    def check(self, public: PublicKey) -> str:
        """'' when the signature is good under ``public``, else what is wrong."""
        if self.key_id != key_id(public):
            return f"signed by key {self.key_id}, not by the given key {key_id(public)}"
        try:
            signature = base64.b64decode(self.signature, validate=True)
            if isinstance(public, ed25519.Ed25519PublicKey):
                if self.alg != ALG_ED25519:
                    return f"algorithm {self.alg!r} does not match an Ed25519 key"
                public.verify(signature, self.note())
            else:
                if self.alg != ALG_ECDSA:
                    return f"algorithm {self.alg!r} does not match an ECDSA key"
                public.verify(signature, self.note(), ec.ECDSA(hashes.SHA256()))
        except (InvalidSignature, ValueError):
            return "bad signature: the checkpoint was forged or altered"
        return ""


def note_bytes(stream: str, size: int, root: str, time: datetime) -> bytes:
    if "\n" in stream:
        raise AuditError("a stream name cannot hold a newline")
    return f"{NOTE_MAGIC}\n{stream}\n{size}\n{root}\n{format_time(time)}\n".encode()


class Signer:
    """Signs checkpoints with a private key kept by the writer."""

    def __init__(self, key: PrivateKey) -> None:
        self._key = key
        self.public_key: PublicKey = key.public_key()
        self.key_id = key_id(self.public_key)
        self.alg = ALG_ED25519 if isinstance(key, ed25519.Ed25519PrivateKey) else ALG_ECDSA

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Signer:
        return cls(load_private_key(path))

    def __repr__(self) -> str:
        return f"Signer(key_id={self.key_id!r}, alg={self.alg!r})"

    def sign(
        self, stream: str, size: int, root: bytes, time: datetime | None = None
    ) -> SignedCheckpoint:
        moment = datetime.now(UTC) if time is None else time
        # Microseconds are what the note carries; the dataclass holds the same value.
        moment = parse_time(format_time(moment))
        note = note_bytes(stream, size, root.hex(), moment)
        if isinstance(self._key, ed25519.Ed25519PrivateKey):
            signature = self._key.sign(note)
        else:
            signature = self._key.sign(note, ec.ECDSA(hashes.SHA256()))
        return SignedCheckpoint(
            stream,
            size,
            root.hex(),
            moment,
            self.key_id,
            self.alg,
            base64.b64encode(signature).decode("ascii"),
        )


def write_key_pair(path: str | os.PathLike[str], *, ecdsa: bool = False) -> tuple[Path, Path]:
    """A new private key at ``path`` (mode 600, never overwritten) and its public key at
    ``path.pub``."""
    private = Path(path)
    public = Path(f"{private}.pub")
    key: PrivateKey = (
        ec.generate_private_key(ec.SECP256R1()) if ecdsa else (ed25519.Ed25519PrivateKey.generate())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise AuditError(f"{private} exists already: not overwritten") from None
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    public.write_bytes(public_pem(key))
    return private, public
