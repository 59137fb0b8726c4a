"""The parts of a signed envelope, and the checks on each besides the signature value.

Signature wrapping attacks keep a valid signature over content that the application
never reads (the signed Body moved into a header, a second element with the same Id).
They are stopped here by position and identity, not by digests: the one Body that is the
Envelope's direct child and the one Timestamp of the Security header must be the very
elements the References resolve to, and no Id value may name two elements.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509

from .. import xmlsafe
from ..errors import SignatureError
from ..namespaces import BASE64_ENCODING, DS, EXC_C14N, SOAP12_ENV, SOAP_ENV, WSSE, WSU, X509V3
from ._keys import (
    DIGEST_BY_URI,
    SHA1_DIGEST_URI,
    b64decode,
    c14n,
    certificate_from_der,
    digest,
)
from .xsdatetime import NotDateTime, parse_datetime

XML_NS = "http://www.w3.org/XML/1998/namespace"
# The attributes an XML-DSig processor may treat as an Id (xmlsec1, WSS4J, .NET): a
# duplicate across any of them would let two processors resolve one URI differently.
# Lower-case ``id`` is not among them: Boomi objects use it for their own data.
ID_ATTRIBUTES = (f"{{{WSU}}}Id", "Id", "ID", f"{{{XML_NS}}}id")
_ID_XPATH = "//@wsu:Id | //@Id | //@ID | //@xml:id"
_ID_NS = {"wsu": WSU}


class UnsignedMessageError(SignatureError):
    """The message carries no ds:Signature; ``fault_code`` is set when it is a SOAP Fault."""

    def __init__(self, direction: str, fault_code: str | None) -> None:
        detail = f" (an unsigned SOAP Fault, code {fault_code})" if fault_code else ""
        super().__init__(f"{direction} is not signed{detail}")
        self.fault_code = fault_code


@dataclass(frozen=True)
class EnvelopeParts:
    """The elements of a signed envelope, found at their only allowed positions."""

    envelope: Any
    soap_ns: str
    body: Any
    security: Any
    signature: Any
    timestamp: Any | None


def ds(name: str) -> str:
    return f"{{{DS}}}{name}"


def wsse(name: str) -> str:
    return f"{{{WSSE}}}{name}"


def wsu(name: str) -> str:
    return f"{{{WSU}}}{name}"


def _children(parent: Any, tag: str) -> list[Any]:
    return [child for child in parent if child.tag == tag]


def _fault_code(body: Any, soap_ns: str) -> str | None:
    fault = body.find(f"{{{soap_ns}}}Fault")
    if fault is None:
        return None
    code = fault.findtext("faultcode") or fault.findtext(f"{{{soap_ns}}}Code/{{{soap_ns}}}Value")
    return (code or "").strip()[:60] or "?"


def locate(root: Any, direction: str) -> EnvelopeParts:
    """Find Body, Security, Signature and Timestamp where WS-Security puts them.

    ``direction`` ("request"/"response") only words the "not signed" message.
    """
    tag = root.tag if isinstance(root.tag, str) else ""
    soap_ns = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
    if soap_ns not in (SOAP_ENV, SOAP12_ENV) or tag != f"{{{soap_ns}}}Envelope":
        raise SignatureError("the document is not a SOAP Envelope")
    bodies = _children(root, f"{{{soap_ns}}}Body")
    if len(bodies) != 1:
        raise SignatureError(f"the Envelope has {len(bodies)} Body elements; exactly 1 is allowed")
    body = bodies[0]
    headers = _children(root, f"{{{soap_ns}}}Header")
    if len(headers) > 1:
        raise SignatureError("the Envelope has more than one Header")
    securities = _children(headers[0], f"{{{WSSE}}}Security") if headers else []
    if len(securities) > 1:
        raise SignatureError("the Header has more than one wsse:Security")
    signatures = _children(securities[0], f"{{{DS}}}Signature") if securities else []
    if not signatures:
        raise UnsignedMessageError(direction, _fault_code(body, soap_ns))
    if len(signatures) > 1:
        raise SignatureError("wsse:Security holds more than one ds:Signature")
    stamps = _children(securities[0], f"{{{WSU}}}Timestamp")
    if len(stamps) > 1:
        raise SignatureError("wsse:Security holds more than one wsu:Timestamp")
    return EnvelopeParts(
        envelope=root,
        soap_ns=soap_ns,
        body=body,
        security=securities[0],
        signature=signatures[0],
        timestamp=stamps[0] if stamps else None,
    )


def index_ids(root: Any) -> dict[str, Any]:
    """Map every Id value to its element, refusing a value that names two elements."""
    found: dict[str, Any] = {}
    # One C-level XPath pass is far cheaper than walking every element in Python.
    for attr in root.xpath(_ID_XPATH, namespaces=_ID_NS):
        value = str(attr).strip()
        element = attr.getparent()
        previous = found.setdefault(value, element)
        if previous is not element:
            raise SignatureError(f"the Id {value!r} appears more than once in the document")
    return found


def resolve(ids: dict[str, Any], uri: str | None) -> Any:
    """The element a same-document ``#id`` Reference URI names."""
    if not uri or not uri.startswith("#") or len(uri) < 2:
        raise SignatureError(f"Reference URI {uri!r} is not a same-document #id reference")
    target = ids.get(uri[1:])
    if target is None:
        raise SignatureError(f"Reference URI {uri!r} names no element")
    return target


