"""Web API latency and throughput: `assistant serve --workers N` on loopback.

    python benchmarks/api.py [--data-dir DIR] [--workers 2] [--duration 20]
                             [--concurrency 4 8] [--new-share 0 0.1 0.2 0.5 1]
                             [--sse-requests 50]

Starts the real server in its shipped configuration (a starter data dir is built with
`assistant start` in a temporary folder unless --data-dir names one; rate limits off), then
measures
  - SSE: time to the first event and to the final `reply` event of POST /v1/chat/stream,
    sequential requests (p50/p95);
  - /v1/chat in grounded mode: concurrent clients for --duration seconds, for each
    --concurrency and each --new-share: the share of requests whose question the server has
    never seen. Those are new wordings ("cho em hỏi …", "… ạ") of the evaluation questions
    (480), so each costs a full pipeline run with the embedding model unless the lexical
    evidence decides; the other requests repeat the 100 most popular questions, already
    asked once (as popular questions are), whose embeddings the workers keep.
The embedding of a new question is the costliest step (about 24 ms on one core); the share
of new questions in real traffic is what decides the throughput, hence the curve.

The load generator shares the machine's cores with the server. It is a small raw-socket
HTTP/1.1 client (a new connection per request, as from many citizens) rather than httpx,
whose own cost (about 2 ms of CPU a request) would be taken from the server.
Prints a JSON summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]


def load_questions() -> list[tuple[str, str]]:
    """(question, style) from the answer-facts set, then the retrieval dev set, in order."""
    questions: list[tuple[str, str]] = []
    for name, key in (("answers_facts.jsonl", "question"), ("retrieval_dev.jsonl", "query")):
        for line in (ROOT / "evals" / "data" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                questions.append((row[key], row.get("style", "")))
    return questions


STYLED = load_questions()
QUESTIONS = [q for q, _ in STYLED]
POPULAR = 100  # questions repeated by the "seen before" share of the load
VI_OPENINGS = (
    "",
    "cho em hỏi ",
    "xin hỏi ",
    "ad ơi ",
    "mình muốn hỏi ",
    "chào bạn, ",
    "tôi cần hỏi ",
)
VI_ENDINGS = ("", " ạ", " với", " nhé", " vậy", "?")
EN_OPENINGS = ("", "hi, ", "hello, ", "please, ", "quick question: ", "excuse me, ")
EN_ENDINGS = ("", "?", " please", " thanks", " thank you")


def new_questions(seed: int = 7) -> Iterator[str]:
    """Wordings nobody asked yet: each evaluation question with a polite opening/ending."""
    rng = random.Random(seed)
    variants = []
    for question, style in STYLED:
        english = style == "en"
        for opening in EN_OPENINGS if english else VI_OPENINGS:
            for ending in EN_ENDINGS if english else VI_ENDINGS:
                if opening or ending:
                    variants.append(f"{opening}{question.rstrip('?')}{ending}")
    rng.shuffle(variants)
    yield from variants
    raise RuntimeError("out of new questions: lower --duration or --new-share")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def ms(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 50) * 1000, 1),
        "p95": round(percentile(values, 95) * 1000, 1),
        "max": round(max(values) * 1000, 1) if values else float("nan"),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_starter(data_dir: Path) -> None:
    print(f"building a starter data dir in {data_dir} …", file=sys.stderr)
    subprocess.run(
        [sys.executable, "-m", "assistant", "start", "--data-dir", str(data_dir)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def start_server(
    data_dir: Path, port: int, workers: int, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """`assistant serve --workers N` on the shipped settings, rate limits off; `env` adds
    or overrides settings (a database URL, the platforms' credentials)."""
    environment = {
        **os.environ,
        "ASSISTANT_RATE_LIMIT_PER_MINUTE": "0",
        "ASSISTANT_ANSWER_MODE": "grounded",
        **(env or {}),
    }
    command = [sys.executable, "-m", "assistant", "serve", "--data-dir", str(data_dir)]
    command += ["--port", str(port), "--workers", str(workers)]
    # Its log to a file, not a pipe: nobody reads a pipe during the run, and a server whose
    # stderr is full blocks on its next log line (one access line per request).
    log = tempfile.TemporaryFile()  # noqa: SIM115  (open as long as the server runs)
    process = subprocess.Popen(
        command, env=environment, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
    )
    process.log_file = log  # type: ignore[attr-defined]  # read by `server_log`
    return process


def server_log(process: subprocess.Popen[bytes]) -> str:
    """The end of the server's log (see `start_server`)."""
    log = getattr(process, "log_file", None)
    if log is None:
        return ""
    log.seek(0)
    return log.read().decode(errors="replace")[-2000:]


def wait_ready(base: str, process: subprocess.Popen[bytes], timeout_s: float = 300) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        if process.poll() is not None:
            sys.exit(f"the server exited: {server_log(process)}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return time.monotonic() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    sys.exit("the server did not become ready in time")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def measure_sse(base: str, requests: int) -> dict[str, Any]:
    """Sequential streamed questions: time to the first event and to the `reply` event."""
    first: list[float] = []
    final: list[float] = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for i in range(requests):
            body = {"user": f"sse-{i}", "text": QUESTIONS[i % len(QUESTIONS)]}
            start = time.perf_counter()
            got_first = False
            with client.stream("POST", "/v1/chat/stream", json=body) as response:
                response.raise_for_status()
                for line in response.iter_lines():
                    if line.startswith("event:") and not got_first:
                        first.append(time.perf_counter() - start)
                        got_first = True
                    if line == "event: reply":
                        final.append(time.perf_counter() - start)
    return {"requests": requests, "first_event_ms": ms(first), "final_event_ms": ms(final)}


async def request(
    host: str,
    port: int,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> int:
    """One HTTP/1.1 request on a new connection (as from many citizens); returns the status
    after reading the whole response. A raw-socket client: httpx's own CPU would come off
    the server's on this small machine."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body)
        response = await reader.read(-1)  # the server closes after the response
    finally:
        writer.close()
    if not response.startswith(b"HTTP/1.1 ") or b"\r\n\r\n" not in response:
        raise ConnectionError("incomplete response")
    return int(response[9:12])


JSON = {"Content-Type": "application/json"}


async def post_json(host: str, port: int, path: str, body: bytes) -> int:
    return await request(host, port, "POST", path, body, JSON)


async def measure_chat(
    base: str, duration_s: float, concurrency: int, new_share: float, fresh: Iterator[str]
) -> dict[str, Any]:
    """Concurrent /v1/chat clients, each asking in turn, for `duration_s` seconds."""
    url = httpx.URL(base)
    host, port = url.host, url.port or 80
    latencies: list[float] = []
    errors: dict[str, int] = {}
    rng = random.Random(concurrency * 1000 + round(new_share * 100))
    deadline = time.perf_counter() + duration_s

    async def client_loop(worker: int) -> None:
        i = 0
        while time.perf_counter() < deadline:
            new = rng.random() < new_share
            text = next(fresh) if new else QUESTIONS[rng.randrange(POPULAR)]
            body = json.dumps({"user": f"load-{worker}-{i % 4}", "text": text}).encode()
            start = time.perf_counter()
            try:
                status = await post_json(host, port, "/v1/chat", body)
            except OSError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            else:
                if status == 200:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors[str(status)] = errors.get(str(status), 0) + 1
            i += 1

    started = time.perf_counter()
    await asyncio.gather(*(client_loop(w) for w in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "new_share": new_share,
        "duration_s": round(elapsed, 1),
        "requests": len(latencies),
        "errors": errors,
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "latency_ms": ms(latencies),
    }


async def ask_popular(base: str, rounds: int) -> None:
    """Ask the popular questions `rounds` times each, so that every worker has seen them."""
    url = httpx.URL(base)
    for _ in range(rounds):
        for i, text in enumerate(QUESTIONS[:POPULAR]):
            body = json.dumps({"user": f"warm-{i}", "text": text}).encode()
            await post_json(url.host, url.port or 80, "/v1/chat", body)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="an `assistant start` data dir")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=[4, 8], help="one run per value"
    )
    parser.add_argument(
        "--new-share",
        type=float,
        nargs="+",
        default=[0.0, 0.1, 0.2, 0.5, 1.0],
        help="shares of requests with a question never asked before; one run per value",
    )
    parser.add_argument("--sse-requests", type=int, default=50)
    args = parser.parse_args()
    if any(not 0.0 <= share <= 1.0 for share in args.new_share):
        parser.error("--new-share values lie between 0 and 1")

    fresh = new_questions()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = Path(tmp) / "data"
            build_starter(data_dir)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        process = start_server(data_dir, port, args.workers)
        try:
            startup_s = wait_ready(base, process)
            with httpx.Client(base_url=base, timeout=30) as client:  # load every worker's model
                for _ in range(20):
                    client.post("/v1/chat", json={"user": "warm", "text": next(fresh)})
            sse = measure_sse(base, args.sse_requests)  # questions new to the server
            asyncio.run(ask_popular(base, rounds=4))
            chat = [
                asyncio.run(measure_chat(base, args.duration, c, share, fresh))
                for share in args.new_share
                for c in args.concurrency
            ]
        finally:
            stop_server(process)
    summary = {
        "server": f"assistant serve --workers {args.workers} (loopback, shipped settings)",
        "evaluation_questions": len(QUESTIONS),
        "popular_questions": POPULAR,
        "cpu_count": os.cpu_count(),
        "startup_s": round(startup_s, 1),
        "sse_stream": sse,
        "chat_grounded": chat,
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
