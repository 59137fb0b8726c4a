"""Per-account rate budgets: the emulator limits each effective account on its own (503
past it), and the client's limiter keys by the effective account, locally and in Redis."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from boomisoap import RateLimited, RedisRateLimit
from boomisoap.sandbox import Sandbox
from boomisoap.sandbox.ratelimit import RateLimiter

from .conftest import SUB_1, SUB_2, WIRES, partner_client

RATE = 10.0  # the emulator's requests per second per account
REQUESTS = 20


@pytest.fixture
def limited() -> Any:
    options = {"seed_demo": True, "rate_limit": RATE, "provision_delay": 0.0}
    with Sandbox.start(users={"u": "p"}, **options) as sb:
        yield sb


@pytest.mark.parametrize("wire", WIRES)
def test_the_emulator_limits_each_effective_account(limited: Sandbox, wire: str) -> None:
    # A clock that stands still: each account has its burst of 10 and nothing refills.
    limited.app.limiter = RateLimiter(RATE, clock=lambda: 0.0)
    with partner_client(limited, wire, retries=0) as client:
        for account in (SUB_1, SUB_2, None):
            with client.override(account):
                for _ in range(int(RATE)):
                    list(client.plans.query())
                with pytest.raises(RateLimited):
                    list(client.plans.query())
    for account in (SUB_1, SUB_2, limited.account_id):
        assert limited.partner.count(account, 200) == RATE
        assert limited.partner.count(account, 503) == 1


@pytest.mark.parametrize("wire", WIRES)
def test_two_sub_accounts_at_once_each_get_their_own_budget(limited: Sandbox, wire: str) -> None:
    # 8 requests/s per sub-account through one client: 16/s together, above one account's
    # 10, so the emulator answers them all only because each account has its own budget;
    # and the client's limiter keeps each under its 10 (retries off: a 503 would raise).
    failures: list[BaseException] = []
    with partner_client(limited, wire, rate_limit=8.0, retries=0) as client:

        def drive(account: str) -> None:
            try:
                with client.override(account):
                    for _ in range(REQUESTS):
                        list(client.plans.query())
            except BaseException as exc:  # reported below, not lost in the thread
                failures.append(exc)

        threads = [threading.Thread(target=drive, args=(a,)) for a in (SUB_1, SUB_2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    for account in (SUB_1, SUB_2):
        assert limited.partner.count(account, 200) == REQUESTS
        assert limited.partner.count(account, None) == REQUESTS


def test_without_the_client_limiter_the_emulator_answers_503(limited: Sandbox) -> None:
    # The same drive with the client's limiter off overruns the budget: the test above
    # would see it.
    client = partner_client(limited, "rest", rate_limit=None, retries=0)
    with client, client.override(SUB_1), pytest.raises(RateLimited):
        for _ in range(5 * REQUESTS):
            list(client.plans.query())
    assert limited.partner.count(SUB_1, 503) == 1


class _Recording:
    """A limiter (``bucket(host, account)``) that records whom each request was paced for."""

    def __init__(self) -> None:
        self.reserved: list[str] = []
        self.made: list[str] = []

    def bucket(self, host: str, account: str) -> Any:
        self.made.append(account)
        recording = self

        class Bucket:
            def reserve(self) -> float:
                recording.reserved.append(account)
                return 0.0

        return Bucket()


@pytest.mark.parametrize("wire", WIRES)
def test_the_limiter_keys_by_the_effective_account(sandbox: Sandbox, wire: str) -> None:
    limiter = _Recording()
    with partner_client(sandbox, wire, rate_limit=limiter) as client:
        list(client.plans.query())
        with client.override(SUB_1):
            list(client.plans.query())
            with client.override(SUB_2):
                client.accounts.get(SUB_2)
            with client.override(None):
                list(client.plans.query())
    with partner_client(sandbox, wire, rate_limit=limiter, override_account=SUB_2) as client:
        list(client.plans.query())
    own = sandbox.account_id
    assert limiter.reserved[-5:] == [own, SUB_1, SUB_2, own, SUB_2]


def test_the_fleet_limiter_keys_by_the_effective_account(limited: Sandbox) -> None:
    import redis
    from redisserver import redis_server

    with redis_server() as server:
        limit = RedisRateLimit(server.url, rate=RATE)
        with partner_client(limited, "rest", rate_limit=limit) as client:
            for account in (SUB_1, SUB_2):
                with client.override(account):
                    list(client.plans.query())
        with redis.Redis.from_url(server.url) as admin:
            keys = {k.decode() for k in admin.keys("*")}
        limit.close()
    host = limited.base_url.split("//", 1)[1]
    for account in (SUB_1, SUB_2):
        assert any(k.endswith(f"{host}:{account}") for k in keys), keys
    assert not any(k.endswith(f"{host}:{limited.account_id}") for k in keys)
