"""Number grounding: numbers in an answer must occur in its sources."""

from __future__ import annotations

import pytest

from assistant.grounding import extract_numbers, find_mentions, ungrounded_numbers

FEE_SOURCE = "Lệ phí: 100.000 đồng/hồ sơ. Thời hạn giải quyết: 15 ngày làm việc."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Phí là 70.000 đồng.", ["70.000 đồng"]),
        ("Fee: 70,000 VNĐ", ["70,000 VNĐ"]),
        ("nộp 70000 tại quầy", ["70000"]),
        ("khoảng 1,5 triệu", ["1,5 triệu"]),
        ("It costs 25 USD or $30.", ["25 USD", "$30"]),
        ("trong 15 ngày", ["15 ngày"]),
        ("within 3 working days", ["3 working days"]),
        ("giảm 50% lệ phí", ["50%"]),
        ("từ 01/07/2025", ["01/07/2025"]),
        ("Theo Thông tư 85/2019/TT-BTC", ["85/2019/TT-BTC"]),
        ("Luật 26/2023/QH15", ["26/2023/QH15"]),
        ("Nghị định 123/2015/NĐ-CP quy định", ["123/2015/NĐ-CP"]),
        ("ngày 1 tháng 7 năm 2025", ["ngày 1 tháng 7 năm 2025"]),
        ("from July 1, 2025", ["July 1, 2025"]),
        ("mã thủ tục 1.001193", ["1.001193"]),
        ("phi 100.000d", ["100.000d"]),
    ],
)
def test_extract_numbers_finds_each_kind(text: str, expected: list[str]) -> None:
    assert extract_numbers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1. Nộp hồ sơ\n2. Nhận kết quả",
        "1) Nộp hồ sơ\n 2) Nhận kết quả",
        "- 1. Mang CCCD\n- 2. Mang ảnh",
        "Xem [1] và [1, 2]",
        "Bước 2: nộp 02 bản sao",
        "mở cửa 7h30-17h",
    ],
)
def test_enumerators_citations_and_small_bare_numbers_are_not_checked(text: str) -> None:
    assert extract_numbers(text) == []


def test_enumerator_does_not_hide_an_amount_at_line_start() -> None:
    assert extract_numbers("1. Phí:\n100.000 đồng\n2) 15 ngày") == ["100.000 đồng", "15 ngày"]


@pytest.mark.parametrize(
    ("written", "source"),
    [
        ("70.000 đồng", "Phí 70,000 VND"),
        ("70,000 VND", "Phí 70.000 đồng"),
        ("70000 đồng", "Phí 70.000 đồng"),
        ("70.000đ", "Phí 70000 đồng"),
        ("VND 70,000", "Phí: 70.000 đồng"),
        ("1,5 triệu đồng", "Lệ phí 1.500.000 đồng"),
        ("1.5 million VND", "Lệ phí 1.500.000 đồng"),
        ("1.500.000 đồng", "Lệ phí 1,5 triệu đồng"),
        ("70 nghìn đồng", "70.000 đồng"),
        ("25 USD", "Phí: 25 USD"),
        ("$25", "Phí: 25 USD"),
        ("15 ngày", "Thời hạn: 15 ngày làm việc"),
        ("3 working days", "Thời hạn: 03 ngày làm việc"),
        ("0,5 ngày", "0,5 ngày làm việc"),
        ("0.5 days", "0,5 ngày làm việc"),
        ("10%", "giảm 10% lệ phí"),
        ("10 phần trăm", "giảm 10% lệ phí"),
        ("01/07/2025", "Áp dụng từ ngày 2025-07-01"),
        ("1/7/2025", "Áp dụng từ ngày 01/07/2025"),
        ("2025-07-01", "từ ngày 1/7/2025"),
        ("July 1, 2025", "từ ngày 01/07/2025"),
        ("1 tháng 7 năm 2025", "từ ngày 01/07/2025"),
        ("tháng 7/2025", "từ ngày 01/07/2025"),
        ("85/2019/TT-BTC", "Thông tư số 85/2019/TT-BTC của Bộ Tài chính"),
        ("123/2015/ND-CP", "Nghị định 123/2015/NĐ-CP"),
        ("26/2023/qh15", "Luật Căn cước số 26/2023/QH15"),
        ("1.001193", "Đăng ký khai sinh (mã thủ tục 1.001193)"),
        ("năm 2015", "Nghị định 123/2015/NĐ-CP"),
        ("0 đồng", "Miễn phí"),
        ("1900 9090", "Tổng đài 1900 9090"),
    ],
)
def test_same_number_written_differently_is_grounded(written: str, source: str) -> None:
    answer = f"Theo nguồn [1]: {written}."
    assert ungrounded_numbers(answer, [source]) == []


