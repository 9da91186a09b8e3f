"""Places after the 2025 reorganisation of administrative units (from 1 July 2025).

A citizen may name a unit as it was (ward, district, one of the 63 provinces) or as it is
(one of the 3,321 communes/wards/special zones, one of the 34 provinces/cities)::

    matches = find_places("phuong ben nghe quan 1")   # [PlaceMatch(...), PlaceMatch(...)]
    resolution = resolve(matches[0])                   # -> phường Sài Gòn, TP. Hồ Chí Minh
    where_to_go("phuong ben nghe quan 1", "vi", "commune")   # lines for the answer

The table (`knowledge/data/places_2025.json`) is read once, on first use, and needs no
network. See docs/decisions/0009-places.md.
"""

from knowledge.places.labels import Language, label, listing
from knowledge.places.match import find_places
from knowledge.places.model import Era, Level, PlaceMatch, Resolution, Unit
from knowledge.places.phrase import FilingLevel, describe, office
from knowledge.places.resolve import merged_provinces, resolve, resolve_unit
from knowledge.places.table import DEFAULT_PLACES_PATH, PlaceTable, load_table, read_table
from knowledge.places.where import (
    PLACES_CITATION_CODE,
    PLACES_SOURCE,
    filing_level,
    main_place,
    where_to_go,
)

__all__ = [
    "DEFAULT_PLACES_PATH",
    "PLACES_CITATION_CODE",
    "PLACES_SOURCE",
    "Era",
    "FilingLevel",
    "Language",
    "Level",
    "PlaceMatch",
    "PlaceTable",
    "Resolution",
    "Unit",
    "describe",
    "filing_level",
    "find_places",
    "label",
    "listing",
    "load_table",
    "main_place",
    "merged_provinces",
    "office",
    "read_table",
    "resolve",
    "resolve_unit",
    "where_to_go",
]
