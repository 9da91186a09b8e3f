"""What every `assistant` command shares: the consoles, the --data-dir option, one-sentence
errors, settings, the catalogue store, the search index and the assistant."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from assistant.service import Assistant
from assistant.settings import Settings
from knowledge.search.embeddings import EmbeddingConfigError, load_embeddings
from knowledge.search.index import SearchIndex
from knowledge.store import CatalogueStore

err = Console(stderr=True)
out = Console(highlight=False, soft_wrap=True)

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Thư mục dữ liệu / data directory (default: ASSISTANT_DATA_DIR or a per-user folder).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="In JSON / print JSON.")]


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]Lỗi / Error:[/] {message}")
    return typer.Exit(code)


def load_settings(data_dir: Path | None) -> Settings:
    settings = Settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir.expanduser()})
    return settings


def open_store(settings: Settings) -> CatalogueStore:
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(f"cannot create data directory {settings.data_dir}: {exc.strerror}") from exc
    try:
        return CatalogueStore(settings.resolved_database_url())
    except Exception as exc:  # a bad URL or an unreachable database: one clear sentence
        raise fail(f"cannot open the database ({type(exc).__name__}: {exc})") from exc


def open_index(settings: Settings, *, serving: bool = False) -> SearchIndex:
    """The search index; `serving` (answering questions, not building) caps embedding threads."""
    try:
        threads = settings.embedding_threads if serving else None
        embeddings = load_embeddings(settings.embedding, threads=threads)
    except EmbeddingConfigError as exc:
        raise fail(f"ASSISTANT_EMBEDDING: {exc}") from exc
    try:
        return SearchIndex(settings.index_dir, embeddings, chroma_url=settings.chroma_url)
    except Exception as exc:  # an unreachable Chroma server, a corrupt index folder
        raise fail(f"cannot open the search index ({type(exc).__name__}: {exc})") from exc


def open_assistant(settings: Settings) -> Assistant:
    """The assistant on these settings, or a clear error when it cannot answer yet."""
    index = open_index(settings, serving=True)
    if index.is_empty:
        raise fail("the search index is empty: run `assistant start` or `assistant ingest`", 1)
    store = open_store(settings)
    store.close()  # checks the database URL with a clear error before the service opens it
    try:
        return Assistant.from_settings(settings)
    except ValueError as exc:  # a staff-edited table (abbreviations, glossary) is broken
        raise fail(str(exc)) from exc
