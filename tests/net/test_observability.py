"""The DEBUG envelope log, the per-client history, OpenTelemetry spans, correlation ids."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from boomisoap import ApimClient, MftClient, NotFound, Plan
from boomisoap.audit import REDACTED, AuditLog, correlation
from boomisoap.sandbox import Sandbox

from .conftest import PASSWORD

MFT_KEY = "mft-Key-0123456789abcdef"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox.start(
        users={"u": PASSWORD}, rate_limit=None, mft_api_key=MFT_KEY, log_requests=True
    ) as running:
        yield running


def _apim(sandbox: Sandbox, **options: object) -> ApimClient:
    return ApimClient(
        account_id="acct-1",
        username="u",
        password=PASSWORD,
        base_url=sandbox.base_url,
        rate_limit=None,
        **options,  # type: ignore[arg-type]
    )


def test_debug_log_shows_redacted_envelopes(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="boomisoap.transport"), _apim(sandbox) as apim:
        created = apim.plans.create(Plan(name="logged"))
    records = [r for r in caplog.records if r.name == "boomisoap.transport"]
    assert len(records) == 2  # the request, then the response
    request, response = (r.getMessage() for r in records)
    assert request.startswith(f"HTTP POST {sandbox.base_url}/apim/api/soap/v1/acct-1 (apim create")
    assert "<soapenv:Envelope" in request or "Envelope" in request
    assert REDACTED in request and PASSWORD not in request
    assert response.startswith(f"HTTP response 200 from {sandbox.base_url}")
    assert created.plan_id in response
    assert all(PASSWORD not in r.getMessage() for r in caplog.records)
    # Both carry the id sent as X-Correlation-ID.
    assert records[0].correlation_id == records[1].correlation_id != "-"
    assert f"X-Correlation-ID: {records[0].correlation_id}" in request


def test_no_debug_log_and_no_redaction_when_off(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="boomisoap.transport"), _apim(sandbox) as apim:
        apim.plans.create(Plan(name="quiet"))
        assert apim.transport._observer.active() is False
    assert not [r for r in caplog.records if r.name == "boomisoap.transport"]


def test_history_keeps_the_last_n_exchanges_redacted(sandbox: Sandbox) -> None:
    with _apim(sandbox, history=2) as apim:
        assert apim.history is not None and apim.history.last is None
        first = apim.plans.create(Plan(name="h1"))
        apim.plans.get(first.plan_id)
        with pytest.raises(NotFound):
            apim.plans.get("no-such-plan")
        entries = apim.history.entries
    assert len(entries) == 2
    get_ok, get_missing = entries
    assert (get_ok.operation, get_ok.status, get_ok.outcome) == ("get", 200, "ok")
    assert get_missing.outcome == "fault" and get_missing.error_class == "NotFound"
    assert apim.history.last is get_missing
    assert apim.history.last_sent == get_missing.request_body
    assert PASSWORD.encode() not in get_missing.request_body
    assert REDACTED.encode() in get_missing.request_body
    assert first.plan_id.encode() in (get_ok.response_body or b"")
    assert get_ok.duration >= 0 and get_ok.started_at.tzinfo is not None


def test_history_is_off_by_default(sandbox: Sandbox) -> None:
    with _apim(sandbox) as apim:
        apim.plans.create(Plan(name="nohist"))
        assert apim.history is None


def test_history_on_the_rest_wire_and_mft_hides_credentials(sandbox: Sandbox) -> None:
    with _apim(sandbox, wire="rest", history=1) as apim:
        apim.plans.create(Plan(name="rest hist"))
        headers = dict(apim.history.last.request_headers)  # type: ignore[union-attr]
    assert PASSWORD not in str(headers) and headers["Authorization"].startswith("Basic ")
    with MftClient(base_url=sandbox.base_url, api_key=MFT_KEY, history=3, rate_limit=None) as mft:
        mft.accounting.transfer_quota()
        record = mft.history.last  # type: ignore[union-attr]
    assert record is not None and record.status == 200
    assert MFT_KEY not in str(record.request_headers)


def test_history_uses_the_audit_logs_own_rules(sandbox: Sandbox) -> None:
    from boomisoap.audit import RedactionRules

    rules = RedactionRules(attributes=("name",))
    with (
        AuditLog.open("sqlite:///:memory:", rules=rules) as audit,
        _apim(sandbox, history=1, audit=audit) as apim,
    ):
        apim.plans.create(Plan(name="Private-Plan-Name"))
        assert b"Private-Plan-Name" not in apim.history.last.request_body  # type: ignore[union-attr]


def _reset_global_tracer_provider() -> None:
    # What OpenTelemetry's own test utilities do: the global provider can be set only once
    # per process, and the docs' example sets its own.
    from opentelemetry.util._once import Once

    trace._TRACER_PROVIDER_SET_ONCE = Once()  # type: ignore[attr-defined]
    trace._TRACER_PROVIDER = None  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    _reset_global_tracer_provider()
    trace.set_tracer_provider(provider)
    yield exporter
    _reset_global_tracer_provider()


def test_one_span_per_call_with_its_attributes(
    sandbox: Sandbox, spans: InMemorySpanExporter
) -> None:
    spans.clear()
    with _apim(sandbox, history=1) as apim:
        created = apim.plans.create(Plan(name="traced"))
        cid = apim.history.last.correlation_id  # type: ignore[union-attr]
        with pytest.raises(NotFound):
            apim.plans.get("missing-plan")
    done, failed = spans.get_finished_spans()
    assert done.name == "apim Plan.create" and done.kind == trace.SpanKind.CLIENT
    attributes = dict(done.attributes or {})
    assert attributes["boomisoap.service"] == "apim"
    assert attributes["boomisoap.operation"] == "create"
    assert attributes["boomisoap.object_type"] == "Plan"
    assert attributes["boomisoap.correlation_id"] == cid
    assert attributes["http.response.status_code"] == 200
    assert attributes["boomisoap.attempts"] == 1
    assert attributes["url.full"] == f"{sandbox.base_url}/apim/api/soap/v1/acct-1"
    assert done.status.status_code == trace.StatusCode.UNSET
    assert created.plan_id
    assert failed.name == "apim Plan.get"
    assert failed.status.status_code == trace.StatusCode.ERROR
    assert dict(failed.attributes or {})["error.type"] == "NotFound"


def test_spans_for_mft_calls(sandbox: Sandbox, spans: InMemorySpanExporter) -> None:
    spans.clear()
    with MftClient(base_url=sandbox.base_url, api_key=MFT_KEY, rate_limit=None) as mft:
        mft.accounting.transfer_usage()
    (span,) = spans.get_finished_spans()
    assert span.name == "mft TransferUsage.transfer_usage"
    assert MFT_KEY not in str(dict(span.attributes or {}))


def test_every_log_record_carries_the_correlation_id(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.INFO),
        AuditLog.open("sqlite:///:memory:") as audit,
        _apim(sandbox, audit=audit) as apim,
        correlation("cid-for-this-job"),
    ):
        apim.plans.create(Plan(name="correlated"))
    audit_records = [r for r in caplog.records if r.name == "boomisoap.audit"]
    sandbox_records = [r for r in caplog.records if r.name == "boomisoap.sandbox"]
    assert audit_records and sandbox_records
    assert {r.correlation_id for r in audit_records + sandbox_records} == {"cid-for-this-job"}


def test_records_outside_a_call_have_a_placeholder(caplog: pytest.LogCaptureFixture) -> None:
    from boomisoap.logs import get_logger

    with caplog.at_level(logging.INFO, logger="boomisoap.audit"):
        get_logger("boomisoap.audit").info("outside any call")
    assert caplog.records[-1].correlation_id == "-"
