"""Deterministic demo data matching Boomi's reference examples (``seed_demo=True``).

Plans v, w, x, y, z and "apiTestKh" with the ids of Boomi's Plan page; the contracts of its
Contract page; the accounts of its Account page with their licensing, plus generated child
accounts so that an Account query needs more than one page; MFT accounting rows for three
organizations and three months. Every value comes from those pages or from a fixed-seed
random generator.
"""

from __future__ import annotations

import calendar
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from ..models.apim import Contract, Plan, PlanStatus, QuotaLimitUnit, RateLimitUnit
from ..models.platform import Account, AccountStatus, License, Licensing, Molecule, SupportLevel
from ..models.registry import spec_for
from .accounting import AccountingState
from .objects import ObjectState

SEEDED_KEY = "seed.demo"
GENERATED_CHILDREN = 120
SECOND, MINUTE, HOUR = RateLimitUnit.SECOND, RateLimitUnit.MINUTE, RateLimitUnit.HOUR
DAY, WEEK = QuotaLimitUnit.DAY, QuotaLimitUnit.WEEK
UNLIMITED_RATE, UNLIMITED_QUOTA = RateLimitUnit.UNLIMITED, QuotaLimitUnit.UNLIMITED

PLAN_IDS = {
    "v": "99f8e822-8f2d-fdf6-4849-6f8d236dbe34",
    "w": "54e457e9-59ce-c25a-be59-70b04205c2c1",
    "x": "f864a76f-87e6-be52-1fe9-649640c19259",
    "y": "9733c1e2-c640-19a4-2d78-966aea9259ab",
    "z": "67ada6c5-4323-18a8-b1e0-2f688c38bda2",
}
DISABLED_PLAN_ID = "4d50decd-f2b6-d59e-53f4-22ec4f188bb1"


def plans() -> list[Plan]:
    enabled = [
        Plan(
            plan_id=plan_id,
            name=name,
            description="",
            max_message_size=0,
            rate_limit=0,
            quota_limit=0,
            rate_limit_unit=SECOND,
            quota_limit_unit=DAY,
            status=PlanStatus.ENABLED,
        )
        for name, plan_id in PLAN_IDS.items()
    ]
    disabled = Plan(
        plan_id=DISABLED_PLAN_ID,
        name="apiTestKh",
        description="",
        max_message_size=1024,
        rate_limit=0,
        quota_limit=0,
        rate_limit_unit=SECOND,
        quota_limit_unit=DAY,
        status=PlanStatus.DISABLED,
    )
    return [*enabled, disabled]


def contracts() -> list[Contract]:
    def contract(
        contract_id: str,
        name: str,
        rate_unit: RateLimitUnit,
        quota_unit: QuotaLimitUnit,
        *,
        size: int | None = 0,
        rate: int = 0,
        deleted: bool = False,
    ) -> Contract:
        return Contract(
            contract_id=contract_id,
            name=name,
            max_message_size=size,
            rate_limit=rate,
            quota_limit=0,
            rate_limit_unit=rate_unit,
            quota_limit_unit=quota_unit,
            deleted=deleted,
        )

    return [
        *(contract(cid, name, SECOND, DAY) for name, cid in PLAN_IDS.items()),
        contract(DISABLED_PLAN_ID, "Less than 0", SECOND, DAY, size=1024, deleted=True),
        contract(
            "517bfe7a-5db6-4729-93fb-e907908374d8",
            "apiTestKh",
            UNLIMITED_RATE,
            UNLIMITED_QUOTA,
            size=None,
            deleted=True,
        ),
        contract("3a8e02c0-976b-4571-94f1-186619906198", "aaa", UNLIMITED_RATE, DAY, size=None),
        contract("3664c0d8-d193-74b2-d2c2-bfb54356fed5", "1stContracts", SECOND, DAY, size=1024),
        contract("46429c65-202d-ce1a-a5fc-d3a025174e80", "2ndContact", SECOND, DAY, size=5120),
        contract("ba14c9fe-82b6-5f53-547c-8873d8b621cf", "fgfg", HOUR, DAY, size=None, rate=5),
        contract("3da1c4dc-2d74-2a5f-4b82-fa6d7113e9b5", "apiTestKh", HOUR, WEEK, size=None),
    ]


def _licensing(counts: tuple[tuple[int, int], ...]) -> Licensing:
    names = (
        "standard",
        "small_business",
        "enterprise",
        "trading_partner",
        "standard_test",
        "small_business_test",
        "enterprise_test",
        "trading_partner_test",
    )
    licenses: dict[str, Any] = {
        n: License(purchased=p, used=u) for n, (p, u) in zip(names, counts, strict=True)
    }
    return Licensing(**licenses)


_TEST_LICENSES = ((1000, 0),) * 4
_EXPIRATION = datetime(2016, 2, 13, 5, tzinfo=UTC)


