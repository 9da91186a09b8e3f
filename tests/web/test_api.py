"""The web API against the real app and the starter data (httpx.ASGITransport)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.reply import Reply
from assistant.service import Assistant, StreamDelta
from assistant.settings import Settings
from bots.web.app import create_app
from tests.conftest import skip_or_fail
from tests.web.conftest import api_client, parse_sse

pytestmark = pytest.mark.anyio

BIRTH = "1.001193"  # Thủ tục đăng ký khai sinh, in the starter corpus


def new_user() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["message"].strip()
    if code is not None:
        assert body["error"]["code"] == code
    assert "Traceback" not in response.text
    return dict(body["error"])


# -- chat ---------------------------------------------------------------------------------


async def test_chat_answers_an_unaccented_question_with_a_citation(
    web_settings: Settings, web_assistant: Assistant
) -> None:
    async with api_client(web_settings, web_assistant) as client:
        response = await client.post(
            "/v1/chat", json={"user": new_user(), "text": "lam giay khai sinh can gi"}
        )
    assert response.status_code == 200, response.text
    reply = Reply.model_validate(response.json())
    assert reply.kind == "answer"
    assert reply.procedure_code == BIRTH
    assert reply.aspect == "documents"
    assert [c.procedure_code for c in reply.citations] == [BIRTH]
    assert reply.citations[0].url.startswith("https://")


async def test_chat_keeps_the_conversation_and_honours_the_locale(
    web_settings: Settings, web_assistant: Assistant
) -> None:
    user = new_user()
    async with api_client(web_settings, web_assistant) as client:
        first = await client.post("/v1/chat", json={"user": user, "text": "dang ky khai sinh"})
        follow = await client.post(
            "/v1/chat", json={"user": user, "text": "how much is the fee?", "locale": "en"}
        )
    assert first.json()["conversation_id"] == follow.json()["conversation_id"]
    assert follow.json()["procedure_code"] == BIRTH
    assert follow.json()["language"] == "en"


async def test_stream_sends_deltas_then_one_reply(
    web_settings: Settings, web_assistant: Assistant
) -> None:
    async with (
        api_client(web_settings, web_assistant) as client,
        client.stream(
            "POST",
            "/v1/chat/stream",
            json={"user": new_user(), "text": "le phi dang ky khai sinh"},
        ) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        body = (await response.aread()).decode()
    events = parse_sse(body)
    names = [e.event for e in events]
    assert names[-1] == "reply" and names.count("reply") == 1
    assert set(names[:-1]) == {"delta"} and len(names) >= 2
    reply = Reply.model_validate(events[-1].data)
    assert "".join(e.data["text"] for e in events[:-1]) == reply.text
    assert reply.kind == "answer" and reply.citations and reply.quick_replies


async def test_stream_failure_becomes_an_error_event(
    web_settings: Settings, web_assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(_message: object) -> Any:
        yield StreamDelta("Đang ")
        raise RuntimeError("index went away")

    monkeypatch.setattr(web_assistant, "stream", broken)
    async with api_client(web_settings, web_assistant) as client:
        response = await client.post("/v1/chat/stream", json={"user": new_user(), "text": "x"})
    events = parse_sse(response.text)
    assert [e.event for e in events] == ["delta", "error"]
    assert events[-1].data["error"]["code"] == "internal_error"
    assert "index went away" not in response.text


# -- catalogue, feedback ------------------------------------------------------------------


async def test_search_and_procedure(web_settings: Settings, web_assistant: Assistant) -> None:
    async with api_client(web_settings, web_assistant) as client:
        search = await client.get("/v1/search", params={"q": "giay khai sinh", "top": 3})
        procedure = await client.get(f"/v1/procedures/{BIRTH}")
        unknown = await client.get("/v1/procedures/9.999999")
    assert search.status_code == 200
    results = search.json()["results"]
    assert 1 <= len(results) <= 3 and results[0]["procedure_code"] == BIRTH
    assert procedure.status_code == 200 and procedure.json()["code"] == BIRTH
    error = assert_error(unknown, 404, "not_found")
    assert "9.999999" in error["message"]


async def test_feedback_reaches_the_database(
    web_settings: Settings, web_assistant: Assistant
) -> None:
    async with api_client(web_settings, web_assistant) as client:
        reply = await client.post("/v1/chat", json={"user": new_user(), "text": "khai sinh"})
        before = web_assistant.conversations.feedback_counts().get("down", 0)
        response = await client.post(
            "/v1/feedback",
            json={"reply_id": reply.json()["id"], "rating": "down", "comment": "thiếu mẫu tờ khai"},
        )
        unknown = await client.post("/v1/feedback", json={"reply_id": "nope", "rating": "up"})
    assert response.status_code == 204
    assert web_assistant.conversations.feedback_counts()["down"] == before + 1
    assert_error(unknown, 404, "unknown_reply")


# -- bad input: 4xx JSON, never a 500 -----------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("POST", "/v1/chat", {"json": {"user": "u1"}}),
        ("POST", "/v1/chat", {"json": {"user": "has space", "text": "hi"}}),
        ("POST", "/v1/chat", {"json": {"user": "u1", "text": "hi", "locale": "fr"}}),
        ("POST", "/v1/chat", {"json": {"user": "u1", "text": 5}}),
        ("POST", "/v1/chat", {"json": {"user": "u1", "text": "x" * 8001}}),
        ("POST", "/v1/chat", {"json": ["not", "an", "object"]}),
        (
            "POST",
            "/v1/chat",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
        ),
        ("POST", "/v1/chat/stream", {"json": {"text": "hi"}}),
        ("POST", "/v1/feedback", {"json": {"reply_id": "abc", "rating": "meh"}}),
        ("GET", "/v1/search", {"params": {"q": ""}}),
        ("GET", "/v1/search", {"params": {"q": "khai sinh", "top": 0}}),
        ("GET", "/v1/search", {"params": {"q": "khai sinh", "top": "many"}}),
        ("POST", "/v1/chat/completions", {"json": {"messages": []}}),
        ("POST", "/v1/chat/completions", {"json": {"model": "x"}}),
    ],
)
async def test_bad_input_is_a_422_with_a_message(
    web_settings: Settings, web_assistant: Assistant, method: str, path: str, kwargs: Any
) -> None:
    async with api_client(web_settings, web_assistant) as client:
        response = await client.request(method, path, **kwargs)
    assert_error(response, 422, "invalid_request")


async def test_other_client_errors(web_settings: Settings, web_assistant: Assistant) -> None:
    async with api_client(web_settings, web_assistant) as client:
        no_user_message = await client.post(
            "/v1/chat/completions", json={"messages": [{"role": "system", "content": "be nice"}]}
        )
        unknown_route = await client.get("/v1/nothing")
        wrong_method = await client.get("/v1/chat")
    assert_error(no_user_message, 400, "bad_request")
    assert_error(unknown_route, 404, "not_found")
    assert_error(wrong_method, 405, "method_not_allowed")


async def test_control_characters_are_dropped_and_lone_surrogates_refused(
    web_settings: Settings, web_assistant: Assistant
) -> None:
    control = b'{"user": "u-control", "text": "khai sinh \\u0000\\u001b ok"}'
    surrogate = b'{"user": "u-surrogate", "text": "khai sinh \\ud800"}'
    headers = {"content-type": "application/json"}
    async with api_client(web_settings, web_assistant) as client:
        cleaned = await client.post("/v1/chat", content=control, headers=headers)
        refused = await client.post("/v1/chat", content=surrogate, headers=headers)
    assert cleaned.status_code == 200, cleaned.text
    assert_error(refused, 422, "invalid_request")


# -- limits: body size, rate, keys, origins -----------------------------------------------


async def test_oversized_body_is_refused_with_413(
    web_settings: Settings, web_assistant: Assistant
) -> None:
    settings = web_settings.model_copy(update={"max_request_bytes": 2048})
    big = {"user": "u1", "text": "khai sinh " * 400}

    async def chunked() -> Any:  # no Content-Length: counted while read
        yield b'{"user": "u1", "text": "'
        for _ in range(10):
            yield b"a" * 500
        yield b'"}'

    async with api_client(settings, web_assistant) as client:
        declared = await client.post("/v1/chat", json=big)
        streamed = await client.post(
            "/v1/chat", content=chunked(), headers={"content-type": "application/json"}
        )
        small = await client.post("/v1/chat", json={"user": "u1", "text": "khai sinh"})
    assert "2048" in assert_error(declared, 413, "payload_too_large")["message"]
    assert_error(streamed, 413, "payload_too_large")
    assert small.status_code == 200


async def test_rate_limit_answers_429_with_retry_after(
    web_settings: Settings, web_assistant: Assistant
) -> None:
    settings = web_settings.model_copy(update={"rate_limit_per_minute": 2})
    app_question = {"user": new_user(), "text": "khai sinh"}
    async with api_client(settings, web_assistant, ip="198.51.100.1") as client:
        statuses = [
            (await client.post("/v1/chat", json=app_question)).status_code for _ in range(2)
        ]
        limited = await client.get(f"/v1/procedures/{BIRTH}")
        health = await client.get("/healthz")  # not limited
    assert statuses == [200, 200]
    assert_error(limited, 429, "rate_limited")
    assert 1 <= int(limited.headers["retry-after"]) <= 30
    assert health.status_code == 200


async def test_rate_limit_is_per_client(web_settings: Settings, web_assistant: Assistant) -> None:
    settings = web_settings.model_copy(update={"rate_limit_per_minute": 1})
    app = create_app(settings, web_assistant)
    async with app.router.lifespan_context(app):
        codes = []
        for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.1"):
            transport = httpx.ASGITransport(app=app, client=(ip, 1234))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                codes.append((await client.get(f"/v1/procedures/{BIRTH}")).status_code)
    assert codes == [200, 200, 429]


async def test_rate_limit_in_redis_is_shared_between_workers(
    web_settings: Settings, web_assistant: Assistant
) -> None:
    import redis

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        skip_or_fail(f"Redis is not reachable at {url}: {type(exc).__name__}")
    key = f"test-{uuid.uuid4().hex}"  # a fresh key: a fresh budget on every run
    settings = web_settings.model_copy(
        update={"redis_url": url, "rate_limit_per_minute": 2, "api_keys": [key]}
    )
    headers = {"Authorization": f"Bearer {key}"}
    async with (
        api_client(settings, web_assistant, ip="192.0.2.10") as worker_1,
        api_client(settings, web_assistant, ip="192.0.2.11") as worker_2,
    ):
        first = await worker_1.get("/v1/search", params={"q": "khai sinh"}, headers=headers)
        second = await worker_2.get("/v1/search", params={"q": "khai sinh"}, headers=headers)
        third = await worker_1.get("/v1/search", params={"q": "khai sinh"}, headers=headers)
        other_client = await worker_2.get(f"/v1/procedures/{BIRTH}")  # by IP: its own budget
    assert (first.status_code, second.status_code) == (200, 200)
    assert_error(third, 429, "rate_limited")
    assert int(third.headers["retry-after"]) >= 1
    assert other_client.status_code == 200


async def test_api_keys_guard_server_endpoints_only(
    web_settings: Settings, web_assistant: Assistant
) -> None:
    settings = web_settings.model_copy(update={"api_keys": ["k-123456", "k-other"]})
    completion = {"messages": [{"role": "user", "content": "khai sinh"}]}
    async with api_client(settings, web_assistant) as client:
        no_key = await client.get("/v1/search", params={"q": "khai sinh"})
        bearer = await client.get(
            "/v1/search", params={"q": "khai sinh"}, headers={"Authorization": "Bearer k-123456"}
        )
        x_api_key = await client.get(
            "/v1/search", params={"q": "khai sinh"}, headers={"X-API-Key": "k-other"}
        )
        wrong = await client.get(
            "/v1/search", params={"q": "khai sinh"}, headers={"Authorization": "Bearer nope"}
        )
        completions = await client.post("/v1/chat/completions", json=completion)
        widget = await client.post("/v1/chat", json={"user": new_user(), "text": "khai sinh"})
    assert_error(no_key, 401, "unauthorized")
    assert no_key.headers["www-authenticate"] == "Bearer"
    assert bearer.status_code == 200 and x_api_key.status_code == 200
    assert_error(wrong, 401, "unauthorized")
    assert_error(completions, 401, "unauthorized")
    assert widget.status_code == 200


async def test_cors_allows_listed_origins_and_refuses_others(
    web_settings: Settings, web_assistant: Assistant
) -> None:
    allowed, refused = "https://dichvucong.minhson.example", "https://evil.example"
    settings = web_settings.model_copy(update={"cors_origins": [allowed]})
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    body = {"user": new_user(), "text": "khai sinh"}
    async with api_client(settings, web_assistant) as client:
        ok_preflight = await client.options(
            "/v1/chat/stream", headers={"Origin": allowed, **preflight}
        )
        bad_preflight = await client.options(
            "/v1/chat/stream", headers={"Origin": refused, **preflight}
        )
        ok = await client.post("/v1/chat", json=body, headers={"Origin": allowed})
        bad = await client.post("/v1/chat", json=body, headers={"Origin": refused})
        same_origin = await client.post(
            "/v1/chat", json=body, headers={"Origin": "http://testserver"}
        )
    assert ok_preflight.status_code == 200
    assert ok_preflight.headers["access-control-allow-origin"] == allowed
    assert bad_preflight.status_code == 400
    assert "access-control-allow-origin" not in bad_preflight.headers
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == allowed
    assert_error(bad, 403, "origin_not_allowed")
    assert "access-control-allow-origin" not in bad.headers
    assert same_origin.status_code == 200


# -- operations ---------------------------------------------------------------------------


async def test_health_readiness_metrics_and_docs(
    web_settings: Settings, web_assistant: Assistant
) -> None:
    async with api_client(web_settings, web_assistant) as client:
        await client.post("/v1/chat", json={"user": new_user(), "text": "lam giay khai sinh"})
        await client.get("/v1/procedures/0.000000")
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
        metrics = await client.get("/metrics")
        docs = await client.get("/docs")
        spec = await client.get("/openapi.json")
    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200 and ready.json()["procedures"] >= 60
    text = metrics.text
    assert metrics.headers["content-type"].startswith("text/plain")
    assert 'assistant_http_requests_total{method="POST",route="/v1/chat",status="200"} 1.0' in text
    assert 'route="/v1/procedures/{code}",status="404"' in text
    assert 'assistant_replies_total{answer_mode="grounded",channel="web",kind="answer"} 1.0' in text
    assert "assistant_http_request_duration_seconds_bucket" in text
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert {"/v1/chat", "/v1/chat/stream", "/v1/chat/completions"} <= set(spec.json()["paths"])


async def test_not_ready_without_an_index(tmp_path: Path) -> None:
    """The app opens (and closes) its own assistant; an empty data dir is not ready."""
    async with api_client(Settings(data_dir=tmp_path, rate_limit_per_minute=0)) as client:
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
    assert health.status_code == 200
    assert ready.status_code == 503 and ready.json()["status"] == "not_ready"


async def test_demo_page_embeds_the_widget(
    web_settings: Settings, web_assistant: Assistant
) -> None:
    async with api_client(web_settings, web_assistant) as client:
        page = await client.get("/")
        script = await client.get("/widget.js")
        static = await client.get("/static/widget.js")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text.count("<script src=") == 1 and 'src="/widget.js"' in page.text
    assert "assistantWidgetConfig" in page.text
    assert script.headers["content-type"].startswith("text/javascript")
    assert "/v1/chat/stream" in script.text and static.text == script.text


# -- OpenAI-compatible endpoint (raw HTTP; the SDK runs against a live server elsewhere) --


async def test_chat_completion_object(web_settings: Settings, web_assistant: Assistant) -> None:
    body = {
        "model": "vn-public-assistant",
        "messages": [
            {"role": "system", "content": "Bạn là trợ lý."},
            {"role": "user", "content": "xin chao"},
            {"role": "assistant", "content": "Xin chào!"},
            {"role": "user", "content": [{"type": "text", "text": "le phi dang ky khai sinh"}]},
        ],
        "temperature": 0.2,
        "user": "openai-user-1",
    }
    async with api_client(web_settings, web_assistant) as client:
        response = await client.post("/v1/chat/completions", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["object"] == "chat.completion" and data["model"] == "vn-public-assistant"
    choice = data["choices"][0]
    assert choice["finish_reason"] == "stop" and choice["message"]["role"] == "assistant"
    assert data["citations"][0]["procedure_code"] == BIRTH
    assert data["citations"][0]["url"] in choice["message"]["content"]
    assert "lệ phí" in choice["message"]["content"].lower()


async def test_chat_completion_stream_chunks_then_done(
    web_settings: Settings, web_assistant: Assistant
) -> None:
    body = {"messages": [{"role": "user", "content": "lam giay khai sinh can gi"}], "stream": True}
    async with api_client(web_settings, web_assistant) as client:
        response = await client.post("/v1/chat/completions", json=body)
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(response.text)
    assert events[-1].data == "[DONE]"
    chunks = [e.data for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["citations"][0]["procedure_code"] == BIRTH
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert chunks[-1]["citations"][0]["url"] in text


async def test_chat_completion_stream_corrects_a_replaced_answer(
    web_settings: Settings, web_assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the final reply's text differs from what streamed, the right text follows."""
    final = Reply(id="r1", conversation_id="c1", kind="answer", text="Lệ phí: miễn phí.")

    async def replaced(_message: object) -> Any:
        yield StreamDelta("Lệ phí: 50.000 đồng")
        yield final

    monkeypatch.setattr(web_assistant, "stream", replaced)
    body = {"messages": [{"role": "user", "content": "le phi"}], "stream": True}
    async with api_client(web_settings, web_assistant) as client:
        response = await client.post("/v1/chat/completions", json=body)
    chunks = [e.data for e in parse_sse(response.text)[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text.startswith("Lệ phí: 50.000 đồng") and text.endswith("Lệ phí: miễn phí.")
    assert chunks[-1]["reply_id"] == "r1"
