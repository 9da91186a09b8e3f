"""Serving may skip the question's embedding when the lexical evidence decides; the best
procedure and the sibling decision must be those of the full hybrid search. (The dev and
holdout sets check the same over 629 questions: `assistant eval retrieval`, system "served".)"""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.search.searcher import DENSE_SWAY, Route, Searcher, lexically_decided

QUESTIONS = [
    "lam giay khai sinh can gi",
    "làm lại căn cước bị mất",
    "lệ phí cấp hộ chiếu",  # two siblings compete: must not be decided lexically
    "how much is the passport fee",
    "đăng ký kết hôn cần giấy tờ gì",
    "cap doi giay phep lai xe",
    "đăng ký thường trú ở đâu",
    "thanh lap cong ty",
]
MARGIN = 0.1


def best_and_close(searcher: Searcher, query: str, skip: float | None) -> tuple[str, list[str]]:
    response = searcher.search(query, 5, with_sections=False, skip_dense_margin=skip)
    best = response.results[0]
    close = [h.procedure_code for h in response.results[1:] if best.score - h.score <= MARGIN]
    return best.procedure_code, close


@pytest.mark.parametrize("query", QUESTIONS)
def test_skipping_never_changes_the_decision(starter_searcher: Searcher, query: str) -> None:
    full = best_and_close(starter_searcher, query, None)
    fast = best_and_close(starter_searcher, query, MARGIN)
    assert fast[0] == full[0]
    assert bool(fast[1]) == bool(full[1])


def test_clear_questions_are_not_embedded(
    starter_searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    vectors = starter_searcher.index.vectors
    original = vectors.query_vector
    monkeypatch.setattr(vectors, "query_vector", lambda text: calls.append(text) or original(text))
    starter_searcher.search("làm lại căn cước bị mất", 5, skip_dense_margin=MARGIN)
    assert calls == []
    starter_searcher.search("lệ phí cấp hộ chiếu", 5, skip_dense_margin=MARGIN)
    assert len(calls) == 1  # close siblings: the dense signal is needed


def test_lexically_decided_bounds() -> None:
    route = Route(lexical=0.7, dense=0.3)
    norm = np.array([1.0, 0.4, 0.1, 0.0])
    fused = np.array([1.2, 0.6, 0.07, 0.0])
    sway = DENSE_SWAY * route.dense
    assert lexically_decided(
        fused, norm, [0, 1, 2], route, 0.49 - sway
    )  # lead 0.5 (over a lifted outsider)
    assert not lexically_decided(fused, norm, [0, 1, 2], route, 0.51 - sway)
    # A candidate outside the re-ranked set could still gain a title match and variants.
    assert not lexically_decided(fused, np.array([1.0, 0.4, 0.1, 0.9]), [0, 1, 2], route, 0.1)
