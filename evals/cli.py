"""`assistant eval …`: evaluation commands (mounted as a typer sub-app by `assistant.cli`)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from assistant.settings import Settings
from evals.naive_rag import DEFAULT_MAX_CHARS, NaiveRAG
from evals.report import text_report, write_report
from evals.retrieval import (
    DEFAULT_CACHE_DIR,
    DEPTH,
    OFFTOPIC_QUESTIONS,
    EvalError,
    EvalResult,
    Question,
    Ranked,
    Ranker,
    filter_by_corpus,
    hybrid_extras,
    hybrid_misses,
    load_questions,
    metrics_by_style,
    open_corpus,
    rank_all,
    resolve_corpus,
    resolve_questions,
    searcher_systems,
)
from knowledge.search.embeddings import EmbeddingConfigError, embedding_spec, load_embeddings
from knowledge.search.searcher import Searcher

eval_app = typer.Typer(
    help="Đánh giá chất lượng / evaluate the assistant on the dev sets.", no_args_is_help=True
)
err = Console(stderr=True)

ProgressFn = Callable[[int, int], None]


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]Lỗi / Error:[/] {message}")
    return typer.Exit(code)


@contextmanager
def progress_bar(title: str, *, quiet: bool = False, log: bool = False) -> Iterator[ProgressFn]:
    """A progress callback: a bar on a terminal; off a terminal a line every ~5% if `log`
    (for slow steps, so a run in the background can be followed), else nothing."""
    if quiet or (not log and not err.is_terminal):
        yield lambda done, total: None
        return
    if err.is_terminal:
        columns = (
            TextColumn(f"[bold]{title}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("", total=None)
            yield lambda done, total: progress.update(task, completed=done, total=total)
        return
    start = time.monotonic()
    state = {"first": -1, "last": -1.0}

    def log_line(done: int, total: int) -> None:
        if state["first"] < 0:
            state["first"] = done
        step = max(total // 20, 1)
        if done != total and done - state["last"] < step:
            return
        state["last"] = done
        elapsed = time.monotonic() - start
        rate = (done - state["first"]) / elapsed if elapsed > 0 else 0.0
        if done == state["first"] == total:
            err.print(f"{title}: {done}/{total} already stored", highlight=False)
            return
        eta = (total - done) / rate if rate > 0 else 0.0
        err.print(
            f"{title}: {done}/{total} ({rate:.2f}/s, {elapsed:.0f} s elapsed, ~{eta:.0f} s left)",
            highlight=False,
        )

    yield log_line


def rank_with_progress(
    title: str, ranker: Ranker, questions: Sequence[Question], quiet: bool
) -> tuple[list[Ranked], float]:
    start = time.perf_counter()
    ranked: list[Ranked] = []
    with progress_bar(title, quiet=quiet) as report:
        for done, question in enumerate(questions, start=1):
            ranked.extend(rank_all(ranker, [question]))
            report(done, len(questions))
    return ranked, time.perf_counter() - start


def run_retrieval(
    *,
    corpus: str,
    questions_path: Path,
    cache_dir: Path,
    baselines: bool,
    naive_max_chars: int,
    limit: int | None,
    quiet: bool,
) -> dict[str, Any]:
    settings = Settings()
    source = resolve_corpus(corpus)
    try:
        embeddings = load_embeddings(settings.embedding)
    except EmbeddingConfigError as exc:
        raise EvalError(f"ASSISTANT_EMBEDDING: {exc}") from exc
    everything = load_questions(questions_path)  # before the build: fail fast on a bad file
    offtopic = load_questions(OFFTOPIC_QUESTIONS)
    offtopic = offtopic[:limit] if limit else offtopic
    timings: dict[str, float] = {}
    start = time.perf_counter()
    if not quiet:
        err.print(f"Corpus {source.label}: preparing the store and index…", highlight=False)
    built = open_corpus(source, cache_dir, embeddings)
    timings["index"] = time.perf_counter() - start
    try:
        store, index = built.store, built.index
        names = {p.code: p.name for p in store.procedures()}
        kept = filter_by_corpus(everything, set(index.lexical.codes))
        chosen = kept if source.filters_questions else everything
        used = chosen[:limit] if limit else chosen
        if not used:
            raise EvalError(
                f"no question in {questions_path} expects a procedure of this corpus "
                f"({built.procedures} procedures)"
            )
        if not quiet:
            err.print(
                f"Questions: {len(used)} used; {len(kept)} of {len(everything)} have an "
                "expected procedure in the corpus",
                highlight=False,
            )

        # Build everything first, then query: the question passes run back to back.
        naive: NaiveRAG | None = None
        naive_embedded = 0
        if baselines:
            t0 = time.perf_counter()
            naive = NaiveRAG(built.directory / "naive", embeddings, max_chars=naive_max_chars)
            with progress_bar("naive RAG: embedding chunks", quiet=quiet, log=True) as report:
                naive_embedded = naive.build(store.procedures(), progress=report)
            timings["naive_build"] = time.perf_counter() - t0
        searcher = Searcher(index, store)
        systems = searcher_systems(searcher)
        if naive is not None:
            systems["naive_rag"] = naive.rank
        rankings: dict[str, list[Ranked]] = {}
        for name, ranker in systems.items():
            rankings[name], timings[name] = rank_with_progress(name, ranker, used, quiet)
        t0 = time.perf_counter()
        extras = hybrid_extras(searcher, used, offtopic)
        timings["hybrid_extras"] = time.perf_counter() - t0
        result = EvalResult(
            corpus={
                "label": source.label,
                "paths": [str(p) for p in source.paths],
                "procedures": built.procedures,
                "cache_dir": str(built.directory),
                "reused": built.reused,
                "embedded": built.embedded,
                "naive_embedded": naive_embedded,
            },
            settings={
                "embedding": embedding_spec(embeddings),
                "depth": DEPTH,
                "baselines": baselines,
                "naive_max_chars": naive_max_chars,
                "naive_chunk": "1000/100",
                "naive_k": 20,
                "limit": limit,
            },
            questions={
                "total": len(everything),
                "kept": len(kept),
                "used": len(used),
                "offtopic": len(offtopic),
            },
            systems={name: metrics_by_style(r) for name, r in rankings.items()},
            hybrid=extras,
            misses=hybrid_misses(rankings["hybrid"], names),
            timings_s={k: round(v, 2) for k, v in timings.items()},
        )
    finally:
        built.close()
    return result.as_dict()


@eval_app.command("retrieval")
def retrieval_command(
    corpus: Annotated[
        str,
        typer.Option(help="shared (../shared portal records), starter (bundled), or a PATH."),
    ] = "shared",
    questions: Annotated[
        str | None,
        typer.Option(
            help="Questions: dev (default), holdout, or a JSONL path (format: evals/data)."
        ),
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Where built stores/indexes are kept and reused.")
    ] = None,
    baselines: Annotated[
        bool, typer.Option(help="Also run the naive LangChain RAG baseline (slow first time).")
    ] = True,
    naive_max_chars: Annotated[
        int, typer.Option(min=100, help="Characters of each procedure the naive RAG embeds.")
    ] = DEFAULT_MAX_CHARS,
    report: Annotated[
        Path | None, typer.Option(help="Write retrieval.md and retrieval.png into this folder.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON / print JSON.")] = False,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Use only the first N questions (smoke runs).")
    ] = None,
) -> None:
    """Đánh giá tìm kiếm / retrieval metrics per query style, with baselines."""
    try:
        result = run_retrieval(
            corpus=corpus,
            questions_path=resolve_questions(questions),
            cache_dir=cache_dir or DEFAULT_CACHE_DIR,
            baselines=baselines,
            naive_max_chars=naive_max_chars,
            limit=limit,
            quiet=False,
        )
    except EvalError as exc:
        raise fail(str(exc)) from exc
    if report is not None:
        md, png = write_report(result, report)
        err.print(f"Báo cáo / report: {md} · {png}", highlight=False)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(text_report(result) + "\n")
