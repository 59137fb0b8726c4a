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

from boomisoap.audit import AuditLog


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
