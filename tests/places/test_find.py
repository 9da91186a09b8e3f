"""find_places: every typing style, and no places read into ordinary questions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.places import PlaceMatch, find_places
from knowledge.text import fold

EVALS = Path(__file__).resolve().parents[2] / "evals" / "data"


def names(text: str) -> list[tuple[str, str]]:
    return [(m.units[0].name, m.units[0].era) for m in find_places(text)]


@pytest.mark.parametrize(
    "text",
    [
        "phường Bến Nghé quận 1",
        "phuong ben nghe quan 1",
        "P.Bến Nghé, Q.1, TP.HCM",
        "p. ben nghe q1 tphcm",
        "Bến Nghé, quận 1",
        "làm khai sinh ở PHƯỜNG BẾN NGHÉ QUẬN 1",
    ],
)
def test_ward_and_district_in_every_style(text: str) -> None:
    found = names(text)
    assert ("Phường Bến Nghé", "old") in found
    assert ("Quận 1", "old") in found


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("huyen Dong Anh", "Huyện Đông Anh"),
        ("huyện Đông Anh", "Huyện Đông Anh"),
        ("tỉnh Hà Nam", "Tỉnh Hà Nam"),
        ("tinh ha nam", "Tỉnh Hà Nam"),
        ("Bình Dương", "Tỉnh Bình Dương"),
        ("toi o binh duong", "Tỉnh Bình Dương"),
        ("Bà Rịa - Vũng Tàu", "Tỉnh Bà Rịa - Vũng Tàu"),
        ("brvt", "Tỉnh Bà Rịa - Vũng Tàu"),
        ("thị xã Sơn Tây", "Thị xã Sơn Tây"),
        ("thanh pho thu duc", "Thành phố Thủ Đức"),
        ("TP Vũng Tàu", "Thành phố Vũng Tàu"),
        ("đặc khu Phú Quốc", "Đặc khu Phú Quốc"),
        ("thừa thiên huế", "Thành phố Huế"),
    ],
)
def test_names_prefixes_and_aliases(text: str, name: str) -> None:
    assert [n for n, _ in names(text)] == [name]


@pytest.mark.parametrize("text", ["TP.HCM", "tp hcm", "HCM", "Sài Gòn", "sai gon", "Hồ Chí Minh"])
def test_ho_chi_minh_city_spellings(text: str) -> None:
    assert names(text) == [("Thành phố Hồ Chí Minh", "new")]


def test_new_unit_is_preferred_unless_an_old_district_is_named() -> None:
    assert names("phường Bến Thành") == [("Phường Bến Thành", "new")]
    assert names("phường Bến Thành quận 1")[0] == ("Phường Bến Thành", "old")


def test_context_tells_same_named_units_apart() -> None:
    [ward, *_] = find_places("phuong 12 quan tan binh tphcm")
    assert len(ward.units) == 1 and ward.units[0].name == "Phường 12"
    many = find_places("xã Tân Thành")
    assert len(many) == 1 and len(many[0].units) > 1


def test_match_offsets_and_flags() -> None:
    [match] = find_places("Tôi ở huyện Đông Anh")
    assert isinstance(match, PlaceMatch)
    assert match.text == "huyện Đông Anh" and match.prefixed and match.level == "district"
    assert "Tôi ở huyện Đông Anh"[match.start : match.end] == match.text


@pytest.mark.parametrize(
    "text",
    [
        "Hòa Bình",  # peace
        "Tân Bình",
        "An Phú",
        "sống trong hòa bình",
        "đăng ký kết hôn cần giấy tờ gì",
        "làm giấy khai sinh cho con",
        "tham gia lai bhxh tu nguyen",  # "tham gia lại", not Gia Lai
        "xã hội",
        "Xã hội hóa",
        "cơ quan thuế",
        "co quan thue o dau",
        "tình trạng hồ sơ",
        "người Việt Nam định cư ở nước ngoài",
        "Trụ sở: 44 Trần Phú",
        "phương án",
        "xa nha qua",
        "Huế",
    ],
)
def test_no_place_in_ordinary_words(text: str) -> None:
    assert find_places(text) == []


def test_ordinary_word_names_count_with_a_prefix_or_a_place_around_them() -> None:
    assert names("tỉnh Hòa Bình") == [("Tỉnh Hòa Bình", "old")]
    assert ("Tỉnh Hòa Bình", "old") in names("huyện Lương Sơn, Hòa Bình")
    assert names("quận Tân Bình") == [("Quận Tân Bình", "old")]


GENUINE = {"ha noi", "hanoi", "sai gon", "da nang", "ho chi minh", "nghe an"}
"""Every place the evals' questions name (read and checked by hand)."""


def test_no_false_places_in_the_eval_questions() -> None:
    texts: list[str] = []
    for path in sorted(EVALS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                text = row.get("query") or row.get("question") or row.get("text")
                if text:
                    texts.append(text)
    assert len(texts) > 500
    found = [fold(m.text).lower() for t in texts for m in find_places(t)]
    assert set(found) <= GENUINE
    assert len(found) <= 20


def test_names_do_not_cross_punctuation_but_keep_hyphens_and_apostrophes() -> None:
    found = names("phường Tân Hòa, thành phố Hòa Bình, tỉnh Hòa Bình")
    assert found[0] == ("Phường Tân Hòa", "old")
    assert ("Xã Ea M'nang", "old") in names("xã Ea M'nang, huyện Cư M'gar, tỉnh Đắk Lắk")
    assert names("phường Kim Liên, quận Đống Đa")[1] == ("Quận Đống Đa", "old")


def test_every_old_commune_is_found_from_its_full_address() -> None:
    from knowledge.places import label, load_table

    table = load_table()
    misses = 0
    for unit in table.old_communes.values():
        district = table.old_districts[unit.district]
        province = table.old_provinces[unit.province]
        text = f"{label(unit, 'vi')}, {label(district, 'vi')}, {label(province, 'vi')}"
        found = find_places(text)
        misses += not any(m.units == (unit,) for m in found)
    assert misses <= 10  # same-named units whose names differ only in diacritics


@pytest.mark.parametrize(
    "text",
    ["I live in Ben Nghe ward, District 1", "Ward Ben Nghe, District 1, Ho Chi Minh City"],
)
def test_english_addresses(text: str) -> None:
    found = names(text)
    assert ("Phường Bến Nghé", "old") in found and ("Quận 1", "old") in found


def test_english_order_keeps_offsets() -> None:
    from knowledge.places.match import english_order

    text = "I live in Ben Nghe ward, Cu Chi district."
    swapped = english_order(text)
    assert swapped == "I live in ward Ben Nghe, district Cu Chi."
    assert len(swapped) == len(text)


@pytest.mark.parametrize(
    "text", ["in my district the office is far", "which ward office handles this?", "the commune"]
)
def test_english_unit_words_alone_are_no_place(text: str) -> None:
    assert find_places(text) == []
