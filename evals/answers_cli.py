"""`assistant eval answers`: run the answer sets through the real assistant and report."""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from assistant.dialogue import ConversationStore
from assistant.service import Assistant
from assistant.settings import Settings
from evals.answers import (
    CLARIFY,
    DIALOGUES,
    FACTS,
    GUARD,
    AnswerEvalError,
    evaluate,
    load_sets,
    summary_lines,
)
from evals.retrieval import DEFAULT_CACHE_DIR, EvalError, open_corpus, resolve_corpus
from knowledge.search.embeddings import EmbeddingConfigError, load_embeddings
from knowledge.search.searcher import Searcher

err = Console(stderr=True)
out = Console(highlight=False, soft_wrap=True)


def answers_command(
    corpus: Annotated[
        str, typer.Option(help="starter (the bundled corpus), shared, or a path to ingest.")
    ] = "starter",
    facts: Annotated[Path, typer.Option(help="Facts set (JSON lines).")] = FACTS,
    guard: Annotated[Path, typer.Option(help="Guardrail set (JSON lines).")] = GUARD,
    clarify: Annotated[Path, typer.Option(help="Clarification set (JSON lines).")] = CLARIFY,
    dialogues: Annotated[Path, typer.Option(help="Scripted dialogues (YAML).")] = DIALOGUES,
    mode: Annotated[str | None, typer.Option(help="grounded | llm (default: settings).")] = None,
    cache_dir: Annotated[
        Path, typer.Option(help="Where built corpora are cached.")
    ] = DEFAULT_CACHE_DIR,
    misses: Annotated[int, typer.Option(help="Misses to print per set.")] = 10,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole report as JSON.")
    ] = False,
) -> None:
    """Đánh giá câu trả lời / evaluate answers: facts, guardrails, clarification, dialogues."""
    if mode not in (None, "grounded", "llm"):
        err.print(f"[bold red]Lỗi / Error:[/] --mode must be grounded or llm, not {mode!r}")
        raise typer.Exit(2)
    settings = Settings()
    try:
        sets = load_sets(facts, guard, clarify, dialogues)
        source = resolve_corpus(corpus)
        embeddings = load_embeddings(settings.embedding, threads=settings.embedding_threads)
    except (AnswerEvalError, EvalError, EmbeddingConfigError) as exc:
        err.print(f"[bold red]Lỗi / Error:[/] {exc}")
        raise typer.Exit(2) from exc
    if not as_json:
        err.print(f"Corpus {source.label}: preparing the store and index…", highlight=False)
    built = open_corpus(source, cache_dir, embeddings)
    with tempfile.TemporaryDirectory(prefix="eval-answers-") as tmp:
        conversations = ConversationStore(
            f"sqlite:///{Path(tmp) / 'conversations.sqlite3'}", ttl=dt.timedelta(hours=1)
        )
        assistant = Assistant(
            Searcher(built.index, built.store), built.store, conversations, settings
        )
        try:
            report = evaluate(
                assistant,
                sets,
                mode=mode,
                progress=lambda name: None if as_json else err.print(f"running {name}…"),
            )
        finally:
            conversations.close()
            built.close()
    report["corpus"] = source.label
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    for line in summary_lines(report):
        out.print(line, markup=False)
    print_misses(report, misses)


def print_misses(report: dict[str, Any], limit: int) -> None:
    for name, data in report["sets"].items():
        if data["misses"] and limit:
            out.print(f"\n{name} misses ({len(data['misses'])}):")
            for miss in data["misses"][:limit]:
                out.print(f"  {json.dumps(miss, ensure_ascii=False)}", markup=False)
    for key in ("answers_without_citation", "answers_with_ungrounded_numbers"):
        for line in report[key][:limit]:
            out.print(f"  {key}: {line}", markup=False)
