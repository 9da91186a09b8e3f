"""BM25F over diacritic-folded syllable unigrams and bigrams, with per-field weights.

Each procedure is a few fields (name, aliases, summary, body…). A term's frequency in each
field is length-normalised within that field, weighted, and summed before BM25 saturation
(Robertson & Zaragoza's BM25F), so a word in the name counts far more than the same word
deep in the steps, and long bodies do not drown short names.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from knowledge.schema import Procedure
from knowledge.search.variants import serves_armed_forces
from knowledge.text import ngrams, normalize_lower

# Field: (weight, b). Names and aliases carry the identity of a procedure.
FIELDS: Mapping[str, tuple[float, float]] = {
    "name": (5.0, 0.5),
    "aliases": (4.0, 0.3),
    "summary": (1.5, 0.5),
    "field": (1.0, 0.3),
    "result": (1.0, 0.5),
    "body": (0.4, 0.75),
}
K1 = 1.2
BODY_CHARS = 4000  # enough of the steps/conditions/documents to match on, bounded for speed


def procedure_field_texts(p: Procedure) -> dict[str, str]:
    """The text of each lexical field of a procedure."""
    body_parts = [
        " ".join(p.audience),
        " ".join(item.name for group in p.documents for item in group.items),
        p.conditions,
        " ".join(p.steps),
        " ".join(p.agencies.competent + p.agencies.implementing),
    ]
    return {
        "name": p.name,
        "aliases": " . ".join(p.aliases),
        "summary": p.summary_en,
        "field": p.field,
        "result": p.result,
        "body": " . ".join(x for x in body_parts if x)[:BODY_CHARS],
    }


# Words that say nothing about which procedure is meant (folded). Bigrams keep phrases
# such as "dang_ky", so dropping the unigram "dang" costs nothing there.
STOPWORDS: frozenset[str] = frozenset(
    [
        "toi",
        "minh",
        "em",
        "anh",
        "chi",
        "ban",
        "chung",
        "ta",
        "muon",
        "can",
        "lam",
        "the",
        "nao",
        "gi",
        "o",
        "dau",
        "duoc",
        "khong",
        "co",
        "cho",
        "thi",
        "la",
        "va",
        "voi",
        "cua",
        "nhu",
        "bao",
        "nhieu",
        "mat",
        "phai",
        "roi",
        "moi",
        "nay",
        "do",
        "se",
        "da",
        "vay",
        "a",
        "nhe",
        "oi",
        "xin",
        "hoi",
        "giup",
        "ve",
        "tu",
        "den",
        "tai",
        "nhung",
        "cac",
        "mot",
        "hay",
        "hoac",
        "neu",
        "khi",
        "sao",
        "nhi",
        "ak",
        "ah",
        "ko",
        "k",
        "dc",
        "duoc",
        "thu",
        "tuc",
        "how",
        "do",
        "does",
        "i",
        "my",
        "me",
        "we",
        "our",
        "you",
        "your",
        "the",
        "a",
        "an",
        "to",
        "can",
        "what",
        "where",
        "when",
        "which",
        "who",
        "is",
        "are",
        "am",
        "for",
        "in",
        "of",
        "on",
        "at",
        "get",
        "got",
        "need",
        "needs",
        "want",
        "with",
        "and",
        "or",
        "from",
        "be",
        "this",
        "that",
        "it",
        "please",
        "if",
        "have",
        "has",
        "there",
        "any",
        "about",
        "as",
        "by",
        "into",
        "should",
        "would",
        "could",
        "will",
    ]
)
BOILERPLATE = frozenset({"thu", "tuc", "thu_tuc"})


def content_terms(terms: Iterable[str]) -> list[str]:
    """Drop stopword unigrams and bigrams made only of stopwords."""
    kept = []
    for term in terms:
        parts = term.split("_")
        if all(part in STOPWORDS for part in parts):
            continue
        kept.append(term)
    return kept


def title_terms(text: str) -> frozenset[str]:
    """The content unigrams of a name or alias (for how much of it a query covers)."""
    return frozenset(t for t in ngrams(text, n=(1,)) if t not in STOPWORDS and t not in BOILERPLATE)


def field_terms(texts: Mapping[str, str]) -> dict[str, Counter[str]]:
    return {name: Counter(ngrams(texts.get(name, ""))) for name in FIELDS}


@dataclass
class LexicalIndex:
    """Keeps per-document term counts (for incremental updates) and derived postings."""

    docs: dict[str, dict[str, Counter[str]]] = field(default_factory=dict)
    titles: dict[str, list[frozenset[str]]] = field(default_factory=dict)  # name, then aliases
    names: dict[str, str] = field(default_factory=dict)  # lower-case names, accents kept
    phrases: dict[str, frozenset[str]] = field(default_factory=dict)  # name+alias bigrams
    armed_forces: set[str] = field(default_factory=set)  # procedures for police/army members
    _all_phrases: frozenset[str] = field(default_factory=frozenset, repr=False)
    _codes: list[str] = field(default_factory=list, repr=False)
    _postings: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)
    _idf: dict[str, float] = field(default_factory=dict, repr=False)
    _dirty: bool = True

    # -- building --------------------------------------------------------------------------

    def upsert(self, code: str, texts: Mapping[str, str], titles: Iterable[str] = ()) -> None:
        titles = list(titles)
        self.armed_forces.discard(code)
        self.docs[code] = field_terms(texts)
        self.titles[code] = [t for t in map(title_terms, titles) if t]
        self.names[code] = normalize_lower(texts.get("name", ""), max_chars=None)
        self.phrases[code] = frozenset(t for title in titles for t in ngrams(title, n=(2,)))
        self._dirty = True

    def upsert_procedure(self, p: Procedure) -> None:
        self.upsert(p.code, procedure_field_texts(p), [p.name, *p.aliases])
        if serves_armed_forces(p.name, p.conditions, " ".join(p.steps)):
            self.armed_forces.add(p.code)

    def upsert_procedures(self, procedures: Iterable[Procedure]) -> None:
        for p in procedures:
            self.upsert_procedure(p)

    def remove(self, code: str) -> None:
        self.armed_forces.discard(code)
        self.titles.pop(code, None)
        self.names.pop(code, None)
        self.phrases.pop(code, None)
        if self.docs.pop(code, None) is not None:
            self._dirty = True

    def name_phrase_hits(self, terms: Iterable[str]) -> int:
        """How many of these bigrams occur in some procedure's name or alias."""
        if self._dirty:
            self._build()
        return sum(1 for t in terms if "_" in t and t in self._all_phrases)

    def title_coverage(self, code: str, query_unigrams: frozenset[str]) -> float:
        """The largest share of the procedure's name (or of one alias) the query covers."""
        best = 0.0
        for title in self.titles.get(code, ()):
            best = max(best, len(title & query_unigrams) / len(title))
        return best

    def __len__(self) -> int:
        return len(self.docs)

    def _build(self) -> None:
        codes = sorted(self.docs)
        n = len(codes)
        avg_len = {}
        for name in FIELDS:
            total = sum(sum(self.docs[c][name].values()) for c in codes)
            avg_len[name] = (total / n) if n else 1.0
        weighted: dict[str, tuple[list[int], list[float]]] = {}
        for i, code in enumerate(codes):
            per_term: dict[str, float] = {}
            for name, (weight, b) in FIELDS.items():
                counts = self.docs[code][name]
                if not counts:
                    continue
                length = sum(counts.values())
                norm = 1.0 - b + b * length / (avg_len[name] or 1.0)
                for term, tf in counts.items():
                    per_term[term] = per_term.get(term, 0.0) + weight * tf / norm
            for term, value in per_term.items():
                entry = weighted.setdefault(term, ([], []))
                entry[0].append(i)
                entry[1].append(value)
        self._codes = codes
        self._all_phrases = (
            frozenset().union(*self.phrases.values()) if self.phrases else frozenset()
        )
        self._postings = {
            term: (np.asarray(ids, dtype=np.int32), np.asarray(vals, dtype=np.float32))
            for term, (ids, vals) in weighted.items()
        }
        self._idf = {
            term: math.log(1.0 + (n - len(ids) + 0.5) / (len(ids) + 0.5))
            for term, (ids, _) in weighted.items()
        }
        self._dirty = False

    # -- querying --------------------------------------------------------------------------

    @property
    def codes(self) -> list[str]:
        if self._dirty:
            self._build()
        return self._codes

    def scores(self, query_terms: Mapping[str, float]) -> np.ndarray:
        """BM25F score of every document (in `codes` order) for weighted query terms."""
        if self._dirty:
            self._build()
        result = np.zeros(len(self._codes), dtype=np.float32)
        for term, weight in query_terms.items():
            posting = self._postings.get(term)
            if posting is None:
                continue
            ids, tf = posting
            result[ids] += weight * self._idf[term] * tf * (K1 + 1.0) / (tf + K1)
        return result

    def idf(self, term: str) -> float:
        if self._dirty:
            self._build()
        return self._idf.get(term, 0.0)

    def max_score(self, query_terms: Mapping[str, float]) -> float:
        """An upper bound of any document's score: every term saturated (for normalising)."""
        if self._dirty:
            self._build()
        return sum(w * self._idf[t] * (K1 + 1.0) for t, w in query_terms.items() if t in self._idf)

    # -- persistence -----------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        return {
            "docs": {code: {f: dict(c) for f, c in fs.items()} for code, fs in self.docs.items()},
            "titles": {code: [sorted(t) for t in ts] for code, ts in self.titles.items()},
            "names": self.names,
            "phrases": {code: sorted(p) for code, p in self.phrases.items()},
            "armed_forces": sorted(self.armed_forces),
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> LexicalIndex:
        index = cls()
        index.docs = {
            code: {f: Counter(fields.get(f, {})) for f in FIELDS}
            for code, fields in state["docs"].items()
        }
        index.names = dict(state.get("names", {}))
        index.phrases = {code: frozenset(p) for code, p in state.get("phrases", {}).items()}
        index.titles = {
            code: [frozenset(t) for t in ts] for code, ts in state.get("titles", {}).items()
        }
        index.armed_forces = set(state.get("armed_forces", ()))
        return index
