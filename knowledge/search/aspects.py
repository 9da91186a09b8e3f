"""Which part of a procedure a question asks about (documents, fee, time, …).

Patterns run on folded text (no diacritics, đ→d, lower case), so one table serves
Vietnamese typed with or without diacritics; English patterns sit beside them. The first
aspect in `ASPECT_PATTERNS` order with a match wins, except that an explicit aspect
beats the generic "how do I" (steps) phrasing.
"""

from __future__ import annotations

import itertools
import re
from typing import Final, Literal, get_args

from knowledge.text import fold

Aspect = Literal[
    "documents",
    "fee",
    "processing_time",
    "steps",
    "where",
    "conditions",
    "legal_basis",
    "result",
    "online",
    "general",
]

ASPECTS: Final[tuple[Aspect, ...]] = get_args(Aspect)


# A run of any words inside a cue ("cần … không", "có thể … không"): it holds the subject,
# not the cue, so `without_aspect_cues` keeps it ("làm căn cước có mất tiền không" keeps
# "căn cước", whose folded "can cuoc" reads like "cần").
_GAP_RE: Final = re.compile(r"\[a-z \]\{\d+,\d+\}")
_GAP_PREFIX: Final = "gap"


def _words(*phrases: str) -> re.Pattern[str]:
    """A pattern matching any phrase on word boundaries (phrases are folded already); each
    run of words inside a phrase becomes a named group (see `without_aspect_cues`)."""
    body = "|".join(sorted(phrases, key=len, reverse=True))
    count = itertools.count()
    body = _GAP_RE.sub(lambda m: f"(?P<{_GAP_PREFIX}{next(count)}>{m.group(0)}?)", body)
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])")


def _gaps_only(match: re.Match[str]) -> str:
    """A cue's match replaced by the runs of words inside it."""
    kept = [
        text for name, text in match.groupdict().items() if name.startswith(_GAP_PREFIX) and text
    ]
    return f" {' '.join(kept)} "


# "mất/hết/tốn bao nhiêu" asks a fee unless a unit of time follows ("mất bao nhiêu ngày").
_NOT_TIME: Final = r"(?! (ngay|tuan|thang|nam|lau|thoi gian|hom|buoi|gio|tieng|phut))"

