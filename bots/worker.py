"""`assistant worker`: answers queued webhook events (jobs_backend=redis) through the same
channel code as the web app (ZaloChannel, the Telegram Application). SIGTERM/SIGINT: the job
in hand is finished and acknowledged, then the process exits 0."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from typing import Any

import httpx
from anyio import to_thread
from telegram import Update

from assistant.service import Assistant
from assistant.settings import Settings
from bots.jobs import Handler, JobQueue
from bots.store import ChannelStore
from bots.telegram.bot import build_application

log = logging.getLogger(__name__)


def make_queue(settings: Settings) -> JobQueue:
    return JobQueue(
        settings.redis_url,
        stream=settings.jobs_stream,
        visibility_timeout_s=settings.jobs_visibility_timeout_s,
        max_attempts=settings.jobs_max_attempts,
    )


async def run_worker(
    settings: Settings,
    assistant: Assistant,
    *,
    stop: asyncio.Event,
    consumer: str = "",
) -> None:
    from bots.channels import open_zalo  # the web app's wiring, shared

    consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
    store = await to_thread.run_sync(ChannelStore, settings.resolved_database_url())
    http = httpx.AsyncClient(timeout=settings.zalo_timeout_s)
    queue = make_queue(settings)
    handlers: dict[str, Handler] = {}
    application = None
    try:
        if settings.zalo_app_id and settings.zalo_oa_secret_key:
            zalo = await to_thread.run_sync(open_zalo, settings, assistant, store, http)
            handlers["zalo"] = zalo.channel.handle
        if settings.telegram_token:
            application, _bot = build_application(settings, assistant, store)
            await application.initialize()
            app = application

            async def telegram(payload: dict[str, Any]) -> None:
                await app.process_update(Update.de_json(payload, app.bot))

            handlers["telegram"] = telegram
        log.info("worker %s: consuming %s (%s)", consumer, settings.jobs_stream, sorted(handlers))
        await queue.consume(handlers, consumer=consumer, stop=stop)
        log.info("worker %s: stopped", consumer)
    finally:
        if application is not None:
            await application.shutdown()
        await queue.close()
        await http.aclose()
        await to_thread.run_sync(store.close)


def main(settings: Settings, assistant: Assistant) -> None:
    """Run until SIGTERM or SIGINT."""

    async def go() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await run_worker(settings, assistant, stop=stop)

    asyncio.run(go())
