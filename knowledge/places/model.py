"""The types of the places layer: units, mentions found in a message, resolutions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["province", "district", "commune"]
Era = Literal["old", "new"]
"""`old`: a unit as it was until 30 June 2025; `new`: a unit from 1 July 2025."""


@dataclass(frozen=True)
class Unit:
    """One administrative unit. `name` is the full official name ("Phường Bến Nghé")."""

    code: str
    name: str
    level: Level
    era: Era
    province: str
    """Code of the province it lies in (of the same era); its own code for a province."""
    district: str = ""
    """Code of the old district, for old communes; "" otherwise."""

    @property
    def kind(self) -> str:
        """The unit type in lower case: "phường", "xã", "quận", "tỉnh", "thành phố", ..."""
        return unit_kind(self.name)

    @property
    def short(self) -> str:
        """The name without its type: "Bến Nghé", "1" (for Quận 1), "Hồ Chí Minh"."""
        return self.name[len(self.kind) :].strip()

    @property
    def key(self) -> tuple[Era, Level, str]:
        return (self.era, self.level, self.code)


KINDS: tuple[str, ...] = (
    "thành phố",
    "thị trấn",
    "thị xã",
    "đặc khu",
    "phường",
    "huyện",
    "quận",
    "tỉnh",
    "xã",
)


def unit_kind(name: str) -> str:
    lower = name.lower()
    return next((k for k in KINDS if lower.startswith(k + " ")), "")


@dataclass(frozen=True)
class PlaceMatch:
    """A place named in a message: where, how, and the units it can be.

    `units` holds more than one unit when the name is shared (several "xã Tân Thành")
    and the message gives no province or district that tells them apart."""

    text: str
    start: int
    end: int
    """Character offsets of the name (with its prefix) in the message."""
    level: Level
    units: tuple[Unit, ...]
    prefixed: bool
    """Whether a unit type ("phường", "Q.", "tỉnh", "TP") stood before the name."""


@dataclass(frozen=True)
class Resolution:
    """What a named unit is under the boundaries in force from 1 July 2025."""

    unit: Unit
    """The unit named (old or new)."""
    province: Unit
    """The new province the unit lies in (or became part of)."""
    communes: tuple[Unit, ...]
    """New communes/wards: the successors of an old commune (several when it was split),
    those that took over an old district's area, or the new commune itself."""
    changed: bool
    """Whether the name, the province or the unit itself changed on 1 July 2025."""
    abolished: bool = False
    """An old district: the district level no longer exists."""
    old_district: Unit | None = None
    old_province: Unit | None = None
    """The old district and province of an old unit, for the phrase."""
    alternatives: tuple[Unit, ...] = ()
    """Other units with the same name when the message did not say which."""
