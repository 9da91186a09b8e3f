"""Redaction of personal data: each kind, what must stay untouched, several at once, idempotence."""

from __future__ import annotations

import time

import pytest

from assistant.guard import PLACEHOLDERS, redact


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        # Căn cước (12 digits), contiguous or grouped.
        (
            "CCCD của tôi 079095001234 bị mất thì làm lại thế nào",
            "CCCD của tôi [CCCD] bị mất thì làm lại thế nào",
            "cccd",
        ),
        ("CCCD của tôi 0790 9500 1234 bị mất", "CCCD của tôi [CCCD] bị mất", "cccd"),
        ("so can cuoc 079.095.001.234", "so can cuoc [CCCD]", "cccd"),
        ("căn cước 001-099-012-345 hết hạn", "căn cước [CCCD] hết hạn", "cccd"),
        # CMND (9 digits).
        ("cmnd cũ 123456789 còn dùng được không", "cmnd cũ [CMND] còn dùng được không", "cmnd"),
        ("CMND 012 345 678", "CMND [CMND]", "cmnd"),
        # Phones.
        ("sđt 0912345678 nhé", "sđt [SĐT] nhé", "phone"),
        ("gọi cho tôi 0912 345 678", "gọi cho tôi [SĐT]", "phone"),
        ("0987.654.321 là số của mình", "[SĐT] là số của mình", "phone"),
        ("zalo 0355-123-456", "zalo [SĐT]", "phone"),
        ("+84 912 345 678", "[SĐT]", "phone"),
        ("+84912345678", "[SĐT]", "phone"),
        ("84912345678", "[SĐT]", "phone"),
        ("(+84) 912-345-678", "[SĐT]", "phone"),
        ("máy bàn 024 3825 1234", "máy bàn [SĐT]", "phone"),
        ("sinh năm 1990 0912345678", "sinh năm 1990 [SĐT]", "phone"),
        # E-mail.
        ("email nguyen.van.a+hs@gmail.com nhé", "email [EMAIL] nhé", "email"),
        ("gửi về a_b@sotuphap.hanoi.gov.vn", "gửi về [EMAIL]", "email"),
        # Bank accounts: keyword before or bank name after.
        ("stk 19034567890123 techcombank", "stk [STK] techcombank", "bank_account"),
        (
            "số tài khoản: 0011004123456 Vietcombank",
            "số tài khoản: [STK] Vietcombank",
            "bank_account",
        ),
        ("so tai khoan cua toi la 1234 5678 9012", "so tai khoan cua toi la [STK]", "bank_account"),
        ("chuyển vào 123456789012 vietcombank", "chuyển vào [STK] vietcombank", "bank_account"),
        ("account number 12345678", "account number [STK]", "bank_account"),
        ("thẻ 4111 1111 1111 1111", "thẻ [STK]", "bank_account"),
        # Passports.
        ("hộ chiếu số C1234567 hết hạn", "hộ chiếu số [HỘ CHIẾU] hết hạn", "passport"),
        ("passport N12345678 expired", "passport [HỘ CHIẾU] expired", "passport"),
        # Addresses.
        (
            "địa chỉ: 12 Nguyễn Trãi, phường 5, quận 3, TP.HCM. Tôi muốn đăng ký tạm trú",
            "địa chỉ: [ĐỊA CHỈ]. Tôi muốn đăng ký tạm trú",
            "address",
        ),
        (
            "nhà tôi ở số nhà 12 ngõ 34 phố Huế muốn làm sổ đỏ",
            "nhà tôi ở [ĐỊA CHỈ] muốn làm sổ đỏ",
            "address",
        ),
        (
            "tôi ở 123 Nguyễn Trãi, Thanh Xuân thì làm CCCD ở đâu",
            "tôi ở [ĐỊA CHỈ] thì làm CCCD ở đâu",
            "address",
        ),
        (
            "dia chi 12 nguyen trai quan 1 muon lam tam tru",
            "dia chi [ĐỊA CHỈ] muon lam tam tru",
            "address",
        ),
        (
            "Địa chỉ: Số 5, ngõ 10 Láng Hạ, P. Láng Hạ, Q. Đống Đa, Hà Nội; cần làm gì",
            "Địa chỉ: [ĐỊA CHỈ]; cần làm gì",
            "address",
        ),
        (
            "địa chỉ thường trú của tôi là thôn Đông, xã Yên Phong, tỉnh Bắc Ninh, muốn chuyển",
            "địa chỉ thường trú của tôi là [ĐỊA CHỈ], muốn chuyển",
            "address",
        ),
        (
            "tôi ở căn hộ 1203 chung cư Sky, thị trấn Đông Anh thì đăng ký tạm trú thế nào",
            "tôi ở [ĐỊA CHỈ] thì đăng ký tạm trú thế nào",
            "address",
        ),
        (
            "số 10 đường Trần Phú, Hà Đông muốn xin giấy phép xây dựng",
            "[ĐỊA CHỈ] muốn xin giấy phép xây dựng",
            "address",
        ),
        ("my address is 45 Le Loi Street, District 1", "my address is [ĐỊA CHỈ]", "address"),
    ],
)
def test_each_kind_is_redacted(text: str, expected: str, kind: str) -> None:
    result = redact(text)
    assert result.text == expected
    assert result.counts == {kind: 1}
    assert PLACEHOLDERS[kind] in result.text


