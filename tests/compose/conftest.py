"""The starter corpus in a temporary catalogue, and a fixed sample of real portal records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.corpus import bundled_corpus_path
from knowledge.importers.portal import import_portal
from knowledge.ingest import ingest
from knowledge.schema import Procedure
from knowledge.store import CatalogueStore


@pytest.fixture(scope="session")
def compose_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CatalogueStore]:
    path = tmp_path_factory.mktemp("compose") / "catalogue.sqlite3"
    store = CatalogueStore(f"sqlite:///{path}")
    ingest(store, [bundled_corpus_path()])
    yield store
    store.close()


@pytest.fixture(scope="session")
def starter(compose_store: CatalogueStore) -> dict[str, Procedure]:
    """The 66 starter procedures by code."""
    return {p.code: p for p in compose_store.procedures()}


@pytest.fixture(scope="session")
def portal_sample(portal_records_path: Path) -> list[Procedure]:
    """About 200 real portal records: every 13th of the shared export."""
    procedures = import_portal(portal_records_path).procedures
    return procedures[::13]
