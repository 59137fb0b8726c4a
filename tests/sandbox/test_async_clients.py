"""What only the async clients have: awaiting, ``async for``, concurrent bulk chunks,
``aclose``; and that the plugin's request log, the history and the option checks are the
sync clients' (the shared behaviour is tested with both in the flavoured tests)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import requests

from boomisoap import AsyncApimClient, AsyncPlatformClient, InvalidRequest, Plan, Q
from boomisoap.sandbox import Sandbox
from boomisoap.testing import BoomiRequests


def options(sandbox: Sandbox, **more: Any) -> dict[str, Any]:
    return {
        "account_id": sandbox.account_id,
        "username": "u",
        "password": "p",
        "base_url": sandbox.base_url,
        "rate_limit": None,
        **more,
    }


def test_pages_arrive_through_async_for(seeded: Sandbox) -> None:
    async def main() -> tuple[int, int]:
        async with AsyncPlatformClient(**options(seeded)) as platform:
            active = platform.accounts.query(Q.status != "deleted")
            found = [account async for account in active]
            return len(found), active.pages_fetched

    assert asyncio.run(main()) == (111, 2)


def test_bulk_chunks_keep_the_order_asked(seeded: Sandbox) -> None:
    ids = [f"child-{n % 120 + 1:05d}" for n in range(250)]  # the demo has 120 children
    ids[150] = "missing"

    async def main() -> list[Any]:
        async with AsyncPlatformClient(**options(seeded)) as platform:
            return await platform.accounts.get_many(ids)

    items = asyncio.run(main())  # three chunks, sent together
    assert [i.index for i in items] == list(range(250))
    assert [i.unwrap().account_id for i in items if i.ok] == ids[:150] + ids[151:]
    assert not items[150].ok and items[150].status_code == 400


def test_the_request_log_and_history_see_async_calls(
    boomi_sandbox: Sandbox, boomi_requests: BoomiRequests
) -> None:
    async def main() -> Any:
        async with AsyncApimClient(**options(boomi_sandbox), history=5) as apim:
            plan = await apim.plans.create(Plan(name="logged"))
            await apim.plans.get(plan.plan_id)
            return apim.history

    history = asyncio.run(main())
    assert [r.operation for r in boomi_requests.get_requests()] == ["create", "get"]
    assert [r.operation for r in history] == ["create", "get"]
    assert b"<wsse:Password" in history.last_sent and b">p<" not in history.last_sent


def test_options_are_checked_as_for_the_sync_clients() -> None:
    with pytest.raises(InvalidRequest) as wire:
        AsyncApimClient(account_id="a", username="u", password="p", wire="carrier-pigeon")
    assert wire.value.field == "wire"
    with pytest.raises(InvalidRequest) as session:
        AsyncApimClient(account_id="a", username="u", password="p", session=requests.Session())
    assert session.value.field == "session"
    with pytest.raises(InvalidRequest) as retries:
        AsyncPlatformClient(account_id="a", username="u", password="p", retries=-1)
    assert retries.value.field == "retries"
