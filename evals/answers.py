"""Answer evaluation: facts, guardrails, clarification and scripted dialogues, end to end.

Every case goes through the real `Assistant` (guard → … → check) on a real catalogue and
index, as a fresh user unless the case is a dialogue. Besides each set's own score, every
answer given anywhere is checked for a citation and for numbers absent from its record.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.grounding import ungrounded_numbers
from assistant.reply import Reply
from assistant.service import Assistant, Message
from evals.retrieval import percentile
from knowledge.places import PLACES_CITATION_CODE, PLACES_SOURCE
from knowledge.text import fold

DATA_DIR = Path(__file__).resolve().parent / "data"
FACTS = DATA_DIR / "answers_facts.jsonl"
GUARD = DATA_DIR / "answers_guard.jsonl"
CLARIFY = DATA_DIR / "answers_clarify.jsonl"
DIALOGUES = DATA_DIR / "answers_dialogues.yaml"

# What a correct reply to each guard intent looks like.
EXPECTED_KIND = {
    "out_of_scope": {"out_of_scope"},
    "injection": {"refusal"},
    "abuse": {"refusal"},
    "greeting": {"greeting"},
    "thanks": {"greeting"},
    "goodbye": {"greeting"},
    "reset": {"greeting"},
    "handoff": {"handoff"},
    "empty": {"clarification"},
}
HANDLED = ("out_of_scope", "injection")  # the headline "handled correctly" rate


class AnswerEvalError(ValueError):
    """A broken evaluation file: says which file and line."""


def load_jsonl(path: Path, required: Sequence[str]) -> list[dict[str, Any]]:
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AnswerEvalError(f"cannot read {path}: {exc.strerror}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise AnswerEvalError(f"{path}:{number}: not JSON ({exc})") from exc
        missing = [key for key in required if key not in row]
        if missing:
            raise AnswerEvalError(f"{path}:{number}: missing {', '.join(missing)}")
        rows.append(row)
    return rows


def load_dialogues(path: Path) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AnswerEvalError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, list) or not all(isinstance(d, dict) and "turns" in d for d in data):
        raise AnswerEvalError(f"{path}: expected a list of dialogues with turns")
    return data


_SPACE = re.compile(r"\s+")
_NUMBER_SEPARATORS = re.compile(r"(?<=\d)[.,](?=\d{3}\b)")


def comparable(text: str) -> str:
    """Folded, single-spaced, thousands separators dropped: how facts are compared."""
    return _NUMBER_SEPARATORS.sub("", _SPACE.sub(" ", fold(text)))


def contains_fact(answer: str, fact: str) -> bool:
    return comparable(fact).strip() in comparable(answer)


# -- running cases ----------------------------------------------------------------------


@dataclass
class Checks:
    """What is checked on every answer, whatever the set."""

    answers: int = 0
    without_citation: list[str] = field(default_factory=list)
    ungrounded: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)


class Runner:
    def __init__(self, assistant: Assistant, mode: str | None = None) -> None:
        self.assistant = assistant
        self.mode = mode
        self.checks = Checks()
        self.verdicts: dict[str, list[str] | None] = {}  # reply id → `invented_numbers`

    def ask(self, user: str, text: str) -> Reply:
        message = Message(channel="eval", user=user, text=text, mode=self.mode)  # type: ignore[arg-type]
        start = time.perf_counter()
        reply = self.assistant.reply(message)
        self.checks.latencies_ms.append((time.perf_counter() - start) * 1000)
        self.inspect(reply, text)
        return reply

    def inspect(self, reply: Reply, question: str) -> None:
        if reply.kind != "answer":
            return
        self.checks.answers += 1
        invented = self.invented_numbers(reply)
        self.verdicts[reply.id] = invented
        if invented is None:
            self.checks.without_citation.append(question)
        elif invented:
            self.checks.ungrounded.append(f"{question} → {', '.join(invented)}")

    def invented_numbers(self, reply: Reply) -> list[str] | None:
        """Numbers in an answer that its cited records lack (a variant's fee beside the answer's
        is cited too; codes of real records are not numbers); None when it cites no known
        record."""
        records = [
            self.assistant.catalogue.get_procedure(c.procedure_code) for c in reply.citations
        ]
        if not records or records[0] is None:
            return None
        sources = [p.model_dump_json() for p in records if p]
        if any(c.procedure_code == PLACES_CITATION_CODE for c in reply.citations):
            sources += PLACES_SOURCE.values()  # "theo địa giới mới (từ 1/7/2025)"
        # A variant line names its sibling records by code: a real record's code is no fact.
        catalogue = self.assistant.catalogue
        return [
            n for n in ungrounded_numbers(reply.text, sources) if not catalogue.get_procedure(n)
        ]

    def choose(self, user: str, reply: Reply, code: str) -> Reply | None:
        """Answer a clarification the way the citizen would: tap the option for `code`."""
        for quick in reply.quick_replies:
            if code in quick.text:
                return self.ask(user, quick.text)
        return None


def new_user() -> str:
    return uuid.uuid4().hex[:12]


@dataclass
class SetResult:
    name: str
    total: int = 0
    passed: int = 0
    by_group: dict[str, list[int]] = field(default_factory=dict)  # group → [passed, total]
    misses: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, ok: bool, group: str, miss: dict[str, Any]) -> None:
        self.total += 1
        self.passed += ok
        counts = self.by_group.setdefault(group, [0, 0])
        counts[0] += ok
        counts[1] += 1
        if not ok:
            self.misses.append(miss)

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rate"] = round(self.rate, 4)
        data["by_group"] = {
            g: {"passed": p, "total": t, "rate": round(p / t, 4)}
            for g, (p, t) in self.by_group.items()
        }
        return data


def run_facts(runner: Runner, cases: Iterable[dict[str, Any]]) -> SetResult:
    result = SetResult("facts")
    clarified = 0
    by_style: dict[str, list[int]] = {}  # style → [clarified, questions]
    for case in cases:
        user = new_user()
        reply = runner.ask(user, case["question"])
        counts = by_style.setdefault(case.get("style", "all"), [0, 0])
        counts[1] += 1
        if reply.kind == "clarification":
            clarified += 1
            counts[0] += 1
            reply = runner.choose(user, reply, case["code"]) or reply
        missing = [f for f in case["facts"] if not contains_fact(reply.text, f)]
        ok = reply.kind == "answer" and reply.procedure_code == case["code"] and not missing
        result.add(
            ok,
            case.get("style", "all"),
            {
                "id": case.get("id"),
                "question": case["question"],
                "expected": case["code"],
                "got": reply.procedure_code,
                "kind": reply.kind,
                "missing": missing,
            },
        )
    result.extra["clarified_then_chosen"] = clarified
    result.extra["clarification_rate"] = round(clarified / result.total, 4) if result.total else 0.0
    result.extra["clarification_rate_by_style"] = {
        style: round(c / n, 4) for style, (c, n) in by_style.items()
    }
    return result


def run_guard(runner: Runner, cases: Iterable[dict[str, Any]]) -> SetResult:
    """Off-topic, injection, small talk and traps (in-scope questions that look off-topic)."""
    result = SetResult("guard")
    for case in cases:
        expected = case["expected"]
        reply = runner.ask(new_user(), case["text"])
        if expected == "question":
            ok = reply.kind in ("answer", "clarification") or (
                reply.kind == "out_of_scope" and _is_not_found(reply)
            )
        elif expected == "injection":
            # Refused, or the real question answered with nothing invented.
            ok = reply.kind == "refusal" or (
                reply.kind == "answer" and runner.verdicts.get(reply.id) == []
            )
        else:
            ok = reply.kind in EXPECTED_KIND.get(expected, {expected})
        result.add(
            ok,
            expected,
            {"id": case.get("id"), "text": case["text"], "expected": expected, "kind": reply.kind},
        )
    handled = [result.by_group.get(k, [0, 0]) for k in HANDLED]
    passed, total = sum(h[0] for h in handled), sum(h[1] for h in handled)
    result.extra["out_of_scope_and_injection_handled"] = round(passed / total, 4) if total else None
    return result


def _is_not_found(reply: Reply) -> bool:
    """An in-scope question the catalogue has no procedure for: not a refusal of the topic."""
    return "chưa tìm thấy" in reply.text or "couldn't find" in reply.text


def run_clarify(runner: Runner, cases: Iterable[dict[str, Any]]) -> SetResult:
    result = SetResult("clarify")
    for case in cases:
        reply = runner.ask(new_user(), case["text"])
        codes = set(case["codes"])
        offered = {q.text.rsplit("(", 1)[-1].rstrip(")") for q in reply.quick_replies}
        clarified = reply.kind == "clarification" and codes <= offered
        offers = set(case.get("offers", []))  # variants the answer's buttons must offer
        answered = reply.kind == "answer" and reply.procedure_code in codes and offers <= offered
        expect = case["expect"]
        ok = {"clarify": clarified, "answer": answered, "either": clarified or answered}[expect]
        result.add(
            ok,
            expect,
            {
                "id": case.get("id"),
                "text": case["text"],
                "expect": expect,
                "kind": reply.kind,
                "got": reply.procedure_code,
                "offered": sorted(offered) if reply.kind == "clarification" else [],
            },
        )
    return result


def check_turn(reply: Reply, expected: dict[str, Any]) -> list[str]:
    """What is wrong with one dialogue turn's reply (empty: nothing)."""
    problems = []
    kinds = expected.get("kind", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if kinds and reply.kind not in kinds:
        problems.append(f"kind {reply.kind} not in {kinds}")
    if "code" in expected and reply.procedure_code != expected["code"]:
        problems.append(f"procedure {reply.procedure_code} != {expected['code']}")
    if "aspect" in expected and reply.aspect != expected["aspect"]:
        problems.append(f"aspect {reply.aspect} != {expected['aspect']}")
    if "language" in expected and reply.language != expected["language"]:
        problems.append(f"language {reply.language} != {expected['language']}")
    problems += [
        f"missing {f!r}" for f in expected.get("contains", []) if not contains_fact(reply.text, f)
    ]
    problems += [f"leaked {s!r}" for s in expected.get("absent", []) if s in reply.text]
    return problems


def run_dialogues(runner: Runner, dialogues: Iterable[dict[str, Any]]) -> SetResult:
    result = SetResult("dialogues")
    turns_ok = turns_total = 0
    for dialogue in dialogues:
        user = new_user()
        previous: Reply | None = None
        failures = []
        for number, turn in enumerate(dialogue["turns"], start=1):
            if "choose" in turn:
                reply = runner.choose(user, previous, turn["choose"]) if previous else None
                if reply is None:
                    failures.append(f"turn {number}: no option for {turn['choose']}")
                    turns_total += 1
                    break
            else:
                reply = runner.ask(user, turn["text"])
            problems = check_turn(reply, turn)
            turns_total += 1
            turns_ok += not problems
            failures += [
                f"turn {number} ({turn.get('text', turn.get('choose'))}): {p}" for p in problems
            ]
            previous = reply
        result.add(not failures, "all", {"id": dialogue.get("id"), "problems": failures})
    result.extra["turns_passed"] = turns_ok
    result.extra["turns_total"] = turns_total
    return result


# -- the whole evaluation ---------------------------------------------------------------


@dataclass
class AnswerSets:
    facts: list[dict[str, Any]]
    guard: list[dict[str, Any]]
    clarify: list[dict[str, Any]]
    dialogues: list[dict[str, Any]]


def load_sets(
    facts: Path = FACTS, guard: Path = GUARD, clarify: Path = CLARIFY, dialogues: Path = DIALOGUES
) -> AnswerSets:
    return AnswerSets(
        facts=load_jsonl(facts, ("question", "code", "facts")),
        guard=load_jsonl(guard, ("text", "expected")),
        clarify=load_jsonl(clarify, ("text", "expect", "codes")),
        dialogues=load_dialogues(dialogues),
    )


def evaluate(
    assistant: Assistant,
    sets: AnswerSets,
    *,
    mode: str | None = None,
    progress: Callable[[str], None] = lambda name: None,
) -> dict[str, Any]:
    runner = Runner(assistant, mode)
    results = {}
    for name, run, cases in (
        ("facts", run_facts, sets.facts),
        ("guard", run_guard, sets.guard),
        ("clarify", run_clarify, sets.clarify),
        ("dialogues", run_dialogues, sets.dialogues),
    ):
        progress(name)
        results[name] = run(runner, cases).as_dict()
    checks = runner.checks
    latencies = checks.latencies_ms
    return {
        "sets": results,
        "answers": checks.answers,
        "answers_without_citation": checks.without_citation,
        "answers_with_ungrounded_numbers": checks.ungrounded,
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 1),
            "p95": round(percentile(latencies, 95), 1),
            "max": round(max(latencies, default=0.0), 1),
            "replies": len(latencies),
        },
    }


