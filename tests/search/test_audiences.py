"""Siblings told apart by who they serve and by the head of their name, on real records."""

from __future__ import annotations

import pytest

from knowledge.schema import Procedure
from knowledge.search.lexical import LexicalIndex
from knowledge.search.searcher import Searcher

FORCES_CONDITIONS = "Thân nhân của sĩ quan, hạ sĩ quan Công an nhân dân. " * 8


def procedure(code: str, name: str, conditions: str = "") -> Procedure:
    return Procedure(code=code, name=name, conditions=conditions)


def test_the_lexical_index_flags_and_persists_services_for_the_armed_forces() -> None:
    index = LexicalIndex()
    index.upsert_procedure(procedure("1.1", "Cấp lại thẻ bảo hiểm y tế", FORCES_CONDITIONS))
    index.upsert_procedure(procedure("1.2", "Cấp lại, đổi thông tin trên thẻ BHYT"))
    assert index.armed_forces == {"1.1"}
    assert LexicalIndex.from_state(index.to_state()).armed_forces == {"1.1"}
    # Re-indexed without those conditions, or removed: the flag goes.
    index.upsert_procedure(procedure("1.1", "Cấp lại thẻ bảo hiểm y tế"))
    assert index.armed_forces == set()
    index.upsert_procedure(procedure("1.1", "Cấp lại thẻ bảo hiểm y tế", FORCES_CONDITIONS))
    index.remove("1.1")
    assert index.armed_forces == set()


@pytest.mark.parametrize(
    ("query", "code"),
    [
        # "tầng" is not "tăng" (an amendment); a private house is "nhà ở riêng lẻ".
        ("Xây nhà 3 tầng cần xin giấy phép xây dựng gì?", "1.013225"),
        ("sửa chữa cải tạo nhà cấp 4 có phải xin phép không", "1.013229"),
        # The narrow judicial-record case only when the question describes it.
        ("xin lý lịch tư pháp qua VNeID mất mấy ngày", "3.000333"),
        ("I no longer live in Vietnam, how do I get a judicial record certificate?", "3.000330"),
    ],
)
def test_siblings_are_told_apart(starter_searcher: Searcher, query: str, code: str) -> None:
    response = starter_searcher.search(query, top_k=3)
    assert response.results and response.results[0].procedure_code == code, response.results


def test_an_acronym_in_an_official_name_matches_the_spelled_out_question(
    starter_searcher: Searcher,
) -> None:
    prepared = starter_searcher.prepare("làm lại thẻ bảo hiểm y tế bị mất")
    assert "the_bhyt" in prepared.terms
    codes = starter_searcher.ranked_codes("làm lại thẻ bảo hiểm y tế bị mất", 3)
    assert codes[0] == "1.002759"
