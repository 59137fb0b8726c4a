"""X.509 signing and verification of SOAP envelopes (WS-Security X.509 Token Profile 1.0).

The layout is the one WSS4J, .NET and xmlsec1 templates use: in ``wsse:Security`` a
``wsu:Timestamp``, a ``wsse:BinarySecurityToken`` holding the certificate, and a
``ds:Signature`` whose References name the soap Body and the Timestamp by ``wsu:Id``,
with exclusive c14n throughout and a ``wsse:SecurityTokenReference`` as KeyInfo.

signxml's signer writes its own enveloped/detached layouts, so SignedInfo is built here
with lxml and signed with ``cryptography``; the algorithm identifiers come from signxml.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from .. import xmlsafe
from ..errors import SignatureError
from ..namespaces import BASE64_ENCODING, DS, EXC_C14N, SOAP12_ENV, SOAP_ENV, WSSE, WSU, X509V3
from ._keys import (
    SIGNATURE_BY_URI,
    CertSource,
    KeySource,
    SignatureAlgorithm,
    TrustedCerts,
    TrustSource,
    b64decode,
    b64encode,
    c14n,
    cert_public_key,
    choose_digest_method,
    choose_signature_method,
    digest,
    load_certificates,
    load_private_key,
    same_public_key,
    sign_bytes,
    verify_bytes,
)
from ._wrapping import (
    UnsignedMessageError,
    as_root,
    c14n_prefixes,
    check_reference,
    ds,
    element_id,
    index_ids,
    locate,
    one,
    signer_certificate,
    timestamp_times,
    wsse,
    wsu,
)

__all__ = [
    "ResponseVerifier",
    "TrustedCerts",
    "UnsignedMessageError",
    "VerifiedEnvelope",
    "X509Signer",
    "sign_envelope",
    "verify_envelope",
    "verify_request",
]

# lxml names a namespace it must declare for a new attribute "ns0" unless a prefix is
# registered; the Body's wsu:Id then reads as the conventional wsu:Id on the wire.
etree.register_namespace("wsu", WSU)

_WSU_ID = f"{{{WSU}}}Id"


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _ensure_id(element: Any, prefix: str) -> str:
    existing = element_id(element)
    if existing:
        return existing
    value = f"{prefix}-{uuid.uuid4().hex}"
    element.set(_WSU_ID, value)
    return value


class X509Signer:
    """A zeep WS-Security plugin that signs each request's Body and Timestamp.

    ``key`` and ``cert`` are PEM/DER file paths, PEM/DER bytes, or ``cryptography``
    objects, loaded once here. Use alone as ``Client(wsse=X509Signer(...))`` or after a
    UsernameToken in ``zeep.wsse.Compose``; ``verifier`` (a :class:`ResponseVerifier`)
    makes :meth:`verify` check responses, otherwise responses are not checked.
    """

    def __init__(
        self,
        key: KeySource,
        cert: CertSource,
        *,
        password: bytes | str | None = None,
        signature_method: str = "rsa-sha256",
        digest_method: str = "sha256",
        allow_sha1: bool = False,
        timestamp_ttl: int = 300,
        verifier: ResponseVerifier | None = None,
    ) -> None:
        if timestamp_ttl <= 0:
            raise ValueError("timestamp_ttl must be a positive number of seconds")
        self._key = load_private_key(key, password)
        self.certificate: x509.Certificate = load_certificates(cert)[0]
        if not same_public_key(cert_public_key(self.certificate), self._key.public_key()):
            raise SignatureError("the certificate does not belong to the private key")
        self.signature_method: SignatureAlgorithm = choose_signature_method(
            signature_method, self._key, allow_sha1=allow_sha1
        )
        self.digest_method, self._digest_hash = choose_digest_method(
            digest_method, allow_sha1=allow_sha1
        )
        self.timestamp_ttl = timestamp_ttl
        self.verifier = verifier
        self._cert_b64 = b64encode(self.certificate.public_bytes(Encoding.DER))

    def apply(self, envelope: Any, headers: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """zeep's egress hook: sign ``envelope`` in place."""
        self.sign(envelope)
        return envelope, headers

    def verify(self, envelope: Any) -> Any:
        """zeep's ingress hook: delegate to the configured verifier, if any."""
        if self.verifier is not None:
            self.verifier.verify(envelope)
        return envelope

    def sign(self, envelope: Any) -> None:
        """Add Timestamp, BinarySecurityToken and Signature to ``envelope`` in place."""
        soap_ns = _soap_namespace(envelope)
        bodies = [child for child in envelope if child.tag == f"{{{soap_ns}}}Body"]
        if len(bodies) != 1:
            raise SignatureError("cannot sign: the Envelope needs exactly one Body")
        security = _security_header(envelope, soap_ns)
        if security.find(ds("Signature")) is not None:
            raise SignatureError("cannot sign: the envelope is already signed")
        timestamp = security.find(wsu("Timestamp"))
        if timestamp is None:
            timestamp = self._timestamp()
            # Strict layout (WS-SecurityPolicy): the Timestamp comes first.
            security.insert(0, timestamp)
        token = etree.SubElement(
            security,
            wsse("BinarySecurityToken"),
            {"EncodingType": BASE64_ENCODING, "ValueType": X509V3},
        )
        token.text = self._cert_b64
        token_id = _ensure_id(token, "X509")
        targets = [(_ensure_id(bodies[0], "id"), bodies[0])]
        targets.append((_ensure_id(timestamp, "TS"), timestamp))

        signature = etree.SubElement(security, ds("Signature"), nsmap={"ds": DS})
        signed_info = etree.SubElement(signature, ds("SignedInfo"))
        etree.SubElement(signed_info, ds("CanonicalizationMethod"), Algorithm=EXC_C14N)
        etree.SubElement(signed_info, ds("SignatureMethod"), Algorithm=self.signature_method.uri)
        for target_id, target in targets:
            ref = etree.SubElement(signed_info, ds("Reference"), URI=f"#{target_id}")
            transforms = etree.SubElement(ref, ds("Transforms"))
            etree.SubElement(transforms, ds("Transform"), Algorithm=EXC_C14N)
            etree.SubElement(ref, ds("DigestMethod"), Algorithm=self.digest_method)
            target_digest = digest(self._digest_hash, c14n(target))
            etree.SubElement(ref, ds("DigestValue")).text = b64encode(target_digest)
        value = sign_bytes(self._key, self.signature_method, c14n(signed_info))
        etree.SubElement(signature, ds("SignatureValue")).text = b64encode(value)
        key_info = etree.SubElement(signature, ds("KeyInfo"))
        token_ref = etree.SubElement(key_info, wsse("SecurityTokenReference"))
        etree.SubElement(token_ref, wsse("Reference"), URI=f"#{token_id}", ValueType=X509V3)

    def _timestamp(self) -> Any:
        now = datetime.now(UTC)
        stamp = etree.Element(wsu("Timestamp"), nsmap={"wsu": WSU})
        etree.SubElement(stamp, wsu("Created")).text = _utc_text(now)
        expires = now + timedelta(seconds=self.timestamp_ttl)
        etree.SubElement(stamp, wsu("Expires")).text = _utc_text(expires)
        return stamp


