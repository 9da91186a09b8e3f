"""Sending through the OA customer-service message API (`POST /v3.0/oa/message/cs`).

Errors: -216/-220 (access token invalid/expired) → refresh once and retry; -32 or HTTP 429
(rate limit) → back off and retry a bounded number of times; -230/-232 (the user has not
interacted within the reply window) → `Undeliverable`, not retried; anything else → `SendError`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from bots.zalo.tokens import ZaloTokens

log = logging.getLogger(__name__)

SEND_PATH = "/v3.0/oa/message/cs"
TEXT_LIMIT = 2000
MAX_BUTTONS = 5
BUTTON_TITLE_LIMIT = 100
BUTTON_PAYLOAD_LIMIT = 1000
RATE_LIMITED = {-32}
TOKEN_ERRORS = {-216, -220}
OUTSIDE_WINDOW = {-230, -232}


class SendError(RuntimeError):
    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(f"zalo send failed ({code}): {message}")
        self.code = code


class Undeliverable(SendError):
    """The user cannot be messaged now (no interaction within the reply window)."""


@dataclass(frozen=True)
class QueryButton:
    title: str
    payload: str  # sent back as the user's text when tapped


def text_message(text: str, buttons: list[QueryButton] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"text": text}
    if buttons:
        message["attachment"] = {
            "type": "template",
            "payload": {
                "template_type": "button",
                "buttons": [
                    {
                        "title": b.title[:BUTTON_TITLE_LIMIT],
                        "type": "oa.query.show",
                        "payload": b.payload[:BUTTON_PAYLOAD_LIMIT],
                    }
                    for b in buttons[:MAX_BUTTONS]
                ],
            },
        }
    return message


class ZaloClient:
    def __init__(
        self,
        client: httpx.AsyncClient,
        tokens: ZaloTokens,
        *,
        api_base_url: str,
        max_retries: int = 3,
        backoff_s: float = 1.0,
    ) -> None:
        self.client = client
        self.tokens = tokens
        self.url = api_base_url.rstrip("/") + SEND_PATH
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.rate_limited = 0  # rate-limit answers seen (for tests and metrics)

    async def send(self, user_id: str, message: dict[str, Any]) -> str:
        """Send one message; the Zalo message id."""
        token = await self.tokens.access_token()
        refreshed = False
        for attempt in range(self.max_retries + 1):
            code, text, data = await self._post(token, user_id, message)
            if code == 0:
                return str((data or {}).get("message_id", ""))
            if code in TOKEN_ERRORS and not refreshed:
                log.info("zalo: access token refused (%s), refreshing", code)
                token = await self.tokens.refresh(token)
                refreshed = True
                continue
            if code in RATE_LIMITED or code == 429:
                self.rate_limited += 1
                if attempt < self.max_retries:
                    delay = self.backoff_s * 2**attempt
                    log.warning("zalo: rate limited, retrying in %.2f s", delay)
                    await asyncio.sleep(delay)
                    continue
            if code in OUTSIDE_WINDOW:
                raise Undeliverable(code, text)
            raise SendError(code, text)
        raise SendError(None, "retries exhausted")

    async def _post(
        self, token: str, user_id: str, message: dict[str, Any]
    ) -> tuple[int | None, str, dict[str, Any] | None]:
        try:
            response = await self.client.post(
                self.url,
                headers={"access_token": token},
                json={"recipient": {"user_id": user_id}, "message": message},
            )
        except httpx.HTTPError as exc:
            raise SendError(None, type(exc).__name__) from exc
        if response.status_code == 429:
            return 429, "HTTP 429", None
        try:
            body = response.json()
        except ValueError:
            return None, f"HTTP {response.status_code}, not JSON", None
        if not isinstance(body, dict):
            return None, "unexpected response", None
        try:
            code = int(body.get("error", -1))
        except (TypeError, ValueError):
            code = -1
        data = body.get("data")
        return code, str(body.get("message", "")), data if isinstance(data, dict) else None
