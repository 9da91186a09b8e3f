"""The bundled table of 2025 administrative units: complete and consistent."""

from __future__ import annotations

import json

from knowledge.places import DEFAULT_PLACES_PATH, load_table


def test_counts_match_the_2025_reform() -> None:
    table = load_table()
    assert len(table.provinces) == 34
    assert len(table.communes) == 3321
    assert len(table.old_provinces) == 63
    kinds = {u.kind for u in table.communes.values()}
    assert kinds == {"xã", "phường", "đặc khu"}
    assert sum(u.kind == "đặc khu" for u in table.communes.values()) == 13


def test_every_old_unit_has_a_successor_and_every_new_commune_a_predecessor() -> None:
    table = load_table()
    assert all(table.successors[c] for c in table.old_communes)
    assert all(table.district_successors[d] for d in table.old_districts)
    covered = {c for codes in table.successors.values() for c in codes}
    covered |= {c for codes in table.district_successors.values() for c in codes}
    assert covered == set(table.communes)
    assert set(table.new_province_of.values()) == set(table.provinces)


def test_loaded_once() -> None:
    assert load_table() is load_table()


def test_attribution_travels_with_the_data() -> None:
    raw = json.loads(DEFAULT_PLACES_PATH.read_text(encoding="utf-8"))
    assert "vietnamadminunits" in raw["source"]
    assert raw["licence"].startswith("MIT")
    assert (DEFAULT_PLACES_PATH.parent / "places_2025.LICENSE").exists()
