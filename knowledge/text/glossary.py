"""English -> Vietnamese glossary for cross-lingual query expansion.

Lexical search works on Vietnamese syllables, so an English question ("how do I register
my baby's birth") is expanded with the Vietnamese terms of a staff-editable glossary
(`knowledge/data/glossary_en_vi.yaml`) before searching: "đăng ký khai sinh ...".

Matching is on whole tokens and case-insensitive, except that a one-word variant written in
capitals ("VAT", "TIN") only matches capitals, since "vat" and "tin" are also unaccented
Vietnamese syllables (vật, tin). Both the glossary phrases and the query
are reduced to light stems first: articles and possessive determiners are skipped ("my
baby's birth" = "baby birth"), a trailing "'s" is dropped, British spellings are unified
with American ones (licence = license, notarise = notarize), and plural and verb endings
are removed (registers/registered/registering = register, children = child, copies =
copy). Derived words (registration, renewal) are listed as variants in the glossary.
Where phrases overlap, the longest wins ("birth certificate" over "certificate").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, NamedTuple

from knowledge.text.datafile import load_table
from knowledge.text.normalize import fold_token, has_diacritics, normalize, normalize_lower
from knowledge.text.syllable import is_valid_syllable

DEFAULT_GLOSSARY_PATH: Final[Path] = (
    Path(__file__).resolve().parents[1] / "data" / "glossary_en_vi.yaml"
)
_ALLOWED_KEYS: Final[frozenset[str]] = frozenset({"en", "vi", "note"})

_TOKEN_RE: Final[re.Pattern[str]] = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_ENGLISH_RE: Final[re.Pattern[str]] = re.compile(r"[A-Za-z0-9 '\-./&]+")
_VI_TOKEN_RE: Final[re.Pattern[str]] = re.compile(r"[^\W_]+")

STOP_WORDS: Final[frozenset[str]] = frozenset(
    {"a", "an", "the", "my", "our", "your", "his", "her", "their", "its", "this", "that"}
    | {"these", "those"}
)
"""Skipped in queries and phrases alike, so "renew my visa" matches "renew visa"."""

_IRREGULAR: Final[dict[str, str]] = {
    "children": "child",
    "men": "man",
    "women": "woman",
    "wives": "wife",
    "died": "die",
    "dies": "die",
    "dying": "die",
    "lost": "lose",
    "loss": "lose",
    "used": "use",
    "using": "use",
    "paid": "pay",
    "gave": "give",
    "given": "give",
    "took": "take",
    "taken": "take",
    "made": "make",
    "sold": "sell",
    "bought": "buy",
    "built": "build",
    "got": "get",
    "gotten": "get",
}
_NO_STEM: Final[frozenset[str]] = frozenset(
    {"accounting", "cites", "laos", "news", "species", "series"}
)
"""Words whose stem would collide with an unrelated word (accounting/account, CITES/CIT)
or with a Vietnamese syllable ("laos" -> "lao", as in "lao động")."""
_BRITISH: Final[dict[str, str]] = {
    "centre": "center",
    "centres": "centers",
    "metre": "meter",
    "metres": "meters",
    "litre": "liter",
    "litres": "liters",
    "programme": "program",
    "programmes": "programs",
    "catalogue": "catalog",
    "catalogues": "catalogs",
    "tyre": "tire",
    "tyres": "tires",
    "cheque": "check",
    "cheques": "checks",
    "jewellery": "jewelry",
    "enrolment": "enrollment",
}
_BRITISH_PREFIXES: Final[tuple[tuple[str, str], ...]] = (
    ("licenc", "licens"),
    ("defenc", "defens"),
    ("offenc", "offens"),
    ("labour", "labor"),
    ("harbour", "harbor"),
    ("neighbour", "neighbor"),
    ("colour", "color"),
    ("favour", "favor"),
    ("behaviour", "behavior"),
    ("honour", "honor"),
)
_ISE_RE: Final[re.Pattern[str]] = re.compile(r"(?<=[a-z]{3})is(e|ed|es|er|ers|ing|ation|ations)$")
_VOWELS: Final[frozenset[str]] = frozenset("aeiouy")
_BREAK_CHARS: Final[frozenset[str]] = frozenset('.,;:!?()[]{}"<>|/\\…')


class GlossaryFileError(ValueError):
    """The glossary file is malformed; the message names the file and the entry."""


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """The light stem of one lower-case English token (see the module docstring).

    Tokens that are not plain ASCII letters (digits, codes, Vietnamese) are returned as
    they are. Both the glossary and the query go through this, so consistency matters
    more than linguistic accuracy: "issue", "issued", "issues", "issuing" -> "issu".
    """
    w = _IRREGULAR.get(word, word)
    if w in _NO_STEM or not (w.isascii() and w.isalpha()):
        return w
    w = _BRITISH.get(w, w)
    for old, new in _BRITISH_PREFIXES:
        if w.startswith(old):
            w = new + w[len(old) :]
            break
    w = _ISE_RE.sub(r"iz\1", w)
    if len(w) >= 4:
        w = _strip_suffix(w)
    if len(w) >= 5 and w.endswith("e"):
        w = w[:-1]  # change/changing -> chang; short words keep it (time, home, tree)
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in _VOWELS:
        w = w[:-1]
    return w


def _strip_suffix(w: str) -> str:
    """Remove one plural or verb ending (ies/ied -> y, sses, es, s, ing, ed, eed -> ee)."""
    if len(w) > 4 and w.endswith(("ies", "ied")):
        return w[:-3] + "y"
    if w.endswith("sses"):
        return w[:-2]
    if w.endswith(("ss", "us", "is")):
        return w
    if w.endswith("es") and w[:-2].endswith(("s", "x", "z", "ch", "sh")):
        return w[:-2]
    if w.endswith("s"):
        return w[:-1]
    if w.endswith("ing") and _has_vowel(w[:-3]) and len(w) >= 5:
        return _restore_e(w[:-3])
    if w.endswith("eed"):
        return w[:-1] if len(w) > 5 else w
    if w.endswith("ed") and _has_vowel(w[:-2]) and len(w) >= 4:
        return _restore_e(w[:-2])
    return w


def _restore_e(w: str) -> str:
    """A short consonant-vowel-consonant remainder lost an "e": moving -> move, filing -> file."""
    if len(w) == 3 and w[0] not in _VOWELS and w[1] in _VOWELS and w[2] not in _VOWELS | {"w", "x"}:
        return w + "e"
    return w


def _has_vowel(text: str) -> bool:
    return any(ch in _VOWELS for ch in text)


class _Tokens(NamedTuple):
    """Content tokens of a normalised text as parallel lists (cheap to build)."""

    stems: list[str]
    capitals: list[str]
    """The token itself when written in capitals ("VAT"), else ""."""
    starts: list[int]
    ends: list[int]
    segments: list[int]
    """Phrases do not cross sentence punctuation: tokens of one phrase share a segment."""


def _english_tokens(prepared: str) -> _Tokens:
    """Stems, capitals, character spans and segment numbers of the content tokens."""
    tokens = _Tokens([], [], [], [], [])
    segment = 0
    prev_end = 0
    for m in _TOKEN_RE.finditer(prepared):
        start, end = m.span()
        if prev_end and not _BREAK_CHARS.isdisjoint(prepared[prev_end:start]):
            segment += 1
        prev_end = end
        word = m.group()
        if "'" in word:
            if word.endswith(("'s", "'S")):
                word = word[:-2]
            word = word.replace("'", "")
        lower = word.lower()
        if not word or lower in STOP_WORDS:
            continue
        tokens.stems.append(stem(lower))
        tokens.capitals.append(word if len(word) >= 2 and word.isupper() else "")
        tokens.starts.append(start)
        tokens.ends.append(end)
        tokens.segments.append(segment)
    return tokens


def is_capital_acronym(phrase: str) -> bool:
    """A one-word `en` variant in capitals ("VAT", "TIN") matches only a query token in
    capitals: such acronyms are also ordinary words or unaccented Vietnamese syllables
    ("vat" = vật, "tin" = tin)."""
    return len(phrase) >= 2 and phrase.isascii() and phrase.isalnum() and phrase.isupper()


def phrase_key(phrase: str) -> tuple[str, ...]:
    """The stem sequence a phrase is matched by ("Driving Licences" -> ("driv", "licens"));
    a capital acronym keeps its capitals behind a "=" marker ("VAT" -> ("=VAT",))."""
    if is_capital_acronym(phrase):
        return (f"={phrase}",)
    return tuple(_english_tokens(normalize(phrase, max_chars=None)).stems)


def _vi_key(text: str) -> str:
    """Folded Vietnamese tokens, for de-duplicating expansions."""
    return " ".join(fold_token(t) for t in _VI_TOKEN_RE.findall(normalize_lower(text)))


@dataclass(frozen=True)
class GlossaryEntry:
    """One glossary entry: English phrasings and the Vietnamese terms they stand for."""

    en: tuple[str, ...]
    vi: tuple[str, ...]
    note: str = ""

    @property
    def label(self) -> str:
        return self.en[0]


@dataclass(frozen=True)
class GlossaryMatch:
    """An entry found in a query: token positions [start, end) among the query's content
    tokens (stop words skipped), the phrase of the entry that matched, and the query text
    it covers (normalised)."""

    entry: GlossaryEntry
    phrase: str
    start: int
    end: int
    text: str


@dataclass
class Glossary:
    """Entries with a stem index built once; `match` and `translate` use it."""

    entries: tuple[GlossaryEntry, ...]
    _index: dict[tuple[str, ...], tuple[int, str]] = field(init=False, repr=False)
    _capitals: dict[str, tuple[int, str]] = field(init=False, repr=False)
    _max_len_by_first: dict[str, int] = field(init=False, repr=False)
    _vi_keys: tuple[tuple[tuple[str, str], ...], ...] = field(init=False, repr=False)
    _gloss_keys: list[tuple[str, str]] | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        index: dict[tuple[str, ...], tuple[int, str]] = {}
        capitals: dict[str, tuple[int, str]] = {}
        max_len: dict[str, int] = {}
        for i, entry in enumerate(self.entries):
            for phrase in entry.en:
                if is_capital_acronym(phrase):
                    capitals.setdefault(phrase, (i, phrase))
                    continue
                key = phrase_key(phrase)
                if not key:
                    continue
                index.setdefault(key, (i, phrase))
                max_len[key[0]] = max(max_len.get(key[0], 0), len(key))
        self._index = index
        self._capitals = capitals
        self._max_len_by_first = max_len
        self._vi_keys = tuple(tuple((v, _vi_key(v)) for v in e.vi) for e in self.entries)

    def _select(self, prepared: str) -> list[tuple[int, int, int, str, int, int]]:
        """(start, end, entry index, phrase, first char, last char) of the chosen matches."""
        tokens = _english_tokens(prepared)
        stems = tokens.stems
        segments = tokens.segments
        n = len(stems)
        candidates: list[tuple[int, int, int, str]] = []  # (-length, start, entry, phrase)
        index = self._index
        max_len = self._max_len_by_first
        capitals = self._capitals
        for start, first in enumerate(stems):
            if capitals and tokens.capitals[start]:
                hit = capitals.get(tokens.capitals[start])
                if hit is not None:
                    candidates.append((-1, start, hit[0], hit[1]))
            longest = max_len.get(first)
            if longest is None:
                continue
            segment = segments[start]
            limit = 1
            while limit < longest and start + limit < n and segments[start + limit] == segment:
                limit += 1
            for length in range(limit, 0, -1):
                hit = index.get(tuple(stems[start : start + length]))
                if hit is not None:
                    candidates.append((-length, start, hit[0], hit[1]))
        if not candidates:
            return []
        candidates.sort()
        taken = [False] * n
        chosen: list[tuple[int, int, int, str, int, int]] = []
        for neg_length, start, entry_index, phrase in candidates:
            end = start - neg_length
            if any(taken[start:end]):
                continue
            for k in range(start, end):
                taken[k] = True
            chosen.append(
                (start, end, entry_index, phrase, tokens.starts[start], tokens.ends[end - 1])
            )
        chosen.sort()
        return chosen

    def match(self, text: str) -> list[GlossaryMatch]:
        """Non-overlapping entry matches in text order; the longest phrase wins overlaps
        (ties: the leftmost)."""
        prepared = normalize(text)
        return [
            GlossaryMatch(self.entries[i], phrase, start, end, prepared[first:last])
            for start, end, i, phrase, first, last in self._select(prepared)
        ]

    def translate(self, text: str, where: Callable[[str], bool] | None = None) -> str:
        """Vietnamese terms of every match in order of appearance, each once: a term whose
        folded words already appear inside an earlier term is left out ("người nước ngoài"
        after "cấp thẻ tạm trú cho người nước ngoài"). `where`: only matches whose English
        phrase passes it."""
        return self._joined(self._select(normalize(text)), where)

    def translate_split(self, text: str, where: Callable[[str], bool]) -> tuple[str, str, str]:
        """`translate(text)`, then its matches that pass `where` and those that do not, each
        joined like `translate` does — from one matching of `text`."""
        selected = self._select(normalize(text))
        return (
            self._joined(selected, None),
            self._joined(selected, where),
            self._joined(selected, lambda phrase: not where(phrase)),
        )

    def _joined(
        self,
        selected: list[tuple[int, int, int, str, int, int]],
        where: Callable[[str], bool] | None,
    ) -> str:
        present = " "
        terms: list[str] = []
        for _, _, i, phrase, _, _ in selected:
            if where is not None and not where(phrase):
                continue
            for term, key in self._vi_keys[i]:
                if f" {key} " not in present:
                    present += f"{key} | "
                    terms.append(term)
        return " ".join(terms)

    def gloss(self, vietnamese: str, limit: int = 2) -> str:
        """English for the glossary terms a Vietnamese name contains, in text order: each
        entry's first Vietnamese term (its main meaning) of two words or more, longer terms
        winning overlaps: "Cấp hộ chiếu phổ thông ở trong nước" -> "apply for passport"."""
        if self._gloss_keys is None:
            keys: dict[str, str] = {}
            for entry in self.entries:
                key = _accented_key(entry.vi[0]) if entry.vi and entry.en else ""
                if len(key.split()) >= 2:
                    keys.setdefault(key, entry.en[0])
            self._gloss_keys = sorted(keys.items(), key=lambda pair: -len(pair[0]))
        text = f" {_accented_key(vietnamese)} "
        chosen: list[tuple[int, int, str]] = []
        for key, english in self._gloss_keys:
            start = text.find(f" {key} ")
            end = start + len(key) + 1
            if start < 0 or any(english == e for _, _, e in chosen):
                continue
            if all(end <= s or start >= e for s, e, _ in chosen):
                chosen.append((start, end, english))
        return ", ".join(english for _, _, english in sorted(chosen)[:limit])


def _accented_key(text: str) -> str:
    return " ".join(_VI_TOKEN_RE.findall(normalize_lower(text)))


def _string_list(raw: Any, key: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"'{key}' must be a non-empty list of texts")
    items: list[str] = []
    for item in raw:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise ValueError(f"'{key}' contains {item!r}, which is not a text")
        text = " ".join(str(item).split())
        if not text:
            raise ValueError(f"'{key}' contains an empty text")
        items.append(text)
    return tuple(items)


def _looks_vietnamese(term: str) -> bool:
    """Diacritics somewhere ("thẻ ABTC"), or only Vietnamese syllables and upper-case
    abbreviations ("khai sinh", "BHXH"); catches English or foreign words put under `vi`."""
    if has_diacritics(term):
        return True
    words = [w for w in _VI_TOKEN_RE.findall(term) if not w.isdigit()]
    return bool(words) and all(
        is_valid_syllable(w) or (len(w) >= 2 and w.isupper() and w.isascii()) for w in words
    )


def _parse_entry(raw: Any) -> GlossaryEntry:
    if not isinstance(raw, dict):
        raise ValueError("an entry must be a mapping with 'en' and 'vi'")
    unknown = sorted(set(raw) - _ALLOWED_KEYS)
    if unknown:
        raise ValueError(f"unknown key(s) {unknown}; allowed: {sorted(_ALLOWED_KEYS)}")
    en = _string_list(raw.get("en"), "en")
    for phrase in en:
        if not _ENGLISH_RE.fullmatch(phrase):
            raise ValueError(
                f"'en' contains {phrase!r}: English phrases use only unaccented Latin "
                "letters, digits, spaces and ' - . / &"
            )
        if not phrase_key(phrase):
            raise ValueError(f"'en' contains {phrase!r}, which has only stop words")
    vi = _string_list(raw.get("vi"), "vi")
    for term in vi:
        if not _VI_TOKEN_RE.search(term):
            raise ValueError(f"'vi' contains {term!r}, which has no letters or digits")
        if not _looks_vietnamese(term):
            raise ValueError(
                f"'vi' contains {term!r}, which does not look Vietnamese (no diacritics and "
                "not made of Vietnamese syllables); write the official term with its accents"
            )
    note = raw.get("note", "")
    if not isinstance(note, str):
        raise ValueError("'note' must be a text")
    return GlossaryEntry(en=en, vi=vi, note=note.strip())


def _entry_label(raw: Any) -> str | None:
    if isinstance(raw, dict) and isinstance(raw.get("en"), list) and raw["en"]:
        first = raw["en"][0]
        return str(first) if isinstance(first, str | int | float) else None
    return None


def parse_glossary(data: Any, source: str = "<data>") -> Glossary:
    """Validate already-loaded YAML data; errors name the source and the entry."""
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise GlossaryFileError(f"{source}: expected a mapping with an 'entries' list")
    entries: list[GlossaryEntry] = []
    owner: dict[tuple[str, ...], tuple[int, str, str]] = {}
    for number, raw in enumerate(data["entries"], start=1):
        label = _entry_label(raw)
        where = f"{source}: entry #{number}" + (f" ({label!r})" if label else "")
        try:
            entry = _parse_entry(raw)
        except ValueError as exc:
            raise GlossaryFileError(f"{where}: {exc}") from None
        for phrase in entry.en:
            key = phrase_key(phrase)
            if key in owner and owner[key][0] != number:
                other_number, other_label, other_phrase = owner[key]
                raise GlossaryFileError(
                    f"{where}: English phrase {phrase!r} is the same as {other_phrase!r} "
                    f"of entry #{other_number} ({other_label!r}); each phrase may belong "
                    "to one entry only"
                )
            owner.setdefault(key, (number, entry.label, phrase))
        entries.append(entry)
    return Glossary(tuple(entries))


def load_glossary(path: str | Path | None = None) -> Glossary:
    """Load and validate the glossary (default: the bundled file); cached until it changes."""
    resolved = Path(path) if path is not None else DEFAULT_GLOSSARY_PATH
    return load_table(resolved, parse_glossary, GlossaryFileError, "glossary file")


def match_glossary(text: str, glossary: Glossary | None = None) -> list[GlossaryMatch]:
    """Which glossary entries `text` mentions (default glossary)."""
    return (glossary if glossary is not None else load_glossary()).match(text)


def english_gloss(vietnamese: str, glossary: Glossary | None = None) -> str:
    """A short English gloss of a Vietnamese procedure name ("" when the glossary has none)."""
    return (glossary if glossary is not None else load_glossary()).gloss(vietnamese)


def translate_terms(text: str, glossary: Glossary | None = None) -> str:
    """Vietnamese terms for the English phrases in `text`, joined by spaces ("" if none).

    "how do I renew my driving licence?" -> "đổi giấy phép lái xe".
    """
    return (glossary if glossary is not None else load_glossary()).translate(text)