def element_id(element: Any) -> str | None:
    for name in ID_ATTRIBUTES:
        value = element.get(name)
        if value:
            return str(value).strip()
    return None


def one(parent: Any, tag: str, what: str) -> Any:
    found = [child for child in parent if child.tag == tag]
    if len(found) != 1:
        raise SignatureError(f"expected exactly one {what}, found {len(found)}")
    return found[0]


def c14n_prefixes(method: Any) -> list[str] | None:
    """The InclusiveNamespaces PrefixList some stacks (WSS4J) add to exclusive c14n."""
    if method.get("Algorithm") != EXC_C14N:
        raise SignatureError(f"canonicalization {method.get('Algorithm')!r} is not allowed")
    inclusive = method.find(f"{{{EXC_C14N}}}InclusiveNamespaces")
    if inclusive is None:
        return None
    return [p for p in (inclusive.get("PrefixList") or "").split() if p != "#default"]


def check_reference(ref: Any, ids: dict[str, Any], allow_sha1: bool) -> Any:
    """Check one Reference's transforms and digest; return the element it covers."""
    uri = ref.get("URI")
    target = resolve(ids, uri)
    transforms = one(one(ref, ds("Transforms"), "ds:Transforms"), ds("Transform"), "Transform")
    prefixes = c14n_prefixes(transforms)
    digest_uri = one(ref, ds("DigestMethod"), "ds:DigestMethod").get("Algorithm")
    hash_ = DIGEST_BY_URI.get(digest_uri or "")
    if hash_ is None or (digest_uri == SHA1_DIGEST_URI and not allow_sha1):
        raise SignatureError(f"digest method {digest_uri!r} is not allowed")
    expected = b64decode(one(ref, ds("DigestValue"), "ds:DigestValue").text, "DigestValue")
    if not hmac.compare_digest(expected, digest(hash_, c14n(target, prefixes))):
        raise SignatureError(f"the digest of Reference {uri} does not match: the content changed")
    return target


def signer_certificate(parts: EnvelopeParts, ids: dict[str, Any]) -> x509.Certificate:
    key_info = one(parts.signature, ds("KeyInfo"), "ds:KeyInfo")
    token_ref = key_info.find(wsse("SecurityTokenReference"))
    holder = token_ref if token_ref is not None else key_info
    ref = holder.find(wsse("Reference"))
    if ref is not None:
        token = resolve(ids, ref.get("URI"))
        if token.tag != wsse("BinarySecurityToken") or token.getparent() is not parts.security:
            raise SignatureError("the KeyInfo reference does not name a BinarySecurityToken")
        value_types = {token.get("ValueType"), ref.get("ValueType") or X509V3}
        if value_types != {X509V3}:
            raise SignatureError("the BinarySecurityToken is not an X509v3 certificate")
        if token.get("EncodingType", BASE64_ENCODING) != BASE64_ENCODING:
            raise SignatureError("the BinarySecurityToken is not Base64Binary")
        text = token.text
    else:
        text = holder.findtext(f"{ds('X509Data')}/{ds('X509Certificate')}")
        if text is None:
            raise SignatureError("the KeyInfo names no certificate")
    return certificate_from_der(b64decode(text, "the signing certificate"))


def timestamp_times(stamp: Any, now: datetime, skew: timedelta) -> tuple[datetime, datetime]:
    times = []
    for name in ("Created", "Expires"):
        text = stamp.findtext(wsu(name))
        if text is None:
            raise SignatureError(f"the wsu:Timestamp has no wsu:{name}")
        try:
            moment = parse_datetime(text)
        except NotDateTime as exc:
            if "without a time zone" in exc.reason:
                raise SignatureError(f"wsu:{name} has no time zone") from None
            raise SignatureError(f"wsu:{name} {text.strip()[:40]!r} is not a dateTime") from None
        times.append(moment)
    created, expires = times
    if expires < created:
        raise SignatureError("the wsu:Timestamp expires before it was created")
    if created > now + skew:
        raise SignatureError("the wsu:Timestamp was created in the future")
    if expires <= now - skew:
        raise SignatureError("the wsu:Timestamp has expired")
    return created, expires


def as_root(envelope: bytes | Any) -> Any:
    if isinstance(envelope, bytes | bytearray):
        try:
            return xmlsafe.parse(bytes(envelope))
        except xmlsafe.UnsafeXMLError as exc:
            raise SignatureError(f"cannot verify: {exc}") from None
    if hasattr(envelope, "getroot"):
        envelope = envelope.getroot()
    if not isinstance(getattr(envelope, "tag", None), str):
        raise SignatureError("cannot verify: expected envelope bytes or an lxml element")
    return envelope
