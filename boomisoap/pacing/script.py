"""The shared bucket's Lua script and the pure halves of a call to it.

The bucket is kept as one number per key, the *theoretical arrival time* (TAT, in
microseconds of the Redis server's clock) of the generic cell rate algorithm: a token
bucket of ``burst`` tokens refilled at ``rate`` per second is the same thing as "the next
request may go at ``TAT - burst * interval``". One number means one GET and one SET, done
atomically by the script, and no refill arithmetic to keep in step between hosts.

The clock is ``redis.call('TIME')``: every member of a fleet reads the same clock, so the
hosts' own clocks (skewed, stepped by NTP) never enter the decision. Scripts that call
TIME before writing are replicated by effects, the default since Redis 5.

The I/O-free halves (:func:`reserve_args`, :func:`penalty_args`, :func:`wait_of`) are
shared by the sync and async drivers, which only send the call.
"""

from __future__ import annotations

import hashlib
import math

# KEYS[1]: the bucket. ARGV[1]: microseconds per token (1e6 / rate); ARGV[2]: the burst
# in tokens; ARGV[3]: 0 to take a token, else a penalty in microseconds.
# Returns the microseconds the caller must wait before using its token (0 for a penalty).
LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local penalty = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or 0)
if tat < now then
  tat = now
end
local wait = 0
if penalty > 0 then
  -- Empty the bucket and refill nothing for `penalty`: every member waits it out.
  local floor = now + burst * interval + penalty
  if floor > tat then
    tat = floor
  end
else
  tat = tat + interval
  wait = tat - burst * interval - now
  if wait < 0 then
    wait = 0
  end
end
-- Gone once full again: an idle account leaves nothing behind.
redis.call('SET', KEYS[1], string.format('%d', tat), 'PX',
  math.floor((tat - now) / 1000) + 1000)
return wait
"""
SHA1 = hashlib.sha1(LUA.encode()).hexdigest()


def interval_of(rate: float) -> int:
    """Microseconds per token; at least 1."""
    return max(1, round(1_000_000 / rate))


def burst_of(burst: float) -> int:
    return max(1, math.floor(burst))


def reserve_args(rate: float, burst: float) -> tuple[int, int, int]:
    """ARGV of a call that takes one token."""
    return (interval_of(rate), burst_of(burst), 0)


def penalty_args(rate: float, burst: float, seconds: float) -> tuple[int, int, int]:
    """ARGV of a call that empties the bucket and holds it empty for ``seconds``."""
    return (interval_of(rate), burst_of(burst), max(1, round(seconds * 1_000_000)))


def wait_of(reply: object) -> float:
    """The script's answer in seconds."""
    if isinstance(reply, bytes):
        reply = reply.decode()
    if isinstance(reply, bool) or not isinstance(reply, int | str):
        raise ValueError(f"unexpected answer from the rate-limit script: {type(reply).__name__}")
    return max(0, int(reply)) / 1_000_000
