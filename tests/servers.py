"""Private server subprocesses for tests: start, stop (kill) and restart on a free loopback port.

Each server lives in its own temp directory and port, so a test can kill or restart it
without touching the shared services other sessions use (PostgreSQL on 5432, Redis on 6379).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout_s: float, what: str) -> float:
    """Poll `check` until it holds; returns the seconds it took, raises after `timeout_s`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        try:
            if check():
                return time.monotonic() - started
        except Exception:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{what} not reached within {timeout_s:.0f} s")


def wait_ready(
    process: subprocess.Popen[bytes], base: str, log: Path, timeout_s: float = 180
) -> None:
    """Wait for `assistant serve` at `base` to answer /readyz 200; fail with its log if it exits."""
    deadline = time.monotonic() + timeout_s
    while True:
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "the server did not become ready"
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)


def stop_serve(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Stop `assistant serve` (its whole process group) with `sig`; SIGKILL after 30 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def serve_on_slow_llm(
    data_dir: Path,
    port: int,
    log: Path,
    llm_base_url: str,
    database_url: str,
    *args: str,
    **settings: str,
) -> subprocess.Popen[bytes]:
    """`assistant serve` in LLM mode against a stand-in LLM, rate limits off, its log to
    `log`; `args` go to the command line, `settings` are more ASSISTANT_* variables."""
    env = {
        **os.environ,
        "ASSISTANT_RATE_LIMIT_PER_MINUTE": "0",
        "ASSISTANT_ANSWER_MODE": "llm",
        "ASSISTANT_LLM_BASE_URL": llm_base_url,
        "ASSISTANT_LLM_MODEL": "standin",
        "ASSISTANT_LLM_API_KEY": "test",
        "ASSISTANT_DATABASE_URL": database_url,
        **{f"ASSISTANT_{name.upper()}": value for name, value in settings.items()},
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [sys.executable, "-m", "assistant", "serve", "--port", str(port)]
    with log.open("wb") as sink:
        return subprocess.Popen(
            [*command, *args, "--data-dir", str(data_dir)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=sink,
            start_new_session=True,
        )


class ChromaServer:
    """`chroma run` over a data directory; `kill` and `start` again keep the data."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path = path
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        try:
            return httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def start(self, timeout_s: float = 60.0) -> float:
        chroma = Path(sys.executable).parent / "chroma"
        command = [str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
            start_new_session=True,
        )
        return wait_until(self.alive, timeout_s, f"Chroma heartbeat on {self.url}")

    def kill(self) -> None:
        """SIGKILL, as a crash would; waits until the port no longer answers."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None
        wait_until(lambda: not self.alive(), 10, "Chroma down")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None


POSTGRES_BIN = Path("/usr/lib/postgresql")


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian's layout), or None."""
    versions = sorted(POSTGRES_BIN.glob("*/bin/pg_ctl"), key=lambda p: p.parts[-3])
    return versions[-1].parent if versions else None


class PostgresServer:
    """A private PostgreSQL cluster (initdb in a temp directory) on a free loopback port.

    `stop(mode="immediate")` is a crash (no checkpoint: recovery replays the WAL on start),
    `start` brings it back on the same port with the same data. PostgreSQL refuses to run as
    root, so as root the cluster belongs to the `postgres` user and runs through `runuser`.
    """

    def __init__(self, port: int | None = None) -> None:
        found = postgres_bin()
        if found is None:
            raise OSError("PostgreSQL's server programs are not installed (/usr/lib/postgresql)")
        self.bin = found
        self.port = port or free_port()
        self.root = Path(tempfile.mkdtemp(prefix="pg-private-"))
        self.data = self.root / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str, timeout_s: float = 60) -> None:
        command = [*self.as_user, str(self.bin / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
        if done.returncode != 0:
            raise OSError(f"{program} failed: {done.stderr.strip()[-500:]}")

    def start(self, timeout_s: float = 60) -> float:
        started = time.monotonic()
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-w", "-l",
                  str(self.root / "log"), "start", timeout_s=timeout_s)  # fmt: skip
        return time.monotonic() - started

    def stop(self, mode: str = "fast") -> None:
        """`fast`: a clean shutdown; `immediate`: what a crash or a kill -9 leaves."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
