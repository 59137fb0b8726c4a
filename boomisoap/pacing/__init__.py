"""Client-side pacing: a local bucket per process, or one shared by a fleet through Redis.

``rate_limit`` of every client is turned into the transport's pacer here
(:func:`pacer_for`): a number is a local :class:`~boomisoap.transport.TokenBucket` shared
by the clients of an account in this process; a ``redis://`` URL or a
:class:`RedisRateLimit` is one bucket per account for every process that names the same
Redis (docs/fleet.md); any object with a ``bucket(host, account)`` method is used as given.
"""

from __future__ import annotations

from typing import Protocol, TypeAlias

from ..transport import Pacer, shared_bucket
from .health import RateLimitFallbackWarning
from .shared import RedisBucket, RedisRateLimit


class Limiter(Protocol):
    """A source of pacers, one per account and host (as :class:`RedisRateLimit`)."""

    def bucket(self, host: str, account: str) -> Pacer: ...


RateLimit: TypeAlias = "float | str | Limiter | None"


def pacer_for(rate_limit: float | str | Limiter | None, host: str, account: str) -> Pacer | None:
    """The pacer of a client of ``account`` on ``host`` (checked by options.rate_limit)."""
    if rate_limit is None:
        return None
    if isinstance(rate_limit, int | float):
        return shared_bucket(host, account, float(rate_limit))
    if isinstance(rate_limit, str):
        rate_limit = RedisRateLimit.shared(rate_limit)
    return rate_limit.bucket(host, account)


__all__ = [
    "Limiter",
    "RateLimit",
    "RateLimitFallbackWarning",
    "RedisBucket",
    "RedisRateLimit",
    "pacer_for",
]
