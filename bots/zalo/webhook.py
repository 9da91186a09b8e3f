"""`POST /webhooks/zalo`: check, acknowledge at once, work in the background.

Order of checks, each refusal logged in one line and answered 4xx (never 5xx):
malformed JSON → 400; wrong app id → 403; missing or wrong `X-ZEvent-Signature` → 401;
a timestamp outside the replay window → 403. Then a delivery already taken (its `msg_id`,
in the database, so across workers) → 200 `duplicate`; an event the bot does not act on →
200 `ignored`; otherwise → 200 `accepted` and the answer is sent from a background task, or,
with jobs_backend=redis, queued for `assistant worker` (503 + Retry-After, claim released,
when the queue is down).
Oversized bodies never get here: the app's body limit answers 413.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bots.jobs import JobQueue, QueueUnavailable
from bots.store import ChannelStore
from bots.zalo.channel import CHANNEL, ZaloChannel, classify, event_id
from bots.zalo.signature import verify

log = logging.getLogger(__name__)

PATH = "/webhooks/zalo"


def _answer(status: int, code: str, message: str = "") -> JSONResponse:
    if status >= 400:
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
    return JSONResponse({"status": code}, status_code=status)


def unavailable() -> JSONResponse:
    """The job queue is down: the platform retries later (nothing claimed, nothing lost)."""
    response = _answer(503, "queue_unavailable", "Job queue unavailable; retry later.")
    response.headers["Retry-After"] = "5"
    return response


class ZaloWebhook:
    def __init__(
        self,
        channel: ZaloChannel,
        store: ChannelStore,
        *,
        app_id: str,
        oa_secret_key: str,
        replay_window_s: int,
        jobs: JobQueue | None = None,
    ) -> None:
        self.channel = channel
        self.store = store
        self.app_id = app_id
        self.oa_secret_key = oa_secret_key
        self.replay_window_ms = replay_window_s * 1000
        self.tasks: set[asyncio.Task[None]] = set()
        self.jobs = jobs  # jobs_backend=redis: answered by `assistant worker`, not here

    def router(self) -> APIRouter:
        router = APIRouter()

        @router.post(PATH, include_in_schema=False)
        async def zalo_webhook(request: Request) -> JSONResponse:
            return await self.receive(request)

        return router

    async def receive(self, request: Request) -> JSONResponse:
        body = await request.body()
        try:
            event: Any = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            log.warning("zalo webhook: malformed JSON refused (%d bytes)", len(body))
            return _answer(400, "malformed_json", "Body is not JSON.")
        if not isinstance(event, dict):
            log.warning("zalo webhook: JSON that is not an object refused")
            return _answer(400, "malformed_event", "Body is not a JSON object.")
        app_id = event.get("app_id")
        app_id = str(app_id) if isinstance(app_id, str | int) else ""
        if not hmac.compare_digest(app_id.encode(), self.app_id.encode()):
            log.warning("zalo webhook: unknown app id refused")
            return _answer(403, "unknown_app", "Unknown app id.")
        body_ts = event.get("timestamp")
        body_ts = str(body_ts) if isinstance(body_ts, str | int) else ""
        header_ts = request.headers.get("x-zevent-timestamp", "").strip()
        candidates = [t for t in dict.fromkeys([body_ts, header_ts]) if t]
        header = request.headers.get("x-zevent-signature")
        if not verify(header, app_id, body, candidates, self.oa_secret_key):
            log.warning("zalo webhook: %s signature refused", "missing" if not header else "wrong")
            return _answer(401, "bad_signature", "Missing or wrong X-ZEvent-Signature.")
        try:
            sent_ms = int(body_ts or header_ts)
        except ValueError:
            log.warning("zalo webhook: timestamp that is not a number refused")
            return _answer(400, "bad_timestamp", "timestamp must be epoch milliseconds.")
        if abs(time.time() * 1000 - sent_ms) > self.replay_window_ms:
            log.warning("zalo webhook: stale timestamp refused (replay window)")
            return _answer(403, "stale_event", "Timestamp outside the replay window.")
        name = str(event.get("event_name", ""))[:64]
        kind = classify(event)
        if kind == "unknown":
            log.info("zalo webhook: unknown event type %r acknowledged and ignored", name)
            return _answer(200, "ignored")
        if kind in ("ignored", "oa_echo"):
            log.debug("zalo webhook: %s acknowledged", name)
            return _answer(200, "ignored")
        key = event_id(event)
        if key is not None:
            first = await to_thread.run_sync(self.store.claim_event, CHANNEL, key)
            if not first:
                log.info("zalo webhook: duplicate delivery of %s acknowledged, not answered", name)
                return _answer(200, "duplicate")
        if self.jobs is not None:
            try:
                await self.jobs.enqueue(CHANNEL, event)
            except QueueUnavailable as exc:
                if key is not None:  # so that the platform's retry is answered
                    await to_thread.run_sync(self.store.release_event, CHANNEL, key)
                log.error("zalo webhook: job queue unavailable, 503: %s", exc)
                return unavailable()
            return _answer(200, "accepted")
        task = asyncio.create_task(self._work(event, name))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return _answer(200, "accepted")

    async def _work(self, event: dict[str, Any], name: str) -> None:
        try:
            await self.channel.handle(event)
        except Exception:
            log.exception("zalo: handling %s failed", name)

    async def drain(self, timeout_s: float = 10.0) -> None:
        """Wait for answers in flight (at shutdown), then cancel what is left."""
        if not self.tasks:
            return
        _done, pending = await asyncio.wait(set(self.tasks), timeout=timeout_s)
        for task in pending:
            task.cancel()
