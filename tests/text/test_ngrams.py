"""Syllable tokenisation and n-grams."""

from __future__ import annotations

import unicodedata

import pytest

from knowledge.text import ngrams, syllables


def test_syllables_are_folded_and_lower_case() -> None:
    assert syllables("Đăng ký THƯỜNG TRÚ ở Đà Nẵng!") == [
        "dang", "ky", "thuong", "tru", "o", "da", "nang",
    ]  # fmt: skip
    assert syllables("Đăng ký", keep_accents=True) == ["đăng", "ký"]


def test_codes_stay_single_tokens() -> None:
    text = "Thủ tục 1.001193 và 1.001193.H19 theo 85/2019/TT-BTC; mẫu CT07, ngày 01/7/2025."
    assert syllables(text) == [
        "thu", "tuc", "1.001193", "va", "1.001193.h19", "theo", "85/2019/tt-btc",
        "mau", "ct07", "ngay", "01/7/2025",
    ]  # fmt: skip


def test_numbers_with_separators_and_joined_words() -> None:
    assert syllables("phí 10.000 đồng, 1,5 triệu") == ["phi", "10.000", "dong", "1,5", "trieu"]
    assert syllables("CT01/CT07 TK1-TS e-mail") == ["ct01", "ct07", "tk1", "ts", "e", "mail"]
    assert syllables("hkd, cccd.") == ["hkd", "cccd"]


def test_empty_emoji_and_punctuation_only() -> None:
    assert syllables("") == []
    assert syllables("😀 !!! ...") == []
    assert ngrams("") == []


def test_unigrams_then_bigrams() -> None:
    assert ngrams("Làm giấy khai sinh") == [
        "lam", "giay", "khai", "sinh", "lam_giay", "giay_khai", "khai_sinh",
    ]  # fmt: skip


def test_bigrams_do_not_cross_punctuation() -> None:
    grams = ngrams("khai sinh, kết hôn. Khai tử")
    assert "sinh_ket" not in grams and "hon_khai" not in grams
    assert {"khai_sinh", "ket_hon", "khai_tu"} <= set(grams)


def test_orders_and_accents() -> None:
    assert ngrams("a b c", n=2) == ["a_b", "b_c"]
    assert ngrams("a b c", n=(1, 2, 3))[-1] == "a_b_c"
    assert ngrams("Sổ đỏ", keep_accents=True) == ["sổ", "đỏ", "sổ_đỏ"]
    with pytest.raises(ValueError):
        ngrams("a b", n=0)


def test_nfd_and_old_tone_placement_give_same_tokens() -> None:
    assert ngrams(unicodedata.normalize("NFD", "Thủy lợi")) == ngrams("Thuỷ lợi")
    assert syllables("Thuỷ", keep_accents=True) == syllables("Thủy", keep_accents=True)
