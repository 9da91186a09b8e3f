"""The chain through the real ChatOpenAI client against the OpenAI stand-in server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from assistant.llm import LLMAnswer, LLMChain, LLMUnavailable, Source, build_chat_model
from assistant.settings import Settings
from tests.standins.openai_server import OpenAIStandIn

pytestmark = pytest.mark.timeout(10)


def make_chain(
    standin: OpenAIStandIn,
    sources: list[Source],
    *,
    timeout_s: float = 3.0,
    max_retries: int = 1,
    api_key: str = "",
) -> LLMChain:
    settings = Settings(
        llm_base_url=standin.base_url,
        llm_model="qwen2.5-7b-instruct",
        llm_api_key=api_key,
        llm_timeout_s=timeout_s,
        llm_max_retries=max_retries,
    )
    model = build_chat_model(settings)
    assert model is not None
    return LLMChain(model, lambda _q: sources, timeout_s=settings.llm_timeout_s)


def is_condense(messages: list[dict[str, Any]]) -> bool:
    return "standalone question" in messages[0]["content"]


async def collect(stream: AsyncIterator[str | LLMAnswer]) -> tuple[list[str], LLMAnswer]:
    deltas: list[str] = []
    final: LLMAnswer | None = None
    async for item in stream:
        if isinstance(item, LLMAnswer):
            final = item
        else:
            deltas.append(item)
    assert final is not None
    return deltas, final


def test_non_streaming_answer_with_citations(
    openai_standin: OpenAIStandIn, sources: list[Source]
) -> None:
    openai_standin.reply = "Lệ phí là 8.000 đồng [1]; thời hạn 03 ngày làm việc [2]."
    result = make_chain(openai_standin, sources).answer("phí khai sinh bao nhiêu?", [], "vi")
    assert result.text == "Lệ phí là 8.000 đồng [1]; thời hạn 03 ngày làm việc [2]."
    assert result.cited == [1, 2]
    (request,) = openai_standin.chat_requests
    body = request.body
    assert body["model"] == "qwen2.5-7b-instruct"
    assert not body.get("stream")
    assert body["temperature"] == 0.0
    roles = [m["role"] for m in body["messages"]]
    assert roles == ["system", "user"]
    assert "[1] Đăng ký khai sinh" in body["messages"][0]["content"]
    assert "phí khai sinh bao nhiêu?" in body["messages"][1]["content"]


def test_streaming_deltas_arrive_incrementally(
    openai_standin: OpenAIStandIn, sources: list[Source]
) -> None:
    text = "Lệ phí đăng ký khai sinh là 8.000 đồng [1]."
    openai_standin.reply = text
    openai_standin.chunk_delay_s = 0.05
    chain = make_chain(openai_standin, sources)
    arrivals: list[float] = []

    async def run() -> tuple[list[str], LLMAnswer]:
        deltas: list[str] = []
        final: LLMAnswer | None = None
        async for item in chain.astream("phí?", [], "vi"):
            if isinstance(item, LLMAnswer):
                final = item
            else:
                arrivals.append(time.monotonic())
                deltas.append(item)
        assert final is not None
        return deltas, final

    deltas, final = asyncio.run(run())
    assert len(deltas) > 1
    assert "".join(deltas) == text == final.text
    assert final.cited == [1]
    # Incremental: the first delta came well before the last (the server paused between chunks).
    assert arrivals[-1] - arrivals[0] > 0.2
    (request,) = openai_standin.chat_requests
    assert request.body["stream"] is True


def test_condense_with_history_sends_the_history(
    openai_standin: OpenAIStandIn, sources: list[Source]
) -> None:
    openai_standin.reply = lambda messages: (
        "Lệ phí đăng ký khai sinh là bao nhiêu?" if is_condense(messages) else "8.000 đồng [1]."
    )
    chain = make_chain(openai_standin, sources)
    history = [("làm giấy khai sinh cần gì?", "Cần tờ khai và giấy chứng sinh [1].")]
    result = chain.answer("thế phí bao nhiêu?", history, "vi")
    assert result.question == "Lệ phí đăng ký khai sinh là bao nhiêu?"
    condense, answer = openai_standin.chat_requests
    messages = condense.body["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[1]["content"] == "làm giấy khai sinh cần gì?"
    assert messages[2]["content"] == "Cần tờ khai và giấy chứng sinh [1]."
    assert "thế phí bao nhiêu?" in messages[3]["content"]
    assert "Lệ phí đăng ký khai sinh là bao nhiêu?" in answer.body["messages"][-1]["content"]


def test_server_error_is_unavailable_quickly_with_bounded_retries(
    openai_standin: OpenAIStandIn, sources: list[Source]
) -> None:
    openai_standin.fail(500)
    chain = make_chain(openai_standin, sources, max_retries=1)
    started = time.monotonic()
    with pytest.raises(LLMUnavailable, match=r"model error: .*500"):
        chain.answer("phí?", [], "vi")
    assert time.monotonic() - started < 2.5
    assert len(openai_standin.chat_requests) == 2  # the call and one retry


def test_server_error_in_streaming_is_unavailable(
    openai_standin: OpenAIStandIn, sources: list[Source]
) -> None:
    openai_standin.fail(500)
    chain = make_chain(openai_standin, sources, max_retries=0)
    with pytest.raises(LLMUnavailable, match="model error"):
        asyncio.run(collect(chain.astream("phí?", [], "vi")))
    assert len(openai_standin.chat_requests) == 1


def test_rate_limit_is_retried_after_retry_after(
    openai_standin: OpenAIStandIn, sources: list[Source]
) -> None:
    openai_standin.fail(429, retry_after="0", times=1)
    openai_standin.reply = "8.000 đồng [1]."
    result = make_chain(openai_standin, sources, max_retries=1).answer("phí?", [], "vi")
    assert result.text == "8.000 đồng [1]."
    assert len(openai_standin.chat_requests) == 2


def test_rate_limit_beyond_retries_is_unavailable(
    openai_standin: OpenAIStandIn, sources: list[Source]
) -> None:
    openai_standin.fail(429, retry_after="0")
    with pytest.raises(LLMUnavailable, match="RateLimitError"):
        make_chain(openai_standin, sources, max_retries=1).answer("phí?", [], "vi")
    assert len(openai_standin.chat_requests) == 2


def test_unauthorized_is_not_retried(openai_standin: OpenAIStandIn, sources: list[Source]) -> None:
    openai_standin.fail(401, message="bad key")
    with pytest.raises(LLMUnavailable, match="AuthenticationError"):
        make_chain(openai_standin, sources, max_retries=2).answer("phí?", [], "vi")
    assert len(openai_standin.chat_requests) == 1


def test_slow_server_is_unavailable_within_the_timeout(
    openai_standin: OpenAIStandIn, sources: list[Source]
) -> None:
    openai_standin.delay_s = 3.0
    chain = make_chain(openai_standin, sources, timeout_s=0.5, max_retries=1)
    started = time.monotonic()
    with pytest.raises(LLMUnavailable, match="timeout"):
        chain.answer("phí?", [], "vi")
    assert time.monotonic() - started < 0.5 + 0.5


def test_slow_stream_is_unavailable_within_the_timeout(
    openai_standin: OpenAIStandIn, sources: list[Source]
) -> None:
    openai_standin.reply = " ".join(["chữ"] * 50)
    openai_standin.chunk_delay_s = 0.1
    chain = make_chain(openai_standin, sources, timeout_s=0.6, max_retries=0)
    received: list[str] = []

    async def run() -> None:
        async for item in chain.astream("phí?", [], "vi"):
            assert isinstance(item, str)
            received.append(item)

    started = time.monotonic()
    with pytest.raises(LLMUnavailable, match="timeout"):
        asyncio.run(run())
    assert time.monotonic() - started < 0.6 + 0.5
    assert 0 < len(received) < 50


def test_slow_first_byte_in_streaming_is_unavailable(
    openai_standin: OpenAIStandIn, sources: list[Source]
) -> None:
    openai_standin.delay_s = 3.0
    chain = make_chain(openai_standin, sources, timeout_s=0.5, max_retries=0)
    started = time.monotonic()
    with pytest.raises(LLMUnavailable, match="timeout"):
        asyncio.run(collect(chain.astream("phí?", [], "vi")))
    assert time.monotonic() - started < 1.0


def test_authorization_header_carries_the_key(
    openai_standin: OpenAIStandIn, sources: list[Source]
) -> None:
    openai_standin.reply = "8.000 đồng [1]."
    make_chain(openai_standin, sources, api_key="sk-test-123").answer("phí?", [], "vi")
    (request,) = openai_standin.chat_requests
    assert request.headers["authorization"] == "Bearer sk-test-123"
    assert request.headers["content-type"].startswith("application/json")


def test_without_a_key_a_placeholder_is_sent(
    openai_standin: OpenAIStandIn, sources: list[Source]
) -> None:
    openai_standin.reply = "8.000 đồng [1]."
    make_chain(openai_standin, sources).answer("phí?", [], "vi")
    assert openai_standin.chat_requests[0].headers["authorization"] == "Bearer not-needed"


def test_empty_reply_from_server_is_unavailable(
    openai_standin: OpenAIStandIn, sources: list[Source]
) -> None:
    openai_standin.reply = ""
    chain = make_chain(openai_standin, sources)
    with pytest.raises(LLMUnavailable, match="empty answer"):
        chain.answer("phí?", [], "vi")
    with pytest.raises(LLMUnavailable, match="empty answer"):
        asyncio.run(collect(chain.astream("phí?", [], "vi")))


def test_one_model_streams_from_successive_event_loops(
    openai_standin: OpenAIStandIn, sources: list[Source]
) -> None:
    # The CLI, bots and tests call asyncio.run() repeatedly with one cached model; pooled
    # connections of a closed loop must not be reused ("Event loop is closed").
    openai_standin.reply = "8.000 đồng [1]."
    chain = make_chain(openai_standin, sources, max_retries=0)
    for _ in range(3):
        _deltas, final = asyncio.run(collect(chain.astream("phí?", [], "vi")))
        assert final.text == "8.000 đồng [1]."
    assert chain.answer("phí?", [], "vi").text == "8.000 đồng [1]."
    assert len(openai_standin.chat_requests) == 4
