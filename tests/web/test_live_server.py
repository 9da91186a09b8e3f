"""The API on a real uvicorn server (loopback): SSE over TCP and the official OpenAI SDK."""

from __future__ import annotations

import httpx
import pytest

from assistant.reply import Reply
from tests.web.conftest import LiveServer, parse_sse


def test_sse_over_a_real_server(live_server: LiveServer) -> None:
    with (
        httpx.Client(base_url=live_server.url, timeout=30) as client,
        client.stream(
            "POST",
            "/v1/chat/stream",
            json={"user": "live-sse", "text": "lam giay khai sinh can gi"},
            headers={"Accept": "text/event-stream"},
        ) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        chunks = list(response.iter_text())
    events = parse_sse("".join(chunks))
    assert [e.event for e in events][-1] == "reply"
    assert {e.event for e in events[:-1]} == {"delta"}
    reply = Reply.model_validate(events[-1].data)
    assert reply.citations and reply.citations[0].url in reply.text
    assert httpx.get(f"{live_server.url}/healthz").json() == {"status": "ok"}


def test_openai_sdk_against_the_server(live_server: LiveServer) -> None:
    openai = pytest.importorskip("openai")  # installed with langchain-openai
    client = openai.OpenAI(
        base_url=f"{live_server.url}/v1", api_key="unused", max_retries=0, timeout=30
    )
    assert [m.id for m in client.models.list()] == ["vn-public-assistant"]

    completion = client.chat.completions.create(
        model="vn-public-assistant",
        messages=[{"role": "user", "content": "le phi dang ky khai sinh"}],
        user="sdk-user-1",
    )
    content = completion.choices[0].message.content or ""
    extra = completion.model_extra or {}
    assert completion.object == "chat.completion"
    assert extra["citations"][0]["procedure_code"] == "1.001193"
    assert extra["citations"][0]["url"] in content

    stream = client.chat.completions.create(
        model="vn-public-assistant",
        messages=[{"role": "user", "content": "lam giay khai sinh can gi"}],
        stream=True,
        user="sdk-user-2",
    )
    chunks = list(stream)
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert chunks[-1].choices[0].finish_reason == "stop"
    last_extra = chunks[-1].model_extra or {}
    assert last_extra["citations"][0]["url"] in streamed
    assert "Giấy tờ" in streamed
