"""Mixed load on `assistant serve --workers N` for N in 1, 2, 4: throughput, latency, memory.

    python benchmarks/load.py [--workers 1 2 4] [--duration 30] [--concurrency 8]
                              [--data-dir D] [--quick]

Starts the real server (`assistant serve --workers N`, shipped settings, rate limits off)
with Telegram and Zalo webhooks enabled against the platform stand-ins (tests/standins,
run in this process), and drives a closed loop of `concurrency` clients for `duration`
seconds with a realistic mix: ~50% web chat (/v1/chat; popular questions repeated and
new wordings, as in benchmarks/api.py), 20% Zalo webhooks, 15% Telegram webhooks (signed
as the platforms do, see benchmarks/webhooks.py; their answers are produced in the
background and are not timed here), 15% /v1/search. A starter data dir is built with
`assistant start` unless --data-dir names one; each N gets a fresh copy of its database.

Reports per N: requests per second, p50/p95/p99 per kind and overall, errors, and the
resident memory (VmRSS) of every uvicorn worker process after the run. JSON on stdout, a
short table on stderr. `--quick`: about 10 s per N, for a smoke run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.api import (  # noqa: E402
    POPULAR,
    QUESTIONS,
    build_starter,
    free_port,
    new_questions,
    percentile,
    request,
    start_server,
    stop_server,
    wait_ready,
)
from benchmarks.webhooks import platform_env, telegram_delivery, zalo_delivery  # noqa: E402
from tests.standins.telegram_server import run_telegram_standin  # noqa: E402
from tests.standins.zalo_server import run_zalo_standin  # noqa: E402

MIX = (("chat", 0.50), ("zalo", 0.20), ("telegram", 0.15), ("search", 0.15))
NEW_SHARE = 0.2  # chat questions never asked before


def summarise(values: list[float]) -> dict[str, float]:
    return {f"p{q}_ms": round(percentile(values, q) * 1000, 1) for q in (50, 95, 99)}


async def drive(
    port: int, duration_s: float, concurrency: int, fresh: Iterator[str], seed: int
) -> dict[str, Any]:
    host = "127.0.0.1"
    rng = random.Random(seed)
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    latencies: dict[str, list[float]] = {k: [] for k in kinds}
    errors: dict[str, dict[str, int]] = {k: {} for k in kinds}
    counter = iter(range(seed * 1_000_000, (seed + 1) * 1_000_000))
    json_header = {"Content-Type": "application/json"}

    def make(kind: str, client: int, i: int) -> tuple[str, str, bytes, dict[str, str]]:
        n = next(counter)
        if kind == "chat":
            text = next(fresh) if rng.random() < NEW_SHARE else QUESTIONS[rng.randrange(POPULAR)]
            body = json.dumps({"user": f"load-{client}-{i % 4}", "text": text}).encode()
            return "POST", "/v1/chat", body, json_header
        if kind == "search":
            q = quote(QUESTIONS[rng.randrange(len(QUESTIONS))])
            return "GET", f"/v1/search?q={q}", b"", {}
        if kind == "zalo":
            body, headers = zalo_delivery(n)
            return "POST", "/webhooks/zalo", body, headers
        body, headers = telegram_delivery(n)
        return "POST", "/webhooks/telegram", body, headers

    deadline = time.perf_counter() + duration_s

    async def client_loop(client: int) -> None:
        i = 0
        while time.perf_counter() < deadline:
            kind = rng.choices(kinds, weights)[0]
            method, path, body, headers = make(kind, client, i)
            started = time.perf_counter()
            try:
                status = await request(host, port, method, path, body, headers)
            except OSError as exc:
                status_name = type(exc).__name__
            else:
                if status == 200:
                    latencies[kind].append(time.perf_counter() - started)
                    status_name = ""
                else:
                    status_name = str(status)
            if status_name:
                errors[kind][status_name] = errors[kind].get(status_name, 0) + 1
            i += 1

    started = time.perf_counter()
    await asyncio.gather(*(client_loop(c) for c in range(concurrency)))
    elapsed = time.perf_counter() - started
    every = [v for values in latencies.values() for v in values]
    return {
        "duration_s": round(elapsed, 1),
        "requests": len(every),
        "requests_per_s": round(len(every) / elapsed, 1),
        "overall": summarise(every),
        "kinds": {
            k: {"requests": len(latencies[k]), **summarise(latencies[k]), "errors": errors[k]}
            for k in kinds
        },
        "errors": sum(sum(e.values()) for e in errors.values()),
    }


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    """Every descendant of `pid` (uvicorn's supervisor and its worker processes)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = Path(f"/proc/{parent}/task").iterdir()
            for task in tasks:
                text = (task / "children").read_text().split()
                kids = [int(k) for k in text]
                found += kids
                todo += kids
        except OSError:
            continue
    return found


def worker_memory(server_pid: int) -> dict[str, Any]:
    pids = children(server_pid)
    rows = {pid: rss_mb(pid) for pid in pids}
    # The supervisor (a multiprocessing spawn/resource helper is small) is reported apart.
    workers = {str(pid): mb for pid, mb in rows.items() if mb is not None and mb > 100}
    return {
        "server_rss_mb": rss_mb(server_pid),
        "worker_rss_mb": workers,
        "other_children_rss_mb": {
            str(pid): mb for pid, mb in rows.items() if str(pid) not in workers
        },
    }


def warm(port: int, fresh: Iterator[str], workers: int) -> None:
    """Load every worker's model and popular answers before timing."""

    async def run() -> None:
        body = {"Content-Type": "application/json"}
        for i in range(10 * workers):
            text = next(fresh)
            data = json.dumps({"user": f"warm-{i}", "text": text}).encode()
            await request("127.0.0.1", port, "POST", "/v1/chat", data, body)
        for i, text in enumerate(QUESTIONS[:POPULAR]):
            data = json.dumps({"user": f"warm-p{i}", "text": text}).encode()
            await asyncio.gather(
                *(
                    request("127.0.0.1", port, "POST", "/v1/chat", data, body)
                    for _ in range(workers)
                )
            )

    asyncio.run(run())


def table(results: list[dict[str, Any]]) -> str:
    head = f"{'N':>2} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'err':>4}  per kind p95 (ms)"
    lines = [head]
    for r in results:
        o = r["overall"]
        kinds = " ".join(f"{k}={v['p95_ms']}" for k, v in r["kinds"].items())
        mem = ",".join(str(m) for m in r["memory"]["worker_rss_mb"].values())
        lines.append(
            f"{r['workers']:>2} {r['requests_per_s']:>7} {o['p50_ms']:>7} {o['p95_ms']:>7} "
            f"{o['p99_ms']:>7} {r['errors']:>4}  {kinds}  RSS MB: {mem}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per N")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument("--data-dir", type=Path, help="an `assistant start` data dir")
    parser.add_argument("--quick", action="store_true", help="a ~10 s smoke run per N")
    args = parser.parse_args()
    duration = 10.0 if args.quick else args.duration
    fresh = new_questions()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = Path(tmp) / "data"
            build_starter(data_dir)
        with run_zalo_standin() as zalo, run_telegram_standin() as telegram:
            platforms = {"OMP_NUM_THREADS": "1", **platform_env(telegram, zalo)}
            for n in args.workers:
                # A fresh copy of the database per run: conversations never land in data_dir.
                db = Path(tmp) / f"run-{n}.sqlite3"
                shutil.copy(data_dir / "assistant.sqlite3", db)
                port = free_port()
                process = start_server(
                    data_dir, port, n, {**platforms, "ASSISTANT_DATABASE_URL": f"sqlite:///{db}"}
                )
                try:
                    startup_s = wait_ready(f"http://127.0.0.1:{port}", process)
                    warm(port, fresh, n)
                    run = asyncio.run(drive(port, duration, args.concurrency, fresh, seed=n))
                    memory = worker_memory(process.pid)
                finally:
                    stop_server(process)
                results.append(
                    {"workers": n, "startup_s": round(startup_s, 1), **run, "memory": memory}
                )
                print(table(results[-1:]), file=sys.stderr)
            delivered = {
                "zalo_messages_sent": len(zalo.sent),
                "telegram_calls": len(telegram.calls("sendMessage")),
            }
    summary = {
        "server": "assistant serve --workers N (loopback, shipped settings, webhooks on)",
        "mix": dict(MIX),
        "chat_new_share": NEW_SHARE,
        "concurrency": args.concurrency,
        "cpu_count": os.cpu_count(),
        "runs": results,
        "background_answers": delivered,
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    print(table(results), file=sys.stderr)


if __name__ == "__main__":
    main()
