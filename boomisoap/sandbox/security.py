"""Authentication: WS-Security UsernameToken (SOAP), HTTP Basic (REST), bearer key (MFT).

The Security header is read by :mod:`boomisoap.wsse.header` (lenient where WSS4J is,
strict where an ambiguity could be exploited); its values are judged here with WSS4J's
defaults: a Created older than 300 s or more than 60 s ahead is refused, a Timestamp must
not have expired, a Nonce is accepted once within the window, and a signed message once
while its signed Timestamp could still be accepted. Every refusal is an
AuthenticationError whose message never repeats what the caller sent as a secret.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hmac
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import AuthenticationError, RateLimited
from ..namespaces import PASSWORD_DIGEST, PASSWORD_TEXT
from ..options import TOKEN_USER_PREFIX
from ..wsse.header import (
    SecurityHeader,
    SecurityHeaderError,
    TimestampParts,
    TokenParts,
    read_security_header,
)
from ..wsse.username import password_digest
from ..wsse.xsdatetime import NotDateTime, parse_datetime
from .replay import CacheFull, ReplayCache, Replays, SharedReplayCache

if TYPE_CHECKING:
    from .storage import Store

BAD_CREDENTIALS = "Incorrect user name and password combination."
REPLAY_CACHE_FULL = (
    "too many requests from this user within the freshness window; retry in a few seconds"
)


@dataclasses.dataclass(frozen=True, slots=True)
class SecurityPolicy:
    """How strictly UsernameTokens and Timestamps are checked (WSS4J's defaults)."""

    max_age: float = 300.0  # seconds a Created stamp stays acceptable
    max_future: float = 60.0  # seconds a Created stamp may be ahead of the server clock
    # Boomi's own PasswordText example (the Plan page) has neither Nonce nor Created; set True
    # to require both on every token, as the digest form always does.
    require_nonce: bool = False
    # Replay-cache entries (Nonces, signed messages) remembered per user. Never evicted
    # while live: a user whose store is full gets 503 until entries expire.
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


class Authenticator:
    def __init__(
        self,
        credentials: Credentials,
        policy: SecurityPolicy | None = None,
        *,
        clock: Callable[[], float] = time.time,
        shared: Store | None = None,
    ) -> None:
        self.credentials = credentials
        self.policy = policy or SecurityPolicy()
        self._clock = clock
        self._window = self.policy.max_age + self.policy.max_future
        # ``shared``: the database of several serving processes holds the replay cache.
        self.replays: Replays = (
            ReplayCache(self.policy.max_nonces, clock)
            if shared is None
            else SharedReplayCache(shared, self.policy.max_nonces, clock)
        )

    # SOAP ------------------------------------------------------------------------------

    def verify_envelope(self, envelope: Any, signed: bytes | None = None) -> str:
        """The user a SOAP envelope's UsernameToken proves; AuthenticationError (403) if not.

        ``signed`` identifies a request whose X.509 signature was verified (the digest of
        its canonical SignedInfo): such a message is accepted once while its signed
        Timestamp is fresh, whatever its unsigned UsernameToken says.
        """
        return self.verify_header(read_header(envelope), signed)

    def verify_header(self, header: SecurityHeader, signed: bytes | None = None) -> str:
        """:meth:`verify_envelope` on a Security header already read (:func:`read_header`):
        every judgement that depends on the clock, the credentials or the replay cache."""
        if header.token is None:
            raise _denied("the WS-Security header has no UsernameToken")
        stamp = None if header.timestamp is None else self._check_timestamp(header.timestamp)
        user = self._verify_token(header.token)
        if signed is not None:
            if stamp is None:
                raise _denied("a signed request needs a wsu:Timestamp")
            created, expires = stamp
            # A copy is refused by the Timestamp checks once its Created is too old or it
            # has expired, whichever comes first: remembered until then.
            until = created + self.policy.max_age
            if expires is not None:
                until = min(until, expires)
            if not self._first_use(user, ("signature", signed), until):
                raise _denied("the signed request was already received (replayed request)")
        nonce = header.token.nonce
        if nonce is not None:
            until = self._clock() + self._window
            if not self._first_use(user, ("nonce", user, _nonce_key(nonce)), until):
                raise _denied("the Nonce was already used (replayed request)")
        return user

    def _first_use(self, user: str, key: tuple[Any, ...], until: float) -> bool:
        try:
            return self.replays.first_use(user, key, until)
        except CacheFull:
            raise RateLimited(REPLAY_CACHE_FULL, status_code=503, fault_code="Server") from None

    def _verify_token(self, token: TokenParts) -> str:
        """The user the token proves; nothing is recorded here (no replay state)."""
        username = (token.username or "").strip()
        password, nonce, created = token.password, token.nonce, token.created
        if not username or password is None:
            raise _denied(BAD_CREDENTIALS)
        # No Type means PasswordText (UsernameToken Profile 1.0, section 3.1; WSS4J).
        kind = PASSWORD_TEXT if token.password_type is None else token.password_type
        if kind not in (PASSWORD_TEXT, PASSWORD_DIGEST):
            raise _denied("the password type is not supported")
        digest = kind == PASSWORD_DIGEST
        if (digest or self.policy.require_nonce) and (not nonce or not created):
            raise _denied("the UsernameToken needs a Nonce and a Created time")
        if created is not None:
            self._check_fresh(created)
        if digest:
            if not self._digest_matches(username, password, nonce or "", created or ""):
                raise _denied(BAD_CREDENTIALS)
        elif not self.credentials.check(username, password):
            raise _denied(BAD_CREDENTIALS)
        return username

    def _check_fresh(self, created: str) -> None:
        moment = _moment(created, "the Created time")
        age = self._clock() - moment
        if age > self.policy.max_age:
            raise _denied("the UsernameToken has expired (Created is too old)")
        if -age > self.policy.max_future:
            raise _denied("the UsernameToken's Created time is in the future")

    def _check_timestamp(self, stamp: TimestampParts) -> tuple[float, float | None]:
        """WSS4J's TimestampValidator, signed or not: (Created, Expires) in epoch seconds."""
        created = _moment(stamp.created or "", "the wsu:Timestamp's Created")
        expires = None if stamp.expires is None else _moment(stamp.expires, "its Expires")
        now = self._clock()
        if expires is not None and expires < created:
            raise _denied("the wsu:Timestamp expires before it was created")
        if created - now > self.policy.max_future:
            raise _denied("the wsu:Timestamp was created in the future")
        if expires is not None and expires <= now:
            raise _denied("the wsu:Timestamp has expired")
        if now - created > self.policy.max_age:
            raise _denied("the wsu:Timestamp is too old (Created is past the freshness window)")
        return created, expires

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


def read_header(envelope: Any) -> SecurityHeader:
    """The envelope's Security header as read (no judgement); AuthenticationError (403)
    when it cannot be read unambiguously."""
    try:
        return read_security_header(envelope)
    except SecurityHeaderError as exc:
        raise _denied(str(exc)) from None


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


def _moment(text: str, what: str) -> float:
    try:
        return parse_datetime(text).timestamp()
    except NotDateTime as exc:
        raise _denied(f"{what} is not a valid xs:dateTime: {exc.reason}") from None


def _denied(message: str) -> AuthenticationError:
    return AuthenticationError(message, status_code=403)
