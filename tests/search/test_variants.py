"""Sibling procedures: a variant the question did not ask for is counted, one it asked for is not."""

from __future__ import annotations

import pytest

from knowledge.search.variants import (
    asks_for_armed_forces,
    asks_for_organisation,
    cue_text,
    name_head,
    serves_armed_forces,
    serves_organisations,
    variant_balance,
)
from knowledge.text import fold, normalize_lower


def balance(name: str, question: str, *, foreigner: bool = False) -> tuple[int, int]:
    """variant_balance as the searcher calls it: folded and accented question."""
    return variant_balance(
        normalize_lower(name),
        fold(question),
        foreigner=foreigner,
        accented_question=normalize_lower(question, max_chars=None),
    )


@pytest.mark.parametrize(
    ("name", "question", "expected"),
    [
        ("Cấp lại thẻ căn cước", "làm thẻ căn cước cho con", 1),
        ("Cấp lại thẻ căn cước", "mất thẻ căn cước làm lại", 0),
        ("Cấp lại thẻ căn cước", "I lost my ID card", 0),
        ("Gia hạn giấy phép xây dựng", "xin giấy phép xây dựng nhà ở", 1),
        ("Gia hạn giấy phép xây dựng", "giấy phép xây dựng hết hạn thì sao", 0),
        ("Thủ tục đăng ký khai sinh có yếu tố nước ngoài", "làm giấy khai sinh", 1),
        ("Thủ tục đăng ký khai sinh có yếu tố nước ngoài", "khai sinh cho con lai quốc tịch Mỹ", 0),
        ("Thủ tục đăng ký khai sinh lưu động", "đăng ký khai sinh", 1),
        ("Cấp đổi thẻ căn cước", "đổi CCCD", 0),
        ("Đăng ký khai sinh", "đăng ký khai sinh", 0),
        # One service offering several operations counts once; a qualifier counts apart.
        ("Cấp lại, đổi, điều chỉnh thông tin trên sổ BHXH, thẻ BHYT", "làm sổ BHXH", 1),
        ("Thủ tục đăng ký lại khai sinh có yếu tố nước ngoài", "đăng ký khai sinh", 2),
        # "đối với" is not an exchange ("đổi"); "huy động" is not a cancellation ("hủy").
        ("Thẩm định đối với dự án huy động vốn", "thẩm định dự án", 0),
    ],
)
def test_unrequested_variants(name: str, question: str, expected: int) -> None:
    assert variant_balance(normalize_lower(name), fold(question))[1] == expected


@pytest.mark.parametrize(
    ("name", "question", "asked"),
    [
        ("Cấp lại giấy phép lái xe", "mat bang lai xe", 1),
        ("Bổ nhiệm lại công chứng viên", "bổ nhiệm lại công chứng viên", 1),
        ("Cấp giấy phép lái xe", "thi bằng lái", 0),  # "lái" is not "lại"
        ("Thay đổi nội dung đăng ký hộ kinh doanh", "thay đổi địa chỉ hộ kinh doanh", 1),
    ],
)
def test_requested_variants(name: str, question: str, asked: int) -> None:
    assert variant_balance(normalize_lower(name), fold(question))[0] == asked


def test_services_for_foreigners_are_not_a_variant_for_a_foreign_language_question() -> None:
    name = normalize_lower("Gia hạn tạm trú cho người nước ngoài")
    assert variant_balance(name, fold("extend my stay"), foreigner=True) == (2, 0)
    assert variant_balance(name, fold("gia hạn tạm trú")) == (1, 1)


@pytest.mark.parametrize(
    ("question", "reissue_asked"),
    [
        ("mất thẻ căn cước", True),
        ("làm căn cước mất bao lâu", False),  # "mất bao lâu" is "takes how long"
        ("đổi căn cước mất phí bao nhiêu", False),
        ("xin cấp lại giấy phép", True),
        ("sang tên xe máy mua lại của người quen", False),  # "mua lại" is "bought"
    ],
)
def test_lost_and_again_are_read_in_context(question: str, reissue_asked: bool) -> None:
    asked, _ = variant_balance(normalize_lower("Cấp lại thẻ căn cước"), fold(question))
    assert bool(asked) is reissue_asked


