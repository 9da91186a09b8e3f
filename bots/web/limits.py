"""Request body size limit (413 before the body is read when Content-Length says so)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bots.web.errors import error_response


def too_large_message(limit: int) -> str:
    return (
        f"Nội dung gửi lên quá lớn (tối đa {limit} byte) / "
        f"request body too large (at most {limit} bytes)."
    )


class BodyTooLarge(HTTPException):
    """Raised while reading a body that turns out larger than allowed (chunked uploads).

    An HTTPException, so that FastAPI's body parsing passes it on and the 413 handler
    answers it."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                response = error_response(
                    400, "bad_request", "Content-Length không hợp lệ / invalid Content-Length."
                )
                await response(scope, receive, send)
                return
            if int(declared) > self.max_bytes:
                response = error_response(
                    413, "payload_too_large", too_large_message(self.max_bytes)
                )
                await response(scope, receive, send)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            response = error_response(413, "payload_too_large", too_large_message(self.max_bytes))
            await response(scope, receive, send)
