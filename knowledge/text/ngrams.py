"""Syllable tokenisation and n-grams for lexical search.

Tokens are runs of letters and digits. Codes whose first part is a number stay whole:
procedure codes ("1.001193", "1.001193.h19"), legal document numbers ("85/2019/tt-btc"),
dates ("01/7/2025") and amounts ("10.000", "1,5"). Other joined words are split
("tk1-ts" -> "tk1", "ts"; "ct01/ct07" -> "ct01", "ct07"). N-grams do not cross sentence
punctuation (. , ; : ! ? brackets quotes slashes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Final

from knowledge.text.normalize import fold, normalize_lower

_TOKEN_RE: Final[re.Pattern[str]] = re.compile(r"[^\W_]+(?:[./-][^\W_]+|,\d+)*")
_JOINERS_RE: Final[re.Pattern[str]] = re.compile(r"[./,-]")
_BREAK_CHARS: Final[frozenset[str]] = frozenset('.,;:!?()[]{}"<>|/\\…')


def _split_code(token: str) -> list[str]:
    """Keep number-led codes whole; split other joined tokens on their joiners."""
    if token.isalnum():
        return [token]
    first = _JOINERS_RE.split(token, maxsplit=1)[0]
    if first.isdigit():
        return [token]
    return [part for part in _JOINERS_RE.split(token) if part]


def iter_token_spans(text: str) -> Iterator[tuple[int, int, bool]]:
    """Yield (start, end, starts_segment) for each token of an already-normalised text.

    `starts_segment` is True for the first token and after sentence punctuation.
    """
    prev_end = 0
    first = True
    for m in _TOKEN_RE.finditer(text):
        gap = text[prev_end : m.start()]
        new_segment = first or any(ch in _BREAK_CHARS for ch in gap)
        first = False
        token = m.group()
        parts = _split_code(token)
        if len(parts) == 1:
            yield m.start(), m.end(), new_segment
        else:
            offset = m.start()
            for part in parts:
                start = text.index(part, offset)
                yield start, start + len(part), new_segment
                new_segment = False
                offset = start + len(part)
        prev_end = m.end()


def segments_of(prepared: str) -> list[list[str]]:
    """Token lists, one per punctuation-delimited segment, of an already-prepared text."""
    result: list[list[str]] = []
    for start, end, new_segment in iter_token_spans(prepared):
        if new_segment or not result:
            result.append([])
        result[-1].append(prepared[start:end])
    return result


def syllables(text: str, keep_accents: bool = False) -> list[str]:
    """Tokens of `text`: folded (default) or lower-case with diacritics (`keep_accents`)."""
    prepared = normalize_lower(text, max_chars=None) if keep_accents else fold(text)
    return [prepared[s:e] for s, e, _ in iter_token_spans(prepared)]


def _grams(tokens: list[str], order: int) -> Iterator[str]:
    if order == 1:
        yield from tokens
        return
    for i in range(len(tokens) - order + 1):
        yield "_".join(tokens[i : i + order])


def ngrams(text: str, n: int | Iterable[int] = (1, 2), keep_accents: bool = False) -> list[str]:
    """Unigrams then bigrams (joined with "_") of the folded syllables of `text`.

    `n` is one order or several ((1, 2) by default; (1, 2, 3) adds trigrams). N-grams of
    order > 1 stay inside a punctuation-delimited segment.
    """
    orders = [n] if isinstance(n, int) else sorted(set(n))
    if any(order < 1 for order in orders):
        raise ValueError(f"n-gram orders must be >= 1, got {orders}")
    prepared = normalize_lower(text, max_chars=None) if keep_accents else fold(text)
    segs = segments_of(prepared)
    result: list[str] = []
    for order in orders:
        for seg in segs:
            result.extend(_grams(seg, order))
    return result
