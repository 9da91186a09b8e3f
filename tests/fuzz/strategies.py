"""Shared Hypothesis strategies: Vietnamese-ish text with the awkward cases mixed in."""

from __future__ import annotations

import unicodedata

from hypothesis import settings
from hypothesis import strategies as st

FUZZ = settings.get_profile("vn-fuzz")
"""Use as a decorator: `@FUZZ` (the profile from tests/fuzz/conftest.py)."""

VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
    "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬEÈÉẺẼẸÊỀẾỂỄỆIÌÍỈĨỊOÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢUÙÚỦŨỤƯỪỨỬỮỰYỲÝỶỸỴĐ"
    "bcdghklmnpqrstvx"
)
COMBINING_MARKS = "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"
AWKWARD = (
    "\u200b\u200d\ufeff\u00a0\t\r\n\x00\x07\x1b\u2028\u202e"  # zero-width, controls, bidi
    "😀👍🏽🇻🇳👨‍👩‍👧"  # emoji, modifier, flag, ZWJ sequence
    "“”‘’–—…«»＃ＡＢ１２"  # quotes, dashes, fullwidth
    "ﬁ№ǅ"  # ligature, compatibility forms
)

_alphabet = st.sampled_from(
    VIETNAMESE_LETTERS + COMBINING_MARKS + AWKWARD + " .,:;!?-/()[]@0123456789"
)

vi_text = st.one_of(
    st.text(_alphabet, max_size=80),
    st.text(max_size=60),  # any code point, surrogates excluded by Hypothesis
    st.text(_alphabet, max_size=80).map(lambda s: unicodedata.normalize("NFD", s)),
)
"""Short text: Vietnamese letters, combining marks, NFD, emoji, controls, anything."""

long_text = st.builds(
    lambda s, n: s * n, st.text(_alphabet, min_size=1, max_size=20), st.integers(200, 3000)
)
"""Very long strings (thousands of characters)."""

any_text = st.one_of(vi_text, long_text)

vi_words = st.lists(
    st.sampled_from(
        [
            "tôi",
            "muốn",
            "làm",
            "lại",
            "căn",
            "cước",
            "bị",
            "mất",
            "thì",
            "phải",
            "làm",
            "sao",
            "hỏi",
            "về",
            "thủ",
            "tục",
            "đăng",
            "ký",
            "khai",
            "sinh",
            "cho",
            "con",
            "ở",
            "phường",
            "xã",
            "nào",
            "được",
            "không",
            "ạ",
            "cảm",
            "ơn",
            "Nguyễn",
            "Văn",
            "An",
            "gọi",
            "giúp",
            "email",
            "của",
        ]
    ),
    max_size=8,
).map(" ".join)
"""Random Vietnamese words (no digits, no currency words)."""
