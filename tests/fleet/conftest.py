"""Fixtures of the fleet tests: a throwaway Redis server per module, emptied per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redisserver import RedisServer, redis_server


@pytest.fixture(scope="module")
def redis_srv() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture
def redis_url(redis_srv: RedisServer) -> Iterator[str]:
    import redis

    if redis_srv.process is None:  # a test stopped it
        redis_srv.start()
    with redis.Redis.from_url(redis_srv.url) as admin:
        admin.flushall()
        admin.script_flush()
    yield redis_srv.url
