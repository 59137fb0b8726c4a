"""The one list of what is secret by name: the field maps' secrets plus the protocol's own.

Two sources, stated once each:

- the object field maps (``Field.secret`` in :mod:`boomisoap.models`): an ApiKey's
  ``key`` is secret wherever it appears, as an attribute, a JSON key or a child element,
  and the CLI masks it by its object type;
- the protocols boomisoap speaks: the WS-Security UsernameToken's ``Password`` (text or
  digest) and ``Nonce``, the ``Authorization`` header (HTTP Basic, the MFT Bearer API
  key), Boomi's ``X-Boomi-OTP`` header, the usual API key headers and cookies, and the
  names that hold a credential in any form, query string or JSON document (``password``,
  ``client_secret``, ``access_token`` ...).

Everything that hides a secret by where it sits (bodies, headers, URLs, free text, the
CLI's output) asks this module; values are removed by :mod:`boomisoap.redact.live`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from ..models.fields import ObjectSpec
from ..models.registry import OBJECTS


def _secret_wires(spec: ObjectSpec, seen: set[str]) -> Iterator[str]:
    if spec.type_name in seen:
        return
    seen.add(spec.type_name)
    for fld in spec.fields:
        if fld.secret:
            yield fld.wire
        if fld.nested is not None:
            yield from _secret_wires(fld.nested, seen)


SECRET_FIELDS_BY_TYPE: dict[str, tuple[str, ...]] = {
    spec.type_name: tuple(f.wire for f in spec.fields if f.secret)
    for spec in OBJECTS.values()
    if any(f.secret for f in spec.fields)
}
"""``{xsi:type local name: wire names of its secret fields}``, for masking by object type."""

_seen: set[str] = set()
FIELD_SECRET_NAMES: frozenset[str] = frozenset(
    name for spec in OBJECTS.values() for name in _secret_wires(spec, _seen)
)
"""Wire names of the secret fields of every object (``key``), compared exactly: Boomi's
ApiKey calls its secret "key", and "Key" elsewhere is rarely one."""
del _seen

# Attribute names, JSON keys, form fields and query parameters that hold a credential in
# any protocol, compared case-insensitively.
CREDENTIAL_NAMES: frozenset[str] = frozenset(
    {
        "password",
        "passwd",
        "secret",
        "clientsecret",
        "client_secret",
        "apikey",
        "api_key",
        "api-key",
        "x-api-key",
        "accesstoken",
        "access_token",
        "refreshtoken",
        "refresh_token",
        "otp",
    }
)

SECRET_NAMES_CI: frozenset[str] = CREDENTIAL_NAMES
SECRET_NAMES_EXACT: frozenset[str] = FIELD_SECRET_NAMES

# Element local names whose character data is secret, in any namespace: the
# UsernameToken Password (PasswordText or PasswordDigest) and Nonce of every WSS
# version, and a secret field written as a child element.
WSSE_PASSWORD = "Password"
WSSE_NONCE = "Nonce"
SECRET_ELEMENTS_CI: frozenset[str] = frozenset({WSSE_PASSWORD.lower()})
SECRET_ELEMENTS_EXACT: frozenset[str] = frozenset({WSSE_NONCE, *FIELD_SECRET_NAMES})

# Header names (lower case) whose values are always secret: HTTP authentication (Basic
# for APIM and Platform, Bearer for MFT), Boomi's one-time password, API key headers,
# session cookies and tokens.
AUTHORIZATION = "authorization"
OTP_HEADER = "x-boomi-otp"
SECRET_HEADERS: frozenset[str] = frozenset(
    {
        AUTHORIZATION,
        "proxy-authorization",
        "cookie",
        "set-cookie",
        OTP_HEADER,
        "x-api-key",
        "api-key",
        "apikey",
        "x-auth-token",
    }
)
# Header names containing one of these words are treated as secret as well.
SECRET_HEADER_WORDS: tuple[str, ...] = ("password", "secret", "token", "api-key", "apikey")

# In free text (a log line, an exception excerpt) only the names a credential is written
# after as ``name=value`` or ``name: value`` are looked for; a bare ``key=`` is too
# common in messages to hide. A regular expression alternation, matched ignoring case.
FREE_TEXT_NAMES = r"password|passwd|secret|api[_-]?key|access[_-]?token|x-boomi-otp"
# The schemes after which an Authorization value is a credential, in free text.
AUTH_SCHEMES = r"Bearer|Basic|Digest"


def is_secret_name(name: str) -> bool:
    """Whether an attribute, JSON key, form field or query parameter name is secret."""
    return name in SECRET_NAMES_EXACT or name.lower() in SECRET_NAMES_CI


@lru_cache(maxsize=1024)
def is_secret_header(name: str) -> bool:
    # Cached: the same few header names come back on every exchange.
    low = name.lower()
    return low in SECRET_HEADERS or any(word in low for word in SECRET_HEADER_WORDS)
