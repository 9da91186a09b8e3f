"""The in-memory mirror of an embedded collection answers exactly as Chroma does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.search.searcher import Searcher
from knowledge.search.vectors import VectorIndex, make_client
from tests.search.test_query_cache import CountingEmbeddings

QUESTIONS = [
    "đăng ký khai sinh cho con",
    "lam lai can cuoc bi mat",
    "how do I register a marriage with a foreigner",
    "giấy phép xây dựng nhà ở riêng lẻ",
    "xin phiếu lý lịch tư pháp",
]


def test_mirror_and_chroma_give_the_same_neighbours(starter_searcher: Searcher) -> None:
    vectors = starter_searcher.index.vectors
    assert vectors.mirror  # an embedded collection is mirrored
    chroma = VectorIndex(vectors.client, vectors.embeddings)  # same collection, no mirror
    for question in QUESTIONS:
        vector = vectors.query_vector(question)
        mirrored = vectors.query(vector, 60)
        asked = chroma.query(vector, 60)
        assert [code for code, _ in mirrored] == [code for code, _ in asked], question
        assert np.allclose([s for _, s in mirrored], [s for _, s in asked], atol=1e-4)


def test_the_mirror_follows_writes_through_the_index(tmp_path: Path) -> None:
    index = VectorIndex(make_client(tmp_path / "chroma"), CountingEmbeddings(), mirror=True)
    assert index.query(np.array([1.0, 1.0], dtype=np.float32), 5) == []
    index.upsert({"a": "x", "b": "xxxxxxxx"})
    assert [code for code, _ in index.query(np.array([1.0, 1.0]), 5)] == ["a", "b"]
    index.upsert({"c": "xxxxxxxxxxxxxxxxxxxxxxxx"})
    assert [code for code, _ in index.query(np.array([1.0, 0.0]), 1)] == ["c"]
    index.delete(["c"])
    assert [code for code, _ in index.query(np.array([1.0, 0.0]), 5)] == ["b", "a"]
    assert index.query(np.array([1.0, 1.0]), 1)[0][1] == pytest.approx(1.0, abs=0.2)
