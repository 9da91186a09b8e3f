"""The portal importer on pinned real records and small inputs (no shared data needed).

`fixtures/portal/pinned_records.json` holds the raw fields of real portal records chosen for
their quirks (copied verbatim from ../shared/data/portal-procedures, some with combining
accents); each test states what the importer must read out of them.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from knowledge.importers.portal import import_portal, looks_like_portal_record, parse_record
from knowledge.importers.portal_tables import (
    find_amounts,
    parse_fee,
    parse_legal_basis,
    parse_number,
    parse_processing_time,
    split_note,
)
from knowledge.schema import Channel, Procedure

PINNED_PATH = Path(__file__).parent / "fixtures" / "portal" / "pinned_records.json"


@cache
def _pinned() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads(PINNED_PATH.read_text(encoding="utf-8"))
    return data


@cache
def _parsed(code: str) -> tuple[Procedure, tuple[str, ...]]:
    procedure, warnings = parse_record(_pinned()[code])
    return procedure, tuple(warnings)


def proc(code: str) -> Procedure:
    return _parsed(code)[0]


def warnings_of(code: str) -> tuple[str, ...]:
    return _parsed(code)[1]


def channel_kinds(p: Procedure) -> list[str]:
    return [c.channel for c in p.channels]


def amounts(c: Channel) -> list[float]:
    return [a.amount for a in c.fee.amounts]


def test_pinned_fixture_has_enough_real_records() -> None:
    assert len(_pinned()) >= 30
    for code, raw in _pinned().items():
        assert raw["ma_thu_tuc"] == code
        assert proc(code).code == code


# --------------------------------------------------------------------------------------------
# Channels: times


def test_bare_number_time_keeps_value_and_unknown_unit() -> None:
    p = proc("1.008331")  # "Trực tuyến1Miễn phíDịch vụ bưu chính1Miễn phíTrực tiếp1Miễn phí"
    assert channel_kinds(p) == ["online", "post", "in_person"]
    for c in p.channels:
        assert (c.processing_time.value, c.processing_time.unit) == (1.0, "unknown")
        assert c.processing_time.raw == "1"
        assert c.fee.free and c.fee.label == "Miễn phí" and c.fee.amounts == []


def test_time_units_hours_days_working_days_and_months() -> None:
    units = {(c.processing_time.raw, c.processing_time.unit) for c in proc("1.013076").channels}
    assert units == {
        ("2 Ngày làm việc", "working_days"),
        ("7 Ngày làm việc", "working_days"),
        ("1 Giờ", "hours"),
    }
    assert {c.processing_time.unit for c in proc("3.000340").channels} == {"days"}
    months = proc("1.001010").channels[0].processing_time  # "6 Tháng": no month unit
    assert (months.value, months.unit, months.raw) == (6.0, "unknown", "6 Tháng")


def test_time_cells_in_words_are_kept_raw() -> None:
    loose = proc("1.007689")  # "Trực tuyếnKhông phải trả kết quả cho người nộp thuếMiễn phí…"
    assert channel_kinds(loose) == ["online", "post", "in_person"]
    for c in loose.channels:
        assert c.processing_time.value is None
        assert c.processing_time.raw == "Không phải trả kết quả cho người nộp thuế"
        assert c.fee.free
    assert loose.channels[0].note.startswith("Bằng phương thức điện tử qua Cổng dịch vụ công")
    no_time = proc("1.009825")  # "Trực tiếpKhôngKhông có thông tinTại Trung tâm…"
    assert [c.processing_time.raw for c in no_time.channels] == ["Không"] * 3
    assert [c.fee.label for c in no_time.channels] == ["", "", ""]
    assert no_time.channels[0].note == "Tại Trung tâm phục vụ hành chính công cấp tỉnh, xã"
    unregulated = proc("1.008312")
    assert {c.processing_time.raw for c in unregulated.channels} == {"Không quy định"}


def test_bare_time_glued_to_a_numeric_fee_is_split() -> None:
    customs = proc("1.000005").channels[0]  # "Trực tuyến120,000 VNĐ(…)"
    assert customs.processing_time.value == 1.0
    assert (customs.fee.label, customs.fee.amount_vnd) == ("20,000 VNĐ", 20000)
    p = proc("1.007642")  # "Trực tuyến120 VNĐTrực tiếp120 VNĐ": 1 + "20 VNĐ" (thousands)
    assert [(c.processing_time.value, c.fee.label, c.fee.amount_vnd) for c in p.channels] == [
        (1.0, "20 VNĐ", 20000),
        (1.0, "20 VNĐ", 20000),
    ]
    assert any("thousands" in w for w in warnings_of("1.007642"))
    enterprise = proc("2.002011")  # "…1100 VNĐ(… 100.000 đồng/lần …)…Trực tiếp125 VNĐ(…)"
    assert [(c.fee.label, c.fee.amount_vnd) for c in enterprise.channels] == [
        ("100 VNĐ", 100000),
        ("100 VNĐ", 100000),
        ("25 VNĐ", 25000),
    ]
    assert enterprise.channels[0].fee.amounts[0].context == (
        "Phí công bố nội dung đăng ký doanh nghiệp"
    )


# --------------------------------------------------------------------------------------------
# Channels: fees


def test_label_amount_with_date_only_in_the_note() -> None:
    p = proc("1.002613")  # record spelled with combining accents; note "Phí : Đồng (Từ ngày …)"
    assert p.name.startswith("Cấp")
    assert len(p.channels) == 3
    for c in p.channels:
        assert (c.processing_time.value, c.processing_time.unit) == (20.0, "working_days")
        assert c.fee.amount_vnd == 2500000
        assert c.fee.label == "2,500,000 Việt Nam Đồng"
        assert c.fee.valid_until == dt.date(2026, 12, 31)
        assert c.fee.note.startswith("Từ ngày 01/7/2025 đến hết ngày 31/12/2026 áp dụng")
        assert c.note == "20 ngày làm việc kể từ khi nhận đủ hồ sơ hợp lệ."


def test_free_label_contradicted_by_bare_amounts_in_the_note() -> None:
    for c in proc("3.000340").channels:  # "Miễn phí(… 8.000.000/lần; … 2.000.000/lần.)"
        assert c.fee.label == "Miễn phí"
        assert not c.fee.free
        assert c.fee.amount_vnd == 8000000
        assert amounts(c) == [8000000, 2000000]
        assert c.fee.amounts[0].context == "Cho một loại hình sản phẩm hoặc dịch vụ"
        assert c.fee.amounts[1].context == "thêm một loại hình sản phẩm hoặc dịch vụ"
    assert any("Miễn phí" in w and "8.000.000/lần" in w for w in warnings_of("3.000340"))


def test_nested_parentheses_and_many_amounts_in_one_note() -> None:
    p = proc("1.004306")
    assert channel_kinds(p) == ["post", "in_person"]
    fee = p.channels[0].fee
    assert amounts(p.channels[0]) == [15000000, 15000000, 18000000, 6000000, 15000000]
    assert fee.amount_vnd == 15000000 and fee.amount_text == "15000000/lần Đồng"
    assert fee.amounts[0].context.startswith("Đối với nhà khai thác tàu bay nước ngoài")
    # the note keeps its inner groups and ends with the last nested one
    assert "(ETOPS, CAT II, CAT III, hàng nguy hiểm, MNPS...)" in fee.note
    assert fee.note.endswith(
        "(Miễn phí từ ngày 07/4/2026 đến 30/6/2026 theo quy định tại Thông tư 40/2026/TT-BTC)"
    )
    assert p.channels[0].note == "18 ngày, kể từ ngày nhận đủ hồ sơ hợp lệ"
    assert not fee.free


def test_fee_set_by_the_provincial_peoples_council() -> None:
    p = proc("1.000689")  # "Miễn phí((Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh … quyết định…))"
    assert len(p.channels) == 3
    for c in p.channels:
        assert c.fee.set_locally
        assert not c.fee.free
        assert c.fee.amount_vnd is None and c.fee.amounts == []
        assert c.fee.note.startswith("Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh")


def test_usd_fees_and_a_vnd_label_that_means_dollars() -> None:
    visa = proc("1.001194")
    assert [(c.fee.amount_text, c.fee.amount_vnd) for c in visa.channels] == [
        ("25 USD", None),
        ("25 USD", None),
        ("5 USD", None),
    ]
    assert visa.channels[0].fee.amounts[0].currency == "USD"
    card = proc("1.003358")  # "Trực tiếp5 Ngày làm việc155 VNĐ(…: 155 USD/thẻ.)"
    assert len(card.channels) == 9
    odd = next(c for c in card.channels if c.fee.label == "155 VNĐ")
    assert odd.fee.amount_vnd is None
    assert [(a.amount, a.currency) for a in odd.fee.amounts] == [(155.0, "USD")]
    assert odd.fee.amounts[0].context == "Thẻ tạm trú có thời hạn từ trên 02 năm đến 05 năm"
    assert any("155 USD/thẻ" in w for w in warnings_of("1.003358"))
    dollars = proc("1.001010").channels[0].fee
    assert (dollars.amount_vnd, dollars.amount_text, dollars.note) == (
        None,
        "100 USD",
        "100 USD/thẻ.",
    )


def test_outdated_amount_applies_until_a_date() -> None:
    online, in_person = proc("1.001200").channels  # 40.000đ "áp dụng đến hết ngày 31/12/2024"
    assert (online.fee.amount_vnd, online.fee.valid_until) == (40000, dt.date(2024, 12, 31))
    assert (in_person.fee.amount_vnd, in_person.fee.valid_until) == (50000, None)
    assert "Thông tư số 25/2021/TT-BTC" in in_person.fee.note


def test_dated_reduction_in_the_note_does_not_date_the_main_amount() -> None:
    for c in proc("1.004756").channels:  # 50.000 đồng/lần; 25.000 đồng/lần (… đến hết ngày …)
        assert (c.fee.amount_vnd, c.fee.valid_until) == (50000, None)
        assert amounts(c) == [50000, 25000]
        assert "01 tháng 7 năm 2025" in c.fee.amounts[1].context
    for c in proc("1.000688").channels:  # 800,000 label; note "áp dụng mức phí 400.000 …"
        assert (c.fee.amount_vnd, c.fee.valid_until) == (800000, None)
        assert amounts(c) == [800000, 400000]
    identity = proc("1.000889").channels[0].fee  # "…đến hết ngày 31/12/2025 … bằng 50%…"
    assert (identity.amount_vnd, identity.valid_until) == (50000, None)


def test_free_label_with_a_dated_amount_in_the_note() -> None:
    for c in proc("1.001993").channels:  # "Miễn phí(áp dụng mức phí 2.500.000 đồng/hồ sơ …)"
        assert c.fee.label == "Miễn phí"
        assert not c.fee.free
        assert c.fee.amount_vnd == 2500000
        assert c.fee.amount_text == "2.500.000 đồng/hồ sơ"
        assert c.fee.valid_until == dt.date(2026, 12, 31)


def test_enumerated_note_and_enumerated_description() -> None:
    airport = proc("3.000380")  # "Miễn phí(a) … b) … 5.000.000 đồng.)- Đối với giấy phép…"
    first = airport.channels[0]
    assert first.fee.note.startswith("a) Cung cấp dịch vụ tại cảng hàng không quốc tế")
    assert amounts(first) == [30000000, 5000000, 20000000, 5000000]
    assert first.fee.amounts[1].context == "Cấp lại do bị mất, rách, hỏng"
    assert first.note.startswith("- Đối với giấy phép cấp lại do thay đổi nội dung")
    minerals = proc("1.014237")  # "Không có thông tin(1) Trường hợp …": a description
    assert len(minerals.channels) == 6
    assert [c.processing_time.value for c in minerals.channels] == [14.0] * 3 + [26.0] * 3
    for c in minerals.channels:
        assert c.fee.note == "" and c.fee.label == ""
        assert c.note.startswith(("(1) Trường hợp thay đổi tên", "(2) Trường hợp trả lại"))


def test_placeholder_label_and_amounts_only_in_the_description() -> None:
    notary = proc("1.013836")  # "1 Việt Nam Đồng" rows mean no fee ("mức phí: 0đ" below)
    assert [c.fee.amount_vnd for c in notary.channels] == [500000] * 3 + [None] * 3
    assert all(c.fee.amounts == [] for c in notary.channels[3:])
    lawyers = proc("1.002055").channels
    assert (lawyers[0].fee.label, lawyers[0].fee.amount_vnd) == ("1 VNĐ", None)
    assert amounts(lawyers[1]) == [50000, 25000]
    boats = proc("1.003135").channels[0]  # "Không có thông tin- … Lệ phí : 20.000 Đồng (…)"
    assert boats.fee.label == ""
    assert boats.fee.amount_vnd == 20000
    assert amounts(boats) == [20000, 20000, 50000, 50000]


def test_amounts_in_millions_words_and_zero_boilerplate() -> None:
    in_person = next(c for c in proc("1.009523").channels if c.fee.amounts)
    assert amounts(in_person) == [6000000, 3000000]  # "06 triệu đồng", "03 triệu đồng"
    licence = proc("3.000347").channels[0].fee  # Miễn phí; 135.000 then 115.000 (dated)
    assert (licence.amount_vnd, licence.valid_until) == (135000, None)
    assert [a.amount for a in licence.amounts] == [135000, 115000]
    assert licence.amounts[0].context == "Lệ phí cấp giấy phép lái xe"
    post = proc("1.010026").channels[1].fee  # "Phí : 0 Đồng (- Miễn lệ phí … 100.000 đồng/lần"
    assert [a.amount for a in post.amounts] == [100000, 0]  # the main amount first
    assert post.amount_vnd == 100000 and not post.free


def test_online_level_signals() -> None:
    assert proc("1.013076").online_level == "partial"  # "…trực tuyến một phần hoặc trực tiếp…"
    assert proc("1.013083").online_level == "full"  # name: "…dịch vụ công trực tuyến toàn trình"
    # "Qua Cổng DVC Quốc gia đối với các TTHC đã toàn trình…" is a general rule, not a claim
    assert proc("1.008312").online_level == "unknown"
    assert proc("1.000889").online_level == "none"  # only an in-person row
    assert proc("1.008331").online_level == "unknown"  # an online row alone says nothing more


# --------------------------------------------------------------------------------------------
# Documents


def test_documents_grouped_by_case_with_forms() -> None:
    groups = proc("1.005040").documents
    assert [g.case for g in groups] == [
        "Các giấy tờ phải nộp đối với phương tiện thủy nội địa, tàu cá",
        "Các giấy tờ phải nộp đối với tàu biển",
        "Các giấy tờ phải xuất trình (bản chính)",
        "Hồ sơ khác",
    ]
    first = groups[0].items[0]
    assert (first.name, first.form, first.quantity) == (
        "Trình báo đường thủy nội địa theo mẫu (02 bản)",
        "MauTrinhbaoTN.docx",
        "2 bản chính",
    )
    assert groups[0].items[1].quantity == "0 bản chính, 2 bản sao"
    assert [len(g.items) for g in groups] == [2, 3, 2, 2]


def test_documents_to_submit_and_to_show() -> None:
    groups = proc("1.000080").documents  # "* Giấy tờ phải nộp:" … "* Lưu ý:" … "--"
    assert [g.case for g in groups] == [
        "Giấy tờ phải nộp",
        "Giấy tờ phải xuất trình",
        "Lưu ý",
        "",
    ]
    assert groups[0].items[-1].name.startswith("Văn bản của cơ quan y tế, cơ quan giám định")
    assert groups[-1].items[0].name.startswith("Mẫu hộ tịch điện tử tương tác")


def test_form_file_names_are_split_from_document_names() -> None:
    groups = proc("1.014267").documents
    assert groups[0].case.startswith("Trường hợp giấy phép khai thác khoáng sản nhóm II;")
    plan = groups[0].items[1]
    assert plan.name.startswith("Phương án đóng cửa mỏ một phần diện tích khu vực khai thác")
    assert plan.name.endswith("khu vực tạm thời cấm hoạt động khoáng sản")
    assert plan.form == "Mau 08-Phu luc_39.2025.TT-BNNMT_02.7.2025.docx"
    assert groups[0].items[4].form == "Mau 08 - Phu luc II_36.2025.TT-BNNMT_02.7.2025.doc"
    aviation = proc("1.000452").documents[0].items[0]  # "-Tờ khai …khônMẫu số 03_Tờ khai….docx"
    assert aviation.name == (
        "Tờ khai cấp/cấp lại Giấy phép cung cấp dịch vụ hàng không tại cảng hàng khôn"
    )
    assert aviation.form == "Mẫu số 03_Tờ khai cấp, cấp lại GP CCDVHK.docx"
    ships = proc("1.004004").documents
    assert ships[0].case == "Các giấy tờ phải nộp (bản chính), mỗi loại 01 bản, gồm"
    assert ships[1].case == "Các giấy tờ phải xuất trình (bản chính), bao gồm"
    assert ships[0].items[0].form.split("; ") == [
        "MauBankhainguoitrontrentau.docx",
        "MauBankhaivukhivavatlieuno.docx",
        "MauDanhsachhanhkhach.docx",
        "MauBankhaichung.docx",
        "MauDanhsachthuyenvien.docx",
    ]


def test_quantity_glued_to_a_year_and_quantities_inside_names() -> None:
    groups = proc("1.009129").documents
    assert [g.case for g in groups[:4]] == [
        "Địa điểm thu gom hàng lẻ",
        "Cửa hàng miễn thuế",
        "Kho ngoại quan",
        "Kho bảo thuế",
    ]
    duty_free = groups[1].items[0]  # "…ngày 15/06/20201 bản chính"
    assert duty_free.name.endswith("Nghị định số 67/2020/NĐ-CP ngày 15/06/2020")
    assert duty_free.quantity == "1 bản chính"
    # "…: 01 bản chính." inside a name does not end the row
    for group in groups:
        for item in group.items:
            assert sum(ch.isalpha() for ch in item.name) >= 10, item


def test_general_case_documents() -> None:
    (group,) = proc("1.000178").documents  # "--Tên giấy tờ…"
    assert group.case == ""
    assert len(group.items) == 8
    assert {i.quantity for i in group.items} == {"1 bản chính"}
    assert group.items[-1].name == "Đơn khiếu nại hoặc bản ghi nội dung khiếu nại"


# --------------------------------------------------------------------------------------------
# Legal basis


def refs(code: str) -> list[tuple[str, str]]:
    return [(r.title, r.number) for r in proc(code).legal_basis]


def test_legal_numbers_glued_to_titles_and_copies() -> None:
    assert refs("1.000178") == [
        (
            "Hướng dẫn xử lý khiếu nại, kiến nghị, phản ánh; giải quyết khiếu nại và quản lý "
            "công tác giải quyết khiếu nại trong công an nhân dân",
            "68/2013/TT-BCA",
        ),
        ("Luật Khiếu nại năm 2011", "02/2011/QH13"),  # "…năm 201102/2011/QH13"
        ("Quy định quy trình giải quyết khiếu nại trong công an nhân dân", "11/2015/TT-BCA"),
        ("Nghị định 05/2012/NĐ-CP", "05/2012/NĐ-CP"),  # "…05/2012/NĐ-CP05/2012/NĐ-CP"
    ]


def test_legal_numbers_after_a_year_range_and_local_resolutions() -> None:
    numbers = [n for _, n in refs("2.001428")]
    assert numbers == [
        "118/2025/NĐ-CP",
        "02/2017/TT-VPCP",
        "03/2025/TT-VPCP",
        "182/2025/NQ-HĐND",  # "giai đoạn 2026 - 2030182/2025/NQ-HĐND"
        "16/2026/QĐ-UBND",  # "giai đoạn 2026-203016/2026/QĐ-UBND"
    ]
    titles = dict((n, t) for t, n in refs("2.001428"))
    assert titles["182/2025/NQ-HĐND"].endswith("giai đoạn 2026 - 2030")
    assert titles["16/2026/QĐ-UBND"].endswith("giai đoạn 2026-2030")


def test_odd_legal_numbers() -> None:
    assert refs("1.002996")[0][1] == "20/2013/TTLT-BYT-BCT-BNNPTNT"
    assert refs("2.002799")[0] == ("Pháp lệnh Chi phí tố tụng năm 2024", "05/2024/UBTVQH15")
    assert refs("1.009793")[-1] == ("hợp nhất Luật Xây dựng", "48/VBHN-VPQH")
    numbers = [n for _, n in refs("1.002010")]
    assert "66.16/2026/NQ-CP" in numbers and "47/2019/TT-BTC" in numbers
    # "…85/2024/TT-BTС151/2025/TT-BTC" (a Cyrillic С): the first number is the title's own
    insurance = refs("1.010387")
    assert insurance[1][1] == "151/2025/TT-BTC"
    assert insurance[1][0].startswith("Sửa đổi, bổ sung một số điều của Thông tư số 69/2022/TT-BTC")
    assert "С" not in "".join(n for _, n in insurance)
    fire = [n for _, n in refs("1.013259")]  # "…ngân hàng.24/2026/NQ-CP  Nghị định…"
    assert fire == ["24/2026/NQ-CP", "105/2025/NĐ-CP", "161/2024/NĐ-CP"]


def test_legal_rows_without_a_full_number_cell() -> None:
    (ref,) = proc("1.014208").legal_basis  # number cell "24/2024" only
    assert ref.number == "24/2024/QĐ-UBND"
    assert ref.title.endswith("theo chuỗi giá trị")
    (spilled,) = proc("3.000337").legal_basis  # a fragment of the channels table, no header
    assert spilled.number == "269/2016/TT-BTC"
    assert spilled.title.startswith("Thông tư 269/2016/TT-BTC ngày 14/11/2016 của Bộ Tài chính")


# Fragments that cannot begin a title: a document kind whose first letter was lost
HEADLESS_TITLE = re.compile(
    r"(?:hông tư|uật |ghị định|ghị quyết|uyết định|uy định|ướng dẫn|ửa đổi)"
)


def test_a_dash_after_a_number_written_in_its_title_stays_title_text() -> None:
    # "Thông tư 10/2014/TT-BCA - Quy định…": the Q starts the title's words, not an issuer code
    police = refs("1.003482")
    assert police[0] == (
        "Thông tư 10/2014/TT-BCA - Quy định việc xử lý, giải quyết tố cáo và quản lý công tác "
        "giải quyết tố cáo trong công an nhân dân",
        "10/2014/TT-BCA",
    )
    assert [n for _, n in police] == [
        "10/2014/TT-BCA",
        "76/2012/NĐ-CP",
        "12/2015/TT-BCA",
        "91/2013/NĐ-CP",
        "03/2011/QH13",
    ]
    # "…31/2013/NĐ-CP\t05/2013/TT-BLĐTBXH - Hướng dẫn…"
    title, number = refs("1.004089")[-1]
    assert number == "05/2013/TT-BLĐTBXH"
    assert title.startswith("05/2013/TT-BLĐTBXH - Hướng dẫn về thủ tục lập hồ sơ")
    assert refs("1.001303")[0] == (
        "Thông tư liên tịch 09/2009/TTLT-BCA-BYT - Hướng dẫn khám sức khỏe để tuyển chọn công "
        "dân phục vụ có thời hạn trong Công an nhân dân",
        "09/2009/TTLT-BCA-BYT",
    )


def test_a_title_after_a_number_keeps_its_capital() -> None:
    # "…Hồ Chí Minh.84/2024/NĐ-CP- Luật An toàn…": the next title starts with "- "
    labour = dict((n, t) for t, n in refs("1.002613"))
    assert "84/2024/NĐ-CP-L" not in labour
    assert labour["84/2024/NĐ-CP"].endswith("cho chính quyền Thành phố Hồ Chí Minh")
    assert labour["24/2026/NQ-CP"].startswith("Luật An toàn, vệ sinh lao động")
    insurance = refs("2.000693")
    assert insurance[3][1] == "158/2025/NĐ-CP"
    assert insurance[4][0].startswith("Luật An toàn, vệ sinh lao động")
    # "…Bộ Xây dựngThông tư số 55/2025/TT-BXD-\tThông tư số 15/2025/TT-BNV…"
    assert refs("6.005706")[:2] == [
        ("Quy định về công tác thi đua, khen thưởng của Bộ Xây dựng", "55/2025/TT-BXD"),
        (
            "Thông tư số 15/2025/TT-BNV ngày 04 tháng 8 năm 2025 của Bộ trưởng Bộ Nội vụ quy định "
            "biện pháp để tổ chức, hướng dẫn thi hành Luật Thi đua, khen thưởng",
            "15/2025/TT-BNV",
        ),
    ]
    # "…của Chính phủ;46/2023/NĐ-CP - Điều 136 Luật Kinh doanh bảo hiểm;08/2022/QH15"
    assert refs("1.012358")[1:] == [
        ("Điều 74 Nghị định số 46/2023/NĐ-CP ngày 01/7/2023 của Chính phủ", "46/2023/NĐ-CP"),
        ("Điều 136 Luật Kinh doanh bảo hiểm", "08/2022/QH15"),
    ]


def test_titles_and_numbers_the_portal_cut_short_are_restored() -> None:
    # "…đường bộ60/2023/TT-BTChông tư số 06/2025/TT-BTC…": the source has no T at all
    for code in ("1.012575", "1.013067", "3.000346"):
        titles = dict((n, t) for t, n in refs(code))
        assert titles["06/2025/TT-BTC"].startswith("Thông tư số 06/2025/TT-BTC của Bộ Tài chính")
    assert refs("1.014155")[2][0].startswith("Thông tư sửa đổi, bổ sung một số điều")
    # "định số 96/2026/NĐ-CP…" (the decree lost "Nghị ") and "…ngày 15/5/2026.55/2026/TT-BTC"
    assert refs("1.009627") == [
        ("Nghị định số 96/2026/NĐ-CP ngày 31/3/2026", "96/2026/NĐ-CP"),
        ("Thông tư số 55/2026/TT-BTC ngày 15/5/2026", "55/2026/TT-BTC"),
        ("Luật Đầu tư số 143/2025/QH15 ngày 11/12/2025", "143/2025/QH15"),
    ]
    # "…quốc gia118/2025/NĐ-CLuật Đất đai…": a decree's code is always "NĐ-CP"
    assert [n for _, n in refs("1.012751")] == [
        "151/2025/NĐ-CP",
        "118/2025/NĐ-CP",
        "31/2024/QH15",
        "102/2024/NĐ-CP",
    ]


def test_rows_titled_by_their_own_number() -> None:
    # "…y tế25/2008/QH1246/2014/QH13 Sửa đổi…Luật 46/2014/QH13"
    assert refs("1.001656")[1:] == [
        ("Luật 25/2008/QH12 - Bảo hiểm y tế", "25/2008/QH12"),
        ("46/2014/QH13 Sửa đổi, bổ sung một số điều của Luật Bảo hiểm y tế", "46/2014/QH13"),
    ]
    # "…thực vậtsố 07/2026/TT-BNNMT07/2022/QH15 - Luật sửa đổi…Sở hữu trí tuệ07/2022/QH15"
    plants = refs("1.012072")
    assert [n for _, n in plants][-2:] == ["07/2026/TT-BNNMT", "07/2022/QH15"]
    assert plants[-2][0].endswith("trong lĩnh vực trồng trọt và bảo vệ thực vật")
    assert plants[-1][0] == (
        "07/2022/QH15 - Luật sửa đổi, bổ sung một số điều của Luật Sở hữu trí tuệ"
    )
    assert [n for _, n in refs("1.004198")] == [
        "04/2012/UBTVQH13",
        "05/2013/TT-BLĐTBXH",
        "26/2005/PL-UBTVQH11",
        "31/2013/NĐ-CP",
    ]


def test_no_pinned_legal_ref_takes_a_letter_of_the_next_title() -> None:
    for code in _pinned():
        for title, number in refs(code):
            assert not re.search(r"-[A-ZĐ]$", number), (code, number)
            assert not HEADLESS_TITLE.match(title), (code, title)


# --------------------------------------------------------------------------------------------
# Result, steps and the other fields


def test_result_without_page_chrome() -> None:
    p = proc("1.000178")
    assert (p.result, p.result_code) == (
        "Quyết định giải quyết khiếu nại lần 1, lần 2",
        "KQ.G01.00262",
    )
    two = proc("1.003072")
    assert two.result == "Văn bản chấp thuận mua bán, chuyển nhượng phần vốn góp\nvăn bản từ chối"
    assert two.result_code == "KQ.G19.000096, KQ.G19.000560"
    described = proc("1.007923")  # the "Mô tả" text says something: kept
    assert described.result.endswith(
        "Thời hạn của Quyết định công nhận phân bón lưu hành tại Việt Nam là 10 năm."
    )
    assert described.result_code == "KQ.G10.001313"
    defence = proc("1.014740")
    assert (defence.result, defence.result_code) == ("Quyết định hành chính", "BQP-CCS.KQ0001")
    for code in ("1.000178", "1.003072", "1.007923", "1.014740"):
        result = proc(code).result
        assert "Mã:" not in result and "Từ khóa" not in result
        assert "Chọn cơ quan thực hiện" not in result and "Nộp hồ sơ" not in result


def test_steps_split_at_buoc_markers() -> None:
    casino = proc("1.000480").steps  # "+ Bước 1: … + Bước 2: … + Bước 3: …" on one line
    assert [s[:7] for s in casino] == ["Bước 1:", "Bước 2:", "Bước 3:"]
    assert casino[0].endswith("nơi doanh nghiệp đặt điểm kinh doanh casino.")
    livestock = proc("1.014952").steps  # "- Bước 1. Đăng nhập hệ thống\n\nChủ cơ sở…"
    assert len(livestock) == 4
    assert livestock[0].startswith("Bước 1. Đăng nhập hệ thống\nChủ cơ sở chăn nuôi lập tài khoản")
    assert [s.split("\n")[0] for s in proc("1.000178").steps] == [
        "Bước 1: Thụ lý giải quyết khiếu nại",
        "Bước 2: Kiểm tra lại quyết định hành chính, hành vi hành chính bị khiếu nại (theo quy "
        "định tại Điều 6 của Thông tư số 11/2015/TT-BCA, ngày 02/3/2015 của Bộ Công an quy định "
        "quy trình giải quyết khiếu nại trong Công an nhân dân).",
        "Bước 3: Xác minh nội dung khiếu nại",
        "Bước 4: Tổ chức đối thoại",
        "Bước 5: Ra quyết định giải quyết khiếu nại",
    ]


def test_steps_without_markers_split_per_line() -> None:
    steps = proc("1.013076").steps
    assert steps[0].startswith(
        "Đăng ký sang tên xe thực hiện bằng dịch vụ công trực tuyến một phần"
    )
    assert [s[:7] for s in steps[1:]] == [f"Bước {n}:" for n in range(1, 7)]


def test_lists_audience_levels_agencies_related() -> None:
    assert proc("1.000771").audience == [
        "Công dân Việt Nam",
        "Cán bộ, công chức, viên chức",
        "Người Việt Nam định cư ở nước ngoài",
        "Người nước ngoài",
    ]
    assert proc("1.000178").audience == [
        "Tổ chức (không bao gồm doanh nghiệp, HTX)",
        "Công dân Việt Nam",
    ]
    assert proc("1.013065").levels == ["Cấp bộ", "Cấp tỉnh", "Cấp xã"]
    assert proc("1.010685").agencies.coordinating == ["Bộ Công thương", "Bộ Tài chính"]
    receiving = proc("2.001428").agencies.receiving
    assert len(receiving) == 4
    assert receiving[0] == (
        "Trung tâm Phục vụ hành chính công tỉnh (số 02, đường Nguyễn Chí Thanh, phường Thành "
        "Sen, tỉnh Hà Tĩnh) để thực hiện phi địa giới hành chính."
    )
    assert proc("5.003809").related == [
        "Hướng dẫn việc thực hiện các quy định pháp luật về quy hoạch đô thị và nông thôn, kiến "
        "trúc theo đề nghị của các Bộ, ngành, địa phương và các cơ quan, tổ chức liên quan"
    ]


def test_whole_record_fields_and_full_text() -> None:
    p = proc("1.000178")
    assert p.agencies.competent == ["Bộ Công an"]
    assert p.agencies.implementing == ["Thanh tra Bộ"]
    assert p.agencies.receiving == [] and p.related == []  # "" and "Không có thông tin"
    assert (p.decision, p.catalogue, p.field) == ("QĐ/0001-BCA", "bo-cong-an", "Khiếu nại, tố cáo")
    assert p.levels == ["Cấp bộ"]
    assert p.procedure_type == "TTHC được giao luật quy định chi tiết"
    assert p.source_url.startswith("https://dichvucong.gov.vn/thu-tuc-hanh-chinh/")
    assert p.record_date is None
    assert p.conditions.startswith("Đảm bảo đúng quy định tại Điều 2, Điều 8 và Điều 11")
    assert p.online_level == "none"  # post and in-person rows only
    text = p.full_text
    assert text.startswith(f"Tên thủ tục: {p.name}\nMã thủ tục: 1.000178")
    for piece in ("Căn cứ pháp lý:", "Luật Khiếu nại năm 2011 (02/2011/QH13)", "Bước 5:"):
        assert piece in text
    for chrome in ("Chọn cơ quan thực hiện", "Từ khóa", "Không có thông tin", "Mã: KQ"):
        assert chrome not in text
    json.dumps(p.model_dump(mode="json"), ensure_ascii=False)  # serialisable


# --------------------------------------------------------------------------------------------
# Pure helpers on small inputs


@pytest.mark.parametrize(
    ("text", "expected"),
    [("70,000", 70000), ("2.000.000", 2000000), ("15000000", 15000000), ("145", 145)],
)
def test_parse_number(text: str, expected: float) -> None:
    assert parse_number(text) == expected


def test_parse_number_with_a_multiplier_keeps_decimals() -> None:
    assert parse_number("2,5", has_multiplier=True) == 2.5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("70,000 VNĐ", [(70000, "VND")]),
        ("mức thu 100.000đ/hồ sơ", [(100000, "VND")]),
        ("Lệ phí: 1 triệu đồng/lần", [(1000000, "VND")]),
        ("Thị thực: 50 USD/thị thực", [(50, "USD")]),
        ("15000000/lần Đồng (Đối với …)", [(15000000, "VND")]),
        ("cấp mới: 8.000.000/lần; thêm: 2.000.000/lần", [(8000000, "VND"), (2000000, "VND")]),
        ("Dưới 20 tỷ: 10 triệu đồng/ Giấy chứng nhận", [(10000000, "VND")]),
        ("Thông tư số 64/2025/TT-BTC ngày 30/6/2025 của Bộ Tài chính", []),
        ("Nghị định 126/2020/NĐ-CP", []),
    ],
)
def test_find_amounts(text: str, expected: list[tuple[float, str]]) -> None:
    assert [(a.amount, a.currency) for a in find_amounts(text)] == expected


def test_amount_keeps_its_text_and_context() -> None:
    (amount,) = find_amounts("Lệ phí cấp giấy chứng nhận: 40.000 đồng/01 Giấy chứng nhận.")
    assert amount.text == "40.000 đồng/01 Giấy chứng nhận"
    assert amount.context == "Lệ phí cấp giấy chứng nhận"
    assert amount.amount_vnd == 40000


def test_bare_time_takes_its_unit_from_the_row_description() -> None:
    described = parse_processing_time("5", "05 (năm) ngày làm việc kể từ ngày nhận hồ sơ")
    assert (described.value, described.unit, described.raw) == (5.0, "working_days", "5")
    assert parse_processing_time("3", "Trong 03 giờ kể từ khi nhận").unit == "hours"
    assert parse_processing_time("3", "10 ngày làm việc").unit == "unknown"  # another number
    assert parse_processing_time("Không có thông tin") == parse_processing_time("")
    assert parse_processing_time("Không có thông tin").value is None


def test_split_note_keeps_nested_parentheses() -> None:
    assert split_note("(Phí (a) và (b): 10.000 đồng)Mô tả") == (
        "Phí (a) và (b): 10.000 đồng",
        "Mô tả",
    )
    assert split_note("(1) Trường hợp A: nộp tại xã") == ("", "(1) Trường hợp A: nộp tại xã")
    assert split_note("Không ngoặc") == ("", "Không ngoặc")


def test_fee_rules_on_small_inputs() -> None:
    local, _ = parse_fee("Miễn phí", "Mức thu do HĐND cấp tỉnh quy định")
    assert local.set_locally and not local.free and local.amount_vnd is None
    free, warnings = parse_fee("Miễn phí", "Miễn lệ phí")
    assert free.free and warnings == []
    dated, _ = parse_fee("Miễn phí", "25.000đ/giấy (áp dụng đến hết ngày 31 tháng 12 năm 2026)")
    assert (dated.amount_vnd, dated.valid_until) == (25000, dt.date(2026, 12, 31))
    unknown, _ = parse_fee("Không có thông tin", "")
    assert (unknown.label, unknown.free, unknown.amounts) == ("", False, [])


def test_legal_basis_on_small_inputs() -> None:
    table = "Tên văn bản pháp lýMã văn bản"
    (ref,) = parse_legal_basis(table + "Luật Hộ tịch60/2014/QH13")
    assert (ref.title, ref.number) == ("Luật Hộ tịch", "60/2014/QH13")
    assert parse_legal_basis("Không có thông tin") == []
    assert parse_legal_basis(table) == []
    two = parse_legal_basis(
        table + "Quyết định 1234/QĐ-TTg1234/QĐ-TTgThông tư 85/2019/TT-BTC85/2019/TT-BTC"
    )
    assert [(r.title, r.number) for r in two] == [
        ("Quyết định 1234/QĐ-TTg", "1234/QĐ-TTg"),
        ("Thông tư 85/2019/TT-BTC", "85/2019/TT-BTC"),
    ]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (  # a known code keeps its last letter before lower-case words
            "Nghị định quy định chi tiết15/2024/NĐ-CPsửa đổi Luật Đất đai31/2024/QH15",
            [
                ("Nghị định quy định chi tiết", "15/2024/NĐ-CP"),
                ("sửa đổi Luật Đất đai", "31/2024/QH15"),
            ],
        ),
        (  # an unknown code gives the next title its capital back
            "Thông tư mới12/2020/TT-BXYZQuy định khác34/2021/TT-BXYZ",
            [("Thông tư mới", "12/2020/TT-BXYZ"), ("Quy định khác", "34/2021/TT-BXYZ")],
        ),
        (
            "Quyết định 33/2016/QĐ-TTg - Ban hành Quy chế33/2016/QĐ-TTg",
            [("Quyết định 33/2016/QĐ-TTg - Ban hành Quy chế", "33/2016/QĐ-TTg")],
        ),
        (
            "Quy định chi tiết158/2025/NĐ-CP- Luật An toàn84/2015/QH13",
            [("Quy định chi tiết", "158/2025/NĐ-CP"), ("Luật An toàn", "84/2015/QH13")],
        ),
        (
            "Quy định khen thưởng152/2025/NĐ-CP-\tThông tư số 15/2025/TT-BNV15/2025/TT-BNV",
            [
                ("Quy định khen thưởng", "152/2025/NĐ-CP"),
                ("Thông tư số 15/2025/TT-BNV", "15/2025/TT-BNV"),
            ],
        ),
        (
            "Thực hiện một cửa118/2025/NĐ-CLuật Đất đai31/2024/QH15",
            [("Thực hiện một cửa", "118/2025/NĐ-CP"), ("Luật Đất đai", "31/2024/QH15")],
        ),
        (
            "Phí đăng ký60/2023/TT-BTChông tư số 06/2025/TT-BTC06/2025/TT-BTC",
            [("Phí đăng ký", "60/2023/TT-BTC"), ("Thông tư số 06/2025/TT-BTC", "06/2025/TT-BTC")],
        ),
        (
            "Thông tư số 55/2026/TT-BTC ngày 15/5/2026.55/2026/TT-BTCLuật Đầu tư143/2025/QH15",
            [
                ("Thông tư số 55/2026/TT-BTC ngày 15/5/2026", "55/2026/TT-BTC"),
                ("Luật Đầu tư", "143/2025/QH15"),
            ],
        ),
    ],
    ids=[
        "known-code-before-lower-case",
        "unknown-code-gives-the-capital-back",
        "dashed-title-after-a-number-in-it",
        "dash-bullet-starts-the-next-title",
        "dash-and-tab-before-the-next-title",
        "decree-code-cut-short",
        "next-title-without-its-first-letter",
        "sentence-year-glued-by-a-dot",
    ],
)
def test_legal_number_boundaries_on_small_inputs(
    rows: str, expected: list[tuple[str, str]]
) -> None:
    parsed = parse_legal_basis("Tên văn bản pháp lýMã văn bản" + rows)
    assert [(r.title, r.number) for r in parsed] == expected


# --------------------------------------------------------------------------------------------
# parse_record contract and import_portal


def _record(code: str = "1.000001", name: str = "Thủ tục một", **extra: str) -> dict[str, str]:
    return {"ma_thu_tuc": code, "ten_thu_tuc": name, **extra}


def test_parse_record_refuses_records_that_cannot_be_procedures() -> None:
    with pytest.raises(ValueError, match="no procedure code"):
        parse_record(_record(code="  "))
    with pytest.raises(ValueError, match="no name"):
        parse_record(_record(name="Không có thông tin"))
    with pytest.raises(ValueError, match="JSON object"):
        parse_record(["not", "a", "record"])  # type: ignore[arg-type]


def test_parse_record_minimal_record_and_name_whitespace() -> None:
    p, warnings = parse_record(_record(name="  Đăng ký   khai sinh\n"))
    assert p.name == "Đăng ký khai sinh"
    assert p.channels == [] and p.documents == [] and p.online_level == "unknown"
    assert "no steps (trinh_tu_thuc_hien)" in warnings


def test_looks_like_portal_record() -> None:
    assert looks_like_portal_record({"ma_thu_tuc": "1", "ten_thu_tuc": "x"})
    assert not looks_like_portal_record({"code": "1", "name": "x"})
    assert not looks_like_portal_record([{"ma_thu_tuc": "1", "ten_thu_tuc": "x"}])


def _write_lines(path: Path, lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("name", ["records.jsonl", "records.jsonl.gz"])
def test_import_portal_lines_reports_each_bad_line(tmp_path: Path, name: str) -> None:
    good = json.dumps(_pinned()["1.002613"], ensure_ascii=False)
    path = tmp_path / name
    _write_lines(
        path,
        [
            good,
            "",
            '{"ma_thu_tuc": "x"',  # broken JSON
            '["a list"]',  # not an object
            json.dumps(_record(name="")),  # no name
            json.dumps(_record("1.000002", "Thủ tục hai")),
        ],
    )
    result = import_portal(path)
    assert (result.format, result.source) == ("portal", str(path))
    assert [p.code for p in result.procedures] == ["1.002613", "1.000002"]
    errors = [p for p in result.problems if p.severity == "error"]
    assert [e.record for e in errors] == [f"{name}:3", f"{name}:4", "1.000001"]
    assert "not valid JSON" in errors[0].reason
    assert "expected a JSON object" in errors[1].reason
    assert "no name" in errors[2].reason
    assert any(p.record == "1.000002" and p.severity == "warning" for p in result.problems)


def test_import_portal_json_files_and_folders(tmp_path: Path) -> None:
    single = tmp_path / "one.json"
    single.write_text(json.dumps(_pinned()["1.001200"], ensure_ascii=False), encoding="utf-8")
    assert [p.code for p in import_portal(single).procedures] == ["1.001200"]

    folder = tmp_path / "folder"
    folder.mkdir()
    records: list[Any] = [_pinned()["3.000340"], _pinned()["1.003358"], 42]
    (folder / "list.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    (folder / "notes.txt").write_text("ignored", encoding="utf-8")
    result = import_portal(folder)
    assert sorted(p.code for p in result.procedures) == ["1.003358", "3.000340"]
    assert sorted(p.record for p in result.problems if p.severity == "error") == [
        "broken.json",
        "list.json[3]",
    ]

    empty = tmp_path / "empty"
    empty.mkdir()
    assert import_portal(empty).warnings == 1
    missing = import_portal(tmp_path / "missing.jsonl")
    assert missing.failed == 1 and missing.procedures == []
