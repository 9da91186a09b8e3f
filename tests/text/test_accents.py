"""Diacritic restoration learnt from a corpus's own vocabulary."""

from __future__ import annotations

import gzip
import json
import random
import time
from pathlib import Path

import pytest

from knowledge.text import AccentRestorer, fold, syllables

INLINE_TEXTS = [
    "Đăng ký khai sinh",
    "Đăng ký khai sinh có yếu tố nước ngoài",
    "Làm giấy khai sinh cho con",
    "Đăng ký thường trú",
    "Đăng ký tạm trú",
    "Cấp lại thẻ căn cước",
    "Cấp đổi thẻ căn cước",
    "Cấp giấy phép lái xe",
    "Đổi giấy phép lái xe",
    "Cán bộ tiếp nhận hồ sơ",
    "Cán bộ kiểm tra hồ sơ",
    "Căn cứ pháp lý",
    "Cần mang theo giấy tờ gì",
    "Làm giấy khai sinh cần gì",
    "Lái xe an toàn",
    "Giấy khai sinh, giấy chứng tử",
]


@pytest.fixture(scope="module")
def small() -> AccentRestorer:
    return AccentRestorer().fit(INLINE_TEXTS)


def test_restores_from_inline_corpus(small: AccentRestorer) -> None:
    assert small.restore("dang ky khai sinh") == "đăng ký khai sinh"
    assert small.restore("cap lai the can cuoc") == "cấp lại thẻ căn cước"
    assert small.restore("giay phep lai xe") == "giấy phép lái xe"
    assert small.restore("can bo") == "cán bộ"  # context picks cán over căn/cần
    assert small.restore("can cuoc") == "căn cước"
    assert small.restore("can gi") == "cần gì"


def test_keeps_case_unknown_tokens_codes_and_accents(small: AccentRestorer) -> None:
    assert small.restore("Dang Ky THUONG TRU") == "Đăng Ký THƯỜNG TRÚ"
    assert small.restore("dang ky xyzzy 1.001193 ct07") == "đăng ký xyzzy 1.001193 ct07"
    assert small.restore("Đăng ky tam tru!") == "Đăng ký tạm trú!"
    assert small.restore("") == ""
    assert AccentRestorer().restore("dang ky") == "dang ky"  # not fitted


def test_candidates_and_counts(small: AccentRestorer) -> None:
    assert small.candidates("can")[0] in {"căn", "cán", "cần"}
    assert set(small.candidates("can")) == {"căn", "cán", "cần"}
    assert small.candidates("zzz") == []
    assert small.vocabulary_size > 30


def test_fit_skips_typos_and_accumulates() -> None:
    restorer = AccentRestorer().fit(["xuât khẩu", "xuất khẩu"])  # "xuât" is not a syllable
    assert restorer.candidates("xuat") == ["xuất"]
    restorer.fit(["visa"], weight=3)
    assert restorer.unigrams["visa"] == 3
    assert restorer.restore("xuat khau visa") == "xuất khẩu visa"


def test_round_trip_through_json(small: AccentRestorer) -> None:
    data = json.loads(json.dumps(small.to_dict(), ensure_ascii=False))
    again = AccentRestorer.from_dict(data)
    for query in ["can bo", "can cuoc", "dang ky khai sinh", "lai xe"]:
        assert again.restore(query) == small.restore(query)
    with pytest.raises(ValueError):
        AccentRestorer.from_dict({"format": "other"})


def test_from_corpus_adds_everyday_phrases() -> None:
    restorer = AccentRestorer.from_corpus(["Cấp giấy chứng nhận quyền sử dụng đất"])
    assert restorer.restore("lam so do o dau") == "làm sổ đỏ ở đâu"
    assert AccentRestorer.from_corpus([], everyday=False).vocabulary_size == 0


def test_restore_is_fast(small: AccentRestorer) -> None:
    query = "lam giay khai sinh cho con can mang theo giay to gi"
    small.restore(query)
    start = time.perf_counter()
    for _ in range(200):
        small.restore(query)
    assert (time.perf_counter() - start) / 200 < 0.005  # measured ~0.07 ms; generous for CI


def _load_records(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.mark.shared
def test_accuracy_on_portal_record_names(portal_records_path: Path) -> None:
    records = _load_records(portal_records_path)
    fields = ("ten_thu_tuc", "linh_vuc", "ket_qua_xu_ly", "doi_tuong_thuc_hien")
    started = time.perf_counter()
    restorer = AccentRestorer.from_corpus(r[f] for r in records for f in fields)
    assert time.perf_counter() - started < 20

    assert restorer.restore("lam giay khai sinh") == "làm giấy khai sinh"
    assert restorer.restore("dang ky thuong tru") == "đăng ký thường trú"
    assert restorer.restore("cap lai the can cuoc") == "cấp lại thẻ căn cước"
    assert restorer.restore("giay phep lai xe") == "giấy phép lái xe"

    sample = random.Random(20260701).sample(records, 200)
    total = correct = 0
    for record in sample:
        gold = [t for t in syllables(record["ten_thu_tuc"], keep_accents=True) if t.isalpha()]
        out = syllables(restorer.restore(fold(record["ten_thu_tuc"])), keep_accents=True)
        out = [t for t in out if t.isalpha()]
        assert len(out) == len(gold)
        total += len(gold)
        correct += sum(g == o for g, o in zip(gold, out, strict=True))
    accuracy = correct / total
    print(f"accent restoration: {accuracy:.4f} token accuracy on {total} tokens")
    assert accuracy >= 0.97

    query = "lam giay khai sinh cho con can mang theo giay to gi"
    start = time.perf_counter()
    for _ in range(200):
        restorer.restore(query)
    assert (time.perf_counter() - start) / 200 < 0.005
