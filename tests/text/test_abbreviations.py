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


def test_a_whole_phrase_keeps_the_phrases_inside_it_from_counting() -> None:
    table = parse_abbreviations(
        {
            "entries": [
                {"term": "thuê trọ", "expansions": ["đăng ký tạm trú"]},
                {"term": "cho thuê trọ", "expansions": ["cho thuê nhà"], "whole": True},
                {"term": "sổ đỏ", "expansions": ["giấy chứng nhận"]},
                {"term": "làm sổ đỏ lần đầu", "expansions": ["đăng ký lần đầu"]},
            ]
        }
    )
    assert [m.entry.term for m in table.match("cho thue tro dong thue")] == ["cho thuê trọ"]
    # Elsewhere in the text the inner phrase still counts.
    assert [m.entry.term for m in table.match("cho thuê trọ và người thuê trọ")] == [
        "cho thuê trọ",
        "thuê trọ",
    ]
    assert [m.entry.term for m in table.match("tôi đi thuê trọ")] == ["thuê trọ"]
    # Without `whole`, nested entries add up.
    assert [m.entry.term for m in table.match("làm sổ đỏ lần đầu")] == [
        "làm sổ đỏ lần đầu",
        "sổ đỏ",
    ]


def test_bundled_table_tells_a_landlord_from_a_renter() -> None:
    assert _terms("cho thuê phòng trọ có phải nộp thuế") == ["cho thuê trọ"]
    assert "làm tạm trú" in _terms("thuê phòng trọ đăng ký tạm trú")
    assert _terms("khai báo tạm trú cho người nước ngoài") == ["khai báo khách nước ngoài"]


def test_bundled_table_reads_a_bare_cccd_as_the_first_card_and_a_child_as_the_child() -> None:
    # A bare "làm/cấp CCCD" is the card for people from 14, not the identity certificate.
    assert "làm căn cước lần đầu" in _terms("làm CCCD cần giấy tờ gì")
    assert "làm căn cước lần đầu" in _terms("lam can cuoc can gi")
    # A child's card swallows the bare "làm CCCD" inside it.
    for text in ("làm CCCD cho con 10 tuổi", "làm thẻ căn cước cho con"):
        terms = _terms(text)
        assert "làm căn cước cho con" in terms
        assert "làm căn cước lần đầu" not in terms


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
        ("entries:\n  - term: ABC\n    expansions: [x]\n    whole: 'yes'\n", "'whole' must be"),
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


# --- everyday names across all catalogues (the widened table) -------------------------------

EVERYDAY_NAMES: list[tuple[str, str]] = [
    # justice, civil status, nationality
    ("xin giấy không tiền án tiền sự", "phiếu lý lịch tư pháp"),
    ("xin giay ly lich o dau", "phiếu lý lịch tư pháp"),
    ("làm lại giấy khai sinh cho người lớn", "đăng ký lại khai sinh"),
    ("khai sinh cho con ngoài giá thú", "đăng ký nhận cha, mẹ, con"),
    ("giấy khai sinh bị sai tên", "thay đổi, cải chính, bổ sung thông tin hộ tịch"),
    ("giấy chứng nhận độc thân", "xác nhận tình trạng hôn nhân"),
    ("muốn bỏ quốc tịch", "thôi quốc tịch Việt Nam"),
    ("chia thừa kế nhà của bố mẹ", "chứng thực văn bản phân chia di sản"),
    ("dich thuat cong chung", "chứng thực chữ ký người dịch"),
    ("hợp thức hóa lãnh sự giấy tờ", "hợp pháp hóa lãnh sự"),
    # identity, residence, immigration
    ("làm căn cước cho con 6 tuổi", "cấp thẻ căn cước cho người dưới 14 tuổi"),
    ("xin giấy xác nhận số CMND cũ", "xác nhận số chứng minh nhân dân 09 số"),
    ("nhập khẩu cho con về nhà nội", "đăng ký thường trú"),
    ("cat khau cho nguoi da mat", "xóa đăng ký thường trú"),
    ("khai báo lưu trú khách sạn", "thông báo lưu trú"),
    ("homestay khai báo khách Tây", "khai báo tạm trú cho người nước ngoài"),
    ("làm hộ chiếu gắn chip", "cấp hộ chiếu phổ thông"),
    ("bị mất hộ chiếu ở sân bay", "trình báo mất hộ chiếu phổ thông"),
    ("làm thẻ APEC", "thẻ ABTC"),
    ("xin GPLĐ cho người nước ngoài", "giấy phép lao động"),
    # land, construction
    ("sổ hồng chung cư", "quyền sở hữu nhà ở"),
    ("chi phí lên thổ cư", "chuyển mục đích sử dụng đất"),
    ("mất sổ đỏ phải làm sao", "cấp lại Giấy chứng nhận do bị mất"),
    ("thu tuc gop thua", "hợp thửa"),
    ("đo đạc lại đất bị dư diện tích", "diện tích tăng thêm"),
    ("đóng trước bạ nhà đất", "lệ phí trước bạ"),
    ("xin phép sửa nhà", "giấy phép xây dựng sửa chữa, cải tạo"),
    # business, tax
    ("làm giấy phép kinh doanh hộ gia đình", "đăng ký thành lập hộ kinh doanh"),
    ("mã số thuế cá nhân", "đăng ký thuế lần đầu"),
    ("làm quyết toán thuế TNCN", "quyết toán thuế thu nhập cá nhân"),
    ("hoan thue tncn", "khai quyết toán thuế"),
    ("xuất sai hóa đơn thì làm sao", "xử lý hóa đơn điện tử đã lập sai"),
    # customs
    ("mang hàng xách tay về nước", "định mức miễn thuế"),
    ("thất lạc hành lý ở sân bay", "hành lý ký gửi"),
    ("mang chó mèo ra nước ngoài", "kiểm dịch động vật"),
    # social insurance
    ("làm hồ sơ nghỉ hưu", "hưởng lương hưu"),
    ("rút bảo hiểm xã hội", "bảo hiểm xã hội một lần"),
    ("lãnh thay lương hưu cho mẹ", "ủy quyền lĩnh thay"),
    ("nghỉ ốm có được hưởng gì", "chế độ ốm đau"),
    ("bị tai nạn lao động", "chế độ TNLĐ, BNN"),
    ("trợ cấp thất nghiệp", "bảo hiểm thất nghiệp"),
    # transport
    ("dang kiem o to", "kiểm định"),
    ("thi bằng lái xe máy", "sát hạch lái xe"),
    ("học bằng lái ô tô", "đào tạo lái xe"),
    ("bị trừ hết điểm bằng lái", "kiểm tra kiến thức pháp luật về trật tự"),
    ("rút hồ sơ gốc xe máy", "thu hồi chứng nhận đăng ký xe, biển số xe"),
    ("mua xe cũ sang tên", "đăng ký sang tên xe"),
    ("xin giấy phép xe quá tải", "giấy phép lưu hành xe quá tải trọng"),
    # order, courts, banking, environment
    ("khắc con dấu công ty", "đăng ký mẫu con dấu"),
    ("lập vi bằng", "thừa phát lại"),
    ("đơn tố giác cán bộ", "giải quyết tố cáo"),
    ("khiếu kiện quyết định hành chính", "giải quyết khiếu nại"),
    ("đổi tiền rách ở đâu", "đổi tiền không đủ tiêu chuẩn lưu thông"),
    ("làm báo cáo ĐTM", "đánh giá tác động môi trường"),
]