def _account(
    account_id: str,
    name: str,
    created: datetime,
    licenses: tuple[tuple[int, int], ...],
    molecule: tuple[int, int],
    **extra: Any,
) -> Account:
    values: dict[str, Any] = {
        "status": AccountStatus.ACTIVE,
        "expiration_date": _EXPIRATION,
        "over_deployed": False,
        "suggestions_enabled": False,
        "support_access": True,
        "support_level": SupportLevel.STANDARD,
        "widget_account": False,
    }
    values.update(extra)
    return Account(
        account_id=account_id,
        name=name,
        date_created=created,
        licensing=_licensing(licenses),
        molecule=Molecule(purchased=molecule[0], used=molecule[1]),
        **values,
    )


def seed_accounts() -> list[Account]:
    """The three accounts of Boomi's Platform Account page, with their licensing."""
    return [
        _account(
            "boomiqa-T7KIDU",
            "BoomiQA",
            datetime(2022, 9, 2, 20, 16, 28, tzinfo=UTC),
            ((1000000, 60), (1000000, 0), (1000000, 0), (100000, 3), *_TEST_LICENSES),
            (10, 0),
        ),
        _account(
            "abc-H566GG",
            "ABC Co",
            datetime(2010, 2, 22, 15, 43, 3, tzinfo=UTC),
            ((0, 0),) * 4 + _TEST_LICENSES,
            (40, 8),
        ),
        _account(
            "xyz-V3M1QL",
            "Boomi Inc",
            datetime(2010, 6, 7, 17, 42, 18, tzinfo=UTC),
            ((10, 2), (10, 0), (10, 0), (10, 0), *_TEST_LICENSES),
            (500, 1),
        ),
    ]


def own_account(account_id: str) -> Account:
    """The record of the sandbox's own account, present in every sandbox."""
    return _account(
        account_id,
        "Sandbox account",
        datetime(2024, 1, 1, tzinfo=UTC),
        ((10, 0),) * 4 + _TEST_LICENSES,
        (2, 0),
        expiration_date=None,
    )


_STATUSES = (AccountStatus.ACTIVE,) * 7 + (
    AccountStatus.TRIAL,
    AccountStatus.SUSPENDED,
    AccountStatus.DELETED,
)


def generated_accounts(start: int, count: int) -> list[Account]:
    """Child accounts ``child-00001`` ...: deterministic, numbered from ``start``."""
    accounts = []
    for number in range(start, start + count):
        created = datetime(2014, 1, 1, tzinfo=UTC) + timedelta(days=7 * number)
        used = number % 5
        accounts.append(
            _account(
                f"child-{number:05d}",
                f"Child account {number}",
                created,
                ((5, used), (5, 0), (5, 0), (5, 0), *_TEST_LICENSES),
                (1, number % 2),
                status=_STATUSES[number % len(_STATUSES)],
                expiration_date=created + timedelta(days=730),
                over_deployed=number % 11 == 0,
            )
        )
    return accounts


# Partner API (docs/partner.md): the sandbox's account is a partner whose sub-accounts are
# the accounts of its seeded Account list (deleted ones aside); another partner, outside
# its hierarchy, has one sub-account of its own.
OTHER_PARTNER = "other-partner"
OTHER_SUB_ACCOUNT = "other-sub-1"


def partner_hierarchy(account_id: str) -> list[tuple[str, str, str]]:
    """``(account id, name, parent)`` of the demo's accounts below a partner, parents first
    (a partner of its own is its own parent)."""
    listed = (*seed_accounts(), *generated_accounts(1, GENERATED_CHILDREN))
    children = [
        (a.account_id, a.name or a.account_id, account_id)
        for a in listed
        if a.status is not AccountStatus.DELETED
    ]
    return [
        *children,
        (OTHER_PARTNER, "Another partner", OTHER_PARTNER),
        (OTHER_SUB_ACCOUNT, "Another partner's sub-account", OTHER_PARTNER),
    ]


def sub_account(account_id: str, name: str) -> Account:
    """The Account record of a sub-account the hierarchy names."""
    return _account(
        account_id,
        name,
        datetime(2024, 1, 1, tzinfo=UTC),
        ((5, 0),) * 4 + _TEST_LICENSES,
        (1, 0),
        expiration_date=None,
    )


def load(objects: ObjectState, accounting: AccountingState, account_id: str) -> None:
    """Load the demo data once; a file database that already has it is left alone."""
    with objects.store.transaction() as tx:
        if tx.get_meta(SEEDED_KEY) is not None:
            return
        tx.set_meta(SEEDED_KEY, "1")
    for plan in plans():
        objects.put(account_id, plan, spec_for("Plan"))
    for contract in contracts():
        objects.put(account_id, contract, spec_for("Contract"))
    for account in (*seed_accounts(), *generated_accounts(1, GENERATED_CHILDREN)):
        objects.put(account_id, account, spec_for("Account"))
    load_accounting(accounting)


# MFT accounting ------------------------------------------------------------------------

ORGANIZATIONS = {1001: "Acme Logistics", 1002: "Globex Retail", 1003: "Initech Finance"}
MONTHS = ((2026, 9), (2026, 10), (2026, 11))
CUSTOMER_ID = 42
TRANSFER_QUOTA = 500_000
ACTIONS = ("UPLOAD", "DOWNLOAD", "COMPRESS", "ENCRYPT")


