"""Fixtures for the messaging channels: one assistant's search and catalogue over the starter
data (shared), a fresh conversation store per test, the platform stand-ins, and the web app
in-process with its lifespan run (webhooks mounted)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from assistant.dialogue import ConversationStore
from assistant.service import Assistant
from assistant.settings import Settings
from bots.web.app import create_app
from bots.zalo.signature import signature
from tests.standins.telegram_server import TelegramStandIn, run_telegram_standin
from tests.standins.zalo_server import (
    APP_ID,
    APP_SECRET,
    FIRST_ACCESS_TOKEN,
    FIRST_REFRESH_TOKEN,
    OA_SECRET_KEY,
    ZaloStandIn,
    run_zalo_standin,
)

TELEGRAM_SECRET = "standin_webhook-secret_1"


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def base_assistant(starter_data_dir: Path) -> Iterator[Assistant]:
    assistant = Assistant.from_settings(Settings(data_dir=starter_data_dir))
    yield assistant
    assistant.close()


@pytest.fixture()
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'channels.sqlite3'}"


def make_assistant(base: Assistant, url: str) -> Assistant:
    """The shared search and catalogue with this test's conversation store."""
    conversations = ConversationStore(url, ttl=dt.timedelta(minutes=60))
    return Assistant(base.searcher, base.catalogue, conversations, base.settings)


@pytest.fixture()
def zalo() -> Iterator[ZaloStandIn]:
    with run_zalo_standin() as standin:
        yield standin


@pytest.fixture()
def telegram() -> Iterator[TelegramStandIn]:
    with run_telegram_standin() as standin:
        yield standin


def zalo_settings(data_dir: Path, url: str, zalo: ZaloStandIn, **extra: Any) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=url,
        rate_limit_per_minute=0,
        zalo_app_id=APP_ID,
        zalo_oa_secret_key=OA_SECRET_KEY,
        zalo_app_secret=APP_SECRET,
        zalo_access_token=FIRST_ACCESS_TOKEN,
        zalo_refresh_token=FIRST_REFRESH_TOKEN,
        zalo_api_base_url=zalo.api_base_url,
        zalo_oauth_base_url=zalo.oauth_base_url,
        zalo_backoff_s=0.01,
        **extra,
    )


def telegram_settings(data_dir: Path, url: str, tg: TelegramStandIn, **extra: Any) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=url,
        rate_limit_per_minute=0,
        telegram_token=tg.token,
        telegram_webhook_secret=TELEGRAM_SECRET,
        telegram_base_url=tg.base_url,
        telegram_base_file_url=tg.base_file_url,
        **extra,
    )


@asynccontextmanager
async def app_client(
    settings: Settings, assistant: Assistant
) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI]]:
    app = create_app(settings, assistant)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, app


def zalo_event(
    event_name: str = "user_send_text",
    *,
    user: str = "6142494823000000001",
    text: str | None = "Chào bạn",
    msg_id: str | None = None,
    timestamp_ms: int | None = None,
    app_id: str = APP_ID,
    **fields: Any,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "app_id": app_id,
        "user_id_by_app": "979122185046046317",
        "event_name": event_name,
        "timestamp": str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)),
        "sender": {"id": user},
        "recipient": {"id": "3662729599332560487"},
    }
    if text is not None or msg_id is not None:
        event["message"] = {"msg_id": msg_id or f"m{time.monotonic_ns()}"}
        if text is not None:
            event["message"]["text"] = text
    event.update(fields)
    return event


def signed(
    event: dict[str, Any], *, secret: str = OA_SECRET_KEY, mac: bool = False
) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers Zalo would send (signature over these exact bytes)."""
    body = json.dumps(event, ensure_ascii=False).encode()
    digest = signature(str(event.get("app_id", "")), body, str(event.get("timestamp", "")), secret)
    header = f"mac={digest}" if mac else digest
    return body, {"content-type": "application/json", "x-zevent-signature": header}


async def eventually(
    predicate: Callable[[], bool], timeout_s: float = 15.0, what: str = "condition"
) -> None:
    """Wait (bounded) on the test's event loop, so background tasks can run meanwhile."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)
