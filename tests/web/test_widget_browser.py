"""The widget in headless Chromium, on the demo page served by a real uvicorn server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.dialogue import ConversationStore
from assistant.service import Assistant
from assistant.settings import Settings
from tests.web.conftest import CHROMIUM_FLAGS, LiveServer, parse_sse, run_server

TIMEOUT_MS = 30_000


def wait_for(condition: Any, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())


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


def test_widget_asks_streams_rates_and_remembers(
    live_server: LiveServer, browser: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    feedback = live_server.assistant.conversations.feedback_counts
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{live_server.url}/")

        # Open with the bubble: a labelled dialog, focus in the question box.
        bubble = page.get_by_role("button", name="Mở trợ lý thủ tục hành chính")
        expect(bubble).to_have_attribute("aria-expanded", "false")
        bubble.click()
        dialog = page.get_by_role("dialog", name="Trợ lý thủ tục hành chính")
        expect(dialog).to_be_visible()
        expect(bubble).to_have_attribute("aria-expanded", "true")
        box = dialog.get_by_role("textbox", name="Câu hỏi của bạn")
        expect(box).to_be_focused()
        log = dialog.get_by_role("log")
        expect(log).to_have_attribute("aria-live", "polite")

        # Ask without diacritics; Enter sends; the answer streams in over SSE.
        with page.expect_response(lambda r: r.url.endswith("/v1/chat/stream")) as info:
            box.fill("lam giay khai sinh can gi")
            box.press("Enter")
        events = parse_sse(info.value.text())
        assert info.value.headers["content-type"].startswith("text/event-stream")
        assert [e.event for e in events].count("delta") >= 2
        assert events[-1].event == "reply"
        answers = log.locator(".msg.bot")
        answer = answers.last
        expect(answer).to_contain_text("Giấy tờ")
        citation = answer.locator("a.citation").first
        expect(citation).to_have_attribute("href", events[-1].data["citations"][0]["url"])
        expect(citation).to_have_attribute("target", "_blank")
        # A long answer is shown from its first line, not scrolled to its end.
        top, frame = answer.bounding_box(), log.bounding_box()
        assert top is not None and frame is not None
        assert frame["y"] - 1 <= top["y"] <= frame["y"] + frame["height"] / 2
        page.screenshot(path=str(tmp_path / "widget-answer.png"))

        # A quick reply sends its text and gets its own answer.
        count = answers.count()
        quick = answer.get_by_role("group", name="Gợi ý câu hỏi").get_by_role("button")
        sent = events[-1].data["quick_replies"][0]["text"]
        expect(quick.first).to_have_text(events[-1].data["quick_replies"][0]["label"])
        quick.first.click()
        expect(answers).to_have_count(count + 1)
        expect(log.locator(".msg.user").last).to_contain_text(sent)
        latest = answers.last
        expect(latest.locator(".feedback")).to_be_visible()

        # Thumbs up reaches the database.
        before = feedback().get("up", 0)
        latest.get_by_role("button", name="Hữu ích", exact=True).click()
        expect(latest.get_by_role("status")).to_have_text("Cảm ơn bạn đã góp ý!")
        assert wait_for(lambda: feedback().get("up", 0) == before + 1)
        page.screenshot(path=str(tmp_path / "widget-desktop.png"))

        # Reload: the panel, the transcript and the rating are kept.
        transcript = log.locator(".msg").all_inner_texts()
        page.reload()
        dialog = page.get_by_role("dialog", name="Trợ lý thủ tục hành chính")
        expect(dialog).to_be_visible()
        log = dialog.get_by_role("log")
        expect(log.locator(".msg")).to_have_count(len(transcript))
        assert log.locator(".msg").all_inner_texts() == transcript
        expect(log.locator(".msg.user").first).to_contain_text("lam giay khai sinh can gi")
        thumb = log.locator(".msg.bot").last.get_by_role("button", name="Hữu ích", exact=True)
        expect(thumb).to_have_attribute("aria-pressed", "true")

        # Keyboard: Escape closes and gives focus back to the bubble; Enter reopens.
        dialog.get_by_role("textbox").focus()
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        bubble = page.get_by_role("button", name="Mở trợ lý thủ tục hành chính")
        expect(bubble).to_be_focused()

        # Phone width: the panel fills the screen, nothing scrolls sideways.
        page.set_viewport_size({"width": 360, "height": 740})
        page.keyboard.press("Enter")
        expect(dialog).to_be_visible()
        panel = dialog.bounding_box()
        assert panel is not None
        assert panel["x"] == 0 and panel["width"] == 360
        send = dialog.get_by_role("button", name="Gửi câu hỏi").bounding_box()
        assert send is not None and send["x"] + send["width"] <= 360
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        phone_shot = tmp_path / "widget-360.png"
        page.screenshot(path=str(phone_shot))
        print(f"\nwidget screenshots: {tmp_path / 'widget-desktop.png'} {phone_shot}")
        assert not errors, errors
    finally:
        context.close()


def test_widget_in_english_by_keyboard(live_server: LiveServer, browser: Any) -> None:
    """Another page of the same site loads the widget in English; driven by keyboard only."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1024, "height": 768})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/healthz")
        page.evaluate(
            """() => {
                window.assistantWidgetConfig = {language: "en", title: "Help desk",
                                                colors: {primary: "#123456"}};
                const script = document.createElement("script");
                script.src = "/widget.js";
                document.body.appendChild(script);
            }"""
        )
        bubble = page.get_by_role("button", name="Open the public-service assistant")
        bubble.focus()
        page.keyboard.press("Enter")
        dialog = page.get_by_role("dialog", name="Help desk")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_role("log")).to_contain_text("Hello!")
        box = dialog.get_by_role("textbox", name="Your question")
        expect(box).to_be_focused()
        page.keyboard.type("how much is the birth registration fee")
        page.keyboard.press("Shift+Enter")  # a new line, not a send
        expect(dialog.locator(".msg.user")).to_have_count(0)
        page.keyboard.press("Backspace")
        page.keyboard.press("Enter")
        answer = dialog.locator(".msg.bot").last
        expect(answer.locator("a.citation")).to_have_count(1)
        expect(answer.get_by_role("group", name="Was this answer helpful?")).to_be_visible()
        expect(answer).to_contain_text("Sources:")
        send = dialog.get_by_role("button", name="Send question")
        # The reply is drawn a moment before the stream closes and the button is enabled again;
        # Tab skips a disabled button, so wait for it (as a person would see it light up).
        expect(send).to_be_enabled()
        page.keyboard.press("Tab")
        expect(send).to_be_focused()
        user_id = page.evaluate("Object.values({...localStorage}).map(JSON.parse)[0].userId")
        dialog.get_by_role("button", name="Start a new conversation").click()
        expect(dialog.locator(".msg")).to_have_count(1)  # the welcome message only
        assert (
            page.evaluate("Object.values({...localStorage}).map(JSON.parse)[0].userId") != user_id
        )
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(bubble).to_be_focused()
    finally:
        context.close()


