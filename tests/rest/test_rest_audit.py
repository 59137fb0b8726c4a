"""The JSON wire and MftClient through a real AuditLog: same records, secrets redacted."""

from __future__ import annotations

import base64

import pytest

from boomisoap import ApimClient, MftClient, NotFound, Plan
from boomisoap.audit import AuditLog
from boomisoap.sandbox import Sandbox

PASSWORD = "audit-Pa55-word"
API_KEY = "audit-mft-key-0123456789"


def test_rest_and_mft_exchanges_are_recorded_without_secrets() -> None:
    audit = AuditLog.open("sqlite:///:memory:")
    users = {"u": PASSWORD}
    with Sandbox.start(users=users, rate_limit=None, mft_api_key=API_KEY, seed_demo=True) as sb:
        options = {"account_id": sb.account_id, "username": "u", "base_url": sb.base_url}
        with ApimClient(password=PASSWORD, wire="rest", audit=audit, **options) as apim:
            created = apim.plans.create(Plan(name="audited"))
            assert created.plan_id is not None
            with pytest.raises(NotFound):
                apim.plans.get("no-such-plan")
        with MftClient(base_url=sb.base_url, api_key=API_KEY, audit=audit) as mft:
            mft.accounting.billing_daily(2026, 11)
    records = list(audit.records())
    assert [(r.service, r.operation, r.wire, r.outcome) for r in records] == [
        ("apim", "create", "rest", "ok"),
        ("apim", "get", "rest", "fault"),
        ("mft", "billing_daily", "rest", "ok"),
    ]
    assert records[0].request_body == b'{"name":"audited"}'
    assert records[1].status == 404 and records[1].error_class == "NotFound"
    assert audit.verify().ok
    credentials = base64.b64encode(f"u:{PASSWORD}".encode()).decode()
    stored = repr(records)
    for secret in (PASSWORD, credentials, API_KEY):
        assert secret not in stored
    audit.close()
