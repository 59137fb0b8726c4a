"""xs:dateTime as Created and Expires carry it: the lexical form of XML Schema, zone required."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from boomisoap.wsse.xsdatetime import NotDateTime, parse_datetime


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01T21:48:16Z", datetime(2026, 12, 1, 21, 48, 16, tzinfo=UTC)),
        (" 2026-12-01T21:48:16.5Z\n", datetime(2026, 12, 1, 21, 48, 16, 500_000, tzinfo=UTC)),
        # Beyond microseconds the digits are cut, not rounded.
        ("2026-12-01T21:48:16.1234569Z", datetime(2026, 12, 1, 21, 48, 16, 123_456, tzinfo=UTC)),
        (
            "2026-12-01T21:48:16+05:30",
            datetime(2026, 12, 1, 21, 48, 16, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        ),
        ("2026-12-01T21:48:16-14:00", datetime(2026, 12, 2, 11, 48, 16, tzinfo=UTC)),
        ("2026-12-31T24:00:00Z", datetime(2027, 1, 1, tzinfo=UTC)),
    ],
)
def test_accepted(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-12-01 21:48:16+00:00", "not an xs:dateTime"),
        ("20261201T214816Z", "not an xs:dateTime"),
        ("2026-W48-2T21:48:16Z", "not an xs:dateTime"),
        ("2026-335T21:48:16Z", "not an xs:dateTime"),
        ("2026-12-01T21:48Z", "not an xs:dateTime"),
        ("2026-12-01T21:48:16.Z", "not an xs:dateTime"),
        ("2026-12-01T21:48:16+0000", "not an xs:dateTime"),
        ("2026-12-01t21:48:16z", "not an xs:dateTime"),
        ("\u0662\u0660\u0662\u0666-12-01T21:48:16Z", "not an xs:dateTime"),
        ("2026-12-01T21:48:16", "without a time zone"),
        ("2026-02-29T00:00:00Z", "not a valid date"),
        ("2026-12-01T21:48:60Z", "not a valid date"),
        ("2026-12-01T24:00:01Z", "24:00:00"),
        ("2026-12-01T21:48:16+14:01", "offset"),
        ("2026-12-01T21:48:16+01:60", "offset"),
        ("", "not an xs:dateTime"),
    ],
)
def test_refused(text: str, reason: str) -> None:
    with pytest.raises(NotDateTime, match=reason):
        parse_datetime(text)
