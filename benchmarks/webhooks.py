"""Messaging webhooks under load: acknowledgement latency while answers are produced in the
background, delivered answers per second through each platform stand-in, and duplicates.

    python benchmarks/webhooks.py [--rate 100] [--seconds 5] [--duplicates 0.1] [--data-dir D]

Starts the real app (`uvicorn --factory bots.web.app:create_app`, one worker, shipped
settings except the platforms' base URLs and the secrets) in a subprocess, and the Telegram
Bot API and Zalo OpenAPI/OAuth stand-ins (tests/standins) in this process, all on loopback.
For each channel it sends `rate` signed deliveries a second for `seconds` seconds on an open
loop (each from a new user; a `duplicates` share re-sends an earlier delivery, as a platform
retry would), timing each HTTP acknowledgement, then waits until every unique delivery has
been answered through the stand-in. Prints JSON: ack p50/p95/max (target p95 ≤ 50 ms),
answers delivered per second, and duplicates answered twice (must be 0, counted from the
turns stored per conversation).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.dialogue import ConversationStore  # noqa: E402
from bots.zalo.signature import signature  # noqa: E402
from evals.retrieval import percentile  # noqa: E402
from tests.standins.telegram_server import run_telegram_standin  # noqa: E402
from tests.standins.zalo_server import (  # noqa: E402
    APP_ID,
    APP_SECRET,
    FIRST_ACCESS_TOKEN,
    FIRST_REFRESH_TOKEN,
    OA_SECRET_KEY,
    run_zalo_standin,
)

SECRET = "bench_webhook_secret"
QUESTIONS = [
    "lệ phí đăng ký kết hôn",
    "làm căn cước cần giấy tờ gì",
    "đăng ký khai sinh cần gì",
    "thời gian cấp hộ chiếu",
    "phí đăng ký thường trú",
    "nộp hồ sơ đăng ký tạm trú ở đâu",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def platform_env(telegram: Any, zalo: Any) -> dict[str, str]:
    """The settings that point the Telegram and Zalo channels at the running stand-ins."""
    return {
        "ASSISTANT_TELEGRAM_TOKEN": telegram.token,
        "ASSISTANT_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "ASSISTANT_TELEGRAM_BASE_URL": telegram.base_url,
        "ASSISTANT_ZALO_APP_ID": APP_ID,
        "ASSISTANT_ZALO_OA_SECRET_KEY": OA_SECRET_KEY,
        "ASSISTANT_ZALO_APP_SECRET": APP_SECRET,
        "ASSISTANT_ZALO_ACCESS_TOKEN": FIRST_ACCESS_TOKEN,
        "ASSISTANT_ZALO_REFRESH_TOKEN": FIRST_REFRESH_TOKEN,
        "ASSISTANT_ZALO_API_BASE_URL": zalo.api_base_url,
        "ASSISTANT_ZALO_OAUTH_BASE_URL": zalo.oauth_base_url,
    }


def zalo_delivery(i: int) -> tuple[bytes, dict[str, str]]:
    event = {
        "app_id": APP_ID,
        "user_id_by_app": f"9{i:08d}",
        "event_name": "user_send_text",
        "timestamp": str(int(time.time() * 1000)),
        "sender": {"id": f"7{i:08d}"},
        "recipient": {"id": "3662729599332560487"},
        "message": {"text": QUESTIONS[i % len(QUESTIONS)], "msg_id": f"bench{i}"},
    }
    body = json.dumps(event, ensure_ascii=False).encode()
    digest = signature(APP_ID, body, event["timestamp"], OA_SECRET_KEY)
    return body, {"content-type": "application/json", "x-zevent-signature": digest}


def telegram_delivery(i: int) -> tuple[bytes, dict[str, str]]:
    user = 5_000_000 + i
    update = {
        "update_id": 1_000_000 + i,
        "message": {
            "message_id": i + 1,
            "date": int(time.time()),
            "chat": {"id": user, "type": "private", "first_name": "B"},
            "from": {"id": user, "is_bot": False, "first_name": "B"},
            "text": QUESTIONS[i % len(QUESTIONS)],
        },
    }
    headers = {"content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET}
    return json.dumps(update, ensure_ascii=False).encode(), headers


async def blast(
    url: str, make: Any, rate: float, seconds: float, duplicates: float
) -> tuple[list[float], int, int, float]:
    """Open-loop load: (ack latencies in ms, unique deliveries, resends, start time)."""
    total = int(rate * seconds)
    rng = random.Random(7)
    plan: list[int] = []
    for n in range(total):
        if plan and rng.random() < duplicates:
            plan.append(rng.choice(plan[-50:]))  # a retry of a recent delivery
        else:
            plan.append(n)
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        bodies = {i: make(i) for i in set(plan)}

        async def one(i: int) -> None:
            nonlocal failures
            body, headers = bodies[i]
            started = time.perf_counter()
            response = await client.post(url, content=body, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                failures += 1

        start = time.perf_counter()
        tasks = []
        for k, i in enumerate(plan):
            delay = start + k / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
    if failures:
        print(f"warning: {failures} deliveries not acknowledged with 200", file=sys.stderr)
    unique = len(set(plan))
    return latencies, unique, total - unique, start


def zalo_users(zalo: Any) -> set[str]:
    with zalo._lock:
        return {s.user_id for s in zalo.sent}


def wait_until(predicate: Any, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def answered_twice(db_url: str, channel: str) -> tuple[int, int]:
    """(conversations with more than one turn, turns) for the channel's users."""
    store = ConversationStore(db_url)
    try:
        from sqlalchemy import func, select

        from assistant.dialogue import ConversationRow, TurnRow

        with store.session() as session:
            rows = session.execute(
                select(TurnRow.conversation_id, func.count())
                .join(ConversationRow, ConversationRow.id == TurnRow.conversation_id)
                .where(ConversationRow.channel == channel)
                .group_by(TurnRow.conversation_id)
            ).all()
        return sum(1 for _c, n in rows if n > 1), sum(n for _c, n in rows)
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="deliveries a second")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--duplicates", type=float, default=0.1, help="share of re-sends")
    parser.add_argument("--data-dir", type=Path, help="a started data dir (else one is built)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = Path(tmp) / "data"
            subprocess.run(
                [sys.executable, "-m", "assistant.cli", "start", "--data-dir", str(data_dir)],
                check=True,
                capture_output=True,
            )
        db_url = f"sqlite:///{Path(tmp) / 'conversations.sqlite3'}"
        # A copy of the data dir's database (catalogue included): the run's conversations
        # and channel tables never land in a data dir given with --data-dir.
        shutil.copy(data_dir / "assistant.sqlite3", Path(tmp) / "conversations.sqlite3")
        with run_zalo_standin() as zalo, run_telegram_standin() as telegram:
            port = free_port()
            env = {
                **os.environ,
                "OMP_NUM_THREADS": "1",
                "ASSISTANT_DATA_DIR": str(data_dir),
                "ASSISTANT_DATABASE_URL": db_url,
                "ASSISTANT_RATE_LIMIT_PER_MINUTE": "0",
                **platform_env(telegram, zalo),
            }
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "--factory",
                    "bots.web.app:create_app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                env=env,
                cwd=ROOT,
            )
            base = f"http://127.0.0.1:{port}"
            try:
                up = wait_until(lambda: _ready(base), 120)
                if not up:
                    raise SystemExit("the server did not start")
                results: dict[str, Any] = {
                    "rate_per_s": args.rate,
                    "seconds": args.seconds,
                    "duplicate_share": args.duplicates,
                }
                for name, path, make, delivered in (
                    ("zalo", "/webhooks/zalo", zalo_delivery, lambda: len(zalo_users(zalo))),
                    (
                        "telegram",
                        "/webhooks/telegram",
                        telegram_delivery,
                        lambda: len({c.params["chat_id"] for c in telegram.calls("sendMessage")}),
                    ),
                ):
                    before = delivered()
                    latencies, unique, resends, start = asyncio.run(
                        blast(base + path, make, args.rate, args.seconds, args.duplicates)
                    )
                    done = wait_until(
                        lambda d=delivered, b=before, u=unique: d() - b >= u,  # type: ignore[misc]
                        300,
                    )
                    elapsed = time.perf_counter() - start
                    time.sleep(1.0)  # a late duplicate answer would show now
                    twice, turns = answered_twice(db_url, name)
                    results[name] = {
                        "deliveries": len(latencies),
                        "unique": unique,
                        "resent": resends,
                        "ack_ms_p50": round(percentile(latencies, 50), 1),
                        "ack_ms_p95": round(percentile(latencies, 95), 1),
                        "ack_ms_max": round(max(latencies), 1),
                        "users_answered": delivered() - before,
                        "all_answered": done,
                        "answers_per_s": round((delivered() - before) / elapsed, 1),
                        "turns_stored": turns,
                        "duplicates_answered_twice": twice,
                    }
                print(json.dumps(results, indent=2, ensure_ascii=False))
            finally:
                server.terminate()
                server.wait(timeout=30)


def _ready(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


if __name__ == "__main__":
    main()
