"""Faults between client and emulator: typed errors, safe retries, nothing applied twice.

A :class:`hardening.faultproxy.FaultProxy` sits between an ``ApimClient`` (SOAP, client
limiter off, backoff without waiting) and a ``Sandbox``. For every fault mode and every
operation the test checks the exception the caller sees, how many requests the proxy saw
and forwarded (a write is never sent twice), how many times the emulator applied a write
(``sb.count("Plan")`` and a query by name), and the client's audit trail: one record per
attempt, attempts numbered from 1 under one correlation id, each with its outcome.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flavours import Flavour

from boomisoap import (
    ApimClient,
    BoomiError,
    NotFound,
    Plan,
    Q,
    RateLimited,
    TransportError,
)
from boomisoap.audit import AuditLog
from boomisoap.models.registry import spec_for
from boomisoap.sandbox import Sandbox
from hardening.faultproxy import FaultProxy

PASSWORD = "fault-injection-Secret-42"
READS = ("get", "query")
WRITES = ("create", "update", "delete")
# The first attempt's outcome in the audit trail, and whether the emulator got it.
FIRST_OUTCOME = {
    "reset_before": ("transport_error", False),
    "reset_after": ("transport_error", True),
    "stall": ("transport_error", True),
    "truncate": ("transport_error", True),
    "truncate_xml": ("transport_error", True),
    "html502": ("transport_error", False),
    "503": ("fault", False),
}
# Faults after which a read is sent again (docs/client.md: lost connections, timeouts,
# 502/504, and 503 for every call). A complete 200 answer holding a cut envelope is not
# one of them: the server did answer, and the caller gets the TransportError.
RETRIED_READS = {"reset_before", "reset_after", "stall", "truncate", "html502", "503"}
CLIENT_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox.start(users={"u": PASSWORD}, rate_limit=None) as sandbox:
        yield sandbox


@pytest.fixture
def proxy(sb: Sandbox) -> Iterator[FaultProxy]:
    with FaultProxy(sb.port) as found:
        yield found


@pytest.fixture
def audit(tmp_path: Any) -> Iterator[AuditLog]:
    with AuditLog.open(f"sqlite://{tmp_path}/client-audit.db") as log:
        yield log


def make_client(
    sb: Sandbox,
    proxy: FaultProxy,
    audit: AuditLog,
    retries: int = 3,
    via: Flavour | None = None,
) -> ApimClient:
    via = via or Flavour("sync")
    client: Any = via.make(
        ApimClient,
        account_id=sb.account_id,
        username="u",
        password=PASSWORD,
        base_url=proxy.base_url,
        rate_limit=None,
        retries=retries,
        timeout=CLIENT_TIMEOUT,
        audit=audit,
    )
    client.transport._sleep = no_wait if via.name == "async" else lambda seconds: None
    return client  # backoff without waiting


async def no_wait(seconds: float) -> None:
    return None


@pytest.fixture
def client(
    sb: Sandbox, proxy: FaultProxy, audit: AuditLog, flavour: Flavour
) -> Iterator[ApimClient]:
    found = make_client(sb, proxy, audit, via=flavour)
    yield found
    found.close()


def plans_named(sb: Sandbox, name: str) -> list[Plan]:
    page = sb.state.query(sb.account_id, spec_for("Plan"), Q.name == name)
    return list(page.results)


def stored_plan(sb: Sandbox, plan_id: str) -> Plan | None:
    try:
        found: Plan = sb.state.get(sb.account_id, spec_for("Plan"), plan_id)
    except NotFound:
        return None
    return found


class Operation:
    """One client call, set up on fresh objects, and how to tell it was applied."""

    def __init__(self, sb: Sandbox, name: str) -> None:
        self.sb = sb
        self.name = name
        self.tag = f"fi-{uuid.uuid4().hex[:12]}"
        self.plan_id = f"plan-{self.tag}"
        if name in ("get", "update", "delete"):
            sb.add(Plan(plan_id=self.plan_id, name=self.tag, description="before"))
        if name == "query":
            sb.add(Plan(plan_id=self.plan_id, name=self.tag))

    def call(self, client: ApimClient) -> Any:
        if self.name == "get":
            return client.plans.get(self.plan_id)
        if self.name == "query":
            return list(client.plans.query(Q.name == self.tag))
        if self.name == "create":
            return client.plans.create(Plan(name=self.tag, rate_limit=5))
        if self.name == "update":
            return client.plans.update(
                Plan(plan_id=self.plan_id, name=self.tag, description="after")
            )
        return client.plans.delete(self.plan_id)

    def check_result(self, result: Any) -> None:
        if self.name == "get":
            assert result.plan_id == self.plan_id
        elif self.name == "query":
            assert [p.plan_id for p in result] == [self.plan_id]
        elif self.name == "create":
            assert result.name == self.tag
        elif self.name == "update":
            assert result.description == "after"
        else:
            assert result is True

    def applied(self) -> int:
        """How many times the emulator applied this write (0 or 1 for update/delete)."""
        if self.name == "create":
            return len(plans_named(self.sb, self.tag))
        stored = stored_plan(self.sb, self.plan_id)
        if self.name == "update":
            return int(stored is not None and stored.description == "after")
        if self.name == "delete":
            return int(stored is None)
        return 0


def audit_trail(audit: AuditLog) -> list[Any]:
    return list(audit.records())


def check_audit(audit: AuditLog, outcomes: list[str], operation: str) -> None:
    records = audit_trail(audit)
    assert [r.outcome for r in records] == outcomes
    assert [r.attempt for r in records] == list(range(1, len(outcomes) + 1))
    assert len({r.correlation_id for r in records}) == 1
    assert {r.operation for r in records} == {operation}
    for record in records:
        assert PASSWORD.encode() not in record.request_body
    assert audit.verify().ok


# every mode x every operation ------------------------------------------------------------


@pytest.mark.parametrize("operation", READS + WRITES)
@pytest.mark.parametrize("mode", ["pass", "drip"])
def test_answers_that_arrive_are_used_once(
    sb: Sandbox, proxy: FaultProxy, client: ApimClient, audit: AuditLog, mode: str, operation: str
) -> None:
    op = Operation(sb, operation)
    proxy.script(mode)
    started = time.monotonic()
    op.check_result(op.call(client))
    if mode == "drip":
        assert time.monotonic() - started >= proxy.drip_delay * 4
    assert (proxy.count(), proxy.count(forwarded=True)) == (1, 1)
    if operation in WRITES:
        assert op.applied() == 1
    check_audit(audit, ["ok"], operation)


@pytest.mark.parametrize("operation", READS)
@pytest.mark.parametrize("mode", sorted(FIRST_OUTCOME))
def test_reads_are_retried_where_safe(
    sb: Sandbox, proxy: FaultProxy, client: ApimClient, audit: AuditLog, mode: str, operation: str
) -> None:
    op = Operation(sb, operation)
    proxy.script(mode)
    first_outcome, reached = FIRST_OUTCOME[mode]
    if mode in RETRIED_READS:
        op.check_result(op.call(client))
        assert proxy.count() == 2
        assert proxy.count(forwarded=True) == 1 + reached
        # The retry carries a fresh UsernameToken: the emulator may have seen the first.
        first, second = (seen.nonce for seen in proxy.seen)
        assert first and second and first != second
        check_audit(audit, [first_outcome, "ok"], operation)
    else:
        with pytest.raises(TransportError) as caught:
            op.call(client)
        assert caught.value.http_status == 200
        assert proxy.count() == 1
        check_audit(audit, [first_outcome], operation)


@pytest.mark.parametrize("operation", WRITES)
@pytest.mark.parametrize("mode", sorted(FIRST_OUTCOME))
def test_writes_are_never_sent_twice(
    sb: Sandbox, proxy: FaultProxy, client: ApimClient, audit: AuditLog, mode: str, operation: str
) -> None:
    op = Operation(sb, operation)
    plans_before = sb.count("Plan")
    proxy.script(mode)
    first_outcome, reached = FIRST_OUTCOME[mode]
    if mode == "503":
        # 503: the service did nothing, so even a write goes again, and lands once.
        op.check_result(op.call(client))
        assert (proxy.count(), proxy.count(forwarded=True)) == (2, 1)
        assert op.applied() == 1
        check_audit(audit, ["fault", "ok"], operation)
        return
    started = time.monotonic()
    with pytest.raises(TransportError) as caught:
        op.call(client)
    assert time.monotonic() - started < CLIENT_TIMEOUT + 5
    assert PASSWORD not in str(caught.value)
    if mode == "html502":
        assert caught.value.http_status == 502
    assert proxy.count() == 1, "a write was sent again"
    assert proxy.count(operation=operation) == 1
    assert proxy.count(forwarded=True) == int(reached)
    assert op.applied() == int(reached)
    expected_plans = plans_before + (1 if operation == "create" and reached else 0)
    expected_plans -= 1 if operation == "delete" and reached else 0
    assert sb.count("Plan") == expected_plans
    check_audit(audit, [first_outcome], operation)


# bursts and exhaustion -------------------------------------------------------------------


def test_a_burst_of_503s_then_the_create_lands_once(
    sb: Sandbox, proxy: FaultProxy, client: ApimClient, audit: AuditLog
) -> None:
    op = Operation(sb, "create")
    before = sb.count("Plan")
    proxy.script("503", "503", "503")
    op.check_result(op.call(client))
    assert (proxy.count(), proxy.count(forwarded=True)) == (4, 1)
    assert sb.count("Plan") == before + 1
    assert op.applied() == 1
    check_audit(audit, ["fault", "fault", "fault", "ok"], "create")
    assert [r.error_class for r in audit_trail(audit)] == ["RateLimited"] * 3 + [None]


def test_503s_beyond_the_retries_raise_rate_limited(
    sb: Sandbox, proxy: FaultProxy, audit: AuditLog, flavour: Flavour
) -> None:
    op = Operation(sb, "create")
    proxy.script(*["503"] * 6)
    client = make_client(sb, proxy, audit, retries=2, via=flavour)
    with client, pytest.raises(RateLimited):
        op.call(client)
    assert (proxy.count(), proxy.count(forwarded=True)) == (3, 0)
    assert op.applied() == 0
    check_audit(audit, ["fault"] * 3, "create")


def test_a_read_gives_up_after_its_retries(
    sb: Sandbox, proxy: FaultProxy, audit: AuditLog, flavour: Flavour
) -> None:
    op = Operation(sb, "get")
    proxy.script(*["reset_before"] * 6)
    client = make_client(sb, proxy, audit, retries=2, via=flavour)
    with client, pytest.raises(TransportError):
        op.call(client)
    assert proxy.count() == 3
    check_audit(audit, ["transport_error"] * 3, "get")


# a long run of random faults ----------------------------------------------------------------


FAULT_RUN_CALLS = 150


def test_random_faults_never_duplicate_a_write(
    sb: Sandbox, proxy: FaultProxy, client: ApimClient, audit: AuditLog
) -> None:
    """Many calls, each meeting a random fault (or none): the books must balance."""
    rng = random.Random(20260601)
    modes = ["pass", "pass", "reset_before", "reset_after", "truncate", "html502", "503", "drip"]
    tally = {"calls": 0, "faults": 0, "ok": 0, "errors": 0, "duplicates": 0}
    attempts = 0
    started = time.perf_counter()
    for _ in range(FAULT_RUN_CALLS):
        op = Operation(sb, rng.choice(READS + WRITES))
        mode = rng.choice(modes)
        proxy.reset_counts()
        proxy.script(mode)
        tally["calls"] += 1
        tally["faults"] += mode not in ("pass", "drip")
        call: Callable[[ApimClient], Any] = op.call
        try:
            op.check_result(call(client))
            tally["ok"] += 1
        except BoomiError as exc:
            assert isinstance(exc, TransportError), exc
            assert op.name in WRITES and mode in FIRST_OUTCOME
            tally["errors"] += 1
        attempts += proxy.count()
        if op.name in WRITES:
            forwarded = proxy.count(forwarded=True)
            tally["duplicates"] += forwarded > 1 or op.applied() > 1
            assert op.applied() == forwarded
    assert tally["duplicates"] == 0
    assert tally["ok"] + tally["errors"] == FAULT_RUN_CALLS
    records = audit_trail(audit)
    assert len(records) == attempts
    assert audit.verify().checked == attempts
    print(
        f"\nfaults: {tally['calls']} calls, {tally['faults']} faults injected, {tally['ok']} "
        f"succeeded, {tally['errors']} TransportErrors (writes), {attempts} attempts = "
        f"{len(records)} audit records, {tally['duplicates']} duplicated writes, "
        f"{time.perf_counter() - started:.1f} s"
    )
