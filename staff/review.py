"""The review queue: what citizens asked that the assistant could not answer, refused, or
that got a thumbs-down, grouped by similar wording with counts (most asked first).

Read from the conversation store's tables; the questions there are already redacted. Each
turn's folded text (`turns.folded_text`, written when the turn is stored) is read with it,
so grouping only splits words instead of folding thousands of questions on every page view;
older turns without it are folded here, to the same words (`staff.curation.words`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from assistant.dialogue import FeedbackRow, TurnRow, review_fold
from staff.curation import FILLER, WORD, similarity

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


def folded_words(folded: str) -> list[str]:
    """`staff.curation.words` of a question, from its `review_fold` (its stored folded text)."""
    return [w for w in WORD.findall(folded) if w not in FILLER]


def review_queue(engine: Engine, limit: int = 50) -> list[ReviewGroup]:
    """The groups, most asked first. Identical wordings are counted by the database (each
    once, at its most recent occurrence: the order that decides the groups' heads)."""
    recent = (
        select(TurnRow.id, TurnRow.user_text, TurnRow.folded_text, TurnRow.kind)
        .where(TurnRow.kind.in_(UNHELPED))
        .order_by(TurnRow.id.desc())
        .limit(SCAN_LIMIT)
        .subquery()
    )
    rated = (
        select(FeedbackRow.id, TurnRow.user_text, TurnRow.folded_text)
        .join(FeedbackRow, FeedbackRow.reply_id == TurnRow.reply_id)
        .where(FeedbackRow.rating == "down")
        .order_by(FeedbackRow.id.desc())
        .limit(SCAN_LIMIT)
        .subquery()
    )
    with engine.connect() as connection:
        unhelped = connection.execute(
            select(recent.c.user_text, recent.c.folded_text, recent.c.kind, func.count())
            .group_by(recent.c.user_text, recent.c.folded_text, recent.c.kind)
            .order_by(func.max(recent.c.id).desc())
        ).all()
        disliked = connection.execute(
            select(rated.c.user_text, rated.c.folded_text, func.count())
            .group_by(rated.c.user_text, rated.c.folded_text)
            .order_by(func.max(rated.c.id).desc())
        ).all()
    items = [(text, stored, kind, n) for text, stored, kind, n in unhelped] + [
        (text, stored, "thumbs_down", n) for text, stored, n in disliked
    ]
    groups: list[tuple[list[str], ReviewGroup]] = []
    by_key: dict[str, ReviewGroup] = {}
    for text, stored, reason, n in items:
        folded = folded_words(stored if stored is not None else review_fold(text))
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
        group.count += n
        group.reasons[reason] = group.reasons.get(reason, 0) + n
        group._counts[text] = group._counts.get(text, 0) + n
    result = [g for _, g in groups]
    for g in result:
        g.texts = sorted(g._counts, key=lambda t: -g._counts[t])
        g.example = g.texts[0]
    result.sort(key=lambda g: -g.count)
    return result[:limit]