def _soap_namespace(envelope: Any) -> str:
    tag = envelope.tag if isinstance(envelope.tag, str) else ""
    for soap_ns in (SOAP_ENV, SOAP12_ENV):
        if tag == f"{{{soap_ns}}}Envelope":
            return soap_ns
    raise SignatureError("cannot sign: the element is not a SOAP Envelope")


def _security_header(envelope: Any, soap_ns: str) -> Any:
    """The existing wsse:Security (e.g. from a UsernameToken plugin) or a new one."""
    header = envelope.find(f"{{{soap_ns}}}Header")
    if header is None:
        header = etree.Element(f"{{{soap_ns}}}Header")
        envelope.insert(0, header)
    security = header.find(wsse("Security"))
    if security is None:
        security = etree.SubElement(header, wsse("Security"), nsmap={"wsse": WSSE, "wsu": WSU})
    # A receiver that ignores the header would accept the message without checking it.
    if security.get(f"{{{soap_ns}}}mustUnderstand") is None:
        security.set(f"{{{soap_ns}}}mustUnderstand", "1")
    return security


@dataclass(frozen=True)
class VerifiedEnvelope:
    """What a successful verification established.

    ``body`` is the one soap Body the signature covers: read the message from it (or
    from ``envelope``, whose Body is that same element), never from a copy.
    """

    envelope: Any
    body: Any
    certificate: x509.Certificate
    created: datetime | None
    expires: datetime | None
    signature_method: str
    signed_ids: tuple[str, ...]
    # SHA-256 of the canonical SignedInfo: the identity of what was signed, for replay
    # caches. Not the SignatureValue: an ECDSA value has a second valid form (s -> n - s)
    # that anyone can compute, while a changed SignedInfo needs the private key.
    signed_info_digest: bytes = b""


