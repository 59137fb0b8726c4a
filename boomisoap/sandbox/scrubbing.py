"""Error messages the emulator sends never carry a secret, whatever the request held.

Parse and validation errors quote what they could not read (an attribute value, an
element's name, an object type): when a client put a password, a token or a nonce there,
the answer must not send it back, and neither must the audit record or the log.
"""

from __future__ import annotations

import base64
import binascii
import copy
import re

from ..errors import BoomiFault
from ..transport import scrub
from .httpio import Request
from .security import Authenticator

# The UsernameToken's secrets, read from the raw bytes: the envelope may not parse.
_TOKEN_TEXT = re.compile(rb"<(?:[\w.-]+:)?(?:Password|Nonce)\b[^>]*>([^<]{1,4096})<")


def sent_secrets(request: Request) -> tuple[str, ...]:
    """The credentials a request carried: its Basic password (and its encoding), its
    UsernameToken password and nonce."""
    found: list[str] = []
    authorization = request.header("Authorization") or ""
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() in ("basic", "bearer") and value.strip():
        found.append(value.strip())
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            found.append(decoded.partition(":")[2])
    for match in _TOKEN_TEXT.finditer(request.body):
        found.append(match.group(1).decode("utf-8", errors="replace").strip())
    return tuple(s for s in found if s)


def scrubbed(exc: BoomiFault, request: Request, auth: Authenticator) -> BoomiFault:
    """``exc`` with every known or sent secret removed from its message and field."""
    secrets = (*sent_secrets(request), *auth.credentials.secrets())
    message = scrub(exc.message, secrets)
    field = None if exc.field is None else scrub(exc.field, secrets)
    if message == exc.message and field == exc.field:
        return exc
    clean = copy.copy(exc)
    clean.message, clean.field, clean.args = message, field, (message,)
    return clean
