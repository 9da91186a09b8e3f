"""A small job queue on one Redis stream (docs/decisions/0013-background-jobs.md).

    queue = JobQueue(url, stream="assistant:jobs")
    await queue.enqueue("zalo", event)                 # in the webhook, before its 200
    await queue.consume(handlers, consumer="w1", stop=stop_event)   # in `assistant worker`

Workers read through one consumer group (`XREADGROUP`) and acknowledge a job only after it
is done (`XACK`). A job whose worker died (or hung) is taken over by another worker after the
visibility timeout (`XAUTOCLAIM`). Each delivery counts as an attempt; a job past
`max_attempts` is moved to the dead-letter stream `<stream>:dead` instead of looping forever.

Personal data: a payload is the platform event, which holds the citizen's text (needed to
answer). It is not kept: an acknowledged job is deleted from the stream (`XDEL`), the stream
is capped (`MAXLEN ~`), and the dead-letter stream is capped too (`DEAD_MAXLEN`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import redis.asyncio as redis_asyncio
from redis.exceptions import RedisError, ResponseError

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[None]]

GROUP = "workers"
MAXLEN = 100_000  # jobs waiting at most (approximate trim); older ones are dropped
DEAD_MAXLEN = 1_000


class QueueUnavailable(Exception):
    """Redis could not take the job (down, or timing out)."""


class JobQueue:
    def __init__(
        self,
        url: str,
        *,
        stream: str = "assistant:jobs",
        visibility_timeout_s: float = 60.0,
        max_attempts: int = 3,
        block_ms: int = 500,
    ) -> None:
        self.stream = stream
        self.dead_stream = stream + ":dead"
        self.visibility_ms = max(1, int(visibility_timeout_s * 1000))
        self.max_attempts = max_attempts
        self.block_ms = block_ms
        self.client: Any = redis_asyncio.from_url(
            url, socket_timeout=max(2.0, block_ms / 1000 + 1.0), socket_connect_timeout=1.0
        )
        self._group_ready = False

    async def close(self) -> None:
        await self.client.aclose()

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            await self.client.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def enqueue(self, kind: str, payload: Mapping[str, Any]) -> str:
        """Queue one job; raises QueueUnavailable when Redis does not take it."""
        data = json.dumps({"kind": kind, "payload": payload}, ensure_ascii=False)
        try:
            await self._ensure_group()
            job_id = await self.client.xadd(
                self.stream, {"job": data}, maxlen=MAXLEN, approximate=True
            )
        except (RedisError, OSError) as exc:
            self._group_ready = False
            raise QueueUnavailable(str(exc)) from exc
        return job_id.decode() if isinstance(job_id, bytes) else str(job_id)

    async def pending(self) -> int:
        """Jobs delivered to a worker and not yet acknowledged."""
        await self._ensure_group()
        info = await self.client.xpending(self.stream, GROUP)
        return int(info["pending"])

    async def dead(self) -> list[dict[str, Any]]:
        rows = await self.client.xrange(self.dead_stream)
        return [json.loads(fields[b"job"]) for _id, fields in rows]

    async def _next(self, consumer: str) -> tuple[str, bytes] | None:
        """A job to work on: first one a dead consumer left behind, else a new one."""
        await self._ensure_group()
        _cursor, claimed, *_ = await self.client.xautoclaim(
            self.stream, GROUP, consumer, min_idle_time=self.visibility_ms, start_id="0", count=1
        )
        for job_id, fields in claimed:
            if fields:  # None when the entry was trimmed meanwhile
                return job_id.decode(), fields[b"job"]
            await self.client.xack(self.stream, GROUP, job_id)
        rows = await self.client.xreadgroup(
            GROUP, consumer, {self.stream: ">"}, count=1, block=self.block_ms
        )
        for _stream, entries in rows or []:
            for job_id, fields in entries:
                return job_id.decode(), fields[b"job"]
        return None

    async def _attempts(self, job_id: str) -> int:
        rows = await self.client.xpending_range(self.stream, GROUP, job_id, job_id, 1)
        return int(rows[0]["times_delivered"]) if rows else 1

    async def _done(self, job_id: str) -> None:
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.xack(self.stream, GROUP, job_id)
            pipe.xdel(self.stream, job_id)
            await pipe.execute()

    async def run_one(self, handlers: Mapping[str, Handler], consumer: str) -> bool:
        """Take and run one job; False when none came within `block_ms`."""
        taken = await self._next(consumer)
        if taken is None:
            return False
        job_id, raw = taken
        attempts = await self._attempts(job_id)
        try:
            job = json.loads(raw)
            handler = handlers[job["kind"]]
        except (ValueError, KeyError, TypeError):
            log.error("jobs: job %s is not a known job; dead-lettered", job_id)
            await self._bury(job_id, raw, "unknown")
            return True
        if attempts > self.max_attempts:
            log.error(
                "jobs: %s job %s failed %d times; dead-lettered", job["kind"], job_id, attempts - 1
            )
            await self._bury(job_id, raw, "attempts")
            return True
        try:
            await handler(job["payload"])
        except Exception:
            # Left unacknowledged: retried after the visibility timeout, by any worker.
            log.exception("jobs: %s job %s failed (attempt %d)", job["kind"], job_id, attempts)
            return True
        await self._done(job_id)
        return True

    async def _bury(self, job_id: str, raw: bytes, reason: str) -> None:
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.xadd(
                self.dead_stream,
                {"job": raw, "reason": reason},
                maxlen=DEAD_MAXLEN,
                approximate=True,
            )
            pipe.xack(self.stream, GROUP, job_id)
            pipe.xdel(self.stream, job_id)
            await pipe.execute()

    async def consume(
        self,
        handlers: Mapping[str, Handler],
        *,
        consumer: str,
        stop: asyncio.Event,
        retry_s: float = 1.0,
    ) -> None:
        """Run jobs until `stop` is set; the job in hand is finished and acknowledged first.
        While Redis is unreachable, waits and tries again (logged once per outage)."""
        failing = False
        while not stop.is_set():
            try:
                await self.run_one(handlers, consumer)
            except (RedisError, OSError) as exc:
                self._group_ready = False
                if not failing:
                    log.warning("jobs: Redis unavailable, retrying: %s", exc)
                failing = True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=retry_s)
                continue
            if failing:
                log.info("jobs: Redis reachable again")
                failing = False
