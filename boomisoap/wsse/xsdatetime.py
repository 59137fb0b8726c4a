"""xs:dateTime as WS-Security's Created and Expires carry it, read strictly.

``datetime.fromisoformat`` takes far more than XML Schema allows (a space for the ``T``,
the basic format ``20261201T214816Z``, week dates, minutes without seconds), so a value
another stack refuses would pass here. This is the XML Schema 1.0 lexical form,
``[-]YYYY-MM-DDThh:mm:ss[.fff...](Z|(+|-)hh:mm)``, with the time zone required: a Created
without one has no instant to compare with the clock (BSP R3217 and R3223 ask for UTC;
offsets are accepted, as WSS4J's XMLGregorianCalendar does). Fractions may have any
number of digits; beyond microseconds they are cut, not rounded. ``24:00:00`` is the
next day's midnight, as XML Schema says; a leap second (``:60``) is refused (BSP R3213).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_LEXICAL = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)"
    r"T(?P<hour>\d\d):(?P<minute>\d\d):(?P<second>\d\d)(?:\.(?P<fraction>\d+))?"
    r"(?P<zone>Z|[+-]\d\d:\d\d)?",
    re.ASCII,
)


class NotDateTime(ValueError):
    """The text is not an xs:dateTime with a time zone; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_datetime(text: str) -> datetime:
    """The aware datetime of an xs:dateTime value (surrounding white space allowed)."""
    match = _LEXICAL.fullmatch(text.strip())
    if match is None:
        raise NotDateTime("not an xs:dateTime (YYYY-MM-DDThh:mm:ss[.fff](Z|+hh:mm))")
    zone = match["zone"]
    if zone is None:
        raise NotDateTime("an xs:dateTime without a time zone")
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"])
    fraction = match["fraction"] or ""
    midnight = hour == 24
    if midnight and (minute or second or fraction.strip("0")):
        raise NotDateTime("24:00:00 is the only time with hour 24")
    micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
    tzinfo = _zone(zone)
    try:
        moment = datetime(
            int(match["year"]),
            int(match["month"]),
            int(match["day"]),
            0 if midnight else hour,
            minute,
            second,
            0 if midnight else micro,
            tzinfo=tzinfo,
        )
    except ValueError as exc:
        raise NotDateTime(f"not a valid date or time ({exc})") from None
    return moment + timedelta(days=1) if midnight else moment


def _zone(text: str) -> timezone:
    if text == "Z":
        return UTC
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 14 or minutes > 59 or (hours == 14 and minutes):
        raise NotDateTime("an offset beyond +-14:00")
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if text[0] == "-" else offset)
