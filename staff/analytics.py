"""Figures for the console: questions per day and channel, top procedures, answer rate,
thumbs-up rate, clarification rate and reply latency (median, p95).

Read from the conversation store's daily rollups (`turn_days`, `turn_latency_days`, kept in
the same transaction as each stored turn; see assistant.dialogue), not from every turn, so
the figures are exact and current at any volume. Days are UTC calendar days.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from assistant.dialogue import FeedbackRow, LatencyDayRow, TurnDayRow

QUESTION_KINDS = ("answer", "clarification", "out_of_scope", "refusal", "handoff")
CHANNELS = ("web", "telegram", "zalo")  # the order of the charts' stacks and legend


def value_at(counts: Sequence[tuple[int, int]], rank: int) -> int:
    """The value at 0-based `rank` of the multiset given as (value, count), values ascending."""
    seen = 0
    for value, n in counts:
        seen += n
        if rank < seen:
            return value
    raise IndexError(rank)


def median(counts: Sequence[tuple[int, int]]) -> float | None:
    """The median of (value, count) pairs, as `statistics.median` would give it."""
    n = sum(c for _, c in counts)
    if not n:
        return None
    if n % 2:
        return float(value_at(counts, n // 2))
    return (value_at(counts, n // 2 - 1) + value_at(counts, n // 2)) / 2


def percentile(counts: Sequence[tuple[int, int]], p: float) -> int | None:
    """The nearest-rank percentile: the smallest value with at least p % of values at or
    below it."""
    n = sum(c for _, c in counts)
    if not n:
        return None
    return value_at(counts, max(0, math.ceil(p / 100 * n) - 1))


def _ms(value: float | None) -> int | float | None:
    """Whole milliseconds as an int (a median between two values may end in .5)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


@dataclass
class DayFigures:
    """One day of the overview charts."""

    day: str
    questions: int
    answered: int
    channels: list[tuple[str, int]]  # in CHANNELS order, then any other channel; n > 0

    @property
    def answer_rate(self) -> float | None:
        return round(self.answered / self.questions, 3) if self.questions else None


@dataclass
class Analytics:
    days: int
    first_day: dt.date = dt.date.min
    last_day: dt.date = dt.date.min
    per_day: dict[str, dict[str, int]] = field(default_factory=dict)  # day → channel → n
    answered_per_day: dict[str, int] = field(default_factory=dict)
    top_procedures: list[tuple[str, int]] = field(default_factory=list)
    questions: int = 0
    answered: int = 0
    clarifications: int = 0
    thumbs_up: int = 0
    thumbs_down: int = 0
    latencies: list[tuple[int, int]] = field(default_factory=list)  # (ms, questions), by ms

    def rate(self, part: int, whole: int) -> float | None:
        return round(part / whole, 3) if whole else None

    @property
    def timed(self) -> int:
        """Questions with a recorded latency (turns stored before it was recorded have none)."""
        return sum(n for _, n in self.latencies)

    @property
    def median_latency_ms(self) -> int | float | None:
        return _ms(median(self.latencies))

    @property
    def p95_latency_ms(self) -> int | None:
        return percentile(self.latencies, 95)

    def channels(self) -> list[str]:
        """The charts' legend: the usual channels, then any other seen in the window."""
        seen = {c for counts in self.per_day.values() for c in counts}
        return [*CHANNELS, *sorted(seen - set(CHANNELS))]

    def daily(self) -> list[DayFigures]:
        """Every day of the window, oldest first, days without questions included."""
        result = []
        for offset in range((self.last_day - self.first_day).days + 1):
            key = (self.first_day + dt.timedelta(days=offset)).isoformat()
            counts = self.per_day.get(key, {})
            order = [c for c in CHANNELS if c in counts] + sorted(set(counts) - set(CHANNELS))
            result.append(
                DayFigures(
                    day=key,
                    questions=sum(counts.values()),
                    answered=self.answered_per_day.get(key, 0),
                    channels=[(c, counts[c]) for c in order if counts[c]],
                )
            )
        return result

    def to_json(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "questions": self.questions,
            "per_day": self.per_day,
            "answer_rate_per_day": {
                d: self.rate(self.answered_per_day.get(d, 0), sum(c.values()))
                for d, c in self.per_day.items()
            },
            "top_procedures": [{"code": c, "count": n} for c, n in self.top_procedures],
            "answer_rate": self.rate(self.answered, self.questions),
            "clarification_rate": self.rate(self.clarifications, self.questions),
            "thumbs_up_rate": self.rate(self.thumbs_up, self.thumbs_up + self.thumbs_down),
            "median_latency_ms": self.median_latency_ms,
            "p95_latency_ms": self.p95_latency_ms,
            "timed_questions": self.timed,
        }


