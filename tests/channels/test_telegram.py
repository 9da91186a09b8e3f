"""The Telegram channel end to end: updates POSTed to the app's webhook (and fetched by long
polling), handled by the real python-telegram-bot Application, whose HTTP calls reach the
Bot API stand-in over loopback through `base_url`."""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import logging
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from assistant.reply import Reply
from assistant.service import Assistant
from bots.store import ChannelStore
from bots.telegram import bot as bot_module
from bots.telegram.bot import build_application
from bots.telegram.format import TEXT_LIMIT, html_pieces
from tests.channels.conftest import (
    TELEGRAM_SECRET,
    app_client,
    eventually,
    make_assistant,
    telegram_settings,
)
from tests.standins.telegram_server import BOT_ID, BOT_USERNAME, TelegramStandIn

pytestmark = pytest.mark.anyio
USER = {"id": 42, "is_bot": False, "first_name": "An", "language_code": "vi"}
HEADERS = {"x-telegram-bot-api-secret-token": TELEGRAM_SECRET}
_ids = itertools.count(1)


def message_update(
    text: str,
    *,
    chat: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    reply_to: dict[str, Any] | None = None,
    update_id: int | None = None,
    kind: str = "message",
) -> dict[str, Any]:
    n = next(_ids)
    msg: dict[str, Any] = {
        "message_id": n,
        "date": int(time.time()),
        "chat": chat or {"id": USER["id"], "type": "private", "first_name": "An"},
        "from": USER,
        "text": text,
    }
    if text.startswith("/"):
        command = text.split()[0]
        entities = [{"type": "bot_command", "offset": 0, "length": len(command)}, *(entities or [])]
    if entities:
        msg["entities"] = entities
    if reply_to:
        msg["reply_to_message"] = reply_to
    return {"update_id": update_id or 10_000 + n, kind: msg}


def callback_update(data: str) -> dict[str, Any]:
    n = next(_ids)
    return {
        "update_id": 20_000 + n,
        "callback_query": {
            "id": f"cb{n}",
            "from": USER,
            "chat_instance": "ci-1",
            "data": data,
            "message": {
                "message_id": 900 + n,
                "date": int(time.time()),
                "chat": {"id": USER["id"], "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bot"},
                "text": "…",
            },
        },
    }


async def post(client: Any, update: dict[str, Any], headers: dict[str, str] = HEADERS) -> Any:
    return await client.post("/webhooks/telegram", content=json.dumps(update), headers=headers)


def buttons(call: Any) -> list[dict[str, Any]]:
    markup = call.params.get("reply_markup") or {"inline_keyboard": []}
    return [b for row in markup["inline_keyboard"] for b in row]


async def test_secret_commands_language_feedback_and_quick_replies(
    starter_data_dir: Path,
    base_assistant: Assistant,
    sqlite_url: str,
    telegram: TelegramStandIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bot_module, "TYPING_AFTER_S", 0.0)  # show it even for fast answers
    assistant = make_assistant(base_assistant, sqlite_url)
    settings = telegram_settings(starter_data_dir, sqlite_url, telegram)
    async with app_client(settings, assistant) as (client, _app):
        assert telegram.calls("getMe")  # initialize() reached the stand-in
        start = message_update("/start")
        assert (await post(client, start, headers={})).status_code == 403
        wrong = {"x-telegram-bot-api-secret-token": "nope"}
        assert (await post(client, start, headers=wrong)).status_code == 403
        assert (await post(client, start)).json() == {"status": "accepted"}
        sent = await asyncio.to_thread(telegram.wait_for, "sendMessage", 1)
        assert sent[0].params["text"].startswith("Xin chào")
        assert [b["callback_data"] for b in buttons(sent[0])] == ["l:vi", "l:en"]

        await post(client, callback_update("l:en"))
        sent = await asyncio.to_thread(telegram.wait_for, "sendMessage", 2)
        assert sent[1].params["text"].startswith("English it is")
        assert telegram.calls("answerCallbackQuery")

        # A Vietnamese question now gets an English answer (the choice sticks).
        await post(client, message_update("lệ phí đăng ký kết hôn"))
        sent = await asyncio.to_thread(telegram.wait_for, "sendMessage", 3)
        answer = sent[2]
        assert "Source" in answer.params["text"] and answer.params["parse_mode"] == "HTML"
        actions = telegram.calls("sendChatAction")
        assert actions and actions[0].params["action"] == "typing"
        assert actions[0].at <= answer.at
        feedback = [b["callback_data"] for b in buttons(answer) if "callback_data" in b]
        up = next(d for d in feedback if d.startswith("f:up:"))
        assert any("url" in b for b in buttons(answer))  # the citation as a link button
        assert all(len(d.encode()) <= 64 for d in feedback)

        await post(client, callback_update(up))
        await eventually(lambda: assistant.conversations.feedback_counts() == {"up": 1})
        await eventually(lambda: len(telegram.calls("answerCallbackQuery")) == 2)
        assert telegram.calls("answerCallbackQuery")[-1].params["text"].startswith("Thanks")
        await post(client, callback_update("f:down:unknown-reply"))
        await eventually(lambda: len(telegram.calls("answerCallbackQuery")) == 3)
        assert assistant.conversations.feedback_counts() == {"up": 1}

        # Clarification choices are buttons; a tap continues the same conversation.
        await post(client, message_update("/lang vi"))
        await asyncio.to_thread(telegram.wait_for, "sendMessage", 4)
        await post(client, message_update("thành lập công ty"))
        sent = await asyncio.to_thread(telegram.wait_for, "sendMessage", 5)
        choices = [b["callback_data"] for b in buttons(sent[4])]
        assert len(choices) >= 2 and all(c.startswith("q:") for c in choices)
        conversation = assistant.conversations.load("telegram", "42")
        expected = conversation.state.options[0].procedure_code
        await post(client, callback_update(choices[0]))
        await asyncio.to_thread(telegram.wait_for, "sendMessage", 6)
        conversation = assistant.conversations.load("telegram", "42")
        assert conversation.state.focus_code == expected
        assert conversation.id == assistant.conversations.load("telegram", "42").id

        await post(client, message_update("/reset"))
        sent = await asyncio.to_thread(telegram.wait_for, "sendMessage", 7)
        assert sent[6].params["text"].startswith("Đã bắt đầu")
        assert assistant.conversations.load("telegram", "42").state.focus_code is None

        await post(client, message_update("/help"))
        sent = await asyncio.to_thread(telegram.wait_for, "sendMessage", 8)
        assert "/reset" in sent[7].params["text"]
    store = ChannelStore(sqlite_url)
    assert store.language("telegram", "42") == "vi"
    store.close()
    assistant.conversations.close()


