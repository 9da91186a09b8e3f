"""Personal data redaction: run on every message before it is stored, logged or searched.

`redact` replaces identity numbers, phone numbers, e-mail addresses, bank account numbers,
passport numbers and clearly written street addresses with bracketed placeholders, so the
question still reads naturally ("CCCD của tôi [CCCD] bị mất thì làm lại thế nào"). It leaves
procedure codes, money, dates, legal document numbers, years, durations and form codes alone.

Numbers are matched in one pass (earlier kinds win where matches overlap); addresses are
found afterwards on the result, so an address never swallows half of a phone number.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Final

from assistant.guard.language import accent_tolerant
from knowledge.text import fold, fold_token

PLACEHOLDERS: Final[dict[str, str]] = {
    "email": "[EMAIL]",
    "bank_account": "[STK]",
    "cccd": "[CCCD]",
    "phone": "[SĐT]",
    "cmnd": "[CMND]",
    "passport": "[HỘ CHIẾU]",
    "address": "[ĐỊA CHỈ]",
}
"""Kind -> placeholder. The kinds are the keys of `Redacted.counts`."""


@dataclass(frozen=True)
class Redacted:
    """Redacted text and how many items of each kind were replaced (kinds with 0 omitted)."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# --- word lists (extend here) -------------------------------------------------------------

BANK_KEYWORDS: Final[tuple[str, ...]] = (
    "stk",
    "số tk",
    "số tài khoản",
    "tài khoản ngân hàng",
    "tài khoản",
    "tk ngân hàng",
    "tknh",
    "account number",
    "account no",
    "bank account",
    "account",
    "acc",
    "a/c",
    "iban",
    "ngân hàng",
    "bank",
)
BANK_NAMES: Final[tuple[str, ...]] = (
    "vietcombank",
    "vcb",
    "techcombank",
    "tcb",
    "bidv",
    "agribank",
    "vietinbank",
    "mb ?bank",
    "mb",
    "acb",
    "vp ?bank",
    "tp ?bank",
    "sacombank",
    "scb",
    "shb",
    "hd ?bank",
    "ocb",
    "msb",
    "vib",
    "seabank",
    "eximbank",
    "lpbank",
    "lienvietpostbank",
    "nam ?a ?bank",
    "abbank",
    "bac ?a ?bank",
    "pvcombank",
    "kienlongbank",
    "viet ?a ?bank",
    "baovietbank",
    "shinhan",
    "hsbc",
    "citibank",
    "cake",
    "timo",
    "momo",
    "zalopay",
    "viettel ?money",
)
# A bank keyword followed by one of these is not about a bank account ("tài khoản VNeID").
NOT_BANK_CONTEXT: Final[tuple[str, ...]] = ("vneid", "định danh", "dịch vụ công", "dvc")
CURRENCY_WORDS: Final[tuple[str, ...]] = (
    "đồng",
    "đ",
    "vnd",
    "vnđ",
    "usd",
    "eur",
    "euro",
    "k",
    "nghìn",
    "ngàn",
    "triệu",
    "tr",
    "tỷ",
    "tỉ",
    "%",
)

