"""Authentication: WS-Security UsernameToken (SOAP), HTTP Basic (REST), bearer key (MFT).

UsernameToken checks follow WSS4J's defaults: a Created older than 300 s or more than 60 s
ahead is refused, and a Nonce is accepted once within that window. Every refusal is an
AuthenticationError whose message never repeats what the caller sent as a secret.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hmac
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ..clients import TOKEN_USER_PREFIX
from ..errors import AuthenticationError
from ..namespaces import PASSWORD_DIGEST, PASSWORD_TEXT, SOAP_ENV, WSSE, WSU
from ..wsse.username import password_digest

BAD_CREDENTIALS = "Incorrect user name and password combination."
_HEADER = f"{{{SOAP_ENV}}}Header"
_SECURITY = f"{{{WSSE}}}Security"
_TOKEN = f"{{{WSSE}}}UsernameToken"


@dataclasses.dataclass(frozen=True, slots=True)
class SecurityPolicy:
    """How strictly UsernameTokens are checked (WSS4J's defaults)."""

    max_age: float = 300.0  # seconds a Created stamp stays acceptable
    max_future: float = 60.0  # seconds a Created stamp may be ahead of the server clock
    # Boomi's own PasswordText example (seed 001) has neither Nonce nor Created; set True
    # to require both on every token, as the digest form always does.
    require_nonce: bool = False
    max_nonces: int = 100_000


class Credentials:
    """User passwords and API tokens (``BOOMI_TOKEN.<user>`` with the token as password)."""

    def __init__(self, users: Mapping[str, str], tokens: Mapping[str, str] | None = None) -> None:
        self._users = dict(users)
        self._tokens = dict(tokens or {})

    @property
    def users(self) -> dict[str, str]:
        return dict(self._users)

    def secret_of(self, username: str) -> str | None:
        if username.startswith(TOKEN_USER_PREFIX):
            return self._tokens.get(username[len(TOKEN_USER_PREFIX) :])
        return self._users.get(username)

    def check(self, username: str, password: str) -> bool:
        expected = self.secret_of(username)
        # compare_digest on bytes: no timing hint about how much of the password matched.
        return expected is not None and hmac.compare_digest(expected.encode(), password.encode())

    def secrets(self) -> tuple[str, ...]:
        return (*self._users.values(), *self._tokens.values())


class NonceCache:
    """Nonces seen within the freshness window, per user; bounded, oldest dropped first."""

    def __init__(self, window: float, limit: int, clock: Callable[[], float]) -> None:
        self._window = window
        self._limit = limit
        self._clock = clock
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def first_use(self, username: str, nonce: str) -> bool:
        """Record the nonce; False when it was already seen inside the window."""
        now = self._clock()
        key = (username, nonce)
        with self._lock:
            while self._seen:
                oldest, stamp = next(iter(self._seen.items()))
                if stamp + self._window > now:
                    break
                del self._seen[oldest]
            if key in self._seen:
                return False
            self._seen[key] = now
            while len(self._seen) > self._limit:
                self._seen.popitem(last=False)
        return True


class Authenticator:
    def __init__(
        self,
        credentials: Credentials,
        policy: SecurityPolicy | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.credentials = credentials
        self.policy = policy or SecurityPolicy()
        self._clock = clock
        window = self.policy.max_age + self.policy.max_future
        self._nonces = NonceCache(window, self.policy.max_nonces, clock)

    # SOAP ------------------------------------------------------------------------------

    def verify_envelope(self, envelope: Any) -> str:
        """The user a SOAP envelope's UsernameToken proves; AuthenticationError (403) if not."""
        header = envelope.find(_HEADER)
        blocks = [] if header is None else header.findall(_SECURITY)
        if not blocks:
            raise _denied("the request has no WS-Security header")
        if len(blocks) > 1:
            raise _denied("the request has more than one WS-Security header")
        tokens = blocks[0].findall(_TOKEN)
        if not tokens:
            raise _denied("the WS-Security header has no UsernameToken")
        if len(tokens) > 1:
            raise _denied("the WS-Security header has more than one UsernameToken")
        return self._verify_token(tokens[0])

    def _verify_token(self, token: Any) -> str:
        username = (token.findtext(f"{{{WSSE}}}Username") or "").strip()
        password = token.find(f"{{{WSSE}}}Password")
        nonce = token.findtext(f"{{{WSSE}}}Nonce")
        created = token.findtext(f"{{{WSU}}}Created")
        if not username or password is None:
            raise _denied(BAD_CREDENTIALS)
        kind = password.get("Type", PASSWORD_TEXT)
        if kind not in (PASSWORD_TEXT, PASSWORD_DIGEST):
            raise _denied("the password type is not supported")
        digest = kind == PASSWORD_DIGEST
        if (digest or self.policy.require_nonce) and (not nonce or not created):
            raise _denied("the UsernameToken needs a Nonce and a Created time")
        if created is not None:
            self._check_fresh(created)
        if digest:
            if not self._digest_matches(username, password.text or "", nonce or "", created or ""):
                raise _denied(BAD_CREDENTIALS)
        elif not self.credentials.check(username, password.text or ""):
            raise _denied(BAD_CREDENTIALS)
        if nonce is not None and not self._nonces.first_use(username, _nonce_key(nonce)):
            raise _denied("the Nonce was already used (replayed request)")
        return username

    def _check_fresh(self, created: str) -> None:
        try:
            moment = datetime.fromisoformat(created.strip().replace("Z", "+00:00"))
        except ValueError:
            raise _denied("the Created time is not a valid xs:dateTime") from None
        if moment.tzinfo is None:
            raise _denied("the Created time must carry a time zone")
        age = self._clock() - moment.timestamp()
        if age > self.policy.max_age:
            raise _denied("the UsernameToken has expired (Created is too old)")
        if -age > self.policy.max_future:
            raise _denied("the UsernameToken's Created time is in the future")

    def _digest_matches(self, username: str, sent: str, nonce: str, created: str) -> bool:
        secret = self.credentials.secret_of(username)
        if secret is None:
            return False
        try:
            raw_nonce = base64.b64decode(nonce.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        expected = password_digest(secret, raw_nonce, created.strip())
        return hmac.compare_digest(expected.encode(), sent.strip().encode())

    # HTTP ------------------------------------------------------------------------------

    def verify_basic(self, authorization: str | None) -> str:
        """The user of an HTTP Basic header: 401 when absent, 403 when wrong."""
        if not authorization or not authorization.startswith("Basic "):
            raise AuthenticationError("HTTP Basic authentication is required", status_code=401)
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise AuthenticationError(BAD_CREDENTIALS, status_code=403) from None
        username, sep, password = decoded.partition(":")
        if not sep or not self.credentials.check(username, password):
            raise AuthenticationError(BAD_CREDENTIALS, status_code=403)
        return username


def verify_bearer(authorization: str | None, api_key: str) -> None:
    """MFT: ``Authorization: Bearer <api key>``; 401 otherwise."""
    scheme, _, sent = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        sent.strip().encode(), api_key.encode()
    ):
        raise AuthenticationError("a valid API key is required", status_code=401)


def _nonce_key(nonce: str) -> str:
    """The nonce as the replay cache knows it: its bytes, not their spelling.

    Base64 spells the same bytes in more than one way (the unused low bits of the last
    character are ignored on decoding), so keying the cache on the text let a replay of a
    digest token through by re-spelling its Nonce; the digest covers the decoded bytes.
    """
    text = nonce.strip()
    try:
        return base64.b64encode(base64.b64decode(text, validate=True)).decode("ascii")
    except (binascii.Error, ValueError):
        return text


def _denied(message: str) -> AuthenticationError:
    return AuthenticationError(message, status_code=403)