@pytest.mark.parametrize(("query", "official"), EVERYDAY_NAMES)
def test_everyday_names_expand_to_official_terms(query: str, official: str) -> None:
    expanded = expand_abbreviations(query)
    assert expanded.startswith(query)
    assert official in expanded[len(query) :]  # added, not already typed


@pytest.mark.parametrize(
    "text",
    [
        # single syllables that begin many variants
        "mở",
        "đăng",
        "mo",
        "dang",
        "thuế",
        # unaccented phrases that fold like a variant but mean something else
        "co dong cong ty",  # cổ đông, not "đóng công ty"
        "hoat dong cua cong ty",  # hoạt động của, not "đóng cửa"
        "he thong quan ly",  # hệ thống quản lý, not "thông quan"
        "dieu kien dat",  # điều kiện đất, not "kiện đất"
        "bo sung san pham",  # bổ sung sản phẩm, not "súng săn"
        "bo sung dien tich",  # bổ sung diện tích, not "súng điện"
        "thoi gian thue dat",  # thời gian thuê đất, not "giãn thuế" / "thuế đất"
        "thay doi bien phap bao dam",  # đổi biện pháp, not "đổi biển"
        "cang bien tam thoi",  # cảng biển tạm thời, not "biển tạm"
        "don kien nghi",  # đơn kiến nghị, not "đơn kiện"
        "so huu nha o",  # sở hữu, not "sổ hưu"
        "thi cong an toan",  # thi công an toàn, not "thi công an"
        "co khac dau",  # có khác đâu, not "khắc dấu"
        # ordinary accented sentences
        "mở tài khoản ngân hàng",
        "bổ sung hồ sơ",
        "thời gian giải quyết bao lâu",
    ],
)
def test_everyday_sentences_are_not_expanded(text: str) -> None:
    assert match_abbreviations(text) == []
    assert expand_abbreviations(text) == text


def test_unaccented_variant_does_not_leak_into_accented_lookalike() -> None:
    # "đăng ký tạm trú" must not pick up the vehicle entry ("đăng ký xe tạm")
    assert "biển số tạm" not in _terms("đăng ký tạm trú")
    # "sở hữu" (accented) never matches a pension variant
    assert "lương hưu" not in _terms("sở hữu nhà ở")
    assert "lương hưu" in _terms("nghi huu")


def test_english_variants_of_new_entries_do_not_make_a_query_vietnamese() -> None:
    codes = load_abbreviations().vietnamese_codes
    assert not {"visa", "evisa", "homestay", "abtc", "apostille", "drone"} & codes
    assert {"cchn", "noxh", "xntthn", "tnld", "thads"} <= codes


def test_contract_writes_official_wordings_as_their_acronyms() -> None:
    table = parse_abbreviations(
        {
            "entries": [
                {"term": "BHYT", "variants": ["thẻ BHYT"], "expansions": ["bảo hiểm y tế"]},
                {"term": "sổ đỏ", "expansions": ["giấy chứng nhận quyền sử dụng đất"]},
            ]
        }
    )
    # Official names often use the acronym ("thẻ BHYT"); everyday names are not acronyms.
    assert table.contract("làm lại thẻ bảo hiểm y tế bị mất") == "làm lại thẻ BHYT bị mất"
    assert table.contract("lam lai the bao hiem y te") == "lam lai the BHYT"
    assert table.contract("giấy chứng nhận quyền sử dụng đất") == ""
    # Accents must agree, as for expansion: "bảo hiểm ý tế" is not the official wording.
    assert table.contract("bảo hiểm ý tế") == ""
    assert table.contract("không có gì") == ""


def test_bundled_table_contracts_social_insurance_terms() -> None:
    contracted = load_abbreviations().contract("sổ bảo hiểm xã hội và thẻ bảo hiểm y tế")
    assert contracted == "sổ BHXH và thẻ BHYT"
