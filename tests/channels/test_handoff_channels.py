"""A handoff on the messaging channels: the citizen asks for a person on Telegram or Zalo, a
staff member claims the conversation in the console, the bot goes quiet, the staff member's
replies reach the citizen through the real python-telegram-bot / Zalo clients (talking to the
protocol stand-ins over loopback), and releasing hands the conversation back to the bot."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.messages import message
from assistant.service import Assistant
from staff.passwords import hash_password
from staff.store import StaffStore
from tests.channels.conftest import (
    TELEGRAM_SECRET,
    app_client,
    eventually,
    make_assistant,
    signed,
    telegram_settings,
    zalo_event,
    zalo_settings,
)
from tests.channels.test_telegram import message_update
from tests.standins.telegram_server import TelegramStandIn
from tests.standins.zalo_server import ZaloStandIn

pytestmark = pytest.mark.anyio
PASSWORD = "correct-horse-1"
ZALO_USER = "6142494823000000777"


def add_editor(url: str) -> None:
    store = StaffStore(url)
    try:
        store.create_user("ed", hash_password(PASSWORD), "editor", actor="test")
    finally:
        store.close()


async def editor_headers(client: httpx.AsyncClient) -> dict[str, str]:
    response = await client.post("/staff/api/login", json={"username": "ed", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def the_handoff(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    (item,) = (await client.get("/staff/api/handoffs", headers=headers)).json()
    return dict(item)


async def test_telegram_citizen_and_staff_member(
    starter_data_dir: Path, base_assistant: Assistant, database_url: str, telegram: TelegramStandIn
) -> None:
    add_editor(database_url)
    assistant = make_assistant(base_assistant, database_url)
    settings = telegram_settings(starter_data_dir, database_url, telegram)
    hook = {"x-telegram-bot-api-secret-token": TELEGRAM_SECRET}

    async def citizen(text: str) -> None:
        update = json.dumps(message_update(text))
        response = await client.post("/webhooks/telegram", content=update, headers=hook)
        assert response.status_code == 200

    def texts() -> list[str]:
        return [c.params["text"] for c in telegram.calls("sendMessage")]

    async with app_client(settings, assistant) as (client, _app):
        await citizen("cho tôi nói chuyện với cán bộ")
        await asyncio.to_thread(telegram.wait_for, "sendMessage", 1)
        assert "chuyển cuộc trò chuyện cho cán bộ" in texts()[0]
        headers = await editor_headers(client)
        item = await the_handoff(client, headers)
        assert (item["channel"], item["user_id"], item["reason"]) == ("telegram", "42", "asked")

        path = f"/staff/api/handoffs/{item['id']}"
        claimed = await client.post(
            f"{path}/claim", json={"version": item["version"]}, headers=headers
        )
        assert claimed.status_code == 200
        sent = await asyncio.to_thread(telegram.wait_for, "sendMessage", 2)
        assert sent[1].params["chat_id"] == 42
        assert sent[1].params["text"] == message("handoff_claimed", "vi")

        await citizen("lệ phí đăng ký kết hôn là bao nhiêu")  # the bot stays quiet
        await eventually(
            lambda: (
                assistant.handoffs is not None
                and "lệ phí đăng ký kết hôn" in str(assistant.handoffs.get(item["id"]).thread)
            ),  # type: ignore[attr-defined]
            what="the message in the thread",
        )
        await asyncio.sleep(0.2)
        assert len(texts()) == 2

        reply = await client.post(
            f"{path}/reply", json={"text": "Lệ phí do UBND xã thu, miễn phí."}, headers=headers
        )
        assert reply.status_code == 201 and reply.json()["delivery"] == "sent"
        assert texts()[-1] == "Lệ phí do UBND xã thu, miễn phí."

        telegram.fail("sendMessage", 403, description="Forbidden: bot was blocked by the user")
        blocked = await client.post(
            f"{path}/reply", json={"text": "Bạn còn đó không?"}, headers=headers
        )
        assert blocked.status_code == 201
        assert (
            blocked.json()["delivery"] == "failed" and "blocked" in blocked.json()["delivery_error"]
        )

        current = (await client.get(path, headers=headers)).json()
        released = await client.post(
            f"{path}/release", json={"version": current["version"]}, headers=headers
        )
        assert released.status_code == 200
        await eventually(lambda: message("handoff_released", "vi") in texts(), what="the goodbye")
        before = len(texts())
        await citizen("lệ phí đăng ký kết hôn")  # the bot answers again
        await asyncio.to_thread(telegram.wait_for, "sendMessage", before + 1)
        assert "kết hôn" in texts()[-1].lower()


async def test_zalo_citizen_and_staff_member(
    starter_data_dir: Path, base_assistant: Assistant, database_url: str, zalo: ZaloStandIn
) -> None:
    add_editor(database_url)
    assistant = make_assistant(base_assistant, database_url)
    settings = zalo_settings(starter_data_dir, database_url, zalo)

    async def citizen(text: str, msg_id: str) -> None:
        body, headers = signed(zalo_event(user=ZALO_USER, text=text, msg_id=msg_id))
        response = await client.post("/webhooks/zalo", content=body, headers=headers)
        assert response.status_code == 200

    async with app_client(settings, assistant) as (client, _app):
        # Two messages the assistant cannot help with put the conversation in the inbox.
        await citizen("giá vàng hôm nay", "z1")
        await eventually(lambda: len(zalo.sent) == 1, what="the first reply")
        await citizen("kết quả bóng đá tối qua", "z2")
        await eventually(lambda: len(zalo.sent) == 2, what="the second reply")
        assert "chuyển câu hỏi cho cán bộ" in zalo.sent_texts(ZALO_USER)[1]
        headers = await editor_headers(client)
        item = await the_handoff(client, headers)
        assert (item["channel"], item["reason"]) == ("zalo", "unhelped")
        path = f"/staff/api/handoffs/{item['id']}"
        await client.post(f"{path}/claim", json={"version": item["version"]}, headers=headers)
        await eventually(lambda: len(zalo.sent) == 3, what="the joined notice")
        assert zalo.sent_texts(ZALO_USER)[2] == message("handoff_claimed", "vi")

        await citizen("tôi muốn hỏi về đất đai", "z3")
        await asyncio.sleep(0.3)
        assert len(zalo.sent) == 3  # quiet: the staff member answers
        reply = await client.post(
            f"{path}/reply", json={"text": "Anh hỏi thủ tục nào ạ?"}, headers=headers
        )
        assert reply.json()["delivery"] == "sent"
        assert zalo.sent_texts(ZALO_USER)[-1] == "Anh hỏi thủ tục nào ạ?"

        zalo.script_errors(-230)  # the user has not written for too long: outside the window
        late = await client.post(
            f"{path}/reply", json={"text": "Anh còn cần hỗ trợ không?"}, headers=headers
        )
        assert late.json()["delivery"] == "failed" and "-230" in late.json()["delivery_error"]
        thread = (await client.get(path, headers=headers)).json()["thread"]
        assert [m["delivery"] for m in thread if m["sender"] == "staff"] == ["sent", "failed"]
