"""The hot paths of appending build exactly what the plain code builds: records made
through their slots, the fixed-width time text, links hashed over raw digests."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone

import pytest
from audit_helpers import exchange
from hypothesis import given, settings
from hypothesis import strategies as st

from boomisoap.audit.capture import draft
from boomisoap.audit.chain import Chain
from boomisoap.audit.encoding import canonical
from boomisoap.audit.record import FIELDS, AuditRecord, build, format_time, placed
from boomisoap.redact.structural import Redactor


def _sample() -> AuditRecord:
    return draft(exchange(7), Redactor())


def test_build_makes_the_record_the_constructor_makes() -> None:
    d = _sample()
    values = [getattr(d, s.name) for s in FIELDS]
    made = build(*values)
    assert type(made) is AuditRecord
    assert made == AuditRecord(*values)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.seq = 3  # type: ignore[misc]


def test_placed_is_replace_of_the_chain_fields() -> None:
    d = _sample()
    got = placed(d, "main", 5, "sha256", "a" * 64, "b" * 64)
    assert got == dataclasses.replace(
        d, stream="main", seq=5, alg="sha256", prev_hash="a" * 64, hash="b" * 64
    )


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 30)),
    st.sampled_from([None, UTC, timezone(timedelta(hours=5, minutes=30)), timezone.min]),
)
def test_format_time_is_the_isoformat_form(value: datetime, tz: timezone | None) -> None:
    if tz is not None:
        value = value.replace(tzinfo=tz)
        if value.year == 1 or value.year == 9999:
            return  # the offset could move it out of the datetime range
    utc_value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    assert format_time(value) == utc_value.isoformat(timespec="microseconds")[:-6] + "Z"


@pytest.mark.parametrize("key", [None, b"k" * 32])
def test_sealed_links_are_the_documented_hashes(key: bytes | None) -> None:
    drafts = [draft(exchange(i), Redactor()) for i in range(1, 6)]
    prev = "0" * 64
    for record, _, leaf in Chain(key).seal_all_with_leaves(drafts, "main", 0, ""):
        data = bytes.fromhex(prev) + canonical(record)
        want = (
            hmac.new(key, data, hashlib.sha256).hexdigest()
            if key
            else hashlib.sha256(data).hexdigest()
        )
        assert (record.prev_hash, record.hash) == (prev, want)
        assert leaf == hashlib.sha256(b"\x00" + canonical(record)).digest()
        prev = record.hash
