"""What a named unit is under the boundaries in force from 1 July 2025: `resolve`."""

from __future__ import annotations

from dataclasses import replace

from knowledge.places.model import PlaceMatch, Resolution, Unit
from knowledge.places.table import PlaceTable, load_table


def resolve(match: PlaceMatch, table: PlaceTable | None = None) -> Resolution:
    """The new unit(s) and province of the first unit of `match`; the others are listed
    as `alternatives` (the message named a shared name without saying which)."""
    table = table or load_table()
    unit, *others = match.units
    resolution = resolve_unit(unit, table)
    if others:
        return replace(resolution, alternatives=tuple(others))
    return resolution


def resolve_unit(unit: Unit, table: PlaceTable | None = None) -> Resolution:
    table = table or load_table()
    province = table.province_of(unit)
    if unit.era == "new":
        own: tuple[Unit, ...] = (unit,) if unit.level == "commune" else ()
        return Resolution(unit=unit, province=province, communes=own, changed=False)
    old_province = table.old_provinces[unit.province]
    if unit.level == "province":
        merged = len(table.old_provinces_of.get(province.code, ())) > 1
        return Resolution(
            unit=unit,
            province=province,
            communes=(),
            changed=merged or province.name != unit.name,
            old_province=unit,
        )
    if unit.level == "district":
        codes = table.district_successors.get(unit.code, ())
        communes = [table.communes[c] for c in codes]
        communes.sort(key=lambda c: c.short != unit.short)  # "xã Củ Chi" first for Củ Chi
        return Resolution(
            unit=unit,
            province=province,
            communes=tuple(communes),
            changed=True,
            abolished=True,
            old_province=old_province,
        )
    successors = tuple(table.communes[c] for c in table.successors[unit.code])
    same = (
        len(successors) == 1
        and successors[0].name == unit.name
        and province.short == old_province.short
        and len(table.old_provinces_of.get(province.code, ())) == 1
    )
    return Resolution(
        unit=unit,
        province=province,
        communes=successors,
        changed=not same,
        old_district=table.old_districts[unit.district],
        old_province=old_province,
    )


def merged_provinces(province: Unit, table: PlaceTable | None = None) -> tuple[Unit, ...]:
    """The old provinces that form a new province."""
    table = table or load_table()
    return tuple(table.old_provinces[c] for c in table.old_provinces_of.get(province.code, ()))
