"""Find the administrative units a citizen's message names: `find_places`.

A mention counts when it is *strong*: written after a unit type ("phường Bến Nghé",
"Q.1", "tỉnh Hà Nam", "TP.HCM"), or a province name of two or more syllables (or a known
alias) that is not also an everyday phrase. Other mentions (a ward or district name
without its type, "Hòa Bình", "gia lai" in unaccented text) are *weak*: they count only
when a strong mention contains them or lies in them. A single syllable never counts
without a type, and a one-syllable name after a type is strong only with a capital
("xã Nưa"; "xã hội" counts only if a place around it contains a commune "Hội"). See docs/decisions/0009-places.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from knowledge.places.context import consistent
from knowledge.places.model import PlaceMatch, Unit
from knowledge.places.names import (
    ORDINARY_FOLDED,
    PLACE_CUES,
    PROVINCE_ALIASES,
    RISKY_FOLDED,
    STREET_WORDS,
    Prefix,
    Token,
    compatible,
    name_tokens,
    prefix_at,
    tokens_of,
    windows,
)
from knowledge.places.table import PlaceTable, load_table
from knowledge.text.normalize import fold_token, normalize

# English puts the unit type after the name ("Ben Nghe ward", "Cu Chi district"): read it
# as the Vietnamese order ("ward Ben Nghe"), keeping every offset (the swap keeps lengths).
_ENGLISH_SUFFIX = re.compile(
    r"(?<![\w])((?:[A-ZĐ][\w'-]*\s){1,3})(ward|commune|district|province)(?![\w])"
)


def english_order(text: str) -> str:
    """ "I live in Ben Nghe ward" -> "I live in ward Ben Nghe" (same length)."""
    return _ENGLISH_SUFFIX.sub(lambda m: f"{m.group(2)} {m.group(1).rstrip()}", text)


@dataclass(frozen=True)
class _Entry:
    unit: Unit
    tokens: tuple[str, ...]
    alias: bool


@dataclass(frozen=True)
class _NameIndex:
    entries: dict[tuple[str, ...], tuple[_Entry, ...]]
    longest: int


def _build_index(table: PlaceTable) -> _NameIndex:
    by_name: dict[str, list[Unit]] = {}
    for unit in table.units():
        by_name.setdefault(unit.name, []).append(unit)
    raw: dict[tuple[str, ...], list[_Entry]] = {}
    for unit in table.units():
        spellings = [(unit.short, False)]
        if unit.level == "province":
            spellings += [(a, True) for a in PROVINCE_ALIASES.get(unit.name, ())]
        for spelling, alias in spellings:
            tokens = name_tokens(spelling)
            if tokens:
                key = tuple(fold_token(t) for t in tokens)
                raw.setdefault(key, []).append(_Entry(unit, tokens, alias))
    entries = {k: tuple(v) for k, v in raw.items()}
    return _NameIndex(entries, max(len(k) for k in entries))


@lru_cache(maxsize=4)
def _index(table: PlaceTable) -> _NameIndex:
    return _build_index(table)


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    units: tuple[Unit, ...]
    prefixed: bool
    strong: bool


def _lookup(index: _NameIndex, window: list[Token]) -> list[_Entry]:
    found = index.entries.get(tuple(t.folded for t in window), ())
    written = tuple(t.lower for t in window)
    exact = (
        [e for e in found if e.tokens == written] if not all(w.isascii() for w in written) else []
    )
    return exact or [e for e in found if compatible(window, e.tokens)]


def _after_prefix(
    index: _NameIndex, tokens: list[Token], start: int, prefix: Prefix
) -> tuple[int, tuple[Unit, ...], bool] | None:
    """The longest name after a prefix whose unit is of the prefix's levels:
    (length, units, strong)."""
    for n, window in windows(tokens, start, index.longest):
        entries = [e for e in _lookup(index, window) if e.unit.level in prefix.levels]
        if not entries:
            continue
        exact = [e for e in entries if e.unit.kind == prefix.kind]
        chosen = exact or entries
        # One lower-case syllable after a type ("xã hội") needs a place around it.
        strong = n > 1 or window[0].folded.isdigit() or window[0].capital
        strong = strong or all(e.unit.level == "province" for e in chosen)
        return n, _ordered(e.unit for e in chosen), strong
    return None


def _bare(
    index: _NameIndex, tokens: list[Token], start: int
) -> tuple[int, tuple[Unit, ...], bool] | None:
    """The longest name at `start` written without a type: (length, units, strong)."""
    for n, window in windows(tokens, start, index.longest):
        entries = [
            e
            for e in _lookup(index, window)
            if (n >= 2 or (e.alias and len(window[0].folded) >= 3))
            and not all(t.isdigit() for t in e.tokens)
        ]
        if not entries or _not_a_name(tokens, start, window):
            continue
        provinces = [e for e in entries if e.unit.level == "province"]
        if not provinces:
            return n, _ordered(e.unit for e in entries), False
        folded = " ".join(t.folded for t in window)
        if folded in ORDINARY_FOLDED:
            risky = not _cue_before(tokens, start)
        else:
            risky = folded in RISKY_FOLDED and not (
                any(not t.lower.isascii() for t in window)
                or all(t.capital for t in window)
                or _cue_before(tokens, start)
            )
        return n, _ordered(e.unit for e in provinces), not risky
    return None


def _not_a_name(tokens: list[Token], start: int, window: list[Token]) -> bool:
    """Words that cannot be a bare name: mixed capitals ("Nam định" in "Việt Nam định
    cư"), a name starting inside "Việt Nam", a street name after a house number or "đường"."""
    if len(window) > 1 and window[0].capital and not all(t.capital for t in window):
        return True
    before = tokens[start - 1].folded if start > 0 else ""
    if before[:1].isdigit() or before in STREET_WORDS:
        return True  # a street: "44 Trần Phú", "đường Lê Lợi"
    return before == "viet" and window[0].folded == "nam"


def _cue_before(tokens: list[Token], start: int) -> bool:
    one = tokens[start - 1].folded if start >= 1 else ""
    two = f"{tokens[start - 2].folded} {one}" if start >= 2 else ""
    return one in PLACE_CUES or two in PLACE_CUES


def _ordered(units: Iterable[Unit]) -> tuple[Unit, ...]:
    seen: dict[tuple[str, str, str], Unit] = {}
    for unit in units:
        seen.setdefault(unit.key, unit)
    return tuple(sorted(seen.values(), key=lambda u: (u.era != "new", u.code)))


def _mentions(index: _NameIndex, tokens: list[Token]) -> list[_Mention]:
    found: list[_Mention] = []
    i = 0
    while i < len(tokens):
        prefix = prefix_at(tokens, i)
        after = i + len(prefix.spelling) if prefix is not None else 0
        if prefix is not None and after < len(tokens) and tokens[after].after_prefix:
            named = _after_prefix(index, tokens, i + len(prefix.spelling), prefix)
            if named is not None:
                n, units, strong = named
                end = i + len(prefix.spelling) + n
                found.append(_Mention(i, end, units, True, strong))
                i = end
                continue
        bare = _bare(index, tokens, i)
        if bare is not None:
            n, units, strong = bare
            found.append(_Mention(i, i + n, units, False, strong))
            i += n
            continue
        i += 1
    return found


def _settle(table: PlaceTable, mentions: list[_Mention]) -> list[_Mention]:
    """Keep strong mentions and weak ones that another kept mention confirms; narrow
    same-named units by the other mentions; prefer new units unless an old district is named."""
    kept = [m for m in mentions if m.strong]
    for _ in range(2):
        confirmed = [u for m in kept for u in m.units]
        for m in mentions:
            if m not in kept and consistent(table, m.units, confirmed):
                kept.append(m)
    kept.sort(key=lambda m: m.start)
    narrowed: list[tuple[Unit, ...]] = []
    for m in kept:
        units = m.units
        for other in kept:  # each place that tells same-named units apart narrows them
            if other is not m:
                units = consistent(table, units, list(other.units)) or units
        narrowed.append(units)
    old_district = any(u[0].level == "district" for u in narrowed if len(u) == 1)
    settled: list[_Mention] = []
    for m, units in zip(kept, narrowed, strict=True):
        if len({u.era for u in units}) == 2:
            prefer = "old" if old_district else "new"
            units = tuple(u for u in units if u.era == prefer)
        settled.append(_Mention(m.start, m.end, units, m.prefixed, m.strong))
    return settled


def find_places(text: str, table: PlaceTable | None = None) -> list[PlaceMatch]:
    """Units named in `text`, in text order. Offsets refer to `normalize(text)`."""
    table = table or load_table()
    prepared, tokens = tokens_of(english_order(normalize(text)))
    matches: list[PlaceMatch] = []
    for m in _settle(table, _mentions(_index(table), tokens)):
        start, end = tokens[m.start].start, tokens[m.end - 1].end
        matches.append(
            PlaceMatch(
                text=prepared[start:end],
                start=start,
                end=end,
                level=m.units[0].level,
                units=m.units,
                prefixed=m.prefixed,
            )
        )
    return matches
