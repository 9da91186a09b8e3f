"""How people write unit names: tokens, type prefixes, aliases and risky names.

Tokens are compared folded (no diacritics, đ -> d, lower case); a token typed with
diacritics must also carry the name's diacritics ("phương" is not "phường", "lại" is not
"Lai"), so accented text gets exact matching and unaccented text gets folded matching.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from knowledge.places.model import Level
from knowledge.text.ngrams import iter_token_spans
from knowledge.text.normalize import fold_token, normalize


@dataclass(frozen=True)
class Token:
    """A token of the message: offsets in the normalised text, its text lower-cased and
    folded, and whether it was written with a capital letter."""

    start: int
    end: int
    lower: str
    folded: str
    capital: bool
    gap: str = " "
    """The text between the previous token and this one."""

    @property
    def joined(self) -> bool:
        """Only spaces, a hyphen or an apostrophe before it: it can continue a name
        ("Bà Rịa - Vũng Tàu", "Cư M'gar")."""
        return set(self.gap) <= {" ", "-", "'"}

    @property
    def after_prefix(self) -> bool:
        """It can follow a type prefix: spaces, a dot or a hyphen ("P.Bến Nghé", "Q. 1")."""
        return set(self.gap) <= {" ", "-", "."}


_GLUED_RE: Final[re.Pattern[str]] = re.compile(r"^(q|p|quan|phuong|f)(\d{1,2})$")


def tokens_of(text: str) -> tuple[str, list[Token]]:
    """The normalised message and its tokens ("q1" and "p12" are split in two)."""
    prepared = normalize(text)
    out: list[Token] = []
    previous_end = 0
    for start, end, _ in iter_token_spans(prepared):
        raw = prepared[start:end]
        lower = raw.lower()
        gap = prepared[previous_end:start] if out else " "
        previous_end = end
        glued = _GLUED_RE.match(fold_token(lower))
        if glued:
            cut = start + len(glued.group(1))
            head = glued.group(1)
            out.append(Token(start, cut, lower[: len(head)], head, raw[:1].isupper(), gap))
            out.append(Token(cut, end, glued.group(2), glued.group(2), False, "."))
            continue
        out.append(Token(start, end, lower, fold_token(lower), raw[:1].isupper(), gap))
    return prepared, out


def name_tokens(name: str) -> tuple[str, ...]:
    """Lower-case tokens of a table name ("Bà Rịa - Vũng Tàu" -> bà, rịa, vũng, tàu);
    numbers lose leading zeros ("Phường 01" -> "1")."""
    prepared = normalize(name).lower()
    return tuple(_number(prepared[s:e]) for s, e, _ in iter_token_spans(prepared))


def _number(token: str) -> str:
    return str(int(token)) if token.isdigit() else token


def compatible(written: list[Token], name: tuple[str, ...]) -> bool:
    """Same folded tokens are given; an accented written token must match exactly."""
    return all(t.lower == n or t.lower.isascii() for t, n in zip(written, name, strict=True))


@dataclass(frozen=True)
class Prefix:
    """A unit type as written before a name: which levels and which exact kind."""

    levels: tuple[Level, ...]
    kind: str
    spelling: tuple[str, ...]


def _prefix(levels: tuple[Level, ...], kind: str, *spellings: str) -> list[Prefix]:
    return [Prefix(levels, kind, tuple(s.split())) for s in spellings]


PREFIXES: Final[tuple[Prefix, ...]] = (
    *_prefix(("province", "district"), "thành phố", "thành phố", "tp"),
    *_prefix(("province",), "tỉnh", "tỉnh"),
    *_prefix(("district",), "quận", "quận", "q"),
    *_prefix(("district",), "huyện", "huyện"),
    *_prefix(("district", "commune"), "thị xã", "thị xã", "tx"),
    *_prefix(("commune",), "thị trấn", "thị trấn", "tt"),
    *_prefix(("commune",), "phường", "phường", "p", "f"),
    *_prefix(("commune",), "xã", "xã"),
    *_prefix(("commune",), "đặc khu", "đặc khu"),
    # English, as an expat writes an address: "Ward 5", "District 1", "ward Ben Nghe" (the
    # match reads "Ben Nghe ward" in this order); no kind, so any unit of the level fits.
    *_prefix(("commune",), "", "ward", "commune"),
    *_prefix(("district",), "", "district"),
    *_prefix(("province",), "", "province"),
)
"""Single letters other than Q, P, F (used for quận/phường in addresses) are not prefixes."""

_NOT_PREFIX_AFTER: Final[dict[str, frozenset[str]]] = {
    "quan": frozenset({"co", "hai", "lien", "chu", "truc", "thu", "kham", "tham"}),
    "tinh": frozenset({"tu", "tong", "cong", "dinh", "tao"}),
    "xa": frozenset({"thi"}),
}
"""Folded words that, before a prefix word, make it an ordinary word: "cơ quan", "hải
quan", "tự tính", "thị xã" (read as its own prefix)."""


