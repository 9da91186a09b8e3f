"""Aspect detection in every style: accented, unaccented, abbreviations, slang, English."""

from __future__ import annotations

import pytest

from knowledge.search.aspects import (
    aspect_beyond_name,
    aspect_only,
    detect_aspect,
    mentions_aspect,
    without_aspect_cues,
)

CASES: list[tuple[str, str]] = [
    # processing time: "bao nhiêu"/"mất" followed by a unit of time is not a fee
    ("Đăng ký thường trú mất bao nhiêu ngày", "processing_time"),
    ("lam ho chieu mat may ngay", "processing_time"),
    ("lam cccd bao lau thi co", "processing_time"),
    ("cấp lý lịch tư pháp mất bao nhiêu thời gian", "processing_time"),
    ("dk ket hon bn ngay", "processing_time"),
    ("lam so do lau ko", "processing_time"),
    ("How long does a passport take?", "processing_time"),
    ("uy quyen linh thay luong huu thi bao lau duoc giai quyet", "processing_time"),
    ("how many days for birth registration", "processing_time"),
    ("mất mấy tuần mới có giấy phép xây dựng", "processing_time"),
    # fee
    ("lam ho chieu bao nhieu tien", "fee"),
    ("làm hộ chiếu có mất tiền không", "fee"),
    ("lệ phí cấp căn cước", "fee"),
    ("phí sang tên sổ đỏ", "fee"),
    ("đăng ký kết hôn mất bao nhiêu", "fee"),
    ("lam gplx het bn tien", "fee"),
    ("khai sinh cho be mat bn xien", "fee"),
    ("How much does a passport cost?", "fee"),
    ("is birth registration free", "fee"),
    # documents
    ("lam ho chieu can giay to gi", "documents"),
    ("lam ho chieu can gi", "documents"),
    ("hs dang ky thuong tru gom nhung gi", "documents"),
    ("what documents do I need for a passport", "documents"),
    # where
    ("nop ho so ho chieu o dau", "where"),
    ("Làm căn cước ở đâu", "where"),
    ("where do I apply for a passport", "where"),
    ("Đổi thẻ căn cước thì ra đâu làm?", "where"),
    ("ĐK HKD nộp hồ sơ ở cấp nào?", "where"),
    ("muon duoc tro giup phap ly mien phi thi lien he o dau", "where"),  # "miễn phí" is the service
    # online
    ("lam cccd online duoc ko", "online"),
    ("đăng ký kết hôn nộp qua mạng được không", "online"),
    ("can I apply for a passport online", "online"),
    # steps
    ("các bước đăng ký khai sinh", "steps"),
    ("what are the steps to register a marriage", "steps"),
    # eligibility
    ("dieu kien cap giay phep xay dung", "conditions"),
    ("am I eligible for a criminal record certificate", "conditions"),
    ("Khi nào thì phải đi gia hạn tạm trú?", "conditions"),
    ("xe hong khong dung nua thi phai khai bao thu hoi trong bao lau", "conditions"),  # deadline
    ("biển số xe bị mờ thì có được đổi biển mới không", "conditions"),
    ("Thủ tục cấp lại sổ đỏ bị mất gồm những bước gì?", "steps"),
    ("What certificate do I get after registering a domestic adoption?", "result"),
    ("truong hop nao thi khong duoc chung thuc chu ky", "conditions"),
    # forms and photos are documents
    ("lam ho chieu can anh the co nao", "documents"),
    ("Đăng ký lại kết hôn khi sổ hộ tịch bị mất cần nộp gì?", "documents"),
    ("kết hôn với người nước ngoài có cần giấy khám sức khỏe không", "documents"),
    ("Làm CCCD lần đầu cần điền phiếu gì?", "documents"),
    ("tach thua dat can don mau so may", "documents"),
    ("xóa tạm trú thì khai tờ gì", "documents"),
    ("mua lại xe cũ muốn sang tên cà vẹt cần giấy gì", "documents"),
    ("nhà tôi cần anh giúp đăng ký khai sinh", "general"),  # "cần anh" is not a photo
    # what the citizen receives
    ("Hưởng BHXH 1 lần xong được nhận những gì?", "result"),
    ("lam che do tu tuat se nhan duoc quyet dinh gi", "result"),
    ("xác nhận số CMND cũ thì được cấp mẫu giấy nào", "result"),
    # which law
    ("làm sổ đỏ lần đầu theo luật đất đai nào vậy", "legal_basis"),
    ("chung thuc ban sao theo nd nao", "legal_basis"),
]


