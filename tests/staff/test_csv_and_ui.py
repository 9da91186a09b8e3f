"""FAQ CSV import/export (all or nothing, per-row errors) and the server-rendered console
with its cookie session and CSRF protection."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.staff.conftest import PASSWORD, token

pytestmark = pytest.mark.anyio

HEADER = "id,questions,answer_vi,answer_en,procedure_codes,source_url,review_on,expires_on\n"
GOOD = (
    HEADER
    + 'faq-1,"Làm hộ chiếu ở đâu? | lam ho chieu o dau",Tại Phòng Quản lý xuất nhập cảnh.,'
    + "At the immigration office.,1.001193,https://dichvucong.gov.vn/,2027-01-01,\n"
    + "faq-2,Giờ làm việc của bộ phận một cửa?,Từ 7h30 đến 17h các ngày làm việc.,,,,,\n"
)


async def upload(client: httpx.AsyncClient, headers: dict[str, str], data: bytes) -> httpx.Response:
    return await client.post(
        "/staff/api/faqs/import",
        content=data,
        headers={**headers, "Content-Type": "text/csv"},
    )


async def count(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return len((await client.get("/staff/api/faqs", headers=headers)).json())


async def test_csv_import_then_export_round_trips(client: httpx.AsyncClient) -> None:
    editor = await token(client, "ed")
    imported = await upload(client, editor, GOOD.encode())
    assert imported.status_code == 201, imported.text
    assert imported.json() == {"imported": 2, "ids": ["faq-1", "faq-2"]}
    faq = (await client.get("/staff/api/faqs/faq-1", headers=editor)).json()
    assert faq["questions"] == ["Làm hộ chiếu ở đâu?", "lam ho chieu o dau"]
    assert faq["status"] == "draft" and faq["review_on"] == "2027-01-01"
    exported = await client.get("/staff/api/faqs.csv", headers=editor)
    assert exported.headers["content-type"].startswith("text/csv")
    text = exported.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("id,questions,answer_vi")
    assert "Làm hộ chiếu ở đâu? | lam ho chieu o dau" in text
    # The export imports back into an empty console (ids renamed to avoid clashes).
    again = text.replace("faq-1", "faq-1b").replace("faq-2", "faq-2b")
    assert (await upload(client, editor, again.encode())).status_code == 422  # same questions


@pytest.mark.parametrize(
    ("data", "status", "problem"),
    [
        (b"question,answer\nA,B\n", 422, "unknown columns"),
        (HEADER.encode() + b"x,Hoi?,Tra loi,,,,,\n" + b"y,hoi,Tra loi 2,,,,,\n", 422, "duplicate"),
        ((GOOD + "z,Hỏi thêm?,,,,,,\n").encode(), 422, "answer"),
        (GOOD.encode() + b'z,"' + b"a" * 6000 + b'",Tra loi,,,,,\n', 422, "too long"),
        ((GOOD + "z,Ngày?,Tra loi,,,,2027-13-45,\n").encode(), 422, "invalid date"),
        ((GOOD + "z,Thiếu ô\n").encode(), 422, "cells"),
        (HEADER.encode() + b"w,H\xf4i?,\xc3\x28,,,,,\n", 400, "UTF-8"),
        (b"", 422, "empty"),
    ],
)
async def test_bad_csv_gets_a_clear_report_and_imports_nothing(
    client: httpx.AsyncClient, data: bytes, status: int, problem: str
) -> None:
    editor = await token(client, "ed")
    response = await upload(client, editor, data)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    report = " ".join([error["message"], *(r["problem"] for r in error.get("rows", []))])
    assert problem.lower() in report.lower(), report
    assert await count(client, editor) == 0  # nothing half-way


async def test_a_duplicate_of_an_existing_faq_is_reported_by_row(client: httpx.AsyncClient) -> None:
    editor = await token(client, "ed")
    assert (await upload(client, editor, GOOD.encode())).status_code == 201
    clash = HEADER + "faq-3,Một câu mới?,Trả lời.,,,,,\nfaq-4,LAM HO CHIEU O DAU,Trả lời.,,,,,\n"
    response = await upload(client, editor, clash.encode())
    assert response.status_code == 422
    rows = response.json()["error"]["rows"]
    assert [r["row"] for r in rows] == [3] and "faq-1" in rows[0]["problem"]
    assert await count(client, editor) == 2


async def test_oversized_fields_in_the_json_api_are_refused(client: httpx.AsyncClient) -> None:
    editor = await token(client, "ed")
    response = await client.post(
        "/staff/api/faqs", json={"questions": ["q" * 600], "answer_vi": "a"}, headers=editor
    )
    assert response.status_code == 400
    assert "too long" in response.json()["error"]["message"]
    response = await client.post(
        "/staff/api/faqs", json={"questions": ["q"], "answer_vi": "a" * 5000}, headers=editor
    )
    assert response.status_code == 422


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


async def test_console_login_cookie_and_csrf(client: httpx.AsyncClient) -> None:
    login_csrf = csrf_of((await client.get("/staff/login")).text)  # the login form's token
    wrong = await client.post(
        "/staff/login", data={"username": "ed", "password": "nope", "csrf_token": login_csrf}
    )
    assert wrong.status_code == 401 and "Sai tên đăng nhập" in wrong.text
    login = await client.post(
        "/staff/login", data={"username": "ed", "password": PASSWORD, "csrf_token": login_csrf}
    )
    assert login.status_code == 303
    cookie = login.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    page = await client.get("/staff")
    assert page.status_code == 200 and "Hàng chờ xem xét" in page.text
    csrf = csrf_of(page.text)
    # The JSON API with the cookie but without the CSRF header: refused.
    refused = await client.post("/staff/api/faqs", json={"questions": ["q"], "answer_vi": "a"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf"
    created = await client.post(
        "/staff/api/faqs",
        json={"questions": ["Hỏi gì?"], "answer_vi": "Đáp."},
        headers={"X-CSRF-Token": csrf},
    )
    assert created.status_code == 201
    faq_id = created.json()["id"]
    form = {
        "version": "1",
        "questions": "Hỏi gì?\nhoi gi",
        "answer_vi": "Đáp lại.",
        "action": "approve",
    }
    forged = await client.post(f"/staff/faqs/{faq_id}", data={**form, "csrf_token": "forged"})
    assert forged.status_code == 403
    saved = await client.post(f"/staff/faqs/{faq_id}", data={**form, "csrf_token": csrf})
    assert saved.status_code == 303
    faq = (await client.get(f"/staff/api/faqs/{faq_id}")).json()
    assert faq["status"] == "approved" and faq["questions"] == ["Hỏi gì?", "hoi gi"]
    # A stale form (version 1 again) is a conflict, shown on the page.
    stale = await client.post(f"/staff/faqs/{faq_id}", data={**form, "csrf_token": csrf})
    assert stale.status_code == 409 and "tải lại" in stale.text
    logout = await client.post("/staff/logout", data={"csrf_token": csrf})
    assert logout.status_code == 303
    assert (await client.get("/staff/api/faqs")).status_code == 401
