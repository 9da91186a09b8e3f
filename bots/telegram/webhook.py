"""`POST /webhooks/telegram`: the secret token checked in constant time (403 when missing or
wrong), the update parsed (400 when it is not a Telegram update), de-duplicated by
`update_id` in the database (a redelivery is acknowledged, not answered again), then put on
the Application's update queue (or, with jobs_backend=redis, the job queue for `assistant
worker`; 503 + Retry-After when it is down) and acknowledged at once."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from anyio import to_thread
from fastapi import Request
from fastapi.responses import JSONResponse
from telegram import Update
from telegram.ext import Application

from bots.jobs import JobQueue, QueueUnavailable
from bots.store import ChannelStore
from bots.telegram.bot import CHANNEL

log = logging.getLogger(__name__)

PATH = "/webhooks/telegram"
SECRET_HEADER = "x-telegram-bot-api-secret-token"


def _answer(status: int, code: str, message: str = "") -> JSONResponse:
    if status >= 400:
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
    return JSONResponse({"status": code}, status_code=status)


class TelegramWebhook:
    def __init__(
        self,
        application: Application,
        store: ChannelStore,
        *,
        secret: str,
        jobs: JobQueue | None = None,
    ) -> None:
        self.application = application
        self.store = store
        self.secret = secret
        self.ready = False  # set once the Application has started
        self.jobs = jobs  # jobs_backend=redis: answered by `assistant worker`, not here

    async def receive(self, request: Request) -> JSONResponse:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not self.secret or not hmac.compare_digest(given, self.secret.encode()):
            log.warning(
                "telegram webhook: %s secret token refused", "wrong" if given else "missing"
            )
            return _answer(403, "forbidden", "Missing or wrong secret token.")
        if not self.ready:
            return _answer(503, "not_ready", "The Telegram bot is starting.")
        body = await request.body()
        try:
            data: Any = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            log.warning("telegram webhook: malformed JSON refused (%d bytes)", len(body))
            return _answer(400, "malformed_json", "Body is not JSON.")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            log.warning("telegram webhook: body without an integer update_id refused")
            return _answer(400, "malformed_update", "Not a Telegram update.")
        try:
            update = Update.de_json(data, self.application.bot)
        except Exception as exc:  # the library's parse errors vary (KeyError, TypeError, …)
            log.warning(
                "telegram webhook: update %s not parsed: %s", data["update_id"], type(exc).__name__
            )
            return _answer(400, "malformed_update", "Not a Telegram update.")
        first = await to_thread.run_sync(self.store.claim_event, CHANNEL, str(update.update_id))
        if not first:
            log.info(
                "telegram webhook: duplicate update %s acknowledged, not answered", update.update_id
            )
            return _answer(200, "duplicate")
        if update.edited_message is not None or update.edited_channel_post is not None:
            log.info("telegram webhook: edited message in update %s ignored", update.update_id)
            return _answer(200, "ignored")
        if self.jobs is not None:
            try:
                await self.jobs.enqueue(CHANNEL, data)
            except QueueUnavailable as exc:
                await to_thread.run_sync(self.store.release_event, CHANNEL, str(update.update_id))
                log.error("telegram webhook: job queue unavailable, 503: %s", exc)
                response = _answer(503, "queue_unavailable", "Job queue unavailable; retry later.")
                response.headers["Retry-After"] = "5"
                return response
            return _answer(200, "accepted")
        await self.application.update_queue.put(update)
        return _answer(200, "accepted")
