"""Repair Telex and VNI leftovers typed without an input method ("Nguyeenx" -> "Nguyễn").

A token is only rewritten when its decoding is a valid Vietnamese syllable and the token
carries an unambiguous signature:

- a vowel or đ key (Telex aa ee oo aw ow uw uow w dd; VNI 6 7 8 9), with or without a tone
  key: repaired ("tieengs" -> "tiếng", "vie65t" -> "việt");
- only a Telex tone key f or j ("lamf" -> "làm"): repaired, since English words almost
  never end like that and decode to a syllable;
- only a tone key s, r, x (Telex) or a tone digit (VNI): repaired only when another token
  of the same text was repaired by the rules above ("ddaawng kys" -> "đăng ký"), because
  "tax", "bus", "car" or "A1" (a licence class) must survive on their own.

All-capital tokens are usually acronyms (AFM, GIS, TWR): they count as weak unless they
carry two keys ("NGUYEENX"), and as weak tokens they are only repaired in all-capital text.
A tone key must come at the end or just before the final consonant ("taxi" is not "tãi");
a VNI mark digit must follow its letter at once ("vie65t", not "Nam16" or "doanh94").

Tokens that are common English words, already valid Vietnamese syllables ("xoong"), joined
to codes or addresses ("1.001193.H19", "a@b.vn"), or shorter than three characters are
never touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from knowledge.text.lexicon import ENGLISH_WORDS
from knowledge.text.syllable import add_tone, is_valid_folded_syllable, is_valid_syllable
from knowledge.text.syllable import tone_position as _tone_position

_TELEX_TONES: Final[dict[str, str]] = {
    "s": "sac",
    "f": "huyen",
    "r": "hoi",
    "x": "nga",
    "j": "nang",
}
_VNI_TONES: Final[dict[str, str]] = {
    "1": "sac",
    "2": "huyen",
    "3": "hoi",
    "4": "nga",
    "5": "nang",
}
_TELEX_VOWEL_KEYS: Final[tuple[tuple[str, str], ...]] = (
    ("uwow", "ươ"),
    ("uow", "ươ"),
    ("uwo", "ươ"),
    ("aaw", "ă"),  # w after â turns it into ă, as input methods do ("ddaawng" -> "đăng")
    ("oow", "ơ"),
    ("aa", "â"),
    ("ee", "ê"),
    ("oo", "ô"),
    ("aw", "ă"),
    ("ow", "ơ"),
    ("uw", "ư"),
)
_PLAIN_VOWELS: Final[str] = "aeiouy"
_FINAL_LETTERS: Final[frozenset[str]] = frozenset("chmngpt")
# ASCII alphanumeric tokens not glued to codes, e-mail addresses or URLs.
_CANDIDATE_RE: Final[re.Pattern[str]] = re.compile(
    r"(?<![\w./@:-])[A-Za-z][A-Za-z0-9]*(?![\w@]|[./:-]\w)"
)
_STRONG: Final[int] = 2
_MEDIUM: Final[int] = 1
_WEAK: Final[int] = 0


@dataclass(frozen=True)
class Decoded:
    """A decoded token: the lower-case syllable and how sure the decoding is."""

    syllable: str
    strength: int  # 2: vowel/đ key, 1: Telex f/j tone only, 0: other tone key only
    scheme: str  # "telex" or "vni"


def _apply_tone(base: str, tone: str | None) -> str | None:
    if tone is None:
        return base
    pos = _tone_position(base)
    if pos is None:
        return None
    return base[:pos] + add_tone(base[pos], tone) + base[pos + 1 :]


def _finish(base: str, tone: str | None, strength: int, scheme: str) -> Decoded | None:
    if any(ch in "fjwz" or ch.isdigit() for ch in base):
        return None
    if base.startswith("p") and not base.startswith("ph"):
        return None  # onset p- only occurs in loanwords (pin): too weak a signal
    syllable = _apply_tone(base, tone)
    if syllable is None or not is_valid_syllable(syllable):
        return None
    return Decoded(syllable, strength, scheme)


def decode_telex(token: str) -> Decoded | None:
    """Decode one lower-case ASCII token typed in Telex, or None if it is not Telex."""
    if not token.isalpha() or not token.isascii() or not 3 <= len(token) <= 12:
        return None
    word = token
    marks = 0
    if word.startswith("dd"):
        word = "đ" + word[2:]
        marks += 1
    first_vowel = next((i for i, ch in enumerate(word) if ch in "aeiouyw"), None)
    if first_vowel is None:
        return None
    tone_keys = [i for i in range(first_vowel + 1, len(word)) if word[i] in _TELEX_TONES]
    if len(tone_keys) > 1:
        return None
    if tone_keys and any(ch not in _FINAL_LETTERS for ch in word[tone_keys[0] + 1 :]):
        return None  # a tone key is typed at the end or before the final consonant only
    tone: str | None = None
    tone_key = ""
    if tone_keys:
        tone_key = word[tone_keys[0]]
        tone = _TELEX_TONES[tone_key]
        word = word[: tone_keys[0]] + word[tone_keys[0] + 1 :]
    for keys, vowel in _TELEX_VOWEL_KEYS:
        if keys in word:
            word = word.replace(keys, vowel, 1)
            marks += 1
    if "w" in word:
        word, moved = _delayed_w(word)
        marks += moved
    if marks:
        strength = _STRONG
    elif tone_key in ("f", "j"):
        strength = _MEDIUM
    elif tone is not None:
        strength = _WEAK
    else:
        return None
    return _finish(word, tone, strength, "telex")


def _delayed_w(word: str) -> tuple[str, int]:
    """Resolve a lone Telex "w": ư in vowel position ("tw" -> "tư"), else a horn/breve key
    typed after the rhyme ("tuongw" -> "tương")."""
    i = word.index("w")
    rest = word[:i] + word[i + 1 :]
    has_vowel_before = any(ch in _PLAIN_VOWELS or ch in "ăâêôơư" for ch in word[:i])
    if not has_vowel_before:
        return word[:i] + "ư" + word[i + 1 :], 1
    for plain, marked in (("uo", "ươ"), ("a", "ă"), ("o", "ơ"), ("u", "ư")):
        if plain in rest:
            return rest.replace(plain, marked, 1), 1
    return word, 0


def decode_vni(token: str) -> Decoded | None:
    """Decode one lower-case ASCII token typed in VNI (digits as keys), or None."""
    if not token.isascii() or not token.isalnum() or not token[0].isalpha():
        return None
    if token.isalpha() or sum(ch.isalpha() for ch in token) < 2 or "0" in token:
        return None
    letters: list[str] = []
    tone: str | None = None
    marks = 0
    previous = ""
    for ch in token:
        if ch.isalpha():
            letters.append(ch)
        elif ch in _VNI_TONES:
            if tone is not None or previous in _VNI_TONES:
                return None
            tone = _VNI_TONES[ch]
        elif previous.isdigit() or not _vni_mark(letters, ch):
            return None  # a mark key follows its letter at once: "vie65t", not "Nam16"
        else:
            marks += 1
        previous = ch
    strength = _STRONG if marks else _WEAK
    if tone is None and not marks:
        return None
    return _finish("".join(letters), tone, strength, "vni")


def _vni_mark(letters: list[str], key: str) -> bool:
    """Apply VNI key 6 (â ê ô), 7 (ơ ư, ươ), 8 (ă) or 9 (đ) to the letters typed so far."""
    if not letters:
        return False
    if key == "9":
        if len(letters) == 1 and letters[0] == "d":
            letters[0] = "đ"
            return True
        return False
    if key == "7" and letters[-2:] == ["u", "o"]:
        letters[-2:] = ["ư", "ơ"]
        return True
    marked = {"a6": "â", "e6": "ê", "o6": "ô", "o7": "ơ", "u7": "ư", "a8": "ă"}.get(
        letters[-1] + key
    )
    if marked is None:
        return False
    letters[-1] = marked
    return True


def decode_token(token: str) -> Decoded | None:
    """Telex or VNI decoding of one token (any case), without the context rule.

    All-capital tokens are usually acronyms (AFM, TWM, OJT): they only count as strong
    when they carry two keys ("DDAAWNG", "NGUYEENX"), otherwise as weak.
    """
    lower = token.lower()
    if lower in ENGLISH_WORDS or is_valid_folded_syllable(lower):
        return None
    if lower.endswith("s") and (lower[:-1] in ENGLISH_WORDS or lower[:-2] in ENGLISH_WORDS):
        return None  # English plural or verb form: rooms, keeps, shows, boxes
    decoded = decode_telex(lower) if lower.isalpha() else decode_vni(lower)
    if decoded is not None and decoded.strength > _WEAK and token.isupper():
        keys = sum(lower.count(k) for k in ("dd", "aa", "ee", "oo", "aw", "ow", "uw")) + (
            lower[-1] in _TELEX_TONES
        )
        if keys < 2:
            return Decoded(decoded.syllable, _WEAK, decoded.scheme)
    return decoded


def _recase(original: str, syllable: str) -> str:
    if len(original) > 1 and original.isupper():
        return syllable.upper()
    if original[0].isupper():
        return syllable[0].upper() + syllable[1:]
    return syllable


def repair_telex(text: str) -> str:
    """Rewrite Telex/VNI leftovers into Vietnamese; everything else is returned unchanged.

    "Nguyeenx" -> "Nguyễn", "ddaawng kys" -> "đăng ký", "tieengs vieetj" -> "tiếng việt";
    "email", "passport", "visa", "tax", "cccd", "lam so do" stay as they are.
    """
    if not text:
        return ""
    found: list[tuple[int, int, str, Decoded]] = []
    for m in _CANDIDATE_RE.finditer(text):
        decoded = decode_token(m.group())
        if decoded is not None:
            found.append((m.start(), m.end(), m.group(), decoded))
    if not found:
        return text
    has_context = any(d.strength >= _MEDIUM for *_, d in found)
    # In mixed-case text an all-capital weak token is an acronym (AFM, GIS), not Telex.
    all_caps_text = not any(ch.islower() for ch in text)
    pieces: list[str] = []
    last = 0
    for start, end, original, decoded in found:
        if decoded.strength == _WEAK and not has_context:
            continue
        if decoded.strength == _WEAK and original.isupper() and not all_caps_text:
            continue
        pieces.append(text[last:start])
        pieces.append(_recase(original, decoded.syllable))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)
