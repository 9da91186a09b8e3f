"""`assistant ask`: one question, --json (the documented Reply contract), --batch, interactive."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from assistant.cli import app
from assistant.reply import Reply

runner = CliRunner()
REPLY_FIELDS = set(Reply.model_fields)


def ask(data_dir: Path, *args: str, input: str | None = None) -> Any:
    return runner.invoke(
        app, ["ask", "--data-dir", str(data_dir), *args], input=input, catch_exceptions=False
    )


def test_one_question_as_json_prints_the_reply_contract(starter_data_dir: Path) -> None:
    result = ask(starter_data_dir, "le phi dang ky ket hon", "--json", "--user", "cli-json")
    assert result.exit_code == 0, result.output
    reply = json.loads(result.output)
    assert set(reply) == REPLY_FIELDS
    assert reply["kind"] == "answer" and reply["aspect"] == "fee"
    assert reply["citations"][0]["procedure_code"] == "1.000894"
    assert {"procedure_code", "name", "section", "url"} <= set(reply["citations"][0])


def test_plain_output_shows_text_citation_and_buttons(starter_data_dir: Path) -> None:
    result = ask(starter_data_dir, "đăng ký khai tử cần gì", "--user", "cli-plain")
    assert result.exit_code == 0
    assert "1.000656" in result.output
    assert "[" in result.output  # quick-reply buttons


def test_batch_keeps_conversations_per_user_and_reports_bad_lines(starter_data_dir: Path) -> None:
    lines = [
        {"user": "a", "text": "lam giay khai sinh can gi"},
        {"user": "b", "text": "đăng ký khai tử cần gì"},
        {"user": "a", "text": "phí bao nhiêu?"},
        "not json",
        {"text": "no user"},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
    result = ask(starter_data_dir, "--batch", input=stdin + "\n")
    assert result.exit_code == 1  # some lines were bad …
    out = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    replies, errors = out[:3], out[3:]
    assert replies[0]["procedure_code"] == "1.001193"
    assert replies[1]["procedure_code"] == "1.000656"
    assert (replies[2]["procedure_code"], replies[2]["aspect"]) == ("1.001193", "fee")
    assert replies[0]["conversation_id"] == replies[2]["conversation_id"]
    assert [e["line"] for e in errors] == [4, 5]  # … and said which, the rest answered
    assert all("error" in e for e in errors)


def test_interactive_chat_until_exit(starter_data_dir: Path) -> None:
    result = ask(
        starter_data_dir, "--user", "cli-chat", input="cap doi can cuoc\nmat bao lau\nthoát\n"
    )
    assert result.exit_code == 0
    assert "1.014063" in result.output
    assert "ngày" in result.output


def test_bad_options_are_one_sentence(starter_data_dir: Path, tmp_path: Path) -> None:
    bad_mode = ask(starter_data_dir, "hi", "--mode", "creative")
    assert bad_mode.exit_code == 2 and "grounded or llm" in bad_mode.output
    empty = runner.invoke(app, ["ask", "hi", "--data-dir", str(tmp_path / "empty")])
    assert empty.exit_code == 1 and "assistant start" in empty.output
    assert "Traceback" not in empty.output


def test_llm_mode_without_an_llm_says_so_and_stays_grounded(
    starter_data_dir: Path, monkeypatch: Any
) -> None:
    for name in ("ASSISTANT_LLM_BASE_URL", "ASSISTANT_LLM_CHAT_MODEL", "ASSISTANT_ANSWER_MODE"):
        monkeypatch.delenv(name, raising=False)
    result = ask(starter_data_dir, "le phi dang ky ket hon", "--mode", "llm", "--json")
    assert result.exit_code == 0
    assert "no LLM configured" in result.stderr
    assert json.loads(result.stdout)["answer_mode"] == "grounded"
