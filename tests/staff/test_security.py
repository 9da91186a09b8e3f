"""Security of the console and the chat API: headers, escaping of citizen and staff text on
every console page (XSS), SQL-looking input treated as text, and no personal data in logs."""

from __future__ import annotations

import logging
import re

import httpx
import pytest

from bots.web.security import STAFF_CSP
from staff.store import StaffStore
from tests.staff.conftest import PASSWORD, StaffEnv, token

pytestmark = pytest.mark.anyio

SCRIPT = "<script>alert('xss')</script>"
IMG = '<img src=x onerror="alert(1)">'


async def console_login(client: httpx.AsyncClient, username: str = "ed") -> None:
    page = await client.get("/staff/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    form = {"username": username, "password": PASSWORD}
    if csrf:
        form["csrf_token"] = csrf.group(1)
    assert (await client.post("/staff/login", data=form)).status_code == 303


async def test_security_headers(client: httpx.AsyncClient) -> None:
    for path in ("/staff/login", "/staff/static/staff.css", "/staff/api/me"):
        response = await client.get(path)
        assert response.headers["content-security-policy"] == STAFF_CSP, path
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
    public = await client.get("/healthz")
    assert public.headers["x-content-type-options"] == "nosniff"
    assert public.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "content-security-policy" not in public.headers  # the widget is embedded elsewhere
    big = await client.post(
        "/v1/chat", content=b"x" * 10_000_000, headers={"content-type": "application/json"}
    )
    assert big.status_code == 413 and big.headers["x-content-type-options"] == "nosniff"


async def test_citizen_and_staff_text_is_escaped_on_every_console_page(
    client: httpx.AsyncClient, staff_env: StaffEnv
) -> None:
    # A citizen's hostile text reaches the review queue and the handoff inbox.
    for user, text in (("w-x1", f"{SCRIPT} gặp cán bộ"), ("w-x2", f"{IMG} thời tiết")):
        reply = await client.post("/v1/chat", json={"user": user, "text": text})
        assert reply.status_code == 200
    await client.post("/v1/chat", json={"user": "w-x2", "text": f"{IMG} giá vàng"})
    editor = await token(client, "ed")
    faq = await client.post(
        "/staff/api/faqs",
        json={"questions": [f"{SCRIPT} hỏi"], "answer_vi": f"Đáp {IMG}"},
        headers=editor,
    )
    assert faq.status_code == 201
    store = StaffStore(staff_env.store.url)
    try:  # an account name with markup (made outside the console's own checks)
        store.create_user("x<b>y</b>", "not-a-hash", "viewer", actor="test")
    finally:
        store.close()
    (handoff, *_) = (await client.get("/staff/api/handoffs", headers=editor)).json()

    await console_login(client, "admin")
    pages = [
        "/staff",
        f"/staff/faqs/{faq.json()['id']}",
        "/staff/inbox",
        f"/staff/inbox/{handoff['id']}",
        "/staff/users",
        "/staff/corrections",
    ]
    for path in pages:
        page = await client.get(path)
        assert page.status_code == 200, (path, page.status_code)
        assert "<script>alert" not in page.text, path
        assert "<img src=x" not in page.text and "<b>y</b>" not in page.text, path
    overview = (await client.get("/staff")).text
    assert "&lt;script&gt;alert(" in overview or "&lt;img src=x" in overview


async def test_sql_looking_input_is_only_text(client: httpx.AsyncClient) -> None:
    injected = "' OR '1'='1' --"
    login = await client.post("/staff/api/login", json={"username": injected, "password": injected})
    assert login.status_code == 401
    reply = await client.post(
        "/v1/chat", json={"user": "w-sql", "text": "lệ phí khai sinh'; DROP TABLE turns; --"}
    )
    assert reply.status_code == 200 and reply.json()["kind"] == "answer"
    search = await client.get("/v1/search", params={"q": "khai sinh' UNION SELECT * FROM --"})
    assert search.status_code == 200
    editor = await token(client, "ed")
    missing = await client.get("/staff/api/faqs/x' OR 1=1 --", headers=editor)
    assert missing.status_code == 404
    again = await client.post("/v1/chat", json={"user": "w-sql", "text": "lệ phí khai sinh"})
    assert again.status_code == 200  # the turns table is still there


async def test_personal_data_never_reaches_the_logs(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = ["079095001234", "0912 345 678", "0912345678", "an.nguyen@example.com"]
    text = "CCCD 079095001234, sđt 0912 345 678 (0912345678), email an.nguyen@example.com"
    for user, message in (
        ("w-pii", f"{text} làm lại căn cước thế nào"),
        ("w-pii", f"{text} cho tôi gặp cán bộ"),
        ("w-pii2", f"{text} thời tiết"),
    ):
        response = await client.post("/v1/chat", json={"user": user, "text": message})
        assert response.status_code == 200
    stream = await client.post("/v1/chat/stream", json={"user": "w-pii3", "text": text})
    assert stream.status_code == 200
    feedback_for = (
        await client.post("/v1/chat", json={"user": "w-pii4", "text": "lệ phí khai sinh"})
    ).json()
    await client.post(
        "/v1/feedback", json={"reply_id": feedback_for["id"], "rating": "down", "comment": text}
    )
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert caplog.records, "nothing was logged at all: the scan would prove nothing"
    for secret in secrets:
        assert secret not in logged, secret
