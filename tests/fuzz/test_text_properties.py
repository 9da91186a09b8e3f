"""Property tests of the text layer (knowledge/text): any Unicode text, no crash, and the
invariants the search pipeline relies on."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from knowledge.importers.portal_tables import find_amounts, parse_number
from knowledge.text import (
    MAX_QUERY_CHARS,
    AccentRestorer,
    canonical_tone,
    decode_token,
    detect_query_type,
    expand_abbreviations,
    fold,
    fold_token,
    has_diacritics,
    is_valid_folded_syllable,
    is_valid_syllable,
    ngrams,
    normalize,
    normalize_lower,
    repair_telex,
    syllables,
    truncate,
)
from tests.fuzz.strategies import FUZZ, any_text, vi_text


@pytest.fixture(scope="module")
def restorer() -> AccentRestorer:
    return AccentRestorer.from_corpus(["làm giấy khai sinh cho con", "cấp lại căn cước công dân"])


@FUZZ
@given(any_text)
@example("0 \u0300")  # found: a lone combining mark left "0 " (fold was not idempotent)
@example("a \u0301 b")
@example("İ")  # its lower case is "i" + a combining dot: fold must drop it
def test_fold_is_idempotent_and_has_no_marks(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert not any(unicodedata.combining(ch) for ch in folded)
    assert "đ" not in folded and "Đ" not in folded
    assert not has_diacritics(folded)


@FUZZ
@given(vi_text)
def test_nfc_and_nfd_fold_the_same(text: str) -> None:
    assert fold(unicodedata.normalize("NFC", text)) == fold(unicodedata.normalize("NFD", text))
    assert normalize(unicodedata.normalize("NFD", text)) == normalize(
        unicodedata.normalize("NFC", text)
    )


@FUZZ
@given(vi_text)
def test_fold_token_agrees_with_fold_on_clean_tokens(text: str) -> None:
    for token in normalize(text, max_chars=None).split():
        assert not any(unicodedata.combining(ch) for ch in fold_token(token))


@FUZZ
@given(any_text, st.integers(min_value=1, max_value=600))
def test_normalize_is_bounded_clean_and_idempotent(text: str, max_chars: int) -> None:
    out = normalize(text, max_chars=max_chars)
    assert len(out) <= max_chars
    assert out == out.strip() and "  " not in out
    assert normalize(out, max_chars=max_chars) == out
    assert len(normalize(text)) <= MAX_QUERY_CHARS
    assert len(normalize_lower(text)) <= MAX_QUERY_CHARS
    assert len(truncate(text, max_chars)) <= max_chars


@FUZZ
@given(any_text)
def test_tokens_are_never_empty(text: str) -> None:
    for token in syllables(text) + syllables(text, keep_accents=True):
        assert token and not token.isspace()
    for gram in ngrams(text) + ngrams(text, n=(1, 2, 3), keep_accents=True):
        assert gram and gram == gram.strip()


@FUZZ
@given(any_text)
def test_pipeline_functions_never_raise(text: str) -> None:
    clean = normalize(text)
    canonical_tone(clean)
    canonical_tone(clean, style="new")
    repair_telex(clean)
    repair_telex(text)
    assert detect_query_type(text) in ("vi_accented", "vi_unaccented", "other")
    expand_abbreviations(text)
    for token in text.split()[:50]:
        decode_token(token)
        is_valid_syllable(token)
        is_valid_folded_syllable(token)


@FUZZ
@given(any_text)
def test_accent_restorer_never_raises_and_keeps_the_letters(
    restorer: AccentRestorer, text: str
) -> None:
    restored = restorer.restore(text)
    assert isinstance(restored, str)
    restorer.restore(fold(text))
    restorer.candidates(fold(text)[:20])


@FUZZ
@given(st.text(st.sampled_from("0123456789.,  -/"), max_size=30), st.booleans())
def test_parse_number_returns_a_float_or_value_error(text: str, has_multiplier: bool) -> None:
    try:
        value = parse_number(text, has_multiplier=has_multiplier)
    except ValueError:
        return
    assert isinstance(value, float)


@FUZZ
@given(any_text)
def test_find_amounts_never_raises(text: str) -> None:
    for amount in find_amounts(text):
        assert amount.amount >= 0
