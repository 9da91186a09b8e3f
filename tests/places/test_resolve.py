"""resolve and the answer phrases, checked against the bundled data."""

from __future__ import annotations

from knowledge.places import Resolution, find_places, resolve, where_to_go
from knowledge.places.where import filing_level


def first(text: str) -> Resolution:
    return resolve(find_places(text)[0])


def test_old_province_to_new() -> None:
    assert first("tỉnh Hà Nam").province.name == "Tỉnh Ninh Bình"
    assert first("Bình Dương").province.name == "Thành phố Hồ Chí Minh"
    assert first("Bà Rịa - Vũng Tàu").province.name == "Thành phố Hồ Chí Minh"
    assert first("ha giang").province.name == "Tỉnh Tuyên Quang"
    assert first("tỉnh Hà Nam").changed
    assert not first("Hà Nội").changed


def test_old_ward_to_new_ward() -> None:
    r = first("phuong ben nghe quan 1")
    assert [c.name for c in r.communes] == ["Phường Sài Gòn"]
    assert r.province.name == "Thành phố Hồ Chí Minh" and r.changed
    assert r.old_district is not None and r.old_district.name == "Quận 1"


def test_split_ward_lists_every_successor() -> None:
    r = first("phường Kim Mã, quận Ba Đình")
    assert {c.name for c in r.communes} == {"Phường Ngọc Hà", "Phường Ba Đình", "Phường Giảng Võ"}
    vi = where_to_go("phường Kim Mã, quận Ba Đình", "vi", None) or ""
    assert "nay được chia vào" in vi and "Phường Giảng Võ".lower() in vi.lower()


def test_district_without_successor() -> None:
    r = first("huyện Đông Anh")
    assert r.abolished and r.changed
    assert "Xã Đông Anh" in {c.name for c in r.communes}
    vi = where_to_go("huyện Đông Anh", "vi", None) or ""
    assert "không còn cấp huyện" in vi and "không còn tồn tại" in vi
    assert r.communes[0].name == "Xã Đông Anh"
    assert len(r.communes) == 6 and "đơn vị khác" not in vi
    many = first("huyện Củ Chi")
    assert len(many.communes) > 6
    rest = len(many.communes) - 6
    assert f"và {rest} đơn vị khác, TP. Hồ Chí Minh." in (
        where_to_go("huyện Củ Chi", "vi", None) or ""
    )
    assert "there are no districts any more" in (where_to_go("huyện Đông Anh", "en", None) or "")


def test_new_unit_resolves_to_itself() -> None:
    r = first("phường Sài Gòn")
    assert r.unit.era == "new" and r.communes == (r.unit,) and not r.changed


def test_phrase_in_both_languages() -> None:
    vi = where_to_go("phường Bến Nghé quận 1", "vi", None)
    assert vi == (
        "Theo địa giới mới (từ 1/7/2025), phường Bến Nghé, quận 1, TP. Hồ Chí Minh nay thuộc "
        "phường Sài Gòn, TP. Hồ Chí Minh.\n"
        "Nộp hồ sơ tại Bộ phận Một cửa (Trung tâm phục vụ hành chính công) phường Sài Gòn "
        "hoặc Trung tâm Phục vụ hành chính công TP. Hồ Chí Minh."
    )
    en = where_to_go("phuong ben nghe quan 1", "en", None)
    assert en == (
        "Under the new boundaries (from 1 July 2025), Bến Nghé ward, District 1, Hồ Chí Minh "
        "City is now part of Sài Gòn ward, Hồ Chí Minh City.\n"
        "File at the one-stop desk (Public Administration Service Centre) of Sài Gòn ward or "
        "at the Public Administration Service Centre of Hồ Chí Minh City."
    )


def test_filing_level_picks_the_office() -> None:
    commune = where_to_go("phường Bến Nghé quận 1", "vi", "Cấp xã") or ""
    assert commune.endswith("Bộ phận Một cửa (Trung tâm phục vụ hành chính công) phường Sài Gòn.")
    province = where_to_go("phường Bến Nghé quận 1", "vi", "province") or ""
    assert province.endswith("Nộp hồ sơ tại Trung tâm Phục vụ hành chính công TP. Hồ Chí Minh.")
    assert filing_level("Cấp tỉnh") == "province" and filing_level(None) is None


def test_province_phrase_names_the_merger() -> None:
    vi = where_to_go("tỉnh Hà Nam", "vi", "province") or ""
    assert vi.startswith("Theo địa giới mới (từ 1/7/2025), tỉnh Hà Nam nay thuộc tỉnh Ninh Bình")
    assert "Trung tâm Phục vụ hành chính công tỉnh Ninh Bình" in vi


def test_ambiguous_name_asks_for_the_province() -> None:
    vi = where_to_go("xã Tân Thành", "vi", None) or ""
    assert vi.startswith("Có ") and "vui lòng cho biết tỉnh/thành phố" in vi
    assert "Nộp hồ sơ" not in vi


def test_no_place_gives_none() -> None:
    assert where_to_go("lệ phí làm căn cước bao nhiêu", "vi", "commune") is None