def _verify(
    envelope: bytes | Any,
    trusted: TrustedCerts,
    *,
    allow_sha1: bool,
    max_clock_skew: float,
    require_timestamp: bool,
    now: datetime | None,
    direction: str,
) -> VerifiedEnvelope:
    root = as_root(envelope)
    parts = locate(root, direction)
    ids = index_ids(root)
    now = now or datetime.now(UTC)
    skew = timedelta(seconds=max_clock_skew)

    signed_info = one(parts.signature, ds("SignedInfo"), "ds:SignedInfo")
    prefixes = c14n_prefixes(
        one(signed_info, ds("CanonicalizationMethod"), "ds:CanonicalizationMethod")
    )
    method_uri = one(signed_info, ds("SignatureMethod"), "ds:SignatureMethod").get("Algorithm")
    alg = SIGNATURE_BY_URI.get(method_uri or "")
    if alg is None or (alg.is_sha1 and not allow_sha1):
        raise SignatureError(f"signature method {method_uri!r} is not allowed")

    cert = signer_certificate(parts, ids)
    trusted.check(cert, now, skew)
    value = b64decode(
        one(parts.signature, ds("SignatureValue"), "ds:SignatureValue").text, "SignatureValue"
    )
    signed_bytes = c14n(signed_info, prefixes)
    verify_bytes(cert_public_key(cert), alg, value, signed_bytes)

    references = [child for child in signed_info if child.tag == ds("Reference")]
    uris = [ref.get("URI") for ref in references]
    if not references or len(set(uris)) != len(uris):
        raise SignatureError("SignedInfo needs References with distinct URIs")
    covered = [check_reference(ref, ids, allow_sha1) for ref in references]
    if not any(target is parts.body for target in covered):
        raise SignatureError("the soap Body is not the element the signature covers")

    created = expires = None
    if parts.timestamp is not None:
        if not any(target is parts.timestamp for target in covered):
            raise SignatureError("the wsu:Timestamp is not covered by the signature")
        created, expires = timestamp_times(parts.timestamp, now, skew)
    elif require_timestamp:
        raise SignatureError("wsse:Security has no wsu:Timestamp")
    return VerifiedEnvelope(
        envelope=root,
        body=parts.body,
        certificate=cert,
        created=created,
        expires=expires,
        signature_method=alg.uri,
        signed_ids=tuple(str(uri)[1:] for uri in uris),
        signed_info_digest=hashlib.sha256(signed_bytes).digest(),
    )


def verify_envelope(
    envelope: bytes | Any,
    *,
    trusted: TrustSource,
    allow_sha1: bool = False,
    max_clock_skew: float = 60,
    require_timestamp: bool = True,
    now: datetime | None = None,
) -> VerifiedEnvelope:
    """Verify a signed SOAP envelope (bytes or lxml element); raise SignatureError if not.

    ``trusted`` is a certificate, PEM bytes, a PEM bundle path, a list of these, or a
    preloaded :class:`TrustedCerts` (load once when verifying many messages).
    """
    return _verify(
        envelope,
        TrustedCerts.load(trusted),
        allow_sha1=allow_sha1,
        max_clock_skew=max_clock_skew,
        require_timestamp=require_timestamp,
        now=now,
        direction="response",
    )


def verify_request(
    envelope_bytes: bytes | Any,
    trusted: TrustSource,
    *,
    allow_sha1: bool = False,
    max_clock_skew: float = 60,
    require_timestamp: bool = True,
    now: datetime | None = None,
) -> VerifiedEnvelope:
    """The server side of :func:`verify_envelope`: the same checks on a request."""
    return _verify(
        envelope_bytes,
        TrustedCerts.load(trusted),
        allow_sha1=allow_sha1,
        max_clock_skew=max_clock_skew,
        require_timestamp=require_timestamp,
        now=now,
        direction="request",
    )


def sign_envelope(envelope_bytes: bytes, signer: X509Signer) -> bytes:
    """Sign serialized envelope bytes (the emulator's responses) and serialize again."""
    root = xmlsafe.parse(envelope_bytes)
    signer.sign(root)
    declared = envelope_bytes.lstrip().startswith(b"<?xml")
    return bytes(etree.tostring(root, encoding="utf-8", xml_declaration=declared))


class ResponseVerifier:
    """Checks responses as the ``verify`` side of a zeep wsse plugin.

    Put it in ``zeep.wsse.Compose([..., X509Signer(...), ResponseVerifier(trusted)])`` or
    pass it as ``X509Signer(..., verifier=...)``. Trusted certificates are loaded once.
    ``allow_unsigned_faults=True`` lets an unsigned SOAP Fault through so that zeep
    raises the Fault itself; by default it is a :class:`SignatureError`.
    """

    def __init__(
        self,
        trusted: TrustSource,
        *,
        allow_sha1: bool = False,
        max_clock_skew: float = 60,
        require_timestamp: bool = True,
        allow_unsigned_faults: bool = False,
    ) -> None:
        self.trusted = TrustedCerts.load(trusted)
        self.allow_sha1 = allow_sha1
        self.max_clock_skew = max_clock_skew
        self.require_timestamp = require_timestamp
        self.allow_unsigned_faults = allow_unsigned_faults

    def check(self, envelope: bytes | Any, *, now: datetime | None = None) -> VerifiedEnvelope:
        """Verify ``envelope`` and return what was established."""
        return _verify(
            envelope,
            self.trusted,
            allow_sha1=self.allow_sha1,
            max_clock_skew=self.max_clock_skew,
            require_timestamp=self.require_timestamp,
            now=now,
            direction="response",
        )

    def verify(self, envelope: Any) -> Any:
        """zeep's ingress hook: raise SignatureError unless the response verifies."""
        try:
            self.check(envelope)
        except UnsignedMessageError as exc:
            if not (self.allow_unsigned_faults and exc.fault_code):
                raise
        return envelope

    def apply(self, envelope: Any, headers: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """zeep's egress hook: requests pass unchanged."""
        return envelope, headers
