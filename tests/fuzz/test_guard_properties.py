"""Property tests of the guard stage: redaction of personal data and the message bound."""

from __future__ import annotations

from typing import get_args

from hypothesis import given
from hypothesis import strategies as st

from assistant.guard import PLACEHOLDERS, check_message, redact
from assistant.reply import Language
from tests.fuzz.strategies import FUZZ, any_text, vi_words

_digits = st.text(st.sampled_from("0123456789"), min_size=1, max_size=1)


def _grouped(digits: str, sep: str, groups: list[int]) -> str:
    """Join `digits` with `sep` after the given group sizes ("012 345 678 901")."""
    if not sep:
        return digits
    parts, start = [], 0
    for size in groups:
        if start >= len(digits):
            break
        parts.append(digits[start : start + size])
        start += size
    if start < len(digits):
        parts.append(digits[start:])
    return sep.join(p for p in parts if p)


@st.composite
def cccd(draw: st.DrawFn) -> tuple[str, str]:
    """A 12-digit CCCD (leading 0, as all are) in a separator style the redactor handles."""
    digits = "0" + "".join(draw(_digits) for _ in range(11))
    sep = draw(st.sampled_from(["", " ", ".", "-"]))
    groups = draw(st.sampled_from([[3, 3, 3, 3], [4, 4, 4], [3, 3, 6], [6, 6], [2, 3, 3, 4]]))
    return digits, _grouped(digits, sep, groups)


@st.composite
def phone(draw: st.DrawFn) -> tuple[str, str]:
    """A Vietnamese mobile (0[35789] + 8 digits) or landline (02 + 9 digits), with or
    without +84 / 84, in the separator styles the redactor handles."""
    first = draw(st.sampled_from("35789"))
    rest = "".join(draw(_digits) for _ in range(8))
    national = draw(st.sampled_from([first + rest, "2" + rest + draw(_digits)]))
    sep = draw(st.sampled_from(["", " ", ".", "-"]))
    body = _grouped(national, sep, draw(st.sampled_from([[3, 3, 3], [2, 3, 4], [4, 3, 3]])))
    prefix = draw(st.sampled_from(["0", "+84", "+84 ", "84", "(+84) ", "0084"]))
    return national, prefix + body


def _no_digits_left(number: str, text: str) -> bool:
    squeezed = "".join(ch for ch in text if ch.isdigit())
    return number not in squeezed


@FUZZ
@given(any_text)
def test_redact_never_raises_and_is_idempotent(text: str) -> None:
    once = redact(text)
    twice = redact(once.text)
    assert twice.text == once.text
    assert twice.total == 0
    assert all(kind in PLACEHOLDERS for kind in once.counts)


@FUZZ
@given(vi_words, cccd(), vi_words, st.sampled_from([" ", ": ", " (", ", ", "\n"]))
def test_cccd_embedded_in_text_never_survives(
    before: str, number: tuple[str, str], after: str, gap: str
) -> None:
    digits, written = number
    text = f"{before}{gap}{written} {after}".strip()
    out = redact(text).text
    assert _no_digits_left(digits, out), (text, out)
    assert written not in out


@FUZZ
@given(vi_words, phone(), vi_words, st.sampled_from([" ", ": ", " (", ", ", "\n"]))
def test_phone_embedded_in_text_never_survives(
    before: str, number: tuple[str, str], after: str, gap: str
) -> None:
    national, written = number
    text = f"{before}{gap}{written} {after}".strip()
    out = redact(text).text
    assert _no_digits_left(national[1:], out), (text, out)


@FUZZ
@given(
    st.from_regex(r"[a-z][a-z0-9._]{0,15}@[a-z]{1,10}\.(com|vn|gov\.vn)", fullmatch=True),
    vi_words,
    vi_words,
)
def test_email_embedded_in_text_never_survives(address: str, before: str, after: str) -> None:
    out = redact(f"{before} {address} {after}").text
    assert address not in out and "@" not in out


@FUZZ
@given(any_text, st.integers(min_value=50, max_value=2000))
def test_check_message_never_raises_and_respects_the_limit(text: str, max_chars: int) -> None:
    result = check_message(text, max_chars=max_chars)
    assert len(result.text) <= max_chars
    assert result.language in get_args(Language)
