""" "Các bước nộp online": an online answer also lists the record's steps for filing online."""

from __future__ import annotations

from assistant.compose.grounded import compose_answer, online_steps
from knowledge.schema import Channel, Procedure
from knowledge.search.aspects import mentions_aspect

RECORD = Procedure(
    code="9.000001",
    name="Cấp Phiếu Lý lịch tư pháp",
    levels=["Cấp tỉnh"],
    online_level="partial",
    source_url="https://example.test/9.000001",
    channels=[Channel(channel="online"), Channel(channel="in_person")],
    steps=[
        "Bước 1: + Công dân nộp hồ sơ tại Công an cấp tỉnh.\n"
        "+ Công dân đăng nhập bằng tài khoản định danh mức độ 2 trên Cổng dịch vụ công.",
        "Bước 2: Công dân cung cấp họ tên và số định danh cá nhân để đối chiếu.",
        "Bước 3: Công dân kê khai tờ khai điện tử tương tác và nộp lệ phí trực tuyến.",
        "Bước 4: Nhận kết quả tại Công an cấp tỉnh.",
    ],
)


def test_only_the_online_part_of_each_step_is_kept() -> None:
    steps = online_steps(RECORD)
    assert steps == [
        "Công dân đăng nhập bằng tài khoản định danh mức độ 2 trên Cổng dịch vụ công.",
        "Công dân kê khai tờ khai điện tử tương tác và nộp lệ phí trực tuyến.",
    ]  # "số định danh cá nhân" is an ID number, not an online account


def test_steps_asked_with_online_are_listed_in_every_style() -> None:
    for question in (
        "xin lý lịch tư pháp online thì làm những bước nào",
        "xin ly lich tu phap truc tuyen cac buoc the nao",
        "What are the steps to apply online?",
    ):
        assert mentions_aspect(question, "steps"), question
        language = "en" if question.startswith("What") else "vi"
        text = compose_answer(RECORD, "online", language, question=question).text
        assert "tài khoản định danh mức độ 2" in text, question
        assert "Nhận kết quả tại Công an" not in text  # not an online step


def test_online_alone_lists_no_steps() -> None:
    text = compose_answer(
        RECORD, "online", "vi", question="lý lịch tư pháp nộp online được không"
    ).text
    assert "Các bước khi nộp trực tuyến" not in text
