"""The Redis bucket's script against a real Redis: burst, refill, penalty, server clock.

A wait can only shrink while time passes, so each check bounds it from above by the
exact value and from below by that value less the time the test has taken so far.
"""

from __future__ import annotations

import asyncio
import time

import pytest
import redis

from boomisoap import InvalidRequest
from boomisoap.pacing import RedisRateLimit, script
from fleet.helpers import INTERVAL, Stopwatch, account, limiter, server_now_us, stored_tat


def test_the_burst_is_free_then_each_token_waits_one_interval(redis_url: str) -> None:
    bucket = limiter(redis_url, rate=10, burst=5).bucket("api.test", account())
    watch = Stopwatch()
    waits = [bucket.reserve() for _ in range(8)]
    assert waits[:5] == [0.0] * 5
    for extra, wait in enumerate(waits[5:], start=1):
        assert extra * INTERVAL - watch.elapsed() <= wait <= extra * INTERVAL + 1e-6


def test_the_default_burst_is_half_a_second_of_the_rate(redis_url: str) -> None:
    limit = limiter(redis_url)
    assert (limit.rate, limit.burst, limit.members) == (10.0, 5.0, 8)
    bucket = limit.bucket("api.test", account())
    waits = [bucket.reserve() for _ in range(6)]
    assert waits[:5] == [0.0] * 5 and waits[5] > 0


def test_the_bucket_refills_at_the_rate(redis_url: str) -> None:
    bucket = limiter(redis_url, rate=10, burst=3).bucket("api.test", account())
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.reserve() > 0  # empty, one token owed
    time.sleep(0.1 + 3 * INTERVAL)  # the debt, then three tokens (longer only refills more)
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.reserve() > 0  # never more than the burst


def test_a_penalty_empties_the_bucket_and_holds_it_empty(redis_url: str) -> None:
    bucket = limiter(redis_url, rate=10, burst=5).bucket("api.test", account())
    watch = Stopwatch()
    bucket.penalize(2.0)
    wait = bucket.reserve()
    assert 2.0 + INTERVAL - watch.elapsed() <= wait <= 2.0 + INTERVAL + 1e-6


def test_penalties_do_not_add_up_and_never_shorten_a_wait(redis_url: str) -> None:
    bucket = limiter(redis_url, rate=10, burst=5).bucket("api.test", account())
    for _ in range(10):  # 32 threads hearing 503 at once must not stop the fleet for long
        bucket.penalize(1.0)
    assert bucket.reserve() <= 1.0 + INTERVAL + 1e-6
    for _ in range(40):
        bucket.reserve()  # four seconds of debt
    watch = Stopwatch()
    bucket.penalize(0.5)
    assert bucket.reserve() >= 41 * INTERVAL - 5 * INTERVAL - watch.elapsed() - 1.0


def test_the_clock_is_the_redis_servers(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A host whose clock is a day ahead decides exactly as one on time.
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 86_400)
    bucket = limiter(redis_url, rate=10, burst=2).bucket("api.test", account())
    before = server_now_us(redis_url)
    assert [bucket.reserve(), bucket.reserve()] == [0.0, 0.0]
    assert bucket.reserve() > 0
    after = server_now_us(redis_url)
    # The bucket's state is a time on the server's clock: now + the three tokens taken.
    tat = stored_tat(redis_url, bucket.key)
    assert before + 3 * 100_000 <= tat <= after + 3 * 100_000


def test_clients_of_one_account_share_the_bucket_others_do_not(redis_url: str) -> None:
    name = account()
    # Two limiters stand for two processes: separate connections, one key.
    first = limiter(redis_url, rate=10, burst=2).bucket("api.test", name)
    second = limiter(redis_url, rate=10, burst=2).bucket("api.test", name)
    assert [first.reserve(), second.reserve()] == [0.0, 0.0]
    assert second.reserve() > 0 and first.reserve() > 0
    other_account = limiter(redis_url, rate=10, burst=2).bucket("api.test", account())
    other_host = limiter(redis_url, rate=10, burst=2).bucket("api.other", name)
    assert other_account.reserve() == 0.0 and other_host.reserve() == 0.0
    assert first.key == f"boomisoap:rate:api.test:{name}"


def test_an_idle_bucket_expires(redis_url: str) -> None:
    bucket = limiter(redis_url, rate=10, burst=5).bucket("api.test", account())
    for _ in range(5):
        bucket.reserve()
    with redis.Redis.from_url(redis_url) as admin:
        ttl = admin.pttl(bucket.key)
    assert 0 < ttl <= 5 * 100 + 1000  # refilled, plus a second


def test_evalsha_falls_back_to_eval_when_the_server_lacks_the_script(redis_url: str) -> None:
    bucket = limiter(redis_url).bucket("api.test", account())
    with redis.Redis.from_url(redis_url) as admin:
        admin.script_flush()
        assert admin.script_exists(script.SHA1) == [False]
        assert bucket.reserve() == 0.0
        assert admin.script_exists(script.SHA1) == [True]  # EVAL cached it
    assert bucket.reserve() == 0.0


def test_the_async_driver_draws_from_the_same_bucket(redis_url: str) -> None:
    limit = limiter(redis_url, rate=10, burst=3)
    bucket = limit.bucket("api.test", account())

    async def draw() -> list[float]:
        try:
            waits = [await bucket.reserve_async() for _ in range(2)]
            await bucket.penalize_async(1.0)
            return waits
        finally:
            await limit.aclose()

    assert asyncio.run(draw()) == [0.0, 0.0]
    assert bucket.reserve() > 1.0  # the async penalty holds the sync caller too


def test_settings_come_from_the_url_query(redis_url: str) -> None:
    limit = RedisRateLimit(redis_url + "?rate=4&burst=2&members=2&socket_keepalive=true")
    assert (limit.rate, limit.burst, limit.members, limit.fallback_rate) == (4.0, 2.0, 2, 2.0)
    bucket = limit.bucket("api.test", account())
    assert [bucket.reserve(), bucket.reserve()] == [0.0, 0.0]
    assert 0 < bucket.reserve() <= 0.25 + 1e-6


@pytest.mark.parametrize(
    ("url", "settings", "message"),
    [
        ("http://h:6379/0", {}, "redis://"),
        ("redis://h:6379/0?rate=x", {}, "rate must be a number"),
        ("redis://h:6379/0?rate=0", {}, "above 0"),
        ("redis://h:6379/0?rate=5", {"rate": 5}, "both in the URL and as an argument"),
        ("redis://h:6379/0", {"burst": 0.5}, "burst must be at least 1"),
        ("redis://h:6379/0?members=0", {}, "members must be at least 1"),
        ("redis://h:6379/0", {"members": "4"}, "members must be an integer"),
    ],
)
def test_bad_settings_are_refused_by_name(
    url: str, settings: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        limiter(url, **settings)
    assert caught.value.field == "rate_limit"
    assert message in caught.value.message


def test_the_password_of_the_url_is_never_shown() -> None:
    limit = RedisRateLimit("redis://user:hunter2-secret@cache.internal:6380/1")
    assert "hunter2" not in repr(limit) and "hunter2" not in repr(limit.bucket("h", "a"))
    assert limit.where == "redis://cache.internal:6380/1"
    with pytest.raises(InvalidRequest) as caught:
        RedisRateLimit("redis://user:hunter2-secret@cache.internal:6380/1?rate=oops")
    assert "hunter2" not in str(caught.value)
