"""Unit names as written inside a sentence, in Vietnamese and in English."""

from __future__ import annotations

from typing import Final, Literal

from knowledge.places.model import Unit

Language = Literal["vi", "en"]

_EN_KIND: Final[dict[str, str]] = {
    "phường": "ward",
    "xã": "commune",
    "thị trấn": "township",
    "đặc khu": "special zone",
    "quận": "district",
    "huyện": "district",
    "thị xã": "town",
    "tỉnh": "province",
}


def label(unit: Unit, language: Language) -> str:
    """ "phường Bến Nghé", "quận 1", "TP. Hồ Chí Minh", "tỉnh Ninh Bình" / "Bến Nghé ward",
    "District 1", "Hồ Chí Minh City", "Ninh Bình province"."""
    kind, short = unit.kind, unit.short
    if language == "vi":
        if unit.level == "province" and kind == "thành phố":
            return f"TP. {short}"
        return f"{kind} {short}"
    if kind == "thành phố":
        return f"{short} City" if unit.level == "province" else f"{short} city"
    english = _EN_KIND.get(kind, kind)
    if short.isdigit():
        return f"{english.capitalize()} {short}"
    return f"{short} {english}"


def listing(units: tuple[Unit, ...], language: Language, cap: int = 6) -> str:
    """Names joined, at most `cap` of them and then "và N đơn vị khác" / "and N others"."""
    names = [label(u, language) for u in units[:cap]]
    rest = len(units) - len(names)
    if rest > 0:
        names.append(
            f"và {rest} đơn vị khác"
            if language == "vi"
            else f"and {rest} other{'s' if rest > 1 else ''}"
        )
        return ", ".join(names[:-1]) + " " + names[-1]
    if len(names) > 1:
        joiner = " và " if language == "vi" else " and "
        return ", ".join(names[:-1]) + joiner + names[-1]
    return "".join(names)
