"""One token bucket per account in Redis, drawn from by every process of a fleet.

:class:`RedisRateLimit` holds the connection and the settings; :meth:`RedisRateLimit.bucket`
gives the :class:`RedisBucket` of one account on one host. A bucket decides nothing
itself: the script (:mod:`.script`) does, atomically, on the Redis server's clock. The
bucket only drives the call, synchronously (:meth:`RedisBucket.reserve`, for the
transports of today) or without blocking an event loop (:meth:`RedisBucket.reserve_async`).
"""

from __future__ import annotations

import importlib.util
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .. import options
from ..errors import InvalidRequest
from ..transport import TokenBucket, shared_bucket
from . import script
from .health import Health

if TYPE_CHECKING:  # asyncio costs ~12 ms to import; only the async driver needs it
    import asyncio

DEFAULT_RATE = 10.0  # Boomi's limit: requests per second per account
DEFAULT_MEMBERS = 8
DEFAULT_TIMEOUT = 0.5  # seconds to connect to / hear from Redis before falling back
DEFAULT_PROBE_INTERVAL = 1.0
DEFAULT_PREFIX = "boomisoap:rate:"
SCHEMES = ("redis", "rediss", "unix")
# Settings of ours in the URL's query; the rest is for redis-py (``socket_timeout`` ...).
_OWN = ("rate", "burst", "members", "probe_interval", "prefix")
_FIELD = "rate_limit"
T = TypeVar("T")


def _fail(reason: str) -> InvalidRequest:
    return InvalidRequest(f"{_FIELD} {reason}", field=_FIELD)


def _checked(check: Callable[..., T], name: str, *args: Any, **kwargs: Any) -> T:
    """An options check of one setting, reported as the ``rate_limit`` option."""
    try:
        return check(f"{_FIELD} {name}", *args, **kwargs)
    except InvalidRequest as exc:
        raise InvalidRequest(exc.message, field=_FIELD) from None