ADDRESS_KEYWORDS: Final[tuple[str, ...]] = (
    "địa chỉ",
    "address",
    "thường trú tại",
    "tạm trú tại",
    "cư trú tại",
    "ở tại",
    "sống tại",
    "nhà tôi ở",
    "nhà mình ở",
    "nhà em ở",
    "tôi ở",
    "mình ở",
    "em ở",
    "i live at",
    "live at",
)
# Words between an address keyword and the address ("địa chỉ nhà tôi là: …").
ADDRESS_FILLERS: Final[tuple[str, ...]] = (
    "nhà",
    "của",
    "tôi",
    "mình",
    "em",
    "hiện tại",
    "hiện nay",
    "thường trú",
    "tạm trú",
    "liên hệ",
    "cũ",
    "mới",
    "là",
    "ở",
    "tại",
    "my",
    "is",
)
# Folded one-word units of a street address. Words that are units only in pairs (thị trấn,
# thành phố, chung cư, căn hộ) are in ADDRESS_UNIT_PAIRS: alone, "thi" is also "thì".
ADDRESS_UNITS: Final[frozenset[str]] = frozenset(
    {"so", "ngo", "ngach", "hem", "kiet", "duong", "pho", "phuong", "quan", "huyen", "xa"}
    | {"tinh", "to", "khu", "kp", "ap", "thon", "xom", "toa", "lo", "tang", "phong", "block"}
    | {"p", "q", "tp", "tx", "tt", "h", "street", "st", "road", "rd", "ward", "district"}
    | {"city", "province", "alley", "lane", "hamlet", "commune"}
)
ADDRESS_UNIT_PAIRS: Final[frozenset[tuple[str, str]]] = frozenset(
    {
        ("so", "nha"),
        ("nha", "so"),
        ("thi", "tran"),
        ("thi", "xa"),
        ("thanh", "pho"),
        ("chung", "cu"),
        ("can", "ho"),
        ("to", "dan"),
        ("dan", "pho"),
        ("khu", "pho"),
        ("khu", "do"),
        ("do", "thi"),
        ("toa", "nha"),
        ("ban", "do"),
    }
)
# Folded units that may open an address after a keyword without a colon ("tôi ở số 5 …");
# "tôi ở quận 3" names an area, not an address.
STREET_LEVEL_UNITS: Final[frozenset[str]] = frozenset(
    {"so", "nha", "ngo", "ngach", "hem", "kiet", "duong", "pho", "to", "thon", "xom", "ap"}
    | {"khu", "kp", "toa", "chung", "can", "lo", "tang", "phong", "block", "street", "alley"}
)
# Units that may start an address on their own, when a number follows ("ngõ 34", "hẻm 12").
ADDRESS_START_UNITS: Final[tuple[str, ...]] = ("ngõ", "ngách", "hẻm", "kiệt")
STREET_UNITS: Final[tuple[str, ...]] = ("đường", "phố", "ngõ", "ngách", "hẻm", "kiệt")
# Folded words that end an address ("… 12 nguyen trai muon dang ky tam tru").
ADDRESS_STOP_WORDS: Final[frozenset[str]] = frozenset(
    {
        "thi",
        "muon",
        "can",
        "co",
        "lam",
        "de",
        "nhung",
        "ma",
        "nen",
        "bi",
        "da",
        "duoc",
        "xin",
        "hoi",
        "cho",
        "vay",
        "a",
        "nhe",
        "nha",
        "khong",
        "ko",
        "k",
        "va",
        "gio",
        "sao",
        "the",
        "nao",
        "gi",
        "dang",
        "ky",
        "ki",
        "bao",
        "nhieu",
        "phai",
        "and",
        "i",
        "how",
        "what",
        "want",
        "need",
        "do",
    }
)
# Capitalised words that follow a number without being a street ("Điều 12 Luật …").
NOT_STREET_WORDS: Final[frozenset[str]] = frozenset(
    {
        "luat",
        "nghi",
        "thong",
        "quyet",
        "dieu",
        "khoan",
        "bo",
        "chuong",
        "muc",
        "mau",
        "to",
        "ngay",
        "thang",
        "nam",
        "gio",
        "phut",
        "tuoi",
        "trieu",
        "nghin",
        "ngan",
        "dong",
        "so",
        "cuc",
        "chi",
        "cong",
        "uy",
        "ban",
        "toa",
        "vien",
        "truong",
        "benh",
        "nguoi",
        "lan",
        "buoc",
        "tap",
        "trang",
        "phu",
        "the",
        "cac",
        "nhung",
        "toi",
        "minh",
        "em",
    }
)
# Folded words that, right before a number, show it is not a house number.
NOT_HOUSE_NUMBER_BEFORE: Final[frozenset[str]] = frozenset(
    {
        "dieu",
        "khoan",
        "diem",
        "muc",
        "chuong",
        "phan",
        "mau",
        "dinh",
        "tu",
        "luat",
        "nam",
        "ngay",
        "thang",
        "tuoi",
        "lan",
        "buoc",
        "thu",
        "lop",
        "top",
        "khoang",
        "mat",
        "het",
        "den",
        "toi",
        "trong",
        "sau",
        "truoc",
        "gom",
        "nghi",
        "quyet",
        "article",
        "clause",
        "decree",
        "law",
        "form",
        "year",
        "age",
    }
)

# --- number patterns ----------------------------------------------------------------------

_SEP: Final[str] = r"[ .\-]"
_LEFT: Final[str] = r"(?<![\w/@+])(?<!\d[.,\-])"
_RIGHT: Final[str] = r"(?![\w/@])(?![.,\-]\d)"


