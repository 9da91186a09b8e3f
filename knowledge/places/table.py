"""The table of administrative units, read once from `knowledge/data/places_2025.json`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Final

from knowledge.places.model import Level, Unit

DEFAULT_PLACES_PATH: Final[Path] = Path(__file__).resolve().parents[1] / "data" / "places_2025.json"


@dataclass(frozen=True, eq=False)
class PlaceTable:
    """New and old units with the old -> new links, indexed by code."""

    provinces: dict[str, Unit]
    communes: dict[str, Unit]
    old_provinces: dict[str, Unit]
    old_districts: dict[str, Unit]
    old_communes: dict[str, Unit]
    new_province_of: dict[str, str]
    """Old province code -> new province code."""
    successors: dict[str, tuple[str, ...]]
    """Old commune code -> new commune codes (the default one first)."""
    district_successors: dict[str, tuple[str, ...]]
    """Old district code -> the new communes that took over its area."""
    source: str = ""
    licence: str = ""
    old_provinces_of: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """New province code -> the old provinces merged into it."""

    def units(self) -> Iterable[Unit]:
        for index in (
            self.provinces,
            self.communes,
            self.old_provinces,
            self.old_districts,
            self.old_communes,
        ):
            yield from index.values()

    def province_of(self, unit: Unit) -> Unit:
        """The new province a unit lies in (for an old unit: the one its province joined)."""
        if unit.era == "new":
            return self.provinces[unit.province]
        return self.provinces[self.new_province_of[unit.province]]

    def get(self, era: str, level: Level, code: str) -> Unit:
        if era == "new":
            return (self.provinces if level == "province" else self.communes)[code]
        index = {
            "province": self.old_provinces,
            "district": self.old_districts,
            "commune": self.old_communes,
        }[level]
        return index[code]


def parse_table(raw: dict[str, list[list[object]] | str]) -> PlaceTable:
    """Build the table from the JSON document written by `knowledge.places.build`."""

    def rows(key: str) -> list[list[object]]:
        value = raw[key]
        if not isinstance(value, list):
            raise ValueError(f"places table: '{key}' must be a list")
        return value

    provinces = {
        str(c): Unit(str(c), str(n), "province", "new", str(c)) for c, n in rows("provinces")
    }
    communes = {
        str(c): Unit(str(c), str(n), "commune", "new", str(p)) for c, n, p in rows("communes")
    }
    old_provinces: dict[str, Unit] = {}
    new_province_of: dict[str, str] = {}
    for c, n, new in rows("old_provinces"):
        old_provinces[str(c)] = Unit(str(c), str(n), "province", "old", str(c))
        new_province_of[str(c)] = str(new)
    old_districts: dict[str, Unit] = {}
    direct: dict[str, tuple[str, ...]] = {}
    for c, n, p, targets in rows("old_districts"):
        old_districts[str(c)] = Unit(str(c), str(n), "district", "old", str(p))
        direct[str(c)] = tuple(str(t) for t in _list(targets))
    old_communes: dict[str, Unit] = {}
    successors: dict[str, tuple[str, ...]] = {}
    by_district: dict[str, dict[str, None]] = {d: dict.fromkeys(t) for d, t in direct.items()}
    for c, n, d, targets in rows("old_communes"):
        district = old_districts[str(d)]
        old_communes[str(c)] = Unit(
            str(c), str(n), "commune", "old", district.province, district.code
        )
        codes = tuple(str(t) for t in _list(targets))
        successors[str(c)] = codes
        by_district[district.code].update(dict.fromkeys(codes))
    old_of: dict[str, list[str]] = {}
    for old, new in new_province_of.items():
        old_of.setdefault(new, []).append(old)
    return PlaceTable(
        provinces=provinces,
        communes=communes,
        old_provinces=old_provinces,
        old_districts=old_districts,
        old_communes=old_communes,
        new_province_of=new_province_of,
        successors=successors,
        district_successors={d: tuple(codes) for d, codes in by_district.items()},
        source=str(raw.get("source", "")),
        licence=str(raw.get("licence", "")),
        old_provinces_of={k: tuple(v) for k, v in old_of.items()},
    )


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise ValueError("places table: successor codes must be a list")
    return value


def read_table(path: Path) -> PlaceTable:
    return parse_table(json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def load_table() -> PlaceTable:
    """The bundled table, read on first use and kept for the process."""
    return read_table(DEFAULT_PLACES_PATH)