async def test_groups_bad_input_duplicates_and_edits(
    starter_data_dir: Path,
    base_assistant: Assistant,
    sqlite_url: str,
    telegram: TelegramStandIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    assistant = make_assistant(base_assistant, sqlite_url)
    settings = telegram_settings(starter_data_dir, sqlite_url, telegram)
    group = {"id": -100200, "type": "supergroup", "title": "Phường 1"}
    async with app_client(settings, assistant) as (client, _app):
        await post(client, message_update("lệ phí đăng ký kết hôn", chat=group))
        mention = f"@{BOT_USERNAME}"
        text = f"{mention} lệ phí đăng ký kết hôn"
        entities = [{"type": "mention", "offset": 0, "length": len(mention)}]
        await post(client, message_update(text, chat=group, entities=entities))
        sent = await asyncio.to_thread(telegram.wait_for, "sendMessage", 1)
        bot_message = {
            "message_id": 5,
            "date": int(time.time()),
            "chat": group,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bot"},
            "text": "…",
        }
        await post(client, message_update("phí bao nhiêu?", chat=group, reply_to=bot_message))
        sent = await asyncio.to_thread(telegram.wait_for, "sendMessage", 2)
        await asyncio.sleep(0.2)
        assert len(telegram.calls("sendMessage")) == 2  # the unaddressed one was not answered
        assert all(c.params["chat_id"] == group["id"] for c in sent[:2])

        photo = message_update("")
        del photo["message"]["text"]
        photo["message"]["photo"] = [
            {"file_id": "f1", "file_unique_id": "u1", "width": 9, "height": 9}
        ]
        await post(client, photo)
        sent = await asyncio.to_thread(telegram.wait_for, "sendMessage", 3)
        assert "chỉ đọc được tin nhắn chữ" in sent[2].params["text"]
        group_photo = message_update("", chat=group)
        del group_photo["message"]["text"]
        group_photo["message"]["photo"] = photo["message"]["photo"]
        await post(client, group_photo)  # not for the bot

        malformed = await client.post("/webhooks/telegram", content=b"{oops", headers=HEADERS)
        assert malformed.status_code == 400
        no_id = await client.post("/webhooks/telegram", content=b'{"message": {}}', headers=HEADERS)
        assert no_id.status_code == 400
        broken = await post(client, {"update_id": 7, "message": {"text": "no chat"}})
        assert broken.status_code == 400
        edited = message_update("sửa lại", kind="edited_message")
        answer = await post(client, edited)
        assert answer.status_code == 200 and answer.json() == {"status": "ignored"}
        unknown_kind = await post(client, {"update_id": 8, "poll_answer_v99": {"x": 1}})
        assert unknown_kind.status_code == 200

        twice = message_update("làm căn cước cần gì")
        first, second = await post(client, twice), await post(client, twice)
        assert (first.json(), second.json()) == ({"status": "accepted"}, {"status": "duplicate"})
        await asyncio.to_thread(telegram.wait_for, "sendMessage", 4)
        await asyncio.sleep(0.3)
        assert len(telegram.calls("sendMessage")) == 4
        oversized = await client.post(
            "/webhooks/telegram", content=b"{" + b" " * 70_000 + b"}", headers=HEADERS
        )
        assert oversized.status_code == 413
    for line in (
        "malformed JSON",
        "without an integer update_id",
        "not parsed",
        "edited message",
        "duplicate update",
    ):
        assert line in caplog.text
    assert "căn cước" not in caplog.text
    assistant.conversations.close()


async def test_flood_limit_429_is_retried_and_long_answers_split(
    starter_data_dir: Path, base_assistant: Assistant, sqlite_url: str, telegram: TelegramStandIn
) -> None:
    assistant = make_assistant(base_assistant, sqlite_url)
    settings = telegram_settings(starter_data_dir, sqlite_url, telegram)
    store = ChannelStore(sqlite_url)
    application, bot = build_application(settings, assistant, store)
    async with application:
        telegram.fail("sendMessage", 429, retry_after=1, times=1)
        words = [f"giấy<tờ>&{i}" for i in range(2500)]
        long_text = "Tiêu đề\n" + "\n\n".join(
            " ".join(words[i : i + 50]) for i in range(0, 2500, 50)
        )
        reply = Reply(id="r1", conversation_id="c1", kind="answer", text=long_text)
        context = SimpleNamespace(bot=application.bot)
        await bot.send_reply(context, 42, reply)  # type: ignore[arg-type]
    calls = telegram.calls("sendMessage")
    texts = [c.params["text"] for c in calls[1:]]  # the first attempt was refused (429)
    assert calls[0].params["text"] == texts[0]
    assert calls[1].at - calls[0].at >= 1.0  # waited retry_after
    assert len(texts) >= 5 and all(len(t) <= TEXT_LIMIT for t in texts)
    assert texts[0].startswith("<b>Tiêu đề</b>")
    plain = html.unescape(" ".join(texts).replace("<b>", "").replace("</b>", ""))
    assert plain.split() == long_text.split()
    assert "reply_markup" in calls[-1].params and "reply_markup" not in calls[1].params
    store.close()
    assistant.conversations.close()


def test_html_pieces_respect_the_limit_after_escaping() -> None:
    text = "&" * 9000  # escaping makes it 5× longer
    pieces = html_pieces(text)
    assert all(len(p) <= TEXT_LIMIT for p in pieces)
    assert html.unescape("".join(pieces)) == text
    assert html_pieces("") == []


async def test_long_polling_mode(
    starter_data_dir: Path, base_assistant: Assistant, sqlite_url: str, telegram: TelegramStandIn
) -> None:
    assistant = make_assistant(base_assistant, sqlite_url)
    settings = telegram_settings(starter_data_dir, sqlite_url, telegram)
    store = ChannelStore(sqlite_url)
    application, _bot = build_application(settings, assistant, store, polling=True)
    assert application.updater is not None
    telegram.push_update(message_update("lệ phí đăng ký kết hôn", update_id=1))
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            sent = await asyncio.to_thread(telegram.wait_for, "sendMessage", 1)
        finally:
            await application.updater.stop()
            await application.stop()
    assert "kết hôn" in sent[0].params["text"].lower()
    assert telegram.calls("deleteWebhook")  # polling and a webhook exclude each other
    store.close()
    assistant.conversations.close()


def test_cli_registers_and_deletes_the_webhook(telegram: TelegramStandIn) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app

    env = {
        "ASSISTANT_TELEGRAM_TOKEN": telegram.token,
        "ASSISTANT_TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "ASSISTANT_TELEGRAM_BASE_URL": telegram.base_url,
    }
    url = "https://assistant.example.gov.vn/webhooks/telegram"
    result = CliRunner().invoke(app, ["telegram", "--set-webhook", url], env=env)
    assert result.exit_code == 0, result.output
    call = telegram.calls("setWebhook")[-1]
    assert call.params["url"] == url and call.params["secret_token"] == TELEGRAM_SECRET
    result = CliRunner().invoke(app, ["telegram", "--delete-webhook"], env=env)
    assert result.exit_code == 0 and telegram.calls("deleteWebhook")
    no_token = CliRunner().invoke(
        app, ["telegram", "--polling"], env={"ASSISTANT_TELEGRAM_TOKEN": ""}
    )
    assert no_token.exit_code == 2 and "ASSISTANT_TELEGRAM_TOKEN" in no_token.output