@pytest.mark.parametrize(
    ("name", "question", "expected"),
    [
        # "tầng" (storey) is not "tăng" (increase); typed without accents it stays a cue.
        ("Cấp điều chỉnh giấy phép xây dựng", "xây nhà 3 tầng ở phường", (0, 1)),
        ("Cấp điều chỉnh giấy phép xây dựng", "tăng thêm 1 tầng thì điều chỉnh", (1, 0)),
        # "sổ hồng" is not "hỏng" (broken), so it does not ask for an exchange.
        ("Cấp đổi Giấy chứng nhận quyền sử dụng đất", "làm sổ hồng lần đầu", (0, 1)),
        ("Cấp đổi Giấy chứng nhận quyền sử dụng đất", "sổ đỏ bị hỏng", (1, 0)),
        # Changing the holder's name or details updates the record; it is not an exchange.
        ("Cấp đổi Giấy chứng nhận quyền sử dụng đất", "đổi tên trên sổ đỏ", (0, 1)),
        ("Cấp đổi Giấy chứng nhận quyền sử dụng đất", "thay đổi thông tin chủ đất", (0, 1)),
        ("Cấp đổi Giấy chứng nhận quyền sử dụng đất", "đổi sổ đỏ sang mẫu mới", (1, 0)),
        ("Cấp đổi thẻ căn cước", "đổi tên rồi có phải đổi căn cước không", (1, 0)),
        # "mất" next to a death is "died", not "lost".
        ("Đăng ký lại khai tử", "Ông nội mất ở nhà, đi khai tử ở đâu", (0, 1)),
        ("Cấp lại thẻ căn cước", "mất thẻ căn cước", (1, 0)),
        # A damaged card is exchanged: "làm lại thẻ mới" is not a re-issue then.
        ("Cấp lại thẻ căn cước", "thẻ căn cước bị gãy, làm lại thẻ mới", (0, 1)),
        ("Cấp đổi thẻ căn cước", "thẻ căn cước bị gãy, làm lại thẻ mới", (1, 0)),
        # "tư pháp" is justice, not France ("Pháp").
        ("Thủ tục đăng ký khai sinh có yếu tố nước ngoài", "xin phiếu lý lịch tư pháp", (0, 1)),
        (
            "Thủ tục đăng ký khai sinh có yếu tố nước ngoài",
            "khai sinh cho con, chồng người Pháp",
            (1, 0),
        ),
    ],
)
def test_cue_words_are_read_with_their_accents_and_context(
    name: str, question: str, expected: tuple[int, int]
) -> None:
    assert balance(name, question) == expected


def test_cue_text_keeps_length_and_masks_only_non_cues() -> None:
    question = "nhà 3 tầng, tăng thêm"
    masked = cue_text(fold(question), normalize_lower(question, max_chars=None))
    assert len(masked) == len(fold(question))
    assert "tang them" in masked and masked.count("tang") == 1


def test_operations_count_in_the_head_of_the_name_only() -> None:
    long_name = (
        "Đăng ký biến động quyền sử dụng đất trong các trường hợp chuyển đổi quyền sử dụng "
        "đất nông nghiệp; chuyển nhượng, thừa kế; cho thuê lại quyền sử dụng đất"
    )
    assert balance(long_name, "sang tên sổ đỏ") == (0, 0)
    assert name_head(normalize_lower(long_name)) == "đăng ký biến động quyền sử dụng đất"
    # One named case in brackets is the variant itself.
    named_case = "Thẩm duyệt thiết kế về phòng cháy (trường hợp điều chỉnh thiết kế)"
    assert balance(named_case, "thẩm duyệt thiết kế phòng cháy") == (0, 1)


def test_abroad_is_not_what_an_english_question_asks_for_by_default() -> None:
    abroad = "Thôi quốc tịch Việt Nam ở nước ngoài"
    assert balance(abroad, "give up Vietnamese nationality", foreigner=True) == (0, 1)
    assert balance(abroad, "tôi đang sống ở Đức muốn thôi quốc tịch") == (1, 0)
    foreigners = "Cấp thẻ tạm trú cho người nước ngoài"
    assert balance(foreigners, "temporary residence card", foreigner=True) == (1, 0)


def test_citizens_among_the_audiences_is_not_the_foreigners_variant() -> None:
    name = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú"
    assert balance(name, "xin lý lịch tư pháp") == (0, 0)


def test_vietnamese_authorities_listed_beside_foreign_ones_is_the_general_service() -> None:
    name = (
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền "
        "của Việt Nam; cơ quan, tổ chức có thẩm quyền của nước ngoài cấp hoặc chứng nhận"
    )
    assert balance(name, "chứng thực bản sao căn cước") == (0, 0)
    assert balance("Thủ tục đăng ký khai tử có yếu tố nước ngoài", "đăng ký khai tử") == (0, 1)


