"""The Zalo OA channel end to end: signed webhooks into the real app, answers through the
real Zalo client (httpx) to the OpenAPI/OAuth stand-in over loopback HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from pathlib import Path

import httpx
import pytest

from assistant.reply import QuickReply
from assistant.service import Assistant
from bots.store import ChannelStore
from bots.zalo.client import SendError, Undeliverable, ZaloClient, text_message
from bots.zalo.signature import signature, verify
from bots.zalo.tokens import ZaloTokens
from tests.channels.conftest import (
    app_client,
    eventually,
    make_assistant,
    signed,
    zalo_event,
    zalo_settings,
)
from tests.standins.zalo_server import APP_ID, APP_SECRET, ZaloStandIn

pytestmark = pytest.mark.anyio
USER = "6142494823000000001"


def test_signature_plain_and_mac_forms_and_header_timestamp() -> None:
    body = b'{"app_id":"1","timestamp":"1699003881354"}'
    digest = signature("1", body, "1699003881354", "k")
    assert verify(digest, "1", body, ["1699003881354"], "k")
    assert verify(f"mac={digest}", "1", body, ["1699003881354"], "k")
    assert verify(digest.upper(), "1", body, ["1699003881354"], "k")
    assert verify(digest, "1", body, ["", "bad", "1699003881354"], "k")  # header timestamp
    assert not verify(digest, "1", body + b" ", ["1699003881354"], "k")  # raw bytes matter
    assert not verify(digest, "1", body, ["1699003881354"], "other")
    assert not verify(None, "1", body, ["1699003881354"], "k")
    assert not verify(digest, "1", body, ["1699003881354"], "")  # no secret: nothing passes


async def test_signed_text_is_answered_and_bad_deliveries_refused(
    starter_data_dir: Path,
    base_assistant: Assistant,
    sqlite_url: str,
    zalo: ZaloStandIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    assistant = make_assistant(base_assistant, sqlite_url)
    settings = zalo_settings(starter_data_dir, sqlite_url, zalo)
    async with app_client(settings, assistant) as (client, _app):
        body, headers = signed(zalo_event(text="lệ phí đăng ký kết hôn", msg_id="ok1"))
        started = time.monotonic()
        response = await client.post("/webhooks/zalo", content=body, headers=headers)
        assert response.status_code == 200 and response.json() == {"status": "accepted"}
        assert time.monotonic() - started < 2.0  # acknowledged before the answer is sent
        await eventually(lambda: len(zalo.sent) == 1, what="the answer")
        assert zalo.sent[0].user_id == USER
        assert "kết hôn" in zalo.sent[0].message["text"].lower()
        assert "Nguồn" in zalo.sent[0].message["text"]

        # The mac= form is accepted too.
        body, headers = signed(zalo_event(text="cảm ơn", msg_id="ok2"), mac=True)
        assert (
            await client.post("/webhooks/zalo", content=body, headers=headers)
        ).status_code == 200
        await eventually(lambda: len(zalo.sent) == 2, what="the second answer")

        # Mis-signed, unsigned, other app, stale, malformed, non-object, unknown event.
        body, headers = signed(zalo_event(msg_id="bad1"), secret="not-the-secret")
        bad_sig = await client.post("/webhooks/zalo", content=body, headers=headers)
        assert bad_sig.status_code == 401
        unsigned = await client.post(
            "/webhooks/zalo", content=body, headers={"content-type": "application/json"}
        )
        assert unsigned.status_code == 401
        body, headers = signed(zalo_event(msg_id="bad2", app_id="999"))
        assert (
            await client.post("/webhooks/zalo", content=body, headers=headers)
        ).status_code == 403
        old = int((time.time() - 3600) * 1000)
        body, headers = signed(zalo_event(msg_id="bad3", timestamp_ms=old))
        stale = await client.post("/webhooks/zalo", content=body, headers=headers)
        assert stale.status_code == 403 and stale.json()["error"]["code"] == "stale_event"
        malformed = await client.post(
            "/webhooks/zalo", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert malformed.status_code == 400
        listed = await client.post("/webhooks/zalo", content=b"[1,2]")
        assert listed.status_code == 400
        body, headers = signed(zalo_event("user_send_hologram", msg_id="odd1"))
        unknown = await client.post("/webhooks/zalo", content=body, headers=headers)
        assert unknown.status_code == 200 and unknown.json() == {"status": "ignored"}
        oversized = await client.post(
            "/webhooks/zalo", content=b"{" + b" " * (settings.max_request_bytes + 10) + b"}"
        )
        assert oversized.status_code == 413
        await asyncio.sleep(0.2)
        assert len(zalo.sent) == 2  # nothing refused was answered
    messages = caplog.text
    for line in (
        "wrong signature",
        "missing signature",
        "unknown app id",
        "stale timestamp",
        "malformed JSON",
        "unknown event type",
    ):
        assert line in messages
    assert "lệ phí đăng ký kết hôn" not in messages  # user text is never logged
    assistant.conversations.close()


async def test_duplicate_deliveries_are_answered_once_across_workers(
    starter_data_dir: Path, base_assistant: Assistant, database_url: str, zalo: ZaloStandIn
) -> None:
    """Two app instances on one database (two workers) receive the same delivery."""
    assistant = make_assistant(base_assistant, database_url)
    settings = zalo_settings(starter_data_dir, database_url, zalo)
    body, headers = signed(zalo_event(text="làm căn cước cần gì", msg_id="dup-1"))
    async with (
        app_client(settings, assistant) as (one, _a),
        app_client(settings, assistant) as (
            two,
            _b,
        ),
    ):
        answers = await asyncio.gather(
            *[c.post("/webhooks/zalo", content=body, headers=headers) for c in (one, two, one)]
        )
        assert sorted(r.json()["status"] for r in answers) == ["accepted", "duplicate", "duplicate"]
        await eventually(lambda: len(zalo.sent) >= 1, what="the answer")
        await asyncio.sleep(0.3)
    assert len(zalo.sent) == 1
    conversation = assistant.conversations.load("zalo", USER)
    assert len(assistant.conversations.turns(conversation.id)) == 1  # stored once
    assistant.conversations.close()


async def test_clarification_buttons_continue_the_conversation_and_reset(
    starter_data_dir: Path, base_assistant: Assistant, sqlite_url: str, zalo: ZaloStandIn
) -> None:
    assistant = make_assistant(base_assistant, sqlite_url)
    settings = zalo_settings(starter_data_dir, sqlite_url, zalo)
    async with app_client(settings, assistant) as (client, _app):
        body, headers = signed(zalo_event(text="lệ phí làm hộ chiếu bao nhiêu", msg_id="c1"))
        await client.post("/webhooks/zalo", content=body, headers=headers)
        await eventually(lambda: len(zalo.sent) == 1, what="the clarification")
        buttons = zalo.sent[0].message["attachment"]["payload"]["buttons"]
        assert 2 <= len(buttons) <= 5
        assert all(b["type"] == "oa.query.show" for b in buttons)
        chosen = buttons[0]["payload"]
        code = chosen.rsplit("(", 1)[1].rstrip(")")
        # A tapped query button arrives as the user's text.
        body, headers = signed(zalo_event(text=chosen, msg_id="c2"))
        await client.post("/webhooks/zalo", content=body, headers=headers)
        await eventually(lambda: len(zalo.sent) == 2, what="the answer to the choice")
        conversation = assistant.conversations.load("zalo", USER)
        assert conversation.state.focus_code == code
        assert conversation.state.options == []
        # "bắt đầu lại" clears it.
        body, headers = signed(zalo_event(text="bắt đầu lại", msg_id="c3"))
        await client.post("/webhooks/zalo", content=body, headers=headers)
        await eventually(lambda: len(zalo.sent) == 3, what="the reset reply")
        assert assistant.conversations.load("zalo", USER).state.focus_code is None
    assistant.conversations.close()


async def test_language_choice_sticks_across_restarts(
    starter_data_dir: Path, base_assistant: Assistant, sqlite_url: str, zalo: ZaloStandIn
) -> None:
    assistant = make_assistant(base_assistant, sqlite_url)
    settings = zalo_settings(starter_data_dir, sqlite_url, zalo)
    async with app_client(settings, assistant) as (client, _app):
        body, headers = signed(zalo_event(text="English", msg_id="l1"))
        await client.post("/webhooks/zalo", content=body, headers=headers)
        await eventually(lambda: len(zalo.sent) == 1, what="the confirmation")
        assert zalo.sent[0].message["text"].startswith("English it is")
    async with app_client(settings, assistant) as (client, _app):  # a restarted worker
        body, headers = signed(zalo_event(text="lệ phí đăng ký kết hôn", msg_id="l2"))
        await client.post("/webhooks/zalo", content=body, headers=headers)
        await eventually(lambda: len(zalo.sent) == 2, what="the answer")
    assert "Source" in zalo.sent[1].message["text"]  # answered in English
    assistant.conversations.close()


async def test_follow_attachments_and_human_takeover(
    starter_data_dir: Path, base_assistant: Assistant, sqlite_url: str, zalo: ZaloStandIn
) -> None:
    assistant = make_assistant(base_assistant, sqlite_url)
    settings = zalo_settings(starter_data_dir, sqlite_url, zalo)
    async with app_client(settings, assistant) as (client, _app):
        follow = zalo_event("follow", text=None, follower={"id": USER}, source="oa_profile")
        del follow["sender"]
        body, headers = signed(follow)
        assert (await client.post("/webhooks/zalo", content=body, headers=headers)).json() == {
            "status": "accepted"
        }
        await eventually(lambda: len(zalo.sent) == 1, what="the welcome")
        assert zalo.sent[0].message["text"].startswith("Xin chào")
        assert zalo.sent[0].message["attachment"]["payload"]["buttons"]
        # The same follow delivered again is not welcomed twice.
        again = await client.post("/webhooks/zalo", content=body, headers=headers)
        assert again.json() == {"status": "duplicate"}

        names = ["user_send_image", "user_send_sticker", "user_send_location", "user_send_file"]
        for i, name in enumerate(names):
            event = zalo_event(name, text=None, msg_id=f"att{i}")
            event["message"]["attachments"] = [{"type": name.removeprefix("user_send_")}]
            body, headers = signed(event)
            await client.post("/webhooks/zalo", content=body, headers=headers)
        await eventually(lambda: len(zalo.sent) == 5, what="the attachment replies")
        assert all("chỉ đọc được tin nhắn chữ" in t for t in zalo.sent_texts()[1:])

        # A staff member answers from Zalo's own tool: the bot goes quiet for that user.
        staff = zalo_event("oa_send_text", text="Chào anh, em là cán bộ", msg_id="staff1")
        staff["sender"], staff["recipient"] = (
            {"id": "3662729599332560487", "admin_id": "77"},
            {"id": USER},
        )
        body, headers = signed(staff)
        await client.post("/webhooks/zalo", content=body, headers=headers)
        store = ChannelStore(sqlite_url)
        await eventually(lambda: store.paused("zalo", USER), what="the pause")
        body, headers = signed(zalo_event(text="lệ phí đăng ký kết hôn", msg_id="p1"))
        assert (
            await client.post("/webhooks/zalo", content=body, headers=headers)
        ).status_code == 200
        await asyncio.sleep(0.3)
        assert len(zalo.sent) == 5  # not answered during the pause
        # The bot's own sends echo back as oa_send_text without admin_id: no pause.
        assert not store.paused("zalo", "someone-else")
        store.pause("zalo", USER, dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))  # over
        body, headers = signed(zalo_event(text="lệ phí đăng ký kết hôn", msg_id="p2"))
        await client.post("/webhooks/zalo", content=body, headers=headers)
        await eventually(lambda: len(zalo.sent) == 6, what="the answer after the pause")
        store.close()
    assistant.conversations.close()


async def test_token_expiry_mid_conversation_refreshes_once_and_persists(
    starter_data_dir: Path, base_assistant: Assistant, sqlite_url: str, zalo: ZaloStandIn
) -> None:
    assistant = make_assistant(base_assistant, sqlite_url)
    settings = zalo_settings(starter_data_dir, sqlite_url, zalo)
    async with app_client(settings, assistant) as (client, _app):
        body, headers = signed(zalo_event(text="lệ phí làm hộ chiếu bao nhiêu", msg_id="t1"))
        await client.post("/webhooks/zalo", content=body, headers=headers)
        await eventually(lambda: len(zalo.sent) == 1, what="the first reply")
        zalo.expire_access_token()  # -220 from now on for the old token
        chosen = zalo.sent[0].message["attachment"]["payload"]["buttons"][0]["payload"]
        body, headers = signed(zalo_event(text=chosen, msg_id="t2"))
        await client.post("/webhooks/zalo", content=body, headers=headers)
        await eventually(lambda: len(zalo.sent) == 2, what="the reply after the refresh")
    assert zalo.refreshes == 1 and zalo.refused_refreshes == 0
    store = ChannelStore(sqlite_url)
    row = store.tokens(APP_ID)
    assert row is not None
    assert (row.access_token, row.refresh_token) == ("access-1", "refresh-1")
    assert row.expires_at is not None and row.expires_at > dt.datetime.now(dt.UTC)
    # A restart must not go back to the operator's first (now spent) refresh token.
    store.seed_tokens(APP_ID, "access-0", "refresh-0")
    assert store.tokens(APP_ID).refresh_token == "refresh-1"  # type: ignore[union-attr]
    store.close()
    assistant.conversations.close()


async def test_refreshes_are_serialised_across_workers(
    database_url: str, zalo: ZaloStandIn
) -> None:
    """Four 'workers' (own token managers, one database) see the token refused at once:
    exactly one refresh reaches Zalo; the single-use refresh token is never reused."""
    zalo.refresh_delay_s = 0.2
    store = ChannelStore(database_url)
    async with httpx.AsyncClient() as http:
        managers = [
            ZaloTokens(
                store,
                http,
                app_id=APP_ID,
                app_secret=APP_SECRET,
                oauth_base_url=zalo.oauth_base_url,
                seed_access_token="access-0",
                seed_refresh_token="refresh-0",
            )
            for _ in range(4)
        ]
        tokens = await asyncio.gather(*[m.refresh("access-0") for m in managers])
    assert set(tokens) == {"access-1"}
    assert zalo.refreshes == 1 and zalo.refused_refreshes == 0
    store.close()


async def test_rate_limits_backoff_and_closed_reply_window(
    sqlite_url: str, zalo: ZaloStandIn
) -> None:
    store = ChannelStore(sqlite_url)
    async with httpx.AsyncClient() as http:
        tokens = ZaloTokens(
            store,
            http,
            app_id=APP_ID,
            app_secret=APP_SECRET,
            oauth_base_url=zalo.oauth_base_url,
            seed_access_token="access-0",
            seed_refresh_token="refresh-0",
        )
        client = ZaloClient(
            http, tokens, api_base_url=zalo.api_base_url, max_retries=3, backoff_s=0.01
        )
        zalo.script_errors(-32, -32)
        assert await client.send(USER, text_message("xin chào"))
        assert client.rate_limited == 2 and zalo.send_attempts == 3
        zalo.script_errors(-32, -32, -32, -32)
        with pytest.raises(Exception, match="-32"):
            await client.send(USER, text_message("xin chào"))  # bounded: gives up
        zalo.script_errors(-230)
        attempts = zalo.send_attempts
        with pytest.raises(Undeliverable):
            await client.send(USER, text_message("xin chào"))
        assert zalo.send_attempts == attempts + 1  # not retried
    store.close()


async def test_long_answers_are_split_and_undeliverable_recorded(
    starter_data_dir: Path, base_assistant: Assistant, sqlite_url: str, zalo: ZaloStandIn
) -> None:
    from bots.zalo.channel import ZaloChannel

    assistant = make_assistant(base_assistant, sqlite_url)
    store = ChannelStore(sqlite_url)
    async with httpx.AsyncClient() as http:
        tokens = ZaloTokens(
            store,
            http,
            app_id=APP_ID,
            app_secret=APP_SECRET,
            oauth_base_url=zalo.oauth_base_url,
            seed_access_token="access-0",
            seed_refresh_token="refresh-0",
        )
        client = ZaloClient(http, tokens, api_base_url=zalo.api_base_url, backoff_s=0.01)
        channel = ZaloChannel(assistant, store, client, human_pause=dt.timedelta(minutes=1))
        paragraphs = [f"Đoạn {i}: " + "giấy tờ cần nộp " * 40 for i in range(12)]
        long_text = "\n\n".join(paragraphs)
        assert len(long_text) > 6000
        quick = [QuickReply(label=f"Nút {i}", text=f"Câu {i}") for i in range(7)]
        await channel.send(USER, long_text, quick)
        texts = zalo.sent_texts(USER)
        assert len(texts) >= 4 and all(len(t) <= 2000 for t in texts)
        assert " ".join(" ".join(texts).split()) == " ".join(long_text.split())  # nothing lost
        assert "attachment" not in zalo.sent[0].message  # buttons only on the last piece
        assert len(zalo.sent[-1].message["attachment"]["payload"]["buttons"]) == 5
        sent = len(zalo.sent)
        zalo.script_errors(-232)
        await channel.send(USER, long_text, [])
        assert len(zalo.sent) == sent  # stopped at the first refusal
        assert store.user("zalo", USER).undeliverable_code == -232
    store.close()
    assistant.conversations.close()


def test_zalo_webhook_is_404_when_not_configured(starter_data_dir: Path, sqlite_url: str) -> None:
    from fastapi.testclient import TestClient

    from assistant.settings import Settings
    from bots.web.app import create_app

    app = create_app(Settings(data_dir=starter_data_dir, database_url=sqlite_url))
    # No lifespan: the route exists and says the channel is not configured.
    with TestClient(app, raise_server_exceptions=True) as _client:
        pass
    client = TestClient(app)
    response = client.post("/webhooks/zalo", content=json.dumps({}).encode())
    assert response.status_code == 404


async def test_an_invalid_access_token_is_refreshed_once_then_given_up(
    sqlite_url: str, zalo: ZaloStandIn
) -> None:
    store = ChannelStore(sqlite_url)
    async with httpx.AsyncClient() as http:
        tokens = ZaloTokens(
            store,
            http,
            app_id=APP_ID,
            app_secret=APP_SECRET,
            oauth_base_url=zalo.oauth_base_url,
            seed_access_token="revoked-token",  # -216 from the API
            seed_refresh_token="refresh-0",
        )
        client = ZaloClient(http, tokens, api_base_url=zalo.api_base_url, backoff_s=0.01)
        assert await client.send(USER, text_message("xin chào"))
        assert zalo.refreshes == 1 and zalo.sent_texts(USER) == ["xin chào"]
        # A refresh that does not help (the new token refused too) is not repeated.
        zalo.expire_access_token()
        zalo.issue_expired_tokens = True
        with pytest.raises(SendError, match="-220"):
            await client.send(USER, text_message("lần nữa"))
        assert zalo.refreshes == 2
    store.close()


async def test_one_users_messages_are_answered_in_order(
    starter_data_dir: Path, base_assistant: Assistant, sqlite_url: str, zalo: ZaloStandIn
) -> None:
    """A follow-up sent right after the question is answered about the question's procedure."""
    assistant = make_assistant(base_assistant, sqlite_url)
    settings = zalo_settings(starter_data_dir, sqlite_url, zalo)
    async with app_client(settings, assistant) as (client, _app):
        for i, text in enumerate(["lệ phí đăng ký kết hôn", "nộp ở đâu", "mất bao lâu"]):
            body, headers = signed(zalo_event(text=text, msg_id=f"o{i}"))
            assert (await client.post("/webhooks/zalo", content=body, headers=headers)).json() == {
                "status": "accepted"
            }
        await eventually(lambda: len(zalo.sent) >= 3, what="three answers")
    texts = zalo.sent_texts(USER)
    assert all("kết hôn" in t.lower() for t in texts), texts
    assert texts[0] != texts[1] != texts[2]
    assistant.conversations.close()