def check_url(url: str) -> str:
    """A redis://, rediss:// or unix:// URL; the message never quotes it (passwords)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in SCHEMES:
        raise _fail("must be a redis://, rediss:// or unix:// URL")
    if importlib.util.find_spec("redis") is None:
        raise _fail("is a Redis URL: install the redis extra (pip install 'boomisoap[redis]')")
    return url


def redacted(url: str) -> str:
    """``url`` without its user and password, for messages and reprs."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class RedisRateLimit:
    """A rate budget per account shared through Redis (docs/fleet.md).

    ``rate`` requests per second per account (default 10, Boomi's limit), with a burst of
    ``burst`` (default half a second's worth: the headroom for the time between taking a
    token and the request reaching the service). While Redis is unreachable each process
    paces locally at ``rate / members`` and warns once; it goes back to Redis as soon as a
    probe (at most one per ``probe_interval`` seconds) succeeds. Every setting may also
    be given in the URL's query: ``redis://host:6379/0?rate=10&members=4``.
    """

    def __init__(
        self,
        url: str,
        *,
        rate: float | None = None,
        burst: float | None = None,
        members: int | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        probe_interval: float | None = None,
        prefix: str | None = None,
    ) -> None:
        url = check_url(_checked(options.text, "url", url, secret=True))
        parts = urlsplit(url)
        ours: dict[str, str] = {}
        theirs: list[tuple[str, str]] = []
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            if name in _OWN:
                ours[name] = value
            else:
                theirs.append((name, value))
        given = {
            "rate": rate,
            "burst": burst,
            "members": members,
            "probe_interval": probe_interval,
            "prefix": prefix,
        }
        for name in ours:
            if given[name] is not None:
                raise _fail(f"gives {name} both in the URL and as an argument")
        self.rate = _number("rate", rate, ours.get("rate"), DEFAULT_RATE)
        self.burst = _number("burst", burst, ours.get("burst"), max(1.0, self.rate / 2))
        if self.burst < 1:
            raise _fail(f"burst must be at least 1, got {self.burst!r}")
        self.members = _members(members, ours.get("members"))
        self.probe_interval = _number(
            "probe_interval", probe_interval, ours.get("probe_interval"), DEFAULT_PROBE_INTERVAL
        )
        self.timeout = _checked(options.positive_number, "timeout", timeout)
        self.prefix = _checked(
            options.text, "prefix", prefix or ours.get("prefix") or DEFAULT_PREFIX, header=True
        )
        self._url = urlunsplit(parts._replace(query=urlencode(theirs)))
        self.where = redacted(url)
        self.health = Health(self._describe_fallback, self.probe_interval)
        self._lock = threading.Lock()
        self._client: Any = None
        self._async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )

    _shared: dict[str, RedisRateLimit] = {}
    _shared_lock = threading.Lock()

    @classmethod
    def shared(cls, url: str) -> RedisRateLimit:
        """The limiter of ``url`` in this process: clients given the same URL share one."""
        with cls._shared_lock:
            limiter = cls._shared.get(url)
            if limiter is None:
                limiter = cls._shared[url] = cls(url)
            return limiter

    @property
    def fallback_rate(self) -> float:
        """Requests per second per process while Redis is unreachable."""
        return self.rate / self.members

    def bucket(self, host: str, account: str) -> RedisBucket:
        """The shared bucket of ``account`` on ``host`` (a base URL's host[:port])."""
        return RedisBucket(self, host, account)

    def close(self) -> None:
        """Close the synchronous connection pool (a later call reconnects)."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    async def aclose(self) -> None:
        """Close the connection pool of the running event loop."""
        import asyncio

        client = self._async_clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()

    def __repr__(self) -> str:
        return (
            f"RedisRateLimit({self.where!r}, rate={self.rate}, burst={self.burst}, "
            f"members={self.members})"
        )

    # drivers -----------------------------------------------------------------------------

    def _describe_fallback(self) -> str:
        return (
            f"{self.where}: pacing locally at {self.fallback_rate:g} requests/s per process "
            f"(rate {self.rate:g} / members {self.members})"
        )

    def _connection_options(self) -> dict[str, Any]:
        # Fail fast: the fallback is the retry, and a blocked request waits meanwhile.
        return {
            "socket_timeout": self.timeout,
            "socket_connect_timeout": self.timeout,
        }

    def _sync(self) -> Any:
        with self._lock:
            if self._client is None:
                import redis
                from redis.backoff import NoBackoff
                from redis.retry import Retry

                self._client = redis.Redis.from_url(
                    self._url, retry=Retry(NoBackoff(), 0), **self._connection_options()
                )
            return self._client

    def _async(self) -> Any:
        import asyncio

        loop = asyncio.get_running_loop()
        client = self._async_clients.get(loop)
        if client is None:
            import redis.asyncio
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff

            client = redis.asyncio.Redis.from_url(
                self._url, retry=Retry(NoBackoff(), 0), **self._connection_options()
            )
            self._async_clients[loop] = client
        return client

    def call(self, key: str, args: tuple[int, int, int]) -> float:
        """Run the script for ``key`` (EVALSHA, EVAL when the server lacks it)."""
        from redis.exceptions import NoScriptError

        client = self._sync()
        try:
            reply = client.evalsha(script.SHA1, 1, key, *args)
        except NoScriptError:
            reply = client.eval(script.LUA, 1, key, *args)
        return script.wait_of(reply)

    async def call_async(self, key: str, args: tuple[int, int, int]) -> float:
        from redis.exceptions import NoScriptError

        client = self._async()
        try:
            reply = await client.evalsha(script.SHA1, 1, key, *args)
        except NoScriptError:
            reply = await client.eval(script.LUA, 1, key, *args)
        return script.wait_of(reply)


class RedisBucket:
    """The shared bucket of one account: what a transport's pacing calls."""

    def __init__(self, limit: RedisRateLimit, host: str, account: str) -> None:
        self.limit = limit
        self.key = f"{limit.prefix}{host}:{account}"
        # One local bucket per account and process, for the outages.
        self.fallback: TokenBucket = shared_bucket(
            host, f"{account} (Redis fallback)", limit.fallback_rate
        )

    def reserve(self) -> float:
        """Take one token; return how long the caller must wait before using it."""
        if self.limit.health.may_try():
            with self._tried():
                return self.limit.call(self.key, self._reserve_args())
        return self.fallback.reserve()

    async def reserve_async(self) -> float:
        """:meth:`reserve` without blocking the event loop."""
        if self.limit.health.may_try():
            with self._tried():
                return await self.limit.call_async(self.key, self._reserve_args())
        return self.fallback.reserve()

    @contextmanager
    def _tried(self) -> Iterator[None]:
        """Around one call to Redis: its outcome told to the health, a Redis error
        swallowed (the caller then takes its token from the local fallback)."""
        from redis.exceptions import RedisError

        try:
            yield
        except RedisError as exc:
            self.limit.health.failed(exc)
        else:
            self.limit.health.succeeded()

    def penalize(self, seconds: float) -> None:
        """The service answered 503: empty the bucket and hold it empty for ``seconds``."""
        from redis.exceptions import RedisError

        if self.limit.health.may_try():
            try:
                self.limit.call(self.key, self._penalty_args(seconds))
            except RedisError as exc:
                self.limit.health.failed(exc)

    async def penalize_async(self, seconds: float) -> None:
        from redis.exceptions import RedisError

        if self.limit.health.may_try():
            try:
                await self.limit.call_async(self.key, self._penalty_args(seconds))
            except RedisError as exc:
                self.limit.health.failed(exc)

    def _reserve_args(self) -> tuple[int, int, int]:
        return script.reserve_args(self.limit.rate, self.limit.burst)

    def _penalty_args(self, seconds: float) -> tuple[int, int, int]:
        return script.penalty_args(self.limit.rate, self.limit.burst, seconds)

    def __repr__(self) -> str:
        return f"RedisBucket({self.limit.where!r}, key={self.key!r})"


def _number(name: str, given: float | None, in_url: str | None, default: float) -> float:
    if given is not None:
        return _checked(options.positive_number, name, given)
    if in_url is None:
        return default
    try:
        value = float(in_url)
    except ValueError:
        raise _fail(f"{name} must be a number, got {in_url!r}") from None
    return _checked(options.positive_number, name, value)


def _members(given: int | None, in_url: str | None) -> int:
    if given is None:
        if in_url is None:
            return DEFAULT_MEMBERS
        if not in_url.isdigit():
            raise _fail(f"members must be an integer, got {in_url!r}")
        given = int(in_url)
    members: int = _checked(options.count, "members", given, maximum=100_000)
    if members < 1:
        raise _fail("members must be at least 1, got 0")
    return members
