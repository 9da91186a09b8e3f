"""The facts set reports how often the assistant asked "which one?" instead of answering."""

from __future__ import annotations

from typing import Any

from assistant.reply import QuickReply, Reply
from evals.answers import run_facts


class ScriptedRunner:
    """Answers 1.001456 directly, except that questions containing "?" get a clarification."""

    def ask(self, user: str, text: str) -> Reply:
        if text.endswith("?"):
            quick = [QuickReply(label="Tỉnh", text="Cấp hộ chiếu (1.001456)")]
            return Reply(
                id="r", conversation_id="c", kind="clarification", text="?", quick_replies=quick
            )
        return Reply(
            id="r",
            conversation_id="c",
            kind="answer",
            text="200.000 đồng",
            procedure_code="1.001456",
        )

    def choose(self, user: str, reply: Reply, code: str) -> Reply | None:
        return self.ask(user, "tap")


def test_clarification_rate_per_style() -> None:
    cases: list[dict[str, Any]] = [
        {"question": "phí hộ chiếu", "code": "1.001456", "facts": ["200.000 đồng"], "style": "vi"},
        {"question": "phí hộ chiếu?", "code": "1.001456", "facts": ["200.000"], "style": "vi"},
        {"question": "passport fee", "code": "1.001456", "facts": ["200000"], "style": "en"},
    ]
    result = run_facts(ScriptedRunner(), cases)  # type: ignore[arg-type]
    assert result.passed == 3  # a clarification then the right tap still answers the fact
    assert result.extra["clarification_rate"] == round(1 / 3, 4)
    assert result.extra["clarification_rate_by_style"] == {"vi": 0.5, "en": 0.0}
