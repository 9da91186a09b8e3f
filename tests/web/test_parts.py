"""The web channel's small parts: GCRA limits, SSE framing and pings, origins, OpenAI text."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from assistant.reply import Citation, Reply
from bots.web.app import origin_allowed
from bots.web.openai_compat import citation_lines, safe_user_id
from bots.web.ratelimit import MemoryRateLimiter, RedisRateLimiter, gcra
from bots.web.sse import PING, sse_event, with_pings
from tests.web.conftest import free_port, parse_sse


def test_gcra_allows_a_burst_then_one_per_interval() -> None:
    tat = None
    verdicts = []
    for _ in range(4):  # 3 a minute: three at once, the fourth waits 20 s
        verdict, tat = gcra(tat, 100.0, 20.0, 3)
        verdicts.append(verdict)
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert verdicts[-1].retry_after_s == pytest.approx(20.0)
    assert verdicts[-1].retry_after_header == "20"
    later, _ = gcra(tat, 120.0, 20.0, 3)
    assert later.allowed


@pytest.mark.anyio
async def test_memory_limiter_recovers_with_time() -> None:
    now = [0.0]
    limiter = MemoryRateLimiter(2, clock=lambda: now[0])
    assert [(await limiter.hit("a")).allowed for _ in range(3)] == [True, True, False]
    assert (await limiter.hit("b")).allowed
    now[0] = 30.0
    assert (await limiter.hit("a")).allowed


@pytest.mark.anyio
async def test_redis_limiter_lets_requests_through_when_redis_is_down() -> None:
    limiter = RedisRateLimiter(f"redis://127.0.0.1:{free_port()}/0", 1)
    try:
        assert all([(await limiter.hit("x")).allowed for _ in range(3)])
    finally:
        await limiter.close()


def test_sse_event_framing() -> None:
    frame = sse_event("delta", {"text": "a\nb"})
    assert frame == b'event: delta\ndata: {"text": "a\\nb"}\n\n'
    assert parse_sse(sse_event(None, "[DONE]").decode())[0].data == "[DONE]"


@pytest.mark.anyio
async def test_pings_fill_silences_and_end_with_the_stream() -> None:
    async def slow() -> AsyncIterator[bytes]:
        await asyncio.sleep(0.25)
        yield b"event: reply\ndata: {}\n\n"

    frames = [frame async for frame in with_pings(slow(), interval_s=0.05)]
    assert frames[-1].startswith(b"event: reply")
    assert frames.count(PING) >= 2


@pytest.mark.parametrize(
    ("origin", "allowed", "host", "expected"),
    [
        ("https://portal.example", ["https://portal.example"], "api.example", True),
        ("https://portal.example/", ["HTTPS://PORTAL.EXAMPLE"], "api.example", True),
        ("https://evil.example", ["https://portal.example"], "api.example", False),
        ("http://api.example:8000", [], "api.example:8000", True),  # same origin
        ("null", [], "api.example", False),
        ("https://anything.example", ["*"], "api.example", True),
    ],
)
def test_origin_allowed(origin: str, allowed: list[str], host: str, expected: bool) -> None:
    assert origin_allowed(origin, allowed, host) is expected


def test_citation_lines_only_for_sources_not_in_the_text() -> None:
    url = "https://dichvucong.gov.vn/p/1"
    cited = [Citation(procedure_code="1.001193", name="Đăng ký khai sinh", section="fee", url=url)]
    inline = Reply(
        id="r", conversation_id="c", kind="answer", text=f"Nguồn: {url}", citations=cited
    )
    bare = Reply(id="r", conversation_id="c", kind="answer", text="Miễn lệ phí.", citations=cited)
    assert citation_lines(inline) == ""
    assert citation_lines(bare) == f"\n\nNguồn:\n- [1.001193] Đăng ký khai sinh — {url}"


def test_safe_user_id() -> None:
    assert safe_user_id("user-42") == "user-42"
    hashed = safe_user_id("Nguyễn Văn A <a@example.com>")
    assert hashed.startswith("u-") and len(hashed) == 26
    assert safe_user_id("Nguyễn Văn A <a@example.com>") == hashed
