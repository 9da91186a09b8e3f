"""The Telegram bot (python-telegram-bot v22): handlers that turn updates into `Message`s for
the `Assistant` service and its replies into Telegram messages. Protocol code only.

Commands: /start (greeting and language choice), /help, /reset, /lang [vi|en]. Text in a
private chat is always answered; in a group only when the bot is @mentioned or replied to.
Callback queries: `q:<key>` a quick reply (its text stored in `channel_buttons`), `l:<code>`
a language, `f:up|down:<reply id>` feedback. Sends go through `AIORateLimiter` (flood limits;
429s retried). Edited messages are logged and ignored: the answer to the original stands.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from anyio import to_thread
from telegram import Chat, MessageEntity, Update, User
from telegram import Message as TgMessage
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from assistant.dialogue import UnknownReply
from assistant.messages import STARTERS, message
from assistant.reply import Language, Reply
from assistant.service import Assistant, Message
from assistant.settings import Settings
from bots.locks import KeyedLocks
from bots.store import ChannelStore
from bots.telegram.format import html_pieces, language_keyboard, reply_keyboard
from bots.texts import channel_text

log = logging.getLogger(__name__)

CHANNEL = "telegram"
TYPING_EVERY_S = 4.0  # Telegram shows "typing…" for about 5 s
# Shown only for work that takes longer than this: a grounded answer is usually ready first,
# and every chat action spends the same flood allowance (30 requests/s) as a message.
TYPING_AFTER_S = 0.3
RESET_TEXT = "/reset"  # the guard's reset intent
ATTACHMENTS = (
    filters.PHOTO
    | filters.Sticker.ALL
    | filters.LOCATION
    | filters.Document.ALL
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.CONTACT
)


class TelegramBot:
    def __init__(self, assistant: Assistant, store: ChannelStore) -> None:
        self.assistant = assistant
        self.store = store
        self.answered = 0  # replies sent (for the benchmark and tests)
        self.in_order = KeyedLocks()  # one user's updates run concurrently with others'

    # -- wiring ----------------------------------------------------------------------------

    def install(self, application: Application) -> None:
        application.add_handler(CommandHandler("start", self.on_start))
        application.add_handler(CommandHandler("help", self.on_help))
        application.add_handler(CommandHandler("reset", self.on_reset))
        application.add_handler(CommandHandler("lang", self.on_lang))
        application.add_handler(CallbackQueryHandler(self.on_callback))
        new = filters.UpdateType.MESSAGE
        application.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, self.on_text))
        application.add_handler(MessageHandler(new & ATTACHMENTS, self.on_attachment))
        application.add_handler(MessageHandler(filters.UpdateType.EDITED, self.on_edited))
        application.add_error_handler(self.on_error)

    # -- who and where ---------------------------------------------------------------------

    @staticmethod
    def conversation_user(chat: Chat, user: User) -> str:
        """Private chats by user; in a group each member has their own conversation there."""
        if chat.type == Chat.PRIVATE:
            return str(user.id)
        return f"{chat.id}:{user.id}"

    async def language(self, user: User) -> Language | None:
        chosen = await to_thread.run_sync(self.store.language, CHANNEL, str(user.id))
        return chosen if chosen in ("vi", "en") else None  # type: ignore[return-value]

    @staticmethod
    def addressed_text(msg: TgMessage, bot_id: int, username: str) -> str | None:
        """The text meant for the bot: all of it in private; in groups only when the bot is
        mentioned (the mention removed) or replied to; None otherwise."""
        text = msg.text or ""
        if msg.chat.type == Chat.PRIVATE:
            return text
        replied = msg.reply_to_message
        if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
            return text
        handle = f"@{username}".lower()
        for entity, value in msg.parse_entities([MessageEntity.MENTION]).items():
            if entity.type == MessageEntity.MENTION and value.lower() == handle:
                return " ".join(text.replace(value, " ", 1).split())
        for entity in msg.entities:
            if (
                entity.type == MessageEntity.TEXT_MENTION
                and entity.user
                and entity.user.id == bot_id
            ):
                return text
        return None

    # -- answering -------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def typing(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> AsyncIterator[None]:
        """ "typing…" shown while the block runs (sent again every 4 s)."""
        stop = asyncio.Event()

        async def keep_typing() -> None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), TYPING_AFTER_S)
            while not stop.is_set():
                try:
                    await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
                except TelegramError as exc:
                    log.debug("telegram: typing indicator failed: %s", exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), TYPING_EVERY_S)

        task = asyncio.create_task(keep_typing())
        try:
            yield
        finally:
            stop.set()
            await task

    async def ask(
        self, context: ContextTypes.DEFAULT_TYPE, chat: Chat, user: User, text: str, **extra: object
    ) -> Reply:
        msg = Message(
            channel=CHANNEL,
            user=self.conversation_user(chat, user),
            text=text[:100_000],
            locale=await self.language(user),
            **extra,  # type: ignore[arg-type]
        )
        async with self.in_order(msg.user):
            async with self.typing(context, chat.id):
                reply = await self.assistant.areply(msg)
            await self.send_reply(context, chat.id, reply)
        return reply

    async def send_reply(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply
    ) -> None:
        if reply.kind == "held":  # a staff member has this conversation: they answer
            return
        keyboard = await to_thread.run_sync(reply_keyboard, reply, self.store.put_buttons)
        pieces = html_pieces(reply.text, bold_title=reply.kind == "answer")
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            await context.bot.send_message(
                chat_id,
                piece,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard if last else None,
                disable_web_page_preview=True,
            )
        self.answered += 1

    # -- handlers --------------------------------------------------------------------------

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            return
        language = await self.language(user) or "vi"
        text = f"{message('greeting', language)}\n\n{channel_text('choose_language', language)}"
        await context.bot.send_message(
            chat.id,
            html_pieces(text)[0],
            parse_mode=ParseMode.HTML,
            reply_markup=language_keyboard(),
        )

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            return
        text = channel_text("help", await self.language(user))
        await context.bot.send_message(chat.id, html_pieces(text)[0], parse_mode=ParseMode.HTML)

    async def on_reset(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, user = update.effective_chat, update.effective_user
        if chat is not None and user is not None:
            await self.ask(context, chat, user, RESET_TEXT)

    async def on_lang(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            return
        wanted = (context.args or [""])[0].lower()
        if wanted in ("vi", "en"):
            await self.set_language(context, chat.id, user, wanted)  # type: ignore[arg-type]
            return
        language = await self.language(user)
        await context.bot.send_message(
            chat.id, channel_text("choose_language", language), reply_markup=language_keyboard()
        )

    async def set_language(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, user: User, language: Language
    ) -> None:
        await to_thread.run_sync(self.store.set_language, CHANNEL, str(user.id), language)
        starters = Reply(
            id="-", conversation_id="-", kind="greeting", text="", quick_replies=STARTERS[language]
        )
        keyboard = await to_thread.run_sync(reply_keyboard, starters, self.store.put_buttons)
        await context.bot.send_message(
            chat_id, channel_text("language_set", language), reply_markup=keyboard
        )

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg, user = update.message, update.effective_user
        if msg is None or user is None:
            return
        text = self.addressed_text(msg, context.bot.id, context.bot.username)
        if text is None:
            log.debug("telegram: group message not addressed to the bot ignored")
            return
        await self.ask(context, msg.chat, user, text)

    async def on_attachment(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg, user = update.message, update.effective_user
        if msg is None or user is None:
            return
        if msg.chat.type != Chat.PRIVATE:
            return  # a photo in a group is not for the bot
        kind = "image" if msg.photo else "sticker" if msg.sticker else "file"
        if msg.location:
            kind = "location"
        await self.ask(context, msg.chat, user, msg.caption or "", attachments=[kind])

    async def on_edited(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        log.info("telegram: edited message %s ignored (the first answer stands)", update.update_id)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        data = query.data or ""
        user = query.from_user
        chat = query.message.chat if query.message is not None else None
        language = await self.language(user)
        if data.startswith("f:"):
            _, rating, reply_id = [*data.split(":", 2), "", ""][:3]
            if rating not in ("up", "down"):
                await query.answer()
                return
            try:
                await to_thread.run_sync(
                    self.assistant.feedback, reply_id, "up" if rating == "up" else "down"
                )
            except UnknownReply:
                await query.answer(channel_text("button_expired", language))
                return
            await query.answer(channel_text("feedback_thanks", language))
            return
        if data.startswith("l:") and data[2:] in ("vi", "en"):
            await query.answer()
            if chat is not None:
                await self.set_language(context, chat.id, user, data[2:])  # type: ignore[arg-type]
            return
        if data.startswith("q:"):
            text = await to_thread.run_sync(self.store.button, data[2:])
            if text is None or chat is None:
                await query.answer(channel_text("button_expired", language))
                return
            await query.answer()
            await self.ask(context, chat, user, text)
            return
        log.info("telegram: unknown callback data ignored")
        await query.answer()

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        uid = update.update_id if isinstance(update, Update) else "-"
        log.error("telegram: update %s failed: %r", uid, context.error)


def build_application(
    settings: Settings,
    assistant: Assistant,
    store: ChannelStore,
    *,
    polling: bool = False,
) -> tuple[Application, TelegramBot]:
    """The python-telegram-bot Application on these settings (base URL, flood limits).
    Webhook mode has no updater: updates come from `POST /webhooks/telegram`."""
    builder = (
        Application.builder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .rate_limiter(AIORateLimiter(max_retries=settings.telegram_max_retries))
        .concurrent_updates(settings.telegram_concurrent_updates)
    )
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    bot = TelegramBot(assistant, store)
    bot.install(application)
    return application, bot
