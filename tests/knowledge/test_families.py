"""Variant families: derived traits, family keys and the default member a question means."""

from __future__ import annotations

import pytest

from knowledge.families import Cues, Traits, family_key, pick_default, traits_of
from knowledge.schema import Procedure

PASSPORT_PROVINCE = ("Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)", ["Cấp tỉnh"])
PASSPORT_CENTRAL = (
    "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp trung ương)",
    ["Cấp bộ"],
)
ID_COMMUNE = ("Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên", ["Cấp xã"])
ID_PROVINCE = (
    "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên (thực hiện tại cấp tỉnh)",
    ["Cấp tỉnh"],
)
ID_CHILD = ("Cấp thẻ căn cước cho người dưới 14 tuổi", ["Cấp xã"])
PERMIT = ("Cấp giấy phép xây dựng mới đối với công trình cấp III, cấp IV", ["Cấp xã"])
PERMIT_EXTENSION = ("Gia hạn giấy phép xây dựng đối với công trình cấp III, cấp IV", ["Cấp xã"])
RECORD = (
    "Cấp Phiếu Lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
    ["Cấp tỉnh"],
)
RECORD_AGENCY = ("Cấp Phiếu Lý lịch tư pháp theo yêu cầu của cơ quan nhà nước", ["Cấp tỉnh"])
MARRIAGE = ("Đăng ký kết hôn", ["Cấp xã"])
MARRIAGE_FOREIGN = ("Đăng ký kết hôn có yếu tố nước ngoài", ["Cấp xã"])


def t(record: tuple[str, list[str]], audience: list[str] | None = None) -> Traits:
    return traits_of(record[0], record[1], audience or ["Công dân Việt Nam"])


def test_level_twins_share_a_family_key() -> None:
    assert family_key(PASSPORT_PROVINCE[0]) == family_key(PASSPORT_CENTRAL[0])
    assert family_key(ID_COMMUNE[0]) == family_key(ID_PROVINCE[0])
    assert family_key(ID_COMMUNE[0]) != family_key(ID_CHILD[0])
    assert family_key("Thủ tục đăng ký khai sinh") == family_key("Đăng ký khai sinh")


def test_traits_come_from_the_record_itself() -> None:
    assert t(PASSPORT_PROVINCE).level == 1
    assert t(PASSPORT_CENTRAL).level == 2  # the name's qualifier wins over the field
    assert t(ID_COMMUNE).level == 0
    assert t(ID_CHILD).minors and not t(ID_COMMUNE).minors
    assert "extension" in t(PERMIT_EXTENSION).variants
    assert "foreign" in t(MARRIAGE_FOREIGN).variants
    assert t(RECORD_AGENCY).officials and not t(RECORD).officials
    assert t(("Đăng ký doanh nghiệp", ["Cấp tỉnh"]), ["Doanh nghiệp"]).organisations
    assert Traits.from_tags(t(ID_CHILD).tags()) == t(ID_CHILD)


def test_the_procedure_record_stores_its_family_and_variant() -> None:
    p = Procedure(code="1.001471", name=PASSPORT_CENTRAL[0], levels=PASSPORT_CENTRAL[1])
    assert p.family == "cap ho chieu pho thong o trong nuoc"
    assert p.variant == ["level:central"]
    assert Procedure.model_validate_json(p.model_dump_json()) == p


def members(*records: tuple[str, list[str]]) -> list[tuple[str, Traits]]:
    return [(record[0], t(record)) for record in records]


@pytest.mark.parametrize(
    ("question", "records", "expected"),
    [
        ("lam ho chieu can gi", (PASSPORT_PROVINCE, PASSPORT_CENTRAL), PASSPORT_PROVINCE),
        (
            "How much does a passport cost?",
            (PASSPORT_CENTRAL, PASSPORT_PROVINCE),
            PASSPORT_PROVINCE,
        ),
        ("làm hộ chiếu ở cấp trung ương", (PASSPORT_PROVINCE, PASSPORT_CENTRAL), PASSPORT_CENTRAL),
        ("lam can cuoc mat bao lau", (ID_PROVINCE, ID_COMMUNE, ID_CHILD), ID_COMMUNE),
        ("làm căn cước cho con 10 tuổi", (ID_COMMUNE, ID_PROVINCE, ID_CHILD), ID_CHILD),
        ("ID card for my child", (ID_COMMUNE, ID_CHILD), ID_CHILD),
        ("xin giấy phép xây dựng nhà ở", (PERMIT_EXTENSION, PERMIT), PERMIT),
        ("gia han giay phep xay dung", (PERMIT, PERMIT_EXTENSION), PERMIT_EXTENSION),
        ("xin lý lịch tư pháp", (RECORD_AGENCY, RECORD), RECORD),
        ("đăng ký kết hôn cần gì", (MARRIAGE_FOREIGN, MARRIAGE), MARRIAGE),
        ("kết hôn với người nước ngoài", (MARRIAGE, MARRIAGE_FOREIGN), MARRIAGE_FOREIGN),
    ],
)
def test_the_default_member(
    question: str, records: tuple[tuple[str, list[str]], ...], expected: tuple[str, list[str]]
) -> None:
    assert pick_default(members(*records), Cues.of(question)) == expected[0]


def test_genuinely_different_members_tie_so_there_is_no_default() -> None:
    motorbike = ("Đăng ký xe mô tô, xe gắn máy", ["Cấp xã"])
    car = ("Đăng ký xe ô tô", ["Cấp xã"])
    assert pick_default(members(motorbike, car), Cues.of("đăng ký xe")) is None
    assert pick_default([], Cues.of("đăng ký xe")) is None


def test_an_imported_vehicle_is_a_variant_the_question_names() -> None:
    imported = ("Đăng ký xe lần đầu đối với xe nhập khẩu", ["Cấp tỉnh"])
    domestic = ("Đăng ký xe lần đầu đối với xe sản xuất, lắp ráp trong nước", ["Cấp tỉnh"])
    both = members(imported, domestic)
    assert pick_default(both, Cues.of("đăng ký xe lần đầu")) == domestic[0]
    assert pick_default(both, Cues.of("đăng ký xe nhập khẩu lần đầu")) == imported[0]


def test_everyday_words_do_not_name_a_level() -> None:
    # "sổ đỏ" folds to "so do", which is not a provincial department ("sở …")
    assert Cues.of("sang tên sổ đỏ mất bao lâu").level is None
    assert Cues.of("nộp ở sở tư pháp").level == 1
    assert Cues.of("làm hộ chiếu ở cục quản lý xuất nhập cảnh").level == 2
