"""Parsed procedures are cached, but a change made by another process is seen at once."""

from __future__ import annotations

from knowledge.schema import Procedure
from knowledge.store import CatalogueStore


def test_cached_procedure_follows_changes_from_another_store(database_url: str) -> None:
    reader = CatalogueStore(database_url)
    writer = CatalogueStore(database_url)
    writer.sync_source("a.jsonl", "portal", procedures=[Procedure(code="1.1", name="Một")])
    first = reader.get_procedure("1.1")
    assert first is not None and first.name == "Một"
    assert reader.get_procedure("1.1") is first  # unchanged: the parsed object is reused

    writer.sync_source("a.jsonl", "portal", procedures=[Procedure(code="1.1", name="Một (sửa)")])
    changed = reader.get_procedure("1.1")
    assert changed is not None and changed.name == "Một (sửa)"

    # A curated record for the same code outranks the portal one.
    writer.sync_source("c.yaml", "curated", procedures=[Procedure(code="1.1", name="Curated")])
    assert reader.get_procedure("1.1").name == "Curated"  # type: ignore[union-attr]
    writer.remove_source("c.yaml")
    assert reader.get_procedure("1.1").name == "Một (sửa)"  # type: ignore[union-attr]
    writer.remove_source("a.jsonl")
    assert reader.get_procedure("1.1") is None
    reader.close()
    writer.close()


def test_a_serving_store_reads_from_memory_and_sees_an_ingest_within_refresh_s(
    database_url: str,
) -> None:
    now = [100.0]
    reader = CatalogueStore(database_url, refresh_s=1.0, clock=lambda: now[0])
    writer = CatalogueStore(database_url)
    writer.sync_source("a.jsonl", "portal", procedures=[Procedure(code="1.1", name="Một")])
    assert reader.get_procedure("1.1").name == "Một"  # type: ignore[union-attr]
    assert reader.get_procedure("9.9") is None

    stamps = 0
    original = reader.stamp

    def counting_stamp() -> tuple[object, ...]:
        nonlocal stamps
        stamps += 1
        return original()

    reader.stamp = counting_stamp  # type: ignore[method-assign]
    writer.sync_source(
        "a.jsonl",
        "portal",
        procedures=[Procedure(code="1.1", name="Một (sửa)"), Procedure(code="9.9", name="Chín")],
    )
    now[0] += 0.5  # within refresh_s: answered from memory, the database is not asked
    assert reader.get_procedure("1.1").name == "Một"  # type: ignore[union-attr]
    assert reader.get_procedure("9.9") is None
    assert stamps == 0

    now[0] += 0.6  # past refresh_s: the change is seen
    assert reader.get_procedure("1.1").name == "Một (sửa)"  # type: ignore[union-attr]
    assert reader.get_procedure("9.9").name == "Chín"  # type: ignore[union-attr]
    assert stamps == 1
    writer.remove_source("a.jsonl")
    now[0] += 1.1
    assert reader.get_procedure("1.1") is None
    reader.close()
    writer.close()


def test_a_store_sees_its_own_writes_at_once(database_url: str) -> None:
    store = CatalogueStore(database_url, refresh_s=3600)
    store.sync_source("a.jsonl", "portal", procedures=[Procedure(code="1.1", name="Một")])
    assert store.get_procedure("1.1").name == "Một"  # type: ignore[union-attr]
    store.sync_source("a.jsonl", "portal", procedures=[Procedure(code="1.1", name="Hai")])
    assert store.get_procedure("1.1").name == "Hai"  # type: ignore[union-attr]
    store.remove_source("a.jsonl")
    assert store.get_procedure("1.1") is None
    store.close()
