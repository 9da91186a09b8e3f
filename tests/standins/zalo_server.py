"""A stand-in Zalo OpenAPI (customer-service messages) and OAuth server, in the wire format
the real Zalo client (httpx) speaks, reached through ASSISTANT_ZALO_API_BASE_URL and
ASSISTANT_ZALO_OAUTH_BASE_URL.

    with run_zalo_standin() as zalo:
        zalo.expire_access_token()         # the next send gets -220; a refresh fixes it
        zalo.script_errors(-32, -32)       # the next two sends are rate limited
        zalo.sent_texts("6142…")           # what each user received

Access tokens are checked (`access_token` header); refresh tokens are single-use: a reused
one is refused, as by Zalo.
"""

from __future__ import annotations

import asyncio
import itertools
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

APP_ID = "2553928453557884079"
APP_SECRET = "standin-app-secret"
OA_SECRET_KEY = "standin-oa-secret-key"
FIRST_ACCESS_TOKEN = "access-0"
FIRST_REFRESH_TOKEN = "refresh-0"


@dataclass
class Sent:
    user_id: str
    message: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class ZaloStandIn:
    def __init__(self) -> None:
        self.api_base_url = ""
        self.oauth_base_url = ""
        self.access_token = FIRST_ACCESS_TOKEN
        self.refresh_token = FIRST_REFRESH_TOKEN
        self.expired: set[str] = set()
        self.sent: list[Sent] = []
        self.refreshes = 0
        self.refused_refreshes = 0
        self.send_attempts = 0
        self.refresh_delay_s = 0.0
        self.issue_expired_tokens = False  # refreshes hand out tokens that are already expired
        self._errors: list[int] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    # -- scripting -------------------------------------------------------------------------
    def expire_access_token(self) -> None:
        with self._lock:
            self.expired.add(self.access_token)

    def script_errors(self, *codes: int) -> None:
        with self._lock:
            self._errors.extend(codes)

    def sent_texts(self, user_id: str | None = None) -> list[str]:
        with self._lock:
            return [
                str(s.message.get("text", ""))
                for s in self.sent
                if user_id is None or s.user_id == user_id
            ]

    def wait_for_sent(self, count: int, timeout_s: float = 10.0) -> list[Sent]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.sent) >= count:
                    return list(self.sent)
            time.sleep(0.01)
        raise AssertionError(f"{len(self.sent)} messages sent, expected {count}")

    # -- server side -----------------------------------------------------------------------
    async def send(self, request: Request) -> JSONResponse:
        token = request.headers.get("access_token", "")
        body = await request.json()
        with self._lock:
            self.send_attempts += 1
            if token in self.expired:
                return JSONResponse({"error": -220, "message": "Access token has expired"})
            if token != self.access_token:
                return JSONResponse({"error": -216, "message": "Access token is invalid"})
            if self._errors:
                code = self._errors.pop(0)
                return JSONResponse({"error": code, "message": f"stand-in error {code}"})
            recipient = body.get("recipient", {}).get("user_id", "")
            message = body.get("message", {})
            text = message.get("text", "")
            if not recipient or not isinstance(text, str) or len(text) > 2000:
                return JSONResponse({"error": -201, "message": "Invalid parameter"})
            buttons = (message.get("attachment") or {}).get("payload", {}).get("buttons", [])
            if len(buttons) > 5:
                return JSONResponse({"error": -201, "message": "Too many buttons"})
            self.sent.append(Sent(recipient, message))
            message_id = f"mid{next(self._ids)}"
        return JSONResponse(
            {
                "error": 0,
                "message": "Success",
                "data": {
                    "message_id": message_id,
                    "user_id": recipient,
                    "quota": {"quota_type": "reply", "remain": 7, "total": 8},
                },
            }
        )

    async def oauth(self, request: Request) -> JSONResponse:
        form = dict(parse_qsl((await request.body()).decode()))  # form-urlencoded
        if self.refresh_delay_s:
            await asyncio.sleep(self.refresh_delay_s)
        with self._lock:
            if request.headers.get("secret_key") != APP_SECRET or form.get("app_id") != APP_ID:
                self.refused_refreshes += 1
                return JSONResponse({"error": -14002, "error_name": "Invalid app_id or secret"})
            if (
                form.get("grant_type") != "refresh_token"
                or form.get("refresh_token") != self.refresh_token
            ):
                self.refused_refreshes += 1
                return JSONResponse({"error": -14014, "error_name": "Invalid refresh token"})
            self.refreshes += 1
            self.access_token = f"access-{self.refreshes}"
            self.refresh_token = f"refresh-{self.refreshes}"
            if self.issue_expired_tokens:
                self.expired.add(self.access_token)
            return JSONResponse(
                {
                    "access_token": self.access_token,
                    "refresh_token": self.refresh_token,
                    "expires_in": "90000",
                }
            )


def create_app(state: ZaloStandIn) -> Starlette:
    return Starlette(
        routes=[
            Route("/v3.0/oa/message/cs", state.send, methods=["POST"]),
            Route("/v4/oa/access_token", state.oauth, methods=["POST"]),
        ]
    )


@contextmanager
def run_zalo_standin() -> Iterator[ZaloStandIn]:
    state = ZaloStandIn()
    with serve_in_thread(create_app(state), "zalo-standin") as port:
        state.api_base_url = f"http://127.0.0.1:{port}"
        state.oauth_base_url = f"http://127.0.0.1:{port}"
        yield state
