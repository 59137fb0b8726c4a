"""Path segments of request URLs: every value put into a path is percent-encoded whole.

An account id or object id is data, never structure: ``acct 1/../x`` becomes the one
segment ``acct%201%2F..%2Fx``, so no value can add a segment or climb out of its place.
``.`` and ``..`` cannot be made safe this way (HTTP libraries and servers remove dot
segments, and ``%2E`` is decoded back to ``.`` by ``requests``), so they are refused, as
is an empty value. The emulator splits the raw request path on ``/`` before decoding each
segment (``sandbox.httpio.path_segments``), the inverse of this function.
"""

from __future__ import annotations

from urllib.parse import quote

from .errors import InvalidRequest

DOT_SEGMENTS = ("", ".", "..")


def segment(value: str, field: str) -> str:
    """``value`` as one percent-encoded path segment (UTF-8); refuses ``""``, ``.``, ``..``."""
    if not isinstance(value, str):
        raise InvalidRequest(f"{field} must be a string", field=field)
    if value in DOT_SEGMENTS:
        shown = "empty" if not value else f"{value!r}"
        raise InvalidRequest(
            f"{field} must not be {shown}: it cannot be a URL path part", field=field
        )
    return quote(value, safe="")
