"""The web channel's HTTP API and widget host.

    uvicorn --factory bots.web.app:create_app        (or `assistant serve`)

Routes: POST /v1/chat, POST /v1/chat/stream (SSE), GET /v1/search, GET /v1/procedures/{code},
POST /v1/feedback, POST /v1/chat/completions and GET /v1/models (OpenAI-compatible),
GET /healthz, GET /readyz, GET /metrics, the widget (/widget.js) and a demo page (/).
Every blocking call (search, database, the assistant) runs in a worker thread.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from anyio import to_thread
from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.responses import StreamingResponse

from assistant.dialogue import UnknownReply
from assistant.reply import Reply
from assistant.service import Assistant, Message
from assistant.settings import Settings
from bots.channels import Channels
from bots.staff import StaffConsole, staff_router
from bots.staff.delivery import Delivery
from bots.staff.ui import mount_static as mount_staff_static
from bots.web import openai_compat
from bots.web.errors import ApiError, error_body, install_error_handlers
from bots.web.limits import BodyLimitMiddleware
from bots.web.metrics import Metrics, MetricsMiddleware
from bots.web.ratelimit import RateLimiter, make_rate_limiter
from bots.web.requestid import RequestIdMiddleware
from bots.web.schemas import (
    USER_ID_PATTERN,
    ChatCompletionRequest,
    ChatMessages,
    ChatRequest,
    ErrorResponse,
    FeedbackRequest,
    StaffMessage,
)
from bots.web.security import SecurityHeadersMiddleware
from bots.web.sse import SSE_HEADERS, sse_event, with_pings

log = logging.getLogger(__name__)

WEB_CHANNEL = "web"
OPENAI_CHANNEL = "openai"
STATIC_DIR = Path(str(resources.files("bots.web") / "static"))
INTERNAL_ERROR = "Lỗi hệ thống, vui lòng thử lại sau / internal error, please try again later."
WARM_UP_QUERY = "đăng ký khai sinh"


@dataclass
class WebState:
    settings: Settings
    assistant: Assistant | None
    limiter: RateLimiter | None
    metrics: Metrics
    owns_assistant: bool

    @property
    def service(self) -> Assistant:
        if self.assistant is None:  # only before the lifespan opened it
            raise ApiError(503, "not_ready", "Dịch vụ đang khởi động / service is starting.")
        return self.assistant


@dataclass(frozen=True)
class Caller:
    """Who is calling: a valid API key's id (hashed), or an anonymous client by IP."""

    key_id: str | None
    ip: str

    @property
    def limit_key(self) -> str:
        return f"key:{self.key_id}" if self.key_id else f"ip:{self.ip}"


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


WebDep = Annotated[WebState, Depends(web_state)]


# -- callers: API keys, origins, rate limits ------------------------------------------------


def presented_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return request.headers.get("x-api-key", "").strip() or None


def key_id(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:16]


def valid_key(key: str, keys: list[str]) -> bool:
    given = key.encode("utf-8", "replace")
    return any(hmac.compare_digest(given, k.encode("utf-8")) for k in keys if k)


def origin_allowed(origin: str, allowed: list[str], host: str) -> bool:
    """An allowlisted origin, or the API's own (same host: the demo page, a reverse proxy)."""
    normalized = origin.strip().rstrip("/").lower()
    if "*" in allowed or normalized in {a.strip().rstrip("/").lower() for a in allowed}:
        return True
    netloc = urlsplit(normalized).netloc
    return bool(netloc) and netloc == host.strip().lower()


def caller_guard(*, require_key: bool) -> Callable[[Request], Awaitable[Caller]]:
    """A dependency that admits a caller: key check (401), origin check (403), limit (429)."""

    async def guard(request: Request) -> Caller:
        web = web_state(request)
        keys = web.settings.api_keys
        key = presented_key(request)
        caller = Caller(None, request.client.host if request.client else "unknown")
        if keys:
            if key is not None and not valid_key(key, keys):
                raise ApiError(
                    401,
                    "unauthorized",
                    "Khóa API không hợp lệ / invalid API key.",
                    {"WWW-Authenticate": "Bearer"},
                )
            if key is None and require_key:
                raise ApiError(
                    401,
                    "unauthorized",
                    "Cần khóa API (Authorization: Bearer <key> hoặc X-API-Key) / "
                    "an API key is required (Authorization: Bearer <key> or X-API-Key).",
                    {"WWW-Authenticate": "Bearer"},
                )
            if key is not None:
                caller = Caller(key_id(key), caller.ip)
        origin = request.headers.get("origin")
        if caller.key_id is None and origin is not None:
            host = request.headers.get("host", "")
            if not origin_allowed(origin, web.settings.cors_origins, host):
                raise ApiError(
                    403,
                    "origin_not_allowed",
                    "Trang web này không được phép dùng trợ lý / this origin is not allowed.",
                )
        if web.limiter is not None:
            verdict = await web.limiter.hit(caller.limit_key)
            if not verdict.allowed:
                web.metrics.rate_limited.inc()
                raise ApiError(
                    429,
                    "rate_limited",
                    f"Bạn gửi quá nhanh, thử lại sau {verdict.retry_after_header} giây / "
                    f"too many requests, retry in {verdict.retry_after_header} s.",
                    {"Retry-After": verdict.retry_after_header},
                )
        return caller

    return guard


