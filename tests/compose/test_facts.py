"""evals/data/answers_facts.jsonl: every fact of every line appears in the composer's answer.

This checks the composer alone (the expected procedure and aspect are given); the full
pipeline (search, aspect detection, composition) is evaluated elsewhere with the same file.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from assistant.compose import compose_answer
from knowledge.search.aspects import ASPECTS
from knowledge.store import CatalogueStore
from knowledge.text import fold

FACTS_FILE = Path(__file__).resolve().parents[2] / "evals" / "data" / "answers_facts.jsonl"
STYLES = {"vi_accented", "vi_unaccented", "en"}


@pytest.fixture(scope="module")
def lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in FACTS_FILE.read_text(encoding="utf-8").splitlines()]


def test_file_shape(lines: list[dict[str, Any]], compose_store: CatalogueStore) -> None:
    assert len(lines) >= 150
    assert len({line["id"] for line in lines}) == len(lines)
    assert len({line["code"] for line in lines}) >= 40
    assert {line["aspect"] for line in lines} == set(ASPECTS)
    assert {line["style"] for line in lines} == STYLES
    for line in lines:
        assert set(line) == {"id", "question", "code", "aspect", "facts", "style"}, line["id"]
        assert line["question"].strip() and line["facts"], line["id"]
        assert compose_store.get_procedure(line["code"]) is not None, line["id"]
        procedure = compose_store.get_procedure(line["code"])
        assert procedure is not None
        for fact in line["facts"]:  # a fact is not just the procedure's name
            assert fold(fact) != fold(procedure.name), line["id"]


def test_every_fact_is_in_the_composed_answer(
    lines: list[dict[str, Any]], compose_store: CatalogueStore
) -> None:
    missing: list[str] = []
    for line in lines:
        procedure = compose_store.get_procedure(line["code"])
        assert procedure is not None
        language = "en" if line["style"] == "en" else "vi"
        text = fold(compose_answer(procedure, line["aspect"], language).text)
        missing += [f"{line['id']}: {fact!r}" for fact in line["facts"] if fold(fact) not in text]
    by_style = Counter(line["style"] for line in lines)
    assert not missing, f"{len(missing)} facts missing ({dict(by_style)}): {missing[:10]}"


def test_facts_are_not_in_every_answer(
    lines: list[dict[str, Any]], compose_store: CatalogueStore
) -> None:
    """A fact that a wrong answer would also contain proves nothing: check against another
    aspect of the same procedure and the same aspect of another procedure."""
    trivial = 0
    for line in lines:
        procedure = compose_store.get_procedure(line["code"])
        assert procedure is not None
        language = "en" if line["style"] == "en" else "vi"
        other_aspect = "legal_basis" if line["aspect"] != "legal_basis" else "result"
        wrong = fold(compose_answer(procedure, other_aspect, language).text)
        if all(fold(fact) in wrong for fact in line["facts"]):
            trivial += 1
    assert trivial <= len(lines) // 10
