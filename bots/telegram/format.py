"""Replies as Telegram messages: HTML-escaped text in pieces of ≤ 4,096 characters (cut at
paragraphs, then lines, then words), and one inline keyboard on the last piece: quick replies
(the text behind each button is stored, callback data holds only a key), citation links, and
thumbs up/down for answers."""

from __future__ import annotations

import html
from collections.abc import Callable
from urllib.parse import urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from assistant.compose.split import split_message
from assistant.reply import Reply
from bots.texts import LANGUAGE_BUTTONS, channel_text

TEXT_LIMIT = 4096
LABEL_LIMIT = 64
CALLBACK_LIMIT = 64  # bytes
BOLD_OPEN, BOLD_CLOSE = "<b>", "</b>"


def html_pieces(text: str, *, bold_title: bool = False) -> list[str]:
    """`text` escaped for parse_mode=HTML, each piece ≤ 4,096 characters once escaped."""
    pieces: list[str] = []
    budget = TEXT_LIMIT - len(BOLD_OPEN) - len(BOLD_CLOSE)
    for raw in split_message(text, budget):
        pieces += _escaped(raw, budget)
    if bold_title and pieces:
        title, sep, rest = pieces[0].partition("\n")
        pieces[0] = f"{BOLD_OPEN}{title}{BOLD_CLOSE}{sep}{rest}"
    return pieces


def _escaped(raw: str, budget: int) -> list[str]:
    escaped = html.escape(raw, quote=False)
    if len(escaped) <= budget:
        return [escaped]
    # Escaping grew it (&, <, >): cut the raw text smaller, in proportion, and try again.
    smaller = max(1, budget * len(raw) // len(escaped) - 1)
    out: list[str] = []
    for part in split_message(raw, smaller):
        out += _escaped(part, budget)
    return out


def _label(text: str) -> str:
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1] + "…"


def _is_link(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def reply_keyboard(
    reply: Reply, button_keys: Callable[[list[str]], list[str]]
) -> InlineKeyboardMarkup | None:
    """Quick replies, then citations as links, then feedback; None when there is nothing.

    `button_keys` stores the quick replies' texts (all in one call: one transaction) and
    returns the short keys their buttons carry (Telegram's callback_data is 64 bytes)."""
    rows: list[list[InlineKeyboardButton]] = []
    quick_replies = list(reply.quick_replies)
    keys = button_keys([quick.text for quick in quick_replies]) if quick_replies else []
    for quick, key in zip(quick_replies, keys, strict=True):
        rows.append([InlineKeyboardButton(_label(quick.label), callback_data=f"q:{key}")])
    source = channel_text("source", reply.language)
    seen: set[str] = set()
    for citation in reply.citations:
        if _is_link(citation.url) and citation.url not in seen:
            seen.add(citation.url)
            rows.append(
                [InlineKeyboardButton(_label(f"📄 {source}: {citation.name}"), url=citation.url)]
            )
    if reply.kind == "answer":
        rows.append(
            [
                InlineKeyboardButton("👍", callback_data=f"f:up:{reply.id}"),
                InlineKeyboardButton("👎", callback_data=f"f:down:{reply.id}"),
            ]
        )
    return InlineKeyboardMarkup(rows) if rows else None


def language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(name, callback_data=f"l:{code}") for name, code in LANGUAGE_BUTTONS]]
    )
