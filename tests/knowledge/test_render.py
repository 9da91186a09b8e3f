"""How record fields are written out for the index and answers."""

from __future__ import annotations

from knowledge.render import format_time
from knowledge.schema import ProcessingTime


def test_a_time_with_its_unit() -> None:
    assert format_time(ProcessingTime(value=3, unit="working_days", raw="3 Ngày làm việc")) == (
        "3 ngày làm việc"
    )


def test_a_bare_number_says_the_unit_is_not_stated_instead_of_repeating_itself() -> None:
    assert format_time(ProcessingTime(value=1, unit="unknown", raw="1")) == (
        "1 (hồ sơ không ghi đơn vị)"
    )


def test_unknown_unit_keeps_the_text_as_written() -> None:
    t = ProcessingTime(value=5, unit="unknown", raw="5 ngày kể từ ngày nhận đủ hồ sơ hợp lệ")
    assert format_time(t) == "5 (5 ngày kể từ ngày nhận đủ hồ sơ hợp lệ)"


def test_no_value_gives_the_raw_text_or_no_information() -> None:
    assert format_time(ProcessingTime(raw="Ngay trong ngày")) == "Ngay trong ngày"
    assert format_time(ProcessingTime()) == "Không có thông tin"
