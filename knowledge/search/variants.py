"""Sibling procedures: the base service versus its variants (re-issue, extension, …).

Most services exist as a family: "Cấp thẻ căn cước", "Cấp đổi …", "Cấp lại …", "Gia hạn …".
A citizen who names only the service wants the base one; a citizen who says "bị mất" wants
the re-issue. So a candidate whose name carries a variant operation the question does not
ask for is pushed down a little, and one whose variant the question asks for is lifted.

Name-side patterns run on the accented, lower-cased official name (so "lại" is not "lái",
"đổi" is not "đối", "hủy" is not "huy động"); question-side patterns run on folded text,
because citizens often type without diacritics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final


def _words(*phrases: str) -> re.Pattern[str]:
    body = "|".join(sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


# "mất" is lost, except in "mất bao lâu" (takes how long) or "mất phí" (costs).
LOST = r"mat(?! (bao|phi|tien|may|thoi|khoang|het|it|nhieu|cong|cong suc))"
DAMAGED = r"(bi )?(hong|rach|gay|bong troc)|damaged|broken|torn"


@dataclass(frozen=True)
class Variant:
    name: str
    in_name: re.Pattern[str]  # on the accented lower-case procedure name
    asked: re.Pattern[str]  # on the folded question (+ its expansions)
    foreign: bool = False  # a service for foreigners: what a foreign-language question wants


VARIANTS: Final[tuple[Variant, ...]] = (
    Variant(
        "reissue",
        _words("cấp lại", "lại"),
        _words(
            # "lại" after a verb of issuing, not "mua lại" (bought) or "ở lại" (stay)
            r"(cap|lam|xin|dang ky|in|bo nhiem|thi|khai|nop|ve) lai",
            LOST,
            "bi mat",
            "that lac",
            "lost",
            r"replace\w*",
            r"re-?issu\w*",
            "again",
            "stolen",
            DAMAGED,
        ),
    ),
    Variant(
        "exchange",
        _words("cấp đổi", "(?<!thay )(?<!sửa )đổi"),
        _words(
            "doi",
            "het han",
            "sai",
            "thay doi",
            r"exchange\w*",
            r"renew\w*",
            r"expir\w*",
            r"convert\w*",
            "swap",
            DAMAGED,  # a damaged card is exchanged in some families, re-issued in others
        ),
    ),
    Variant(
        "extension",
        _words("gia hạn"),
        _words("gia han", "het han", "them", r"extend\w*", "extension", r"renew\w*", r"prolong\w*"),
    ),
    Variant(
        "amendment",
        _words("điều chỉnh", "sửa đổi", "bổ sung", "thay đổi", "cải chính"),
        _words(
            "dieu chinh",
            "sua",
            "bo sung",
            "thay doi",
            "sai",
            "cai chinh",
            "chuyen",
            "tang",
            "giam",
            r"change\w*",
            r"correct\w*",
            r"amend\w*",
            r"adjust\w*",
            r"update\w*",
            "wrong",
            r"mistake\w*",
        ),
    ),
    Variant(
        "revocation",
        _words("thu hồi", "hủy bỏ", "hủy"),
        _words("thu hoi", "huy", r"revok\w*", r"cancel\w*", r"withdraw\w*", "sold"),
    ),
    Variant(
        "termination",
        _words("chấm dứt", "giải thể"),
        _words(
            "cham dut",
            "giai the",
            "dong cua",
            "nghi",
            "dung",
            r"close\w*",
            r"terminat\w*",
            r"dissol\w*",
        ),
    ),
    Variant(
        "suspension",
        _words("tạm ngừng", "tạm dừng"),
        _words("tam ngung", "tam dung", "tam nghi", "nghi", r"suspend\w*", r"pause\w*"),
    ),
    Variant(
        "withdrawal",
        _words("chuyển tiếp", "dừng thực hiện", "rút"),
        _words("chuyen tiep", "dung", "rut", r"withdraw\w*", r"stop\w*"),
    ),
    Variant("mobile", _words("lưu động"), _words("luu dong", "tai nha", "den nha", "mobile")),
    Variant(
        "foreign",
        _words("có yếu tố nước ngoài", "người nước ngoài", "nước ngoài", "lãnh sự", "ngoại giao"),
        _words(
            "nuoc ngoai",
            "ngoai quoc",
            "tay",
            "viet kieu",
            "lanh su",
            "ngoai giao",
            r"foreign\w*",
            "abroad",
            "overseas",
            r"embass\w*",
            r"consul\w*",
            r"expat\w*",
            "my",
            "han quoc",
            "trung quoc",
            "nhat",
            "duc",
            "phap",
            "uc",
            "dai loan",
        ),
        foreign=True,
    ),
    Variant("combined", _words("kết hợp"), _words("ket hop", "dong thoi", "cung luc", "combined")),
    Variant(
        "lost_report",
        _words("trình báo mất", "báo mất"),
        _words(LOST, "bi mat", "that lac", "trinh bao", "lost", "stolen", "missing"),
    ),
    Variant(
        "restoration",
        _words("khôi phục"),
        _words("khoi phuc", "phuc hoi", r"restor\w*", r"reactivat\w*", r"recover\w*"),
    ),
    Variant(
        "deletion",
        _words("xóa đăng ký", "xóa"),
        _words(
            "xoa",
            "huy",
            "cat",
            "chuyen di",
            r"delet\w*",
            r"remov\w*",
            r"cancel\w*",
            r"deregist\w*",
        ),
    ),
)


def variant_balance(name: str, folded_question: str, *, foreigner: bool = False) -> tuple[int, int]:
    """(variants the question asks for, variants it does not) among those the name carries.

    `name` is the accented lower-case procedure name; `foreigner`: the question is in
    another language, so services for foreigners count as asked for.
    """
    asked = unasked = 0
    for variant in VARIANTS:
        if not variant.in_name.search(name):
            continue
        if (foreigner and variant.foreign) or variant.asked.search(folded_question):
            asked += 1
        else:
            unasked += 1
    return asked, unasked
