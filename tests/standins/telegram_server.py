"""A stand-in Telegram Bot API: a real HTTP server speaking the Bot API wire format, which the
real python-telegram-bot client reaches through `ApplicationBuilder.base_url(...)`.

    with run_telegram_standin() as tg:
        settings.telegram_base_url = tg.base_url          # http://127.0.0.1:N/bot
        tg.fail("sendMessage", 429, retry_after=1, times=1)
        tg.push_update({...})                             # served to getUpdates (polling)
        tg.calls("sendMessage")[-1].params["text"]

Requests are form-encoded (non-string values JSON-encoded) POSTs to `/bot<token>/<method>`;
answers are `{"ok": true, "result": …}` or `{"ok": false, "error_code", "description",
"parameters": {"retry_after"}}`. A wrong token gets 401, as from Telegram.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.standins.serve import serve_in_thread

TOKEN = "123456:TEST-standin-token"
BOT_ID = 123456
BOT_USERNAME = "troly_tthc_bot"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Failure:
    status: int
    description: str
    retry_after: int | None
    times: int


def _decode(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


class TelegramStandIn:
    def __init__(self) -> None:
        self.base_url = ""
        self.base_file_url = ""
        self.token = TOKEN
        self.bot_user = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Trợ lý TTHC",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self._calls: list[Call] = []
        self._failures: dict[str, _Failure] = {}
        self._updates: list[dict[str, Any]] = []
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()

    # -- scripting -------------------------------------------------------------------------
    def fail(
        self,
        method: str,
        status: int,
        *,
        description: str = "Too Many Requests",
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        self._failures[method] = _Failure(status, description, retry_after, times)

    def push_update(self, update: dict[str, Any]) -> None:
        with self._lock:
            self._updates.append(update)

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
            self._updates.clear()
        self._failures.clear()

    def wait_for(self, method: str, count: int = 1, timeout_s: float = 10.0) -> list[Call]:
        """Block (bounded) until `count` calls of `method` arrived."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = self.calls(method)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"{method}: {len(self.calls(method))} calls, expected {count}")

    # -- server side -----------------------------------------------------------------------
    def _take_failure(self, method: str) -> _Failure | None:
        with self._lock:
            failure = self._failures.get(method)
            if failure is None or failure.times <= 0:
                return None
            failure.times -= 1
            return failure

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return self.bot_user
        if method in ("sendMessage", "editMessageText"):
            chat_id = params.get("chat_id")
            return {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if int(chat_id) > 0 else "group"},
                "from": self.bot_user,
                "text": params.get("text", ""),
            }
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True  # sendChatAction, answerCallbackQuery, setWebhook, deleteWebhook, …

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 0.5)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = list(self._updates)
            if ready or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.02)


def create_app(state: TelegramStandIn) -> Starlette:
    async def method(request: Request) -> JSONResponse:
        token, name = request.path_params["token"], request.path_params["method"]
        if token != state.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        form = parse_qsl((await request.body()).decode())  # form-urlencoded, as PTB sends
        params = {k: _decode(v) for k, v in form}
        with state._lock:
            state._calls.append(Call(name, params))
        failure = state._take_failure(name)
        if failure is not None:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": failure.status,
                "description": failure.description,
            }
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            return JSONResponse(body, status_code=failure.status)
        if name == "getUpdates":
            return JSONResponse({"ok": True, "result": await state._get_updates(params)})
        return JSONResponse({"ok": True, "result": state._result(name, params)})

    return Starlette(routes=[Route("/bot{token}/{method}", method, methods=["POST", "GET"])])


@contextmanager
def run_telegram_standin() -> Iterator[TelegramStandIn]:
    state = TelegramStandIn()
    with serve_in_thread(create_app(state), "telegram-standin") as port:
        state.base_url = f"http://127.0.0.1:{port}/bot"
        state.base_file_url = f"http://127.0.0.1:{port}/file/bot"
        yield state