OpenCaller = Annotated[Caller, Depends(caller_guard(require_key=False))]
KeyCaller = Annotated[Caller, Depends(caller_guard(require_key=True))]

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in {
        403: "Origin not allowed",
        413: "Body too large",
        422: "Invalid request",
        429: "Rate limited (see Retry-After)",
    }.items()
}
KEY_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    401: {"model": ErrorResponse, "description": "API key missing or invalid"},
}
SSE_DOC = {
    "description": "Server-Sent Events: `delta` events ({text}), then one `reply` event "
    "(the whole Reply); `error` on failure; `: ping` comments keep the connection open.",
    "content": {"text/event-stream": {"schema": {"type": "string"}}},
}


# -- the app ------------------------------------------------------------------------------


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    """The API on these settings (default: from the environment, ASSISTANT_*).

    Without `assistant`, one is opened from the settings when the app starts and closed
    when it stops."""
    settings = settings or Settings()
    web = WebState(
        settings=settings,
        assistant=assistant,
        limiter=None,
        metrics=Metrics(),
        owns_assistant=assistant is None,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        web.limiter = make_rate_limiter(settings.rate_limit_per_minute, settings.redis_url)
        if web.assistant is None:
            web.assistant = await to_thread.run_sync(Assistant.from_settings, settings)
        await to_thread.run_sync(warm_up, web.assistant)
        await to_thread.run_sync(staff.open, web.assistant)  # FAQs and corrections in answers
        try:
            async with channels.running(web.assistant):  # Telegram and Zalo webhooks
                yield
        finally:
            staff.close()
            if web.limiter is not None:
                await web.limiter.close()
            if web.owns_assistant and web.assistant is not None:
                await to_thread.run_sync(web.assistant.close)
                web.assistant = None

    app = FastAPI(
        title="Trợ lý thủ tục hành chính / Public-service assistant API",
        version="1",
        description=(
            "Hỏi đáp thủ tục hành chính từ hồ sơ chính thức, có trích dẫn. / Answers about "
            "Vietnamese administrative procedures from the official records, with citations. "
            'Errors: `{"error": {"code", "message"}}`.'
        ),
        lifespan=lifespan,
    )
    app.state.web = web
    install_error_handlers(app)
    add_routes(app)
    channels = Channels(settings)
    app.include_router(channels.router())
    staff = StaffConsole(settings)
    staff.delivery = Delivery(settings, channels)  # staff replies reach Telegram and Zalo
    app.include_router(staff_router(staff))  # the staff console under /staff
    add_handoff_routes(app, staff)
    mount_staff_static(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Last added runs first: metrics see everything, CORS headers go on every refusal.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[
            o if o == "*" else o.strip().rstrip("/").lower() for o in settings.cors_origins
        ],
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Content-Type", "Authorization", "X-API-Key", "X-User-Id", "X-Request-ID"],
        expose_headers=["Retry-After", "X-Request-ID"],
        max_age=600,
    )
    app.add_middleware(MetricsMiddleware, metrics=web.metrics)
    app.add_middleware(RequestIdMiddleware)  # outermost: every line of a request has its id
    return app


def add_handoff_routes(app: FastAPI, staff: StaffConsole) -> None:
    @app.get(
        "/v1/chat/messages",
        response_model=ChatMessages,
        responses=ERRORS,
        tags=["chat"],
        summary="Tin của cán bộ / a staff member's replies (handoff)",
    )
    async def staff_messages(
        web: WebDep,
        _caller: OpenCaller,
        user: Annotated[str, Query(pattern=USER_ID_PATTERN)],
        after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    ) -> ChatMessages:
        """While a conversation is handed to a person (`Reply.handoff` set), the widget asks
        here every few seconds for their messages after the last id it showed."""
        messages, status = await to_thread.run_sync(staff.handoffs.web_messages, user, after)
        return ChatMessages(
            messages=[
                StaffMessage(id=m.id, sender=m.sender, text=m.text, at=m.at.isoformat())  # type: ignore[arg-type]
                for m in messages
            ],
            handoff={"open": "queued", "claimed": "with_staff"}.get(status or ""),  # type: ignore[arg-type]
        )


def warm_up(assistant: Assistant) -> None:
    """Load the search structures before the first user waits for them."""
    try:
        assistant.searcher.search(WARM_UP_QUERY, 1)
    except Exception as exc:  # readiness reports it; the process still serves /healthz
        log.warning("warm-up search failed: %s", exc)


def readiness(assistant: Assistant) -> dict[str, Any]:
    checks: dict[str, Any] = {}
    try:
        checks["procedures"] = assistant.catalogue.counts()["procedures"]
    except Exception as exc:
        checks["procedures"] = 0
        checks["catalogue_error"] = type(exc).__name__
    try:
        index = assistant.searcher.index
        checks["indexed"] = 0 if index.is_empty else len(index.lexical)
        checks["vectors"] = index.vectors.count()
    except Exception as exc:
        checks["indexed"] = 0
        checks["index_error"] = type(exc).__name__
    ready = checks["procedures"] > 0 and checks["indexed"] > 0 and checks.get("vectors", 0) > 0
    return {"status": "ok" if ready else "not_ready", **checks}


async def chat_events(web: WebState, message: Message) -> AsyncIterator[bytes]:
    """The widget's stream: `delta` events, then the `reply` event; `error` on failure."""
    try:
        async for item in web.service.stream(message):
            if isinstance(item, Reply):
                web.metrics.count_reply(message.channel, item)
                yield sse_event("reply", item.model_dump(mode="json"))
            else:
                yield sse_event("delta", {"text": item.text})
    except Exception as exc:
        log.exception("chat stream failed: %s", exc)
        yield sse_event("error", error_body("internal_error", INTERNAL_ERROR))


def conversation_user(body: ChatCompletionRequest, request: Request, caller: Caller) -> str:
    """The OpenAI caller's conversation: `user`, else X-User-Id, else its key, else its IP."""
    explicit = body.user or request.headers.get("x-user-id", "")
    if explicit.strip():
        return openai_compat.safe_user_id(explicit)
    if caller.key_id:
        return f"key-{caller.key_id}"
    return openai_compat.safe_user_id(f"ip:{caller.ip}", prefix="ip")


def add_routes(app: FastAPI) -> None:
    @app.post(
        "/v1/chat",
        response_model=Reply,
        responses=ERRORS,
        tags=["chat"],
        summary="Hỏi một câu / ask one question",
    )
    async def chat(body: ChatRequest, web: WebDep, _caller: OpenCaller) -> Reply:
        message = Message(channel=WEB_CHANNEL, user=body.user, text=body.text, locale=body.locale)
        reply = await web.service.areply(message)
        web.metrics.count_reply(WEB_CHANNEL, reply)
        return reply

    @app.post(
        "/v1/chat/stream",
        response_class=StreamingResponse,
        responses={200: SSE_DOC, **ERRORS},
        tags=["chat"],
        summary="Hỏi, trả lời dạng luồng / ask, streamed answer (SSE)",
    )
    async def chat_stream(body: ChatRequest, web: WebDep, _caller: OpenCaller) -> Response:
        message = Message(channel=WEB_CHANNEL, user=body.user, text=body.text, locale=body.locale)
        return StreamingResponse(
            with_pings(chat_events(web, message)),
            media_type="text/event-stream",
            headers=SSE_HEADERS,
        )

    @app.get(
        "/v1/search",
        responses=KEY_ERRORS,
        tags=["catalogue"],
        summary="Tìm thủ tục / find procedures",
    )
    async def search(
        web: WebDep,
        _caller: KeyCaller,
        q: Annotated[str, Query(min_length=1, max_length=500, description="Câu hỏi / query")],
        top: Annotated[int, Query(ge=1, le=50)] = 5,
    ) -> dict[str, Any]:
        response = await to_thread.run_sync(web.service.searcher.search, q, top)
        return response.as_dict()

    @app.get(
        "/v1/procedures/{code}",
        responses={404: {"model": ErrorResponse, "description": "Unknown code"}, **ERRORS},
        tags=["catalogue"],
        summary="Một thủ tục / one procedure's record",
    )
    async def procedure(
        web: WebDep,
        _caller: OpenCaller,
        code: Annotated[str, PathParam(min_length=1, max_length=64)],
    ) -> dict[str, Any]:
        found = await to_thread.run_sync(web.service.catalogue.get_procedure, code.strip())
        if found is None:
            raise ApiError(
                404,
                "not_found",
                f"Không có thủ tục mã {code!r} / no procedure with code {code!r}.",
            )
        return found.model_dump(mode="json")

    @app.post(
        "/v1/feedback",
        status_code=204,
        response_class=Response,
        responses={404: {"model": ErrorResponse, "description": "Unknown reply id"}, **ERRORS},
        tags=["chat"],
        summary="Đánh giá câu trả lời / rate a reply",
    )
    async def feedback(body: FeedbackRequest, web: WebDep, _caller: OpenCaller) -> Response:
        try:
            await to_thread.run_sync(web.service.feedback, body.reply_id, body.rating, body.comment)
        except UnknownReply as exc:
            raise ApiError(
                404,
                "unknown_reply",
                "Không tìm thấy câu trả lời này / no reply with this id.",
            ) from exc
        web.metrics.feedback.labels(body.rating).inc()
        return Response(status_code=204)

    @app.post(
        "/v1/chat/completions",
        responses={
            200: {
                "description": "A `chat.completion`, or with `stream: true` SSE "
                "`chat.completion.chunk` events then `data: [DONE]`.",
                "content": {"text/event-stream": {"schema": {"type": "string"}}},
            },
            400: {"model": ErrorResponse, "description": "No user message"},
            **KEY_ERRORS,
        },
        tags=["openai"],
        summary="OpenAI-compatible chat completions",
    )
    async def chat_completions(
        body: ChatCompletionRequest, request: Request, web: WebDep, caller: KeyCaller
    ) -> Any:
        question = openai_compat.last_user_text(body.messages)
        if question is None:
            raise ApiError(
                400,
                "bad_request",
                "Cần ít nhất một tin nhắn role 'user' / at least one 'user' message is needed.",
            )
        user = conversation_user(body, request, caller)
        message = Message(channel=OPENAI_CHANNEL, user=user, text=question[:100_000])
        created = int(time.time())
        if body.stream:
            chunks = openai_compat.completion_chunks(
                web.service.stream(message),
                chunk_id=f"chatcmpl-{uuid.uuid4().hex}",
                model=body.model,
                created=created,
                on_reply=lambda reply: web.metrics.count_reply(OPENAI_CHANNEL, reply),
            )
            return StreamingResponse(
                with_pings(chunks), media_type="text/event-stream", headers=SSE_HEADERS
            )
        reply = await web.service.areply(message)
        web.metrics.count_reply(OPENAI_CHANNEL, reply)
        return JSONResponse(openai_compat.completion(reply, body.model, created))

    @app.get("/v1/models", responses=KEY_ERRORS, tags=["openai"], summary="OpenAI-compatible")
    async def models(_caller: KeyCaller) -> dict[str, Any]:
        model = {"id": openai_compat.DEFAULT_MODEL, "object": "model", "created": 0}
        return {"object": "list", "data": [{**model, "owned_by": "vn-public-assistant"}]}

    @app.get("/healthz", tags=["ops"], summary="Process alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["ops"],
        summary="Catalogue and index usable (503 otherwise)",
        responses={503: {"description": "Not ready"}},
    )
    async def readyz(web: WebDep) -> JSONResponse:
        if web.assistant is None:
            return JSONResponse({"status": "not_ready", "reason": "starting"}, status_code=503)
        result = await to_thread.run_sync(readiness, web.assistant)
        return JSONResponse(result, status_code=200 if result["status"] == "ok" else 503)

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics", response_class=Response)
    async def metrics(web: WebDep) -> Response:
        content, media_type = web.metrics.render()
        return Response(content, media_type=media_type)

    @app.api_route(
        "/", methods=["GET", "HEAD"], include_in_schema=False, response_class=HTMLResponse
    )
    async def demo() -> FileResponse:
        return FileResponse(STATIC_DIR / "demo.html", media_type="text/html; charset=utf-8")

    @app.api_route("/widget.js", methods=["GET", "HEAD"], include_in_schema=False)
    async def widget() -> FileResponse:
        return FileResponse(
            STATIC_DIR / "widget.js",
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=300"},
        )


__all__ = ["Caller", "WebState", "create_app", "origin_allowed", "readiness"]