@pytest.fixture()
def handoff_server(
    starter_data_dir: Path, web_assistant: Assistant, tmp_path: Path
) -> Iterator[LiveServer]:
    """The app with its conversations (and so the staff inbox) on a database of its own."""
    conversations = ConversationStore(f"sqlite:///{tmp_path / 'handoff.sqlite3'}")
    settings = Settings(data_dir=starter_data_dir, rate_limit_per_minute=0)
    assistant = Assistant(web_assistant.searcher, web_assistant.catalogue, conversations, settings)
    try:
        with run_server(settings, assistant) as url:
            yield LiveServer(url, assistant)
    finally:
        conversations.close()


def test_widget_shows_a_staff_members_replies_during_a_handoff(
    handoff_server: LiveServer, browser: Any
) -> None:
    """The citizen asks for a person; a staff member (here: another worker's store) claims the
    conversation and writes; the widget shows it, the bot stays quiet, then answers again."""
    from playwright.sync_api import expect

    from staff.handoff import HandoffStore

    live_server = handoff_server
    store = HandoffStore(live_server.assistant.conversations.url)
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="vi-VN")
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{live_server.url}/")
        page.get_by_role("button", name="Mở trợ lý thủ tục hành chính").click()
        dialog = page.get_by_role("dialog", name="Trợ lý thủ tục hành chính")
        box = dialog.get_by_role("textbox", name="Câu hỏi của bạn")
        box.fill("cho mình gặp cán bộ với")
        box.press("Enter")
        expect(dialog.locator(".msg.bot").last).to_contain_text("chuyển cuộc trò chuyện cho cán bộ")
        user_id = page.evaluate("Object.values({...localStorage}).map(JSON.parse)[0].userId")
        (handoff,) = [h for h in store.inbox() if h.user_id == user_id]
        store.claim(handoff.id, handoff.version, "ed")
        store.add_staff_message(handoff.id, "ed", "Chào bạn, mình là cán bộ một cửa.")
        staff = dialog.locator(".msg.staff")
        expect(staff).to_have_count(1, timeout=15_000)  # fetched within one poll
        expect(staff).to_contain_text("Cán bộ một cửa")
        expect(staff).to_contain_text("Chào bạn, mình là cán bộ một cửa.")

        bots = dialog.locator(".msg.bot").count()
        box.fill("mình cần hỏi lệ phí đăng ký khai sinh")
        box.press("Enter")
        expect(dialog.locator(".msg.user")).to_have_count(2)
        assert wait_for(
            lambda: "lệ phí đăng ký khai sinh" in str(store.get(handoff.id).thread), 10
        ), "the citizen's message did not reach the staff member's thread"
        page.wait_for_timeout(500)
        assert dialog.locator(".msg.bot").count() == bots  # the assistant stayed quiet

        # A reload mid-handoff keeps listening.
        page.reload()
        page.get_by_role("dialog", name="Trợ lý thủ tục hành chính").wait_for()
        store.add_staff_message(handoff.id, "ed", "Lệ phí đăng ký khai sinh đúng hạn: miễn phí.")
        expect(dialog.locator(".msg.staff")).to_have_count(2, timeout=15_000)
        current = store.get(handoff.id)
        store.release(handoff.id, current.version, "ed")
        page.wait_for_timeout(6_000)  # one more poll sees the handoff closed and stops
        assert page.evaluate("Object.values({...localStorage}).map(JSON.parse)[0].handoff") is None
        box.fill("lệ phí đăng ký khai sinh")
        box.press("Enter")
        expect(dialog.locator(".msg.bot").last).to_contain_text("khai sinh")
        expect(dialog.locator(".msg.bot").last.locator("a.citation").first).to_be_visible()
        assert errors == []
    finally:
        context.close()
        store.close()
