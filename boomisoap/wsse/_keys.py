"""Keys and certificates, the trust store, and the XML-DSig algorithms and primitives.

Everything here is parsed once (in a signer's or verifier's constructor) so that the per
message cost is only canonicalisation, hashing and one public-key operation.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeAlias

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from lxml import etree
from signxml.algorithms import DigestAlgorithm, SignatureMethod

from ..errors import SignatureError

PrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey: TypeAlias = rsa.RSAPublicKey | ec.EllipticCurvePublicKey
KeySource: TypeAlias = str | os.PathLike[str] | bytes | PrivateKey
CertSource: TypeAlias = str | os.PathLike[str] | bytes | x509.Certificate

# RSA keys below 2048 bits are refused on both sides: NIST disallowed them in 2013 and
# nothing in the Boomi documents needs them.
MIN_RSA_BITS = 2048
_EC_CURVES = (ec.SECP256R1, ec.SECP384R1, ec.SECP521R1)


@dataclass(frozen=True)
class SignatureAlgorithm:
    """One ``ds:SignatureMethod``: its URI, key family and hash."""

    uri: str
    family: str  # "rsa" or "ecdsa"
    hash_name: str
    hash: type[hashes.HashAlgorithm]

    @property
    def is_sha1(self) -> bool:
        return self.hash is hashes.SHA1


def _sig(method: SignatureMethod, hash_: type[hashes.HashAlgorithm]) -> SignatureAlgorithm:
    family, hash_name = method.name.lower().split("_", 1)
    return SignatureAlgorithm(method.value, family, hash_name, hash_)


SIGNATURE_METHODS: dict[str, SignatureAlgorithm] = {
    "rsa-sha256": _sig(SignatureMethod.RSA_SHA256, hashes.SHA256),
    "rsa-sha384": _sig(SignatureMethod.RSA_SHA384, hashes.SHA384),
    "rsa-sha512": _sig(SignatureMethod.RSA_SHA512, hashes.SHA512),
    "rsa-sha1": _sig(SignatureMethod.RSA_SHA1, hashes.SHA1),
    "ecdsa-sha256": _sig(SignatureMethod.ECDSA_SHA256, hashes.SHA256),
    "ecdsa-sha384": _sig(SignatureMethod.ECDSA_SHA384, hashes.SHA384),
    "ecdsa-sha512": _sig(SignatureMethod.ECDSA_SHA512, hashes.SHA512),
    "ecdsa-sha1": _sig(SignatureMethod.ECDSA_SHA1, hashes.SHA1),
}
SIGNATURE_BY_URI = {alg.uri: alg for alg in SIGNATURE_METHODS.values()}

DIGEST_METHODS: dict[str, tuple[str, type[hashes.HashAlgorithm]]] = {
    "sha256": (DigestAlgorithm.SHA256.value, hashes.SHA256),
    "sha384": (DigestAlgorithm.SHA384.value, hashes.SHA384),
    "sha512": (DigestAlgorithm.SHA512.value, hashes.SHA512),
    "sha1": (DigestAlgorithm.SHA1.value, hashes.SHA1),
}
DIGEST_BY_URI = {uri: hash_ for uri, hash_ in DIGEST_METHODS.values()}
SHA1_DIGEST_URI = DigestAlgorithm.SHA1.value


def c14n(node: Any, prefixes: list[str] | None = None) -> bytes:
    """Exclusive c14n without comments: the only canonicalization signed or accepted."""
    return bytes(
        etree.tostring(
            node,
            method="c14n",
            exclusive=True,
            with_comments=False,
            inclusive_ns_prefixes=prefixes,
        )
    )


def digest(hash_: type[hashes.HashAlgorithm], data: bytes) -> bytes:
    h = hashes.Hash(hash_())
    h.update(data)
    return h.finalize()


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str | None, what: str) -> bytes:
    try:
        # xmlsec1 and Java stacks wrap base64 at 64/76 columns.
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError(f"{what} is not valid base64") from None


def key_family(key: PrivateKey | PublicKey) -> str:
    return "rsa" if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey) else "ecdsa"


def choose_signature_method(name: str, key: PrivateKey, *, allow_sha1: bool) -> SignatureAlgorithm:
    """The method named ``name`` (short name or URI), its family following the key type.

    ``"rsa-sha256"`` with an EC key becomes ``ecdsa-sha256``: the default then suits both
    kinds of key, and an RSA method can never be used with an EC key anyway.
    """
    alg = SIGNATURE_METHODS.get(name.lower()) or SIGNATURE_BY_URI.get(name)
    if alg is None:
        raise SignatureError(f"unknown signature method {name!r}")
    family = key_family(key)
    if alg.family != family:
        alg = SIGNATURE_METHODS[f"{family}-{alg.hash_name}"]
    if alg.is_sha1 and not allow_sha1:
        raise SignatureError("SHA-1 signatures are refused unless allow_sha1=True")
    return alg


def choose_digest_method(name: str, *, allow_sha1: bool) -> tuple[str, type[hashes.HashAlgorithm]]:
    """The ``(uri, hash)`` of a digest named by short name (``sha256``) or URI."""
    found = DIGEST_METHODS.get(name.lower().replace("-", ""))
    if found is None and name in DIGEST_BY_URI:
        found = (name, DIGEST_BY_URI[name])
    if found is None:
        raise SignatureError(f"unknown digest method {name!r}")
    if found[1] is hashes.SHA1 and not allow_sha1:
        raise SignatureError("SHA-1 digests are refused unless allow_sha1=True")
    return found


def _read(source: str | os.PathLike[str] | bytes, what: str) -> bytes:
    if isinstance(source, bytes):
        return source
    text = os.fspath(source)
    if text.lstrip().startswith("-----BEGIN"):
        return text.encode("ascii")
    try:
        return Path(text).read_bytes()
    except OSError as exc:
        raise SignatureError(f"cannot read {what} file {text!r}: {exc.strerror}") from None


def _check_key_strength(key: PrivateKey | PublicKey) -> None:
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise SignatureError(f"RSA key of {key.key_size} bits is below {MIN_RSA_BITS}")
    elif isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, _EC_CURVES):
            raise SignatureError(f"EC curve {key.curve.name} is not supported")
    else:
        raise SignatureError("only RSA and EC (P-256/384/521) keys are supported")


def load_private_key(source: KeySource, password: bytes | str | None = None) -> PrivateKey:
    """A private key from a PEM/DER file path, PEM/DER bytes or a ``cryptography`` key."""
    if isinstance(password, str):
        password = password.encode("utf-8")
    if isinstance(source, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        key: object = source
    else:
        data = _read(source, "private key")
        try:
            if b"-----BEGIN" in data:
                key = serialization.load_pem_private_key(data, password=password)
            else:
                key = serialization.load_der_private_key(data, password=password)
        except TypeError:
            # cryptography says TypeError when a password is missing or not expected.
            if password is None:
                raise SignatureError("the private key is encrypted: pass password=") from None
            raise SignatureError("the private key is not encrypted: drop password=") from None
        except ValueError:
            raise SignatureError(
                "cannot load the private key (wrong password, or not a PEM/DER key)"
            ) from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SignatureError("only RSA and EC private keys are supported")
    _check_key_strength(key)
    return key


def load_certificates(source: CertSource) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle (path or bytes), a DER blob, or one object."""
    if isinstance(source, x509.Certificate):
        return [source]
    data = _read(source, "certificate")
    try:
        if b"-----BEGIN" in data:
            return list(x509.load_pem_x509_certificates(data))
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise SignatureError("cannot load the certificate (not PEM/DER X.509)") from None


