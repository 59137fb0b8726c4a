"""Reading a request's ``wsse:Security`` header the way WS-Security servers do.

Modelled on Apache WSS4J (CXF) with its Basic Security Profile checks relaxed where real
clients break them (suds, node ``soap``, WCF): no schema is applied to the header, so a
``wsu:Id`` that is not an NCName, an unqualified ``mustUnderstand="true"``, attributes and
elements of other namespaces, children in another order, a Nonce without EncodingType, or
a Password without Type (PasswordText) all pass. What could make two processors read the
header differently is refused: a second Security block, UsernameToken or Timestamp
anywhere in the Header; a repeated Username, Password, Nonce or Created; a value element
holding elements instead of text. docs/security.md has the table.

This module only finds and counts; the values (password, freshness, replay) are judged by
the receiver (``boomisoap.sandbox.security``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..namespaces import BASE64_ENCODING, SOAP_ENV, WSSE, WSU

_HEADER = f"{{{SOAP_ENV}}}Header"
_SECURITY = f"{{{WSSE}}}Security"
_TOKEN = f"{{{WSSE}}}UsernameToken"
_TIMESTAMP = f"{{{WSU}}}Timestamp"
_MUST_UNDERSTAND = (f"{{{SOAP_ENV}}}mustUnderstand", "mustUnderstand")
# SOAP 1.1 writes 0/1; suds and SOAP 1.2 habits send true/false: CXF reads all four.
_BOOLEANS = frozenset({"0", "1", "true", "false"})
_TOKEN_PARTS = {
    "Username": f"{{{WSSE}}}Username",
    "Password": f"{{{WSSE}}}Password",
    "Nonce": f"{{{WSSE}}}Nonce",
    "Created": f"{{{WSU}}}Created",
}
_STAMP_PARTS = {"Created": f"{{{WSU}}}Created", "Expires": f"{{{WSU}}}Expires"}


class SecurityHeaderError(ValueError):
    """The header cannot be read unambiguously; the message names what is wrong."""


@dataclass(frozen=True, slots=True)
class TokenParts:
    """A UsernameToken's values as sent (None: the element is absent)."""

    username: str | None
    # Out of the repr: the password, or a digest of it (the Nonce with it would let a
    # reader replay the token while it is fresh).
    password: str | None = field(repr=False)
    password_type: str | None  # None: no Type attribute (PasswordText)
    nonce: str | None = field(repr=False)
    created: str | None


@dataclass(frozen=True, slots=True)
class TimestampParts:
    """A wsu:Timestamp's values as sent."""

    created: str | None
    expires: str | None


@dataclass(frozen=True, slots=True)
class SecurityHeader:
    element: Any
    token: TokenParts | None
    timestamp: TimestampParts | None


def read_security_header(envelope: Any) -> SecurityHeader:
    """The one wsse:Security block of ``envelope`` and what it carries."""
    header = next(envelope.iterchildren(_HEADER), None)
    # One walk of the Header collects every block the checks below count (a walk per
    # kind of block would cost a pass over the Header each).
    found = _collect(header, (_SECURITY, _TOKEN, _TIMESTAMP))
    blocks = found[_SECURITY]
    if not blocks:
        raise SecurityHeaderError("the request has no WS-Security header")
    if len(blocks) > 1:
        raise SecurityHeaderError("the request has more than one WS-Security header")
    security = blocks[0]
    if security.getparent() is not header:
        raise SecurityHeaderError("the WS-Security header must be a child of the soap Header")
    _check_must_understand(security)
    token = _only(found[_TOKEN], security, "UsernameToken")
    stamp = _only(found[_TIMESTAMP], security, "wsu:Timestamp")
    return SecurityHeader(
        element=security,
        token=None if token is None else _token_parts(token),
        timestamp=None if stamp is None else _timestamp_parts(stamp),
    )


def _collect(parent: Any, tags: tuple[str, ...]) -> dict[str, list[Any]]:
    """The elements of ``parent``'s subtree (itself included) with each of ``tags``."""
    found: dict[str, list[Any]] = {tag: [] for tag in tags}
    if parent is not None:
        # An unfiltered walk with a dict look-up: lxml's multi-tag matcher costs more to set
        # up than a SOAP header has elements.
        for element in parent.iter():
            same = found.get(element.tag)
            if same is not None:
                same.append(element)
    return found


def _check_must_understand(security: Any) -> None:
    for name in _MUST_UNDERSTAND:
        value = security.get(name)
        if value is not None and value.strip() not in _BOOLEANS:
            raise SecurityHeaderError(
                "mustUnderstand on the WS-Security header must be 0, 1, true or false"
            )


def _only(found: list[Any], security: Any, what: str) -> Any:
    """The one element of ``found`` (every one in the Header), a child of Security; None
    if there is none.

    Counted anywhere in the Header, not only among Security's children: a second token
    inside a foreign element is one that another processor may read instead.
    """
    if len(found) > 1:
        raise SecurityHeaderError(f"the WS-Security header has more than one {what}")
    if found and found[0].getparent() is not security:
        raise SecurityHeaderError(f"the {what} must be a child of the WS-Security header")
    return found[0] if found else None


def _token_parts(token: Any) -> TokenParts:
    values = _values(token, _TOKEN_PARTS, "UsernameToken")
    password = values["Password"]
    password_type = None if password is None else password.get("Type")
    if password is not None and password.get(f"{{{WSSE}}}Type") is not None:
        # WSS4J refuses a wsse:Type unless allowNamespaceQualifiedPasswordTypes is set.
        raise SecurityHeaderError("the Password Type attribute must not be namespace qualified")
    nonce = values["Nonce"]
    if nonce is not None:
        encoding = nonce.get("EncodingType")
        if encoding is not None and encoding.strip() != BASE64_ENCODING:
            # BSP R4221: the digest hashes the Nonce's bytes, so their encoding must be known.
            raise SecurityHeaderError("the Nonce EncodingType must be Base64Binary")
    return TokenParts(
        username=_text(values["Username"]),
        password=_text(password),
        password_type=None if password_type is None else password_type.strip(),
        nonce=_text(nonce),
        created=_text(values["Created"]),
    )


def _timestamp_parts(stamp: Any) -> TimestampParts:
    values = _values(stamp, _STAMP_PARTS, "wsu:Timestamp")
    created, expires = values["Created"], values["Expires"]
    if created is None:
        raise SecurityHeaderError("the wsu:Timestamp has no wsu:Created")  # BSP R3203
    if expires is not None and stamp.index(expires) < stamp.index(created):
        raise SecurityHeaderError("the wsu:Created must come before wsu:Expires")  # BSP R3221
    return TimestampParts(created=_text(created), expires=_text(expires))


def _values(parent: Any, parts: dict[str, str], what: str) -> dict[str, Any]:
    """Each named part: one child element of ``parent`` holding text only, or None."""
    collected = _collect(parent, tuple(parts.values()))
    found: dict[str, Any] = {}
    for name, tag in parts.items():
        elements = collected[tag]
        if len(elements) > 1:
            # BSP R4222 (Password), R4223 (Created), R4225 (Nonce), R3203, R3224.
            raise SecurityHeaderError(f"the {what} has more than one {name}")
        element = elements[0] if elements else None
        if element is not None and element.getparent() is not parent:
            raise SecurityHeaderError(f"the {name} must be a child of the {what}")
        if element is not None and len(element):
            raise SecurityHeaderError(f"the {name} of the {what} must hold text only")
        found[name] = element
    return found


def _text(element: Any) -> str | None:
    return None if element is None else element.text or ""
