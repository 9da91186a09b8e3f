"""`assistant serve`: refuses an empty index; serves with several workers (a subprocess)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from assistant.cli import app
from tests.servers import free_port, stop_serve, wait_ready


def test_serve_refuses_an_empty_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # serve sets it; keep this process's env as is
    result = CliRunner().invoke(app, ["serve", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "run `assistant start` first" in output


def test_serve_with_two_workers(starter_data_dir: Path, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    env = {**os.environ, "ASSISTANT_RATE_LIMIT_PER_MINUTE": "0"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [sys.executable, "-m", "assistant", "serve", "--workers", "2", "--port", str(port)]
    with log.open("wb") as sink:  # a file, not an unread pipe the server could stall on
        process = subprocess.Popen(
            [*command, "--data-dir", str(starter_data_dir)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_ready(process, base, log)
        close = {"Connection": "close"}  # new connections: the kernel spreads them on workers
        for i in range(12):
            reply = httpx.post(
                f"{base}/v1/chat", json={"user": f"serve-{i}", "text": "khai sinh"}, headers=close
            )
            assert reply.status_code == 200
        # /metrics adds up both workers (multiprocess mode), whichever one answers it.
        pattern = (
            r'assistant_http_requests_total\{method="POST",route="/v1/chat",status="200"\} (\S+)'
        )
        for _ in range(4):
            metrics = httpx.get(f"{base}/metrics", headers=close).text
            found = re.search(pattern, metrics)
            assert found is not None and float(found.group(1)) == 12.0
            assert "assistant_http_requests_created" not in metrics  # multiprocess output
    finally:
        stop_serve(process, signal.SIGINT)
