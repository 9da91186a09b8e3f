"""Language of a message, and accent-tolerant patterns for Vietnamese word lists.

Word lists in the guard are written in proper Vietnamese. `accent_tolerant` turns each
marked letter into a character class that also accepts the letter typed without its tone
or without any diacritic, so "thời tiết" matches "thời tiết", "thơi tiêt" and "thoi tiet"
but not "thới tiết" or, more usefully, "đâu" for "đau" and "ngũ" for "ngu": where the user
typed a diacritic it must be the right one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from assistant.reply import Language
from knowledge.text import canonical_tone, detect_query_type

# Combining tone marks (grave, acute, tilde, hook above, dot below); vowel marks stay.
_TONE_MARKS: Final[frozenset[str]] = frozenset("\u0300\u0301\u0303\u0309\u0323")
_LETTER_RE: Final[re.Pattern[str]] = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=512)
def _letter_class(ch: str) -> str:
    """A regex for one letter: itself, without its tone mark, and fully folded."""
    if ch.isascii():
        return re.escape(ch)
    lower = ch.lower()
    if lower == "đ":
        return "[đd]"
    decomposed = unicodedata.normalize("NFD", lower)
    no_tone = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    variants = dict.fromkeys(v for v in (lower, no_tone, bare) if len(v) == 1)
    if len(variants) == 1:
        return re.escape(lower)
    return "[" + "".join(variants) + "]"


def accent_tolerant(pattern: str) -> str:
    """Rewrite a regex written in accented Vietnamese so unaccented typing matches too.

    Only non-ASCII letters are rewritten, so regex syntax is untouched; do not put accented
    letters inside `[...]` classes. Compile the result with `re.IGNORECASE`.
    """
    pattern = canonical_tone(unicodedata.normalize("NFC", pattern))
    if pattern.isascii():
        return pattern
    return "".join(_letter_class(ch) if not ch.isascii() and ch.isalpha() else ch for ch in pattern)


def detect_language(text: str) -> Language:
    """ "vi" for Vietnamese (with or without diacritics), otherwise "en"; "vi" when no letters."""
    if not text or not _LETTER_RE.search(text):
        return "vi"
    return "en" if detect_query_type(text) == "other" else "vi"
