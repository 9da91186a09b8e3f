"""Abbreviations and everyday names (CCCD, sổ đỏ, cà vẹt...) expanded to official terms.

The table lives in `knowledge/data/abbreviations.yaml`, which staff edit. Matching is on
whole tokens: an unaccented query token matches a variant by its folded form ("so do" ->
"sổ đỏ"), an accented token must match the variant's accents ("sơ đồ" does not match
"sổ đỏ"). Variants listed under `english` match the same way but are not evidence that
the query is Vietnamese (see `vietnamese_codes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from knowledge.text.datafile import load_table
from knowledge.text.lexicon import ENGLISH_WORDS
from knowledge.text.ngrams import iter_token_spans
from knowledge.text.normalize import fold_token, normalize_lower
from knowledge.text.syllable import is_valid_folded_syllable

DEFAULT_ABBREVIATIONS_PATH: Final[Path] = (
    Path(__file__).resolve().parents[1] / "data" / "abbreviations.yaml"
)
_ALLOWED_KEYS: Final[frozenset[str]] = frozenset(
    {"term", "variants", "english", "expansions", "note", "whole"}
)


class AbbreviationFileError(ValueError):
    """The abbreviations file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class AbbreviationEntry:
    """One table entry: its name, the ways people write it, and the official terms."""

    term: str
    variants: tuple[str, ...]
    expansions: tuple[str, ...]
    english: tuple[str, ...] = ()
    note: str = ""
    # A whole phrase: other entries' phrases inside its match don't count on their own
    # ("cho thuê trọ" is a landlord, not the renter of "thuê trọ").
    whole: bool = False

    @property
    def spellings(self) -> tuple[str, ...]:
        """The term, its variants and its English variants."""
        return (self.term, *self.variants, *self.english)


@dataclass(frozen=True)
class AbbreviationMatch:
    """Where an entry matched: token positions [start, end) and the matched text."""

    entry: AbbreviationEntry
    variant: str
    start: int
    end: int
    text: str


def _tokens(text: str) -> list[str]:
    prepared = normalize_lower(text)
    return [prepared[s:e] for s, e, _ in iter_token_spans(prepared)]


@lru_cache(maxsize=4096)
def _folded_phrase(text: str) -> str:
    """Folded tokens of a table text, space-padded for whole-token substring tests."""
    return " " + " ".join(fold_token(t) for t in _tokens(text)) + " "


@dataclass(frozen=True)
class _Spelling:
    entry_index: int
    variant: str
    tokens: tuple[str, ...]


