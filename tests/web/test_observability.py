"""Observability of the web process: JSON log lines with request ids, an access line per
request without query strings, no personal data in any line, and a graceful SIGTERM."""

from __future__ import annotations

import json
import logging
import logging.config
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn.config

from assistant.logs import JsonFormatter, RequestIdFilter, request_id_var, uvicorn_log_config
from assistant.service import Assistant
from assistant.settings import Settings
from tests.channels.conftest import app_client, eventually, signed, zalo_event, zalo_settings
from tests.servers import serve_on_slow_llm, wait_ready
from tests.standins.openai_server import run_openai_standin
from tests.standins.zalo_server import ZaloStandIn, run_zalo_standin
from tests.web.conftest import api_client, free_port

pytestmark = pytest.mark.anyio


class JsonLines(logging.Handler):
    """Every record, formatted as `log_format=json` writes it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.addFilter(RequestIdFilter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def parsed(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]

    def server_text(self) -> str:
        """All lines but the test client's own (httpx logs the URLs it calls, queries too)."""
        return "\n".join(line for line in self.lines if "http://testserver" not in line)


@pytest.fixture()
def json_lines() -> Iterator[JsonLines]:
    handler = JsonLines()
    root, httpx_logger = logging.getLogger(), logging.getLogger("httpx")
    levels = root.level, httpx_logger.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    httpx_logger.setLevel(logging.INFO)  # its request lines are the Zalo test's evidence
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        httpx_logger.setLevel(levels[1])


def access_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["logger"] == "assistant.access"]


def test_json_formatter_fields_extra_and_one_line_exceptions() -> None:
    formatter = JsonFormatter()
    record = logging.LogRecord("x.y", logging.WARNING, __file__, 1, "n=%d", (3,), None)
    record.job = "j-1"  # as `extra={"job": ...}` sets it
    token = request_id_var.set("abc-1")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(formatter.format(record))
    assert line["level"] == "WARNING" and line["logger"] == "x.y" and line["message"] == "n=3"
    assert line["request_id"] == "abc-1" and line["job"] == "j-1"
    assert line["ts"].endswith("+00:00")  # ISO 8601, UTC
    try:
        raise ValueError("boom")
    except ValueError:
        failed = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    text = formatter.format(failed)
    assert "\n" not in text
    parsed = json.loads(text)
    assert "ValueError: boom" in parsed["exc"] and "request_id" not in parsed


def test_uvicorn_loggers_share_the_json_format() -> None:
    config = uvicorn_log_config(Settings(log_format="json", log_level="INFO"))
    assert config["formatters"]["default"] == {"()": "assistant.logs.JsonFormatter"}
    # An earlier in-process server leaves uvicorn's own config behind (propagate off).
    logging.config.dictConfig(uvicorn.config.LOGGING_CONFIG)
    logging.config.dictConfig(config)  # what uvicorn does with it
    try:
        for name in ("uvicorn", "uvicorn.error"):
            assert logging.getLogger(name).propagate and not logging.getLogger(name).handlers
        (handler,) = logging.getLogger().handlers
        assert isinstance(handler.formatter, JsonFormatter)
    finally:
        logging.getLogger().handlers.clear()


async def test_request_ids_in_lines_and_headers_no_query_strings(
    web_settings: Settings, web_assistant: Assistant, json_lines: JsonLines
) -> None:
    async with api_client(web_settings, web_assistant) as client:
        given = await client.post(
            "/v1/chat",
            json={"user": "obs-1", "text": "lệ phí đăng ký khai sinh"},
            headers={"X-Request-ID": "client-id.42_a"},
        )
        assert given.headers["x-request-id"] == "client-id.42_a"
        insane = await client.get("/healthz", headers={"X-Request-ID": "bad id\x7f" + "x" * 80})
        assert insane.status_code == 200
        made = insane.headers["x-request-id"]
        assert made and made.isalnum() and "bad" not in made
        searched = await client.get("/v1/search", params={"q": "hộ chiếu bí-mật-query"})
        assert searched.status_code == 200
        missing = await client.get("/v1/procedures/zzz-none")
        assert missing.status_code == 404
    lines = json_lines.parsed()  # every line parsed as JSON (json.loads raises otherwise)
    access = access_lines(lines)
    by_id = {line["request_id"]: line for line in access}
    assert by_id["client-id.42_a"]["path"] == "/v1/chat"
    assert by_id["client-id.42_a"]["status"] == 200 and by_id["client-id.42_a"]["method"] == "POST"
    assert by_id["client-id.42_a"]["duration_ms"] >= 0
    assert by_id[made]["path"] == "/healthz"
    assert by_id[searched.headers["x-request-id"]]["path"] == "/v1/search"
    assert by_id[missing.headers["x-request-id"]]["status"] == 404
    assert len(access) == 4
    everything = json_lines.server_text()
    assert "bí-mật-query" not in everything and "q=" not in everything
    assert "bad id" not in everything


