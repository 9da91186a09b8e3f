"""The staff-editable abbreviation table: loading, validation, matching, expansion."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from knowledge.text import (
    DEFAULT_ABBREVIATIONS_PATH,
    AbbreviationFileError,
    expand_abbreviations,
    load_abbreviations,
    match_abbreviations,
    parse_abbreviations,
)


def _terms(text: str) -> list[str]:
    return [m.entry.term for m in match_abbreviations(text)]


def test_bundled_table_loads_and_is_large_enough() -> None:
    table = load_abbreviations()
    assert len(table.entries) >= 40
    assert load_abbreviations() is table  # cached
    assert load_abbreviations(DEFAULT_ABBREVIATIONS_PATH) is table
    for entry in table.entries:
        assert entry.expansions, entry.term


@pytest.mark.parametrize(
    ("query", "expected_term", "expansion"),
    [
        ("đổi CCCD", "CCCD", "căn cước"),
        ("mất CMND phải làm sao", "CCCD", "căn cước"),
        ("căn cước công dân", "CCCD", "thẻ căn cước"),
        ("GPLX hết hạn", "GPLX", "giấy phép lái xe"),
        ("bằng lái xe máy", "GPLX", "giấy phép lái xe"),
        ("lam so do lan dau", "sổ đỏ", "giấy chứng nhận quyền sử dụng đất"),
        ("sổ hồng", "sổ đỏ", "giấy chứng nhận quyền sử dụng đất"),
        ("GCN QSDĐ", "sổ đỏ", "giấy chứng nhận quyền sử dụng đất"),
        ("gcn qsdd", "sổ đỏ", "giấy chứng nhận quyền sử dụng đất"),
        ("đăng ký HKD", "HKD", "hộ kinh doanh"),
        ("hkd", "HKD", "hộ kinh doanh"),
        ("BHXH", "BHXH", "bảo hiểm xã hội"),
        ("thẻ BHYT cho bé", "BHYT", "bảo hiểm y tế"),
        ("xin LLTP", "LLTP", "lý lịch tư pháp"),
        ("xin giấy CT07", "CT07", "xác nhận thông tin về cư trú"),
        ("mẫu CT01", "CT01", "tờ khai thay đổi thông tin cư trú"),
        ("ho khau", "hộ khẩu", "thường trú"),
        ("ca vet xe", "cà vẹt", "giấy đăng ký xe"),
        ("giay xac nhan doc than", "giấy xác nhận độc thân", "xác nhận tình trạng hôn nhân"),
        ("báo tử", "báo tử", "khai tử"),
        ("cong chung ban photo", "công chứng bản photo", "chứng thực bản sao từ bản chính"),
        ("UBND xã", "UBND", "ủy ban nhân dân"),
        ("tach khau", "tách khẩu", "tách hộ"),
        ("bằng lái quốc tế", "bằng lái quốc tế", "giấy phép lái xe quốc tế"),
        ("làm hộ chiếu", "hộ chiếu", "cấp hộ chiếu phổ thông"),
        ("khai sinh cho bé", "khai sinh cho bé", "đăng ký khai sinh"),
        ("nhap ho khau", "nhập hộ khẩu", "đăng ký thường trú"),
        ("tài khoản VNeID", "VNeID", "tài khoản định danh điện tử"),
        ("ĐKKD", "ĐKKD", "đăng ký kinh doanh"),
        ("dkkd", "ĐKKD", "đăng ký kinh doanh"),
        ("TTHC", "TTHC", "thủ tục hành chính"),
        ("nộp trên DVC", "DVC", "dịch vụ công trực tuyến"),
    ],
)
def test_matches_and_expands(query: str, expected_term: str, expansion: str) -> None:
    assert expected_term in _terms(query)
    expanded = expand_abbreviations(query)
    assert expanded.startswith(query)  # the original words are kept
    assert expansion in expanded


def test_whole_tokens_only() -> None:
    assert _terms("thkdx") == []
    assert _terms("hkdx") == []
    assert _terms("BHXHA") == []
    assert _terms("hkd,") == ["HKD"]
    assert _terms("(HKD)") == ["HKD"]


def test_accented_query_must_match_accents() -> None:
    assert _terms("sơ đồ thửa đất") == []  # not sổ đỏ
    assert "sổ đỏ" in _terms("sổ đỏ")
    assert "sổ đỏ" in _terms("so do")
    assert "sổ đỏ" in _terms("sổ do")  # token by token: plain tokens match by folding


def test_expand_without_match_returns_text_unchanged() -> None:
    assert expand_abbreviations("thủ tục đăng ký kết hôn") == "thủ tục đăng ký kết hôn"
    assert expand_abbreviations("") == ""


def test_expansions_already_present_are_not_repeated() -> None:
    text = "ủy ban nhân dân xã"  # "ủy ban" is a variant of UBND
    assert expand_abbreviations(text) == text
    expanded = expand_abbreviations("CCCD CMND căn cước")
    assert expanded.count("thẻ căn cước") == 1


def test_english_variants_match_but_are_not_vietnamese_codes() -> None:
    table = load_abbreviations()
    assert "hộ chiếu" in _terms("passport")
    assert "passport" not in table.vietnamese_codes
    assert {"cccd", "gplx", "ct07", "vneid", "hkd"} <= table.vietnamese_codes


def test_match_reports_positions() -> None:
    (match,) = match_abbreviations("tôi cần cà vẹt")
    assert (match.start, match.end, match.text) == (2, 4, "cà vẹt")
    assert match.variant == "cà vẹt"


def test_loader_accepts_another_path(tmp_path: Path) -> None:
    path = tmp_path / "abbr.yaml"
    path.write_text(
        "entries:\n  - term: XYZ\n    variants: [ích xì dét]\n    expansions: [thủ tục thử]\n",
        encoding="utf-8",
    )
    table = load_abbreviations(path)
    assert [e.term for e in table.entries] == ["XYZ"]
    assert expand_abbreviations("xin xyz", table) == "xin xyz thủ tục thử"
    assert expand_abbreviations("ich xi det", table) == "ich xi det thủ tục thử"
    # An edited file is read again.
    path.write_text(
        "entries:\n  - term: XYZ\n    expansions: [khác]\n  - term: ABC\n    expansions: [b]\n",
        encoding="utf-8",
    )
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert [e.term for e in load_abbreviations(path).entries] == ["XYZ", "ABC"]


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("[]", "'entries' list"),
        ("entries: {}", "'entries' list"),
        ("entries:\n  - just a text\n", "entry #1"),
        ("entries:\n  - term: ''\n    expansions: [x]\n", "'term' must be a non-empty text"),
        ("entries:\n  - term: ABC\n", "entry #1 ('ABC'): 'expansions' must be a non-empty list"),
        ("entries:\n  - term: ABC\n    expansions: []\n", "'expansions' must be a non-empty"),
        ("entries:\n  - term: ABC\n    expansions: [x]\n    variants: abc\n", "'variants'"),
        ("entries:\n  - term: ABC\n    expansions: [x, '']\n", "empty text"),
        ("entries:\n  - term: ABC\n    expansions: ['!!']\n", "no letters or digits"),
        ("entries:\n  - term: ABC\n    expansions: [x]\n    colour: red\n", "unknown key"),
        ("entries:\n  - term: ABC\n    expansions: [[x]]\n", "not a text"),
        (
            "entries:\n  - term: A1\n    expansions: [x]\n"
            "  - term: B2\n    variants: [a1]\n    expansions: [y]\n",
            "entry #2 ('B2'): spelling 'a1' is already used by entry #1 ('A1')",
        ),
    ],
)
def test_loader_errors_name_the_bad_entry(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(AbbreviationFileError) as info:
        load_abbreviations(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_loader_reports_yaml_syntax_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("entries: [\n", encoding="utf-8")
    with pytest.raises(AbbreviationFileError, match="not valid YAML"):
        load_abbreviations(path)
    with pytest.raises(AbbreviationFileError, match="cannot read"):
        load_abbreviations(tmp_path / "missing.yaml")


def test_parse_abbreviations_from_data() -> None:
    table = parse_abbreviations({"entries": [{"term": "HC", "expansions": ["hộ chiếu"]}]})
    assert table.expand("làm HC") == "làm HC hộ chiếu"