def _stamp(year: int, month: int, day: int, hour: int = 0) -> str:
    return datetime(year, month, day, hour, tzinfo=UTC).isoformat().replace("+00:00", "Z")


def load_accounting(accounting: AccountingState) -> None:
    accounting.set_transfer_quota(TRANSFER_QUOTA)
    for year, month in MONTHS:
        days = calendar.monthrange(year, month)[1]
        usage_rng = random.Random(f"usage-{year}-{month}")
        accounting.add_rows(
            "usage",
            0,
            year,
            month,
            [_usage(usage_rng, year, month, day) for day in range(1, days + 1)],
        )
        for org_id, org_name in ORGANIZATIONS.items():
            rng = random.Random(f"{org_id}-{year}-{month}")
            accounting.add_rows(
                "daily",
                org_id,
                year,
                month,
                [_daily(rng, org_name, year, month, day) for day in range(1, days + 1)],
            )
            accounting.add_rows(
                "billing",
                org_id,
                year,
                month,
                [
                    _billing(rng, org_id, org_name, endpoint, year, month, day)
                    for day in range(1, days + 1)
                    for endpoint in (1, 2)
                ],
            )


def _usage(rng: random.Random, year: int, month: int, day: int) -> dict[str, Any]:
    pulls, pushes = rng.randint(0, 400), rng.randint(0, 400)
    return {
        "customerId": CUSTOMER_ID,
        "transferDate": _stamp(year, month, day),
        "transferHour": None,
        "pullCount": pulls,
        "pushCount": pushes,
        "guiDownloadCount": rng.randint(0, 40),
        "transferBytes": (pulls + pushes) * rng.randint(10_000, 5_000_000),
        "storageBytes": rng.randint(10**8, 10**10),
        "peakStorageBytes": rng.randint(10**10, 2 * 10**10),
        "compressionCount": rng.randint(0, 50),
        "decompressionCount": rng.randint(0, 50),
        "encryptionCount": rng.randint(0, 80),
        "decryptionCount": rng.randint(0, 80),
    }


def _daily(rng: random.Random, org: str, year: int, month: int, day: int) -> dict[str, Any]:
    source, target = rng.randint(0, 200), rng.randint(0, 200)
    return {
        "entityName": org,
        "transferDate": _stamp(year, month, day),
        "sourceTransfers": source,
        "targetTransfers": target,
        "guiDownloads": rng.randint(0, 20),
        "sourceTransferBytes": source * rng.randint(1_000, 2_000_000),
        "targetTransferBytes": target * rng.randint(1_000, 2_000_000),
        "storageBytes": rng.randint(10**7, 10**9),
        "peakStorageBytes": rng.randint(10**9, 2 * 10**9),
        "compressionCount": rng.randint(0, 30),
        "decompressionCount": rng.randint(0, 30),
        "encryptionCount": rng.randint(0, 30),
        "decryptionCount": rng.randint(0, 30),
    }


def _billing(
    rng: random.Random, org_id: int, org: str, endpoint: int, year: int, month: int, day: int
) -> dict[str, Any]:
    counts = {
        name: rng.randint(0, 50)
        for name in (
            "totalSourceCloudTransferCount",
            "totalTargetCloudTransferCount",
            "totalSourceNodeTransferCount",
            "totalTargetNodeTransferCount",
            "totalNodeCloudUploadCount",
            "totalNodeCloudDownloadCount",
            "totalSourceLanTransferCount",
            "totalTargetLanTransferCount",
        )
    }
    volumes = {
        name: rng.randint(0, 10**9)
        for name in (
            "totalCloudIngressBytes",
            "totalCloudEgressBytes",
            "totalNodeIngressBytes",
            "totalNodeEgressBytes",
            "totalNodeCloudUploadBytes",
            "totalNodeCloudDownloadBytes",
            "totalLanIngressBytes",
            "totalLanEgressBytes",
            "peakSourceActiveCloudFileBytes",
            "peakTargetActiveCloudFileBytes",
            "totalSourceActiveCloudFileBytes",
            "totalTargetActiveCloudFileBytes",
        )
    }
    flow_id = org_id * 10 + endpoint
    return {
        "id": f"{org_id}-{endpoint}-{year}{month:02d}{day:02d}",
        "flowEndpointId": flow_id * 100 + endpoint,
        "flowId": flow_id,
        "organizationId": org_id,
        "endpointId": endpoint,
        "thruNodeId": None,
        "flowEndpointType": "SOURCE" if endpoint == 1 else "TARGET",
        "protocol": "SFTP" if endpoint == 1 else "HTTPS",
        "dayIndex": day,
        **counts,
        **volumes,
        "lastUpdated": _stamp(year, month, day, 23),
        "lastHourIndex": 23,
        "actionItems": [
            {"action": action, "count": rng.randint(0, 100), "bytes": rng.randint(0, 10**8)}
            for action in ACTIONS
        ],
        "organizationName": org,
        "endpointName": f"{org} endpoint {endpoint}",
        "flowName": f"{org} flow {flow_id}",
        "flowEndpointName": f"{org} flow endpoint {endpoint}",
        "thruNodeName": None,
    }
