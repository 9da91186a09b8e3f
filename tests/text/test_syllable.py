"""Syllable validity and tone placement tables."""

from __future__ import annotations

import pytest

from knowledge.text import is_valid_folded_syllable, is_valid_syllable
from knowledge.text.syllable import split_onset, strip_tone, tone_position


@pytest.mark.parametrize(
    "word",
    [
        "nguyễn", "đăng", "ký", "tiếng", "việt", "khuỷu", "quốc", "giường", "gìn", "già",
        "hòa", "thủy", "người", "khuya", "chuyện", "hoặc", "tuần", "quýt", "huỳnh", "thuở",
        "yêu", "xoong", "ĐĂNG", "Nguyễn", "a", "ở",
    ],
)  # fmt: skip
def test_valid_syllables(word: str) -> None:
    assert is_valid_syllable(word)


@pytest.mark.parametrize(
    "word",
    [
        "tiêt",  # closed by t: needs sắc or nặng
        "bôt",
        "ca" + "\u0300" + "\u0301",  # two tone marks
        "ke" "o" "x",  # no such rhyme
        "gha",  # gh only before e, ê, i
        "ce",  # c before e is written k
        "ka",  # k only before e, ê, i, y
        "ngi",  # ng before i is written ngh
        "iêu",  # without onset it is written yêu
        "byt",  # -yt only after qu
        "email", "passport", "visa", "hộiyêu", "", "x" * 9,
    ],
)  # fmt: skip
def test_invalid_syllables(word: str) -> None:
    assert not is_valid_syllable(word)


def test_folded_validity_accepts_plain_vietnamese_and_rejects_english() -> None:
    for token in ["dang", "tieng", "viet", "quoc", "nguoi", "ho", "chieu", "khai", "sinh"]:
        assert is_valid_folded_syllable(token), token
    for token in ["email", "visa", "register", "passport", "cccd", "how", "byt", "", "đăng"]:
        assert not is_valid_folded_syllable(token), token


def test_split_onset_handles_gi_and_qu() -> None:
    assert split_onset("gia") == ("gi", "a")
    assert split_onset("gin") == ("g", "in")
    assert split_onset("quôc") == ("qu", "ôc")
    assert split_onset("nghiêng") == ("ngh", "iêng")
    assert split_onset("anh") == ("", "anh")


def test_tone_position_rules() -> None:
    assert tone_position("hoa") == 1  # old style: hòa
    assert tone_position("hoa", "new") == 2  # new style: hoà
    assert tone_position("hoan") == 2  # closed syllable: hoàn
    assert tone_position("nguyên") == 4  # modified vowel wins: nguyễn
    assert tone_position("ngoai") == 3  # three vowels: middle, ngoài
    assert tone_position("giưa") == 2  # gi onset skipped: giữa
    assert tone_position("xyz") is None


def test_strip_tone() -> None:
    assert strip_tone("việt") == ("viêt", "nang", 1)
    assert strip_tone("viet") == ("viet", None, 0)
