"""`StaffCuration`: the staff tables as the `Assistant` consults them (see assistant.curated).

FAQ matching works on the project's folded text (`knowledge.text`), so "le phi lam can cuoc"
matches "Lệ phí làm căn cước": a question matches a variant when the Dice overlap of their
folded words reaches `threshold` (default 0.8: a close paraphrase, not a shared topic).
Approved FAQs and corrections are cached and re-read when the tables' stamp changes (checked
at most every `refresh_s` seconds, like the catalogue).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from assistant.curated import CuratedAnswer, LocalFact
from knowledge.text import fold, normalize
from staff.store import FaqEntry, StaffStore

WORD = re.compile(r"\w+")
DEFAULT_THRESHOLD = 0.8
FILLER = frozenset({"a", "ah", "vay", "nhi", "nhe", "the", "oi", "ad", "admin", "cho", "hoi"})


def words(text: str) -> list[str]:
    """Folded words of a question, without polite fillers ("cho hỏi", "ạ", "vậy")."""
    return [w for w in WORD.findall(fold(normalize(text)).lower()) if w not in FILLER]


def similarity(a: list[str], b: list[str]) -> float:
    """Dice overlap of word bigrams and words: word order counts a little."""
    if not a or not b:
        return 0.0
    units_a = set(a) | {f"{x}_{y}" for x, y in itertools.pairwise(a)}
    units_b = set(b) | {f"{x}_{y}" for x, y in itertools.pairwise(b)}
    return 2 * len(units_a & units_b) / (len(units_a) + len(units_b))


class StaffCuration:
    def __init__(
        self,
        store: StaffStore,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        refresh_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.store = store
        self.threshold = threshold
        self.refresh_s = refresh_s
        self._clock = clock
        self._today = today
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._generation = -1
        self._stamps: tuple[Any, ...] | None = None
        self._faqs: list[tuple[FaqEntry, list[list[str]]]] = []
        self._facts: dict[str, list[LocalFact]] = {}

    def _refresh(self) -> None:
        now = self._clock()
        generation = self.store.generation
        if now - self._checked_at < self.refresh_s and generation == self._generation:
            return
        self._generation = generation
        stamps = (self.store.faq_stamp(), self.store.corrections_stamp(), self._today())
        with self._lock:
            self._checked_at = now
            if stamps == self._stamps:
                return
        today = self._today()
        faqs = [
            (entry, [words(q) for q in entry.questions])
            for entry in self.store.faqs("approved")
            if entry.usable(today)
        ]
        facts: dict[str, list[LocalFact]] = {}
        for correction in self.store.corrections():
            facts.setdefault(correction.procedure_code, []).append(
                LocalFact(correction.field, correction.value)
            )
        with self._lock:
            self._faqs, self._facts, self._stamps = faqs, facts, stamps

    def match_faq(self, text: str) -> CuratedAnswer | None:
        self._refresh()
        asked = words(text)
        best: tuple[float, FaqEntry] | None = None
        for entry, variants in self._faqs:
            score = max(similarity(asked, v) for v in variants)
            if score >= self.threshold and (best is None or score > best[0]):
                best = (score, entry)
        if best is None:
            return None
        score, entry = best
        return CuratedAnswer(
            faq_id=entry.id,
            answer_vi=entry.answer_vi,
            answer_en=entry.answer_en,
            procedure_codes=tuple(entry.procedure_codes),
            source_url=entry.source_url,
            score=round(score, 3),
        )

    def local_facts(self, procedure_code: str) -> list[LocalFact]:
        self._refresh()
        return list(self._facts.get(procedure_code, ()))
