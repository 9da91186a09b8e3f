"""What a question singles out of a record: an item of a long list ("có cần giấy khám sức
khỏe không"), shown even where the list is cut for a phone screen, or the one sentence a
detail question is about ("có cần ý kiến chủ hộ không"), quoted. Pure functions."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
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


# Details citizens ask in their words that records put in theirs: "mang ảnh hay chụp tại
# chỗ", "ảnh 4x6" — the record says "chụp ảnh (trực tiếp)", "ảnh chân dung".
_RECORD_PAIRS: Final[tuple[tuple[re.Pattern[str], frozenset[str]], ...]] = (
    (
        re.compile(
            r"(?<![a-z0-9])(?:anh (?:the|chan dung|3x4|4x6)|(?:chup|mang|nop|dan) anh)"
            r"|(?<![a-z])photos?(?![a-z])"
        ),
        frozenset({"chup anh", "anh chan dung"}),
    ),
)


def focus_of(question: str, procedure_name: str, *, asked: str | None = None) -> Focus:
    """The question's own words that do not merely name the procedure, and the record's
    wording of a detail the whole question `asked` (default: `question`) names."""
    words = _WORD.findall(fold(question))
    name = f" {' '.join(_WORD.findall(fold(procedure_name)))} "
    content = [w for w in words if w not in _FILLER and len(w) > 1]
    pairs = {
        f"{a} {b}"
        for a, b in itertools.pairwise(words)
        if a not in _FILLER and b not in _FILLER and f" {a} {b} " not in name
    }
    asked_folded = fold(asked if asked is not None else question)
    for cue, record_pairs in _RECORD_PAIRS:
        if cue.search(asked_folded):
            pairs |= {pair for pair in record_pairs if f" {pair} " not in name}
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


_SENTENCE: Final = re.compile(r"(?<=[.;!?])\s+|\n+")
PASSAGE_CHARS: Final = 260


def _joined(folded: str) -> str:
    return f" {' '.join(_WORD.findall(folded))} "


@lru_cache(maxsize=1024)
def _sentences(text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A text folded whole, and its sentences worth quoting with their folded forms. Cached:
    the same record texts are scanned again for every question about them."""
    sentences = []
    for sentence in _SENTENCE.split(text):
        sentence = sentence.strip(" -•+\t")
        if len(sentence) >= 20 and not sentence.endswith(":"):  # a heading says nothing itself
            sentences.append((sentence, _joined(fold(sentence))))
    return _joined(fold(text)), tuple(sentences)


def _weight(folded: str, focus: Focus) -> int:
    pairs = sum(f" {pair} " in folded for pair in focus.pairs)
    words = sum(f" {word} " in folded for word in focus.words)
    # Single syllables are too ambiguous in Vietnamese ("con": child / còn): a pair must match.
    return 2 * pairs + words if pairs else 0


def best_passage(texts: Sequence[str], focus: Focus, shown_text: str = "") -> str:
    """The sentence of the record that speaks most to what the question singles out
    ("có loại số 2 không", "ý kiến chủ hộ"), unless the answer already shows as much of it;
    "" when no sentence singles it out. Earlier texts win ties (callers put the structured
    sections first, the record's full text last)."""
    if not focus or not focus.pairs:
        return ""
    best, best_weight = "", 0
    for text in texts:
        if not text:
            continue
        whole, sentences = _sentences(text)
        if not _weight(whole, focus):
            continue  # most texts hold no pair of the question at all
        for sentence, folded in sentences:
            weight = _weight(folded, focus)
            if weight > best_weight:
                best, best_weight = sentence, weight
    if not best or _weight(_joined(fold(shown_text)), focus) >= best_weight:
        return ""
    return best
