"""Long polling, for deployments without a public HTTPS address: `assistant telegram --polling`.

Polling deletes any registered webhook (Telegram serves one or the other) and answers with the
same handlers, conversation store and channel store as the webhook in `assistant serve`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Coroutine
from typing import Any

from telegram import Update

from assistant.service import Assistant
from assistant.settings import Settings
from bots.store import ChannelStore
from bots.telegram.bot import build_application
from staff.handoff import HandoffStore

log = logging.getLogger(__name__)


def run_polling(settings: Settings, assistant: Assistant) -> None:
    """Poll until interrupted (Ctrl-C, SIGTERM)."""
    url = settings.resolved_database_url()
    store = ChannelStore(url)
    # The console (in `assistant serve`) may hand a conversation to a person: stay quiet then.
    handoffs = HandoffStore(
        url, timeout=dt.timedelta(minutes=settings.staff_handoff_timeout_minutes)
    )
    if assistant.handoffs is None:
        assistant.handoffs = handoffs
    try:
        application, _bot = build_application(settings, assistant, store, polling=True)
        application.run_polling(allowed_updates=Update.ALL_TYPES, close_loop=False)
    finally:
        if assistant.handoffs is handoffs:
            assistant.handoffs = None
        handoffs.close()
        store.close()


async def set_webhook(settings: Settings, url: str) -> bool:
    """Register `url` (…/webhooks/telegram) with the configured secret token."""
    from telegram import Bot

    bot = Bot(settings.telegram_token, base_url=settings.telegram_base_url)
    async with bot:
        return await bot.set_webhook(
            url,
            secret_token=settings.telegram_webhook_secret or None,
            allowed_updates=Update.ALL_TYPES,
        )


async def delete_webhook(settings: Settings) -> bool:
    from telegram import Bot

    bot = Bot(settings.telegram_token, base_url=settings.telegram_base_url)
    async with bot:
        return await bot.delete_webhook()


def run(coro: Coroutine[Any, Any, bool]) -> bool:
    return asyncio.run(coro)
