"""Query embeddings are cached (bounded, LRU) so repeated questions skip the model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.search.vectors import VectorIndex, make_client


class CountingEmbeddings(Embeddings):
    spec = "counting-test"

    def __init__(self) -> None:
        self.queries: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[float(len(t)), 1.0] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return [float(len(text)), 1.0]


def test_repeated_queries_are_embedded_once_and_the_cache_is_bounded(tmp_path: Path) -> None:
    embeddings = CountingEmbeddings()
    index = VectorIndex(make_client(tmp_path / "chroma"), embeddings)
    first = index.query_vector("phí bao nhiêu?")
    again = index.query_vector("phí bao nhiêu?")
    assert embeddings.queries == ["phí bao nhiêu?"]
    assert np.array_equal(first, again)
    assert not again.flags.writeable  # shared between callers: must not be changed in place

    index.query_cache_size = 3
    for text in ("a", "b", "c", "d"):
        index.query_vector(text)
    index.query_vector("phí bao nhiêu?")  # evicted by the four newer ones
    assert embeddings.queries.count("phí bao nhiêu?") == 2

    index.clear_query_cache()
    index.query_vector("d")
    assert embeddings.queries.count("d") == 2


def test_a_zero_size_cache_keeps_nothing(tmp_path: Path) -> None:
    embeddings = CountingEmbeddings()
    index = VectorIndex(make_client(tmp_path / "chroma"), embeddings)
    index.query_cache_size = 0
    index.query_vector("x")
    index.query_vector("x")
    assert embeddings.queries == ["x", "x"]
