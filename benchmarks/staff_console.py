"""Console overview page time with many logged questions (issue 13: ≤ 200 ms p95 at 100,000).

    python benchmarks/staff_console.py [--questions 100000] [--runs 30] [--live 500]

Fills a fresh SQLite database with conversations and turns (a realistic mix: 70 % answered,
10 % clarifications, 20 % unanswered or refused, 5 % of replies rated; latencies around a
second). The turns are written as the assistant writes them: the last `--live` through
`ConversationStore.save` itself (timed: the write side of the daily rollups), the others in
one bulk transaction that inserts the same columns (`folded_text` from `review_fold`) and
counts them into the rollups with `count_turns`, the function `save` uses. The rollups are
then checked against a recount from the turns (`recount_rollups`, the backfill an existing
database gets, also timed).

The headline times a real `GET /staff`: the console's router (`bots.staff.ui`) on a real
`StaffConsole`, with a logged-in cookie, through the ASGI app: session check, analytics for
14 days, the review queue, the FAQ list and the template. Nothing is cached between runs.
Prints p50/p95 in milliseconds, then the two aggregations on their own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from assistant.dialogue import (
    ConversationRow,
    ConversationStore,
    FeedbackRow,
    LatencyDayRow,
    TurnDayRow,
    TurnRecord,
    TurnRow,
    count_turns,
    review_fold,
)
from assistant.service import Assistant
from assistant.settings import Settings
from bots.staff.auth import COOKIE
from bots.staff.console import StaffConsole
from bots.staff.ui import CHART_DAYS, ui_router
from staff.analytics import analytics
from staff.passwords import hash_password, new_token, token_digest
from staff.review import review_queue

TOPICS = [
    "khai sinh",
    "căn cước",
    "hộ chiếu",
    "kết hôn",
    "thường trú",
    "đất đai",
    "lý lịch tư pháp",
]
ASPECTS = ["cần gì", "lệ phí bao nhiêu", "nộp ở đâu", "mất bao lâu", "làm online được không"]
OFF_TOPIC = ["thời tiết hôm nay", "giá vàng", "kết quả bóng đá", "viết bài thơ", "tỷ giá đô"]
MEDIAN_MS = {"answer": 900, "clarification": 450, "out_of_scope": 300}


def question(rng: random.Random) -> tuple[str, str, str | None]:
    """(kind, text, procedure code)."""
    roll = rng.random()
    kind = "answer" if roll < 0.7 else "clarification" if roll < 0.8 else "out_of_scope"
    if kind == "out_of_scope":
        text = f"{rng.choice(OFF_TOPIC)} {rng.choice(['', 'thế nào', 'ra sao', 'ạ'])}"
    else:
        text = f"{rng.choice(TOPICS)} {rng.choice(ASPECTS)}"
    code = f"1.00{rng.randint(1000, 1100)}" if kind == "answer" else None
    return kind, text, code


def latency(rng: random.Random, kind: str) -> int:
    return max(20, round(rng.lognormvariate(math.log(MEDIAN_MS[kind]), 0.6)))


def percentiles(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
    return f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms"


def fill(url: str, questions: int, live: int, seed: int = 1) -> list[float]:
    """Fill the database; the times (ms) of the `live` turns stored with `save`."""
    rng, timing = random.Random(seed), random.Random(seed + 1)
    store = ConversationStore(url)
    now = dt.datetime.now(dt.UTC)
    bulk = max(0, questions - live)
    users = max(1, bulk // 5)
    conversations = [
        {
            "id": uuid.uuid4().hex,
            "channel": rng.choice(["web", "zalo", "telegram"]),
            "user_id": f"u{i}",
            "state": {},
            "created_at": now,
            "updated_at": now,
        }
        for i in range(users)
    ]
    turns: list[dict[str, Any]] = []
    feedback: list[dict[str, Any]] = []
    counted: list[tuple[dt.datetime, str, TurnRecord]] = []
    for i in range(bulk):
        kind, text, code = question(rng)
        record = TurnRecord(
            reply_id=uuid.uuid4().hex,
            user_text=text,
            reply_text="…",
            kind=kind,
            answer_mode="grounded",
            procedure_code=code,
            latency_ms=latency(timing, kind),
        )
        owner = conversations[i % users]
        created_at = now - dt.timedelta(minutes=rng.randint(0, 60 * 24 * 30))
        # The columns `ConversationStore.save` writes, and its rollup counting.
        turns.append(
            {
                "conversation_id": owner["id"],
                "created_at": created_at,
                "folded_text": review_fold(text),
                **vars(record),
            }
        )
        counted.append((created_at, str(owner["channel"]), record))
        if rng.random() < 0.05:
            feedback.append(
                {
                    "reply_id": record.reply_id,
                    "rating": rng.choice(["up", "up", "down"]),
                    "comment": "",
                }
            )
    with store.engine.begin() as connection:
        connection.execute(insert(ConversationRow), conversations)
        if turns:
            connection.execute(insert(TurnRow), turns)
        count_turns(connection, counted)
        if feedback:
            connection.execute(insert(FeedbackRow), feedback)
    saves = []
    for i in range(live):  # the real write path, turn by turn
        kind, text, code = question(rng)
        conversation = store.load(rng.choice(["web", "zalo", "telegram"]), f"live{i % 100}")
        record = TurnRecord(
            reply_id=uuid.uuid4().hex,
            user_text=text,
            reply_text="…",
            kind=kind,
            answer_mode="grounded",
            procedure_code=code,
            latency_ms=latency(timing, kind),
        )
        started = time.perf_counter()
        store.save(conversation, record)
        saves.append((time.perf_counter() - started) * 1000)
    store.close()
    return saves


def rollup_rows(store: ConversationStore) -> tuple[list[Any], list[Any]]:
    with store.engine.connect() as connection:
        days = connection.execute(select(TurnDayRow.__table__).order_by(*TurnDayRow.__table__.c))
        latencies = connection.execute(
            select(LatencyDayRow.__table__).order_by(*LatencyDayRow.__table__.c)
        )
        return [tuple(r) for r in days], [tuple(r) for r in latencies]


def check_rollups(url: str) -> float:
    """Assert the rollups written along the turns equal a recount; the recount's time (ms)."""
    store = ConversationStore(url)
    try:
        written = rollup_rows(store)
        started = time.perf_counter()
        store.recount_rollups()
        took = (time.perf_counter() - started) * 1000
        if rollup_rows(store) != written:
            raise SystemExit("the daily rollups differ from a recount of the turns")
        return took
    finally:
        store.close()


