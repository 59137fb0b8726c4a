"""``boomisoap demo``: a tour of every service against a freshly started emulator.

Runs the Plan lifecycle of Boomi's Plan page, a Contract with an API key, an Account bulk
get and a paged Account query over SOAP, and an MFT accounting call, printing what was sent
and received.
Passwords and keys never appear in the output.
"""

from __future__ import annotations

import dataclasses
import secrets
import sys
import warnings
from typing import Any, TextIO

from .clients import ApimClient, PlatformClient
from .errors import BoomiError, NotFound
from .models.apim import ApiKey, Application, Contract, Plan, QuotaLimitUnit, RateLimitUnit
from .query import Q


def run_demo(out: TextIO | None = None) -> int:
    """Run the tour; return 0 on success, 1 if any step failed."""
    stream = out if out is not None else sys.stdout
    from .sandbox import Sandbox

    password = secrets.token_urlsafe(16)
    with Sandbox.start(users={"demo": password}, seed_demo=True) as sandbox:
        _say(stream, f"Emulator started at {sandbox.base_url} (account {sandbox.account_id})")
        options: dict[str, Any] = {
            "account_id": sandbox.account_id,
            "username": "demo",
            "password": password,
            "base_url": sandbox.base_url,
        }
        try:
            with ApimClient(**options) as apim, PlatformClient(**options) as platform:
                _plans(stream, apim)
                _contract_with_key(stream, apim)
                _accounts(stream, platform, sandbox.account_id)
            _accounting(stream, sandbox.base_url, sandbox.mft_api_key)
        except BoomiError as exc:
            _say(stream, f"FAILED: {type(exc).__name__}: {exc}")
            return 1
    _say(stream, "Emulator stopped. Demo complete.")
    return 0


def _say(stream: TextIO, text: str) -> None:
    stream.write(text + "\n")
    stream.flush()


def _plan_text(plan: Plan) -> str:
    size = "unlimited" if plan.max_message_size is None else plan.max_message_size
    known = f" id={plan.plan_id} status={plan.status}" if plan.plan_id else ""
    return (
        f"Plan {plan.name!r}{known} "
        f"rate={plan.rate_limit}/{plan.rate_limit_unit} "
        f"quota={plan.quota_limit}/{plan.quota_limit_unit} maxMessageSize={size}"
    )


def _plans(stream: TextIO, apim: ApimClient) -> None:
    _say(stream, "\n== APIM Plan lifecycle (SOAP) ==")
    draft = Plan(
        name="how",
        description="",
        max_message_size=0,
        rate_limit=9999,
        rate_limit_unit=RateLimitUnit.MINUTE,
        quota_limit=9999,
        quota_limit_unit=QuotaLimitUnit.MONTH,
    )
    _say(stream, "-> create " + _plan_text(draft))
    plan = apim.plans.create(draft)
    _say(stream, "<- " + _plan_text(plan))
    assert plan.plan_id is not None
    _say(stream, f"-> get Plan {plan.plan_id}")
    _say(stream, "<- " + _plan_text(apim.plans.get(plan.plan_id)))
    _say(stream, "-> query Plan where status EQUALS ENABLED")
    names = [p.name for p in apim.plans.query(Q.status == "ENABLED")]
    _say(stream, f"<- {len(names)} plans: {', '.join(names)}")
    _say(stream, "-> update maxMessageSize 0 -> 2048")
    updated = apim.plans.update(dataclasses.replace(plan, max_message_size=2048))
    _say(stream, "<- " + _plan_text(updated))
    _say(stream, f"-> delete Plan {plan.plan_id}")
    _say(stream, f"<- successful={apim.plans.delete(plan.plan_id)}")
    try:
        apim.plans.get(plan.plan_id)
    except NotFound as exc:
        _say(stream, f"<- get after delete: NotFound ({exc.status_code}) {exc.message}")


