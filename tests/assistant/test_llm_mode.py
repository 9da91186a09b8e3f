"""LLM answer mode through the service, against the OpenAI-compatible stand-in server.

The production client (`ChatOpenAI` built by `build_chat_model`) talks real HTTP to a real
loopback server; the grounded answer must take over when the LLM fails, is slow or writes
a number the record does not contain.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.reply import Reply
from assistant.service import Assistant, Message, StreamDelta
from assistant.settings import Settings
from tests.standins.openai_server import OpenAIStandIn, run_openai_standin

TIMEOUT_S = 2.0
QUESTION = "đăng ký kết hôn mất bao lâu"  # 1.000894: "1 ngày làm việc" in the record


@pytest.fixture()
def llm() -> Iterator[OpenAIStandIn]:
    with run_openai_standin() as server:
        yield server


@pytest.fixture()
def assistant(starter_data_dir: Path, llm: OpenAIStandIn) -> Iterator[Assistant]:
    settings = Settings(
        data_dir=starter_data_dir,
        answer_mode="llm",
        llm_base_url=llm.base_url,
        llm_model="stand-in",
        llm_api_key="test-key",
        llm_timeout_s=TIMEOUT_S,
        llm_max_retries=0,
    )
    service = Assistant.from_settings(settings)
    yield service
    service.close()


def ask(assistant: Assistant, text: str = QUESTION) -> Reply:
    return assistant.reply(Message(channel="web", user=uuid.uuid4().hex, text=text))


def test_llm_answer_is_used_when_grounded_and_cited(
    assistant: Assistant, llm: OpenAIStandIn
) -> None:
    llm.reply = "Thủ tục đăng ký kết hôn được giải quyết trong 1 ngày làm việc [1]."
    reply = ask(assistant)
    assert reply.answer_mode == "llm"
    assert reply.text.startswith("Thủ tục đăng ký kết hôn được giải quyết")
    assert reply.citations and reply.citations[0].procedure_code == "1.000894"
    request = llm.chat_requests[-1]
    assert request.headers["authorization"] == "Bearer test-key"
    prompt = "\n".join(str(m.get("content")) for m in request.body["messages"])
    assert "[1]" in prompt and "1.000894" in prompt  # numbered sources from the record


def test_invented_number_falls_back_to_grounded(assistant: Assistant, llm: OpenAIStandIn) -> None:
    llm.reply = "Đăng ký kết hôn mất 15 ngày làm việc và lệ phí 500.000 đồng [1]."
    reply = ask(assistant)
    assert reply.answer_mode == "grounded"
    assert "15 ngày" not in reply.text and "500.000" not in reply.text
    assert "1 ngày làm việc" in reply.text


def test_answer_without_citation_falls_back(assistant: Assistant, llm: OpenAIStandIn) -> None:
    llm.reply = "Thủ tục này khá nhanh."
    assert ask(assistant).answer_mode == "grounded"


def test_llm_down_gives_the_grounded_answer(assistant: Assistant, llm: OpenAIStandIn) -> None:
    llm.fail(500)
    start = time.monotonic()
    reply = ask(assistant)
    assert reply.kind == "answer" and reply.answer_mode == "grounded"
    assert time.monotonic() - start < TIMEOUT_S + 2


def test_slow_llm_gives_the_grounded_answer_within_the_timeout(
    assistant: Assistant, llm: OpenAIStandIn
) -> None:
    llm.reply = "1 ngày làm việc [1]"
    llm.delay_s = TIMEOUT_S * 3
    start = time.monotonic()
    reply = ask(assistant)
    elapsed = time.monotonic() - start
    assert reply.answer_mode == "grounded" and "1 ngày làm việc" in reply.text
    assert elapsed < TIMEOUT_S + 1.5, elapsed


def collect(assistant: Assistant, text: str = QUESTION) -> tuple[list[str], Reply]:
    async def run() -> tuple[list[str], Reply]:
        deltas: list[str] = []
        final: Reply | None = None
        message = Message(channel="web", user=uuid.uuid4().hex, text=text)
        async for item in assistant.stream(message):
            if isinstance(item, StreamDelta):
                deltas.append(item.text)
            else:
                final = item
        assert final is not None
        return deltas, final

    return asyncio.run(run())


def test_streaming_end_to_end(assistant: Assistant, llm: OpenAIStandIn) -> None:
    llm.reply = "Thủ tục đăng ký kết hôn được giải quyết trong 1 ngày làm việc [1]."
    llm.chunk_delay_s = 0.01
    deltas, final = collect(assistant)
    assert len(deltas) > 3  # token by token, not one block
    assert "".join(deltas).strip() == final.text
    assert final.answer_mode == "llm" and final.citations
    assert llm.chat_requests[-1].body.get("stream") is True


def test_streamed_answer_with_invented_number_is_replaced(
    assistant: Assistant, llm: OpenAIStandIn
) -> None:
    llm.reply = "Lệ phí đăng ký kết hôn là 300.000 đồng [1]."
    deltas, final = collect(assistant, "lệ phí đăng ký kết hôn")
    assert "300.000" in "".join(deltas)  # it was streamed …
    assert final.answer_mode == "grounded" and "300.000" not in final.text  # … and replaced


def test_grounded_streaming_needs_no_llm(starter_data_dir: Path) -> None:
    service = Assistant.from_settings(Settings(data_dir=starter_data_dir))
    try:
        deltas, final = collect(service, "lam giay khai sinh can gi")
    finally:
        service.close()
    assert final.answer_mode == "grounded" and final.kind == "answer"
    assert "".join(deltas) == final.text
