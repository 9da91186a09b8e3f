"""Per-client request limits (GCRA, a token bucket that stores one timestamp per client).

A client may send `per_minute` requests at once, then one every `60 / per_minute` seconds.
In memory by default (per worker process); in Redis when `redis_url` is set, so that all
workers and servers share one budget per client.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger(__name__)

MAX_TRACKED_CLIENTS = 100_000  # the in-memory table forgets idle clients past this size


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_s: float = 0.0  # when refused: seconds until one more request is allowed

    @property
    def retry_after_header(self) -> str:
        return str(max(1, math.ceil(self.retry_after_s)))


def gcra(tat: float | None, now: float, interval: float, burst: int) -> tuple[Verdict, float]:
    """One request at `now` against a client's theoretical arrival time `tat`.

    Returns the verdict and the new `tat` to store (unchanged when refused).
    """
    tolerance = interval * (burst - 1)
    current = now if tat is None or tat < now else tat
    if current - now > tolerance:
        return Verdict(False, current - now - tolerance), current
    return Verdict(True), current + interval


class RateLimiter(Protocol):
    per_minute: int

    async def hit(self, key: str) -> Verdict: ...

    async def close(self) -> None: ...


class MemoryRateLimiter:
    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.interval = 60.0 / per_minute
        self.clock = clock
        self._tat: dict[str, float] = {}

    async def hit(self, key: str) -> Verdict:
        now = self.clock()
        verdict, tat = gcra(self._tat.get(key), now, self.interval, self.per_minute)
        self._tat[key] = tat
        if len(self._tat) > MAX_TRACKED_CLIENTS:
            self._tat = {k: v for k, v in self._tat.items() if v > now}
        return verdict

    async def close(self) -> None:
        self._tat.clear()


# KEYS[1]: the client's key. ARGV: interval, burst. Redis's own clock, so that every server
# agrees. Returns {allowed (0/1), retry_after_ms}.
GCRA_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = interval * (tonumber(ARGV[2]) - 1)
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if tat - now > tolerance then
  return {0, tat - now - tolerance}
end
local new_tat = tat + interval
redis.call('SET', KEYS[1], new_tat, 'PX', new_tat - now + 1000)
return {1, 0}
"""


class RedisRateLimiter:
    """GCRA in one Lua script. When Redis is unreachable, requests are let through (and
    logged): a broken limiter must not take the service down."""

    def __init__(self, url: str, per_minute: int, *, prefix: str = "assistant:ratelimit:") -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        import redis.asyncio as redis_asyncio

        self.per_minute = per_minute
        self.interval_ms = math.ceil(60_000 / per_minute)
        self.prefix = prefix
        self.client: Any = redis_asyncio.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5
        )
        self._script = self.client.register_script(GCRA_SCRIPT)
        self._failing = False

    async def hit(self, key: str) -> Verdict:
        from redis.exceptions import RedisError

        try:
            allowed, retry_ms = await self._script(
                keys=[self.prefix + key], args=[self.interval_ms, self.per_minute]
            )
        except (RedisError, OSError) as exc:
            if not self._failing:
                log.warning("rate limiter: Redis unavailable, requests not limited: %s", exc)
            self._failing = True
            return Verdict(True)
        self._failing = False
        return Verdict(bool(allowed), int(retry_ms) / 1000)

    async def close(self) -> None:
        await self.client.aclose()


def make_rate_limiter(per_minute: int, redis_url: str = "") -> RateLimiter | None:
    """The limiter the settings ask for; None when limits are off (`per_minute` 0)."""
    if per_minute <= 0:
        return None
    if redis_url:
        return RedisRateLimiter(redis_url, per_minute)
    return MemoryRateLimiter(per_minute)
