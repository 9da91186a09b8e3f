"""The handoff inbox: the store on SQLite and PostgreSQL, the assistant's side, and a round trip
on the web channel over the real app (citizen ↔ staff member), pages included."""

from __future__ import annotations

import datetime as dt
import re
import threading

import httpx
import pytest
from sqlalchemy import update

from assistant.messages import message
from assistant.service import Message
from staff.handoff import HandoffStore, handoffs
from staff.store import StaffError, StaleVersion
from tests.staff.conftest import PASSWORD, StaffEnv, token

pytestmark = pytest.mark.anyio


def test_one_active_handoff_per_conversation_even_when_two_workers_race(
    database_url: str,
) -> None:
    stores = [HandoffStore(database_url), HandoffStore(database_url)]  # two workers
    try:
        barrier = threading.Barrier(8)

        def ask(i: int) -> None:
            barrier.wait()
            stores[i % 2].request("conv-1", "web", "w-1", "asked", f"gặp cán bộ {i}", "vi")

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        inbox = stores[0].inbox()
        assert [(h.conversation_id, h.status) for h in inbox] == [("conv-1", "open")]
        assert not stores[0].request("conv-2", "openai", "key-1", "asked", "người thật", "vi")
        assert len(stores[1].inbox()) == 1  # the API-only channel is never queued
    finally:
        for s in stores:
            s.close()


def test_claim_hold_reply_release_and_timeout(database_url: str) -> None:
    store = HandoffStore(database_url, timeout=dt.timedelta(minutes=30))
    try:
        store.request("conv-1", "web", "w-1", "unhelped", "hỏi mãi không được", "en")
        (h,) = store.inbox()
        assert h.reason == "unhelped" and h.language == "en"
        assert not store.holding("conv-1", "before the claim")  # the assistant still answers
        with pytest.raises(StaffError, match="claim"):
            store.add_staff_message(h.id, "ed", "hello")

        claimed = store.claim(h.id, h.version, "ed")
        with pytest.raises(StaleVersion):  # a colleague who saw the same version
            store.claim(h.id, h.version, "ed2")
        with pytest.raises(StaleVersion, match="ed"):
            store.add_staff_message(h.id, "ed2", "me too")
        assert store.holding("conv-1", "số tôi là [số điện thoại]")
        sent = store.add_staff_message(h.id, "ed", "  Chào bạn, mình là cán bộ.  ")
        assert sent.text == "Chào bạn, mình là cán bộ." and sent.delivery == "pending"
        with pytest.raises(StaffError, match=r"trống|empty"):
            store.add_staff_message(h.id, "ed", "   ")
        with pytest.raises(StaffError, match="2000"):
            store.add_staff_message(h.id, "ed", "x" * 2001)

        thread = store.get(h.id).thread
        assert [(m.sender, m.text) for m in thread] == [
            ("citizen", "số tôi là [số điện thoại]"),
            ("staff", "Chào bạn, mình là cán bộ."),
        ]
        messages, status = store.web_messages("w-1")
        assert [m.text for m in messages] == ["Chào bạn, mình là cán bộ."] and status == "claimed"
        assert store.get(h.id).thread[-1].delivery == "sent"  # the widget took it
        assert store.web_messages("w-1", after=messages[-1].id) == ([], "claimed")

        current = store.get(h.id)
        with pytest.raises(StaleVersion, match="ed"):  # not the claimer, not an admin
            store.release(h.id, current.version, "ed2")
        released = store.release(h.id, current.version, "ed2", admin=True)
        assert released.status == "closed" and released.close_reason == "released"
        assert not store.holding("conv-1", "again")
        assert store.inbox() == [] and store.web_messages("w-1")[1] is None
        assert claimed.claimed_by == "ed"

        # A claimer who goes silent past the timeout hands the conversation back.
        store.request("conv-1", "web", "w-1", "asked", "gặp cán bộ", "vi")
        (again,) = store.inbox()
        store.claim(again.id, again.version, "ed")
        with store.engine.begin() as connection:
            an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
            connection.execute(
                update(handoffs)
                .where(handoffs.c.id == again.id)
                .values(claimed_at=an_hour_ago, last_staff_at=an_hour_ago)
            )
        assert not store.holding("conv-1", "còn ai không?")
        timed_out = store.get(again.id)
        assert (timed_out.status, timed_out.close_reason) == ("closed", "timeout")
    finally:
        store.close()


