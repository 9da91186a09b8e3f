"""Number grounding: every fee, duration, percentage, date or document number in an answer
must also occur in the sources it was written from.

Pure functions, no I/O. Numbers are compared by value after normalising separators
(Vietnamese "70.000" and "1,5", English "70,000" and "1.5" are all understood), amounts
with multipliers ("1,5 triệu", "2 million") are expanded, dates are compared as calendar
dates ("1/7/2025" matches "2025-07-01") and legal-document numbers are compared without
case or diacritics ("123/2015/ND-CP" matches "123/2015/NĐ-CP").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

__all__ = ["Mention", "extract_numbers", "find_mentions", "ungrounded_numbers"]

# Bare numbers without a unit are only checked from this value on ("Bước 2", "02 bản" are not).
MIN_BARE_VALUE = 100

_MULTIPLIERS: dict[str, int] = {
    "trieu": 1_000_000,
    "tr": 1_000_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "nghin": 1_000,
    "ngan": 1_000,
    "thousand": 1_000,
    "k": 1_000,
    "ty": 1_000_000_000,
    "ti": 1_000_000_000,
    "billion": 1_000_000_000,
}

# Unit words (matched on folded text: lower case, no diacritics, đ -> d), longest first.
_UNITS: dict[str, tuple[str, ...]] = {
    "vnd": ("dong", "vnd", "d"),
    "usd": ("usd", "do la my", "do la", "dollars", "dollar"),
    "percent": ("%", "phan tram", "percent", "per cent"),
    "day": (
        "ngay lam viec",
        "ngay",
        "working days",
        "working day",
        "business days",
        "business day",
        "calendar days",
        "days",
        "day",
    ),
    "week": ("tuan", "weeks", "week"),
    "month": ("thang", "months", "month"),
    "year": ("nam", "years", "year"),
    "hour": ("gio", "tieng", "hours", "hour"),
    "minute": ("phut", "minutes", "minute"),
}
_UNIT_OF: dict[str, str] = {word: cat for cat, words in _UNITS.items() for word in words}

_MONTHS_EN: dict[str, int] = {}
for _i, _name in enumerate(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ],
    start=1,
):
    _MONTHS_EN[_name] = _i
    _MONTHS_EN[_name[:3]] = _i
_MONTHS_EN["sept"] = 9


def _alternation(words: Sequence[str]) -> str:
    escaped = (re.escape(w).replace("\\ ", " ") for w in sorted(words, key=len, reverse=True))
    return "|".join(e.replace(" ", r"\s+") for e in escaped)


_MONTH_RE = _alternation(list(_MONTHS_EN))
_NUM = r"\d+(?:[.,]\d+)*"
_START = r"(?<![\w./,])"  # not glued to a word, another number or a path
_END = r"(?![\w/])"

_PATTERNS: list[tuple[str, str]] = [
    # 85/2019/TT-BTC, 123/2015/NĐ-CP (folded: nd-cp), 26/2023/QH15, 01/VBHN-BTP.
    ("doc", rf"{_START}\d{{1,4}}/(?:\d{{4}}/)?[a-z]{{2,}}[a-z0-9]*(?:-[a-z0-9]+)*{_END}"),
    ("date_iso", rf"{_START}\d{{4}}-\d{{1,2}}-\d{{1,2}}{_END}"),
    ("date_dmy", rf"{_START}\d{{1,2}}(?P<dsep>[/.-])\d{{1,2}}(?P=dsep)\d{{4}}{_END}"),
    (
        "date_vi",
        rf"{_START}(?:ngay\s+)?\d{{1,2}}\s+thang\s+\d{{1,2}}(?:\s+nam\s+|\s*[/,]\s*)\d{{4}}{_END}",
    ),
    ("md_vi", rf"{_START}ngay\s+\d{{1,2}}\s+thang\s+\d{{1,2}}{_END}"),
    ("ym_vi", rf"{_START}thang\s+\d{{1,2}}(?:\s+nam\s+|\s*/\s*)\d{{4}}{_END}"),
    ("date_en_mdy", rf"\b(?:{_MONTH_RE})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}{_END}"),
    (
        "date_en_dmy",
        rf"{_START}\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH_RE})\.?,?\s+\d{{4}}{_END}",
    ),
    ("ym_en", rf"\b(?:{_MONTH_RE})\.?,?\s+\d{{4}}{_END}"),
    ("ym", rf"{_START}\d{{1,2}}/\d{{4}}{_END}"),
    ("md", rf"{_START}\d{{1,2}}/\d{{1,2}}{_END}"),
    # Procedure codes on the national portal: 1.001234, 2.000305.
    ("code", rf"{_START}\d\.\d{{6}}{_END}"),
    (
        "number",
        rf"(?P<cur>\$\s*|(?:usd|vnd)\s+)?{_START}(?P<num>{_NUM})"
        rf"(?:\s*(?P<mult>{_alternation(list(_MULTIPLIERS))})(?![a-z]))?"
        rf"(?:\s*(?P<unit>{_alternation(list(_UNIT_OF))})(?![a-z]))?",
    ),
]
_KINDS = [kind for kind, _ in _PATTERNS]
_SCANNER = re.compile("|".join(f"(?P<k_{kind}>{rx})" for kind, rx in _PATTERNS))

# List enumerators at a line start ("1.", "2)", "(3)", "- 4.") and citation markers ("[1]", "[1, 2]").
_ENUMERATOR = re.compile(r"(?m)^[ \t]*(?:[-*•+][ \t]*)?(?:\*\*)?\(?\d{1,2}[.)](?:\*\*)?(?=\s|$)")
_CITATION = re.compile(r"\[(?:nguon|source)?\s*\d{1,3}(?:\s*[,;]\s*\d{1,3})*\]")
_FREE = re.compile(
    r"mien phi|khong (?:thu|mat|phai nop|phai tra) (?:phi|le phi)|free of charge|\bfree\b"
)


@dataclass(frozen=True)
class Mention:
    """One number-like mention: `text` as written, `keys` its comparable normal forms."""

    text: str
    start: int
    end: int
    kind: str  # "doc", "date", "code", "number"
    keys: frozenset[str]
    category: str | None = None  # unit category of a number: "vnd", "day", "percent", …
    significant: bool = True  # checked in an answer (bare small numbers are not)


def _fold(text: str) -> str:
    """Lower case, no diacritics, đ -> d; one character out per character in (offsets hold)."""
    out = []
    for ch in text:
        if ch in "đĐ":
            out.append("d")
            continue
        base = unicodedata.normalize("NFD", ch)[0] if ord(ch) > 127 else ch
        out.append(base.lower() if len(base.lower()) == 1 else base)
    return "".join(out)


def _parse_number(raw: str) -> set[Decimal]:
    """'70.000' / '70,000' / '70000' -> {70000}; '1,5' -> {1.5}; '1,500' -> {1500, 1.5}."""
    groups = re.split(r"[.,]", raw)
    seps = re.findall(r"[.,]", raw)
    if not seps:
        return {Decimal(raw)}
    # Groups of exactly three digits after one kind of separator: thousands ("70.000", "70,000").
    if all(len(g) == 3 for g in groups[1:]) and groups[0] != "0" and len(set(seps)) == 1:
        return {Decimal("".join(groups))}
    # Otherwise the last separator is the decimal point ("1,5", "1.234,5", "1,234.56").
    if not seps[:-1] or (len(set(seps[:-1])) == 1 and seps[-1] != seps[0]):
        return {Decimal("".join(groups[:-1]) + "." + groups[-1])}
    return {Decimal("".join(groups))}


def _dec_key(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _date_key(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _date_keys(kind: str, folded: str) -> set[str]:
    digits = [int(d) for d in re.findall(r"\d+", folded)]
    month_name = re.search(_MONTH_RE, folded)
    month_en = _MONTHS_EN.get(month_name.group(0).replace(" ", "")) if month_name else None
    keys: set[str] = set()
    if kind == "date_iso":
        y, m, d = digits
        full = _date_key(y, m, d)
    elif kind in ("date_dmy", "date_vi"):
        d, m, y = digits
        full = _date_key(y, m, d)
    elif kind in ("date_en_mdy", "date_en_dmy") and month_en:
        d, y = digits
        m = month_en
        full = _date_key(y, m, d)
    elif kind in ("md", "md_vi"):
        d, m = digits
        return {f"md:{m:02d}-{d:02d}"} if _date_key(2000, m, d) else set()
    elif kind in ("ym", "ym_vi", "ym_en"):
        m, y = (month_en, digits[0]) if month_en else (digits[0], digits[1])
        return {f"ym:{y:04d}-{m:02d}"} if 1 <= m <= 12 else set()
    else:  # pragma: no cover - all kinds handled above
        return set()
    if full:
        keys.add(f"date:{full}")
    return keys


def _number_mention(match: re.Match[str], text: str) -> Mention:
    raw_num = match.group("num")
    mult = match.group("mult")
    unit = match.group("unit")
    cur = match.group("cur")
    values = _parse_number(raw_num)
    factor = _MULTIPLIERS[re.sub(r"\s+", " ", mult)] if mult else 1
    values = {v * factor for v in values}
    category: str | None = None
    if unit:
        category = _UNIT_OF[re.sub(r"\s+", " ", unit)]
    elif cur:
        category = "usd" if "$" in cur or "usd" in cur else "vnd"
    significant = bool(unit or mult or cur) or any(v >= MIN_BARE_VALUE for v in values)
    if re.search(r"[.,]", raw_num) and not unit and not mult:
        significant = True
    start, end = match.start(), match.end()
    return Mention(
        text=text[start:end],
        start=start,
        end=end,
        kind="number",
        keys=frozenset(f"num:{_dec_key(v)}" for v in values),
        category=category,
        significant=significant,
    )


def _mask(pattern: re.Pattern[str], text: str) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def find_mentions(text: str) -> list[Mention]:
    """All number-like mentions in `text` (enumerators and citation markers excluded)."""
    text = unicodedata.normalize("NFC", text)
    folded = _mask(_CITATION, _mask(_ENUMERATOR, _fold(text)))
    return list(_scan(text, folded))


def _scan(text: str, folded: str) -> Iterator[Mention]:
    for match in _SCANNER.finditer(folded):
        kind = next(k for k in _KINDS if match.group(f"k_{k}") is not None)
        if kind == "number":
            yield _number_mention(match, text)
            continue
        start, end = match.start(), match.end()
        raw = folded[start:end]
        if kind == "doc":
            keys = {"doc:" + raw.upper()}
            yield Mention(text[start:end], start, end, "doc", frozenset(keys))
        elif kind == "code":
            yield Mention(text[start:end], start, end, "code", frozenset({"code:" + raw}))
        else:
            keys = _date_keys(kind, raw) or {"raw:" + re.sub(r"\s+", " ", raw)}
            yield Mention(text[start:end], start, end, "date", frozenset(keys))


def extract_numbers(text: str) -> list[str]:
    """The checkable numbers in `text`, as written, in order (amounts, durations, percentages,
    dates, legal-document numbers, procedure codes; list enumerators, citation markers and
    small bare numbers like "Bước 2" are left out)."""
    return [m.text for m in find_mentions(text) if m.significant]


@dataclass
class _SourceIndex:
    keys: set[str]
    categories: dict[str, set[str | None]]  # number key -> unit categories seen with it
    folded: str
    free: bool


def _index_sources(sources: Sequence[str]) -> _SourceIndex:
    keys: set[str] = set()
    categories: dict[str, set[str | None]] = {}
    folded_parts: list[str] = []
    for source in sources:
        source = unicodedata.normalize("NFC", source)
        folded = _fold(source)
        folded_parts.append(re.sub(r"\s+", " ", folded))
        for m in _scan(source, folded):
            keys |= m.keys
            for key in m.keys:
                if key.startswith("num:"):
                    categories.setdefault(key, set()).add(m.category)
                elif key.startswith("date:"):
                    y, mo, d = key[5:].split("-")
                    keys |= {f"md:{mo}-{d}", f"ym:{y}-{mo}", f"year:{int(y)}"}
                elif key.startswith("ym:"):
                    keys.add(f"year:{int(key[3:7])}")
                elif key.startswith("doc:"):
                    year = re.match(r"doc:\d+/(\d{4})/", key)
                    if year:
                        keys.add(f"year:{int(year.group(1))}")
    folded_all = "\n".join(folded_parts)
    return _SourceIndex(keys, categories, folded_all, bool(_FREE.search(folded_all)))


def _is_grounded(mention: Mention, index: _SourceIndex) -> bool:
    if mention.kind != "number":
        return bool(mention.keys & index.keys)
    for key in mention.keys:
        if key in index.categories:
            seen = index.categories[key]
            if mention.category is None or None in seen or mention.category in seen:
                return True
        value = key[4:]
        if mention.category is None and f"year:{value}" in index.keys:
            return True
    if mention.category in ("vnd", "usd") and "num:0" in mention.keys and index.free:
        return True
    # A bare number written exactly as in a source (a phone number, a form code part).
    written = re.sub(r"\s+", " ", _fold(mention.text)).strip()
    return (
        mention.category is None
        and re.search(rf"(?<![\d.,]){re.escape(written)}(?![\d])", index.folded) is not None
    )


def ungrounded_numbers(answer: str, sources: Sequence[str]) -> list[str]:
    """The numbers in `answer` (as written, first occurrence each) that no source supports."""
    index = _index_sources(sources)
    out: list[str] = []
    for mention in find_mentions(answer):
        if mention.significant and not _is_grounded(mention, index) and mention.text not in out:
            out.append(mention.text)
    return out
