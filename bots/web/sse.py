"""Server-Sent Events framing, and keep-alive comments while an answer is being composed."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

PING_INTERVAL_S = 15.0
PING = b": ping\n\n"
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def sse_event(event: str | None, data: Any) -> bytes:
    """One event; `data` is sent as compact JSON (a string is sent raw)."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    lines = [f"event: {event}"] if event else []
    lines += [f"data: {line}" for line in payload.splitlines() or [""]]
    return ("\n".join(lines) + "\n\n").encode("utf-8")


async def with_pings(
    events: AsyncIterator[bytes], interval_s: float = PING_INTERVAL_S
) -> AsyncIterator[bytes]:
    """The events, with a `: ping` comment whenever none came for `interval_s` seconds
    (proxies close quiet connections)."""
    iterator = aiter(events)
    pending: asyncio.Future[bytes] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(iterator))
            done, _ = await asyncio.wait({pending}, timeout=interval_s)
            if not done:
                yield PING
                continue
            task, pending = pending, None
            try:
                item = task.result()
            except StopAsyncIteration:
                return
            yield item
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            await aclose()