def test_the_assistant_queues_asks_and_repeated_misses(staff_env: StaffEnv) -> None:
    from bots.staff.console import StaffConsole

    console = StaffConsole(staff_env.settings)
    console.open(staff_env.assistant)
    try:
        ask = staff_env.assistant.reply
        asked = ask(Message(channel="web", user="w-a", text="cho tôi gặp cán bộ"))
        assert asked.kind == "handoff" and asked.handoff == "queued"
        assert message("handoff_asked", "vi") in asked.text

        first = ask(Message(channel="web", user="w-b", text="giá vàng hôm nay bao nhiêu"))
        assert first.kind == "out_of_scope" and first.handoff is None
        second = ask(Message(channel="web", user="w-b", text="thời tiết ngày mai thế nào"))
        assert second.kind == "out_of_scope" and second.handoff == "queued"
        assert message("handoff_unhelped", "vi") in second.text

        api = ask(Message(channel="openai", user="key-1", text="cho tôi gặp cán bộ"))
        assert api.kind == "handoff" and api.handoff is None  # nobody could answer there
        reasons = sorted((h.user_id, h.reason) for h in console.handoffs.inbox())
        assert reasons == [("w-a", "asked"), ("w-b", "unhelped")]
    finally:
        console.close()
    assert staff_env.assistant.handoffs is None


async def test_web_round_trip_between_a_citizen_and_a_staff_member(
    client: httpx.AsyncClient,
) -> None:
    citizen = "w-citizen-1"

    async def say(text: str) -> dict[str, object]:
        response = await client.post("/v1/chat", json={"user": citizen, "text": text})
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def fetch(after: int = 0) -> dict[str, object]:
        response = await client.get("/v1/chat/messages", params={"user": citizen, "after": after})
        assert response.status_code == 200, response.text
        return dict(response.json())

    assert await fetch() == {"messages": [], "handoff": None}
    asked = await say("tôi muốn nói chuyện với cán bộ")
    assert asked["handoff"] == "queued"
    assert (await fetch())["handoff"] == "queued"

    viewer, editor, other = [await token(client, n) for n in ("view", "ed", "ed2")]
    assert (await client.get("/staff/api/handoffs")).status_code == 401
    (item,) = (await client.get("/staff/api/handoffs", headers=viewer)).json()
    assert item["channel"] == "web" and item["reason"] == "asked" and item["status"] == "open"
    path = f"/staff/api/handoffs/{item['id']}"
    body = {"version": item["version"]}
    assert (await client.post(f"{path}/claim", json=body, headers=viewer)).status_code == 403
    claimed = await client.post(f"{path}/claim", json=body, headers=editor)
    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == "ed"
    taken = await client.post(f"{path}/claim", json=body, headers=other)
    assert taken.status_code == 409 and "ed" in taken.json()["error"]["message"]

    notice = await fetch()
    assert notice["handoff"] == "with_staff"
    assert [m["text"] for m in notice["messages"]] == [message("handoff_claimed", "vi")]  # type: ignore[union-attr]

    # The assistant is quiet now: the message goes to the staff member, redacted.
    held = await say("số của tôi là 0912 345 678, tôi cần hỏi về hồ sơ")
    assert held["kind"] == "held" and held["text"] == "" and held["handoff"] == "with_staff"
    thread = (await client.get(path, headers=editor)).json()["thread"]
    assert thread[-1]["sender"] == "citizen" and "tôi cần hỏi về hồ sơ" in thread[-1]["text"]
    assert "0912 345 678" not in thread[-1]["text"]
    assert thread[-2]["sender"] == "system"  # the "a staff member joined" notice

    refused = await client.post(f"{path}/reply", json={"text": "x"}, headers=other)
    assert refused.status_code == 409
    too_long = await client.post(f"{path}/reply", json={"text": "x" * 2001}, headers=editor)
    assert too_long.status_code == 422
    sent = await client.post(
        f"{path}/reply", json={"text": "Bạn cần hỏi hồ sơ nào?"}, headers=editor
    )
    assert sent.status_code == 201 and sent.json()["delivery"] == "pending"
    last_seen = notice["messages"][-1]["id"]  # type: ignore[index]
    answer = await fetch(after=last_seen)  # type: ignore[arg-type]
    assert [(m["sender"], m["text"]) for m in answer["messages"]] == [  # type: ignore[union-attr]
        ("staff", "Bạn cần hỏi hồ sơ nào?")
    ]
    assert "ed" not in str(answer["messages"])  # the staff member's account stays private

    current = (await client.get(path, headers=editor)).json()
    released = await client.post(
        f"{path}/release", json={"version": current["version"]}, headers=editor
    )
    assert released.status_code == 200 and released.json()["status"] == "closed"
    bye = await fetch(after=answer["messages"][-1]["id"])  # type: ignore[index]
    assert bye["handoff"] is None
    assert [m["text"] for m in bye["messages"]] == [message("handoff_released", "vi")]  # type: ignore[union-attr]
    back = await say("lệ phí đăng ký khai sinh")
    assert back["kind"] == "answer" and back["handoff"] is None

    audit = (await client.get("/staff/api/audit", headers=await token(client, "admin"))).json()
    actions = [e["action"] for e in audit if e["entity"] == "handoff"]
    assert actions == ["handoff_released", "handoff_reply", "handoff_claim"]

    bad = await client.get("/v1/chat/messages", params={"user": "bad id!", "after": -1})
    assert bad.status_code == 422


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