@pytest.mark.parametrize(("text", "aspect"), CASES)
def test_detect_aspect_in_every_style(text: str, aspect: str) -> None:
    assert detect_aspect(text) == aspect


@pytest.mark.parametrize(
    "text",
    ["mất bao nhiêu ngày", "het bao nhieu thoi gian", "ton bn hom", "mat bao nhieu tuan"],
)
def test_a_unit_of_time_turns_how_much_into_how_long(text: str) -> None:
    assert detect_aspect(text) == "processing_time"


@pytest.mark.parametrize(
    "text",
    [
        "phí bao nhiêu?",
        "vậy lệ phí bao nhiêu ạ",
        "nop o dau",
        "mat bao lau",
        "còn giấy tờ gì nữa",
        "nộp online được không",
        "How long does it take?",
        "What documents do I need?",
        "how much?",
    ],
)
def test_an_aspect_alone_names_no_procedure(text: str) -> None:
    assert aspect_only(text)


@pytest.mark.parametrize(
    "text",
    [
        "phí làm visa bao nhiêu",
        "lệ phí làm hộ chiếu bao nhiêu",
        "dang ky ket hon o dau",
        "phí bảo hiểm bao nhiêu",
        "xin chào",  # no aspect at all
        "How long does a passport take?",
        # Folded "căn cước" reads "can cuoc", like "cần …": the cue "cần … không" must not
        # swallow the subject inside it.
        "làm căn cước có mất tiền không",
        "lam can cuoc co phai chup anh khong",
        "có thể làm căn cước online không",
    ],
)
def test_a_subject_beside_the_aspect_is_a_new_question(text: str) -> None:
    assert not aspect_only(text)


def test_taking_out_the_cues_keeps_the_words_inside_them() -> None:
    assert without_aspect_cues("có thể đăng ký kết hôn online không") == "dang ky ket hon"
    assert without_aspect_cues("hồ sơ đăng ký kết hôn gồm những gì") == "dang ky ket hon"
    assert aspect_only("cần mang theo gì không")


ONLINE_NAMED = "Đăng ký xe lần đầu trực tuyến toàn trình đối với xe sản xuất lắp ráp trong nước"


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("Muốn đăng ký xe lần đầu trực tuyến toàn trình thì cần điều kiện gì?", "conditions"),
        ("dang ky xe lan dau truc tuyen toan trinh mat bao lau", "processing_time"),
        ("đăng ký xe lần đầu trực tuyến toàn trình", "online"),  # nothing else asked
    ],
)
def test_aspect_words_that_only_name_the_procedure_give_way(text: str, aspect: str) -> None:
    assert aspect_beyond_name(text, detect_aspect(text), ONLINE_NAMED) == aspect


def test_aspect_words_not_in_the_name_still_decide() -> None:
    text = "đăng ký xe lần đầu làm trực tuyến được không"
    assert aspect_beyond_name(text, "online", "Đăng ký, cấp biển số xe lần đầu") == "online"


def test_a_question_can_mention_an_aspect_that_did_not_win() -> None:
    assert detect_aspect("xin lý lịch tư pháp online thì làm những bước nào") == "online"
    assert mentions_aspect("xin lý lịch tư pháp online thì làm những bước nào", "steps")
    assert not mentions_aspect("lý lịch tư pháp nộp online được không", "steps")


def test_doing_verbs_weigh_like_aspect_words_not_like_a_subject() -> None:
    from knowledge.search.searcher import ASPECT_TERM_WEIGHT, query_term_weights

    weights = query_term_weights("Cấp CCCD thực hiện theo thông tư nào?", [])
    assert weights["thuc_hien"] == weights["thuc"] == ASPECT_TERM_WEIGHT
    assert weights["cccd"] == 1.0
    # "hiến" (donate) folds to the same syllable but is a subject: untouched.
    assert query_term_weights("hiến đất làm đường", [])["hien"] == 1.0