# Order matters: specific aspects first, the generic "how to" (steps) last.
ASPECT_PATTERNS: Final[tuple[tuple[Aspect, re.Pattern[str]], ...]] = (
    (
        # A deadline the citizen must meet ("phải khai báo trong bao lâu") is a condition of
        # the procedure, not how long the office takes.
        "conditions",
        _words(
            r"phai [a-z ]{0,40}trong (vong )?(bao lau|may ngay|bao nhieu ngay)",
            r"(han|thoi han) (chot|cuoi) (la )?(khi nao|bao gio)",
            r"within how many days",
            r"deadline",
        ),
    ),
    (
        "fee",
        _words(
            r"(?<!mien )(le )?phi",
            r"le phi",
            r"(bao nhieu|bn) (tien|xien|dong|k|nghin|ngan)",
            r"nhieu (tien|xien)",
            rf"mat bao nhieu{_NOT_TIME}",
            rf"ton bao nhieu{_NOT_TIME}",
            rf"het bao nhieu{_NOT_TIME}",
            rf"(mat|het|ton) bn{_NOT_TIME}",
            r"tra bao nhieu",
            r"nop bao nhieu",
            r"(co )?(mat|ton|het|dong|tra) (tien|phi|xien)",
            r"thu (tien|phi)",
            r"gia bao nhieu",
            r"chi phi",
            r"fees?",
            r"costs?",
            r"how much",
            r"price",
            r"charges?",
        ),
    ),
    (
        # Weak fee cues: "trợ giúp pháp lý miễn phí … ở đâu" asks where, not the fee.
        "fee",
        _words(r"mien phi", r"free", r"pay"),
    ),
    (
        "processing_time",
        _words(
            r"(bao nhieu|bn|may) (ngay|tuan|thang|hom|buoi|tieng)( lam viec)?",
            r"(mat|het|ton) (bao nhieu|bn) thoi gian",
            r"bao lau",
            r"bao lau (thi |moi |se )?(duoc |co )?(giai quyet|xu ly|co ket qua)",
            r"bn lau",
            r"lau (ko|k|hok|hong)",
            r"thoi gian (giai quyet|xu ly|lam|cho)",
            r"thoi han giai quyet",
            r"khi nao (co|nhan|lay)",
            r"bao gio (co|nhan|lay)",
            r"lau khong",
            r"how long",
            r"how many (days|weeks|months)",
            r"how soon",
            r"how quickly",
            r"processing time",
            r"when (will|can) i (get|receive|collect)",
            r"takes? long",
        ),
    ),
    (
        "documents",
        _words(
            r"giay to",
            r"ho so (gom|can|co|gi|nhu the nao)",
            r"(can|chuan bi|nop) (nhung )?ho so",
            r"(ho so|hs) [a-z ]{0,40}(gom|nhung) (nhung )?gi",
            r"gom (nhung )?(gi|giay to gi)",
            r"ho so",
            r"can (nhung )?gi",
            r"can (nhung |loai )?giay (gi|nao)",
            r"can mang",
            r"mang (theo )?(nhung )?gi",
            r"chuan bi (nhung )?gi",
            r"chuan bi",
            r"thanh phan ho so",
            r"to khai",
            r"mau don",
            r"don mau",
            r"(can |phai )?nop (nhung )?(gi|giay gi|cai gi|giay to nao)",
            r"(dem|mang) theo (nhung )?(gi|giay gi)",
            r"co (can|phai) (co |mang |nop |xuat trinh )?(giay|ban sao|ban chinh|to khai|anh)",
            r"mau (so|don|to khai|phieu)",
            r"(dien|khai|viet|lam) (phieu|mau|to khai|don|to)( [a-z0-9]{1,12})? (gi|nao)",
            r"phieu (gi|nao)",
            r"anh (the|chan dung|3x4|4x6)",
            r"(chup|mang|nop) anh",
            r"photos?",
            r"documents?",
            r"papers?",
            r"paperwork",
            r"what (do i|should i|to) (need|bring)",
            r"need to bring",
            r"forms?",
        ),
    ),
    (
        "online",
        _words(
            r"online",
            r"truc tuyen",
            r"qua mang",
            r"tren mang",
            r"vneid",
            r"nop mang",
            r"qua app",
            r"toan trinh",
        ),
    ),
    # Words that only mention a channel ("on the website", "the e-visa"): an explicit
    # question about the result or the agency in the same sentence wins over them.
    (
        "online",
        _words(
            r"dich vu cong",
            r"tai nha",
            r"internet",
            r"ung dung",
            r"website",
            r"e-?visa",
        ),
    ),
    (
        "where",
        _words(
            r"o dau",
            r"noi nao",
            r"cho nao",
            r"co quan nao",
            r"nop (o|tai) dau",
            r"lam (o|tai) dau",
            r"(ra|di|den|toi|len) dau",
            r"(o|tai|len) cap nao",
            r"cap nao (giai quyet|lam|cap|nhan|tiep nhan)",
            r"tham quyen",
            r"where",
            r"which (office|agency|authority)",
            r"who (issues|handles|processes)",
        ),
    ),
    (
        "conditions",
        _words(
            r"dieu kien",
            r"yeu cau",
            r"ai (duoc|co the|phai)",
            r"co duoc (khong|lam)",
            r"co (duoc|the) [a-z ]{1,40} (khong|ko|k)$",
            r"co (can|phai|bat buoc)",
            r"can [a-z ]{0,40} khong",
            r"phai dap ung",
            r"truong hop nao",
            r"khi nao (thi )?(phai|can|moi duoc|duoc)",
            r"duoc (ho tro|mien|giam|huong)",
            r"(do|does) (i|we|you|a|an|the|my|our) [a-z ]{0,30}need",
            r"need (a|an|to have)",
            r"duoc khong",
            r"co phai",
            r"bat buoc",
            r"bao nhieu tuoi",
            r"du tuoi",
            r"eligib\w*",
            r"requirements?",
            r"conditions?",
            r"who can",
            r"can i",
            r"am i allowed",
            r"do i have to",
            r"must i",
            r"mandatory",
        ),
    ),
    (
        "legal_basis",
        _words(
            r"can cu",
            r"luat nao",
            r"van ban nao",
            r"quy dinh (o|tai) dau",
            r"theo quy dinh nao",
            r"nghi dinh",
            r"thong tu",
            r"co so phap ly",
            r"(nd|tt|luat|van ban|quyet dinh)( [a-z0-9]{1,12}){0,3} nao( vay)?$",
            r"theo (nd|tt|luat|nghi dinh|thong tu)",
            r"legal basis",
            r"which law",
            r"laws?",
            r"decree",
            r"circular",
            r"regulations?",
        ),
    ),
    (
        "result",
        _words(
            r"ket qua",
            r"nhan (duoc|lai) (gi|cai gi)",
            r"(duoc |se )?(nhan|cap|lay) (duoc |ve )?(giay|giay to|cai|the|so|ban)? ?gi",
            r"duoc cap (gi|giay gi)",
            r"(duoc|se) (nhan|cap) (duoc )?(nhung gi|cai gi|gi|quyet dinh gi|giay gi)",
            r"nhan (duoc|lai) (quyet dinh|giay|van ban) (gi|nao)",
            r"cap (mau )?giay (gi|nao)",
            r"(get|receive|issued) (back|in return|at the end)",
            r"what do i (get|receive)",
            r"what (certificate|document|paper)s? (do|will|would) (i|we) (get|receive)",
            r"what will i (get|receive)",
            r"result",
        ),
    ),
    (
        "steps",
        _words(
            r"cac buoc",
            r"(nhung|may|bao nhieu) buoc",
            r"buoc (gi|nao)",
            r"(nhu )?the nao",
            r"ra sao",
            r"lam thu tuc",
            r"thu tuc (gi|nao)",
            r"trinh tu",
            r"quy trinh",
            r"lam (the )?nao",
            r"lam sao",
            r"cach (lam|thuc)",
            r"huong dan",
            r"thu tuc (the )?nao",
            r"steps?",
            r"procedure",
            r"process",
            r"how (do|can|to|should)",
        ),
    ),
)


