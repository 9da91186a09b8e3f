"""`where_to_go`: the lines an answer about where to file appends when a place is named."""

from __future__ import annotations

from knowledge.places.labels import Language
from knowledge.places.match import find_places
from knowledge.places.model import PlaceMatch
from knowledge.places.phrase import FilingLevel, describe, office
from knowledge.places.resolve import resolve
from knowledge.places.table import PlaceTable
from knowledge.text.normalize import fold

_RANK = {"commune": 0, "district": 1, "province": 2}

# How answers cite the mapping: a source beside the procedure records, like "faq:<id>".
PLACES_CITATION_CODE = "places:2025"
PLACES_SOURCE = {
    "vi": "Danh mục đơn vị hành chính sau sắp xếp, hiệu lực từ 1/7/2025",
    "en": "Administrative units after the reorganisation, in force from 1 July 2025",
}


def filing_level(level: str | None) -> FilingLevel | None:
    """ "commune"/"Cấp xã"/"xa" -> "commune"; "province"/"Cấp tỉnh" -> "province"; else None."""
    if not level:
        return None
    words = set(fold(level).lower().replace("_", " ").split())
    if words & {"commune", "xa", "ward", "phuong"}:
        return "commune"
    if words & {"province", "tinh", "provincial"}:
        return "province"
    return None


def main_place(matches: list[PlaceMatch]) -> PlaceMatch:
    """The most specific place named; among equals, the first."""
    return min(matches, key=lambda m: (_RANK[m.level], m.start))


def where_to_go(
    text: str, language: str, level: str | None, table: PlaceTable | None = None
) -> str | None:
    """Lines to append to an answer about where to file, or None when no place is named.

    `language` is "vi" or "en" (anything else reads as "vi"); `level` is the procedure's
    level ("commune"/"province", or the record's "Cấp xã"/"Cấp tỉnh"), None when unknown."""
    matches = find_places(text, table)
    if not matches:
        return None
    lang: Language = "en" if language == "en" else "vi"
    resolution = resolve(main_place(matches), table)
    lines = [describe(resolution, lang)]
    if not resolution.alternatives:
        lines.append(office(resolution, lang, filing_level(level)))
    return "\n".join(line for line in lines if line)
