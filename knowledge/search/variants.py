"""Sibling procedures: the base service versus its variants (re-issue, extension, …).

Most services exist as a family: "Cấp thẻ căn cước", "Cấp đổi …", "Cấp lại …", "Gia hạn …".
A citizen who names only the service wants the base one; a citizen who says "bị mất" wants
the re-issue. So a candidate whose name carries a variant operation the question does not
ask for is pushed down a little, and one whose variant the question asks for is lifted.

Name-side patterns run on the accented, lower-cased official name (so "lại" is not "lái",
"đổi" is not "đối", "hủy" is not "huy động"); question-side patterns run on folded text,
because citizens often type without diacritics, but a cue word typed with accents must
have the cue's accents ("tầng" is not "tăng", "sổ hồng" is not "hỏng"; see `cue_text`).

An operation (re-issue, exchange, extension, …) counts only in the head of the name, the
service itself, not in the cases a long name goes on to list; a name offering several
operations ("Cấp lại, đổi, điều chỉnh …") counts once. Qualifiers (foreign element, abroad,
mobile, border area, temporary, exceptional cases) count anywhere in the name.

Two audiences are narrower than a variant and are handled by the searcher with their own
penalties: the organisations' version of a service (`serves_organisations`) and services
for police and army members whose names do not say so (`serves_armed_forces`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final


def _words(*phrases: str) -> re.Pattern[str]:
    body = "|".join(sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


# "mất" is lost, except in "mất bao lâu" (takes how long) or "mất phí" (costs).
LOST = r"mat(?! (bao|phi|tien|may|thoi|khoang|het|it|nhieu|cong|cong suc))"
DAMAGED = r"(bi )?(hong|rach|gay|bong troc)|damaged|broken|torn"


# Countries people name: two-syllable names anywhere, one-syllable ones ("Mỹ", "Pháp")
# only after a word that introduces a country ("tư pháp" is justice, not France).
COUNTRIES: Final = (
    "han quoc",
    "trung quoc",
    "nhat ban",
    "dai loan",
    r"(?:nuoc|nguoi|quoc tich|sang|o|tai|voi|di|ve|chong|vo|lay) (?:my|nhat|duc|phap|uc|anh|nga)",
)


@dataclass(frozen=True)
class Variant:
    name: str
    in_name: re.Pattern[str]  # on the accented lower-case procedure name
    asked: re.Pattern[str]  # on the folded question (+ its expansions)
    foreign: bool = False  # a service for foreigners: what a foreign-language question wants
    whole_name: bool = False  # a qualifier found anywhere in the name, not an operation


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
        ),
    ),
    Variant(
        "exchange",
        _words("cấp đổi", "(?<!thay )(?<!sửa )đổi"),
        _words(
            # not "đổi tên", "(thay) đổi thông tin": the holder's details change, which is
            # an update of the record (đăng ký biến động), not a new document
            r"doi(?! (?:ten|thong tin|ho ten))",
            "het han",
            "sai",
            r"exchange\w*",
            r"renew\w*",
            r"expir\w*",
            r"convert\w*",
            "swap",
            DAMAGED,  # a damaged card or certificate is exchanged for a new one
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
    Variant(
        "mobile",
        _words("lưu động"),
        _words("luu dong", "tai nha", "den nha", "mobile"),
        whole_name=True,
    ),
    Variant(
        "foreign",
        _words("có yếu tố nước ngoài", r"(?<!ở )(?<!tại )(?<!ra )(?<!định cư )nước ngoài"),
        _words(
            "nuoc ngoai",
            "ngoai quoc",
            "tay",
            "viet kieu",
            r"foreign\w*",
            r"expat\w*",
            *COUNTRIES,
        ),
        foreign=True,
        whole_name=True,
    ),
    Variant(
        "abroad",
        _words(r"(?:ở|tại|ra) nước ngoài", "lãnh sự", "ngoại giao", "cơ quan đại diện"),
        _words(
            r"(?:o|tai|ra|sang) nuoc ngoai",
            "dinh cu",
            "viet kieu",
            "lanh su",
            "ngoai giao",
            "dai su quan",
            "abroad",
            "overseas",
            r"embass\w*",
            r"consul\w*",
            "outside vietnam",
            *COUNTRIES,
        ),
        whole_name=True,
    ),
    Variant(
        "combined",
        _words("kết hợp"),
        _words("ket hop", "dong thoi", "cung luc", "combined"),
        whole_name=True,
    ),
    Variant(
        "repair",
        _words("sửa chữa, cải tạo", "sửa chữa", "cải tạo"),
        _words(
            "sua chua",
            "sua nha",
            "sua lai nha",
            "cai tao",
            "nang cap",
            "nang tang",
            "coi noi",
            r"repair\w*",
            r"renovat\w*",
            r"refurbish\w*",
            r"remodel\w*",
            r"upgrad\w*",
        ),
    ),
    Variant(
        "relocation",
        _words("di dời"),
        _words("di doi", "di chuyen", r"relocat\w*", "move", "moving"),
    ),
    Variant(
        "temporary",
        _words("tạm thời"),
        _words("tam thoi", r"temporar\w*", "provisional"),
        whole_name=True,
    ),
    Variant(
        "exception",
        _words(
            "không xác định được",
            "chưa xác định được",
            "chưa đủ điều kiện",
            "không đủ điều kiện",
        ),
        _words(
            "khong xac dinh",
            "chua xac dinh",
            "khong ro",
            "khong co noi",
            "chua du dieu kien",
            "khong du dieu kien",
            r"(?:have|has|since) left",
            "no longer",
            "unknown",
            r"(?:don\W?t|doesn\W?t|not) meet",
            "not eligible",
            "undetermined",
        ),
        whole_name=True,
    ),
    Variant(
        # Locking or unlocking an electronic ID or account: asked for by name only.
        "lock",
        _words("mở khóa", r"khóa (?:tài khoản|căn cước)"),
        _words(
            "mo khoa",
            "bi khoa",
            r"khoa (?:tai khoan|can cuoc|vneid|dinh danh)",
            r"(?:un)?lock\w*",
            "blocked",
        ),
    ),
    Variant(
        # The fully-online channel published as its own record ("… thực hiện bằng dịch vụ
        # công trực tuyến toàn trình"): what a citizen means only when they say so.
        "fully_online",
        _words(r"toàn\s+trình"),
        _words(
            "toan trinh",
            r"hoan toan (?:qua mang|truc tuyen|online)",
            r"(?:online|truc tuyen|qua mang) (?:het|toan bo|tat ca)",
            r"(?:fully|entirely|completely|100%) online",
        ),
        whole_name=True,
    ),
    Variant(
        "imported",
        _words(r"(?:xe|phương tiện)\s+nhập\s+khẩu"),
        _words("nhap khau", "xach tay", r"import\w*"),
        whole_name=True,
    ),
    Variant(
        # Late registration for someone who already has other papers (an adult, usually).
        "has_papers",
        _words(r"người\s+đã\s+có\s+hồ\s+sơ,\s+giấy\s+tờ\s+cá\s+nhân"),
        _words(
            r"da co (?:ho so|giay to)",
            "nguoi lon",
            r"chua (?:tung )?(?:dang ky|lam) khai sinh",
            r"chua (?:co|duoc cap) giay khai sinh",
            r"adults?",
            "never registered",
        ),
        whole_name=True,
    ),
    Variant(
        # Services for officials ("… đối với cán bộ xã") are not a citizen's.
        "officials",
        _words(
            "đối với cán bộ", "cho cán bộ", "cán bộ xã", "cán bộ, công chức", "công chức, viên chức"
        ),
        _words(
            "can bo",
            "cong chuc",
            "vien chuc",
            r"officials?",
            r"civil servants?",
            "public employee",
        ),
        whole_name=True,
    ),
    Variant(
        # Certifying a translator's signature is the translators' service, not a citizen's
        # own signature.
        "translator",
        _words("người dịch"),
        _words(
            "dich thuat",
            "nguoi dich",
            "ban dich",
            r"dich (?:sang|tu|ra)",
            r"translat\w*",
        ),
        whole_name=True,
    ),
    Variant(
        "border",
        _words("khu vực biên giới", "tại khu vực biên giới"),
        _words("bien gioi", "giap bien", "vung bien", r"border\w*"),
        whole_name=True,
    ),
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


# Folded cue words and the accented spellings in which they are cues: "tầng" (storey) is not
# "tăng" (increase), "sổ hồng" is not "hỏng" (broken), "qua đời" is not "đổi".
CUE_SPELLINGS: Final[dict[str, frozenset[str]]] = {
    folded: frozenset(spellings.split())
    for folded, spellings in {
        "lai": "lại",
        "doi": "đổi",
        "mat": "mất",
        "sai": "sai",
        "sua": "sửa",
        "tang": "tăng",
        "giam": "giảm",
        "chuyen": "chuyển",
        "huy": "hủy huỷ",
        "nghi": "nghỉ",
        "dung": "dừng",
        "rut": "rút",
        "xoa": "xóa xoá",
        "cat": "cắt",
        "them": "thêm",
        "tay": "tây",
        "my": "mỹ mĩ",
        "duc": "đức",
        "phap": "pháp",
        "uc": "úc",
        "nhat": "nhật",
        "hong": "hỏng",
        "rach": "rách",
        "gay": "gãy",
        "het": "hết",
        "han": "hạn",
        "hoi": "hồi",
        "tam": "tạm",
        "ngung": "ngừng",
        "dong": "đóng động",
        "cua": "cửa",
        "moi": "mới",
    }.items()
}
_TOKEN: Final[re.Pattern[str]] = re.compile(r"\w+")
# "mất" is "died" next to words about a death ("ông nội mất, làm khai tử").
DEATH: Final[re.Pattern[str]] = _words(
    "khai tu",
    "bao tu",
    "chung tu",
    "chet",
    "qua doi",
    "tu tran",
    "tu tuat",
    "mai tang",
    r"die[ds]?",
    "death",
    "dead",
    "deceased",
    "passed away",
)
_LOST_WORD: Final[re.Pattern[str]] = re.compile(rf"(?<!\w){LOST}(?!\w)")
_DAMAGED: Final[re.Pattern[str]] = _words(DAMAGED)
_REDO: Final[re.Pattern[str]] = _words("lam lai", "lam moi")  # "get a new one", not re-issue


def _mask(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: "#" * len(m.group()), text)


def cue_text(folded_question: str, accented_question: str = "") -> str:
    """The folded question with words that cannot be cues masked out (same length).

    With `accented_question` (the same text lower-cased with its accents, aligned with the
    folded one), a word typed with accents counts only in its cue spelling. "mất" next to a
    death is not "lost"; "làm lại" for a damaged card is not a re-issue.
    """
    text = folded_question
    if accented_question and len(accented_question) == len(folded_question):
        chars = list(text)
        for m in _TOKEN.finditer(accented_question):
            word = m.group()
            allowed = CUE_SPELLINGS.get(folded_question[m.start() : m.end()])
            if allowed is not None and not word.isascii() and word not in allowed:
                chars[m.start() : m.end()] = "#" * len(word)
        text = "".join(chars)
    if DEATH.search(text):
        text = _mask(text, _LOST_WORD)
    if _DAMAGED.search(text) and not _LOST_WORD.search(text):
        text = _mask(text, _REDO)
    return text


# The head of a name is the service itself: "Cấp đổi Giấy chứng nhận …" is an exchange, but
# "Đăng ký biến động … trong các trường hợp chuyển đổi …, cho thuê lại …" is not.
_HEAD_END: Final[re.Pattern[str]] = re.compile(
    r"\s(?:đối với|trong các trường hợp|trong trường hợp|trường hợp|do|theo|khi)\s|[(;:]"
)
HEAD_WORDS: Final = 12
# … except one named case, which is the variant: "Thẩm duyệt thiết kế (trường hợp điều chỉnh …)".
_ONE_CASE: Final[re.Pattern[str]] = re.compile(
    r"(?:\(|\btrong )trường hợp((?:\s+[^\s(),;:]+){1,4})"
)
# Vietnamese people settled abroad are one of the audiences of many domestic services; a
# name that lists Vietnamese citizens among its audiences ("cho công dân Việt Nam, người
# nước ngoài đang cư trú tại Việt Nam, …") is not the foreigners' variant either.
_ABROAD_AUDIENCE: Final[re.Pattern[str]] = re.compile(
    r"người (?:gốc )?việt nam (?:đang )?(?:định cư|cư trú) ở nước ngoài"
)
# Likewise a name listing Vietnamese authorities beside foreign ones ("giấy tờ do cơ quan …
# của Việt Nam; cơ quan … của nước ngoài … cấp") is the general service.
_CITIZENS_AMONG_AUDIENCES: Final[re.Pattern[str]] = re.compile(
    r"(?:công dân việt nam|của việt nam)\s*[,;]"
)
_FOREIGN_VARIANTS: Final = frozenset({"foreign", "abroad"})


def name_head(name: str) -> str:
    """The service part of a lower-case procedure name, before its cases and conditions."""
    end = _HEAD_END.search(name)
    head = name[: end.start()] if end else name
    case = _ONE_CASE.search(name)
    return " ".join(head.split()[:HEAD_WORDS]) + (f" ({case.group(1).strip()})" if case else "")


# Services for members of the People's Police / Army and their relatives (their health-
# insurance cards, martyr recognition…) look like citizens' services by name; their
# conditions and steps keep naming the force.
_FORCES: Final[re.Pattern[str]] = re.compile(
    r"công an nhân dân|quân đội nhân dân|lực lượng vũ trang", re.IGNORECASE
)
FORCES_MENTIONS: Final = 7  # in the conditions and steps of a procedure for the forces
FORCES_ASKED: Final[re.Pattern[str]] = _words(
    "cong an",
    "quan doi",
    "bo doi",
    "quan nhan",
    "si quan",
    "chien si",
    "luc luong vu trang",
    "cand",
    "qdnd",
    "police",
    "policeman",
    "army",
    "military",
    "soldier",
    "officer",
)


# Services for organisations (employers paying income, organisations using land…) next to
# the same service for individuals: a citizen's question wants the individuals' one.
ORGANISATION_IN_NAME: Final[re.Pattern[str]] = _words(
    r"đối với tổ chức(?! (?:tín dụng|tài chính|tự doanh|nhận ủy thác))",
    r"cho (?:cơ quan, )?tổ chức(?! (?:tín dụng|tài chính))$",
    "tổ chức, cá nhân trả thu nhập",
)
ORGANISATION_ASKED: Final[re.Pattern[str]] = _words(
    "to chuc",
    "cong ty",
    "doanh nghiep",
    # not "cơ quan": "với cơ quan thuế" names the authority, not the applicant
    "nha tuyen dung",
    "ke toan",
    r"organi[sz]ation\w*",
    r"compan\w*",
    "enterprise",
    "employer",
    r"firm\w*",
)


@lru_cache(maxsize=16384)
def serves_organisations(name: str) -> bool:
    """Whether a lower-case procedure name says it is the organisations' version."""
    return bool(ORGANISATION_IN_NAME.search(name))


