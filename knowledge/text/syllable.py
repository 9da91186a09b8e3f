"""Vietnamese syllable structure: onsets, rhymes, tone marks and tone placement.

A self-contained onset/rhyme table (no word list, no dependency). It answers two questions:
is a token a well-formed Vietnamese syllable, and on which vowel does its tone mark go.
Canonical tone placement follows the "old style" (kiểu cũ: hòa, thủy, khỏe), which is the
style the national procedure records use about ten times more often than the new style.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Final, Literal

ToneStyle = Literal["old", "new"]

# Combining tone marks (NFD) -> tone name. Quality marks (circumflex U+0302, breve U+0306,
# horn U+031B) are not tones and stay with their vowel.
TONE_MARKS: Final[dict[str, str]] = {
    "\u0301": "sac",
    "\u0300": "huyen",
    "\u0309": "hoi",
    "\u0303": "nga",
    "\u0323": "nang",
}
TONE_MARK_OF: Final[dict[str, str]] = {name: mark for mark, name in TONE_MARKS.items()}

VOWELS: Final[frozenset[str]] = frozenset("aăâeêioôơuưy")
MODIFIED_VOWELS: Final[frozenset[str]] = frozenset("ăâêôơư")

ONSETS: Final[frozenset[str]] = frozenset(
    {"", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng"}
    | {"ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"}
)
# Longest first, so that "ngh" wins over "ng" and "n".
_ONSETS_BY_LENGTH: Final[tuple[str, ...]] = tuple(
    sorted((o for o in ONSETS if o), key=len, reverse=True)
)

FINALS: Final[frozenset[str]] = frozenset({"", "c", "ch", "m", "n", "ng", "nh", "p", "t"})
STOP_FINALS: Final[tuple[str, ...]] = ("c", "ch", "p", "t")

_RHYME_TEXT: Final[str] = """
a ai ao au ay ac ach am an ang anh ap at
ăc ăm ăn ăng ăp ăt
âc âm ân âng âp ât âu ây
e eo ec em en eng ep et
ê êu êch êm ên ênh êp êt
i ia iu ich im in inh ip it
iêc iêm iên iêng iêp iêt iêu
o oi oc om on ong op ot oong ooc
oa oai oay oao oac oach oam oan oang oanh oap oat
oăc oăm oăn oăng oăt
oe oeo oen oet
ô ôi ôc ôm ôn ông ôp ôt
ơ ơi ơm ơn ơp ơt
u ua ui uc um un ung up ut
uân uâng uât uây
uê uêch uênh
uy uya uyu uych uynh uyt uyn
uyên uyêt
uôc uôm uôn uông uôt uôi
uơ
ư ưa ưi ưu ưc ưng ưt ưn ưm
ươc ươm ươn ương ươp ươt ươi ươu
y ych ynh yt yêm yên yêt yêu
"""
RHYMES: Final[frozenset[str]] = frozenset(_RHYME_TEXT.split())

_FRONT: Final[tuple[str, ...]] = ("e", "ê", "i", "y")


def strip_tone(word: str) -> tuple[str, str | None, int]:
    """Split a word into (toneless NFC text, tone name or None, number of tone marks)."""
    decomposed = unicodedata.normalize("NFD", word)
    tone: str | None = None
    count = 0
    kept: list[str] = []
    for ch in decomposed:
        name = TONE_MARKS.get(ch)
        if name is None:
            kept.append(ch)
        else:
            tone = name
            count += 1
    return unicodedata.normalize("NFC", "".join(kept)), tone, count


def add_tone(char: str, tone: str | None) -> str:
    """Put a tone mark on one (possibly already modified) vowel character."""
    if tone is None:
        return char
    return unicodedata.normalize("NFC", char + TONE_MARK_OF[tone])


def split_onset(base: str) -> tuple[str, str]:
    """Split a lower-case toneless syllable into (onset, rest) by the longest known onset.

    "gi" and "qu" count as onsets only when a vowel follows ("gìn" is g + in, "già" is gi + a).
    """
    for onset in _ONSETS_BY_LENGTH:
        if base.startswith(onset):
            rest = base[len(onset) :]
            if onset in ("gi", "qu") and (not rest or rest[0] not in VOWELS):
                continue
            return onset, rest
    return "", base


def _split_rhyme(rest: str) -> tuple[str, str] | None:
    """Split a rhyme into (vowel cluster, final consonant), or None when it is malformed."""
    i = 0
    while i < len(rest) and rest[i] in VOWELS:
        i += 1
    nucleus, final = rest[:i], rest[i:]
    if not nucleus or final not in FINALS:
        return None
    return nucleus, final


@lru_cache(maxsize=8192)
def tone_position(base: str, style: ToneStyle = "old") -> int | None:
    """Index (in `base`) of the vowel that carries the tone, or None if not a syllable shape.

    `base` is one lower-case syllable without tone marks but with its quality marks (â, ư...).
    """
    onset, rest = split_onset(base)
    parts = _split_rhyme(rest)
    if parts is None:
        return None
    nucleus, final = parts
    if nucleus + final not in RHYMES:
        return None  # glued words ("hộiYêu") or not Vietnamese: leave the marks alone
    start = len(onset)
    modified = [i for i, ch in enumerate(nucleus) if ch in MODIFIED_VOWELS]
    if modified:
        offset = modified[-1]
    elif final:
        offset = len(nucleus) - 1
    elif len(nucleus) == 3:
        offset = 1
    elif len(nucleus) == 2:
        new_style_second = style == "new" and nucleus in ("oa", "oe", "uy")
        offset = 1 if new_style_second else 0
    elif len(nucleus) == 1:
        offset = 0
    else:
        return None
    return start + offset


def _spelling_ok(onset: str, rhyme: str, folded: bool = False) -> bool:
    """Vietnamese orthography rules that tie an onset to the rhyme's first letter.

    With `folded`, "o" may stand for ô/ơ (quốc, quở), so "qu" + "o" is allowed.
    """
    first = rhyme[0]
    if onset == "" and rhyme.startswith(("iê", "ie")) and len(rhyme) > 2:
        return False  # written "yê" without an onset: yên, yêu
    if rhyme.startswith("yê") and onset not in ("", "qu"):
        return False
    if rhyme in ("yt", "ynh", "ych") and onset != "qu":
        return False  # quýt, quỳnh, quých; elsewhere written uy-: huýt, huỳnh
    if onset == "c":
        return first not in ("e", "ê", "i", "y")
    if onset in ("k", "gh", "ngh"):
        return first in ("e", "ê", "i", "y") if onset == "k" else first in ("e", "ê", "i")
    if onset == "g":
        return first not in ("e", "ê")
    if onset == "ng":
        return first not in ("e", "ê", "i", "y")
    if onset == "qu":
        return first not in ("u", "ư") and (folded or first != "o")
    return True


def _structure_ok(base: str) -> tuple[str, str] | None:
    """(onset, rhyme) when `base` (lower, toneless) is a well-formed syllable, else None."""
    candidates = [split_onset(base)]
    # "gi" may also be g + i... ("gìn", "giết" as g + iêt).
    if base.startswith("gi") and candidates[0][0] == "gi":
        candidates.append(("g", base[1:]))
    for onset, rhyme in candidates:
        if rhyme in RHYMES and _spelling_ok(onset, rhyme):
            return onset, rhyme
    return None


@lru_cache(maxsize=65536)
def is_valid_syllable(word: str) -> bool:
    """True when `word` is a well-formed Vietnamese syllable (accented or plain, any case).

    Checks onset, rhyme, spelling rules (c/k, g/gh, ng/ngh, qu) and that syllables closed by
    c/ch/p/t carry the sắc or nặng tone. Plain ASCII words are checked as written, so
    "dang" is valid (dang) and "tiêt" is not (it needs a tone: tiết, tiệt).
    """
    if not word or len(word) > 8:
        return False
    base, tone, count = strip_tone(word.lower())
    if count > 1:
        return False
    parts = _structure_ok(base)
    if parts is None:
        return False
    rhyme = parts[1]
    return not (rhyme.endswith(STOP_FINALS) and tone not in ("sac", "nang"))


def _fold_char(ch: str) -> str:
    if ch == "đ":
        return "d"
    return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))


_FOLDED_RHYMES: Final[frozenset[str]] = frozenset(
    "".join(_fold_char(c) for c in rhyme) for rhyme in RHYMES
)


@lru_cache(maxsize=65536)
def is_valid_folded_syllable(token: str) -> bool:
    """True when some accentuation of the ASCII token is a valid syllable ("dang" -> đăng).

    Used on text typed without diacritics: English words rarely pass ("email", "visa",
    "passport", "register" fail; short ones like "to", "can" do pass).
    """
    if not token or len(token) > 7 or not token.isascii() or not token.isalpha():
        return False
    token = token.lower()
    options = [split_onset(token)]
    if token.startswith("gi"):
        options.append(("g", token[1:]))
    if token.startswith("d"):
        options.append(("d", token[1:]))  # đ folds to d: same split
    for onset, rhyme in options:
        if rhyme in _FOLDED_RHYMES and _spelling_ok(onset, rhyme, folded=True):
            return True
    return False
