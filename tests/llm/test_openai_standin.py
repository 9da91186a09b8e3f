"""The stand-in speaks the OpenAI chat-completions wire format."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.standins.openai_server import OpenAIStandIn, run_openai_standin

pytestmark = pytest.mark.timeout(10)


def chat(standin: OpenAIStandIn, **body: object) -> httpx.Response:
    payload = {"model": "m", "messages": [{"role": "user", "content": "xin chào"}], **body}
    return httpx.post(f"{standin.base_url}/chat/completions", json=payload, timeout=5)


def test_base_url_and_models(openai_standin: OpenAIStandIn) -> None:
    assert openai_standin.base_url.startswith("http://127.0.0.1:")
    assert openai_standin.base_url.endswith("/v1")
    data = httpx.get(f"{openai_standin.base_url}/models", timeout=5).json()
    assert data["object"] == "list"
    assert data["data"][0]["id"] == "standin-model"


def test_non_streaming_wire_format(openai_standin: OpenAIStandIn) -> None:
    openai_standin.reply = lambda messages: f"echo: {messages[-1]['content']}"
    data = chat(openai_standin).json()
    assert data["object"] == "chat.completion"
    assert data["id"] and isinstance(data["created"], int) and data["model"] == "m"
    (choice,) = data["choices"]
    assert choice == {
        "index": 0,
        "message": {"role": "assistant", "content": "echo: xin chào"},
        "finish_reason": "stop",
    }
    assert set(data["usage"]) == {"prompt_tokens", "completion_tokens", "total_tokens"}
    assert openai_standin.requests[-1].body["messages"][0]["content"] == "xin chào"


def test_streaming_wire_format(openai_standin: OpenAIStandIn) -> None:
    openai_standin.reply = "một hai ba"
    response = chat(openai_standin, stream=True, stream_options={"include_usage": True})
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [line[6:] for line in response.text.split("\n\n") if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    content = [c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"]]
    assert "".join(content) == "một hai ba"
    assert content[1:4] == ["một", " hai", " ba"]
    finishes = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]]
    assert finishes[-1] == "stop" and set(finishes[:-1]) == {None}
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0


@pytest.mark.parametrize(("status", "retry_after"), [(500, None), (429, "7"), (401, None)])
def test_failures(openai_standin: OpenAIStandIn, status: int, retry_after: str | None) -> None:
    openai_standin.fail(status, retry_after=retry_after)
    response = chat(openai_standin)
    assert response.status_code == status
    assert "message" in response.json()["error"]
    assert response.headers.get("retry-after") == retry_after


def test_fail_a_number_of_times_then_answer(openai_standin: OpenAIStandIn) -> None:
    openai_standin.fail(500, times=2)
    openai_standin.reply = "ok"
    statuses = [chat(openai_standin).status_code for _ in range(3)]
    assert statuses == [500, 500, 200]


def test_delay_and_request_log(openai_standin: OpenAIStandIn) -> None:
    openai_standin.delay_s = 0.3
    started = time.monotonic()
    httpx.post(
        f"{openai_standin.base_url}/chat/completions",
        json={"model": "m", "messages": []},
        headers={"Authorization": "Bearer abc"},
        timeout=5,
    )
    assert time.monotonic() - started >= 0.3
    (request,) = openai_standin.chat_requests
    assert request.headers["authorization"] == "Bearer abc"
    assert request.method == "POST" and request.path == "/v1/chat/completions"
    openai_standin.reset()
    assert openai_standin.requests == [] and openai_standin.delay_s == 0.0


def test_shuts_down_cleanly_even_mid_delay() -> None:
    with run_openai_standin() as standin:
        url = standin.base_url
        standin.delay_s = 30
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(f"{url}/chat/completions", json={"messages": []}, timeout=0.2)
        started = time.monotonic()
    assert time.monotonic() - started < 3
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/models", timeout=1)
