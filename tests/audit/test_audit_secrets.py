"""No secret reaches a store or a log line, whatever the sink."""

from __future__ import annotations

import base64
import logging
from urllib.parse import quote

from audit_helpers import (
    API_KEY,
    BEARER,
    SECRETS,
    apikey_json,
    exchange,
    password_digest_envelope,
    store_bytes,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from boomisoap.audit import AuditLog
from boomisoap.redact.structural import (
    echo_values,
    echoed,
    scrub,
    scrub_echoes,
    scrub_headers,
    scrub_str,
)


def forms(secret: str) -> list[bytes]:
    raw = secret.encode()
    return [raw, base64.b64encode(raw), quote(secret, safe="").encode(), raw.hex().encode()]


def secret_exchanges() -> list:
    return [
        exchange(0),
        exchange(1, request_body=password_digest_envelope(), operation="delete"),
        exchange(
            2,
            wire="rest",
            method="GET",
            url="https://api.boomi.com/apim/api/rest/v1/acct-1/apiKey/k-1",
            request_headers={"Authorization": "Basic dXNlcjpTM2NyM3QtUGE1NXcwcmQh"},
            request_body=b"",
            response_headers={"Content-Type": "application/json"},
            response_body=apikey_json(),
        ),
        exchange(
            3,
            service="mft",
            operation="transfer_quota",
            wire="rest",
            method="GET",
            url=f"https://mft.example/accounting/quota?api_key={API_KEY}",
            request_headers={"Authorization": f"Bearer {BEARER}"},
            request_body=b"",
            response_body=b"\xff\xfe not utf-8 " + API_KEY.encode(),
            response_headers={"Content-Type": "application/octet-stream"},
            outcome="transport_error",
            error_class="TransportError",
        ),
    ]


def test_store_and_logs_hold_no_secret(store, caplog):
    caplog.set_level(logging.DEBUG, logger="boomisoap.audit")
    for batch in (False, True):
        with AuditLog.open(store.url, batch=batch, log_bodies=True) as log:
            for ex in secret_exchanges():
                log.record(ex)
    with AuditLog.open(store.url, read_only=True) as log:
        assert log.verify().ok
        assert len(list(log.records())) == 8
    everything = store_bytes(store.kind, store.location)
    assert b"Basic ***REDACTED***" in everything  # the scan does see the stored headers
    logged = "\n".join(r.getMessage() + repr(getattr(r, "audit", "")) for r in caplog.records)
    assert "transfer_quota" in logged and "UsernameToken" in logged
    for secret in SECRETS:
        for form in forms(secret):
            assert form not in everything, (secret, form)
            assert form.decode() not in logged, (secret, form)
    # The Basic credentials' base64 (of the password) is gone as well.
    assert b"dXNlcjpTM2NyM3QtUGE1NXcwcmQh" not in everything


_ECHO_TEXT = st.lists(
    st.sampled_from(["a", "é", "\ufffd", "s3cr3t!", "ég", "*", "\n", "x"]), max_size=8
).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([b"s3cr3t!", "ég-s3cr3t".encode(), b"\xff\xfes3cr3t", b"aaaaaa"]),
        max_size=3,
    ),
    _ECHO_TEXT,
    st.lists(st.tuples(st.just("X-H"), _ECHO_TEXT), max_size=2),
    _ECHO_TEXT.map(lambda t: t.encode("utf-8")),
)
def test_echo_scrubbing_searched_at_once_scrubs_what_each_part_would(
    values: list[bytes], url: str, headers: list[tuple[str, str]], body: bytes
) -> None:
    echoes = echo_values(values)
    hdrs = tuple(headers)
    every_part = (scrub_str(url, echoes), scrub_headers(hdrs, echoes), scrub(body, echoes))
    assert scrub_echoes(url, hdrs, body, echoes) == every_part
    if not echoed(echoes, url, hdrs, body):
        assert every_part == (url, hdrs, body)
