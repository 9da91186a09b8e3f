"""A staff member's day in headless Chromium, on a real uvicorn server over SQLite.

Citizens ask something the assistant cannot answer (one in the widget on the demo page, two
over HTTP); the questions reach the review queue as one group; an editor logs in, turns the
group into an FAQ, writes and approves it; the widget's citizen asks again and gets the
staff-approved answer; the overview counts the day's questions. The test takes the staff
guide's screenshots: `ASSISTANT_SCREENSHOTS_DIR=docs/img pytest
tests/staff/test_console_browser.py` writes them where docs/staff.md shows them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.dialogue import ConversationStore
from assistant.service import Assistant
from assistant.settings import Settings
from knowledge.search.index import SearchIndex
from knowledge.search.searcher import Searcher
from knowledge.store import CatalogueStore
from staff.passwords import hash_password
from staff.store import StaffStore
from tests.staff.conftest import PASSWORD
from tests.web.conftest import CHROMIUM_FLAGS, parse_sse, run_server
from tests.web.conftest import chromium_executable as chromium_executable  # the fixture

TIMEOUT_MS = 30_000
VIEWPORT = {"width": 1280, "height": 800}
MAX_SHOT_BYTES = 250_000
EDITOR = "thu.nguyen"
# Asked before any FAQ exists, by three citizens (one conversation each, so none is handed
# to the staff inbox): none names a procedure, so each is out of scope; similar enough to
# form one review group. The first is asked in the widget, the others over HTTP.
UNANSWERED = [
    "giờ làm việc của bộ phận một cửa thứ bảy có mở không",
    "bộ phận một cửa thứ bảy có làm việc không",
    "bo phan mot cua thu bay co mo khong",
]
# Asked after the FAQ is approved: a close paraphrase of one of its variants.
ASKED_AGAIN = "Cho hỏi giờ làm việc của bộ phận một cửa thứ bảy có mở cửa không?"
ANSWER_VI = (
    "Bộ phận một cửa làm việc sáng thứ bảy, từ 7 giờ 30 đến 11 giờ 30. "
    "Chiều thứ bảy và chủ nhật nghỉ."
)
ANSWER_EN = "The one-stop office is open on Saturday mornings, 7:30 to 11:30; closed on Sundays."
SOURCE_URL = "https://dichvucong.gov.vn/"
ASKS_FOR_A_PERSON = "cho tôi gặp cán bộ hỗ trợ trực tiếp"
CITIZEN_WHILE_HELD = "Mình muốn hỏi về lệ phí làm hộ chiếu ạ"
STAFF_REPLY = "Chào bạn, mình là cán bộ bộ phận một cửa. Bạn cần hỗ trợ thủ tục nào?"
STAFF_APPROVED = "Câu trả lời đã được cán bộ phê duyệt"


@dataclass
class ConsoleServer:
    url: str
    assistant: Assistant


@pytest.fixture()
def console_server(
    starter_data_dir: Path, starter_index: SearchIndex, tmp_path: Path
) -> Iterator[ConsoleServer]:
    """The web app with the console on a fresh SQLite database and one editor account."""
    copy = tmp_path / "catalogue.sqlite3"
    shutil.copy(starter_data_dir / "assistant.sqlite3", copy)
    catalogue = CatalogueStore(f"sqlite:///{copy}")
    database_url = f"sqlite:///{tmp_path / 'console.sqlite3'}"
    settings = Settings(
        data_dir=starter_data_dir, rate_limit_per_minute=0, staff_secure_cookies=False
    )
    assistant = Assistant(
        Searcher(starter_index, catalogue), catalogue, ConversationStore(database_url), settings
    )
    store = StaffStore(database_url)
    try:
        store.create_user(EDITOR, hash_password(PASSWORD), "editor", actor="test")
    finally:
        store.close()
    try:
        with run_server(settings, assistant) as url:
            yield ConsoleServer(url, assistant)
    finally:
        assistant.close()


@pytest.fixture(scope="module")
def browser(chromium_executable: str) -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture()
def shots(tmp_path: Path) -> Path:
    """Where the screenshots go: $ASSISTANT_SCREENSHOTS_DIR (e.g. docs/img), else tmp_path."""
    named = os.environ.get("ASSISTANT_SCREENSHOTS_DIR", "").strip()
    folder = Path(named) if named else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Citizen:
    """The demo page `/` with the widget open."""

    def __init__(self, page: Any) -> None:
        from playwright.sync_api import expect

        self.page = page
        page.get_by_role("button", name="Mở trợ lý thủ tục hành chính").click()
        self.dialog = page.get_by_role("dialog", name="Trợ lý thủ tục hành chính")
        expect(self.dialog).to_be_visible()
        self.log = self.dialog.get_by_role("log")
        self.answers = self.log.locator(".msg.bot")

    def ask(self, text: str) -> dict[str, Any]:
        """Type the question, press Enter; the streamed `reply` event once it is shown."""
        from playwright.sync_api import expect

        count = self.answers.count()
        box = self.dialog.get_by_role("textbox", name="Câu hỏi của bạn")
        with self.page.expect_response(lambda r: r.url.endswith("/v1/chat/stream")) as info:
            box.fill(text)
            box.press("Enter")
        events = parse_sse(info.value.text())
        assert events and events[-1].event == "reply", events
        expect(self.answers).to_have_count(count + 1)
        expect(self.log).to_have_attribute("aria-busy", "false")
        expect(self.answers.last.locator(".feedback")).to_be_visible()
        reply: dict[str, Any] = events[-1].data
        return reply


def test_a_staff_members_day(console_server: ConsoleServer, browser: Any, shots: Path) -> None:
    from playwright.sync_api import expect

    base = console_server.url
    errors: list[str] = []
    today = dt.datetime.now(dt.UTC).date().isoformat()  # the analytics count UTC days
    taken: list[Path] = []

    def new_page() -> Any:
        context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        return page

    def shot(page: Any, name: str, *, full_page: bool = False) -> None:
        path = shots / name
        page.screenshot(path=str(path), full_page=full_page)
        taken.append(path)

    citizen_page, staff = new_page(), new_page()
    try:
        # 1. Citizens ask, three ways, what no procedure answers: out of scope each time.
        citizen_page.goto(f"{base}/")
        citizen = Citizen(citizen_page)
        replies = [citizen.ask(UNANSWERED[0])]
        for n, text in enumerate(UNANSWERED[1:]):
            response = httpx.post(
                f"{base}/v1/chat", json={"user": f"citizen-{n}", "text": text}, timeout=60
            )
            assert response.status_code == 200, response.text
            replies.append(response.json())
        for text, reply in zip(UNANSWERED, replies, strict=True):
            assert reply["kind"] in ("out_of_scope", "handoff"), (text, reply["kind"])
            assert not any(c["section"] == "faq" for c in reply["citations"])

        # 2. Anonymous at /staff: sent to the login form; log in through it.
        staff.goto(f"{base}/staff")
        expect(staff).to_have_url(f"{base}/staff/login")
        expect(staff.get_by_role("heading", name="Đăng nhập")).to_be_visible()
        staff.get_by_label("Tên đăng nhập / Username").fill(EDITOR)
        staff.get_by_label("Mật khẩu / Password").fill(PASSWORD)
        shot(staff, "staff-1-login.png")
        staff.get_by_role("button", name="Đăng nhập / Log in").click()
        expect(staff).to_have_url(f"{base}/staff")
        expect(staff.locator("header")).to_contain_text(f"{EDITOR} (editor)")

        # 3. The review queue: one group of the three wordings, counted, with its reason.
        rows = staff.locator("#review tbody tr")
        expect(rows).to_have_count(1)
        group = rows.first
        cells = group.locator("td")
        assert cells.nth(0).inner_text().strip() in UNANSWERED  # the group's example
        expect(cells.nth(1)).to_have_text(str(len(UNANSWERED)))
        expect(cells.nth(2)).to_have_text(re.compile(r"^(out_of_scope|handoff)(, \w+)*$"))
        hidden = group.locator('input[name="texts"]')
        assert sorted(hidden.evaluate_all("els => els.map(e => e.value)")) == sorted(UNANSWERED)
        shot(staff, "staff-2-overview-queue.png", full_page=True)
        group.get_by_role("button", name="Tạo FAQ nháp / Draft FAQ").click()

        # 4. The draft: the wordings are its variants; write the answer, approve it.
        expect(staff).to_have_url(re.compile(r"/staff/faqs/[^/?#]+$"))
        faq_id = staff.url.rsplit("/", 1)[-1]
        expect(staff.locator("h1")).to_contain_text("draft")
        form = staff.locator("#faq-form")
        variants = form.locator('textarea[name="questions"]').input_value().splitlines()
        assert sorted(variants) == sorted(UNANSWERED)
        form.get_by_label("Trả lời tiếng Việt / answer (Vietnamese)").fill(ANSWER_VI)
        form.get_by_label("Trả lời tiếng Anh / answer (English)").fill(ANSWER_EN)
        form.get_by_label("Nguồn / source link").fill(SOURCE_URL)
        # (Dates are left empty: headless Chromium shows them mm/dd/yyyy whatever the locale.)
        shot(staff, "staff-3-faq-draft.png", full_page=True)
        form.get_by_role("button", name="Lưu và duyệt / Save and approve", exact=True).click()
        expect(staff.get_by_role("status")).to_contain_text("Đã duyệt / approved")
        faq_row = staff.locator(f'#faqs tr[data-id="{faq_id}"]')
        expect(faq_row.locator(".status")).to_have_text("approved")

        # 5. The citizen asks again: the staff-approved answer, cited with its source link.
        reply = citizen.ask(ASKED_AGAIN)
        assert reply["kind"] == "answer" and reply["aspect"] == "faq", reply
        answer = citizen.answers.last
        expect(answer).to_contain_text(ANSWER_VI)
        expect(answer).to_contain_text(STAFF_APPROVED)
        citation = answer.locator("a.citation")
        expect(citation).to_have_count(1)
        expect(citation).to_have_attribute("href", SOURCE_URL)
        expect(citation).to_contain_text(STAFF_APPROVED)
        shot(citizen_page, "staff-4-widget-approved.png")

        # 6. The overview: today's bar and the total count every question of the test.
        asked = len(UNANSWERED) + 1
        staff.goto(f"{base}/staff")
        chart = staff.locator(".chart[role=img]")
        expect(chart).to_be_visible()
        bar = chart.locator(f'.bar[data-day="{today}"]')
        expect(bar).to_have_count(1)
        expect(bar).to_have_attribute("data-count", str(asked))
        expect(staff.locator("#total-questions")).to_have_text(str(asked))
        # The review group is now answered by the FAQ: marked so, with no second draft button.
        covered = staff.locator(f'#review tr[data-covered-by="{faq_id}"]')
        expect(covered).to_have_count(1)
        expect(covered.get_by_role("button", name="Tạo FAQ nháp / Draft FAQ")).to_have_count(0)
        shot(staff, "staff-5-overview-chart.png")

        # 7. The citizen asks for a person: the inbox shows it; the editor claims it and
        # replies; the reply appears in the widget; releasing hands it back to the assistant.
        asked = citizen.ask(ASKS_FOR_A_PERSON)
        assert asked["kind"] == "handoff" and asked["handoff"] == "queued", asked
        staff.get_by_role("link", name="Hộp thư / Inbox").click()
        row = staff.locator("#inbox tbody tr[data-status=open]")
        expect(row).to_have_count(1)
        expect(row).to_contain_text(ASKS_FOR_A_PERSON)
        row.get_by_role("link", name="Mở / open").click()
        staff.get_by_role("button", name="Nhận hỗ trợ / Claim").click()
        expect(staff.locator("#handoff-status")).to_have_attribute("data-status", "claimed")
        # The citizen writes while claimed: no answer from the bot; the staff page shows it
        # without a reload (the thread page's script, allowed by the console's CSP).
        box = citizen.dialog.get_by_role("textbox", name="Câu hỏi của bạn")
        box.fill(CITIZEN_WHILE_HELD)
        box.press("Enter")
        expect(staff.locator("#thread .msg.citizen").last).to_contain_text(
            CITIZEN_WHILE_HELD, timeout=15_000
        )
        staff.get_by_label("Trả lời người dân / reply to the citizen").fill(STAFF_REPLY)
        staff.get_by_role("button", name="Gửi / Send").click()
        expect(staff.locator("#thread .msg.staff")).to_contain_text(STAFF_REPLY)
        from_staff = citizen.log.locator(".msg.staff")
        expect(from_staff.last).to_contain_text(STAFF_REPLY, timeout=15_000)  # one poll
        shot(staff, "staff-6-inbox-thread.png", full_page=True)
        shot(citizen_page, "staff-7-widget-staff-reply.png")
        staff.get_by_role(
            "button", name="Kết thúc, trả lại trợ lý / Release to the assistant"
        ).click()
        expect(staff.locator("#inbox")).to_contain_text("Không có ai đang chờ")

        assert not errors, errors
    finally:
        citizen_page.context.close()
        staff.context.close()

    sizes = {p.name: p.stat().st_size for p in taken}
    print(f"\nstaff guide screenshots in {shots}: {sizes}")
    assert len(sizes) == 7
    too_big = {name: size for name, size in sizes.items() if size > MAX_SHOT_BYTES}
    assert not too_big, f"screenshots over {MAX_SHOT_BYTES} bytes: {too_big}"