@pytest.mark.parametrize(
    ("answer", "sources", "flagged"),
    [
        ("Phí là 0 đồng.", [FEE_SOURCE], ["0 đồng"]),
        ("Thời hạn 10 ngày.", [FEE_SOURCE], ["10 ngày"]),
        ("Phí là 200.000 đồng.", [FEE_SOURCE], ["200.000 đồng"]),
        ("Phí là 100.000 USD.", [FEE_SOURCE], ["100.000 USD"]),
        ("Thời hạn 15 tháng.", [FEE_SOURCE], ["15 tháng"]),
        ("Phí 1,5 triệu.", ["Lệ phí 150.000 đồng"], ["1,5 triệu"]),
        ("giảm 20%", ["giảm 10% lệ phí"], ["20%"]),
        ("từ 02/07/2025", ["từ ngày 2025-07-01"], ["02/07/2025"]),
        ("từ 1/7/2024", ["từ ngày 01/07/2025"], ["1/7/2024"]),
        ("theo 86/2019/TT-BTC", ["Thông tư 85/2019/TT-BTC"], ["86/2019/TT-BTC"]),
        ("theo 5/2019/TT-BTC", ["Thông tư 85/2019/TT-BTC"], ["5/2019/TT-BTC"]),
        ("theo 85/2019/TT-BTP", ["Thông tư 85/2019/TT-BTC"], ["85/2019/TT-BTP"]),
        ("mã 1.001194", ["mã thủ tục 1.001193"], ["1.001194"]),
        ("gọi 1900 1234", ["Tổng đài 1900 9090"], ["1234"]),
        ("trong 2 tuần", ["15 ngày"], ["2 tuần"]),
        ("15 ngày, phí 50.000 đồng", [], ["15 ngày", "50.000 đồng"]),
    ],
)
def test_invented_numbers_are_flagged(answer: str, sources: list[str], flagged: list[str]) -> None:
    assert ungrounded_numbers(answer, sources) == flagged


def test_only_offending_numbers_are_returned_once_each_as_written() -> None:
    answer = (
        "Phí là 100.000 đồng [1]. Thời hạn 10 ngày [2].\n"
        "1. Nộp hồ sơ\n2. Sau 10 ngày nhận kết quả, phí 100,000 VND."
    )
    assert ungrounded_numbers(answer, [FEE_SOURCE]) == ["10 ngày"]


def test_number_in_any_source_counts() -> None:
    sources = ["Lệ phí: 8.000 đồng", "Thời hạn giải quyết: 03 ngày làm việc"]
    assert ungrounded_numbers("Phí 8.000 đồng [1], trong 3 ngày [2].", sources) == []


def test_unit_category_must_agree() -> None:
    # 15 is in the source, but as a percentage, not a duration.
    assert ungrounded_numbers("trong 15 ngày", ["giảm 15% lệ phí"]) == ["15 ngày"]
    # A bare number in the answer is grounded by the same value with any unit.
    assert ungrounded_numbers("mức 150.000", ["150.000 đồng"]) == []


def test_unaccented_answer_units_are_understood() -> None:
    assert extract_numbers("phi 70.000 dong, trong 15 ngay") == ["70.000 dong", "15 ngay"]
    assert ungrounded_numbers("phi 70.000 dong, trong 15 ngay", ["70.000 đồng; 15 ngày"]) == []
    assert ungrounded_numbers("trong 10 ngay", ["15 ngày"]) == ["10 ngay"]


def test_mentions_carry_offsets_into_the_text() -> None:
    text = "Phí: 1,5 triệu đồng, 3 ngày."
    mentions = [m for m in find_mentions(text) if m.significant]
    assert [text[m.start : m.end] for m in mentions] == ["1,5 triệu đồng", "3 ngày"]
    assert mentions[0].keys == frozenset({"num:1500000"})
    assert mentions[0].category == "vnd"
    assert mentions[1].category == "day"


def test_decomposed_unicode_is_handled() -> None:
    import unicodedata

    answer = unicodedata.normalize("NFD", "Phí 10.000 đồng trong 5 ngày")
    assert ungrounded_numbers(answer, ["Phí 10.000 đồng; 5 ngày làm việc"]) == []
    assert ungrounded_numbers(answer, ["Phí 20.000 đồng; 5 ngày làm việc"]) == ["10.000 đồng"]
