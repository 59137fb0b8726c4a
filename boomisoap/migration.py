"""Contract -> Plan migration: Boomi deprecated Contracts in favour of Plans.

For every Contract that is not deleted, an equivalent Plan is created unless one exists.
**Equivalent** means the same name, maximum message size, rate limit and unit, and quota
limit and unit (an absent value matches only an absent value). The rule makes a run
idempotent: a second run finds every Plan the first one created and creates nothing.

- A Plan with the Contract's name but other limits is not equivalent: a new Plan is created
  beside it (the report's reason says so), since Plan names are not unique identifiers.
- Two Contracts with the same name and limits share one Plan.
- A Contract's apiId and environmentId are not carried over: Plans are tied to deployments
  through Boomi's REST-only ``planAssociation`` action, outside these APIs.
- A Contract is deleted only with ``delete_contracts=True``, only when not a dry run, and
  only once an equivalent Plan exists for it (created now or found). A failed delete is
  reported on the item and makes the report not ``ok``; the Plan stays.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import BoomiError
from .models.apim import Contract, Plan

if TYPE_CHECKING:
    from .clients import ApimClient

CREATED = "created"
SKIPPED = "skipped"
FAILED = "failed"
WOULD_CREATE = "would-create"

Key = tuple[str, int | None, int | None, str | None, int | None, str | None]
Progress = Callable[[int, int], None]


def plan_key(obj: Plan | Contract) -> Key:
    """What makes a Plan equivalent to a Contract: name and every limit with its unit."""
    return (
        obj.name,
        obj.max_message_size,
        obj.rate_limit,
        None if obj.rate_limit_unit is None else str(obj.rate_limit_unit),
        obj.quota_limit,
        None if obj.quota_limit_unit is None else str(obj.quota_limit_unit),
    )


def plan_for(contract: Contract) -> Plan:
    """The Plan a Contract becomes."""
    return Plan(
        name=contract.name,
        description=f"Migrated from Contract {contract.contract_id}",
        max_message_size=contract.max_message_size,
        rate_limit=contract.rate_limit,
        rate_limit_unit=contract.rate_limit_unit,
        quota_limit=contract.quota_limit,
        quota_limit_unit=contract.quota_limit_unit,
    )


@dataclasses.dataclass(frozen=True, slots=True)
class MigrationItem:
    """What happened to one Contract."""

    contract_id: str
    name: str
    action: str  # created | skipped | failed | would-create
    plan_id: str | None = None
    reason: str = ""
    contract_deleted: bool = False
    delete_error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "contractId": self.contract_id,
            "name": self.name,
            "action": self.action,
            "planId": self.plan_id,
            "reason": self.reason,
            "contractDeleted": self.contract_deleted,
            "deleteError": self.delete_error,
        }


@dataclasses.dataclass(frozen=True, slots=True)
class MigrationReport:
    dry_run: bool
    items: tuple[MigrationItem, ...]

    def _count(self, action: str) -> int:
        return sum(1 for item in self.items if item.action == action)

    @property
    def created(self) -> int:
        return self._count(CREATED)

    @property
    def would_create(self) -> int:
        return self._count(WOULD_CREATE)

    @property
    def skipped(self) -> int:
        return self._count(SKIPPED)

    @property
    def failed(self) -> int:
        return self._count(FAILED)

    @property
    def deleted(self) -> int:
        return sum(1 for item in self.items if item.contract_deleted)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and all(item.delete_error is None for item in self.items)

    def summary(self) -> str:
        if self.dry_run:
            head = f"dry run: would create {self.would_create}"
        else:
            head = f"created {self.created}"
        text = f"{head}, skipped {self.skipped}, failed {self.failed}"
        if self.deleted:
            text += f", contracts deleted {self.deleted}"
        return text


def _message(exc: BoomiError) -> str:
    return f"{type(exc).__name__}: {exc}"


def migrate_contracts(
    apim: ApimClient,
    *,
    dry_run: bool = True,
    delete_contracts: bool = False,
    progress: Progress | None = None,
) -> MigrationReport:
    """Create a Plan for every live Contract that has none; see the module for the rules.

    ``progress(done, total)`` is called after each Contract. Errors from listing stop the
    run (nothing was changed yet); errors on one Contract are reported on its item and the
    run goes on with the next.
    """
    with warnings.catch_warnings():
        # The caller asked to move off Contracts; warning about them here is noise.
        warnings.simplefilter("ignore", DeprecationWarning)
        contracts = [c for c in apim.contracts.query() if not c.deleted]
    plans: dict[Key, Plan] = {}
    names: dict[str, Plan] = {}
    for plan in apim.plans.query():
        plans.setdefault(plan_key(plan), plan)
        names.setdefault(plan.name, plan)
    items: list[MigrationItem] = []
    for done, contract in enumerate(contracts, start=1):
        item = _migrate_one(apim, contract, plans, names, dry_run=dry_run)
        if delete_contracts and not dry_run and item.action in (CREATED, SKIPPED):
            item = _delete_contract(apim, item)
        items.append(item)
        if progress is not None:
            progress(done, len(contracts))
    return MigrationReport(dry_run=dry_run, items=tuple(items))


def _migrate_one(
    apim: ApimClient,
    contract: Contract,
    plans: dict[Key, Plan],
    names: dict[str, Plan],
    *,
    dry_run: bool,
) -> MigrationItem:
    contract_id = contract.contract_id or ""
    key = plan_key(contract)
    existing = plans.get(key)
    if existing is not None:
        return MigrationItem(
            contract_id,
            contract.name,
            SKIPPED,
            existing.plan_id,
            "an equivalent Plan exists",
        )
    namesake = names.get(contract.name)
    reason = "" if namesake is None else "a Plan of this name exists with other limits"
    plan = plan_for(contract)
    if dry_run:
        plans[key] = plan
        names[plan.name] = plan
        return MigrationItem(
            contract_id, contract.name, WOULD_CREATE, None, reason or "no equivalent Plan"
        )
    try:
        created = apim.plans.create(plan)
    except BoomiError as exc:
        return MigrationItem(contract_id, contract.name, FAILED, None, _message(exc))
    plans[key] = created
    names[created.name] = created
    return MigrationItem(contract_id, contract.name, CREATED, created.plan_id, reason)


def _delete_contract(apim: ApimClient, item: MigrationItem) -> MigrationItem:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            apim.contracts.delete(item.contract_id)
    except BoomiError as exc:
        return dataclasses.replace(item, delete_error=_message(exc))
    return dataclasses.replace(item, contract_deleted=True)
