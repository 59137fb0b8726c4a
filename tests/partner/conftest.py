"""Fixtures of the Partner API tests: a sandbox whose account is a partner (seed_demo's
hierarchy: its seeded child accounts below it, other-partner with other-sub-1 beside it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from boomisoap import PartnerClient
from boomisoap.sandbox import Sandbox

WIRES = ("soap", "rest")
# Two of the partner's sub-accounts in the demo hierarchy (boomisoap.sandbox.seed).
SUB_1 = "child-00001"
SUB_2 = "child-00002"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox.start(
        users={"u": "p"}, seed_demo=True, rate_limit=None, provision_delay=0.2
    ) as sb:
        yield sb


def partner_client(sandbox: Sandbox, wire: str, **options: Any) -> PartnerClient:
    options.setdefault("rate_limit", None)
    return PartnerClient(
        account_id=sandbox.account_id,
        username="u",
        password="p",
        base_url=sandbox.base_url,
        wire=wire,
        **options,
    )


@pytest.fixture(params=WIRES)
def partner(request: pytest.FixtureRequest, sandbox: Sandbox) -> Iterator[PartnerClient]:
    with partner_client(sandbox, request.param) as client:
        yield client
