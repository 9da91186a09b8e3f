"""The review queue: what citizens asked that the assistant could not answer, refused, or
that got a thumbs-down, grouped by similar wording with counts (most asked first).

Read from the conversation store's tables; the questions there are already redacted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from assistant.dialogue import FeedbackRow, TurnRow
from staff.curation import similarity, words

UNHELPED = ("out_of_scope", "refusal", "handoff")
GROUP_SIMILARITY = 0.6
SCAN_LIMIT = 5000  # most recent unhelped turns considered


@dataclass
class ReviewGroup:
    key: str
    example: str
    count: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)  # distinct wordings, most frequent first
    _counts: dict[str, int] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "example": self.example,
            "count": self.count,
            "reasons": dict(self.reasons),
            "texts": self.texts[:10],
        }


def review_queue(engine: Engine, limit: int = 50) -> list[ReviewGroup]:
    with engine.connect() as connection:
        unhelped = connection.execute(
            select(TurnRow.user_text, TurnRow.kind)
            .where(TurnRow.kind.in_(UNHELPED))
            .order_by(TurnRow.id.desc())
            .limit(SCAN_LIMIT)
        ).all()
        disliked = connection.execute(
            select(TurnRow.user_text)
            .join(FeedbackRow, FeedbackRow.reply_id == TurnRow.reply_id)
            .where(FeedbackRow.rating == "down")
            .order_by(FeedbackRow.id.desc())
            .limit(SCAN_LIMIT)
        ).all()
    items = [(r.user_text, r.kind) for r in unhelped] + [
        (r.user_text, "thumbs_down") for r in disliked
    ]
    groups: list[tuple[list[str], ReviewGroup]] = []
    by_key: dict[str, ReviewGroup] = {}
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
            group = ReviewGroup(key=key, example=text)
            groups.append((folded, group))
        by_key[key] = group
        group.count += 1
        group.reasons[reason] = group.reasons.get(reason, 0) + 1
        group._counts[text] = group._counts.get(text, 0) + 1
    result = [g for _, g in groups]
    for g in result:
        g.texts = sorted(g._counts, key=lambda t: -g._counts[t])
        g.example = g.texts[0]
    result.sort(key=lambda g: -g.count)
    return result[:limit]
