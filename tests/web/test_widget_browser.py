"""The widget in headless Chromium, on the demo page served by a real uvicorn server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import CHROMIUM_FLAGS, LiveServer, parse_sse

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
        page.keyboard.press("Tab")
        expect(dialog.get_by_role("button", name="Send question")).to_be_focused()
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
