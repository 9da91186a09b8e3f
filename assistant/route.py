"""Route a search result: answer the best procedure, or ask which sibling applies.

Sibling procedures (kết hôn / kết hôn có yếu tố nước ngoài; cấp đổi / cấp lại căn cước;
the same service at province and central level) share most of their name. When the best
few results are such siblings and score almost the same, the assistant answers the member
a citizen means (knowledge/families.py: the variant the question does not contradict, filed
closest to the citizen) and names the others; only when two members tie, which means they
are genuinely different procedures, does it ask with 2–4 quick replies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from assistant.understand import name_tokens
from knowledge.families import Cues, Traits, pick_default
from knowledge.search.searcher import SearchHit

# Two names are siblings when the shorter one's words are mostly found in the longer one.
SIBLING_OVERLAP: Final = 0.6
# Siblings compete when their scores are within this much of the best one (fused-score
# scale: the best match of a clear question usually leads the next by 0.2 or more).
COMPETING_MARGIN: Final = 0.1
MAX_OPTIONS: Final = 4


@dataclass
class Decision:
    action: Literal["answer", "clarify", "not_found"]
    code: str | None = None
    options: list[SearchHit] = field(default_factory=list)
    # answer: the competing siblings not chosen (the variant line offers them)
    siblings: list[str] = field(default_factory=list)


def are_siblings(a: str, b: str) -> bool:
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb or ta == tb:
        return ta == tb and bool(ta)
    return len(ta & tb) / min(len(ta), len(tb)) >= SIBLING_OVERLAP


def competing_siblings(
    hits: Sequence[SearchHit], margin: float = COMPETING_MARGIN
) -> list[SearchHit]:
    """The best hit and the siblings that score within `margin` of it (best first)."""
    if len(hits) < 2:
        return list(hits[:1])
    best = hits[0]
    group = [best]
    for hit in hits[1:]:
        if best.score - hit.score > margin:
            break
        if are_siblings(best.name, hit.name):
            group.append(hit)
        if len(group) == MAX_OPTIONS:
            break
    return group


def decide(
    hits: Sequence[SearchHit],
    nothing_relevant: bool,
    cues: Cues | None = None,
    traits: Callable[[str], Traits | None] | None = None,
) -> Decision:
    """Answer the best hit; among competing siblings answer the default member the
    question means (`cues` against each member's `traits`), and ask only when two tie."""
    if nothing_relevant or not hits:
        return Decision("not_found")
    group = competing_siblings(hits)
    if len(group) == 1:
        return Decision("answer", code=hits[0].procedure_code)
    if cues is not None and traits is not None:
        members = [(h.procedure_code, t) for h in group if (t := traits(h.procedure_code))]
        default = pick_default(members, cues) if len(members) == len(group) else None
        if default is not None:
            others = [h.procedure_code for h in group if h.procedure_code != default]
            return Decision("answer", code=default, siblings=others)
    return Decision("clarify", options=group)
