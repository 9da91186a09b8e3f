"""No number in a grounded answer that its record does not hold (assistant.grounding).

Every aspect × both languages for the 66 starter procedures and ~200 real portal records,
plus the answers for each offered document case. The source given to the checker is the
record itself (`Procedure.model_dump_json()`); list enumerators and small item counts are
not checked by `ungrounded_numbers`.
"""

from __future__ import annotations

from collections.abc import Iterator

from assistant.compose import Composed, compose_answer
from assistant.grounding import ungrounded_numbers
from assistant.reply import Language
from knowledge.schema import Procedure
from knowledge.search.aspects import ASPECTS, detect_aspect

LANGUAGES: tuple[Language, ...] = ("vi", "en")


def answers(procedure: Procedure) -> Iterator[tuple[str, Composed]]:
    for aspect in ASPECTS:
        for language in LANGUAGES:
            composed = compose_answer(procedure, aspect, language)
            yield f"{aspect}/{language}", composed
            if aspect != "documents":
                continue
            for button in composed.quick_replies:
                if detect_aspect(button.text) == "documents":
                    case = compose_answer(procedure, aspect, language, case=button.text)
                    yield f"{aspect}/{language}/case {button.label}", case


def ungrounded(procedures: list[Procedure]) -> list[str]:
    """Problems as "code aspect/language: numbers"; all answers of a record are checked in one
    call (the record is indexed once), then one by one when that call finds something."""
    problems = []
    for procedure in procedures:
        sources = [procedure.model_dump_json()]
        composed = list(answers(procedure))
        if not ungrounded_numbers("\n\n".join(c.text for _, c in composed), sources):
            continue
        for label, answer in composed:
            numbers = ungrounded_numbers(answer.text, sources)
            if numbers:
                problems.append(f"{procedure.code} {label}: {numbers}")
    return problems


def test_starter_answers_hold_only_record_numbers(starter: dict[str, Procedure]) -> None:
    assert len(starter) == 66
    assert ungrounded(list(starter.values())) == []


def test_portal_answers_hold_only_record_numbers(portal_sample: list[Procedure]) -> None:
    assert len(portal_sample) >= 200
    assert ungrounded(portal_sample) == []


def test_the_check_can_fail(starter: dict[str, Procedure]) -> None:
    """A figure the record does not hold is caught (the check above is not vacuous)."""
    text = compose_answer(starter["1.014064"], "fee", "vi").text
    sources = [starter["1.014064"].model_dump_json()]
    assert ungrounded_numbers(text, sources) == []
    assert ungrounded_numbers(text.replace("35.000", "45.000"), sources) == ["45.000 đồng"]
