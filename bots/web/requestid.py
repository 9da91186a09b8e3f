"""Request ids and access lines (a pure ASGI middleware: streams pass untouched).

Each HTTP request gets an id: the client's `X-Request-ID` when it is sane (1–64 of
A-Za-z0-9._-), else a new random one. The id is set in `assistant.logs.request_id_var` for
everything the request runs (tasks it starts inherit it), echoed in the response's
`X-Request-ID`, and written in the one access line per request: method, path (never the
query string: queries may hold personal data), status, duration_ms, request_id.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.logs import request_id_var

access_log = logging.getLogger("assistant.access")

HEADER = "x-request-id"
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_from(value: str | None) -> str:
    """The client's id if it is sane, else a fresh one."""
    if value is not None and SANE_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(Headers(scope=scope).get(HEADER))
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500  # what the server answers when the app fails before it starts a response

        async def with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, with_id)
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            method, path = str(scope.get("method", "")), str(scope.get("path", ""))
            access_log.info(
                "%s %s %d %.1f ms",
                method,
                path,
                status,
                duration_ms,
                extra={
                    "method": method,
                    "path": path,
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
            request_id_var.reset(token)