def prefix_at(tokens: list[Token], i: int) -> Prefix | None:
    """The unit-type prefix starting at token i, the longest one, or None."""
    best: Prefix | None = None
    for prefix in PREFIXES:
        n = len(prefix.spelling)
        window = tokens[i : i + n]
        if len(window) < n or (best is not None and len(best.spelling) >= n):
            continue
        if tuple(t.folded for t in window) != tuple(fold_token(s) for s in prefix.spelling):
            continue
        if not compatible(window, prefix.spelling) or not all(t.joined for t in window[1:]):
            continue
        if n == 1 and _ordinary_word(tokens, i):
            continue
        best = prefix
    return best


def _ordinary_word(tokens: list[Token], i: int) -> bool:
    """Whether the previous word, with nothing but a space between, makes token i an
    ordinary word ("liên quan"; but "Kim Liên, quận ..." keeps the prefix)."""
    if i == 0 or tokens[i].start - tokens[i - 1].end > 1:
        return False
    return tokens[i - 1].folded in _NOT_PREFIX_AFTER.get(tokens[i].folded, frozenset())


PROVINCE_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "Thành phố Hồ Chí Minh": ("TPHCM", "HCM", "TP HCM", "Sài Gòn", "Saigon", "Hochiminh"),
    "Thành phố Hà Nội": ("Hanoi",),
    "Thành phố Đà Nẵng": ("Danang",),
    "Thành phố Huế": ("Thừa Thiên Huế", "Thừa Thiên - Huế"),
    "Tỉnh Bà Rịa - Vũng Tàu": ("Bà Rịa Vũng Tàu", "BRVT", "Vũng Tàu"),
    "Tỉnh Đắk Lắk": ("Đắc Lắc", "Daklak", "Đăk Lăk"),
    "Tỉnh Đắk Nông": ("Đắc Nông", "Daknong", "Đăk Nông"),
    "Tỉnh Kon Tum": ("Kontum",),
}
"""Other ways to write province names (old and new); matched with or without a prefix."""

ORDINARY_FOLDED: Final[frozenset[str]] = frozenset({"hoa binh"})
"""Province names that are everyday words however they are typed ("hòa bình": peace):
without a prefix they count only after a place cue ("ở Hòa Bình") or with another place
in the message that lies in them ("huyện Lương Sơn, Hòa Bình")."""

RISKY_FOLDED: Final[frozenset[str]] = frozenset(
    {
        "hoa binh",  # hòa bình: peace
        "thai binh",
        "gia lai",  # tham gia lại: join again
        "ca mau",  # cả mẫu: all the forms
        "lam dong",  # làm đồng
        "ha nam",
        "long an",
        "an giang",
        "son la",
        "yen bai",
        "quang nam",
        "bac lieu",
        "hau giang",
        "vung tau",
    }
)
"""Province names that, typed without diacritics and without a prefix, also read as
ordinary words: they count only with a prefix, diacritics, a capital letter, a place cue
("ở", "tại") or another place in the message that contains or lies in them."""

STREET_WORDS: Final[frozenset[str]] = frozenset(
    {"duong", "pho", "so", "ngo", "ngach", "hem", "kiet", "nha", "toa"}
)
"""Folded words that, right before a bare name, make it a street or a building."""

PLACE_CUES: Final[frozenset[str]] = frozenset(
    {"o", "tai", "thuoc", "ve", "den", "tu", "que", "dia ban"}
)
"""Folded words that, right before a name, say a place follows ("ở Bình Dương")."""


def windows(tokens: list[Token], start: int, longest: int) -> Iterator[tuple[int, list[Token]]]:
    """(length, tokens) from `start`, longest first; a name does not cross punctuation."""
    reach = 1
    while start + reach < len(tokens) and reach < longest and tokens[start + reach].joined:
        reach += 1
    for n in range(reach, 0, -1):
        yield n, tokens[start : start + n]