def _alternation(words: tuple[str, ...]) -> str:
    ordered = sorted(words, key=len, reverse=True)
    return "(?:" + "|".join(ordered) + ")"


def _compile(pattern: str) -> re.Pattern[str]:
    """Compile a pattern written in accented Vietnamese, tolerant of unaccented typing."""
    return re.compile(accent_tolerant(pattern), re.IGNORECASE)


_EMAIL_RE: Final = _compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_BANK_NUMBER: Final[str] = rf"(?P<num>\d(?:{_SEP}?+\d){{7,18}}+)"
_BANK_BEFORE_RE: Final = _compile(
    rf"(?<!\w)(?:{_alternation(BANK_KEYWORDS)}|{_alternation(BANK_NAMES)})(?!\w)"
    rf"(?P<gap>[^\d\n\[\]]{{0,30}}?){_LEFT}{_BANK_NUMBER}{_RIGHT}"
)
_BANK_AFTER_RE: Final = _compile(
    rf"{_LEFT}{_BANK_NUMBER}{_RIGHT}(?=[\s,(\-]*(?:(?:tại|ở|ngân hàng|nh)\s+)?"
    rf"{_alternation(BANK_NAMES)}(?!\w))"
)
_NOT_BANK_RE: Final = _compile(_alternation(NOT_BANK_CONTEXT))
_CCCD_RE: Final = _compile(rf"{_LEFT}0(?:{_SEP}?+\d){{11}}{_RIGHT}")
_PHONE_RE: Final = _compile(
    rf"{_LEFT}(?:(?:\+\s?84|\(\+?84\)|0084|84)\s?[.\-]?\s?|0)"
    rf"(?:[35789](?:{_SEP}?+\d){{8}}|2(?:{_SEP}?+\d){{9}}){_RIGHT}"
)
_CMND_RE: Final = _compile(rf"{_LEFT}(?:\d{{9}}|0\d\d{_SEP}\d{{3}}{_SEP}\d{{3}}){_RIGHT}")
_PASSPORT_RE: Final = re.compile(r"(?<![\w/.\-])[A-Za-z]\d{7,8}(?![\w/])(?![.,\-]\d)")
_LONG_NUMBER_RE: Final = _compile(
    rf"{_LEFT}(?:\d{{13,19}}|\d{{4}}(?:[ \-]\d{{4}}){{3}}(?:[ \-]\d{{1,3}})?){_RIGHT}"
)
_CURRENCY_AFTER_RE: Final = _compile(rf"\s?{_alternation(CURRENCY_WORDS)}(?!\w)")
_MONEY_SHAPE_RE: Final = re.compile(r"[1-9]\d{0,2}(?:[.,]\d{3})+")
_DATE_SHAPE_RE: Final = re.compile(r"\d{1,2}[.\-/ ]\d{1,2}[.\-/ ]\d{2,4}")

_Span = tuple[int, int, str]


def _is_money_or_date(text: str, start: int, end: int) -> bool:
    number = text[start:end]
    if _CURRENCY_AFTER_RE.match(text, end):
        return True
    return bool(_MONEY_SHAPE_RE.fullmatch(number) or _DATE_SHAPE_RE.fullmatch(number))


def _bank_spans(text: str) -> Iterator[_Span]:
    for match in _BANK_BEFORE_RE.finditer(text):
        if _NOT_BANK_RE.search(match.group("gap")):
            continue
        start, end = match.span("num")
        if not _is_money_or_date(text, start, end):
            yield start, end, "bank_account"
    for match in _BANK_AFTER_RE.finditer(text):
        start, end = match.span("num")
        if not _is_money_or_date(text, start, end):
            yield start, end, "bank_account"


def _simple_spans(pattern: re.Pattern[str], kind: str) -> Callable[[str], Iterator[_Span]]:
    def spans(text: str) -> Iterator[_Span]:
        for match in pattern.finditer(text):
            if not _is_money_or_date(text, match.start(), match.end()):
                yield match.start(), match.end(), kind

    return spans


# In priority order: where matches overlap, the earlier kind wins.
_NUMBER_FINDERS: Final[tuple[Callable[[str], Iterator[_Span]], ...]] = (
    _simple_spans(_EMAIL_RE, "email"),
    _bank_spans,
    _simple_spans(_CCCD_RE, "cccd"),
    _simple_spans(_PHONE_RE, "phone"),
    _simple_spans(_CMND_RE, "cmnd"),
    _simple_spans(_PASSPORT_RE, "passport"),
    _simple_spans(_LONG_NUMBER_RE, "bank_account"),
)


