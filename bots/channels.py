"""The messaging channels inside the web app: `POST /webhooks/telegram`, `POST /webhooks/zalo`.

    channels = Channels(settings)
    app.include_router(channels.router())
    async with channels.running(assistant): ...        # in the app's lifespan

A channel whose settings are missing answers 404 (see docs/telegram.md, docs/zalo.md). Both
channels share the `Assistant` service and the conversation store (keyed by channel and user)
and one `ChannelStore` in the same database.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from assistant.service import Assistant
from assistant.settings import Settings
from bots.store import ChannelStore
from bots.telegram.bot import build_application
from bots.telegram.webhook import TelegramWebhook
from bots.zalo.channel import ZaloChannel
from bots.zalo.client import ZaloClient
from bots.zalo.tokens import ZaloTokens
from bots.zalo.webhook import ZaloWebhook

log = logging.getLogger(__name__)

EVENTS_KEPT = dt.timedelta(days=7)  # Zalo and Telegram stop retrying long before
BUTTONS_KEPT = dt.timedelta(days=30)  # an older button answers "expired, please type again"


def _not_configured(channel: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": "not_found", "message": f"The {channel} channel is not configured."}},
        status_code=404,
    )


class Channels:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store: ChannelStore | None = None
        self.telegram: TelegramWebhook | None = None
        self.zalo: ZaloWebhook | None = None

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.settings.telegram_token and self.settings.telegram_webhook_secret)

    @property
    def zalo_enabled(self) -> bool:
        return bool(self.settings.zalo_app_id and self.settings.zalo_oa_secret_key)

    def router(self) -> APIRouter:
        router = APIRouter()

        @router.post("/webhooks/telegram", include_in_schema=False)
        async def telegram_webhook(request: Request) -> JSONResponse:
            if self.telegram is None:
                return _not_configured("Telegram")
            return await self.telegram.receive(request)

        @router.post("/webhooks/zalo", include_in_schema=False)
        async def zalo_webhook(request: Request) -> JSONResponse:
            if self.zalo is None:
                return _not_configured("Zalo")
            return await self.zalo.receive(request)

        return router

    @asynccontextmanager
    async def running(self, assistant: Assistant) -> AsyncIterator[None]:
        if not (self.telegram_enabled or self.zalo_enabled):
            yield
            return
        settings = self.settings
        url = settings.resolved_database_url()
        store = await to_thread.run_sync(ChannelStore, url)
        self.store = store
        await to_thread.run_sync(store.prune_events, EVENTS_KEPT)
        await to_thread.run_sync(store.prune_buttons, BUTTONS_KEPT)
        http = httpx.AsyncClient(timeout=settings.zalo_timeout_s)
        application = None
        jobs = None
        if settings.jobs_backend == "redis":  # answered by `assistant worker` (bots/worker.py)
            from bots.worker import make_queue

            jobs = make_queue(settings)
        try:
            if self.zalo_enabled:
                self.zalo = await to_thread.run_sync(open_zalo, settings, assistant, store, http)
                self.zalo.jobs = jobs
            if self.telegram_enabled:
                application, _bot = build_application(settings, assistant, store)
                self.telegram = TelegramWebhook(
                    application, store, secret=settings.telegram_webhook_secret, jobs=jobs
                )
                try:
                    await application.initialize()
                    await application.start()
                    self.telegram.ready = True
                except Exception as exc:  # Telegram unreachable: the rest of the app serves
                    log.error("telegram: bot did not start (%s); webhook answers 503", exc)
            yield
        finally:
            if application is not None and application.running:
                await application.stop()
            if application is not None:
                await application.shutdown()
            if self.zalo is not None:
                await self.zalo.drain()
            if jobs is not None:
                await jobs.close()
            await http.aclose()
            await to_thread.run_sync(store.close)
            self.telegram = self.zalo = None
            self.store = None


def open_zalo(
    settings: Settings, assistant: Assistant, store: ChannelStore, http: httpx.AsyncClient
) -> ZaloWebhook:
    tokens = ZaloTokens(
        store,
        http,
        app_id=settings.zalo_app_id,
        app_secret=settings.zalo_app_secret,
        oauth_base_url=settings.zalo_oauth_base_url,
        seed_access_token=settings.zalo_access_token,
        seed_refresh_token=settings.zalo_refresh_token,
    )
    client = ZaloClient(
        http,
        tokens,
        api_base_url=settings.zalo_api_base_url,
        max_retries=settings.zalo_max_retries,
        backoff_s=settings.zalo_backoff_s,
    )
    channel = ZaloChannel(
        assistant,
        store,
        client,
        human_pause=dt.timedelta(minutes=settings.zalo_human_pause_minutes),
        concurrency=settings.zalo_concurrent_answers,
    )
    return ZaloWebhook(
        channel,
        store,
        app_id=settings.zalo_app_id,
        oa_secret_key=settings.zalo_oa_secret_key,
        replay_window_s=settings.zalo_replay_window_s,
    )
