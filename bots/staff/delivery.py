"""A staff member's reply, taken to the citizen on their own channel.

- web: the message is stored; the widget fetches it (`GET /v1/chat/messages`), which marks
  it sent. Any worker can serve that request: the database is the mailbox.
- telegram: `sendMessage` through the running webhook application's bot, or a bot of the
  configured token (polling deployments run the bot in another process).
- zalo: the OA message API through the running Zalo channel (its token rotation, retries and
  reply-window handling).

`send` returns "" when the channel took the message, "pending" for the web mailbox, else a
sentence saying why it could not be delivered (shown to staff beside the message).
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from assistant.settings import Settings
from bots.channels import Channels

log = logging.getLogger(__name__)

PENDING = "pending"


def telegram_chat_id(user_id: str) -> int | None:
    """The chat a Telegram conversation lives in: the user's id in a private chat,
    `chat:user` in a group (see `TelegramBot.conversation_user`)."""
    head = user_id.split(":", 1)[0]
    try:
        return int(head)
    except ValueError:
        return None


class Delivery:
    def __init__(self, settings: Settings, channels: Channels | None) -> None:
        self.settings = settings
        self.channels = channels

    async def send(self, channel: str, user_id: str, text: str) -> str:
        if channel == "web":
            return PENDING
        if channel == "telegram":
            return await self._telegram(user_id, text)
        if channel == "zalo":
            return await self._zalo(user_id, text)
        return f"Kênh {channel!r} không nhận được tin của cán bộ / channel {channel!r} cannot."

    async def _telegram(self, user_id: str, text: str) -> str:
        chat_id = telegram_chat_id(user_id)
        if chat_id is None:
            return "Telegram: không rõ cuộc trò chuyện / unknown chat."
        webhook = self.channels.telegram if self.channels is not None else None
        try:
            if webhook is not None and webhook.ready:
                await webhook.application.bot.send_message(chat_id, text)
                return ""
            if not self.settings.telegram_token:
                return "Telegram chưa được cấu hình / Telegram is not configured."
            async with Bot(
                self.settings.telegram_token, base_url=self.settings.telegram_base_url
            ) as bot:
                await bot.send_message(chat_id, text)
            return ""
        except TelegramError as exc:
            log.warning("staff reply not delivered on telegram: %s", exc)
            return f"Telegram: {exc}"

    async def _zalo(self, user_id: str, text: str) -> str:
        webhook = self.channels.zalo if self.channels is not None else None
        if webhook is None:
            return "Zalo chưa được cấu hình / Zalo is not configured."
        return await webhook.channel.send(user_id, text, [])
