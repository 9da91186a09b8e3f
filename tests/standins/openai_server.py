"""A stand-in OpenAI-compatible chat server: a real HTTP server (FastAPI under uvicorn, in a
background thread on a free 127.0.0.1 port) answering in the chat-completions wire format.

    with run_openai_standin() as llm:
        llm.reply = "Phí là 8.000 đồng [1]."          # or a function of the request messages
        llm.fail(500)                                  # or fail(429, retry_after="0"), fail(401)
        llm.delay_s, llm.chunk_delay_s = 0.5, 0.05     # slow down
        ChatOpenAI(base_url=llm.base_url, ...)         # base_url ends in "/v1"
        llm.requests[-1].body["messages"], llm.requests[-1].headers["authorization"]
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

__all__ = ["OpenAIStandIn", "RecordedRequest", "run_openai_standin", "split_words"]

Messages = list[dict[str, Any]]
ReplyFn = Callable[[Messages], str]


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: Any  # the parsed JSON body (None for GET)
    at: float = field(default_factory=time.monotonic)


def split_words(text: str) -> list[str]:
    """Streaming chunks: each word with the whitespace before it ("a b" -> ["a", " b"])."""
    return re.findall(r"\s*\S+", text) or [text]


@dataclass
class _Failure:
    status: int
    retry_after: str | None
    times: int | None  # fail this many requests, then answer; None = every request
    message: str


class OpenAIStandIn:
    """Scriptable state of the server; tests set attributes, the server reads them per request."""

    def __init__(self) -> None:
        self.base_url = ""  # set once the server listens, e.g. http://127.0.0.1:54321/v1
        self.model = "standin-model"
        self.reply: str | ReplyFn = "OK"
        self.chunker: Callable[[str], list[str]] = split_words
        self.delay_s = 0.0  # before the response starts
        self.chunk_delay_s = 0.0  # before each streamed content chunk
        self.requests: list[RecordedRequest] = []
        self._failure: _Failure | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    # -- scripting -------------------------------------------------------------------------
    def fail(
        self,
        status: int,
        *,
        retry_after: str | None = None,
        times: int | None = None,
        message: str = "stand-in failure",
    ) -> None:
        """Answer chat requests with an OpenAI-style error `status` (429 may carry Retry-After)."""
        self._failure = _Failure(status, retry_after, times, message)

    def reset(self) -> None:
        self.model = "standin-model"
        self.reply = "OK"
        self.chunker = split_words
        self.delay_s = 0.0
        self.chunk_delay_s = 0.0
        self._failure = None
        with self._lock:
            self.requests.clear()

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    # -- server side -----------------------------------------------------------------------
    def _record(self, request: Request, body: Any) -> None:
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self._lock:
            self.requests.append(RecordedRequest(request.method, request.url.path, headers, body))

    def _take_failure(self) -> _Failure | None:
        with self._lock:
            failure = self._failure
            if failure is None:
                return None
            if failure.times is not None:
                if failure.times <= 0:
                    self._failure = None
                    return None
                failure.times -= 1
            return failure

    def _reply_text(self, messages: Messages) -> str:
        reply = self.reply
        return reply(messages) if callable(reply) else reply

    async def _sleep(self, seconds: float) -> None:
        """Sleep in small steps so a stopping server does not wait for a long delay."""
        end = time.monotonic() + seconds
        while not self._stopping.is_set() and (left := end - time.monotonic()) > 0:
            await asyncio.sleep(min(left, 0.05))


def _error_response(failure: _Failure) -> JSONResponse:
    kinds = {401: "invalid_request_error", 429: "rate_limit_exceeded", 500: "server_error"}
    headers = {"retry-after": failure.retry_after} if failure.retry_after is not None else None
    return JSONResponse(
        {
            "error": {
                "message": failure.message,
                "type": kinds.get(failure.status, "api_error"),
                "param": None,
                "code": str(failure.status),
            }
        },
        status_code=failure.status,
        headers=headers,
    )


def _usage(messages: Messages, text: str) -> dict[str, int]:
    prompt = sum(len(str(m.get("content", "")).split()) for m in messages)
    completion = len(text.split())
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def create_app(state: OpenAIStandIn) -> FastAPI:
    app = FastAPI(title="OpenAI stand-in")

    @app.get("/v1/models")
    async def models(request: Request) -> dict[str, Any]:
        state._record(request, None)
        return {
            "object": "list",
            "data": [{"id": state.model, "object": "model", "created": 0, "owned_by": "standin"}],
        }

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Response:
        body = await request.json()
        state._record(request, body)
        await state._sleep(state.delay_s)
        failure = state._take_failure()
        if failure is not None:
            return _error_response(failure)
        messages: Messages = body.get("messages", [])
        text = state._reply_text(messages)
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:12]}"
        created = int(time.time())
        model = body.get("model") or state.model
        if not body.get("stream"):
            return JSONResponse(
                {
                    "id": completion_id,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": _usage(messages, text),
                }
            )
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

        def chunk(delta: dict[str, Any], finish: str | None) -> str:
            payload = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

        async def events() -> AsyncIterator[str]:
            yield chunk({"role": "assistant", "content": ""}, None)
            for piece in state.chunker(text):
                await state._sleep(state.chunk_delay_s)
                yield chunk({"content": piece}, None)
            yield chunk({}, "stop")
            if include_usage:
                usage: dict[str, Any] = {
                    "id": completion_id,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": model,
                    "choices": [],
                    "usage": _usage(messages, text),
                }
                yield f"data: {json.dumps(usage)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


@contextmanager
def run_openai_standin(*, start_timeout_s: float = 10.0) -> Iterator[OpenAIStandIn]:
    """Serve a fresh stand-in on a free loopback port for the duration of the block."""
    state = OpenAIStandIn()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(state),
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="openai-standin", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + start_timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the OpenAI stand-in server did not start")
        time.sleep(0.01)
    state.base_url = f"http://127.0.0.1:{port}/v1"
    try:
        yield state
    finally:
        state._stopping.set()
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
