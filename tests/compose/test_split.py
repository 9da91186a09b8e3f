"""`split_message`: pieces within the limit, cut at the largest boundary, no word lost."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.compose import compose_answer, split_message
from knowledge.schema import Procedure

WORD = st.text(alphabet="abcdđêươ0123456789.,:/", min_size=1, max_size=14)
LINE = st.lists(WORD, min_size=1, max_size=12).map(" ".join)
PARAGRAPH = st.lists(LINE, min_size=1, max_size=5).map("\n".join)
TEXT = st.lists(PARAGRAPH, min_size=1, max_size=6).map("\n\n".join)


@settings(max_examples=300, deadline=None)
@given(text=TEXT, limit=st.integers(min_value=1, max_value=120))
def test_pieces_fit_and_lose_nothing(text: str, limit: int) -> None:
    pieces = split_message(text, limit)
    assert pieces and all(0 < len(piece) <= limit for piece in pieces)
    # every non-space character, in order: only a word longer than the limit is cut
    assert "".join("".join(pieces).split()) == "".join(text.split())
    tokens = " ".join(pieces).split()
    assert all(word in tokens for word in text.split() if len(word) <= limit)


@settings(max_examples=300, deadline=None)
@given(text=TEXT, limit=st.integers(min_value=15, max_value=120))
def test_words_are_never_cut_when_they_fit(text: str, limit: int) -> None:
    words = text.split()
    if max(len(w) for w in words) > limit:
        return
    pieces = split_message(text, limit)
    assert " ".join(pieces).split() == words


def test_short_text_is_one_piece() -> None:
    assert split_message("  Phí: 70.000 đồng  ", 2000) == ["Phí: 70.000 đồng"]
    assert split_message("   \n ", 10) == []


def test_paragraphs_first() -> None:
    text = "Đoạn một dòng một\nĐoạn một dòng hai\n\nĐoạn hai"
    assert split_message(text, 40) == ["Đoạn một dòng một\nĐoạn một dòng hai", "Đoạn hai"]


def test_then_lines_then_words() -> None:
    text = "- Tờ khai đăng ký khai sinh\n- Giấy chứng sinh bản chính"
    assert split_message(text, 30) == ["- Tờ khai đăng ký khai sinh", "- Giấy chứng sinh bản chính"]
    assert split_message("một hai ba bốn năm", 8) == ["một hai", "ba bốn", "năm"]


def test_a_single_long_word_is_cut() -> None:
    url = "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bf7"
    pieces = split_message(f"Nguồn: {url}", 20)
    assert all(len(p) <= 20 for p in pieces)
    assert "".join(pieces[1:]) == url and pieces[0] == "Nguồn:"


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        split_message("abc", 0)


def test_a_composed_answer_splits_for_zalo(starter: dict[str, Procedure]) -> None:
    text = compose_answer(starter["1.013978"], "documents", "vi").text
    pieces = split_message(text, 500)
    assert len(pieces) > 1 and all(len(p) <= 500 for p in pieces)
    assert " ".join(pieces).split() == text.split()
