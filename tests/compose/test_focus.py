"""The item a question singles out of a long list is shown even past the cut."""

from __future__ import annotations

from assistant.compose.focus import NO_FOCUS, focus_of, shown, singles_out

NAME = "Thủ tục đăng ký kết hôn có yếu tố nước ngoài"
ITEMS = [
    "Tờ khai đăng ký kết hôn theo mẫu",
    "Bản sao hộ chiếu của người nước ngoài",
    "Giấy tờ chứng minh tình trạng hôn nhân",
    "Giấy xác nhận của tổ chức y tế xác nhận không mắc bệnh tâm thần",
    "Giấy tờ chứng minh nơi cư trú",
]


def test_words_that_only_name_the_procedure_are_no_focus() -> None:
    focus = focus_of("đăng ký kết hôn với người nước ngoài cần giấy tờ gì", NAME)
    assert not any(singles_out(item, focus) for item in ITEMS)


def test_a_named_document_is_pulled_into_view() -> None:
    focus = focus_of(
        "ĐK kết hôn với người nước ngoài có cần giấy khám sức khỏe tâm thần không?", NAME
    )
    assert singles_out(ITEMS[3], focus)
    assert shown(2, ITEMS, focus) == [0, 3]  # replaces the last item that fitted
    assert shown(2, ITEMS, NO_FOCUS) == [0, 1]


def test_nothing_changes_when_everything_fits_or_nothing_matches() -> None:
    focus = focus_of("có cần giấy khám sức khỏe tâm thần không", NAME)
    assert shown(5, ITEMS, focus) == [0, 1, 2, 3, 4]
    assert shown(2, ITEMS[:3], focus) == [0, 1]
