"""The item a question singles out of a long list is shown even past the cut, and the
sentence of the record a detail question is about is quoted."""

from __future__ import annotations

from assistant.compose.focus import NO_FOCUS, Focus, best_passage, focus_of, shown, singles_out
from knowledge.search.aspects import without_aspect_cues

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


RESIDENCE = "Đăng ký thường trú"
RESIDENCE_TEXTS = [
    "Yêu cầu, điều kiện:\nCông dân có chỗ ở hợp pháp thì được đăng ký thường trú tại chỗ ở đó.",
    "Người đăng ký thường trú tại chỗ ở của ông bà thì hồ sơ không cần có ý kiến đồng ý của "
    "chủ hộ nếu đã có giấy tờ chứng minh quan hệ nhân thân. Hồ sơ nộp tại Công an cấp xã.",
]


def detail(question: str, name: str = RESIDENCE) -> Focus:
    return focus_of(without_aspect_cues(question), name)


def test_the_sentence_a_detail_question_is_about_is_quoted() -> None:
    focus = detail("đăng ký thường trú cho con vào nhà ông bà có cần ý kiến chủ hộ không")
    passage = best_passage(RESIDENCE_TEXTS, focus)
    assert passage.startswith("Người đăng ký thường trú tại chỗ ở của ông bà")
    assert "Công an cấp xã" not in passage  # one sentence, not the whole text


def test_no_passage_when_the_question_only_names_the_procedure_and_aspect() -> None:
    for question in ("đăng ký thường trú cần điều kiện gì", "dang ky thuong tru o dau"):
        assert best_passage(RESIDENCE_TEXTS, detail(question)) == ""


def test_single_syllables_alone_do_not_single_out_a_sentence() -> None:
    # "con" (child) and "hồ" (of "hồ sơ") each appear, but no pair of the question does.
    assert best_passage(RESIDENCE_TEXTS, detail("con hồ thường trú")) == ""


def test_a_heading_is_never_the_passage_and_a_shown_answer_is_not_repeated() -> None:
    focus = detail("đăng ký thường trú ở chỗ ở hợp pháp có được không")
    passage = best_passage(RESIDENCE_TEXTS, focus)
    assert passage == "Công dân có chỗ ở hợp pháp thì được đăng ký thường trú tại chỗ ở đó."
    assert best_passage(RESIDENCE_TEXTS, focus, shown_text=passage) == ""


LICENCE = "Đổi giấy phép lái xe"
LICENCE_TEXTS = [
    "Giấy khám sức khỏe của người lái xe.",
    "Trường hợp nộp hồ sơ trực tiếp cá nhân phải chụp ảnh trực tiếp tại cơ quan cấp giấy "
    "phép lái xe. Trường hợp nộp trực tuyến, cá nhân kê khai theo hướng dẫn.",
]


def test_a_photo_question_quotes_the_records_own_words_for_the_photo() -> None:
    # The citizen says "mang ảnh … chụp tại chỗ"; the record says "chụp ảnh trực tiếp".
    for question in (
        "đổi bằng lái có phải tự mang ảnh không hay chụp tại chỗ",
        "Do I need to bring photos?",
    ):
        focus = focus_of(without_aspect_cues(question), LICENCE, asked=question)
        assert best_passage(LICENCE_TEXTS, focus).startswith("Trường hợp nộp hồ sơ trực tiếp")
    focus = focus_of(without_aspect_cues("đổi bằng lái cần giấy tờ gì"), LICENCE)
    assert best_passage(LICENCE_TEXTS, focus) == ""