async def test_inbox_pages_claim_reply_and_release(client: httpx.AsyncClient) -> None:
    citizen = "w-citizen-2"
    await client.post("/v1/chat", json={"user": citizen, "text": "cho gặp nhân viên hỗ trợ"})
    assert (await client.get("/staff/inbox")).status_code == 303  # anonymous: to the login
    login_page = await client.get("/staff/login")
    form = {"username": "ed", "password": PASSWORD}
    if 'name="csrf_token"' in login_page.text:  # the login form's own CSRF token
        form["csrf_token"] = csrf_of(login_page.text)
    logged_in = await client.post("/staff/login", data=form)
    assert logged_in.status_code == 303
    inbox = await client.get("/staff/inbox")
    assert inbox.status_code == 200 and "cho gặp nhân viên hỗ trợ" in inbox.text
    handoff_id = re.search(r'href="/staff/inbox/([0-9a-f]{32})"', inbox.text).group(1)  # type: ignore[union-attr]
    page = await client.get(f"/staff/inbox/{handoff_id}")
    csrf = csrf_of(page.text)
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)  # type: ignore[union-attr]
    forged = await client.post(
        f"/staff/inbox/{handoff_id}/claim", data={"version": version, "csrf_token": "forged"}
    )
    assert forged.status_code == 403
    claimed = await client.post(
        f"/staff/inbox/{handoff_id}/claim", data={"version": version, "csrf_token": csrf}
    )
    assert claimed.status_code == 303
    page = await client.get(f"/staff/inbox/{handoff_id}")
    assert 'id="reply-form"' in page.text and "ed đang hỗ trợ" in page.text
    replied = await client.post(
        f"/staff/inbox/{handoff_id}/reply", data={"text": "Mình nghe đây ạ", "csrf_token": csrf}
    )
    assert replied.status_code == 303
    seen = (await client.get("/v1/chat/messages", params={"user": citizen})).json()
    assert seen["messages"][-1]["text"] == "Mình nghe đây ạ"
    page = await client.get(f"/staff/inbox/{handoff_id}")
    assert "Mình nghe đây ạ" in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)  # type: ignore[union-attr]
    stale = await client.post(
        f"/staff/inbox/{handoff_id}/release", data={"version": "1", "csrf_token": csrf}
    )
    assert stale.status_code == 409 and "tải lại" in stale.text  # the page, with the reason
    done = await client.post(
        f"/staff/inbox/{handoff_id}/release", data={"version": version, "csrf_token": csrf}
    )
    assert done.status_code == 303 and done.headers["location"] == "/staff/inbox?done=released"
    inbox = await client.get(done.headers["location"])
    assert "Không có ai đang chờ" in inbox.text and "Đã kết thúc" in inbox.text
    empty = await client.post(
        f"/staff/inbox/{handoff_id}/reply", data={"text": " ", "csrf_token": csrf}
    )
    assert empty.status_code in (400, 409) and 'role="alert"' in empty.text
