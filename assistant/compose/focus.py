"""What a question singles out of a long list ("có cần giấy khám sức khỏe không"), so the
item it asks about is shown even when the list is cut for a phone screen. Pure functions."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from knowledge.text import fold

# Words that carry no subject of their own in a question (folded).
_FILLER_WORDS: Final = """
    a ai anh ban bao bi bo cac cai can chi cho chu co cua da dang de den di duoc em gi
    gio ha hay het hoi khi khong ko la lai lam len luc ma mang may minh moi mot muon nao
    ne neu nha nhieu nhu nhung nop o oi phai ra roi sao se sau tai thi thoi toi tu tui
    va van vao vay ve voi xin xong giay nguoi thu tuc
    and are do does for have how i is my need of or the to what which with
"""
_FILLER: Final = frozenset(_FILLER_WORDS.split())
_WORD: Final = re.compile(r"[a-z0-9]+")
MAX_PULLED: Final = 2  # items beyond the cut that a question may bring into view


@dataclass(frozen=True)
class Focus:
    pairs: frozenset[str]  # word pairs of the question its procedure's name lacks
    words: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.pairs or self.words)


NO_FOCUS: Final = Focus(frozenset(), frozenset())


def focus_of(question: str, procedure_name: str) -> Focus:
    """The question's own words that do not merely name the procedure."""
    words = _WORD.findall(fold(question))
    name = f" {' '.join(_WORD.findall(fold(procedure_name)))} "
    content = [w for w in words if w not in _FILLER and len(w) > 1]
    pairs = {
        f"{a} {b}"
        for a, b in itertools.pairwise(words)
        if a not in _FILLER and b not in _FILLER and f" {a} {b} " not in name
    }
    singles = {w for w in content if f" {w} " not in name}
    return Focus(frozenset(pairs), frozenset(singles))


def singles_out(text: str, focus: Focus) -> bool:
    """Whether `text` is what the question asks about: a pair of its words, or two words."""
    folded = f" {' '.join(_WORD.findall(fold(text)))} "
    if any(f" {pair} " in folded for pair in focus.pairs):
        return True
    return sum(f" {word} " in folded for word in focus.words) >= 2


def shown(fitting: int, texts: Sequence[str], focus: Focus) -> list[int]:
    """Indexes of `texts` to show: the first `fitting`, except that up to `MAX_PULLED` items
    past the cut that the question singles out take the places of the last ones."""
    if not focus or fitting >= len(texts):
        return list(range(min(fitting, len(texts))))
    pulled = [i for i in range(fitting, len(texts)) if singles_out(texts[i], focus)]
    pulled = pulled[:MAX_PULLED]
    keep = max(fitting - len(pulled), 1)
    return list(range(keep)) + pulled
