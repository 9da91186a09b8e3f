"""Sibling procedures: the base service versus its variants (re-issue, extension, …).

Most services exist as a family: "Cấp thẻ căn cước", "Cấp đổi …", "Cấp lại …", "Gia hạn …".
A citizen who names only the service wants the base one; a citizen who says "bị mất" wants
the re-issue. A candidate whose name carries a variant operation that the question does
not ask for is therefore pushed down a little. Patterns are folded (no diacritics).
"""

from __future__ import annotations

import re
from typing import Final


def _any(*phrases: str) -> re.Pattern[str]:
    body = "|".join(sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")


# (operation in a procedure name, words in a question that ask for it)
VARIANTS: Final[tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]] = (
    (
        _any("cap lai", "dang ky lai", "lam lai"),
        _any(
            r"lai",
            r"mat",
            r"bi mat",
            r"hong",
            r"rach",
            r"gay",
            r"that lac",
            r"lost",
            r"damaged",
            r"replace\w*",
            r"re-?issu\w*",
            r"again",
            r"stolen",
            r"broken",
        ),
    ),
    (
        _any("cap doi", "doi giay", "doi the", "doi ho chieu", "doi bang"),
        _any(
            r"doi",
            r"het han",
            r"sai",
            r"thay doi",
            r"exchange\w*",
            r"renew\w*",
            r"expir\w*",
            r"convert\w*",
            r"swap",
        ),
    ),
    (
        _any("gia han"),
        _any(
            r"gia han", r"het han", r"them", r"extend\w*", r"extension", r"renew\w*", r"prolong\w*"
        ),
    ),
    (
        _any("dieu chinh", "sua doi", "bo sung", "thay doi", "cai chinh"),
        _any(
            r"dieu chinh",
            r"sua",
            r"bo sung",
            r"thay doi",
            r"doi",
            r"sai",
            r"cai chinh",
            r"chuyen",
            r"tang",
            r"giam",
            r"change\w*",
            r"correct\w*",
            r"amend\w*",
            r"adjust\w*",
            r"update\w*",
            r"wrong",
            r"mistake\w*",
        ),
    ),
    (
        _any("thu hoi", "huy bo", "huy ket qua", "huy hieu luc"),
        _any(r"thu hoi", r"huy", r"revok\w*", r"cancel\w*", r"withdraw\w*", r"ban", r"sold"),
    ),
    (
        _any("cham dut", "giai the", "dong cua"),
        _any(
            r"cham dut",
            r"giai the",
            r"dong cua",
            r"nghi",
            r"dung",
            r"close\w*",
            r"terminat\w*",
            r"dissol\w*",
        ),
    ),
    (
        _any("tam ngung", "tam dung"),
        _any(r"tam ngung", r"tam dung", r"tam nghi", r"nghi", r"suspend\w*", r"pause\w*"),
    ),
    (
        _any("chuyen tiep", "dung thuc hien", "rut yeu cau", "rut ho so", "rut de nghi"),
        _any(r"chuyen tiep", r"dung", r"rut", r"withdraw\w*", r"stop\w*"),
    ),
    (
        _any("luu dong"),
        _any(r"luu dong", r"tai nha", r"den nha", r"mobile", r"at home"),
    ),
    (
        _any("co yeu to nuoc ngoai", "nguoi nuoc ngoai", "nuoc ngoai", "lanh su", "ngoai giao"),
        _any(
            r"nuoc ngoai",
            r"ngoai quoc",
            r"tay",
            r"viet kieu",
            r"lanh su",
            r"ngoai giao",
            r"foreign\w*",
            r"abroad",
            r"overseas",
            r"embass\w*",
            r"consul\w*",
            r"expat\w*",
            r"my",
            r"han quoc",
            r"trung quoc",
            r"nhat",
            r"duc",
            r"phap",
            r"uc",
            r"dai loan",
            r"american",
            r"korean",
            r"chinese",
            r"japanese",
        ),
    ),
    (
        _any("ket hop"),
        _any(r"ket hop", r"dong thoi", r"cung luc", r"combined", r"together"),
    ),
    (
        _any("trinh bao mat", "bao mat", "thong bao mat"),
        _any(r"mat", r"bi mat", r"that lac", r"trinh bao", r"lost", r"stolen", r"missing"),
    ),
    (
        _any("khoi phuc"),
        _any(r"khoi phuc", r"phuc hoi", r"restor\w*", r"reactivat\w*", r"recover\w*"),
    ),
    (
        _any("xoa dang ky", "xoa"),
        _any(
            r"xoa",
            r"huy",
            r"cat",
            r"chuyen di",
            r"delet\w*",
            r"remov\w*",
            r"cancel\w*",
            r"deregist\w*",
        ),
    ),
)


FOREIGN = 9  # index of the foreign-element variant in VARIANTS


def unrequested_variants(folded_name: str, folded_question: str, *, foreigner: bool = False) -> int:
    """How many variant operations the name carries that the question does not ask for.

    `foreigner`: the question is in another language, so services for foreigners are
    what it most likely asks about, not an unrequested variant.
    """
    count = 0
    for i, (in_name, asked) in enumerate(VARIANTS):
        if foreigner and i == FOREIGN:
            continue
        if in_name.search(folded_name) and not asked.search(folded_question):
            count += 1
    return count