def analytics(engine: Engine, days: int = 30, *, today: dt.date | None = None) -> Analytics:
    """The figures of the `days` UTC days ending `today` (default: the current UTC day)."""
    today = today or dt.datetime.now(dt.UTC).date()
    first = today - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(first, dt.time(), dt.UTC)
    until = since + dt.timedelta(days=days)
    result = Analytics(days=days, first_day=first, last_day=today)
    in_window = (TurnDayRow.day >= first, TurnDayRow.day <= today)
    with engine.connect() as connection:
        rows = connection.execute(
            select(TurnDayRow.day, TurnDayRow.channel, TurnDayRow.kind, func.sum(TurnDayRow.turns))
            .where(*in_window, TurnDayRow.kind.in_(QUESTION_KINDS))
            .group_by(TurnDayRow.day, TurnDayRow.channel, TurnDayRow.kind)
        ).all()
        top = connection.execute(
            select(TurnDayRow.procedure_code, func.sum(TurnDayRow.turns).label("n"))
            .where(*in_window, TurnDayRow.kind == "answer", TurnDayRow.procedure_code != "")
            .group_by(TurnDayRow.procedure_code)
            .order_by(func.sum(TurnDayRow.turns).desc(), TurnDayRow.procedure_code)
            .limit(10)
        ).all()
        latencies = connection.execute(
            select(LatencyDayRow.latency_ms, func.sum(LatencyDayRow.turns))
            .where(
                LatencyDayRow.day >= first,
                LatencyDayRow.day <= today,
                LatencyDayRow.kind.in_(QUESTION_KINDS),
            )
            .group_by(LatencyDayRow.latency_ms)
            .order_by(LatencyDayRow.latency_ms)
        ).all()
        ratings = connection.execute(
            select(FeedbackRow.rating, func.count())
            .where(FeedbackRow.created_at >= since, FeedbackRow.created_at < until)
            .group_by(FeedbackRow.rating)
        ).all()
    per_day: dict[str, Counter[str]] = {}
    for d, channel, kind, n in rows:
        key, n = str(d)[:10], int(n)
        per_day.setdefault(key, Counter())[channel] += n
        result.questions += n
        if kind == "answer":
            result.answered += n
            result.answered_per_day[key] = result.answered_per_day.get(key, 0) + n
        result.clarifications += n if kind == "clarification" else 0
    result.per_day = {d: dict(c) for d, c in sorted(per_day.items())}
    result.answered_per_day = dict(sorted(result.answered_per_day.items()))
    result.top_procedures = [(str(c), int(n)) for c, n in top]
    result.latencies = [(int(ms), int(n)) for ms, n in latencies]
    counts = dict(ratings)
    result.thumbs_up, result.thumbs_down = int(counts.get("up", 0)), int(counts.get("down", 0))
    return result


SUMMARY_KEYS = (
    "questions",
    "answer_rate",
    "clarification_rate",
    "thumbs_up_rate",
    "median_latency_ms",
    "p95_latency_ms",
    "timed_questions",
)


def analytics_csv(figures: Analytics) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["day", "channel", "questions"])
    for d, channels in figures.per_day.items():
        for channel, n in sorted(channels.items()):
            writer.writerow([d, channel, n])
    summary = figures.to_json()
    writer.writerow([])
    for key in SUMMARY_KEYS:
        writer.writerow([key, "", summary[key] if summary[key] is not None else ""])
    writer.writerow([])
    writer.writerow(["day", "answered", "answer_rate"])
    for d, rate in summary["answer_rate_per_day"].items():
        writer.writerow([d, figures.answered_per_day.get(d, 0), rate])
    return "\ufeff" + buffer.getvalue()
