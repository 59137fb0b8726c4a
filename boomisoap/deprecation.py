"""Deprecation signals: Boomi's ``Deprecation``, ``Sunset``, ``Warning`` and ``Link`` headers.

Boomi's versioning policy says operations on a deprecated object answer with headers
naming its status and dates; the OpenAPI declares the four headers on every response.
Their format, as Boomi sends them::

    Deprecation: version="1.0"; date="Fri, 31 Dec 2027 23:59:59 GMT"
    Sunset: Fri, 31 Dec 2027 23:59:59 GMT
    Warning: 299 - "You are using a deprecated API endpoint..."
    Link: <https://...>; rel="deprecation"; type="text/html"

The same values in the other forms the IETF drafts and RFC 9745 used (``Deprecation:
true``, ``Deprecation: @1735689599``, a bare HTTP-date) are read too. A client keeps one
:class:`DeprecationNotice` per object type (``client.deprecations``) and warns once per
object type with a :class:`DeprecationWarning`, also logged (INFO) on the ``boomisoap`` logger.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import sys
import threading
import warnings
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import FrameType, MappingProxyType

from .policy import AnswerRecorder, Attempt
from .transport import HttpResponse, header

LOG = logging.getLogger("boomisoap")
HEADERS = ("Deprecation", "Sunset", "Warning", "Link")

# <uri> followed by its parameters, up to the next link value (RFC 8288 section 3).
_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+)*)")
_PARAM = re.compile(r'\s*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;,\s]*)')
_WARNING = re.compile(r'^\s*(\d{3})\s+\S+\s+"((?:[^"\\]|\\.)*)"')


@dataclasses.dataclass(frozen=True, slots=True)
class DeprecationNotice:
    """What the service said about a deprecated object type, from its response headers.

    ``deprecated_on`` is the ``date`` of ``Deprecation`` (when the type was deprecated),
    ``sunset`` the ``Sunset`` date (when it will be removed), ``link`` the
    ``rel="deprecation"`` page, ``successor`` a ``rel="successor-version"`` link,
    ``message`` the text of a ``Warning: 299``; each is ``None`` when not sent or not
    readable. ``headers`` keeps the four headers exactly as received.
    """

    object_type: str
    version: str | None = None
    deprecated_on: datetime | None = None
    sunset: datetime | None = None
    link: str | None = None
    successor: str | None = None
    message: str | None = None
    # Left out of the hash (a mapping is not hashable); still compared.
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict, hash=False)

    def describe(self) -> str:
        """One sentence for a warning: the type, the sunset date and the link."""
        # Worded like the field map's own Contract warning, so a filter written for one
        # ("ignore:Contract is deprecated") silences both.
        parts = [f"{self.object_type} is deprecated by Boomi"]
        if self.deprecated_on is not None:
            parts.append(f"since {_day(self.deprecated_on)}")
        text = " ".join(parts)
        text += (
            f"; sunset {_day(self.sunset)}" if self.sunset is not None else "; no sunset date given"
        )
        if self.link:
            text += f"; see {self.link}"
        if self.successor:
            text += f"; successor {self.successor}"
        if self.message:
            text += f" ({self.message})"
        return text


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def notice_from(headers: Mapping[str, str], object_type: str) -> DeprecationNotice | None:
    """The notice the headers carry, or None when they signal no deprecation."""
    raw = {name: value for name in HEADERS if (value := header(headers, name)) is not None}
    deprecation = raw.get("Deprecation")
    sunset = raw.get("Sunset")
    links = _links(raw.get("Link", ""))
    warning = _warning(raw.get("Warning", ""))
    link = links.get("deprecation") or links.get("sunset")
    if deprecation is None and sunset is None and link is None and warning is None:
        return None
    version, since = _deprecation(deprecation)
    return DeprecationNotice(
        object_type=object_type,
        version=version,
        deprecated_on=since,
        sunset=_http_date(sunset),
        link=link,
        successor=links.get("successor-version"),
        message=warning,
        headers=MappingProxyType(raw),
    )


def _deprecation(value: str | None) -> tuple[str | None, datetime | None]:
    """(version, date) of a Deprecation header in Boomi's or the IETF forms."""
    if value is None:
        return None, None
    text = value.strip()
    if text.startswith("@"):  # RFC 9745: an epoch in seconds
        try:
            return None, datetime.fromtimestamp(int(text[1:]), UTC)
        except (ValueError, OverflowError, OSError):
            return None, None
    params = _params(";" + text)
    if params:
        return params.get("version"), _http_date(params.get("date"))
    # ``true`` (older drafts) carries no date; a bare HTTP-date (draft 02) does.
    return None, None if text.lower() == "true" else _http_date(text)


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _params(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for piece in text.split(";")[1:]:
        match = _PARAM.fullmatch(piece.strip()) or _PARAM.match(piece)
        if match is not None:
            found[match.group(1).lower()] = _unquote(match.group(2))
    return found


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _links(value: str) -> dict[str, str]:
    """The first target of each relation type named in a Link header."""
    found: dict[str, str] = {}
    for match in _LINK.finditer(value):
        target, params = match.group(1).strip(), _params(match.group(2))
        for rel in params.get("rel", "").lower().split():
            found.setdefault(rel, target)
    return found


def _warning(value: str) -> str | None:
    """The text of a ``299`` (persistent) warning; Boomi's deprecation note is one."""
    for item in re.split(r",(?=\s*\d{3}\s)", value):
        match = _WARNING.match(item)
        if match is not None and match.group(1) == "299":
            return _unquote(f'"{match.group(2)}"')
    return None


class DeprecationNotices(AnswerRecorder):
    """One client's notices by object type; warns the first time a type is signalled.

    One of the recorders of the client's transport, so every answer on either wire is
    looked at, whatever the object and the operation, errors included (a 410 may still
    carry the headers).
    """

    def __init__(self) -> None:
        self._notices: dict[str, DeprecationNotice] = {}
        self._lock = threading.Lock()

    def answered(self, attempt: Attempt, response: HttpResponse) -> None:
        call = attempt.call
        object_type = call.object_type or call.operation
        notice = notice_from(response.headers, object_type)
        if notice is None:
            return
        with self._lock:
            first = object_type not in self._notices
            self._notices[object_type] = notice
        if first:
            _warn(notice.describe())

    @property
    def by_type(self) -> Mapping[str, DeprecationNotice]:
        """A snapshot: object type -> the latest notice received for it."""
        with self._lock:
            return MappingProxyType(dict(self._notices))


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _warn(text: str) -> None:
    # INFO, not WARNING: a caller who silenced DeprecationWarning (the Contract migration
    # does) gets no stderr line from logging's last-resort handler either.
    LOG.info("%s", text)
    warnings.warn(text, DeprecationWarning, stacklevel=caller_level())


def caller_level() -> int:
    """The ``stacklevel`` that attributes a warning the caller raises to the first frame
    outside boomisoap, however deep the call was (a query's next page arrives from inside
    the iterator; an async call from inside its coroutines)."""
    level = 1
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    return level