def asks_for_organisation(folded_question: str) -> bool:
    """Whether the question speaks for an organisation (company, employer, …)."""
    return bool(ORGANISATION_ASKED.search(folded_question))


def asks_for_armed_forces(folded_question: str) -> bool:
    """Whether the question is about the police or army (a narrow audience)."""
    return bool(FORCES_ASKED.search(folded_question))


def serves_armed_forces(name: str, conditions: str, steps: str) -> bool:
    """Whether a procedure serves the armed forces although its name does not say so."""
    if _FORCES.search(name):
        return False  # the name already says it; lexical matching handles it
    return len(_FORCES.findall(f"{conditions} {steps}")) >= FORCES_MENTIONS


@lru_cache(maxsize=16384)
def name_variants(name: str) -> tuple[Variant, ...]:
    """The variants a lower-case procedure name carries (cached: names repeat every query)."""
    head = name_head(name)
    qualifiers = _ABROAD_AUDIENCE.sub(" ", name)
    citizens_too = bool(_CITIZENS_AMONG_AUDIENCES.search(name))
    return tuple(
        variant
        for variant in VARIANTS
        if not (citizens_too and variant.name in _FOREIGN_VARIANTS)
        and variant.in_name.search(qualifiers if variant.whole_name else head)
    )


def asked_variants(
    folded_question: str, *, foreigner: bool = False, accented_question: str = ""
) -> frozenset[str]:
    """Names of the variants a question asks for (once per question, not per candidate)."""
    question = cue_text(folded_question, accented_question)
    return frozenset(
        v.name for v in VARIANTS if (foreigner and v.foreign) or v.asked.search(question)
    )


def variant_balance(
    name: str,
    folded_question: str,
    *,
    foreigner: bool = False,
    accented_question: str = "",
    asked_names: frozenset[str] | None = None,
) -> tuple[int, int]:
    """(variants the question asks for, variants it does not) among those the name carries.

    `name` is the accented lower-case procedure name; `foreigner`: the question is in
    another language, so services for foreigners count as asked for; `accented_question`:
    the question lower-cased with its accents (see `cue_text`); `asked_names`: the
    question's `asked_variants`, when the caller has computed them already.
    """
    if asked_names is None:
        asked_names = asked_variants(
            folded_question, foreigner=foreigner, accented_question=accented_question
        )
    asked = unasked = 0
    operations_asked = operations_unasked = 0
    for variant in name_variants(name):
        wanted = variant.name in asked_names
        if variant.whole_name:
            asked += wanted
            unasked += not wanted
        else:
            operations_asked += wanted
            operations_unasked += not wanted
    # "Cấp lại, đổi, điều chỉnh thông tin trên sổ BHXH" is one service for several
    # operations: it counts once, as asked when any of its operations is.
    if operations_asked:
        asked += 1
    elif operations_unasked:
        unasked += 1
    return asked, unasked
