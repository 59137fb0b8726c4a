"""The clients' ``rate_limit`` with a Redis URL or a limiter, against Redis and the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from boomisoap import ApimClient, InvalidRequest, PlatformClient, RateLimited
from boomisoap.pacing import RedisBucket, RedisRateLimit
from boomisoap.rest.mft import MftClient
from boomisoap.sandbox import Sandbox
from fleet.helpers import account

GOOD = {"account_id": "acct-1", "username": "u", "password": "p", "base_url": "http://h:81"}


@pytest.fixture
def limited() -> Iterator[Sandbox]:
    """An emulator allowing one request per second per account: the second one is a 503."""
    with Sandbox.start(users={"u": "p"}, rate_limit=1.0) as sandbox:
        yield sandbox


@pytest.mark.parametrize("cls", [ApimClient, PlatformClient])
def test_a_redis_url_gives_the_client_the_accounts_shared_bucket(cls: Any, redis_url: str) -> None:
    with cls(**GOOD, rate_limit=redis_url + "?rate=4") as client:
        bucket = client.transport.bucket
        assert isinstance(bucket, RedisBucket)
        assert bucket.key == "boomisoap:rate:h:81:acct-1"
        assert bucket.limit.rate == 4.0
    with cls(**GOOD, rate_limit=redis_url + "?rate=4") as again:
        assert again.transport.bucket.limit is bucket.limit  # one pool per URL and process


def test_the_mft_client_is_keyed_without_its_api_key(redis_url: str) -> None:
    with MftClient(base_url="http://h", api_key="mft-Secret-key", rate_limit=redis_url) as mft:
        bucket = mft.transport.bucket
        assert isinstance(bucket, RedisBucket)
        assert bucket.key.startswith("boomisoap:rate:h:mft:")
        assert "mft-Secret-key" not in bucket.key


def test_a_limiter_object_is_used_as_given(redis_url: str) -> None:
    limit = RedisRateLimit(redis_url, rate=2)
    name = account()
    with (
        ApimClient(**{**GOOD, "account_id": name}, rate_limit=limit) as apim,
        PlatformClient(**{**GOOD, "account_id": name}, rate_limit=limit) as platform,
    ):
        assert apim.transport.bucket.limit is limit
        # APIM and Platform of one account draw from one budget, as Boomi counts them.
        assert apim.transport.bucket.key == platform.transport.bucket.key


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10", "redis://"),
        ("http://cache:6379/0", "redis://"),
        ("redis://:pw-Secret@cache:6379/0?rate=fast", "rate must be a number"),
        ("redis://cache:6379/0\r\nX: 1", "control character"),
        (object(), "got object"),
        (0, "above 0"),
    ],
)
def test_a_bad_rate_limit_is_refused_at_construction(value: Any, message: str) -> None:
    for make in (
        lambda: ApimClient(**GOOD, rate_limit=value),
        lambda: MftClient(base_url="http://h", api_key="k", rate_limit=value),
    ):
        with pytest.raises(InvalidRequest) as caught:
            make()
        assert caught.value.field == "rate_limit"
        assert message in caught.value.message
        assert "pw-Secret" not in str(caught.value) + repr(caught.value)


def test_a_503_penalises_the_shared_bucket(redis_url: str, limited: Sandbox) -> None:
    # The client's budget is far above the emulator's: only the 503 can make it wait.
    limit = RedisRateLimit(redis_url, rate=100, burst=100)
    options = dict(
        account_id=limited.account_id,
        username="u",
        password="p",
        base_url=limited.base_url,
        retries=0,
    )
    with PlatformClient(**options, rate_limit=limit) as platform:
        platform.accounts.get(limited.account_id)
        with pytest.raises(RateLimited):
            platform.accounts.get(limited.account_id)
        # Every member sees the penalty: another process's bucket of the same account waits.
        other = RedisRateLimit(redis_url, rate=100, burst=100)
        bucket = other.bucket(urlsplit(limited.base_url).netloc, limited.account_id)
        assert bucket.key == platform.transport.bucket.key
        assert bucket.reserve() > 0


def test_without_a_503_the_shared_bucket_owes_nothing(redis_url: str) -> None:
    # The other half of the penalty test: the same calls within the budget leave no wait.
    with Sandbox.start(users={"u": "p"}, rate_limit=None) as sandbox:
        limit = RedisRateLimit(redis_url, rate=100, burst=100)
        options = dict(
            account_id=sandbox.account_id,
            username="u",
            password="p",
            base_url=sandbox.base_url,
            retries=0,
        )
        with PlatformClient(**options, rate_limit=limit) as platform:
            for _ in range(2):
                platform.accounts.get(sandbox.account_id)
            assert platform.transport.bucket.reserve() == 0.0


def test_a_redis_url_without_the_redis_package_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "redis" else real(name, *a)
    )
    with pytest.raises(InvalidRequest) as caught:
        ApimClient(**GOOD, rate_limit="redis://cache:6379/0")
    assert caught.value.field == "rate_limit"
    assert "pip install 'boomisoap[redis]'" in caught.value.message


def test_the_library_imports_without_the_redis_package() -> None:
    import subprocess
    import sys

    # A finder that refuses redis: what an install without the extra sees.
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'redis' or name.startswith('redis.'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import boomisoap\n"
        "with boomisoap.ApimClient(account_id='a', username='u', password='p',\n"
        "                          base_url='http://h') as c:\n"
        "    print(type(c.transport.bucket).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "TokenBucket"
