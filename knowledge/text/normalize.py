"""Unicode clean-up, canonical tone placement and diacritic folding.

Every query and every indexed record passes through here, so the functions are pure and use
cached character maps with `str.translate` rather than per-character Python loops.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from knowledge.text.syllable import ToneStyle, add_tone, strip_tone, tone_position

MAX_QUERY_CHARS: Final[int] = 2000
"""Queries are cut to this many characters (at a word boundary) by `normalize`."""

_QUOTES_DOUBLE: Final[str] = "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u301d\u301e\u301f\uff02"
_QUOTES_SINGLE: Final[str] = "\u2018\u2019\u201a\u201b\u2032\u2035\u00b4\u0060\u02bc\u02b9"
_DASHES: Final[str] = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2043"
_SPACE_CONTROLS: Final[str] = "\t\n\r\x0b\x0c\x85\u2028\u2029"
# Emoji and symbol categories that are replaced by a space: other symbols (emoji, ©, ™,
# arrows), surrogates, private use, unassigned (newer emoji than the Unicode database).
_DROP_CATEGORIES: Final[frozenset[str]] = frozenset({"So", "Cs", "Co", "Cn"})


def _clean_char(cp: int) -> str | None:
    """Replacement for one code point: itself (None in translate means delete)."""
    ch = chr(cp)
    if ch in _QUOTES_DOUBLE:
        return '"'
    if ch in _QUOTES_SINGLE:
        return "'"
    if ch in _DASHES:
        return "-"
    if ch in _SPACE_CONTROLS:
        return " "
    category = unicodedata.category(ch)
    if category in ("Zs", "Zl", "Zp"):
        return " "
    if category in ("Cc", "Cf"):
        return None  # control characters, zero-width space/joiner, BOM, soft hyphen, bidi
    if category in _DROP_CATEGORIES:
        return " "
    if category == "Sk" and cp > 0x7F:
        return " "  # emoji skin-tone modifiers, spacing accents
    if category in ("Mn", "Me") and (0xFE00 <= cp <= 0xFE0F or cp == 0x20E3 or cp >= 0xE0000):
        return None  # variation selectors, keycap, tag characters of emoji flags
    return ch


class _CharMap(dict[int, str | None]):
    """A translate table that computes and caches each code point's replacement."""

    def __missing__(self, cp: int) -> str | None:
        value = _clean_char(cp)
        self[cp] = value
        return value


_CLEAN_MAP: Final[_CharMap] = _CharMap()


def _fold_char(cp: int) -> str | None:
    ch = chr(cp)
    if ch in "đĐ":
        return "d" if ch == "đ" else "D"
    if unicodedata.combining(ch):
        return None
    decomposed = unicodedata.normalize("NFD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base or None


class _FoldMap(dict[int, str | None]):
    def __missing__(self, cp: int) -> str | None:
        value = _fold_char(cp) if cp > 0x7F else chr(cp)
        self[cp] = value
        return value


_FOLD_MAP: Final[_FoldMap] = _FoldMap()

_WORD_RE: Final[re.Pattern[str]] = re.compile(r"[^\W\d_]{2,}")


def _clean(text: str) -> str:
    """Character clean-up, NFKC composition and whitespace collapsing (no truncation)."""
    if not text:
        return ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text.translate(_CLEAN_MAP))
        # NFKC may expose new characters (fullwidth quotes -> ASCII); a second cheap pass.
        text = text.translate(_CLEAN_MAP)
    elif not text.isprintable():
        text = text.translate(_CLEAN_MAP)
    return " ".join(text.split())


def truncate(text: str, max_chars: int) -> str:
    """Cut `text` to at most `max_chars` characters, preferring the last word boundary."""
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    if text[max_chars] != " ":
        space = cut.rfind(" ")
        if space >= max_chars // 2:
            cut = cut[:space]
    return cut.rstrip()


@lru_cache(maxsize=65536)
def _canonical_word(word: str, style: ToneStyle) -> str:
    lower = word.lower()
    base, tone, count = strip_tone(lower)
    if count != 1 or tone is None:
        return word
    pos = tone_position(base, style)
    if pos is None:
        return word
    plain, _, _ = strip_tone(word)
    marked = add_tone(plain[pos], tone)
    result = plain[:pos] + marked + plain[pos + 1 :]
    return result


def canonical_tone(text: str, style: ToneStyle = "old") -> str:
    """Move tone marks to one canonical position per syllable ("hoà" -> "hòa", "thuỷ" -> "thủy").

    `style="old"` (default) is the placement the national records mostly use (hòa, thủy,
    khỏe); `style="new"` gives hoà, thuỷ, khoẻ. Words that are not Vietnamese syllables
    (café, résumé) or carry several tone marks are left as they are. Expects NFC text.
    """
    if not text or text.isascii():
        return text
    return _WORD_RE.sub(lambda m: _canonical_word(m.group(), style), text)


def normalize(text: str, max_chars: int | None = MAX_QUERY_CHARS) -> str:
    """Clean text for search; keeps case and diacritics.

    NFKC composition (decomposed/NFD input becomes precomposed, fullwidth becomes ASCII),
    curly quotes -> straight quotes, all dashes -> "-", control and zero-width characters
    removed, emoji and other symbols replaced by spaces, whitespace collapsed, tone marks put
    in the canonical position (`canonical_tone`). The result is cut to `max_chars`
    characters (default `MAX_QUERY_CHARS`, for queries); pass `max_chars=None` for records.
    """
    if not text:
        return ""
    if max_chars is not None and len(text) > 4 * max_chars + 64:
        text = text[: 4 * max_chars + 64]  # bound the work before the character passes
    text = canonical_tone(_clean(text))
    if max_chars is not None:
        text = truncate(text, max_chars)
    return text


def normalize_lower(text: str, max_chars: int | None = MAX_QUERY_CHARS) -> str:
    """`normalize` then lower-case."""
    return normalize(text, max_chars).lower()


def fold(text: str) -> str:
    """Clean, lower-case and strip every diacritic, including đ/Đ -> d ("Đổi CCCD" -> "doi cccd").

    Not truncated: it is used on whole records as well as on queries.
    """
    if not text:
        return ""
    folded = _clean(text).translate(_FOLD_MAP).lower()
    if folded[:1] == " " or folded[-1:] == " " or "  " in folded:
        folded = " ".join(folded.split())  # a lone combining mark between spaces was dropped
    return folded


def fold_token(token: str) -> str:
    """Fold one already-clean token (no whitespace clean-up): the fast path for tokenisers."""
    if token.isascii():
        return token.lower()
    return token.translate(_FOLD_MAP).lower()


def has_diacritics(text: str) -> bool:
    """True when folding changes a letter of `text` (Vietnamese or other Latin diacritics)."""
    if text.isascii():
        return False
    return any(not ch.isascii() and ch.isalpha() and _FOLD_MAP[ord(ch)] != ch for ch in text)
