"""Which units lie in which: used to confirm weak mentions and to tell same-named units apart."""

from __future__ import annotations

from knowledge.places.model import Unit
from knowledge.places.table import PlaceTable


def contains(table: PlaceTable, outer: Unit, inner: Unit) -> bool:
    """Whether `inner` lies in `outer`, across eras (an old district contains the new
    communes that took over its area; a new province contains the old units merged into it)."""
    if outer.key == inner.key or outer.level == "commune":
        return False
    if outer.level == "province":
        if inner.level == "province":
            return (
                outer.era == "new"
                and inner.era == "old"
                and (table.new_province_of[inner.code] == outer.code)
            )
        if outer.era == inner.era:
            return inner.province == outer.province
        return table.province_of(inner).code == table.province_of(outer).code
    # an old district
    if inner.level != "commune":
        return False
    if inner.era == "old":
        return inner.district == outer.code
    return inner.code in table.district_successors.get(outer.code, ())


def related(table: PlaceTable, a: Unit, b: Unit) -> bool:
    return contains(table, a, b) or contains(table, b, a)


def consistent(table: PlaceTable, units: tuple[Unit, ...], others: list[Unit]) -> tuple[Unit, ...]:
    """The units that lie in, or contain, one of `others` (empty when none does)."""
    return tuple(u for u in units if any(related(table, u, o) for o in others))
