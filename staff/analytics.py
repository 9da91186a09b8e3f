"""Figures for the console: questions per day and channel, top procedures, answer rate,
thumbs-up rate, clarification rate (from the conversation store's tables)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from assistant.dialogue import ConversationRow, FeedbackRow, TurnRow

QUESTION_KINDS = ("answer", "clarification", "out_of_scope", "refusal", "handoff")


@dataclass
class Analytics:
    days: int
    per_day: dict[str, dict[str, int]] = field(default_factory=dict)  # day → channel → n
    top_procedures: list[tuple[str, int]] = field(default_factory=list)
    questions: int = 0
    answered: int = 0
    clarifications: int = 0
    thumbs_up: int = 0
    thumbs_down: int = 0

    def rate(self, part: int, whole: int) -> float | None:
        return round(part / whole, 3) if whole else None

    def to_json(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "questions": self.questions,
            "per_day": self.per_day,
            "top_procedures": [{"code": c, "count": n} for c, n in self.top_procedures],
            "answer_rate": self.rate(self.answered, self.questions),
            "clarification_rate": self.rate(self.clarifications, self.questions),
            "thumbs_up_rate": self.rate(self.thumbs_up, self.thumbs_up + self.thumbs_down),
            "median_latency_ms": None,  # turns do not record latency yet (see docs/staff.md)
        }


def analytics(engine: Engine, days: int = 30, *, today: dt.date | None = None) -> Analytics:
    today = today or dt.datetime.now(dt.UTC).date()
    since = dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time(), dt.UTC)
    result = Analytics(days=days)
    day = func.date(TurnRow.created_at)
    with engine.connect() as connection:
        rows = connection.execute(
            select(day, ConversationRow.channel, TurnRow.kind, func.count())
            .join(ConversationRow, ConversationRow.id == TurnRow.conversation_id)
            .where(TurnRow.created_at >= since, TurnRow.kind.in_(QUESTION_KINDS))
            .group_by(day, ConversationRow.channel, TurnRow.kind)
        ).all()
        top = connection.execute(
            select(TurnRow.procedure_code, func.count())
            .where(
                TurnRow.created_at >= since,
                TurnRow.kind == "answer",
                TurnRow.procedure_code.is_not(None),
            )
            .group_by(TurnRow.procedure_code)
            .order_by(func.count().desc())
            .limit(10)
        ).all()
        ratings = connection.execute(
            select(FeedbackRow.rating, func.count())
            .where(FeedbackRow.created_at >= since)
            .group_by(FeedbackRow.rating)
        ).all()
    for d, channel, kind, n in rows:
        key = str(d)[:10]
        per = result.per_day.setdefault(key, Counter())
        per[channel] += n
        result.questions += n
        result.answered += n if kind == "answer" else 0
        result.clarifications += n if kind == "clarification" else 0
    result.per_day = {d: dict(c) for d, c in sorted(result.per_day.items())}
    result.top_procedures = [(str(c), int(n)) for c, n in top]
    counts = dict(ratings)
    result.thumbs_up, result.thumbs_down = int(counts.get("up", 0)), int(counts.get("down", 0))
    return result


def analytics_csv(figures: Analytics) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["day", "channel", "questions"])
    for d, channels in figures.per_day.items():
        for channel, n in sorted(channels.items()):
            writer.writerow([d, channel, n])
    summary = figures.to_json()
    writer.writerow([])
    for key in ("questions", "answer_rate", "clarification_rate", "thumbs_up_rate"):
        writer.writerow([key, "", summary[key] if summary[key] is not None else ""])
    return "\ufeff" + buffer.getvalue()