# When several aspects match, the first here wins ("nộp hồ sơ ở đâu" asks where, not what).
# "online" appears twice: its explicit words early, words that merely mention a channel late.
PRIORITY: Final[tuple[Aspect, ...]] = (
    "conditions",
    "fee",
    "processing_time",
    "online",
    "where",
    "result",
    "documents",
    "conditions",
    "legal_basis",
    "online",
    "fee",
    "steps",
)


def _in_priority_order() -> tuple[tuple[Aspect, re.Pattern[str]], ...]:
    remaining = list(ASPECT_PATTERNS)
    ordered = []
    for aspect in PRIORITY:
        pair = next(p for p in remaining if p[0] == aspect)
        remaining.remove(pair)
        ordered.append(pair)
    return tuple(ordered)


_ORDERED: Final = _in_priority_order()


def detect_aspect(text: str) -> Aspect:
    """The aspect a question asks about; "general" when it names none."""
    folded = fold(text)
    for aspect, pattern in _ORDERED:
        if pattern.search(folded):
            return aspect
    return "general"


# Words a short follow-up wraps its aspect in ("vậy lệ phí bao nhiêu ạ", "còn nộp ở đâu").
_FILLER_WORDS: Final = (
    "vay the thi con nua a ah nhe nha nhi ha khong ko k hok hong duoc dc la cho hoi "
    "minh em anh chi toi tui co can phai bao nhieu gi nao sao roi oi va voi so tien "
    "and what how is it are do does i we my an of for to ok okay please pls then also too "
    "nop mat het ton lam di theo take takes get need bring much long"
)
_FILLER: Final = frozenset(_FILLER_WORDS.split())


def aspect_only(text: str) -> bool:
    """Whether a message asks only for an aspect and names no subject ("phí bao nhiêu?",
    "mat bao lau", "what about the fee?"): in a conversation it is about the procedure in
    focus, even when some record's name happens to share its words ("phí bảo hiểm")."""
    if detect_aspect(text) == "general":
        return False
    return all(w in _FILLER for w in without_aspect_cues(text).split())


def without_aspect_cues(text: str) -> str:
    """The folded text with every aspect phrase taken out ("phí bao nhiêu", "điều kiện"):
    what is left names the subject and the details asked about."""
    folded = fold(text)
    for _, pattern in ASPECT_PATTERNS:
        folded = pattern.sub(_gaps_only, folded)
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", folded).split())


def mentions_aspect(text: str, aspect: Aspect) -> bool:
    """Whether the question also speaks of `aspect`, whichever aspect won ("các bước nộp
    online": online wins, and the steps are asked too)."""
    folded = fold(text)
    return any(a == aspect and p.search(folded) for a, p in ASPECT_PATTERNS)


def aspect_beyond_name(text: str, aspect: Aspect, name: str) -> Aspect:
    """The aspect asked once the words that decided it turn out to name the procedure:
    "đăng ký xe lần đầu trực tuyến toàn trình cần điều kiện gì" asks the conditions of the
    procedure named "… trực tuyến toàn trình …", not whether it can be done online. Kept as
    it is when nothing else is asked."""
    if aspect == "general":
        return aspect
    folded, folded_name = fold(text), f" {fold(name)} "
    for asked, pattern in ASPECT_PATTERNS:
        if asked == aspect:
            for match in pattern.finditer(fold(text)):
                if f" {match.group(0)} " in folded_name:
                    folded = folded.replace(match.group(0), " ")
    rest = detect_aspect(folded)
    return aspect if rest in (aspect, "general") else rest
