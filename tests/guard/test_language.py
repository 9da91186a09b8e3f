"""Language detection and accent-tolerant patterns."""

from __future__ import annotations

import re

import pytest

from assistant.guard import accent_tolerant, detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thủ tục làm hộ chiếu cần gì", "vi"),
        ("lam ho chieu can giay to gi", "vi"),
        ("đổi CCCD", "vi"),
        ("cccd", "vi"),
        ("THỦ TỤC ĐĂNG KÝ KẾT HÔN", "vi"),
        ("How do I register my baby's birth?", "en"),
        ("passport renewal fee", "en"),
        ("visa extension", "en"),
        ("", "vi"),
        ("   ", "vi"),
        ("0912345678", "vi"),
        ("👍👍", "vi"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("pattern", "matches", "does_not_match"),
    [
        ("thời tiết", ["thời tiết", "thoi tiet", "THỜI TIẾT", "thơi tiêt"], ["thới tiết"]),
        ("đau đầu", ["đau đầu", "dau dau", "Đau Đầu"], ["đâu đầu", "đau đấu"]),
        ("ngu", ["ngu", "NGU"], ["ngũ", "ngủ"]),
        ("hòa", ["hòa", "hoà", "hoa"], ["hóa"]),
    ],
)
def test_accent_tolerant(pattern: str, matches: list[str], does_not_match: list[str]) -> None:
    import unicodedata

    from knowledge.text import canonical_tone

    regex = re.compile(rf"^{accent_tolerant(pattern)}$", re.IGNORECASE)
    for text in matches:
        assert regex.match(canonical_tone(unicodedata.normalize("NFC", text))), text
    for text in does_not_match:
        assert not regex.match(text), text


def test_accent_tolerant_leaves_regex_syntax_alone() -> None:
    assert accent_tolerant(r"(?:hi|hello)\s+\d{2}") == r"(?:hi|hello)\s+\d{2}"