@lru_cache(maxsize=128)
def certificate_from_der(der: bytes) -> x509.Certificate:
    """Parse a token's certificate; cached because a peer sends the same one every time."""
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError:
        raise SignatureError("the BinarySecurityToken is not an X.509 certificate") from None


def cert_public_key(cert: x509.Certificate) -> PublicKey:
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise SignatureError("the certificate's key is neither RSA nor EC")
    _check_key_strength(key)
    return key


def same_public_key(a: PublicKey, b: PublicKey) -> bool:
    fmt = serialization.PublicFormat.SubjectPublicKeyInfo
    enc = serialization.Encoding.DER
    return a.public_bytes(enc, fmt) == b.public_bytes(enc, fmt)


def sign_bytes(key: PrivateKey, alg: SignatureAlgorithm, data: bytes) -> bytes:
    """The ``ds:SignatureValue`` octets: PKCS#1 v1.5 for RSA, raw ``r || s`` for ECDSA."""
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), alg.hash())
    der = key.sign(data, ec.ECDSA(alg.hash()))
    r, s = decode_dss_signature(der)
    size = (key.curve.key_size + 7) // 8
    # XML-DSig 1.1 section 6.4.3 uses the fixed-width concatenation, not DER.
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def verify_bytes(key: PublicKey, alg: SignatureAlgorithm, signature: bytes, data: bytes) -> None:
    """Raise :class:`SignatureError` unless ``signature`` over ``data`` is valid."""
    if key_family(key) != alg.family:
        raise SignatureError(f"signature method {alg.uri} does not match the certificate's key")
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), alg.hash())
            return
        size = (key.curve.key_size + 7) // 8
        if len(signature) != 2 * size:
            raise InvalidSignature
        r = int.from_bytes(signature[:size], "big")
        s = int.from_bytes(signature[size:], "big")
        key.verify(encode_dss_signature(r, s), data, ec.ECDSA(alg.hash()))
    except InvalidSignature:
        raise SignatureError("the signature value does not verify over SignedInfo") from None


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


class TrustedCerts:
    """The certificates a verifier trusts: pinned signer certificates and issuing CAs.

    A signer is trusted when its certificate is byte-for-byte one of these, or when it was
    issued directly by one of them that is a CA (basicConstraints ``cA=TRUE``). Both
    cases also require the signer's certificate to be within its validity period.
    """

    def __init__(self, certs: Iterable[x509.Certificate]) -> None:
        self.certs: tuple[x509.Certificate, ...] = tuple(certs)
        if not self.certs:
            raise SignatureError("no trusted certificate given")
        self._pinned = {c.fingerprint(hashes.SHA256()) for c in self.certs}
        self._cas = [c for c in self.certs if _is_ca(c)]

    @classmethod
    def load(cls, source: TrustSource) -> TrustedCerts:
        """From a certificate, PEM bytes or bundle path, a list of those, or as is."""
        if isinstance(source, TrustedCerts):
            return source
        if isinstance(source, str | os.PathLike | bytes | x509.Certificate):
            return cls(load_certificates(source))
        return cls(c for item in source for c in load_certificates(item))

    def check(self, cert: x509.Certificate, now: datetime, skew: timedelta) -> None:
        """Raise :class:`SignatureError` unless ``cert`` is trusted at ``now``."""
        if not cert.not_valid_before_utc - skew <= now <= cert.not_valid_after_utc + skew:
            raise SignatureError("the signing certificate is expired or not yet valid")
        if cert.fingerprint(hashes.SHA256()) in self._pinned:
            return
        for ca in self._cas:
            if ca.subject != cert.issuer:
                continue
            try:
                cert.verify_directly_issued_by(ca)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return
        raise SignatureError("the signing certificate is not trusted")


TrustSource: TypeAlias = CertSource | Sequence[CertSource] | TrustedCerts
