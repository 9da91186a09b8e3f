"""Tell Vietnamese with diacritics, Vietnamese typed without them, and other languages apart.

Retrieval routes on this: dense retrieval fails on unaccented Vietnamese and folded BM25
fails on English. Each token votes:

- Vietnamese letters (đ, ơ, ư, ầ...) or a Latin-accented token that is a valid syllable:
  one Vietnamese vote, and the query counts as accented;
- an abbreviation code from the table (cccd, gplx, ct07, vneid): 1.5 Vietnamese votes;
- a common Vietnamese syllable that is not also an English word: one Vietnamese vote;
- another valid Vietnamese syllable: half a Vietnamese vote;
- a word that is both (to, can, the, my): no vote;
- an English word, or a Latin word that cannot be a Vietnamese syllable (visa, register):
  one other vote;
- letters of another script (Chinese, Korean, Cyrillic, Thai...): two other votes;
- single letters, numbers and codes without letters-and-digits abbreviations: no vote.

Ties go to Vietnamese, since a Vietnamese citizen's query is the common case. Telex
leftovers are repaired first ("Nguyeenx" counts as accented Vietnamese).
"""

from __future__ import annotations

from typing import Final, Literal

from knowledge.text.abbreviations import AbbreviationTable, load_abbreviations
from knowledge.text.lexicon import COMMON_VI_SYLLABLES, ENGLISH_WORDS
from knowledge.text.ngrams import iter_token_spans
from knowledge.text.normalize import fold_token, normalize_lower
from knowledge.text.syllable import is_valid_folded_syllable, is_valid_syllable
from knowledge.text.telex import repair_telex

QueryType = Literal["vi_accented", "vi_unaccented", "other"]

# Letters only Vietnamese uses among Latin scripts (plus the Latin Extended Additional
# block, U+1EA0-U+1EF9, of Vietnamese precomposed vowels).
_VIETNAMESE_LETTERS: Final[frozenset[str]] = frozenset("đăâêôơư")


def _is_vietnamese_letter(ch: str) -> bool:
    return ch in _VIETNAMESE_LETTERS or "\u1ea0" <= ch <= "\u1ef9" or ch in "ĩũ"


def _is_foreign_script(ch: str) -> bool:
    """Letters outside Latin (Latin blocks end at U+024F; U+1E00-U+1EFF is Latin too)."""
    code = ord(ch)
    return code > 0x24F and not (0x1E00 <= code <= 0x1EFF)


def _votes(token: str, codes: frozenset[str]) -> tuple[float, float, bool]:
    """(Vietnamese vote, other vote, is accented Vietnamese) for one lower-case token."""
    if any(_is_foreign_script(ch) for ch in token):
        return 0.0, 2.0, False
    if not token.isascii():
        if any(_is_vietnamese_letter(ch) for ch in token) or is_valid_syllable(token):
            return 1.0, 0.0, True
        return 0.0, 1.0, False  # café, straße
    if len(token) == 1:
        return 0.0, 0.0, False
    if token in codes:
        return 1.5, 0.0, False
    english = token in ENGLISH_WORDS
    if english:
        return (0.0, 0.0, False) if token in COMMON_VI_SYLLABLES else (0.0, 1.0, False)
    if token in COMMON_VI_SYLLABLES:
        return 1.0, 0.0, False
    if is_valid_folded_syllable(token):
        return 0.5, 0.0, False
    return 0.0, 1.0, False


def detect_query_type(text: str, table: AbbreviationTable | None = None) -> QueryType:
    """Classify a query as "vi_accented", "vi_unaccented" or "other" (mostly English).

    "đổi CCCD" -> vi_accented; "lam so do lan dau", "cccd", "ho chieu" -> vi_unaccented;
    "how do I register my baby's birth", "visa extension", "passport" -> other.
    """
    prepared = normalize_lower(repair_telex(text))
    codes = (table or load_abbreviations()).vietnamese_codes
    vietnamese = other = 0.0
    accented = ambiguous = False
    for start, end, _ in iter_token_spans(prepared):
        token = prepared[start:end]
        if any(ch.isdigit() for ch in token):
            if fold_token(token) in codes:  # ct07, kt3; other numbers and codes do not vote
                vietnamese += 1.5
            continue
        vi_vote, other_vote, is_accented = _votes(token, codes)
        vietnamese += vi_vote
        other += other_vote
        accented = accented or is_accented
        ambiguous = ambiguous or (vi_vote == other_vote == 0.0 and len(token) > 1)
    if vietnamese == 0.0 and other == 0.0:
        # Only words that are both English and Vietnamese ("can", "tin"), or nothing.
        return "vi_unaccented" if ambiguous else "other"
    if other > vietnamese:
        return "other"
    return "vi_accented" if accented else "vi_unaccented"
