"""Sibling procedures: a variant the question did not ask for is counted, one it asked for is not."""

from __future__ import annotations

import pytest

from knowledge.search.variants import variant_balance
from knowledge.text import fold, normalize_lower


@pytest.mark.parametrize(
    ("name", "question", "expected"),
    [
        ("Cấp lại thẻ căn cước", "làm thẻ căn cước cho con", 1),
        ("Cấp lại thẻ căn cước", "mất thẻ căn cước làm lại", 0),
        ("Cấp lại thẻ căn cước", "I lost my ID card", 0),
        ("Gia hạn giấy phép xây dựng", "xin giấy phép xây dựng nhà ở", 1),
        ("Gia hạn giấy phép xây dựng", "giấy phép xây dựng hết hạn thì sao", 0),
        ("Thủ tục đăng ký khai sinh có yếu tố nước ngoài", "làm giấy khai sinh", 1),
        ("Thủ tục đăng ký khai sinh có yếu tố nước ngoài", "khai sinh cho con lai quốc tịch Mỹ", 0),
        ("Thủ tục đăng ký khai sinh lưu động", "đăng ký khai sinh", 1),
        ("Cấp đổi thẻ căn cước", "đổi CCCD", 0),
        ("Đăng ký khai sinh", "đăng ký khai sinh", 0),
        ("Cấp lại Giấy chứng nhận đăng ký xe; thu hồi đăng ký", "đăng ký xe máy mới", 2),
        # "đối với" is not an exchange ("đổi"); "huy động" is not a cancellation ("hủy").
        ("Thẩm định đối với dự án huy động vốn", "thẩm định dự án", 0),
    ],
)
def test_unrequested_variants(name: str, question: str, expected: int) -> None:
    assert variant_balance(normalize_lower(name), fold(question))[1] == expected


@pytest.mark.parametrize(
    ("name", "question", "asked"),
    [
        ("Cấp lại giấy phép lái xe", "mat bang lai xe", 1),
        ("Bổ nhiệm lại công chứng viên", "bổ nhiệm lại công chứng viên", 1),
        ("Cấp giấy phép lái xe", "thi bằng lái", 0),  # "lái" is not "lại"
        ("Thay đổi nội dung đăng ký hộ kinh doanh", "thay đổi địa chỉ hộ kinh doanh", 1),
    ],
)
def test_requested_variants(name: str, question: str, asked: int) -> None:
    assert variant_balance(normalize_lower(name), fold(question))[0] == asked


def test_services_for_foreigners_are_not_a_variant_for_a_foreign_language_question() -> None:
    name = normalize_lower("Gia hạn tạm trú cho người nước ngoài")
    assert variant_balance(name, fold("extend my stay"), foreigner=True) == (2, 0)
    assert variant_balance(name, fold("gia hạn tạm trú")) == (1, 1)


@pytest.mark.parametrize(
    ("question", "reissue_asked"),
    [
        ("mất thẻ căn cước", True),
        ("làm căn cước mất bao lâu", False),  # "mất bao lâu" is "takes how long"
        ("đổi căn cước mất phí bao nhiêu", False),
        ("xin cấp lại giấy phép", True),
        ("sang tên xe máy mua lại của người quen", False),  # "mua lại" is "bought"
    ],
)
def test_lost_and_again_are_read_in_context(question: str, reissue_asked: bool) -> None:
    asked, _ = variant_balance(normalize_lower("Cấp lại thẻ căn cước"), fold(question))
    assert bool(asked) is reissue_asked
