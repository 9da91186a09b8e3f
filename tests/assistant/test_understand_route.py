"""Pure rules of the understand and route stages."""

from __future__ import annotations

from assistant.dialogue import Option
from assistant.route import are_siblings, competing_siblings, decide
from assistant.understand import (
    asks_for_more,
    chosen_option,
    distinguishing_label,
    mentions_focus,
)
from knowledge.search.searcher import SearchHit

OPTIONS = [
    Option("1.001456", "Cấp tỉnh", "Cấp hộ chiếu phổ thông (cấp tỉnh) (1.001456)"),
    Option("1.001471", "Cấp trung ương", "Cấp hộ chiếu phổ thông (cấp trung ương) (1.001471)"),
]


def hit(code: str, name: str, score: float) -> SearchHit:
    return SearchHit(procedure_code=code, name=name, score=score, aspect="general")


def test_option_chosen_by_button_text_label_number_or_code() -> None:
    assert chosen_option(OPTIONS[1].text, OPTIONS) == OPTIONS[1]
    assert chosen_option("cap tinh", OPTIONS) == OPTIONS[0]
    assert chosen_option("2", OPTIONS) == OPTIONS[1]
    assert chosen_option("số 1", OPTIONS) == OPTIONS[0]
    assert chosen_option("thủ tục 1.001471 nhé", OPTIONS) == OPTIONS[1]
    assert chosen_option("3", OPTIONS) is None
    assert chosen_option("lệ phí bao nhiêu", OPTIONS) is None
    assert chosen_option("1", []) is None


def test_follow_up_markers() -> None:
    assert mentions_focus("thủ tục này nộp ở đâu")
    assert mentions_focus("can I do it online?")
    assert not mentions_focus("đăng ký khai sinh cần gì")
    assert asks_for_more("còn gì nữa không")
    assert asks_for_more("con j nua ko?")
    assert not asks_for_more("còn giấy khai sinh thì sao")


def test_siblings() -> None:
    assert are_siblings("Thủ tục đăng ký kết hôn", "Thủ tục đăng ký kết hôn có yếu tố nước ngoài")
    assert are_siblings("Cấp đổi thẻ căn cước", "Cấp lại thẻ căn cước")
    assert not are_siblings("Thủ tục đăng ký khai sinh", "Cấp lại giấy phép lái xe")


def test_competing_siblings_ask_and_clear_winners_answer() -> None:
    passports = [
        hit("1.001456", "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)", 1.50),
        hit("1.001471", "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp trung ương)", 1.48),
        hit("1.004222", "Đăng ký thường trú", 0.52),
    ]
    decision = decide(passports, nothing_relevant=False)
    assert decision.action == "clarify"
    assert [h.procedure_code for h in decision.options] == ["1.001456", "1.001471"]

    marriage = [
        hit("1.000894", "Thủ tục đăng ký kết hôn", 1.50),
        hit("2.000806", "Thủ tục đăng ký kết hôn có yếu tố nước ngoài", 1.12),
    ]
    assert decide(marriage, nothing_relevant=False) == decide(marriage[:1], False)
    assert decide(marriage, False).code == "1.000894"
    # Close scores but not siblings: answer the best.
    close = [hit("a", "Thủ tục đăng ký khai sinh", 1.5), hit("b", "Đăng ký thường trú", 1.49)]
    assert competing_siblings(close) == close[:1]
    assert decide([], nothing_relevant=True).action == "not_found"


def test_labels_name_what_differs() -> None:
    names = ["Thủ tục đăng ký kết hôn", "Thủ tục đăng ký kết hôn có yếu tố nước ngoài"]
    assert distinguishing_label(names[1], names[:1]) == "Có yếu tố nước ngoài"
    assert distinguishing_label(names[0], names[1:]) == "Thủ tục đăng ký kết hôn"
    passports = [
        "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)",
        "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp trung ương)",
    ]
    assert distinguishing_label(passports[0], passports[1:]) == "Cấp tỉnh"
    assert distinguishing_label(passports[1], passports[:1]) == "Cấp trung ương"
    long = distinguishing_label("Cấp " + "rất dài " * 20, ["Khác"], limit=40)
    assert len(long) <= 40 and long.endswith("…")
