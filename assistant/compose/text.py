"""Small text helpers for composed answers: squashing, clipping, list budgets, sources."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Final

from assistant.compose import templates as T
from assistant.compose.templates import phrase
from assistant.reply import Language
from knowledge.schema import Procedure
from knowledge.text import fold

MAX_ITEMS: Final = 8  # documents, steps, legal references shown before "… và N mục khác"
LIST_BUDGET: Final = 950  # characters one list may take before it is cut (at least 3 items)
MIN_ITEMS: Final = 3
MAX_PLACES: Final = 3  # agencies or addresses per line
_NO_INFO: Final = frozenset({"", "khong co thong tin", "khong", "khong quy dinh"})
_SENTENCE_END_RE: Final = re.compile(r"[.;!?](?=\s)|\n")
_ENUMERATOR_RE: Final = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2})*|[a-zđ]|[ivx]{1,4})\s*[.)](?!\d)\s*", re.IGNORECASE
)
_PORTAL_CODE_RE: Final = re.compile(r"^\d\.\d{6}$")


def squash(text: str) -> str:
    """Collapse runs of spaces in each line and drop empty lines."""
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def tidy(text: str) -> str:
    """`squash` without private-use symbols (Wingdings ticks) or a leading bullet."""
    if not text.isascii():
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Co")
    return squash(text).lstrip("-–—•+*·▪●◦> ")


def heading(text: str) -> str:
    """A case heading without its enumerator ("2.", "a)") or trailing colon."""
    text = tidy(text)
    while True:
        stripped = _ENUMERATOR_RE.sub("", text, count=1).lstrip("-–—•+*·▪●◦> ")
        if stripped == text:
            return text.rstrip(" :")
        text = stripped


def clip(text: str, limit: int) -> str:
    """`text` cut to about `limit` characters at a sentence end, else at a word, with "…".

    A cut never leaves a number in the last two words: "ngày 10 tháng 7 năm 2024" cut after
    "10 tháng" would read as a duration of ten months.
    """
    text = squash(text)
    if len(text) <= limit:
        return text
    window = text[:limit]
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(window)]
    if ends and ends[-1] >= limit // 2:
        return window[: ends[-1]].rstrip(" ;\n") + " …"
    words = window.split(" ")
    if len(words) > 1 and text[limit] != " ":
        words = words[:-1]  # the last word was cut
    while len(words) > 1 and any(ch.isdigit() for ch in "".join(words[-2:])):
        words = words[:-1]
    if len(words) == 1 and len(words[0]) > limit:
        words = [window]
    return " ".join(words).rstrip(" ,;:-–—(\n") + "…"


def is_no_info(text: str) -> bool:
    return fold(text).strip(" .") in _NO_INFO


def fit_count(lines: Sequence[str], max_items: int = MAX_ITEMS, budget: int = LIST_BUDGET) -> int:
    """How many of `lines` to show: at most `max_items`, within `budget` after `MIN_ITEMS`."""
    used = 0
    for index, line in enumerate(lines):
        if index >= max_items or (index >= MIN_ITEMS and used + len(line) > budget):
            return index
        used += len(line) + 1
    return len(lines)


def bounded(
    lines: Sequence[str], lang: Language, max_items: int = MAX_ITEMS, budget: int = LIST_BUDGET
) -> list[str]:
    """The first lines that fit (see `fit_count`), then "… và N mục khác"."""
    count = fit_count(lines, max_items, budget)
    shown = list(lines[:count])
    if count < len(lines):
        shown.append(phrase("more_items", lang, n=len(lines) - count))
    return shown


def join_places(places: Sequence[str], lang: Language) -> str:
    shown = [clip(place, 120) for place in places[:MAX_PLACES]]
    text = "; ".join(shown)
    if len(places) > MAX_PLACES:
        text += " " + phrase("more_places", lang, n=len(places) - MAX_PLACES)
    return text


def format_date(value: object) -> str:
    return f"{value:%d/%m/%Y}"


def source_url(p: Procedure) -> str:
    """The record's page; for a portal code without one, the portal's lookup by code."""
    if p.source_url:
        return p.source_url
    if _PORTAL_CODE_RE.match(p.code):
        return T.PORTAL_LOOKUP_URL.format(code=p.code)
    return ""


def source_line(p: Procedure, lang: Language) -> str:
    """ "Nguồn: <name> (mã <code>), dữ liệu ngày dd/mm/yyyy" and the URL on the next line."""
    if p.record_date:
        dated = phrase("dated", lang, date=format_date(p.record_date))
    else:
        dated = phrase("undated", lang)
    line = phrase("source", lang, name=clip(p.name, 160), code=p.code, dated=dated)
    url = source_url(p)
    return f"{line}\n{url}" if url else line
