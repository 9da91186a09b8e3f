"""Telex / VNI repair: fixes leftovers, never damages English or plain Vietnamese."""

from __future__ import annotations

import pytest

from knowledge.text import decode_token, repair_telex


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Nguyeenx", "Nguyễn"),
        ("ddaawng kys", "đăng ký"),
        ("ddawng kys", "đăng ký"),
        ("DDAAWNG KYS", "ĐĂNG KÝ"),
        ("tieengs vieetj", "tiếng việt"),
        ("Nguyeenx Vaan Anh", "Nguyễn Vân Anh"),
        ("nguwowif", "người"),
        ("Truwowngf hojc", "Trường học"),
        ("dduowngf", "đường"),
        ("tuongw", "tương"),
        ("lamf giaays khai sinh", "làm giấy khai sinh"),
        ("bao nhieeu tieenf?", "bao nhiêu tiền?"),
        ("quyeets ddinhj", "quyết định"),
        ("hoox trowj, kieemr tra", "hỗ trợ, kiểm tra"),
        ("Nguye6n4", "Nguyễn"),
        ("d9a8ng ky1", "đăng ký"),
        ("vie65t nam", "việt nam"),
    ],
)
def test_repairs(typed: str, expected: str) -> None:
    assert repair_telex(typed) == expected


@pytest.mark.parametrize(
    "text",
    [
        "khai sinh",
        "email",
        "passport",
        "visa",
        "lam so do",
        "tax",
        "cccd",
        "gas bus car",  # tone key only, no context
        "how now room moon soon been tree see",  # decode to syllables but are English
        "rooms keeps shows trees loops owns",  # English plurals and verb forms
        "if of chef def",  # end in the Telex tone keys f/j
        "what is this? hello world",
        "xoong",  # already a valid syllable
        "cos",
        "Thủ tục cấp đổi thẻ căn cước",
        "A1 B2 ct07 1.001193.H19 85/2019/TT-BTC KQ.G15.000031",  # codes and licence classes
        "thi bằng lái A1",
        "gửi email tới abc.dd@gmail.com hoặc dichvucong.gov.vn",
        "",
    ],
)
def test_leaves_other_text_alone(text: str) -> None:
    assert repair_telex(text) == text


def test_tone_only_tokens_need_context() -> None:
    assert repair_telex("kys") == "kys"
    assert repair_telex("ddaawng kys") == "đăng ký"
    # An English word stays even with context.
    assert repair_telex("ddaawng kys tax") == "đăng ký tax"


def test_acronyms_and_glued_numbers_are_not_telex() -> None:
    assert repair_telex("lamf AFM OJT TWM GIS taxi") == "làm AFM OJT TWM GIS taxi"
    assert repair_telex("NGUYEENX VAWN AN") == "NGUYỄN VĂN AN"
    assert repair_telex("Viet Nam16 doanh94 bay56 quan26") == "Viet Nam16 doanh94 bay56 quan26"
    assert repair_telex("Poor's list") == "Poor's list"


def test_decode_token_reports_strength() -> None:
    strong = decode_token("Nguyeenx")
    assert strong is not None and strong.syllable == "nguyễn" and strong.strength == 2
    medium = decode_token("lamf")
    assert medium is not None and medium.syllable == "làm" and medium.strength == 1
    weak = decode_token("kys")
    assert weak is not None and weak.syllable == "ký" and weak.strength == 0
    vni = decode_token("vie65t")
    assert vni is not None and vni.scheme == "vni" and vni.syllable == "việt"
    assert decode_token("email") is None
    assert decode_token("ddx") is None  # no vowel
    assert decode_token("tieesngs") is None  # two tone keys
