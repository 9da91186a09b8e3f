"""Curated procedures (YAML/JSON) and FAQs (YAML/CSV): good records in, bad ones reported."""

from __future__ import annotations

import json
from pathlib import Path

from knowledge.importers.structured import import_faq_csv, import_structured

GOOD_PROCEDURE = """
code: "1.001193"
name: Thủ tục đăng ký khai sinh
aliases: [làm giấy khai sinh]
channels:
  - channel: in_person
    processing_time: {value: 1, unit: working_days, raw: "1 ngày làm việc"}
    fee: {free: true, label: "Miễn phí"}
record_date: 2026-07-01
"""


def test_single_procedure_yaml(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text(GOOD_PROCEDURE, encoding="utf-8")
    result = import_structured(f)
    assert result.problems == []
    [p] = result.procedures
    assert p.code == "1.001193"
    assert p.channels[0].processing_time.unit == "working_days"
    assert str(p.record_date) == "2026-07-01"


def test_unquoted_code_and_unknown_field_are_reported_not_raised(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(
        "procedures:\n"
        "  - {code: 1.001193, name: Một}\n"
        "  - {code: '2.1', name: Hai, colour: red}\n"
        "  - {code: '3.1', name: Ba}\n",
        encoding="utf-8",
    )
    result = import_structured(f)
    assert [p.code for p in result.procedures] == ["3.1"]
    reasons = [p.reason for p in result.problems]
    assert any("quote procedure codes" in r for r in reasons)
    assert any("colour" in r and "Extra inputs" in r for r in reasons)
    assert result.failed == 2


def test_broken_yaml_is_one_error(tmp_path: Path) -> None:
    f = tmp_path / "broken.yaml"
    f.write_text("code: [unclosed\n", encoding="utf-8")
    result = import_structured(f)
    assert result.procedures == []
    assert result.failed == 1
    assert "not valid YAML" in result.problems[0].reason
    assert (
        "(line 2, column 1)" in result.problems[0].reason and "\n" not in result.problems[0].reason
    )


def test_json_list_with_faqs_and_procedures(tmp_path: Path) -> None:
    f = tmp_path / "mixed.json"
    f.write_text(
        json.dumps(
            [
                {"code": "1.1", "name": "Một"},
                {"id": "q1", "questions": ["Hỏi?"], "answer_vi": "Đáp."},
            ],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    result = import_structured(f)
    assert [p.code for p in result.procedures] == ["1.1"]
    assert [q.id for q in result.faqs] == ["q1"]


def test_expired_faq_is_kept_with_a_warning(tmp_path: Path) -> None:
    f = tmp_path / "faqs.yaml"
    f.write_text(
        "- id: old\n  questions: ['Cũ?']\n  answer_vi: Cũ.\n  expires_on: 2020-01-01\n"
        "- id: empty-answer\n  questions: ['Hỏi?']\n  answer_vi: '  '\n",
        encoding="utf-8",
    )
    result = import_structured(f)
    assert [q.id for q in result.faqs] == ["old"]
    assert result.warnings == 1 and result.failed == 1


def test_faq_csv(tmp_path: Path) -> None:
    f = tmp_path / "faqs.csv"
    f.write_text(
        "id,questions,answer_vi,answer_en,procedure_codes,reviewed_on\n"
        'cccd-tre-em,"Làm CCCD cho trẻ em?|lam cccd cho tre em","Không bắt buộc.",'
        '"Not mandatory.","1.1; 1.2",2026-07-01\n'
        ',"Không id?","Có.",,,\n'
        'bad-date,"Hỏi?","Đáp.",,,yesterday\n',
        encoding="utf-8",
    )
    result = import_faq_csv(f)
    assert [q.id for q in result.faqs] == ["cccd-tre-em", "faqs-3"]
    first = result.faqs[0]
    assert first.questions == ["Làm CCCD cho trẻ em?", "lam cccd cho tre em"]
    assert first.procedure_codes == ["1.1", "1.2"]
    assert result.failed == 1 and "reviewed_on" in result.problems[0].reason


def test_csv_without_header_is_rejected(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("a,b\n1,2\n", encoding="utf-8")
    result = import_faq_csv(f)
    assert result.failed == 1 and "header" in result.problems[0].reason
