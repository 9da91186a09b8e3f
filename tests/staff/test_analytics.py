"""Console analytics on SQLite and PostgreSQL: exact median/p95 latency, questions per day
and channel from the daily rollups (kept by `ConversationStore.save`, right under concurrent
writers, backfilled for older turns), the review queue's stored folding, the CSV export and
the overview page's charts."""

from __future__ import annotations

import datetime as dt
import math
import statistics
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from bs4 import BeautifulSoup, Tag
from sqlalchemy import select, update

import assistant.dialogue as dialogue
from assistant.dialogue import (
    LATENCY_DAYS,
    TURN_DAYS,
    ConversationStore,
    Rollups,
    TurnDayRow,
    TurnRecord,
    TurnRow,
    review_fold,
)
from bots.staff.auth import COOKIE
from bots.staff.ui import CHART_DAYS
from staff.analytics import analytics, analytics_csv, median, percentile
from staff.curation import similarity, words
from staff.passwords import hash_password, new_token, token_digest
from staff.review import GROUP_SIMILARITY, folded_words, review_queue
from tests.staff.conftest import PASSWORD, StaffEnv

NOON = dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC)
TODAY = NOON.date()


class Clock:
    """Stands in for the store's clock: every turn saved is stamped `at`."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock(NOON)
    monkeypatch.setattr(dialogue, "_now", c)
    return c


@pytest.fixture()
def store(database_url: str) -> Iterator[ConversationStore]:
    s = ConversationStore(database_url)
    yield s
    s.close()


def save(
    store: ConversationStore,
    channel: str,
    user: str,
    kind: str = "answer",
    *,
    latency: int | None = None,
    code: str | None = None,
    text: str = "làm giấy khai sinh cần gì",
) -> None:
    conversation = store.load(channel, user)
    store.save(
        conversation,
        TurnRecord(
            reply_id=uuid.uuid4().hex,
            user_text=text,
            reply_text="đáp",
            kind=kind,
            procedure_code=code,
            latency_ms=latency,
        ),
    )


def rollups(store: ConversationStore) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with store.engine.connect() as connection:
        days = connection.execute(select(TURN_DAYS).order_by(*TURN_DAYS.c)).all()
        latencies = connection.execute(select(LATENCY_DAYS).order_by(*LATENCY_DAYS.c)).all()
    return [tuple(r) for r in days], [tuple(r) for r in latencies]


# -- latency ---------------------------------------------------------------------------


def nearest_rank(values: list[int], p: float) -> int:
    ordered = sorted(values)
    return ordered[math.ceil(p / 100 * len(ordered)) - 1]


def test_median_and_p95_latency_are_exact(store: ConversationStore, clock: Clock) -> None:
    measured = [120, 950, 950, 430, 2_000, 610, 75, 12_000, 880, 990, 1_300]  # 11: odd
    kinds = ["answer", "clarification", "out_of_scope", "refusal", "handoff"]
    for i, ms in enumerate(measured):
        save(store, "web", f"u{i}", kinds[i % len(kinds)], latency=ms)
    save(store, "web", "g", "greeting", latency=1)  # not a question: left out
    save(store, "web", "old", "answer", latency=None)  # stored before latency was recorded
    clock.at = NOON - dt.timedelta(days=20)
    save(store, "web", "long-ago", "answer", latency=99_999)  # outside the 14-day window

    figures = analytics(store.engine, 14, today=TODAY)
    assert figures.timed == 11
    assert figures.median_latency_ms == statistics.median(measured) == 950
    assert figures.p95_latency_ms == nearest_rank(measured, 95) == 12_000
    assert figures.questions == 12  # the greeting is not a question; the untimed one is
    summary = figures.to_json()
    assert (summary["median_latency_ms"], summary["p95_latency_ms"]) == (950, 12_000)

    clock.at = NOON
    save(store, "zalo", "even", "answer", latency=10)  # 12 values: between 880 and 950
    figures = analytics(store.engine, 14, today=TODAY)
    assert figures.median_latency_ms == statistics.median([*measured, 10]) == 915
    assert figures.p95_latency_ms == nearest_rank([*measured, 10], 95) == 12_000
    save(store, "zalo", "odd", "answer", latency=11)  # 13 values: 880
    assert analytics(store.engine, 14, today=TODAY).median_latency_ms == 880
    # 30 days reach the slow turn of 20 days ago.
    assert analytics(store.engine, 30, today=TODAY).p95_latency_ms == 99_999


def test_median_and_percentile_of_counted_values() -> None:
    assert median([]) is None and percentile([], 95) is None
    assert median([(7, 1)]) == 7
    assert median([(1, 1), (2, 1)]) == 1.5
    counts = [(100, 50), (200, 45), (900, 5)]  # 100 values
    values = [v for v, n in counts for _ in range(n)]
    assert median(counts) == statistics.median(values) == 150
    assert percentile(counts, 95) == nearest_rank(values, 95) == 200
    assert percentile(counts, 96) == nearest_rank(values, 96) == 900
    assert percentile(counts, 100) == 900 and percentile(counts, 1) == 100


# -- questions per day and channel -----------------------------------------------------


def test_questions_per_channel_and_day(store: ConversationStore, clock: Clock) -> None:
    plan: dict[int, list[tuple[str, str, str | None]]] = {  # days ago → (channel, kind, code)
        0: [
            ("web", "answer", "1.001"),
            ("web", "answer", "1.001"),
            ("zalo", "out_of_scope", None),
            ("telegram", "clarification", None),
        ],
        1: [("telegram", "answer", "1.002"), ("zalo", "answer", "1.001"), ("web", "refusal", None)],
        3: [("zalo", "handoff", None), ("web", "greeting", None)],  # a greeting is no question
        14: [("web", "answer", "1.003")],  # just outside a 14-day window
    }
    for ago, turns in plan.items():
        clock.at = NOON - dt.timedelta(days=ago)
        for i, (channel, kind, code) in enumerate(turns):
            save(store, channel, f"d{ago}-{i}", kind, code=code, latency=100 + i)

    figures = analytics(store.engine, 14, today=TODAY)
    day = {ago: (TODAY - dt.timedelta(days=ago)).isoformat() for ago in (0, 1, 2, 3, 13)}
    assert figures.per_day == {
        day[3]: {"zalo": 1},
        day[1]: {"telegram": 1, "zalo": 1, "web": 1},
        day[0]: {"web": 2, "zalo": 1, "telegram": 1},
    }
    assert list(figures.per_day) == [day[3], day[1], day[0]]  # oldest first
    assert figures.questions == 8 and figures.answered == 4 and figures.clarifications == 1
    assert figures.answered_per_day == {day[1]: 2, day[0]: 2}
    assert figures.top_procedures == [("1.001", 3), ("1.002", 1)]
    summary = figures.to_json()
    assert summary["answer_rate"] == 0.5 and summary["clarification_rate"] == 0.125
    assert summary["answer_rate_per_day"] == {day[3]: 0.0, day[1]: 0.667, day[0]: 0.5}

    daily = figures.daily()
    assert len(daily) == 14 and daily[0].day == day[13] and daily[-1].day == day[0]
    assert [(d.day, d.questions) for d in daily if d.questions] == [
        (day[3], 1),
        (day[1], 3),
        (day[0], 4),
    ]
    assert daily[-1].channels == [("web", 2), ("telegram", 1), ("zalo", 1)]  # legend order
    assert next(d for d in daily if d.day == day[2]).answer_rate is None  # a quiet day
    assert figures.channels() == ["web", "telegram", "zalo"]
    # A 15-day window reaches the answer of 14 days ago; a day's window only today.
    assert analytics(store.engine, 15, today=TODAY).questions == 9
    assert analytics(store.engine, 1, today=TODAY).per_day == {
        day[0]: {"web": 2, "zalo": 1, "telegram": 1}
    }


# -- the rollups under load, concurrency and backfill ----------------------------------


CHANNELS = ("web", "telegram", "zalo")
KINDS = ("answer", "answer", "clarification", "out_of_scope", "handoff", "greeting")


def planned(worker: int, n: int) -> tuple[str, str, str | None, int | None]:
    """The n-th turn of a writer: (channel, kind, procedure, latency)."""
    kind = KINDS[(worker + n) % len(KINDS)]
    code = f"1.00{n % 3}" if kind == "answer" else None
    latency = None if n % 7 == 0 else 100 + (n * 37 + worker) % 50
    return CHANNELS[(worker * 3 + n) % 3], kind, code, latency


def test_rollups_stay_exact_across_many_saves_and_concurrent_writers(
    database_url: str, clock: Clock
) -> None:
    writers, each = 4, 40
    stores = [ConversationStore(database_url) for _ in range(writers)]
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for n in range(each):
                channel, kind, code, latency = planned(worker, n)
                # Two users per worker and channel, so writers also share conversations.
                save(stores[worker], channel, f"user{n % 2}", kind, latency=latency, code=code)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors

    expected_days: Counter[tuple[str, str, str]] = Counter()
    expected_latency: Counter[int] = Counter()
    for w in range(writers):
        for n in range(each):
            channel, kind, code, latency = planned(w, n)
            expected_days[channel, kind, code or ""] += 1
            if latency is not None and kind != "greeting":
                expected_latency[latency] += 1
    store = stores[0]
    days, _latencies = rollups(store)
    assert {(c, k, p): n for d, c, k, p, n in days} == dict(expected_days)
    assert {d for d, *_ in days} == {TODAY}
    assert sum(n for *_, n in days) == writers * each
    figures = analytics(store.engine, 1, today=TODAY)
    assert figures.latencies == sorted(expected_latency.items())
    assert figures.questions == sum(n for (_, k, _), n in expected_days.items() if k != "greeting")
    # What save() kept equals a recount of the turns themselves.
    kept = rollups(store)
    store.recount_rollups()
    assert rollups(store) == kept
    for s in stores:
        s.close()


def test_rollups_are_backfilled_once_for_turns_stored_before_them(
    database_url: str, clock: Clock
) -> None:
    store = ConversationStore(database_url)
    for ago in (0, 0, 2, 5):
        clock.at = NOON - dt.timedelta(days=ago, hours=ago)
        save(store, "zalo" if ago else "web", f"b{ago}", "answer", latency=200 + ago, code="1.9")
    save(store, "telegram", "b-oos", "out_of_scope", latency=None)
    before, kept = analytics(store.engine, 14, today=TODAY), rollups(store)
    assert before.questions == 5
    with store.engine.begin() as connection:  # a database from before the rollups
        Rollups.metadata.drop_all(connection)
    store.close()

    # Several processes open it at once: the turns are counted once, not once per opener.
    opened: list[ConversationStore] = []
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            opened.append(ConversationStore(database_url))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    again = opened[0]
    assert rollups(again) == kept
    after = analytics(again.engine, 14, today=TODAY)
    assert after.per_day == before.per_day and after.latencies == before.latencies
    assert after.latencies == [(200, 2), (202, 1), (205, 1)]
    save(again, "web", "b-new", "answer", latency=200)  # and counting goes on from there
    assert analytics(again.engine, 14, today=TODAY).latencies[0] == (200, 3)
    for s in opened:
        s.close()


def test_the_portable_upsert_adds_like_the_native_one(store: ConversationStore) -> None:
    row = {"day": TODAY, "channel": "web", "kind": "answer", "procedure_code": "", "turns": 2}
    other = {**row, "channel": "zalo", "turns": 1}
    with store.engine.begin() as connection:
        dialogue._add_counts(connection, TURN_DAYS, [row, other], portable=True)
        dialogue._add_counts(connection, TURN_DAYS, [row], portable=True)
        dialogue._add_counts(connection, TURN_DAYS, [other])  # native path on the same rows
    with store.engine.connect() as connection:
        counts = dict(connection.execute(select(TurnDayRow.channel, TurnDayRow.turns)).all())
    assert counts == {"web": 4, "zalo": 2}


# -- the review queue's stored folding -------------------------------------------------

QUESTIONS = [  # chains where the first wording met decides the groups: A ~ B ~ C, A !~ C
    "Thời tiết hôm nay thế nào ạ?",
    "thoi tiet hom nay",
    "THỜI TIẾT",
    "cho hỏi giá vàng hôm nay bao nhiêu vậy",
    "giá vàng bao nhiêu",
    "Giá vàng SJC bao nhiêu tiền",
    "Kết quả bóng đá tối qua",
    "ket qua bong da toi qua nhe",
    "viết giùm bài thơ",
    "Đổi CCCD gắn chip ở đâu",
    "doi cccd gan chip o dau",
    "…!!!",
    "tỷ giá đô hôm nay",
]


def test_the_stored_folding_gives_the_same_words() -> None:
    for text in QUESTIONS:
        assert folded_words(review_fold(text)) == words(text), text


def reference_queue(items: list[tuple[str, str]], limit: int) -> list[dict[str, Any]]:
    """The review grouping done item by item, as it was before the database counted."""
    groups: list[tuple[list[str], dict[str, Any]]] = []
    by_key: dict[str, dict[str, Any]] = {}
    for text, reason in items:
        folded = words(text)
        if not folded:
            continue
        key = " ".join(folded)
        group = by_key.get(key)
        if group is None:
            for head, candidate in groups:
                if similarity(folded, head) >= GROUP_SIMILARITY:
                    group = candidate
                    break
        if group is None:
            group = {"key": key, "count": 0, "reasons": {}, "counts": {}}
            groups.append((folded, group))
        by_key[key] = group
        group["count"] += 1
        group["reasons"][reason] = group["reasons"].get(reason, 0) + 1
        group["counts"][text] = group["counts"].get(text, 0) + 1
    result = []
    for _, g in groups:
        texts = sorted(g["counts"], key=lambda t: -g["counts"][t])
        result.append(
            {
                "key": g["key"],
                "example": texts[0],
                "count": g["count"],
                "reasons": g["reasons"],
                "texts": texts[:10],
            }
        )
    result.sort(key=lambda g: -g["count"])
    return result[:limit]


def test_the_review_queue_groups_exactly_as_item_by_item(store: ConversationStore) -> None:
    kinds = ["out_of_scope", "refusal", "handoff", "answer"]
    asked: list[tuple[str, str]] = []  # (text, kind) in the order stored
    for n in range(60):
        text, kind = QUESTIONS[(n * 7) % len(QUESTIONS)], kinds[n % 4 if n % 5 else 0]
        save(store, "web", f"q{n % 9}", kind, text=text)
        asked.append((text, kind))
    chain = ["làm hộ chiếu online thế nào", "làm hộ chiếu online", "hộ chiếu"]  # A ~ B ~ C
    for text in chain:  # answered, then disliked: only the thumbs-down brings them in
        save(store, "web", "q-chain", "answer", text=text)
        asked.append((text, "answer"))
    with store.engine.begin() as connection:  # older turns have no stored folding
        connection.execute(update(TurnRow).where(TurnRow.id % 3 == 0).values(folded_text=None))
        replies = connection.execute(select(TurnRow.reply_id).order_by(TurnRow.id)).scalars()
        reply_ids = list(replies)
    rated = (4, 9, 9, 20, 33, 62, 61, 60)  # thumbs-down in this order, one reply twice
    for i in rated:
        store.add_feedback(reply_ids[i], "down")
    store.add_feedback(reply_ids[5], "up")
    unhelped = [(t, k) for t, k in reversed(asked) if k != "answer"]
    disliked = [(asked[i][0], "thumbs_down") for i in reversed(rated)]
    expected = reference_queue(unhelped + disliked, 50)
    assert [g.to_json() for g in review_queue(store.engine, 50)] == expected
    assert expected[0]["count"] > 1 and any(g["reasons"].get("thumbs_down") for g in expected)
    assert [g.to_json() for g in review_queue(store.engine, 2)] == expected[:2]


# -- the CSV export and the overview page ----------------------------------------------


def test_the_csv_carries_latency_and_daily_answer_rate(
    store: ConversationStore, clock: Clock
) -> None:
    for i, ms in enumerate([300, 500, 700, 900]):
        save(store, "web", f"c{i}", "answer" if i % 2 else "out_of_scope", latency=ms)
    clock.at = NOON - dt.timedelta(days=1)
    save(store, "telegram", "c-y", "answer", latency=4_000)
    text = analytics_csv(analytics(store.engine, 7, today=TODAY))
    assert text.startswith("\ufeffday,channel,questions\n")
    lines = text[1:].splitlines()
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    assert f"{yesterday},telegram,1" in lines and f"{TODAY},web,4" in lines
    assert "median_latency_ms,,700" in lines  # 300 500 [700] 900 4000
    assert "p95_latency_ms,,4000" in lines
    assert "timed_questions,,5" in lines
    assert "answer_rate,,0.6" in lines
    assert lines[lines.index("day,answered,answer_rate") :] == [
        "day,answered,answer_rate",
        f"{yesterday},1,1.0",
        f"{TODAY},2,0.5",
    ]


def login_cookie(staff_env: StaffEnv, client: httpx.AsyncClient) -> None:
    """A console session for a new viewer, its cookie set on the client."""
    user = staff_env.store.create_user("charts", hash_password(PASSWORD), "viewer", actor="test")
    token = new_token()
    staff_env.store.open_session(
        user, token_digest(token), "cookie", new_token(), dt.timedelta(hours=1)
    )
    client.cookies.set(COOKIE, token)


def attr(tag: Tag, name: str) -> str:
    return str(tag[name])


def text_of(html: BeautifulSoup, css: str) -> str:
    tag = html.select_one(css)
    assert tag is not None, css
    return tag.get_text()


@pytest.mark.anyio
async def test_the_overview_draws_questions_per_day_by_channel_and_answer_rate(
    staff_env: StaffEnv, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversations = staff_env.assistant.conversations
    now = dt.datetime.now(dt.UTC)
    clock = Clock(now - dt.timedelta(days=1))
    monkeypatch.setattr(dialogue, "_now", clock)
    for i, (channel, kind) in enumerate([("zalo", "answer"), ("zalo", "refusal")]):
        save(conversations, channel, f"y{i}", kind, latency=800)
    clock.at = now
    asked = [("web", "answer"), ("web", "out_of_scope"), ("telegram", "answer")]
    for i, (channel, kind) in enumerate([*asked, ("zalo", "answer"), ("web", "greeting")]):
        save(conversations, channel, f"t{i}", kind, latency=400 + 100 * i)
    login_cookie(staff_env, client)
    page = await client.get("/staff")
    assert page.status_code == 200, page.text
    html = BeautifulSoup(page.text, "html.parser")

    today, yesterday = now.date().isoformat(), (now - dt.timedelta(days=1)).date().isoformat()
    chart = html.select(".chart[role=img]")
    assert len(chart) == 1 and "Câu hỏi mỗi ngày" in attr(chart[0], "aria-label")
    bars = chart[0].select(".bar")
    assert len(bars) == CHART_DAYS and attr(bars[-1], "data-day") == today
    counts = {attr(b, "data-day"): int(attr(b, "data-count")) for b in bars}
    assert counts[today] == 4 and counts[yesterday] == 2
    assert sum(counts.values()) == 6 and len(chart[0].select(f'.bar[data-day="{today}"]')) == 1
    segments = bars[-1].select(".seg")
    assert [(attr(s, "data-channel"), int(attr(s, "data-channel-count"))) for s in segments] == [
        ("web", 2),
        ("telegram", 1),
        ("zalo", 1),
    ]
    assert text_of(html, "#total-questions") == "6"
    assert [li.get_text() for li in html.select(".legend li")] == ["Web", "Telegram", "Zalo"]
    # 400 500 600 700 800 800: median 650, p95 800 (the greeting's 800 is not a question).
    assert text_of(html, "#median-latency") == "650 ms"
    assert text_of(html, "#p95-latency") == "800 ms"
    points = html.select("svg.rates .point")
    rates = {attr(p, "data-day"): float(attr(p, "data-rate")) for p in points}
    assert rates == {yesterday: 0.5, today: 0.75}
    assert "Tỷ lệ trả lời mỗi ngày" in page.text and "Answer rate per day" in page.text

    csv_text = (await client.get("/staff/api/analytics.csv")).text
    assert "median_latency_ms,,650" in csv_text and "p95_latency_ms,,800" in csv_text