async def test_personal_data_is_in_no_json_line(
    web_settings: Settings, web_assistant: Assistant, json_lines: JsonLines
) -> None:
    secrets = ["079095001234", "0912 345 678", "0912345678"]
    text = "CCCD 079095001234, sđt 0912 345 678 (0912345678)"
    async with api_client(web_settings, web_assistant) as client:
        for message in (f"{text} làm lại căn cước thế nào", f"{text} cho tôi gặp cán bộ"):
            reply = await client.post("/v1/chat", json={"user": "obs-pii", "text": message})
            assert reply.status_code == 200
        stream = await client.post("/v1/chat/stream", json={"user": "obs-pii2", "text": text})
        assert stream.status_code == 200
        searched = await client.get("/v1/search", params={"q": text})
        assert searched.status_code == 200
    assert len(access_lines(json_lines.parsed())) == 4, "the scan would prove nothing"
    everything = json_lines.server_text()
    for secret in secrets:
        assert secret not in everything, secret


@pytest.fixture()
def zalo() -> Iterator[ZaloStandIn]:
    with run_zalo_standin() as standin:
        yield standin


async def test_zalo_background_answer_keeps_the_delivery_request_id(
    starter_data_dir: Path,
    web_assistant: Assistant,
    tmp_path: Path,
    zalo: ZaloStandIn,
    json_lines: JsonLines,
) -> None:
    settings = zalo_settings(starter_data_dir, f"sqlite:///{tmp_path / 'z.sqlite3'}", zalo)
    async with app_client(settings, web_assistant) as (client, _app):
        body, headers = signed(zalo_event(text="lệ phí đăng ký kết hôn", msg_id="obs-z1"))
        response = await client.post(
            "/webhooks/zalo", content=body, headers={**headers, "X-Request-ID": "zalo-delivery-1"}
        )
        assert response.status_code == 200 and response.json() == {"status": "accepted"}
        await eventually(lambda: len(zalo.sent) == 1, what="the answer")
        request_id_var.set(None)  # this test's own context is not the request's
    sends = [
        line
        for line in json_lines.parsed()
        if line["logger"] == "httpx" and "/message/cs" in line["message"]
    ]
    assert sends, "the background task wrote no line to check"
    assert all(line.get("request_id") == "zalo-delivery-1" for line in sends)
    (access,) = access_lines(json_lines.parsed())
    assert access["request_id"] == "zalo-delivery-1"


def test_sigterm_lets_the_request_in_flight_finish(starter_data_dir: Path, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    own_copy = shutil.copy(starter_data_dir / "assistant.sqlite3", tmp_path / "serve.sqlite3")
    with run_openai_standin() as llm:
        llm.delay_s = 2.0
        # A copy of the starter database: the shared one stays as built.
        process = serve_on_slow_llm(
            starter_data_dir,
            port,
            log,
            llm.base_url,
            f"sqlite:///{own_copy}",
            log_format="json",
            shutdown_grace_s="15",
        )
        try:
            wait_ready(process, base, log)
            result: dict[str, Any] = {}

            def ask() -> None:
                started = time.monotonic()
                result["response"] = httpx.post(
                    f"{base}/v1/chat",
                    json={"user": "obs-term", "text": "lệ phí đăng ký khai sinh là bao nhiêu"},
                    headers={"X-Request-ID": "in-flight-1"},
                    timeout=30,
                )
                result["seconds"] = time.monotonic() - started

            asker = threading.Thread(target=ask)
            asker.start()
            deadline = time.monotonic() + 20
            while not llm.chat_requests:
                assert time.monotonic() < deadline, "the chat never reached the LLM"
                time.sleep(0.05)
            process.send_signal(signal.SIGTERM)  # while the LLM is still "thinking"
            signalled = time.monotonic()
            time.sleep(0.3)
            # Shutting down: the listener is closed, so a probe cannot report ready.
            with pytest.raises(httpx.ConnectError):
                httpx.get(f"{base}/readyz", timeout=2)
            asker.join(timeout=30)
            assert process.wait(timeout=15) == 0
            assert time.monotonic() - signalled < 15
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
    response = result["response"]
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "in-flight-1"
    reply = response.json()
    assert reply["text"] and reply["kind"]
    assert result["seconds"] >= 1.5  # it really waited for the slow LLM
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    messages = [line["message"] for line in lines]
    assert any("Shutting down" in m for m in messages)  # uvicorn's own lines, as JSON
    (access,) = [line for line in access_lines(lines) if line.get("request_id") == "in-flight-1"]
    assert access["path"] == "/v1/chat" and access["status"] == 200