def _apply(text: str, spans: list[_Span], counts: dict[str, int]) -> str:
    """Replace non-overlapping spans (first come, first served) with placeholders."""
    chosen: list[_Span] = []  # kept sorted by start
    for span in spans:
        i = bisect.bisect_left(chosen, span)
        if i > 0 and chosen[i - 1][1] > span[0]:
            continue
        if i < len(chosen) and chosen[i][0] < span[1]:
            continue
        chosen.insert(i, span)
    if not chosen:
        return text
    parts: list[str] = []
    last = 0
    for start, end, kind in chosen:
        parts.append(text[last:start])
        parts.append(PLACEHOLDERS[kind])
        counts[kind] = counts.get(kind, 0) + 1
        last = end
    parts.append(text[last:])
    return "".join(parts)


# --- addresses ----------------------------------------------------------------------------

_TOKEN_RE: Final = re.compile(r"\S+")
_ADDRESS_KEYWORD_RE: Final = _compile(
    rf"(?<!\w){_alternation(ADDRESS_KEYWORDS)}(?!\w)"
    rf"(?P<fill>(?:\s+{_alternation(ADDRESS_FILLERS)}(?!\w))*)\s*(?P<colon>[:\-=]?)\s*"
)
_NUMBER_STREET_RE: Final = _compile(
    rf"(?<![\w/.,\-])(?:{_alternation(('số nhà', 'nhà số', 'số'))}\s+)?\d+[a-z]?(?:/\d+[a-z]?)*"
    rf"\s+{_alternation(STREET_UNITS)}(?!\w)"
)
_UNIT_NUMBER_RE: Final = _compile(
    rf"(?<!\w)(?:{_alternation(('số nhà', 'nhà số'))}|{_alternation(ADDRESS_START_UNITS)})"
    rf"\s+\d+[a-z]?(?:/\d+[a-z]?)*(?!\w)"
)
_HOUSE_NUMBER_RE: Final = re.compile(r"\d{1,5}[A-Za-z]?(?:/\d{1,5}[A-Za-z]?)*")
_TRAILING_PUNCT: Final[str] = ",.;:!?)\"'"
_CLAUSE_END: Final[str] = ".;!?"
_MAX_ADDRESS_TOKENS: Final[int] = 20


def _word(token: str) -> str:
    return fold_token(token.strip(_TRAILING_PUNCT + "(\"'"))


def _is_capitalised(token: str) -> bool:
    core = token.strip(_TRAILING_PUNCT + "(\"'")
    return len(core) > 1 and core[0].isupper() and not core.isupper() and core[1:].isalpha()


def _address_like(token: str, following: str = "") -> bool:
    """A token that can start or continue an address after a comma."""
    word = _word(token)
    if not word or token.startswith("["):
        return False
    if any(ch.isdigit() for ch in word):
        return True
    return _is_unit(word, "", _word(following)) or _is_capitalised(token)


def _is_unit(word: str, previous: str, following: str) -> bool:
    head = word.split(".")[0]
    return (
        head in ADDRESS_UNITS
        or (word, following) in ADDRESS_UNIT_PAIRS
        or (previous, word) in ADDRESS_UNIT_PAIRS
    )


def _ends_clause(token: str) -> bool:
    stripped = token.rstrip("\"')")
    if not stripped.endswith(tuple(_CLAUSE_END)):
        return False
    # "P." / "Q." / "TP." abbreviate a unit and do not end the clause.
    return not (stripped.endswith(".") and fold(stripped[:-1]).split(".")[-1] in ADDRESS_UNITS)