@dataclass
class AbbreviationTable:
    """Entries with a token index built once; `match` and `expand` use it."""

    entries: tuple[AbbreviationEntry, ...]
    _index: dict[tuple[str, ...], list[_Spelling]] = field(init=False, repr=False)
    _max_len: int = field(init=False, repr=False)
    vietnamese_codes: frozenset[str] = field(init=False)
    """Folded one-token spellings that are not words (cccd, gplx, ct07, vneid): a query
    containing one is Vietnamese. English variants and English words are excluded."""
    _acronyms: dict[tuple[str, ...], list[tuple[tuple[str, ...], str]]] = field(
        init=False, repr=False
    )
    _max_acronym_len: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        index: dict[tuple[str, ...], list[_Spelling]] = {}
        codes: set[str] = set()
        for i, entry in enumerate(self.entries):
            english = set(entry.english)
            for variant in entry.spellings:
                tokens = tuple(_tokens(variant))
                folded = tuple(fold_token(t) for t in tokens)
                index.setdefault(folded, []).append(_Spelling(i, variant, tokens))
                if len(folded) == 1 and variant not in english:
                    code = folded[0]
                    if code not in ENGLISH_WORDS and not is_valid_folded_syllable(code):
                        codes.add(code)
        self._index = index
        self._max_len = max((len(k) for k in index), default=0)
        self.vietnamese_codes = frozenset(codes)
        acronyms: dict[tuple[str, ...], list[tuple[tuple[str, ...], str]]] = {}
        for entry in self.entries:
            written = [v for v in entry.spellings if _is_acronym(v)]
            if not written:
                continue
            for expansion in entry.expansions:
                tokens = tuple(_tokens(expansion))
                if len(tokens) < 2:
                    continue
                folded = tuple(fold_token(t) for t in tokens)
                for acronym in written:
                    acronyms.setdefault(folded, []).append((tokens, acronym))
        self._acronyms = acronyms
        self._max_acronym_len = max((len(k) for k in acronyms), default=0)

    def match(self, text: str) -> list[AbbreviationMatch]:
        """Entries found in `text`, each once (its first, longest occurrence), in text order.

        Phrases inside a longer match of a `whole` entry are part of it and don't count.
        """
        tokens = _tokens(text)
        folded = [fold_token(t) for t in tokens]
        seen: set[int] = set()
        matches: list[AbbreviationMatch] = []
        for start in range(len(tokens)):
            longest = min(self._max_len, len(tokens) - start)
            for length in range(longest, 0, -1):
                spellings = self._index.get(tuple(folded[start : start + length]))
                if not spellings or _inside_whole(matches, start, start + length):
                    continue
                window = tokens[start : start + length]
                for spelling in spellings:
                    if spelling.entry_index in seen or not _compatible(window, spelling.tokens):
                        continue
                    seen.add(spelling.entry_index)
                    matches.append(
                        AbbreviationMatch(
                            entry=self.entries[spelling.entry_index],
                            variant=spelling.variant,
                            start=start,
                            end=start + length,
                            text=" ".join(window),
                        )
                    )
        return matches

    def contract(self, text: str) -> str:
        """`text` with official wordings that have an acronym written as the acronym
        ("làm lại thẻ bảo hiểm y tế" -> "làm lại thẻ BHYT"), or "" when there are none:
        official names often use the acronym ("sổ BHXH, thẻ BHYT")."""
        tokens = _tokens(text)
        folded = [fold_token(t) for t in tokens]
        out: list[str] = []
        changed = False
        i = 0
        while i < len(tokens):
            for n in range(min(self._max_acronym_len, len(tokens) - i), 1, -1):
                targets = self._acronyms.get(tuple(folded[i : i + n]))
                hit = next((a for o, a in targets or () if _compatible(tokens[i : i + n], o)), None)
                if hit is not None:
                    out.append(hit)
                    i += n
                    changed = True
                    break
            else:
                out.append(tokens[i])
                i += 1
        return " ".join(out) if changed else ""

    def expand(self, text: str) -> str:
        """`text` followed by the expansions of every matched entry not already in it."""
        matches = self.match(text)
        if not matches:
            return text
        present = " " + " ".join(fold_token(t) for t in _tokens(text)) + " "
        added: list[str] = []
        for m in matches:
            for expansion in m.entry.expansions:
                key = _folded_phrase(expansion)
                if key not in present:
                    added.append(expansion)
                    present += key[1:]
        if not added:
            return text
        return f"{text.rstrip()} {' '.join(added)}"


def _inside_whole(matches: list[AbbreviationMatch], start: int, end: int) -> bool:
    """Whether tokens [start, end) lie within a longer match, found earlier, of a `whole`
    entry (a longer match that contains them starts no later, so it is found first)."""
    return any(
        m.entry.whole and m.start <= start and end <= m.end and end - start < m.end - m.start
        for m in matches
    )


def _is_acronym(spelling: str) -> bool:
    """One upper-case token of two or more letters/digits ("BHYT", "ĐKKD", "CT07")."""
    return (
        len(spelling) >= 2
        and spelling.isupper()
        and spelling.isalnum()
        and not any(ch.isdigit() for ch in spelling[:1])
    )


def _compatible(window: list[str], variant_tokens: tuple[str, ...]) -> bool:
    """Same folded tokens are given; an accented query token must also match the accents."""
    return all(t == v or t.isascii() for t, v in zip(window, variant_tokens, strict=True))