FULLY_ONLINE = "Đăng ký xe lần đầu trực tuyến toàn trình đối với xe sản xuất lắp ráp trong nước"
IMPORTED = "Đăng ký xe lần đầu trực tuyến toàn trình đối với xe nhập khẩu  thực hiện tại cấp tỉnh"
HAS_PAPERS = "Thủ tục đăng ký khai sinh cho người đã có hồ sơ, giấy tờ cá nhân"
UNLOCK = "Mở khóa tài khoản định danh điện tử (thực hiện tại cấp tỉnh)"
OFFICIALS = "Giải quyết hưởng lương hưu, trợ cấp hàng tháng đối với cán bộ xã"
TRANSLATOR = "Chứng thực chữ ký người dịch mà người dịch là cộng tác viên dịch thuật"


@pytest.mark.parametrize(
    ("name", "question", "expected"),
    [
        # the fully-online record, an imported vehicle
        (FULLY_ONLINE, "mua xe máy mới thì đi bấm biển ở đâu", (0, 1)),
        (FULLY_ONLINE, "đăng ký xe lần đầu online toàn trình", (1, 0)),
        (FULLY_ONLINE, "làm trực tuyến hết được không", (1, 0)),
        (IMPORTED, "đăng ký xe toàn trình", (1, 1)),
        (IMPORTED, "xe nhập khẩu đăng ký toàn trình", (2, 0)),
        # late birth registration for someone who already has papers
        (HAS_PAPERS, "làm khai sinh cho em bé", (0, 1)),
        (HAS_PAPERS, "tôi 30 tuổi chưa từng đăng ký khai sinh", (1, 0)),
        # unlocking an account, not any "khóa" (a course)
        (UNLOCK, "đăng ký tài khoản định danh mức 2", (0, 1)),
        (UNLOCK, "tài khoản VNeID bị khóa", (1, 0)),
        ("Cấp chứng chỉ sau khóa đào tạo", "khóa học lái xe", (0, 0)),
        # services for officials
        (OFFICIALS, "lĩnh lương hưu qua ATM", (0, 1)),
        (OFFICIALS, "cán bộ xã nghỉ hưu thì hưởng lương hưu thế nào", (1, 0)),
        # a translator's signature
        (TRANSLATOR, "chứng thực chữ ký ở xã", (0, 1)),
        (TRANSLATOR, "chứng thực chữ ký bản dịch tiếng Anh", (1, 0)),
    ],
)
def test_qualifiers_a_citizen_means_only_when_the_question_says_so(
    name: str, question: str, expected: tuple[int, int]
) -> None:
    assert balance(name, question) == expected


def test_a_translation_asked_in_english_is_the_translators_service() -> None:
    assert balance(TRANSLATOR, "certify a signature on a translation", foreigner=True) == (1, 0)


def test_an_exceptional_case_is_a_qualifier_the_question_must_describe() -> None:
    name = "Cấp phiếu lý lịch tư pháp cho người mà không xác định được nơi thường trú"
    assert balance(name, "xin lý lịch tư pháp ở đâu") == (0, 1)
    assert balance(name, "I no longer live in Vietnam", foreigner=True) == (1, 0)


def test_services_for_the_armed_forces_are_recognised_by_their_conditions() -> None:
    conditions = "Thân nhân của sĩ quan Công an nhân dân. " * 7
    assert serves_armed_forces("Cấp lại thẻ bảo hiểm y tế", conditions, "")
    assert not serves_armed_forces("Cấp lại thẻ bảo hiểm y tế", conditions[:120], "")
    # When the name says it, lexical matching already sees it.
    assert not serves_armed_forces("Đổi giấy phép lái xe Công an nhân dân", conditions, "")
    assert asks_for_armed_forces(fold("bố tôi là công an, làm lại thẻ BHYT"))
    assert not asks_for_armed_forces(fold("làm lại thẻ bảo hiểm y tế bị mất"))


def test_the_organisations_version_of_a_service() -> None:
    employer = normalize_lower(
        "Khai quyết toán thuế thu nhập cá nhân đối với tổ chức, cá nhân trả thu nhập"
    )
    assert serves_organisations(employer)
    assert serves_organisations(normalize_lower("Đăng ký đất đai lần đầu đối với tổ chức"))
    assert not serves_organisations(normalize_lower("Cấp giấy phép đối với tổ chức tín dụng"))
    assert asks_for_organisation(fold("công ty tôi quyết toán thuế cho nhân viên"))
    assert not asks_for_organisation(fold("tự quyết toán thuế với cơ quan thuế"))
