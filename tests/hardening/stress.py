"""Mixed-operation workers for the concurrency tests, and the model they keep.

A worker performs ``ops`` random operations (seeded, so the run is reproducible) on Plans
and Applications of its own, named ``<worker>-...``, through the client it is given. It
keeps a model of what the emulator must hold afterwards, checks every answer against that
model, and counts its calls and HTTP attempts (a query that pages makes one attempt per
page) so that the audit trail can be checked to the record.

``BOOMISOAP_STRESS=full`` selects the full size (32 threads x 500 operations, 8 processes x
2,000); the default is a smaller, still concurrent run, and the only one under ``CI=true``.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import random
import time
from collections import Counter
from typing import Any

from boomisoap import (
    ApimClient,
    Application,
    NotFound,
    Plan,
    PlanStatus,
    Q,
    QuotaLimitUnit,
    RateLimitUnit,
)

# CI always runs the default size.
FULL = os.environ.get("BOOMISOAP_STRESS", "").lower() == "full" and os.environ.get(
    "CI", ""
).lower() not in ("true", "1")
THREADS, THREAD_OPS = (32, 500) if FULL else (32, 60)
PROCESSES, PROCESS_OPS = (8, 2000) if FULL else (8, 60)
ODD_TEXT = ["", "plain", "<&>\"' quoted", "ünïcödé 日本語", "  spaced  ", "tab\there"]

# Operation weights (out of 100).
MIX = (
    ("create_plan", 16),
    ("create_app", 8),
    ("get_plan", 16),
    ("get_app", 8),
    ("update_plan", 12),
    ("update_app", 6),
    ("query_plans", 8),
    ("query_apps", 4),
    ("delete_plan", 8),
    ("delete_app", 4),
    ("get_missing", 6),
    ("update_deleted", 4),
)


@dataclasses.dataclass
class WorkerResult:
    worker: str
    calls: int = 0
    attempts: int = 0
    ok: int = 0
    expected_errors: int = 0
    seconds: float = 0.0
    unexpected: list[str] = dataclasses.field(default_factory=list)
    mismatches: list[str] = dataclasses.field(default_factory=list)
    operations: Counter[str] = dataclasses.field(default_factory=Counter)
    plans: dict[str, Plan] = dataclasses.field(default_factory=dict)  # live
    deleted_plans: set[str] = dataclasses.field(default_factory=set)
    applications: dict[str, Application] = dataclasses.field(default_factory=dict)  # all


class Worker:
    def __init__(self, client: ApimClient, worker: str, ops: int, seed: int) -> None:
        self.client = client
        self.ops = ops
        self.rng = random.Random(seed)
        self.result = WorkerResult(worker)
        self.prefix = f"{worker}-"
        self._serial = 0
        names = [name for name, _ in MIX]
        self._choices = self.rng.choices(names, weights=[w for _, w in MIX], k=ops)

    def run(self) -> WorkerResult:
        started = time.perf_counter()
        for operation in self._choices:
            self._serial += 1
            self.result.operations[operation] += 1
            try:
                getattr(self, operation)()
            except Exception as exc:  # anything not expected is recorded, never raised
                self.result.unexpected.append(f"{operation}: {exc!r}")
        self.result.seconds = time.perf_counter() - started
        return self.result

    # helpers -----------------------------------------------------------------------------

    def _call(self, pages: int = 1) -> None:
        self.result.calls += 1
        self.result.attempts += pages

    def _expect(self, label: str, got: Any, want: Any) -> None:
        if got != want:
            self.result.mismatches.append(f"{label}: got {got!r}, want {want!r}")

    def _expect_not_found(self, label: str, call: Any) -> None:
        self._call()
        try:
            call()
        except NotFound:
            self.result.expected_errors += 1
            return
        self.result.mismatches.append(f"{label}: no NotFound")

    def _text(self) -> str | None:
        return self.rng.choice([None, *ODD_TEXT])

    def _plan_values(self) -> dict[str, Any]:
        return {
            "description": self._text(),
            "rate_limit": self.rng.choice([None, 0, self.rng.randrange(1, 2**40)]),
            "rate_limit_unit": self.rng.choice([None, *RateLimitUnit]),
            "quota_limit": self.rng.choice([None, self.rng.randrange(0, 10**6)]),
            "quota_limit_unit": self.rng.choice([None, *QuotaLimitUnit]),
            "max_message_size": self.rng.choice([None, 1024, 2**62]),
        }

    def _pick(self, ids: list[str]) -> str | None:
        return self.rng.choice(ids) if ids else None

    # operations --------------------------------------------------------------------------

    def create_plan(self) -> None:
        sent = Plan(
            name=f"{self.prefix}p{self._serial}",
            status=self.rng.choice([None, *PlanStatus]),
            **self._plan_values(),
        )
        self._call()
        created = self.client.plans.create(sent)
        self.result.ok += 1
        assert created.plan_id
        want = dataclasses.replace(
            sent, plan_id=created.plan_id, status=sent.status or PlanStatus.ENABLED
        )
        self._expect("create_plan", created, want)
        self.result.plans[created.plan_id] = want

    def create_app(self) -> None:
        sent = Application(
            application_name=f"{self.prefix}a{self._serial}",
            description=self._text(),
            contact_email=self.rng.choice([None, "ops@example.com"]),
            company_name=self._text(),
            enabled=self.rng.choice([None, True, False]),
        )
        self._call()
        created = self.client.applications.create(sent)
        self.result.ok += 1
        assert created.application_id
        want = dataclasses.replace(
            sent,
            application_id=created.application_id,
            enabled=True if sent.enabled is None else sent.enabled,
            deleted=False,
        )
        self._expect("create_app", created, want)
        self.result.applications[created.application_id] = want

    def get_plan(self) -> None:
        plan_id = self._pick([*self.result.plans, *self.result.deleted_plans])
        if plan_id is None:
            return self.create_plan()
        if plan_id in self.result.deleted_plans:
            return self._expect_not_found(
                "get deleted plan", lambda: self.client.plans.get(plan_id)
            )
        self._call()
        self._expect("get_plan", self.client.plans.get(plan_id), self.result.plans[plan_id])
        self.result.ok += 1
        return None

    def get_app(self) -> None:
        app_id = self._pick(list(self.result.applications))
        if app_id is None:
            return self.create_app()
        self._call()
        got = self.client.applications.get(app_id)
        self._expect("get_app", got, self.result.applications[app_id])
        self.result.ok += 1
        return None

    def update_plan(self) -> None:
        plan_id = self._pick(list(self.result.plans))
        if plan_id is None:
            return self.create_plan()
        want = dataclasses.replace(
            self.result.plans[plan_id],
            status=self.rng.choice(list(PlanStatus)),
            **self._plan_values(),
        )
        self._call()
        self._expect("update_plan", self.client.plans.update(want), want)
        self.result.ok += 1
        self.result.plans[plan_id] = want
        return None

    def update_app(self) -> None:
        live = [i for i, a in self.result.applications.items() if not a.deleted]
        app_id = self._pick(live)
        if app_id is None:
            return self.create_app()
        want = dataclasses.replace(
            self.result.applications[app_id],
            description=self._text(),
            notes=self._text(),
            enabled=self.rng.choice([True, False]),
        )
        self._call()
        self._expect("update_app", self.client.applications.update(want), want)
        self.result.ok += 1
        self.result.applications[app_id] = want
        return None

    def update_deleted(self) -> None:
        """Changing a deleted object answers 410 Gone (NotFound)."""
        gone = [i for i, a in self.result.applications.items() if a.deleted]
        if gone and self.rng.random() < 0.5:
            app = self.result.applications[self.rng.choice(gone)]
            return self._expect_not_found(
                "update deleted app",
                lambda: self.client.applications.update(dataclasses.replace(app, deleted=None)),
            )
        plan_id = self._pick(sorted(self.result.deleted_plans))
        if plan_id is None:
            return self.get_missing()
        plan = Plan(plan_id=plan_id, name=f"{self.prefix}revived")
        return self._expect_not_found("update deleted plan", lambda: self.client.plans.update(plan))

    def query_plans(self) -> None:
        found = self.client.plans.query(Q.name.starts_with(self.prefix))
        got = {p.plan_id: p for p in found}
        self._call(found.pages_fetched)
        self._expect("query_plans", got, self.result.plans)
        self.result.ok += 1

    def query_apps(self) -> None:
        found = self.client.applications.query(Q.applicationName.starts_with(self.prefix))
        got = {a.application_id: a for a in found}
        self._call(found.pages_fetched)
        self._expect("query_apps", got, self.result.applications)
        self.result.ok += 1

    def delete_plan(self) -> None:
        plan_id = self._pick([*self.result.plans, *self.result.deleted_plans])
        if plan_id is None:
            return self.create_plan()
        if plan_id in self.result.deleted_plans:
            return self._expect_not_found(
                "delete deleted plan", lambda: self.client.plans.delete(plan_id)
            )
        self._call()
        self._expect("delete_plan", self.client.plans.delete(plan_id), True)
        self.result.ok += 1
        del self.result.plans[plan_id]
        self.result.deleted_plans.add(plan_id)
        return None

    def delete_app(self) -> None:
        app_id = self._pick(list(self.result.applications))
        if app_id is None:
            return self.create_app()
        app = self.result.applications[app_id]
        if app.deleted:
            return self._expect_not_found(
                "delete deleted app", lambda: self.client.applications.delete(app_id)
            )
        self._call()
        self._expect("delete_app", self.client.applications.delete(app_id), True)
        self.result.ok += 1
        self.result.applications[app_id] = dataclasses.replace(app, deleted=True)
        return None

    def get_missing(self) -> None:
        missing = f"{self.prefix}missing-{self._serial}"
        return self._expect_not_found("get missing", lambda: self.client.plans.get(missing))


def run_in_process(
    base_url: str, account_id: str, worker: str, ops: int, seed: int, audit_url: str
) -> WorkerResult:
    """A process's worker: its own client and its own handle on the shared audit store."""
    # The parent's pytest captures logging; here the expected faults' WARNING lines would
    # go to stderr through logging's last-resort handler.
    logging.getLogger("boomisoap").addHandler(logging.NullHandler())
    with ApimClient(
        account_id=account_id,
        username="u",
        password="p",
        base_url=base_url,
        rate_limit=None,
        audit=audit_url,
    ) as client:
        result = Worker(client, worker, ops, seed).run()
        assert client.audit is not None
        client.audit.close()
    return result
