"""The portal importer over all shared portal records: coverage, not single values.

Needs ../shared/data/portal-procedures (the `portal_records_path` fixture skips without it,
and fails under CI=true). The whole file parses the corpus once and runs in seconds.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from knowledge.importers.base import ImportResult
from knowledge.importers.portal import import_portal
from knowledge.schema import Procedure

pytestmark = pytest.mark.shared

# Written independently of the importer: what counts as "an amount is written here".
AMOUNT_WRITTEN = re.compile(
    r"\d[\d.,]*\s*(?:/\s?[^\W\d_]+\s*)?(?:nghìn|ngàn|triệu|tỷ)?\s*"
    r"(?:Việt Nam Đồng|VNĐ|VND|vnđ|đồng|Đồng|USD)(?![^\W\d_])"
    r"|\d{1,3}(?:\.\d{3})+\s?đ(?![^\W\d_])"
)
# "85/2019/TT" of "85/2019/TT-BTC": the core of a legal number, whatever is glued after it
# (not counted after "QH13", where "QH1354/2014/QH13" hides where the next number starts)
LEGAL_NUMBER_WRITTEN = re.compile(
    r"(?<![\d.])(?<!QH)\d{1,4}(?:\.\d+)?/\d{4}/[A-ZĐ]{2,}(?![a-zà-ỹ])"
)
LEGAL_NUMBER_SHAPE = re.compile(r"\d+(?:\.\d+)?/(?:\d{4}/)?[A-ZĐ][A-ZĐa-z0-9]*(?:-[A-ZĐa-z0-9]+)*")
DOCUMENT_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
FEE_LABEL = re.compile(r"|Miễn phí|\d[\d,]* (?:Việt Nam Đồng|VNĐ|USD|Đồng)")
CHROME = ("Chọn cơ quan thực hiện", "Từ khóa", "-- Chọn Tỉnh/ Thành phố --", "Mã: KQ")


@dataclass(frozen=True)
class Corpus:
    raw: dict[str, dict[str, str]]  # NFC-normalised raw records by code
    result: ImportResult
    procedures: dict[str, Procedure]


@pytest.fixture(scope="module")
def corpus(portal_records_path: Path) -> Corpus:
    with gzip.open(portal_records_path, "rt", encoding="utf-8") as fh:
        lines = [json.loads(line) for line in fh if line.strip()]
    raw = {
        r["ma_thu_tuc"]: {k: unicodedata.normalize("NFC", v) for k, v in r.items()} for r in lines
    }
    result = import_portal(portal_records_path)
    return Corpus(raw, result, {p.code: p for p in result.procedures})


def test_every_record_imports(corpus: Corpus) -> None:
    assert corpus.result.failed == 0, corpus.result.problems[:5]
    assert len(corpus.result.procedures) == len(corpus.raw) >= 2600
    assert set(corpus.procedures) == set(corpus.raw)
    assert corpus.result.format == "portal"


def test_channels_coverage(corpus: Corpus) -> None:
    with_rows = [code for code, p in corpus.procedures.items() if p.channels]
    assert len(with_rows) / len(corpus.procedures) >= 0.98
    for p in corpus.procedures.values():
        for c in p.channels:
            assert FEE_LABEL.fullmatch(c.fee.label), (p.code, c.fee.label)
            if c.processing_time.unit != "unknown":
                assert c.processing_time.value is not None


def test_every_written_amount_is_parsed(corpus: Corpus) -> None:
    expected = [
        code for code, r in corpus.raw.items() if AMOUNT_WRITTEN.search(r["cach_thuc_thuc_hien"])
    ]
    assert len(expected) >= 500
    missing = [
        code
        for code in expected
        if not any(c.fee.amounts for c in corpus.procedures[code].channels)
    ]
    assert missing == []


def test_amounts_are_consistent(corpus: Corpus) -> None:
    free_with_notes = 0
    for p in corpus.procedures.values():
        for c in p.channels:
            fee = c.fee
            if fee.free:
                assert not fee.set_locally and not any(a.amount > 0 for a in fee.amounts)
            if fee.amount_vnd is not None:
                assert fee.amounts and fee.amounts[0].amount_vnd == fee.amount_vnd, p.code
            for amount in fee.amounts:
                assert amount.amount >= 0 and amount.text
                assert (amount.amount_vnd is None) == (amount.currency == "USD")
            if fee.valid_until is not None:
                assert 2015 <= fee.valid_until.year <= 2035
            if fee.label == "Miễn phí" and fee.amounts:
                free_with_notes += 1
    assert free_with_notes > 0  # the known quirk: "Miễn phí" labels with amounts in the note


def test_every_documents_table_yields_items(corpus: Corpus) -> None:
    tables = [
        code
        for code, r in corpus.raw.items()
        if DOCUMENT_HEADER in r["thanh_phan_ho_so"]
        and r["thanh_phan_ho_so"].split(DOCUMENT_HEADER, 1)[1].strip()
    ]
    assert len(tables) >= 2500
    empty = [code for code in tables if not any(g.items for g in corpus.procedures[code].documents)]
    assert empty == []
    for code in tables:
        for group in corpus.procedures[code].documents:
            for item in group.items:
                assert item.name.strip(), code


def test_legal_numbers_are_parsed_where_present(corpus: Corpus) -> None:
    written = 0
    kept = 0
    for code, r in corpus.raw.items():
        numbers = set(LEGAL_NUMBER_WRITTEN.findall(r["can_cu_phap_ly"]))
        refs = corpus.procedures[code].legal_basis
        if numbers:
            assert any(ref.number for ref in refs), code
        for ref in refs:
            if ref.number:
                assert LEGAL_NUMBER_SHAPE.fullmatch(ref.number), (code, ref.number)
        texts = " ".join(f"{ref.title} {ref.number}" for ref in refs)
        written += len(numbers)
        kept += sum(1 for n in numbers if n in texts)
    assert written >= 10000
    assert kept / written >= 0.99


def test_results_and_full_text_carry_no_page_chrome(corpus: Corpus) -> None:
    for code, r in corpus.raw.items():
        p = corpus.procedures[code]
        for chrome in CHROME:
            assert chrome not in p.result, (code, chrome)
            assert chrome not in p.full_text, (code, chrome)
        if re.search(r"Mã: KQ[.\-]", r["ket_qua_xu_ly"]):
            assert "KQ" in p.result_code, code
        assert p.full_text.startswith(f"Tên thủ tục: {p.name}")
        assert "Không có thông tin" not in p.full_text


def test_steps_and_online_levels(corpus: Corpus) -> None:
    with_steps = sum(1 for p in corpus.procedures.values() if p.steps)
    assert with_steps / len(corpus.procedures) >= 0.98
    levels = {p.online_level for p in corpus.procedures.values()}
    assert levels <= {"full", "partial", "none", "unknown"}
    assert {"full", "partial", "none"} <= levels