def timed(call: Callable[[], Any], runs: int) -> list[float]:
    call()  # warm the connection pool and the template
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--live", type=int, default=500, help="turns stored through save()")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        started = time.perf_counter()
        saves = fill(url, args.questions, min(args.live, args.questions))
        print(f"filled {args.questions} questions in {time.perf_counter() - started:.1f} s")
        if saves:
            print(f"save() with the rollups, {len(saves)} turns: {percentiles(saves)}")
        print(f"rollups match a recount of the turns (recount: {check_rollups(url):.0f} ms)")

        conversations = ConversationStore(url)
        console = StaffConsole(Settings(data_dir=Path(folder), staff_secure_cookies=False))
        stub = SimpleNamespace(conversations=conversations, curation=None, handoffs=None)
        console.open(cast(Assistant, stub))
        try:
            user = console.store.create_user("bench", hash_password("x" * 12), "admin", actor="x")
            token = new_token()
            console.store.open_session(
                user, token_digest(token), "cookie", new_token(), dt.timedelta(hours=1)
            )
            app = FastAPI()
            app.include_router(ui_router(console))
            with TestClient(app, cookies={COOKIE: token}) as client:

                def overview() -> None:
                    response = client.get("/staff")
                    if response.status_code != 200 or 'id="total-questions"' not in response.text:
                        raise SystemExit(f"GET /staff: {response.status_code}")

                page = timed(overview, args.runs)
            engine = conversations.engine
            figures = timed(lambda: analytics(engine, CHART_DAYS), args.runs)
            review = timed(lambda: review_queue(engine, 30), args.runs)
        finally:
            console.close()
            conversations.close()
    print(f"GET /staff (overview page, uncached): {percentiles(page)}")
    print(f"  analytics for {CHART_DAYS} days: {percentiles(figures)}")
    print(f"  review queue: {percentiles(review)}")


if __name__ == "__main__":
    main()
