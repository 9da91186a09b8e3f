"""Zalo OA events → the `Assistant` service → customer-service messages. Protocol code only:
what to answer is the assistant's business.

Handled: `user_send_text` (a tapped query button arrives as text too), `follow` (welcome),
image/sticker/location/file/audio/video/gif/link (the assistant's "I read text" reply),
`oa_send_*` with `sender.admin_id` (a staff member answered from Zalo's own tools: the bot
pauses for that user). Receipts (`user_received_message`, `user_seen_message`) and `unfollow`
are acknowledged and ignored; anything else is logged as unknown.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any, Literal

from anyio import to_thread

from assistant.compose.split import split_message
from assistant.messages import STARTERS, message
from assistant.reply import Language, QuickReply, Reply
from assistant.service import Assistant, Message
from bots.locks import KeyedLocks
from bots.store import ChannelStore, now_utc
from bots.texts import channel_text, language_choice
from bots.zalo.client import (
    MAX_BUTTONS,
    TEXT_LIMIT,
    QueryButton,
    SendError,
    Undeliverable,
    ZaloClient,
    text_message,
)
from bots.zalo.tokens import TokenError

log = logging.getLogger(__name__)

CHANNEL = "zalo"
ATTACHMENT_EVENTS = {
    "user_send_image": "image",
    "user_send_sticker": "sticker",
    "user_send_location": "location",
    "user_send_file": "file",
    "user_send_audio": "audio",
    "user_send_video": "video",
    "user_send_gif": "gif",
    "user_send_link": "link",
}
IGNORED_EVENTS = {"user_received_message", "user_seen_message", "unfollow"}
EventKind = Literal["text", "attachment", "follow", "staff", "oa_echo", "ignored", "unknown"]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else str(value) if isinstance(value, int) else ""


def classify(event: dict[str, Any]) -> EventKind:
    name = _str(event.get("event_name"))
    if name == "user_send_text":
        return "text"
    if name in ATTACHMENT_EVENTS:
        return "attachment"
    if name == "follow":
        return "follow"
    if name.startswith("oa_send_"):
        return "staff" if _str(_dict(event.get("sender")).get("admin_id")) else "oa_echo"
    if name in IGNORED_EVENTS:
        return "ignored"
    return "unknown"


def event_id(event: dict[str, Any]) -> str | None:
    """The delivery's identity for de-duplication: the message id, or the follow itself."""
    msg_id = _str(_dict(event.get("message")).get("msg_id"))
    if msg_id:
        return f"msg:{msg_id}"
    name = _str(event.get("event_name"))
    follower = _str(_dict(event.get("follower")).get("id"))
    timestamp = _str(event.get("timestamp"))
    if follower and timestamp:
        return f"{name}:{follower}:{timestamp}"
    return None


def user_of(event: dict[str, Any]) -> str:
    """The citizen an event is about: the follower, the user staff wrote to, or the sender."""
    kind = classify(event)
    if kind == "follow":
        return _str(_dict(event.get("follower")).get("id"))
    if kind in ("staff", "oa_echo"):
        return _str(_dict(event.get("recipient")).get("id"))
    return _str(_dict(event.get("sender")).get("id"))


def buttons_for(quick_replies: list[QuickReply]) -> list[QueryButton]:
    return [QueryButton(q.label, q.text) for q in quick_replies[:MAX_BUTTONS]]


class ZaloChannel:
    def __init__(
        self,
        assistant: Assistant,
        store: ChannelStore,
        client: ZaloClient,
        *,
        human_pause: dt.timedelta,
        concurrency: int = 16,
    ) -> None:
        self.assistant = assistant
        self.store = store
        self.client = client
        self.human_pause = human_pause
        self.answered = 0  # replies delivered (for the benchmark and tests)
        self.in_order = KeyedLocks()  # one user's messages in order, others side by side
        self.slots = asyncio.Semaphore(concurrency)  # bursts queue here, not in threads

    async def handle(self, event: dict[str, Any]) -> None:
        async with self.slots, self.in_order(user_of(event)):
            await self._handle(event)

    async def _handle(self, event: dict[str, Any]) -> None:
        kind = classify(event)
        name = _str(event.get("event_name"))
        if kind == "follow":
            user = _str(_dict(event.get("follower")).get("id"))
            if user:
                await self.welcome(user)
            return
        if kind == "staff":
            user = _str(_dict(event.get("recipient")).get("id"))
            if user and self.human_pause > dt.timedelta(0):
                until = now_utc() + self.human_pause
                await to_thread.run_sync(self.store.pause, CHANNEL, user, until)
                log.info("zalo: staff replied (%s); bot paused for this user until %s", name, until)
            return
        if kind not in ("text", "attachment"):
            log.debug("zalo: %s event not acted on (%s)", kind, name)
            return
        user = _str(_dict(event.get("sender")).get("id"))
        if not user:
            log.warning("zalo: %s without sender.id ignored", name)
            return
        record = await to_thread.run_sync(self.store.user, CHANNEL, user)
        if record.paused_until is not None and record.paused_until > now_utc():
            log.info("zalo: message not answered: a staff member has this conversation")
            return
        if record.undeliverable_code is not None:  # the user wrote: the reply window is open
            await to_thread.run_sync(self.store.clear_undeliverable, CHANNEL, user)
        text = _str(_dict(event.get("message")).get("text"))
        if kind == "text":
            chosen = language_choice(text)
            if chosen is not None:
                await to_thread.run_sync(self.store.set_language, CHANNEL, user, chosen)
                await self.send(user, channel_text("language_set", chosen), STARTERS[chosen])
                return
        locale: Language | None = "en" if record.language == "en" else None
        if record.language == "vi":
            locale = "vi"
        msg = Message(
            channel=CHANNEL,
            user=user,
            text=text[:100_000],
            locale=locale,
            attachments=[ATTACHMENT_EVENTS[name]] if kind == "attachment" else [],
        )
        reply = await self.assistant.areply(msg)
        await self.deliver(user, reply)

    async def welcome(self, user: str) -> None:
        language = await to_thread.run_sync(self.store.language, CHANNEL, user)
        lang: Language = "en" if language == "en" else "vi"
        text = message("greeting", lang)
        await self.send(user, text, STARTERS[lang])

    async def deliver(self, user: str, reply: Reply) -> None:
        if reply.kind == "held":  # a staff member has this conversation: they answer
            return
        await self.send(user, reply.text, reply.quick_replies)

    async def send(self, user: str, text: str, quick_replies: list[QuickReply]) -> str:
        """The text in pieces of ≤ 2,000 characters; the buttons go with the last piece.
        Returns "" when delivered, else why not (logged, never raised)."""
        pieces = split_message(text, TEXT_LIMIT) or [text or "…"]
        buttons = buttons_for(quick_replies)
        try:
            for i, piece in enumerate(pieces):
                last = i == len(pieces) - 1
                await self.client.send(user, text_message(piece, buttons if last else None))
        except Undeliverable as exc:
            await to_thread.run_sync(self.store.record_undeliverable, CHANNEL, user, exc.code or 0)
            log.warning("zalo: reply not delivered (%s): outside the reply window", exc.code)
            return f"Zalo {exc.code}: outside the reply window"
        except (SendError, TokenError) as exc:
            log.error("zalo: reply not delivered: %s", exc)
            return f"Zalo: {exc}"
        self.answered += 1
        return ""