def _string_list(raw: Any, key: str, required: bool) -> tuple[str, ...]:
    if raw is None and not required:
        return ()
    if not isinstance(raw, list) or (required and not raw):
        need = "a non-empty list" if required else "a list"
        raise ValueError(f"'{key}' must be {need} of texts")
    items: list[str] = []
    for item in raw:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise ValueError(f"'{key}' contains {item!r}, which is not a text")
        text = str(item).strip()
        if not text:
            raise ValueError(f"'{key}' contains an empty text")
        if not _tokens(text):
            raise ValueError(f"'{key}' contains {text!r}, which has no letters or digits")
        items.append(text)
    return tuple(items)


def _parse_entry(raw: Any) -> AbbreviationEntry:
    if not isinstance(raw, dict):
        raise ValueError("an entry must be a mapping with 'term' and 'expansions'")
    unknown = sorted(set(raw) - _ALLOWED_KEYS)
    if unknown:
        raise ValueError(f"unknown key(s) {unknown}; allowed: {sorted(_ALLOWED_KEYS)}")
    term = raw.get("term")
    if not isinstance(term, str) or not term.strip() or not _tokens(term):
        raise ValueError("'term' must be a non-empty text")
    note = raw.get("note", "")
    if not isinstance(note, str):
        raise ValueError("'note' must be a text")
    whole = raw.get("whole", False)
    if not isinstance(whole, bool):
        raise ValueError("'whole' must be true or false")
    return AbbreviationEntry(
        term=term.strip(),
        variants=_string_list(raw.get("variants"), "variants", required=False),
        english=_string_list(raw.get("english"), "english", required=False),
        expansions=_string_list(raw.get("expansions"), "expansions", required=True),
        note=note.strip(),
        whole=whole,
    )


def parse_abbreviations(data: Any, source: str = "<data>") -> AbbreviationTable:
    """Validate already-loaded YAML data; errors name the source and the entry."""
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise AbbreviationFileError(f"{source}: expected a mapping with an 'entries' list")
    entries: list[AbbreviationEntry] = []
    owner: dict[str, tuple[int, str]] = {}
    for number, raw in enumerate(data["entries"], start=1):
        label = raw.get("term") if isinstance(raw, dict) else None
        where = f"{source}: entry #{number}" + (f" ({label!r})" if label else "")
        try:
            entry = _parse_entry(raw)
        except ValueError as exc:
            raise AbbreviationFileError(f"{where}: {exc}") from None
        for spelling in entry.spellings:
            key = " ".join(_tokens(spelling))
            if key in owner and owner[key][0] != number:
                other_number, other_term = owner[key]
                raise AbbreviationFileError(
                    f"{where}: spelling {spelling!r} is already used by entry "
                    f"#{other_number} ({other_term!r})"
                )
            owner[key] = (number, entry.term)
        entries.append(entry)
    return AbbreviationTable(tuple(entries))


def load_abbreviations(path: str | Path | None = None) -> AbbreviationTable:
    """Load and validate the table (default: the bundled file); cached until the file changes."""
    resolved = Path(path) if path is not None else DEFAULT_ABBREVIATIONS_PATH
    return load_table(resolved, parse_abbreviations, AbbreviationFileError, "abbreviations file")


def match_abbreviations(
    text: str, table: AbbreviationTable | None = None
) -> list[AbbreviationMatch]:
    """Which entries `text` mentions (default table)."""
    return (table or load_abbreviations()).match(text)


def expand_abbreviations(text: str, table: AbbreviationTable | None = None) -> str:
    """`text` with the official terms of the entries it mentions appended (default table).

    "lam so do" -> "lam so do giấy chứng nhận quyền sử dụng đất quyền sở hữu tài sản gắn
    liền với đất"; the original words are kept.
    """
    return (table or load_abbreviations()).expand(text)
