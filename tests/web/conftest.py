"""Fixtures for the web channel: one assistant over the starter data, the app in-process
(httpx.ASGITransport) and on a real uvicorn server on a free loopback port."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from assistant.service import Assistant
from assistant.settings import Settings
from bots.web.app import create_app
from tests.conftest import skip_or_fail
from tests.servers import free_port


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def web_assistant(starter_data_dir: Path) -> Iterator[Assistant]:
    assistant = Assistant.from_settings(Settings(data_dir=starter_data_dir))
    yield assistant
    assistant.close()


@pytest.fixture()
def web_settings(starter_data_dir: Path) -> Settings:
    """Starter data, no rate limit (tests that need one set it)."""
    return Settings(data_dir=starter_data_dir, rate_limit_per_minute=0)


@asynccontextmanager
async def api_client(
    settings: Settings, assistant: Assistant | None = None, *, ip: str = "203.0.113.7"
) -> AsyncIterator[httpx.AsyncClient]:
    """The app in-process, its lifespan run, as a client calling from `ip`."""
    app = create_app(settings, assistant)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(ip, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@dataclass
class SSEEvent:
    event: str
    data: Any


def parse_sse(body: str) -> list[SSEEvent]:
    """Events of an SSE body (comments skipped; `data:` JSON-decoded when it is JSON)."""
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
        if data:
            raw = "\n".join(data)
            try:
                decoded: Any = json.loads(raw)
            except json.JSONDecodeError:
                decoded = raw
            events.append(SSEEvent(name, decoded))
    return events


@dataclass
class LiveServer:
    url: str
    assistant: Assistant


@contextmanager
def run_server(settings: Settings, assistant: Assistant) -> Iterator[str]:
    """The app under a real uvicorn server in a thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, assistant), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(starter_data_dir: Path, web_assistant: Assistant) -> Iterator[LiveServer]:
    settings = Settings(data_dir=starter_data_dir, rate_limit_per_minute=0)
    with run_server(settings, web_assistant) as url:
        yield LiveServer(url, web_assistant)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _apt_get(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(
        ["apt-get", *args], capture_output=True, text=True, env=env, timeout=900, check=False
    )


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium, installed with apt-get when missing (never `playwright install`)."""
    if not Path(CHROMIUM).exists():
        if shutil.which("apt-get") is None or os.geteuid() != 0:
            skip_or_fail(f"{CHROMIUM} is missing and apt-get cannot install it (needs root)")
        result = _apt_get("install", "-y", "chromium")
        if result.returncode != 0:  # stale package lists: refresh once, retry
            _apt_get("update")
            result = _apt_get("install", "-y", "chromium")
        if not Path(CHROMIUM).exists():
            tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            skip_or_fail(f"`apt-get install -y chromium` failed: {tail[0]}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        skip_or_fail("the playwright package is missing (pip install -e '.[dev]')")
    return CHROMIUM
