"""Search over the starter corpus: styles of asking, aspects, nothing-relevant, sections."""

from __future__ import annotations

import pytest

from knowledge.search.aspects import detect_aspect
from knowledge.search.searcher import Searcher


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Làm giấy khai sinh cho con cần giấy tờ gì?", "1.001193"),
        ("lam giay khai sinh cho con can gi", "1.001193"),
        ("đổi CCCD", "1.014063"),
        ("lam the can cuoc cho con 10 tuoi", "1.014062"),
        ("nhập hộ khẩu cho vợ", "1.004222"),
        ("giay xac nhan doc than", "1.004873"),
        ("làm sổ đỏ lần đầu", "1.013978"),
        ("mất bằng lái xe làm lại", "3.000348"),
        ("how do I register my baby's birth", "1.001193"),
        ("international driving permit", "3.000353"),
    ],
)
def test_finds_the_procedure_in_every_style(
    starter_searcher: Searcher, query: str, code: str
) -> None:
    response = starter_searcher.search(query, top_k=3)
    assert not response.nothing_relevant
    assert response.results[0].procedure_code == code, response.results


def test_aspect_section_comes_first(starter_searcher: Searcher) -> None:
    response = starter_searcher.search("lệ phí đổi căn cước bao nhiêu", top_k=3)
    assert response.aspect == "fee"
    top = response.results[0]
    assert top.sections[0].name == "fee"
    assert "đồng" in top.sections[0].text


@pytest.mark.parametrize(
    "query",
    [
        "Who won the Champions League final?",
        "Write me a poem about the sea",
        "thời tiết Hà Nội ngày mai thế nào",
        "cách nấu bún bò Huế",
        "",
        "   ",
        "😀😀",
    ],
)
def test_nothing_relevant(starter_searcher: Searcher, query: str) -> None:
    response = starter_searcher.search(query)
    assert response.nothing_relevant
    assert response.results == []


def test_a_procedure_code_in_the_question_comes_first(starter_searcher: Searcher) -> None:
    response = starter_searcher.search("thủ tục 1.000656 cần gì")
    assert response.results[0].procedure_code == "1.000656"
    assert response.aspect == "documents"
    assert starter_searcher.search("1.014063").results[0].procedure_code == "1.014063"


def test_very_long_query_is_bounded(starter_searcher: Searcher) -> None:
    response = starter_searcher.search("đăng ký khai sinh " * 2000)
    assert response.results[0].procedure_code == "1.001193"


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("làm khai sinh mất bao nhiêu tiền", "fee"),
        ("lam khai sinh mat bao lau", "processing_time"),
        ("đăng ký tạm trú cần giấy tờ gì", "documents"),
        ("lam ho chieu o dau", "where"),
        ("có nộp online được không", "online"),
        ("điều kiện kết hôn", "conditions"),
        ("căn cứ pháp lý của thủ tục khai tử", "legal_basis"),
        ("how much is the passport fee", "fee"),
        ("what documents do I need for a visa", "documents"),
        ("how long does it take", "processing_time"),
        ("đổi bằng lái", "general"),
        ("ưu tiên cho người khuyết tật", "general"),
    ],
)
def test_detect_aspect(text: str, aspect: str) -> None:
    assert detect_aspect(text) == aspect
