"""Redis unreachable: a warning, a local share of the budget, and the way back to Redis."""

from __future__ import annotations

import logging
import socket
import time
import warnings

import pytest
import redis
from redisserver import RedisServer

from boomisoap.pacing import RateLimitFallbackWarning, RedisRateLimit
from fleet.helpers import account, limiter


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the with ends: nobody listens


def _fallback_waits(limit: RedisRateLimit, name: str, count: int) -> list[float]:
    bucket = limit.bucket("api.test", name)
    return [bucket.reserve() for _ in range(count)]


def test_an_unreachable_redis_paces_locally_at_a_share_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limit = RedisRateLimit(f"redis://127.0.0.1:{_closed_port()}/0", members=4)
    bucket = limit.bucket("api.test", account())
    with (
        caplog.at_level(logging.WARNING, logger="boomisoap"),
        pytest.warns(RateLimitFallbackWarning) as warned,
    ):
        waits = [bucket.reserve() for _ in range(4)]
    # 10/s over 4 members: 2.5/s with a burst of 2.5, never unlimited.
    assert waits[:2] == [0.0, 0.0]
    assert 0 < waits[2] <= 0.5 / 2.5 + 1e-6 and waits[3] > waits[2]
    assert len(warned) == 1
    message = str(warned[0].message)
    assert "ConnectionError" in message and "2.5 requests/s per process" in message
    assert [r.getMessage() for r in caplog.records if r.name == "boomisoap"] == [message]
    assert limit.health.down


def test_the_warning_never_shows_the_password() -> None:
    limit = RedisRateLimit(f"redis://:pw-hunter2@127.0.0.1:{_closed_port()}/0")
    with pytest.warns(RateLimitFallbackWarning) as warned:
        limit.bucket("api.test", account()).reserve()
    assert "hunter2" not in str(warned[0].message)
    assert f"redis://127.0.0.1:{limit.where.rsplit(':', 1)[1]}" in str(warned[0].message)


def test_redis_stopped_mid_run_then_back(
    redis_srv: RedisServer, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    limit = limiter(redis_url, rate=10, members=5, probe_interval=0.2)
    bucket = limit.bucket("api.test", account())
    assert bucket.reserve() == 0.0  # from Redis
    with redis.Redis.from_url(redis_url) as admin:
        assert admin.exists(bucket.key)
    redis_srv.stop()
    with pytest.warns(RateLimitFallbackWarning) as warned:
        # 10/s over 5 members: 2/s, a burst of 2, and no second warning.
        waits = [bucket.reserve() for _ in range(3)]
        bucket.penalize(1.0)  # nothing to tell while Redis is away
    assert len(warned) == 1
    assert waits[:2] == [0.0, 0.0] and 0 < waits[2] <= 0.5 + 1e-6
    redis_srv.start()
    with caplog.at_level(logging.INFO, logger="boomisoap"):
        deadline = time.monotonic() + 10
        while limit.health.down and time.monotonic() < deadline:
            time.sleep(0.25)  # past the probe interval: the next call probes
            bucket.reserve()
    assert not limit.health.down
    assert any("answers again" in r.getMessage() for r in caplog.records)
    with redis.Redis.from_url(redis_url) as admin:
        assert admin.exists(bucket.key)  # the bucket is in Redis again
    # A second outage warns again.
    redis_srv.stop()
    with pytest.warns(RateLimitFallbackWarning):
        bucket.reserve()


def test_during_an_outage_only_one_caller_per_interval_probes() -> None:
    limit = RedisRateLimit(f"redis://127.0.0.1:{_closed_port()}/0", probe_interval=3600)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RateLimitFallbackWarning)
        _fallback_waits(limit, account(), 1)
    assert limit.health.down
    assert not limit.health.may_try()  # the others keep to the local share meanwhile