@pytest.mark.parametrize(
    "text",
    [
        "thủ tục 1.001193 và 2.000123.H19",
        "mã thủ tục 1.004222",
        "lệ phí 70.000 đồng",
        "lệ phí 200.000đ",
        "1,500,000 VND",
        "phí 150000000 đồng",
        "lệ phí 1.500.000.000 đồng",
        "25 USD",
        "phí 50k",
        "giá 1.2 triệu",
        "ngày 01/07/2025",
        "1-7-2025",
        "từ 01-07-2025 tài khoản bị khóa",
        "Thông tư 85/2019/TT-BTC",
        "Luật 26/2023/QH15",
        "Quyết định 1085/QĐ-TTg",
        "Văn bản số 1234/UBND-VP",
        "năm 2025",
        "15 ngày làm việc",
        "thời hạn 3-5 ngày làm việc",
        "con tôi 6 tuổi",
        "mẫu CT01, CT07, TK1-TS, NA1, X01",
        "Điều 12 Luật Cư trú",
        "Thông tư 15 Bộ Tài chính quy định gì",
        "năm 2024 Tôi đã làm hộ chiếu",
        "hotline 1900 1234",
        "tổng đài 19009095",
        "gọi 113 hoặc 114",
        "mã hồ sơ H19.22-250701-0001",
        "thay đổi địa chỉ trên giấy phép kinh doanh thì làm sao",
        "địa chỉ nhận hồ sơ là ở đâu",
        "tôi ở quận 3 làm CCCD ở đâu",
        "tôi ở tại 15 ngày",
        "có đc 15 ngày không",
        "How much is the passport fee? About 25 USD?",
    ],
)
def test_must_not_touch(text: str) -> None:
    result = redact(text)
    assert result.text == text
    assert result.counts == {}


def test_several_kinds_in_one_message() -> None:
    text = (
        "SĐT 0987654321, email a@b.vn, CCCD 001099012345, stk 12345678 ACB, "
        "hộ chiếu B7654321, địa chỉ: 7 Lê Lợi, quận 1. Lệ phí 70.000 đồng theo 85/2019/TT-BTC"
    )
    result = redact(text)
    assert result.text == (
        "SĐT [SĐT], email [EMAIL], CCCD [CCCD], stk [STK] ACB, hộ chiếu [HỘ CHIẾU], "
        "địa chỉ: [ĐỊA CHỈ]. Lệ phí 70.000 đồng theo 85/2019/TT-BTC"
    )
    assert result.counts == {
        "phone": 1,
        "email": 1,
        "cccd": 1,
        "bank_account": 1,
        "passport": 1,
        "address": 1,
    }
    assert result.total == 6


def test_counts_repeated_items() -> None:
    result = redact("0912345678 hoặc 0987654321 hoặc 0355123456")
    assert result.text == "[SĐT] hoặc [SĐT] hoặc [SĐT]"
    assert result.counts == {"phone": 3}


@pytest.mark.parametrize(
    "text",
    [
        "CCCD của tôi 079095001234 bị mất",
        "SĐT 0987654321, email a@b.vn, stk 12345678 ACB, hộ chiếu B7654321",
        "địa chỉ: 12 Nguyễn Trãi, phường 5, quận 3, TP.HCM. Tôi muốn đăng ký tạm trú",
        "nhà tôi ở số nhà 12 ngõ 34 phố Huế",
        "tôi ở 123 Nguyễn Trãi, Thanh Xuân",
        "địa chỉ: [ĐỊA CHỈ] và [SĐT]",
    ],
)
def test_idempotent(text: str) -> None:
    once = redact(text)
    twice = redact(once.text)
    assert twice.text == once.text
    assert twice.counts == {}


def test_unaccented_and_upper_case_keywords() -> None:
    assert redact("SO TAI KHOAN 1234 5678 9012").text == "SO TAI KHOAN [STK]"
    assert redact("ĐỊA CHỈ: 5 Hàng Bài").text == "ĐỊA CHỈ: [ĐỊA CHỈ]"


def test_decomposed_input_is_composed() -> None:
    import unicodedata

    text = unicodedata.normalize("NFD", "địa chỉ: 12 Nguyễn Trãi")
    assert redact(text).text == "địa chỉ: [ĐỊA CHỈ]"


def test_empty() -> None:
    assert redact("").text == ""
    assert redact("").counts == {}


def test_long_input_is_fast() -> None:
    texts = [
        "làm hộ chiếu 0912345678 " * 5000,
        "1 " * 50_000,
        "Số Nhà 12 " * 10_000,
        "địa chỉ: 5 " * 10_000,
        "a@" * 50_000,
    ]
    for text in texts:
        start = time.perf_counter()
        redact(text)
        assert time.perf_counter() - start < 5.0
    assert redact("làm hộ chiếu 0912345678 " * 5000).counts == {"phone": 5000}
