"""WS-Security UsernameToken (PasswordText, PasswordDigest) and Timestamp header plugins.

Both follow zeep's wsse plugin interface (``apply(envelope, headers)`` / ``verify``) so they
compose with :class:`zeep.wsse.Compose` and the X.509 signer. Every ``apply`` writes a fresh
random Nonce and a Created stamp in UTC: zeep's own token labels a non-UTC aware datetime as
UTC, which servers then reject as stale or future.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from lxml import etree

from ..namespaces import BASE64_ENCODING, PASSWORD_DIGEST, PASSWORD_TEXT, SOAP_ENV, WSSE, WSU

Clock = Callable[[], datetime]
_MUST_UNDERSTAND = f"{{{SOAP_ENV}}}mustUnderstand"
_TOKEN = f"{{{WSSE}}}UsernameToken"
_ID = f"{{{WSU}}}Id"
_USERNAME = f"{{{WSSE}}}Username"
_PASSWORD = f"{{{WSSE}}}Password"
_NONCE = f"{{{WSSE}}}Nonce"
_CREATED = f"{{{WSU}}}Created"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def format_created(moment: datetime) -> str:
    """xs:dateTime in UTC with an explicit offset, to the second."""
    if moment.tzinfo is None:
        raise ValueError("Created must be a timezone-aware datetime")
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def format_created_millis(moment: datetime) -> str:
    """xs:dateTime in UTC with milliseconds and a Z, as WSS4J writes it (the form
    ``boomisoap audit replay`` sends, like the Java clients whose requests it repeats)."""
    if moment.tzinfo is None:
        raise ValueError("Created must be a timezone-aware datetime")
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def password_digest(password: str, nonce: bytes, created: str) -> str:
    """Base64(SHA-1(nonce + created + password)), the UsernameToken profile's digest."""
    digest = hashlib.sha1(nonce + created.encode() + password.encode()).digest()
    return base64.b64encode(digest).decode("ascii")


def security_header(envelope: Any) -> Any:
    """The envelope's wsse:Security header block, created (mustUnderstand) if missing."""
    header = envelope.find(f"{{{SOAP_ENV}}}Header")
    if header is None:
        header = etree.Element(f"{{{SOAP_ENV}}}Header")
        envelope.insert(0, header)
    security = header.find(f"{{{WSSE}}}Security")
    if security is None:
        security = etree.SubElement(header, f"{{{WSSE}}}Security", nsmap={"wsse": WSSE, "wsu": WSU})
        security.set(_MUST_UNDERSTAND, "1")
    return security


class UsernameToken:
    """UsernameToken header: PasswordText by default (what Boomi documents), or digest."""

    def __init__(
        self,
        username: str,
        password: str | Callable[[], str],
        *,
        digest: bool = False,
        nonce_source: Callable[[int], bytes] = os.urandom,
        clock: Clock = _utc_now,
        remember: Callable[..., None] | None = None,
        created_format: Callable[[datetime], str] = format_created,
    ) -> None:
        self.username = username
        # A client gives the reader of its secret set's copy (SecretSet.holder), so the
        # password is held in one place; a plain string is read the same way.
        self._password: Callable[[], str] = password if callable(password) else lambda: password
        self.digest = digest
        self._nonce_source = nonce_source
        self._clock = clock
        self._created_format = created_format
        # Told each Nonce and digest written, so that a server echoing one back cannot
        # put it into an exception or a log (boomisoap.redact.SecretSet.add_recent).
        self._remember = remember

    def __repr__(self) -> str:
        mode = "PasswordDigest" if self.digest else "PasswordText"
        return f"UsernameToken(username={self.username!r}, password=<hidden>, {mode})"

    def token_element(self, parent: Any = None) -> Any:
        """The token, standalone or (faster: no namespace fixing on a later append) built
        in place as the last child of ``parent``, a wsse:Security element."""
        nonce = self._nonce_source(16)
        created = self._created_format(self._clock())
        if parent is None:
            token = etree.Element(_TOKEN, nsmap={"wsse": WSSE, "wsu": WSU})
        else:
            token = etree.SubElement(parent, _TOKEN)
        token.set(_ID, "UsernameToken-" + base64.b16encode(os.urandom(8)).decode())
        sub = etree.SubElement
        sub(token, _USERNAME).text = self.username
        digest = password_digest(self._password(), nonce, created) if self.digest else None
        if digest is not None:
            sub(token, _PASSWORD, Type=PASSWORD_DIGEST).text = digest
        else:
            sub(token, _PASSWORD, Type=PASSWORD_TEXT).text = self._password()
        nonce_text = base64.b64encode(nonce).decode("ascii")
        sub(token, _NONCE, EncodingType=BASE64_ENCODING).text = nonce_text
        sub(token, _CREATED).text = created
        if self._remember is not None:
            self._remember(nonce_text, digest)
        return token

    def apply(self, envelope: Any, headers: dict[str, str]) -> tuple[Any, dict[str, str]]:
        self.token_element(security_header(envelope))
        return envelope, headers

    def verify(self, envelope: Any) -> Any:
        return envelope


class Timestamp:
    """A wsu:Timestamp with Created and Expires (``ttl`` seconds later), in UTC."""

    def __init__(self, ttl: int = 300, *, clock: Clock = _utc_now) -> None:
        self.ttl = ttl
        self._clock = clock

    def apply(self, envelope: Any, headers: dict[str, str]) -> tuple[Any, dict[str, str]]:
        security = security_header(envelope)
        if security.find(f"{{{WSU}}}Timestamp") is None:
            now = self._clock()
            stamp = etree.Element(f"{{{WSU}}}Timestamp", nsmap={"wsu": WSU})
            stamp.set(f"{{{WSU}}}Id", "TS-" + base64.b16encode(os.urandom(8)).decode())
            etree.SubElement(stamp, f"{{{WSU}}}Created").text = format_created(now)
            expires = now + timedelta(seconds=self.ttl)
            etree.SubElement(stamp, f"{{{WSU}}}Expires").text = format_created(expires)
            security.insert(0, stamp)
        return envelope, headers

    def verify(self, envelope: Any) -> Any:
        return envelope
