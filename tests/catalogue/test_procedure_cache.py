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
