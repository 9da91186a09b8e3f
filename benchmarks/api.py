"""Web API latency and throughput: `assistant serve --workers N` on loopback.

    python benchmarks/api.py [--data-dir DIR] [--workers 2] [--duration 20]
                             [--concurrency 4 16] [--sse-requests 50]

Starts the real server (a starter data dir is built with `assistant start` in a temporary
folder unless --data-dir names one), then measures
  - SSE: time to the first event and to the final `reply` event of POST /v1/chat/stream,
    sequential requests (p50/p95);
  - /v1/chat in grounded mode: concurrent httpx clients for --duration seconds, once per
    --concurrency value (requests/s, p50/p95 latency).
The load generator runs on the same machine as the server, so it takes part of its CPU.
Prints a JSON summary. Rate limits and the query-embedding cache are off for the run, and the
questions come from the evaluation sets (480 distinct), so every request runs the whole pipeline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]


def load_questions() -> list[str]:
    """Varied questions (the answer-facts set, then the retrieval dev set), in a fixed order."""
    questions: list[str] = []
    for name, key in (("answers_facts.jsonl", "question"), ("retrieval_dev.jsonl", "query")):
        for line in (ROOT / "evals" / "data" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                questions.append(json.loads(line)[key])
    return questions


QUESTIONS = load_questions()


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
    data_dir: Path, port: int, workers: int, query_cache: bool = False
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ASSISTANT_RATE_LIMIT_PER_MINUTE": "0",
        "ASSISTANT_ANSWER_MODE": "grounded",
        # Worst case by default: every question is embedded, none comes from the query cache.
        "ASSISTANT_QUERY_CACHE_SIZE": "2048" if query_cache else "0",
    }
    command = [sys.executable, "-m", "assistant", "serve", "--data-dir", str(data_dir)]
    command += ["--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )


def wait_ready(base: str, process: subprocess.Popen[bytes], timeout_s: float = 300) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            sys.exit(f"the server exited: {stderr[-2000:]}")
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


async def measure_chat(
    base: str, duration_s: float, concurrency: int, keepalive: bool = False
) -> dict[str, Any]:
    """Concurrent /v1/chat clients, each asking in turn, for `duration_s` seconds."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + duration_s
    # By default a new connection per request, as requests from many citizens arrive: a
    # handful of kept-alive connections accepted by one worker pins the whole load on it.
    kept = concurrency if keepalive else 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=kept)

    async def client_loop(client: httpx.AsyncClient, worker: int) -> None:
        i = 0
        while time.perf_counter() < deadline:
            body = {
                "user": f"load-{worker}-{i % 4}",
                "text": QUESTIONS[(worker + i) % len(QUESTIONS)],
            }
            start = time.perf_counter()
            try:
                response = await client.post("/v1/chat", json=body)
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            i += 1

    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(client, w) for w in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "duration_s": round(elapsed, 1),
        "requests": len(latencies),
        "errors": errors,
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "latency_ms": ms(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="an `assistant start` data dir")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=[4, 16], help="one run per value"
    )
    parser.add_argument("--sse-requests", type=int, default=50)
    parser.add_argument(
        "--keepalive",
        action="store_true",
        help="reuse connections (then one worker may get them all)",
    )
    parser.add_argument(
        "--query-cache",
        action="store_true",
        help="keep the query-embedding cache on (the default configuration); the questions "
        "then repeat from the second pass on, like popular questions in real traffic",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = Path(tmp) / "data"
            build_starter(data_dir)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        process = start_server(data_dir, port, args.workers, args.query_cache)
        try:
            startup_s = wait_ready(base, process)
            with httpx.Client(base_url=base, timeout=30) as client:  # warm every worker
                for i in range(20):
                    client.post("/v1/chat", json={"user": "warm", "text": QUESTIONS[i % 10]})
            sse = measure_sse(base, args.sse_requests)
            chat = [
                asyncio.run(measure_chat(base, args.duration, c, args.keepalive))
                for c in args.concurrency
            ]
        finally:
            stop_server(process)
    summary = {
        "server": f"assistant serve --workers {args.workers} (loopback)",
        "query_cache": args.query_cache,
        "keepalive": args.keepalive,
        "distinct_questions": len(QUESTIONS),
        "cpu_count": os.cpu_count(),
        "startup_s": round(startup_s, 1),
        "sse_stream": sse,
        "chat_grounded": chat,
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