def _contract_with_key(stream: TextIO, apim: ApimClient) -> None:
    _say(stream, "\n== APIM Contract (deprecated) with an API key ==")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        contract = apim.contracts.create(
            Contract(
                name="demo-contract",
                rate_limit=100,
                rate_limit_unit=RateLimitUnit.SECOND,
                quota_limit=10000,
                quota_limit_unit=QuotaLimitUnit.DAY,
            )
        )
    _say(
        stream,
        f"<- Contract {contract.name!r} id={contract.contract_id} deleted={contract.deleted}",
    )
    for warning in caught:
        _say(stream, f"   (client warning: {warning.message})")
    application = apim.applications.create(
        Application(application_name="demo-app", contact_email="dev@example.com")
    )
    _say(stream, f"<- Application {application.application_name!r} id={application.application_id}")
    key = apim.api_keys.create(
        ApiKey(
            api_id="api-demo",
            environment_id="env-demo",
            application_id=application.application_id,
            contract_id=contract.contract_id,
        )
    )
    length = len(key.key or "")
    _say(
        stream,
        # The key is the ApiKey's id and a secret: it is never printed.
        f"<- ApiKey for contract {key.contract_id}: "
        f"key (its id) generated by the server ({length} characters, not shown)",
    )


def _accounts(stream: TextIO, platform: PlatformClient, account_id: str) -> None:
    _say(stream, "\n== Platform Account bulk get and paged query (SOAP) ==")
    ids = [account_id, "boomiqa-T7KIDU", "abc-H566GG", "xyz-V3M1QL", "no-such-account"]
    _say(stream, f"-> getBulk Account {', '.join(ids)}")
    for item in platform.accounts.get_many(ids):
        if item.result is not None:
            standard = item.result.licensing.standard if item.result.licensing else None
            used = (
                f", standard licenses used {standard.used}/{standard.purchased}" if standard else ""
            )
            _say(
                stream,
                f"<- [{item.index}] {item.id}: {item.status_code} {item.result.name!r}{used}",
            )
        else:
            _say(stream, f"<- [{item.index}] {item.id}: {item.status_code} {item.error_message}")
    low, high = "2010-01-01T00:00:00Z", "2030-01-01T00:00:00Z"
    _say(
        stream,
        f"-> query Account where status NOT_EQUALS deleted and dateCreated BETWEEN {low}, {high}",
    )
    results = platform.accounts.query((Q.status != "deleted") & Q.dateCreated.between(low, high))
    count = sum(1 for _ in results)
    _say(stream, f"<- {count} child accounts in {results.pages_fetched} pages (query + queryMore)")


def _accounting(stream: TextIO, base_url: str, api_key: str) -> None:
    _say(stream, "\n== MFT Accounting (REST, bearer API key) ==")
    _say(stream, "-> month-to-date statistics, all organizations, November 2026")
    rows = _month_to_date(base_url, api_key)
    for row in rows:
        _say(
            stream,
            f"<- {row.get('entityName')}: {row.get('sourceTransfers')} source and "
            f"{row.get('targetTransfers')} target transfers",
        )


def _month_to_date(base_url: str, api_key: str) -> list[dict[str, Any]]:
    try:
        from .rest.mft import MftClient
    except ImportError:  # without the REST client, the same call over plain HTTP
        return _month_to_date_http(base_url, api_key)
    client: Any = MftClient(base_url=base_url, api_key=api_key)
    rows = client.accounting.month_to_date(org_id=0, month=11, year=2026)
    return [_as_dict(row) for row in rows]


def _month_to_date_http(base_url: str, api_key: str) -> list[dict[str, Any]]:
    import requests

    from .models.mftpaths import MftPaths

    answer = requests.get(
        base_url + MftPaths().path("month_to_date"),
        params={"orgid": 0, "monthnum": 11, "year": 2026},
        headers={"Authorization": f"Bearer {api_key}", "Accept": "application/json"},
        timeout=30,
    )
    answer.raise_for_status()
    found: list[dict[str, Any]] = answer.json()
    return found


def _as_dict(row: Any) -> dict[str, Any]:
    if isinstance(row, dict):
        return row
    names = {
        "entityName": "entity_name",
        "sourceTransfers": "source_transfers",
        "targetTransfers": "target_transfers",
    }
    return {wire: getattr(row, name, None) for wire, name in names.items()}