def _extend_address(text: str, start: int) -> int:
    """End offset of the address that begins at `start` (== start when none does)."""
    end = start
    since_anchor = 0  # plain lower-case words since the last number, unit or name
    previous = ""
    tokens = _TOKEN_RE.finditer(text, start)
    match = next(tokens, None)
    count = 0
    while match is not None and count < _MAX_ADDRESS_TOKENS:
        following_match = next(tokens, None)
        token = match.group()
        word = _word(token)
        if not word or token.startswith("["):
            break
        following = _word(following_match.group()) if following_match else ""
        anchor = any(ch.isdigit() for ch in word) or _is_unit(word, previous, following)
        if anchor or _is_capitalised(token):
            since_anchor = 0
        elif word in ADDRESS_STOP_WORDS or since_anchor >= 3 or count == 0:
            break
        else:
            since_anchor += 1
        end = match.start() + len(token.rstrip(_TRAILING_PUNCT))
        if _ends_clause(token):
            break
        if token.rstrip("\"')").endswith(","):
            after = _TOKEN_RE.search(text, following_match.end()) if following_match else None
            if following_match is None or not _address_like(
                following_match.group(), after.group() if after else ""
            ):
                break
        previous, match, count = word, following_match, count + 1
    return end


def _keyword_starts(text: str) -> Iterator[tuple[int, int]]:
    """(start, minimum end) of addresses after a keyword ("địa chỉ: …", "tôi ở số 5 …")."""
    for match in _ADDRESS_KEYWORD_RE.finditer(text):
        start = match.end()
        first = _TOKEN_RE.match(text, start)
        if first is None:
            continue
        token = first.group()
        explicit = bool(match.group("colon")) or bool(
            re.search(r"(?<!\w)(?:là|la|is)\s*$", match.group("fill"), re.IGNORECASE)
        )
        word = _word(token)
        if _HOUSE_NUMBER_RE.fullmatch(token.rstrip(_TRAILING_PUNCT)):
            following = _TOKEN_RE.search(text, first.end())
            if following is not None and _word(following.group()) in NOT_STREET_WORDS:
                continue  # "ở tại 15 ngày": a duration, not a house number
        units = ADDRESS_UNITS if explicit else STREET_LEVEL_UNITS
        starts_well = any(ch.isdigit() for ch in word) or word.split(".")[0] in units
        if starts_well or (explicit and _is_capitalised(token)):
            yield start, start + 1


def _numbered_street_starts(text: str) -> Iterator[tuple[int, int]]:
    """ "số nhà 12 …", "12 đường …", "ngõ 34 …"."""
    for pattern in (_NUMBER_STREET_RE, _UNIT_NUMBER_RE):
        for match in pattern.finditer(text):
            yield match.start(), match.start() + 1


def _named_street_starts(text: str) -> Iterator[tuple[int, int]]:
    """ "123 Nguyễn Trãi": a house number followed by at least two capitalised words."""
    tokens = list(_TOKEN_RE.finditer(text))
    for i, match in enumerate(tokens[:-2]):
        if not _HOUSE_NUMBER_RE.fullmatch(match.group()):
            continue
        if i > 0 and (
            _word(tokens[i - 1].group()) in NOT_HOUSE_NUMBER_BEFORE
            or tokens[i - 1].group()[-1:] in "/.-"
        ):
            continue
        first, second = tokens[i + 1].group(), tokens[i + 2].group()
        if not (_is_capitalised(first) and _is_capitalised(second)):
            continue
        if _word(first) in NOT_STREET_WORDS or first[-1] in _TRAILING_PUNCT:
            continue
        yield match.start(), tokens[i + 2].start() + 1


def _address_spans(text: str) -> list[_Span]:
    """Address spans, left to right; a candidate inside an earlier address is skipped."""
    candidates = sorted(
        {
            *_keyword_starts(text),
            *_numbered_street_starts(text),
            *_named_street_starts(text),
        }
    )
    spans: list[_Span] = []
    last_end = 0
    for start, minimum_end in candidates:
        if start < last_end:
            continue
        end = _extend_address(text, start)
        if end >= minimum_end:
            spans.append((start, end, "address"))
            last_end = end
    return spans


# --- public API ---------------------------------------------------------------------------


def redact(text: str) -> Redacted:
    """Replace personal data in `text` with placeholders such as "[CCCD]" and "[SĐT]".

    Idempotent: redacting the result again changes nothing. Everything else in the text is
    kept as written (the text is only NFC-composed).
    """
    if not text:
        return Redacted(text="", counts={})
    text = unicodedata.normalize("NFC", text)
    counts: dict[str, int] = {}
    if any(ch.isdigit() for ch in text) or "@" in text:
        spans = [span for finder in _NUMBER_FINDERS for span in finder(text)]
        text = _apply(text, spans, counts)
    text = _apply(text, _address_spans(text), counts)
    return Redacted(text=text, counts=counts)
