"""Normalisation, canonical tone placement and folding."""

from __future__ import annotations

import time
import unicodedata

import pytest

from knowledge.text import (
    MAX_QUERY_CHARS,
    canonical_tone,
    fold,
    fold_token,
    has_diacritics,
    normalize,
    normalize_lower,
    truncate,
)


def test_empty_and_whitespace_only() -> None:
    assert normalize("") == ""
    assert normalize("   \t\n ") == ""
    assert normalize_lower("") == ""
    assert fold("") == ""
    assert canonical_tone("") == ""


def test_nfd_input_is_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Đức đăng ký")
    assert decomposed != "Nguyễn Văn Đức đăng ký"
    assert normalize(decomposed) == "Nguyễn Văn Đức đăng ký"
    assert fold(decomposed) == "nguyen van duc dang ky"


def test_quotes_dashes_spaces() -> None:
    raw = "“Giấy khai sinh”\u00a0–\u2003‘bản sao’ — 85/2019/TT\u2011BTC"
    assert normalize(raw) == "\"Giấy khai sinh\" - 'bản sao' - 85/2019/TT-BTC"


def test_control_and_zero_width_characters_are_removed() -> None:
    raw = "k\u200eý\u200b tên\x00\x07 tr\u00adường\ufeff\r\nmới"
    assert normalize(raw) == "ký tên trường mới"


def test_emoji_and_symbols_are_dropped_harmlessly() -> None:
    assert normalize("làm CCCD 😀👍🏽 ở đâu ❤️ ©") == "làm CCCD ở đâu"
    assert normalize("🇻🇳🇻🇳") == ""
    assert fold("hộ chiếu 👨‍👩‍👧") == "ho chieu"


def test_fullwidth_and_compatibility_forms() -> None:
    assert normalize("ＣＣＣＤ １２３") == "CCCD 123"
    assert normalize("m²") == "m2"


def test_long_input_is_bounded_at_a_word_boundary() -> None:
    raw = "đăng ký thường trú " * 2000
    out = normalize(raw)
    assert len(out) <= MAX_QUERY_CHARS
    assert out.endswith(("đăng", "ký", "thường", "trú"))
    assert len(normalize(raw, max_chars=50)) <= 50
    assert len(normalize(raw, max_chars=None)) == len(raw.strip())


def test_huge_input_is_fast() -> None:
    raw = "Ä" * 5_000_000
    start = time.perf_counter()
    out = normalize(raw)
    assert time.perf_counter() - start < 1.0
    assert len(out) == MAX_QUERY_CHARS


def test_truncate() -> None:
    assert truncate("abc def", 100) == "abc def"
    assert truncate("abc defgh", 6) == "abc"
    assert truncate("abcdefgh", 4) == "abcd"


def test_normalize_keeps_case_and_lower_variant() -> None:
    assert normalize("Đổi CCCD") == "Đổi CCCD"
    assert normalize_lower("Đổi CCCD Ở HÀ NỘI") == "đổi cccd ở hà nội"


@pytest.mark.parametrize(
    ("new_style", "old_style"),
    [
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("Uỷ ban", "Ủy ban"),
        ("HOÁ ĐƠN", "HÓA ĐƠN"),
        ("tuỳ", "tùy"),
        ("xoá", "xóa"),
    ],
)
def test_old_and_new_tone_placement_become_one_form(new_style: str, old_style: str) -> None:
    assert canonical_tone(new_style) == old_style
    assert canonical_tone(old_style) == old_style
    assert normalize(new_style) == normalize(old_style) == old_style
    assert canonical_tone(old_style, style="new") == new_style
    assert fold(new_style) == fold(old_style)


def test_canonical_tone_fixes_misplaced_marks_and_keeps_others() -> None:
    assert canonical_tone("thóat Thơì") == "thoát Thời"
    # Already canonical words with modified vowels, qu/gi onsets and three-vowel rhymes.
    text = "người quý già giường khuỷu ngoài quyết thuở"
    assert canonical_tone(text) == text
    # Not Vietnamese, glued words and several tone marks: untouched.
    assert canonical_tone("café résumé hộiYêu") == "café résumé hộiYêu"


def test_fold_strips_every_diacritic_including_d_bar() -> None:
    assert fold("Đăng ký Thường trú ở ĐÀ NẴNG") == "dang ky thuong tru o da nang"
    assert fold("đ Đ ă â ê ô ơ ư ỹ Ỵ") == "d d a a e o o u y y"
    assert fold("Crème brûlée, straße") == "creme brulee, straße"
    assert fold_token("Đức") == "duc"
    assert fold_token("CCCD") == "cccd"


def test_fold_is_idempotent_and_ascii_stable() -> None:
    text = "Thủ tục 1.001193: cấp đổi thẻ căn cước (85/2019/TT-BTC)"
    assert fold(fold(text)) == fold(text)
    assert fold("lam so do lan dau") == "lam so do lan dau"


def test_has_diacritics() -> None:
    assert has_diacritics("đi")
    assert has_diacritics("hòa")
    assert not has_diacritics("hoa 123 CCCD")
    assert not has_diacritics("")
