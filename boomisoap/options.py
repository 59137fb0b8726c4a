"""Checks of client options, made once at construction.

A wrong option is an :class:`InvalidRequest` naming it, raised before anything is sent:
not an AttributeError at the first call, not a request with ``None`` as the user name,
not a header split by a CR/LF. The APIM, Platform and MFT clients all check here.
Messages never quote a secret option's value.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .errors import InvalidRequest
from .models.fields import check_text

if TYPE_CHECKING:
    from .audit import AuditLog

MAX_RETRIES = 100
# Where the clients send without a base_url (config.py's default too).
DEFAULT_BASE_URL = "https://api.boomi.com"
# Boomi API tokens authenticate as BOOMI_TOKEN.<user> with the token as the password; the
# clients add the prefix and the emulator recognises it.
TOKEN_USER_PREFIX = "BOOMI_TOKEN."
# Boomi account ids are words joined by dashes ("example-A1B2C3"); they become a URL path
# segment and part of the rate-limit key, so only URL-unreserved characters are allowed.
_ACCOUNT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*")
# Values that become HTTP header fields (or part of one) take no control character at all:
# a CR or LF would start a new header line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _fail(name: str, reason: str) -> InvalidRequest:
    return InvalidRequest(f"{name} {reason}", field=name)


def text(name: str, value: Any, *, secret: bool = False, header: bool = False) -> str:
    """A non-empty string XML can carry; ``header``: no control characters either."""
    if not isinstance(value, str):
        raise _fail(name, f"must be a string, got {type(value).__name__}")
    if not value.strip():
        raise _fail(name, "must not be empty")
    try:
        check_text(value)
    except ValueError as exc:
        raise _fail(name, "holds a character XML cannot carry" if secret else str(exc)) from None
    if header:
        found = _CONTROL.search(value)
        if found is not None:
            where = "" if secret else f" (U+{ord(found.group()):04X})"
            raise _fail(name, f"must not hold a control character{where}")
    return value


def optional_text(name: str, value: Any, *, secret: bool = False, header: bool = False) -> Any:
    return None if value is None else text(name, value, secret=secret, header=header)


def account_id(value: Any, name: str = "account_id") -> str:
    checked = text(name, value, header=True)
    if _ACCOUNT_ID.fullmatch(checked) is None:
        raise _fail(name, "may hold only letters, digits and . _ ~ -")
    return checked


def username(value: Any, wire: str) -> str:
    checked = text("username", value, header=True)
    if wire == "rest" and ":" in checked:
        # HTTP Basic (RFC 7617 section 2) splits user and password at the first colon.
        raise _fail("username", "must not contain ':' with HTTP Basic authentication (REST)")
    return checked


def base_url(value: Any, name: str = "base_url") -> str:
    checked = text(name, value, header=True)
    if any(c.isspace() for c in checked):
        raise _fail(name, "must not contain spaces")
    parts = urlsplit(checked)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _fail(name, "must be an http:// or https:// URL with a host")
    if parts.query or parts.fragment:
        raise _fail(name, "must not have a query or a fragment")
    return checked.rstrip("/")


def positive_number(name: str, value: Any) -> float:
    """A finite number above zero (seconds, requests per second)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(name, f"must be a number, got {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise _fail(name, f"must be a finite number above 0, got {value!r}")
    return float(value)


def optional_positive_number(name: str, value: Any) -> float | None:
    return None if value is None else positive_number(name, value)


def count(name: str, value: Any, maximum: int = MAX_RETRIES) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(name, f"must be an integer, got {type(value).__name__}")
    if not 0 <= value <= maximum:
        raise _fail(name, f"must be between 0 and {maximum}, got {value}")
    return value


_LIMIT_SCHEMES = ("redis://", "rediss://", "unix://")


def rate_limit(value: Any) -> Any:
    """``None`` (off), requests per second, a Redis URL or a limiter (docs/fleet.md).

    A string must be a ``redis://``, ``rediss://`` or ``unix://`` URL (never quoted back:
    it may carry a password); an object must have a ``bucket(host, account)`` method.
    """
    if value is None or isinstance(value, int | float):
        return optional_positive_number("rate_limit", value)
    if isinstance(value, str):
        checked = text("rate_limit", value, secret=True, header=True)
        if not checked.lower().startswith(_LIMIT_SCHEMES):
            raise _fail("rate_limit", "must be a redis://, rediss:// or unix:// URL when a string")
        return checked
    if callable(getattr(value, "bucket", None)):
        return value
    raise _fail(
        "rate_limit",
        f"must be None, a number, a Redis URL or a limiter, got {type(value).__name__}",
    )


def open_audit(audit: AuditLog | str | None) -> AuditLog | None:
    """An AuditLog from an instance or a sink URL (``sqlite:///...``, ``jsonl:///...``)."""
    if audit is None or not isinstance(audit, str):
        return audit
    from .audit import AuditLog

    return AuditLog.open(audit)
