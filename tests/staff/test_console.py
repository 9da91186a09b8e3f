"""The staff console's JSON API: roles, audit, optimistic locking, FAQ priority in answers,
local corrections surviving re-ingest, the review queue, analytics and login throttling."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from knowledge.corpus import bundled_corpus_path
from knowledge.ingest import ingest
from knowledge.store import CatalogueStore
from tests.staff.conftest import PASSWORD, StaffEnv, token

pytestmark = pytest.mark.anyio

FAQ = {
    "questions": ["Lệ phí làm căn cước là bao nhiêu?", "làm căn cước mất bao nhiêu tiền"],
    "answer_vi": "Cấp căn cước lần đầu được miễn lệ phí; cấp đổi, cấp lại nộp lệ phí theo quy định.",
    "answer_en": "A first citizen ID card is free; renewal or re-issue has a fee.",
    "source_url": "https://dichvucong.gov.vn/",
}


async def ask(client: httpx.AsyncClient, text: str, user: str = "citizen-1") -> dict[str, Any]:
    response = await client.post("/v1/chat", json={"user": user, "text": text})
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()
    return reply


def from_faq(reply: dict[str, Any]) -> bool:
    return any(c["section"] == "faq" for c in reply["citations"])


async def approved_faq(client: httpx.AsyncClient, headers: dict[str, str], **extra: Any) -> Any:
    created = await client.post("/staff/api/faqs", json={**FAQ, **extra}, headers=headers)
    assert created.status_code == 201, created.text
    faq = created.json()
    approved = await client.post(
        f"/staff/api/faqs/{faq['id']}/approve", json={"version": faq["version"]}, headers=headers
    )
    assert approved.status_code == 200, approved.text
    return approved.json()


async def test_anonymous_users_get_nothing(client: httpx.AsyncClient) -> None:
    for path in (
        "/staff/api/faqs",
        "/staff/api/review",
        "/staff/api/analytics",
        "/staff/api/audit",
    ):
        response = await client.get(path)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
    bad = await client.get("/staff/api/faqs", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    page = await client.get("/staff")
    assert page.status_code == 303 and page.headers["location"] == "/staff/login"


async def test_viewer_reads_but_cannot_edit_and_only_admins_see_the_audit(
    client: httpx.AsyncClient,
) -> None:
    viewer, editor = await token(client, "view"), await token(client, "ed")
    refused = await client.post("/staff/api/faqs", json=FAQ, headers=viewer)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert (await client.get("/staff/api/faqs", headers=viewer)).json() == []
    created = await client.post("/staff/api/faqs", json=FAQ, headers=editor)
    assert created.status_code == 201
    assert (await client.get("/staff/api/audit", headers=editor)).status_code == 403
    refused = await client.put(
        f"/staff/api/corrections/{'x'}", json={"field": "fee", "value": "1"}, headers=viewer
    )
    assert refused.status_code == 403


async def test_every_change_is_audited_with_before_and_after(client: httpx.AsyncClient) -> None:
    editor, admin = await token(client, "ed"), await token(client, "admin")
    faq = await approved_faq(client, editor)
    edited = await client.put(
        f"/staff/api/faqs/{faq['id']}",
        json={"version": faq["version"], "answer_en": "Free the first time."},
        headers=editor,
    )
    assert edited.status_code == 200 and edited.json()["version"] == 3
    entries = (await client.get("/staff/api/audit", headers=admin)).json()
    mine = [e for e in entries if e["entity"] == "faq" and e["entity_id"] == faq["id"]]
    assert [e["action"] for e in mine] == ["update", "approve", "create"]
    update = mine[0]
    assert update["actor"] == "ed"
    assert update["before"]["answer_en"] == FAQ["answer_en"]
    assert update["after"]["answer_en"] == "Free the first time."
    assert mine[1]["before"]["status"] == "draft" and mine[1]["after"]["status"] == "approved"
    assert mine[2]["before"] is None
    assert dt.datetime.fromisoformat(update["at"]).tzinfo is not None


async def test_two_editors_saving_the_same_faq_do_not_lose_an_update(
    client: httpx.AsyncClient,
) -> None:
    first, second = await token(client, "ed"), await token(client, "ed2")
    faq = (await client.post("/staff/api/faqs", json=FAQ, headers=first)).json()
    a = await client.put(
        f"/staff/api/faqs/{faq['id']}",
        json={"version": faq["version"], "answer_en": "from the first editor"},
        headers=first,
    )
    b = await client.put(
        f"/staff/api/faqs/{faq['id']}",
        json={"version": faq["version"], "answer_en": "from the second editor"},
        headers=second,
    )
    assert a.status_code == 200
    assert b.status_code == 409
    assert b.json()["error"]["code"] == "conflict"
    assert "ed" in b.json()["error"]["message"]
    now = (await client.get(f"/staff/api/faqs/{faq['id']}", headers=second)).json()
    assert now["answer_en"] == "from the first editor" and now["version"] == 2


async def test_an_approved_faq_answers_first_and_is_cited_as_staff_approved(
    client: httpx.AsyncClient,
) -> None:
    before = await ask(client, "le phi lam can cuoc la bao nhieu", user="u-before")
    assert not from_faq(before)
    editor = await token(client, "ed")
    faq = await approved_faq(client, editor)
    reply = await ask(client, "le phi lam can cuoc la bao nhieu", user="u-after")
    assert reply["kind"] == "answer" and reply["aspect"] == "faq"
    assert reply["text"].startswith(FAQ["answer_vi"])
    assert "Câu trả lời đã được cán bộ phê duyệt" in reply["text"]
    assert reply["citations"] == [
        {
            "procedure_code": f"faq:{faq['id']}",
            "name": "Câu trả lời đã được cán bộ phê duyệt",
            "section": "faq",
            "url": FAQ["source_url"],
        }
    ]
    english = await client.post(
        "/v1/chat",
        json={"user": "u-en", "text": "Lệ phí làm căn cước là bao nhiêu?", "locale": "en"},
    )
    assert english.json()["text"].startswith(FAQ["answer_en"])
    streamed = await client.post(
        "/v1/chat/stream", json={"user": "u-llm", "text": "le phi lam can cuoc la bao nhieu"}
    )
    assert FAQ["answer_vi"] in streamed.text
    # A loosely related question is not answered with it.
    other = await ask(client, "làm căn cước cần giấy tờ gì", user="u-other")
    assert not from_faq(other)
    # Retired: no longer used.
    retired = await client.post(
        f"/staff/api/faqs/{faq['id']}/retire", json={"version": faq["version"]}, headers=editor
    )
    assert retired.status_code == 200
    again = await ask(client, "le phi lam can cuoc la bao nhieu", user="u-retired")
    assert not from_faq(again)


async def test_an_expired_faq_is_not_used(client: httpx.AsyncClient) -> None:
    editor = await token(client, "ed")
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    await approved_faq(client, editor, expires_on=yesterday)
    reply = await ask(client, "Lệ phí làm căn cước là bao nhiêu?")
    assert not from_faq(reply)


async def test_a_local_correction_shows_as_local_information_and_survives_reingest(
    client: httpx.AsyncClient, staff_env: StaffEnv
) -> None:
    editor, viewer = await token(client, "ed"), await token(client, "view")
    first = await ask(client, "le phi dang ky khai sinh", user="c1")
    code = first["procedure_code"]
    assert first["kind"] == "answer" and code
    fee = "Miễn phí tại UBND phường Sài Gòn (Nghị quyết HĐND thành phố)"
    saved = await client.put(
        f"/staff/api/corrections/{code}",
        json={"field": "fee", "value": fee, "version": 0},
        headers=editor,
    )
    assert saved.status_code == 200, saved.text
    stale = await client.put(
        f"/staff/api/corrections/{code}",
        json={"field": "fee", "value": "other", "version": 0},
        headers=editor,
    )
    assert stale.status_code == 409
    unknown = await client.put(
        "/staff/api/corrections/no-such-code", json={"field": "fee", "value": "x"}, headers=editor
    )
    assert unknown.status_code == 404
    bad_field = await client.put(
        f"/staff/api/corrections/{code}", json={"field": "name", "value": "x"}, headers=editor
    )
    assert bad_field.status_code == 400
    listed = (await client.get(f"/staff/api/corrections?code={code}", headers=viewer)).json()
    assert listed[0]["value"] == fee

    reply = await ask(client, "le phi dang ky khai sinh", user="c2")
    assert "Thông tin địa phương (cán bộ cập nhật)" in reply["text"]
    assert fee in reply["text"]
    documents = await ask(client, "dang ky khai sinh can giay to gi", user="c3")
    assert fee not in documents["text"]  # a fee fact is not shown in a documents answer

    # `assistant ingest` of the same source again: the catalogue is re-synced, the
    # correction (kept in its own table) still applies.
    catalogue = CatalogueStore(staff_env.catalogue_url)
    try:
        summary = ingest(catalogue, [bundled_corpus_path()])
        assert summary is not None
    finally:
        catalogue.close()
    after = await ask(client, "le phi dang ky khai sinh", user="c4")
    assert fee in after["text"]


async def test_the_review_queue_groups_real_conversations_and_drafts_an_faq(
    client: httpx.AsyncClient,
) -> None:
    for i, text in enumerate(
        [
            "thời tiết hôm nay thế nào",
            "thoi tiet hom nay the nao",
            "Thời tiết hôm nay thế nào ạ?",
            "giá vàng hôm nay",
        ]
    ):
        reply = await ask(client, text, user=f"r{i}")
        assert reply["kind"] == "out_of_scope", reply
    disliked = await ask(client, "lam giay khai sinh can gi", user="r9")
    rated = await client.post("/v1/feedback", json={"reply_id": disliked["id"], "rating": "down"})
    assert rated.status_code == 204
    editor = await token(client, "ed")
    groups = (await client.get("/staff/api/review", headers=editor)).json()
    weather = groups[0]
    assert weather["count"] == 3
    assert weather["reasons"] == {"out_of_scope": 3}
    assert len(weather["texts"]) == 3
    assert any(g["reasons"].get("thumbs_down") == 1 for g in groups)
    draft = await client.post(
        "/staff/api/review/draft", json={"texts": weather["texts"]}, headers=editor
    )
    assert draft.status_code == 201
    faq = draft.json()
    assert faq["status"] == "draft" and faq["questions"] == weather["texts"]
    # A draft cannot be approved until its answer is written.
    refused = await client.post(
        f"/staff/api/faqs/{faq['id']}/approve", json={"version": 1}, headers=editor
    )
    assert refused.status_code == 400


async def test_personal_data_typed_by_citizens_reaches_the_queue_redacted(
    client: httpx.AsyncClient,
) -> None:
    await ask(client, "thời tiết hôm nay thế nào, số tôi 0912345678", user="p1")
    editor = await token(client, "ed")
    groups = (await client.get("/staff/api/review", headers=editor)).json()
    assert all("0912345678" not in t for g in groups for t in g["texts"])


async def test_analytics_count_the_days_questions_per_channel(client: httpx.AsyncClient) -> None:
    await ask(client, "lam giay khai sinh can gi", user="a1")
    await ask(client, "thời tiết hôm nay thế nào", user="a2")
    viewer = await token(client, "view")
    figures = (await client.get("/staff/api/analytics", headers=viewer)).json()
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert figures["per_day"][today]["web"] == 2
    assert figures["questions"] == 2 and figures["answer_rate"] == 0.5
    csv_text = (await client.get("/staff/api/analytics.csv", headers=viewer)).text
    assert f"{today},web,2" in csv_text


async def test_failed_logins_are_throttled(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        wrong = await client.post("/staff/api/login", json={"username": "ed", "password": "bad"})
        assert wrong.status_code == 401
    blocked = await client.post(
        "/staff/api/login", json={"username": "ed", "password": "correct-horse-1"}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0


async def test_only_admins_create_accounts(client: httpx.AsyncClient) -> None:
    admin, editor = await token(client, "admin"), await token(client, "ed")
    body = {"username": "new", "password": PASSWORD, "role": "viewer"}
    assert (await client.post("/staff/api/users", json=body, headers=editor)).status_code == 403
    assert (await client.post("/staff/api/users", json=body, headers=admin)).status_code == 201
    assert (await client.post("/staff/api/users", json=body, headers=admin)).status_code == 409
    await token(client, "new")
