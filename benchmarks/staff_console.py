"""Console overview page time with many logged questions (issue 13: ≤ 200 ms p95 at 100,000).

    python benchmarks/staff_console.py [--questions 100000] [--runs 30]

Fills a fresh SQLite database with conversations and turns (a realistic mix: 70 % answered,
10 % clarifications, 20 % unanswered or refused, 5 % of replies rated), then times what
`GET /staff` does after authentication: analytics for 14 days, the review queue, the FAQ list
and the template rendering. Prints p50/p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import insert

from assistant.dialogue import ConversationRow, ConversationStore, FeedbackRow, TurnRow
from bots.staff.ui import TEMPLATES
from staff.analytics import analytics
from staff.review import review_queue
from staff.store import StaffStore, StaffUser

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


def fill(url: str, questions: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    store = ConversationStore(url)
    now = dt.datetime.now(dt.UTC)
    users = max(1, questions // 5)
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
    turns, feedback = [], []
    for i in range(questions):
        roll = rng.random()
        kind = "answer" if roll < 0.7 else "clarification" if roll < 0.8 else "out_of_scope"
        if kind == "out_of_scope":
            text = f"{rng.choice(OFF_TOPIC)} {rng.choice(['', 'thế nào', 'ra sao', 'ạ'])}"
        else:
            text = f"{rng.choice(TOPICS)} {rng.choice(ASPECTS)}"
        reply_id = uuid.uuid4().hex
        turns.append(
            {
                "conversation_id": conversations[i % users]["id"],
                "reply_id": reply_id,
                "user_text": text,
                "reply_text": "…",
                "kind": kind,
                "answer_mode": "grounded",
                "procedure_code": f"1.00{rng.randint(1000, 1100)}" if kind == "answer" else None,
                "aspect": None,
                "created_at": now - dt.timedelta(minutes=rng.randint(0, 60 * 24 * 30)),
            }
        )
        if rng.random() < 0.05:
            feedback.append(
                {"reply_id": reply_id, "rating": rng.choice(["up", "up", "down"]), "comment": ""}
            )
    with store.engine.begin() as connection:
        connection.execute(insert(ConversationRow), conversations)
        connection.execute(insert(TurnRow), turns)
        if feedback:
            connection.execute(insert(FeedbackRow), feedback)
    store.close()


def render_once(conversations: ConversationStore, staff: StaffStore) -> float:
    start = time.perf_counter()
    figures = analytics(conversations.engine, 14).to_json()
    totals = sorted((d, sum(c.values())) for d, c in figures["per_day"].items())
    TEMPLATES.get_template("dashboard.html").render(
        user=StaffUser("x", "bench", "admin"),
        csrf="x",
        can_edit=True,
        figures=figures,
        days=totals,
        max_day=max([n for _, n in totals] or [1]),
        review=[g.to_json() for g in review_queue(conversations.engine, 30)],
        faqs=[e.to_json() for e in staff.faqs()],
    )
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        started = time.perf_counter()
        fill(url, args.questions)
        print(f"filled {args.questions} questions in {time.perf_counter() - started:.1f} s")
        conversations, staff = ConversationStore(url), StaffStore(url)
        try:
            render_once(conversations, staff)  # warm caches
            times = sorted(render_once(conversations, staff) for _ in range(args.runs))
        finally:
            conversations.close()
            staff.close()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    print(f"overview page: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
