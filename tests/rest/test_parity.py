"""One scenario over SOAP and over REST against the emulator: the same results, field by field.

Each wire runs in a fresh sandbox, so both start from identical state. The scenario records
every dataclass it gets back (server-generated ids and secrets blanked) and every error
(class, status, field); the wires must agree on all of it.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flavours import FLAVOURS, Flavour

from boomisoap import (
    Account,
    ApiKey,
    ApimClient,
    Application,
    BoomiError,
    BulkItem,
    Contract,
    Plan,
    PlanStatus,
    PlatformClient,
    Q,
    QuotaLimitUnit,
    RateLimitUnit,
)
from boomisoap.sandbox import Sandbox

WIRES = ("soap", "rest")
BIG = 999999999999999999
PLANS = 250
ACCOUNTS = 225
MISSING = ("nobody-1", "nobody-2", "nobody-3", "nobody-4", "nobody-5")
# Fields the server fills differently on every run: blanked before comparing.
GENERATED = {"plan_id", "contract_id", "application_id", "key", "generated_at"}


def blank(value: Any) -> Any:
    """``value`` with server-generated ids and secrets set to None, recursively."""
    if isinstance(value, BulkItem):
        return dataclasses.replace(value, result=blank(value.result))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = {f.name for f in dataclasses.fields(value)} & GENERATED
        return dataclasses.replace(value, **dict.fromkeys(names))
    if isinstance(value, list | tuple):
        return [blank(item) for item in value]
    return value


@dataclasses.dataclass
class Outcome:
    wire: str
    values: dict[str, Any] = dataclasses.field(default_factory=dict)
    raw: dict[str, Any] = dataclasses.field(default_factory=dict)
    errors: dict[str, tuple[str, int | None, str | None]] = dataclasses.field(default_factory=dict)

    def keep(self, step: str, value: Any) -> Any:
        self.raw[step] = value
        self.values[step] = blank(value)
        return value

    def expect_error(self, step: str, call: Callable[[], Any]) -> None:
        try:
            call()
        except BoomiError as exc:
            self.errors[step] = (
                type(exc).__name__,
                getattr(exc, "status_code", None),
                getattr(exc, "field", None),
            )
        else:
            self.errors[step] = ("no error", None, None)


def run_scenario(wire: str, flavour: str = "sync") -> Outcome:
    out = Outcome(wire)
    with Sandbox.start(users={"u": "p"}, rate_limit=None) as sb:
        options: dict[str, Any] = {
            "account_id": sb.account_id,
            "username": "u",
            "base_url": sb.base_url,
            "wire": wire,
            "rate_limit": None,
        }
        make = Flavour(flavour).make
        with (
            make(ApimClient, password="p", **options) as apim,
            make(PlatformClient, password="p", **options) as plat,
            make(ApimClient, password="not-p", **options) as intruder,
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore", DeprecationWarning)
            _plans(out, sb, apim)
            _errors(out, sb, apim, intruder)
            _applications_and_keys(out, apim)
            _contracts(out, apim)
            _accounts(out, sb, plat)
    return out


def _plans(out: Outcome, sb: Any, apim: ApimClient) -> None:
    created = out.keep(
        "plan.create",
        apim.plans.create(
            Plan(
                name="parity",
                description="both wires",
                max_message_size=1024,
                rate_limit=BIG,
                rate_limit_unit=RateLimitUnit.MINUTE,
                quota_limit=9999,
                quota_limit_unit=QuotaLimitUnit.MONTH,
            )
        ),
    )
    assert created.plan_id
    out.keep("plan.get", apim.plans.get(created.plan_id))
    for number in range(PLANS):
        status = PlanStatus.DISABLED if number % 3 == 0 else PlanStatus.ENABLED
        apim.plans.create(Plan(name=f"bulk-{number:03d}", rate_limit=number, status=status))
    everything = apim.plans.query(Q.name.starts_with("bulk-"))
    out.keep("plan.query.paged", list(everything))
    out.keep("plan.query.pages", everything.pages_fetched)
    # BETWEEN needs an ordered property (a date): it is exercised on Accounts below.
    where = (Q.name.starts_with("bulk-1") | Q.name.like("bulk-2_7")) & (Q.status == "ENABLED")
    out.keep("plan.query.filtered", list(apim.plans.query(where)))
    updated = apim.plans.update(
        dataclasses.replace(
            created, description="updated", max_message_size=2048, status=PlanStatus.DISABLED
        )
    )
    out.keep("plan.update", updated)
    out.keep("plan.get.updated", apim.plans.get(created.plan_id))
    out.keep("plan.delete", apim.plans.delete(created.plan_id))
    out.expect_error("plan.get.deleted", lambda: apim.plans.get(created.plan_id))
    out.expect_error("plan.delete.again", lambda: apim.plans.delete(created.plan_id))
    out.expect_error("plan.update.deleted", lambda: apim.plans.update(updated))


def _errors(out: Outcome, sb: Any, apim: ApimClient, intruder: ApimClient) -> None:
    out.expect_error("plan.get.unknown", lambda: apim.plans.get("no-such-plan"))
    out.expect_error(
        "plan.create.negative", lambda: apim.plans.create(Plan(name="n", max_message_size=-1))
    )
    out.expect_error("plan.query.unknown", lambda: apim.plans.query(Q.rateLimit == 1))
    out.expect_error("auth.wrong_password", lambda: intruder.plans.get("no-such-plan"))
    held = apim.plans.create(Plan(name="held"))
    assert held.plan_id
    sb.subscribe(held.plan_id)
    out.expect_error("plan.delete.subscribed", lambda: apim.plans.delete(held.plan_id))
    # Server-side rule: the application must exist.
    orphan = ApiKey(api_id="api-1", environment_id="env-1", application_id="no-such-app")
    out.expect_error("api_key.create.orphan", lambda: apim.api_keys.create(orphan))


def _applications_and_keys(out: Outcome, apim: ApimClient) -> None:
    application = out.keep(
        "application.create",
        apim.applications.create(
            Application(
                application_name="Billing portal",
                contact_email="ana@example.com",
                company_name="Example Corp",
                description="über ünïcode ✓",
            )
        ),
    )
    assert application.application_id
    key = out.keep(
        "api_key.create",
        apim.api_keys.create(
            ApiKey(
                api_id="api-1",
                environment_id="env-1",
                application_id=application.application_id,
                subscription_name="gold",
            )
        ),
    )
    assert key.key and key.generated_at
    assert key.generated_at.tzinfo is not None
    out.keep("api_key.get", apim.api_keys.get(key.key))
    by_application = Q.applicationId == application.application_id
    out.keep("api_key.query", list(apim.api_keys.query(by_application)))
    out.keep("api_key.update", apim.api_keys.update(dataclasses.replace(key, enabled=False)))
    out.expect_error(
        "api_key.update.immutable",
        lambda: apim.api_keys.update(dataclasses.replace(key, api_id="api-2")),
    )
    out.keep("application.delete", apim.applications.delete(application.application_id))
    out.keep("application.get.deleted", apim.applications.get(application.application_id))


def _contracts(out: Outcome, apim: ApimClient) -> None:
    contract = out.keep(
        "contract.create",
        apim.contracts.create(
            Contract(
                name="testQA",
                max_message_size=0,
                rate_limit=BIG,
                rate_limit_unit=RateLimitUnit.MINUTE,
                quota_limit=BIG,
                quota_limit_unit=QuotaLimitUnit.MONTH,
            )
        ),
    )
    assert contract.contract_id
    out.keep("contract.query", list(apim.contracts.query(Q.deleted == "false")))
    out.keep("contract.delete", apim.contracts.delete(contract.contract_id))
    out.keep("contract.get.deleted", apim.contracts.get(contract.contract_id))


def _accounts(out: Outcome, sb: Any, plat: PlatformClient) -> None:
    ids = sb.add_accounts(ACCOUNTS)
    wanted = ids[:100] + list(MISSING) + ids[100:]
    out.keep("account.bulk", plat.accounts.get_many(wanted))
    out.keep("account.get", plat.accounts.get(ids[0]))
    everything = plat.accounts.query()
    out.keep("account.query.all", list(everything))
    out.keep("account.query.all.pages", everything.pages_fetched)
    first = out.raw["account.get"].date_created
    where = (Q.status != "deleted") & (
        Q.dateCreated.between(first, first + timedelta(days=7 * 180))
        | Q.name.like("Child account 1022_")
    )
    filtered = plat.accounts.query(where)
    out.keep("account.query.filtered", list(filtered))
    out.keep("account.query.filtered.pages", filtered.pages_fetched)
    out.expect_error("account.get.unknown", lambda: plat.accounts.get("nobody"))


_OUTCOMES: dict[tuple[str, str], Outcome] = {}


def outcome(wire: str, flavour: str = "sync") -> Outcome:
    if (wire, flavour) not in _OUTCOMES:
        _OUTCOMES[wire, flavour] = run_scenario(wire, flavour)
    return _OUTCOMES[wire, flavour]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("wire", WIRES)
def test_the_scenario_behaves_as_documented(wire: str, flavour: str) -> None:
    out = outcome(wire, flavour)
    values, raw, errors = out.values, out.raw, out.errors

    assert raw["plan.get"] == raw["plan.create"]
    assert raw["plan.create"].rate_limit == BIG
    assert raw["plan.create"].status is PlanStatus.ENABLED
    paged = raw["plan.query.paged"]
    assert [p.name for p in paged] == [f"bulk-{n:03d}" for n in range(PLANS)]
    assert values["plan.query.pages"] == 3
    expected = sorted(
        f"bulk-{n:03d}"
        for n in range(PLANS)
        if n % 3 and (100 <= n <= 199 or (200 <= n < 300 and n % 10 == 7))
    )
    assert sorted(p.name for p in raw["plan.query.filtered"]) == expected
    assert raw["plan.update"] == raw["plan.get.updated"]
    assert raw["plan.update"].max_message_size == 2048
    assert raw["plan.update"].status is PlanStatus.DISABLED
    assert raw["plan.delete"] is True

    assert errors["plan.get.deleted"][:2] == ("NotFound", 404)
    assert errors["plan.delete.again"][:2] == ("NotFound", 410)
    assert errors["plan.update.deleted"][:2] == ("NotFound", 410)
    assert errors["plan.get.unknown"][:2] == ("NotFound", 404)
    assert errors["plan.create.negative"] == ("InvalidRequest", 400, "maxMessageSize")
    assert errors["plan.query.unknown"] == ("InvalidRequest", 400, "rateLimit")
    assert errors["auth.wrong_password"][0] == "AuthenticationError"
    assert errors["plan.delete.subscribed"][:2] == ("Conflict", 409)
    assert errors["api_key.create.orphan"] == ("InvalidRequest", 400, "applicationId")
    assert errors["api_key.update.immutable"][0] == "InvalidRequest"
    assert errors["account.get.unknown"][:2] == ("NotFound", 404)

    assert raw["api_key.get"] == raw["api_key.create"]
    assert raw["api_key.query"] == [raw["api_key.create"]]
    assert raw["api_key.update"].enabled is False
    assert raw["api_key.create"].generated_by == "u"
    assert raw["application.get.deleted"].deleted is True
    assert raw["contract.create"].rate_limit == BIG
    assert raw["contract.get.deleted"].deleted is True

    bulk = raw["account.bulk"]
    assert len(bulk) == ACCOUNTS + len(MISSING)
    assert [item.index for item in bulk] == list(range(len(bulk)))
    assert [item.id for item in bulk if not item.ok] == list(MISSING)
    # Boomi's "Bulk GET operations" page answers an unknown id with 400.
    assert all(item.status_code == 400 for item in bulk if not item.ok)
    assert all(isinstance(item.result, Account) for item in bulk if item.ok)
    accounts = raw["account.query.all"]
    # A query lists the accounts the parent created, not the parent itself (seed 003).
    assert sorted(a.account_id for a in accounts) == sorted(i.id for i in bulk if i.ok)
    assert values["account.query.all.pages"] == 3
    filtered = raw["account.query.filtered"]
    assert values["account.query.filtered.pages"] == 2
    assert all(a.status != "deleted" for a in filtered)
    assert all(a.date_created is not None and a.date_created.tzinfo is not None for a in filtered)
    assert len(filtered) > 100


def _differences(path: str, soap: Any, rest: Any) -> list[str]:
    """Where two values differ, field by field, as readable paths."""
    if type(soap) is not type(rest):
        return [f"{path}: {type(soap).__name__} != {type(rest).__name__}"]
    if dataclasses.is_dataclass(soap) and not isinstance(soap, type):
        found: list[str] = []
        for field in dataclasses.fields(soap):
            found += _differences(
                f"{path}.{field.name}", getattr(soap, field.name), getattr(rest, field.name)
            )
        return found
    if isinstance(soap, list):
        if len(soap) != len(rest):
            return [f"{path}: {len(soap)} items != {len(rest)} items"]
        found = []
        for index, (left, right) in enumerate(zip(soap, rest, strict=True)):
            found += _differences(f"{path}[{index}]", left, right)
        return found
    if isinstance(soap, datetime):
        same = soap == rest and soap.utcoffset() == rest.utcoffset()
        return [] if same else [f"{path}: {soap!r} != {rest!r}"]
    return [] if soap == rest else [f"{path}: {soap!r} != {rest!r}"]


def test_soap_and_rest_agree_field_by_field() -> None:
    soap, rest = outcome("soap"), outcome("rest")
    assert soap.values.keys() == rest.values.keys()
    differences = [
        difference
        for step in soap.values
        for difference in _differences(step, soap.values[step], rest.values[step])
    ]
    assert differences == []
    assert soap.errors == rest.errors


@pytest.mark.parametrize("wire", WIRES)
def test_the_async_clients_agree_with_the_sync_ones_field_by_field(wire: str) -> None:
    sync, async_ = outcome(wire), outcome(wire, "async")
    assert sync.values.keys() == async_.values.keys()
    differences = [
        difference
        for step in sync.values
        for difference in _differences(step, sync.values[step], async_.values[step])
    ]
    assert differences == []
    assert sync.errors == async_.errors


def test_blank_only_hides_server_generated_values() -> None:
    plan = Plan(name="n", plan_id="p-1", rate_limit=1)
    assert blank(plan) == Plan(name="n", rate_limit=1)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    key = ApiKey(key="secret", generated_at=moment, generated_by="u")
    assert blank(key) == ApiKey(generated_by="u")
