"""Vietnamese text layer for search: normalisation, folding, Telex repair, abbreviations,
syllable n-grams, query-type detection and diacritic restoration.

All functions are pure and need no downloads. Typical query pipeline::

    text = normalize(raw)                  # NFKC, quotes, emoji, canonical tones, bounded
    text = repair_telex(text)              # "Nguyeenx" -> "Nguyễn"
    kind = detect_query_type(text)         # vi_accented / vi_unaccented / other
    text = expand_abbreviations(text)      # "so do" -> + "giấy chứng nhận quyền sử dụng đất"
    terms = ngrams(text)                   # folded unigrams + bigrams for BM25
    if kind == "vi_unaccented":
        dense_text = restorer.restore(text)  # "lam giay khai sinh" -> "làm giấy khai sinh"
"""

from knowledge.text.abbreviations import (
    DEFAULT_ABBREVIATIONS_PATH,
    AbbreviationEntry,
    AbbreviationFileError,
    AbbreviationMatch,
    AbbreviationTable,
    expand_abbreviations,
    load_abbreviations,
    match_abbreviations,
    parse_abbreviations,
)
from knowledge.text.accents import EVERYDAY_PHRASES, AccentRestorer, everyday_texts
from knowledge.text.ngrams import ngrams, syllables
from knowledge.text.normalize import (
    MAX_QUERY_CHARS,
    canonical_tone,
    fold,
    fold_token,
    has_diacritics,
    normalize,
    normalize_lower,
    truncate,
)
from knowledge.text.query_type import QueryType, detect_query_type
from knowledge.text.syllable import is_valid_folded_syllable, is_valid_syllable
from knowledge.text.telex import decode_token, repair_telex

__all__ = [
    "DEFAULT_ABBREVIATIONS_PATH",
    "EVERYDAY_PHRASES",
    "MAX_QUERY_CHARS",
    "AbbreviationEntry",
    "AbbreviationFileError",
    "AbbreviationMatch",
    "AbbreviationTable",
    "AccentRestorer",
    "QueryType",
    "canonical_tone",
    "decode_token",
    "detect_query_type",
    "everyday_texts",
    "expand_abbreviations",
    "fold",
    "fold_token",
    "has_diacritics",
    "is_valid_folded_syllable",
    "is_valid_syllable",
    "load_abbreviations",
    "match_abbreviations",
    "ngrams",
    "normalize",
    "normalize_lower",
    "parse_abbreviations",
    "repair_telex",
    "syllables",
    "truncate",
]
