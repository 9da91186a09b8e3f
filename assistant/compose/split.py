"""Split a long answer into messages a channel accepts (Zalo: 2,000 characters, Telegram: 4,096)."""

from __future__ import annotations

from typing import Final

# Paragraphs first, then lines, then words; a word longer than the limit is cut last.
_SEPARATORS: Final = ("\n\n", "\n", " ")


def split_message(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at the largest boundary that fits.

    Paragraphs stay whole when they fit, else lines, else words; only a single word longer
    than `limit` is cut inside. Joining the pieces keeps every word in order. Blank text gives
    no pieces.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    text = text.strip()
    if not text:
        return []
    return _split(text, limit, 0)


def _parts(text: str, separator: str) -> list[str]:
    if separator == "\n\n":
        parts = [part.strip("\n") for part in text.split(separator)]
    elif separator == "\n":
        parts = [part.rstrip() for part in text.split(separator)]
    else:
        parts = text.split()
    return [part for part in parts if part.strip()]


def _split(text: str, limit: int, level: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    if level == len(_SEPARATORS):
        return [text[start : start + limit] for start in range(0, len(text), limit)]
    separator = _SEPARATORS[level]
    pieces: list[str] = []
    current = ""
    for part in _parts(text, separator):
        if len(part) > limit:
            if current:
                pieces.append(current)
            smaller = _split(part, limit, level + 1)
            pieces += smaller[:-1]
            current = smaller[-1]
            continue
        candidate = f"{current}{separator}{part}" if current else part
        if len(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = part
    if current:
        pieces.append(current)
    return [piece.strip() for piece in pieces if piece.strip()]