def summary_lines(report: dict[str, Any]) -> list[str]:
    sets = report["sets"]
    lines = []
    for name in ("facts", "guard", "clarify", "dialogues"):
        data = sets[name]
        groups = ", ".join(
            f"{g} {v['rate']:.3f} ({v['passed']}/{v['total']})" for g, v in data["by_group"].items()
        )
        lines.append(
            f"{name:<10} {data['rate']:.3f} ({data['passed']}/{data['total']})  [{groups}]"
        )
    facts = sets["facts"]["extra"]
    if "clarification_rate" in facts:
        styles = ", ".join(f"{s} {r:.3f}" for s, r in facts["clarification_rate_by_style"].items())
        lines.append(f"facts asked 'which one?': {facts['clarification_rate']:.3f}  [{styles}]")
    guard = sets["guard"]["extra"].get("out_of_scope_and_injection_handled")
    if guard is not None:
        lines.append(f"out-of-scope + injection handled: {guard:.3f}")
    dialogue = sets["dialogues"]["extra"]
    lines.append(f"dialogue turns passed: {dialogue['turns_passed']}/{dialogue['turns_total']}")
    lines.append(
        f"answers: {report['answers']}; without citation: {len(report['answers_without_citation'])}; "
        f"with numbers absent from the record: {len(report['answers_with_ungrounded_numbers'])}"
    )
    latency = report["latency_ms"]
    lines.append(
        f"latency per reply: p50 {latency['p50']} ms, p95 {latency['p95']} ms, max {latency['max']} ms "
        f"over {latency['replies']} replies"
    )
    return lines
