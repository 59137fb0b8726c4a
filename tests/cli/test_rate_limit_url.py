"""``--rate-limit`` (and ``BOOMISOAP_RATE_LIMIT``, a profile's ``rate_limit``) take a Redis URL,
as the clients' ``rate_limit=`` does: the command then draws from the account's shared bucket
in a throwaway Redis server, against the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from redisserver import RedisServer, redis_server

from boomisoap import PlatformClient
from boomisoap.config import settings_from_env
from boomisoap.pacing import RedisBucket
from boomisoap.sandbox import Sandbox

from .conftest import Cli, Secrets
from .test_bad_input import one_error_line

# Slow enough that the bucket's key outlives the test (it expires once the bucket is full
# again), with room for the few requests of one command.
BUDGET = "?rate=0.01&burst=5"


@pytest.fixture(scope="module")
def redis_srv() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture
def redis_url(redis_srv: RedisServer) -> str:
    import redis

    with redis.Redis.from_url(redis_srv.url) as admin:
        admin.flushall()
    return redis_srv.url


def _keys(url: str) -> list[str]:
    import redis

    with redis.Redis.from_url(url) as admin:
        return sorted(k.decode() for k in admin.keys("*"))


def _bucket_key(sandbox: Sandbox) -> str:
    return f"boomisoap:rate:{urlsplit(sandbox.base_url).netloc}:{sandbox.account_id}"


def test_the_option_takes_a_redis_url(run: Cli, demo: Sandbox, redis_url: str) -> None:
    done = run("--rate-limit", redis_url + BUDGET, "plans", "list", "-o", "json")
    assert '"name": "v"' in done.stdout
    assert _keys(redis_url) == [_bucket_key(demo)]


def test_a_number_still_paces_locally(run: Cli, redis_url: str) -> None:
    run("--rate-limit", "50", "plans", "list")
    assert _keys(redis_url) == []


def test_the_environment_variable_takes_one(run: Cli, demo: Sandbox, redis_url: str) -> None:
    run.script("accounts", "list", env={"BOOMISOAP_RATE_LIMIT": redis_url + BUDGET})
    assert _keys(redis_url) == [_bucket_key(demo)]


def test_a_profile_takes_one(run: Cli, demo: Sandbox, redis_url: str, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[default]\nrate_limit = "{redis_url}{BUDGET}"\n', "utf-8")
    config.chmod(0o600)
    run("plans", "list", env={"BOOMISOAP_CONFIG": str(config), "BOOMISOAP_RATE_LIMIT": None})
    assert _keys(redis_url) == [_bucket_key(demo)]


def test_from_env_reads_the_same_setting(demo: Sandbox, redis_url: str, tmp_path: Path) -> None:
    environ = {
        "BOOMI_ACCOUNT_ID": demo.account_id,
        "BOOMI_USERNAME": "u",
        "BOOMI_PASSWORD": "p",
        "BOOMI_BASE_URL": demo.base_url,
        "BOOMISOAP_RATE_LIMIT": redis_url + BUDGET,
        "XDG_CONFIG_HOME": str(tmp_path),
    }
    assert settings_from_env(environ=environ).rate_limit == redis_url + BUDGET
    with PlatformClient.from_env(environ=environ) as platform:
        assert isinstance(platform.transport.bucket, RedisBucket)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ftp://:pw-Rl8-url-secret@cache:6379/0", "must be a redis://, rediss:// or unix:// URL"),
        ("redis:/:pw-Rl8-url-secret@cache", "must be a redis://, rediss:// or unix:// URL"),
        ("fast", "'fast' is not a valid float range"),
        ("-3", "-3.0 is not in the range x>=0"),
    ],
)
def test_bad_values_are_usage_errors(run: Cli, secrets: Secrets, value: str, expected: str) -> None:
    secrets.add("pw-Rl8-url-secret")  # a URL's password is never shown
    done = run.script("--rate-limit", value, "plans", "list", expect=2)
    assert expected in one_error_line(done)


def test_a_bad_url_in_the_environment_is_not_quoted(run: Cli, secrets: Secrets) -> None:
    secrets.add("pw-Rl8-env-secret")
    env = {"BOOMISOAP_RATE_LIMIT": "ftp://:pw-Rl8-env-secret@cache/0"}
    done = run.script("plans", "list", env=env, expect=2)
    assert "must be a redis://, rediss:// or unix:// URL" in one_error_line(done)
