"""The naive RAG baseline: split each procedure's text into chunks, embed, nearest chunks win.

This is what a textbook LangChain pipeline does — `RecursiveCharacterTextSplitter` →
`Chroma` → `similarity_search` — with the same embedding model as our own index, so the
comparison measures the retrieval design, not the model. The Chroma collection persists
in the eval cache and the build is resumable: chunk ids already stored are not re-embedded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from knowledge.render import format_procedure
from knowledge.schema import Procedure
from knowledge.search.embeddings import embedding_spec
from knowledge.search.vectors import text_hash

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 100
DEFAULT_MAX_CHARS = 3000
SEARCH_K = 20  # chunks fetched per query
BATCH = 32  # chunks embedded per call

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class Chunk:
    id: str
    code: str
    text: str


def procedure_text(procedure: Procedure, max_chars: int) -> str:
    """The name and the full record text, cut to the first `max_chars` characters."""
    body = procedure.full_text or format_procedure(procedure)
    return f"{procedure.name}\n{body}"[:max_chars]


def chunk_procedures(
    procedures: Sequence[Procedure],
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    chunk_size: int = CHUNK_SIZE,
    chunk_overlap: int = CHUNK_OVERLAP,
) -> list[Chunk]:
    """Chunks of every procedure, with stable ids `<code>#<n>`."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)
    chunks = []
    for procedure in procedures:
        for n, text in enumerate(splitter.split_text(procedure_text(procedure, max_chars))):
            chunks.append(Chunk(f"{procedure.code}#{n}", procedure.code, text))
    return chunks


def collection_name(embeddings: Embeddings, max_chars: int, chunk_size: int, overlap: int) -> str:
    """Chroma-safe name that changes with the model and every chunking parameter."""
    spec = text_hash(embedding_spec(embeddings))[:10]
    return f"naive-{spec}-m{max_chars}-c{chunk_size}-o{overlap}"


class NaiveRAG:
    def __init__(
        self,
        directory: Path,
        embeddings: Embeddings,
        *,
        max_chars: int = DEFAULT_MAX_CHARS,
        chunk_size: int = CHUNK_SIZE,
        chunk_overlap: int = CHUNK_OVERLAP,
    ) -> None:
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        self.max_chars = max_chars
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        directory.mkdir(parents=True, exist_ok=True)
        self.store: Any = Chroma(
            collection_name=collection_name(embeddings, max_chars, chunk_size, chunk_overlap),
            embedding_function=embeddings,
            persist_directory=str(directory),
            client_settings=ChromaSettings(anonymized_telemetry=False, is_persistent=True),
            collection_metadata={"hnsw:space": "cosine"},
        )

    def stored_ids(self) -> set[str]:
        return set(self.store.get(include=[])["ids"])

    def count(self) -> int:
        return int(self.store._collection.count())

    def build(
        self,
        procedures: Sequence[Procedure],
        *,
        progress: Progress | None = None,
        batch: int = BATCH,
    ) -> int:
        """Embed the chunks not stored yet; returns how many were embedded by this call."""
        chunks = chunk_procedures(
            procedures,
            max_chars=self.max_chars,
            chunk_size=self.chunk_size,
            chunk_overlap=self.chunk_overlap,
        )
        stored = self.stored_ids()
        todo = [c for c in chunks if c.id not in stored]
        done = len(chunks) - len(todo)
        if progress:
            progress(done, len(chunks))
        for start in range(0, len(todo), batch):
            part = todo[start : start + batch]
            self.store.add_texts(
                [c.text for c in part],
                metadatas=[{"code": c.code} for c in part],
                ids=[c.id for c in part],
            )
            done += len(part)
            if progress:
                progress(done, len(chunks))
        return len(todo)

    def rank(self, query: str, k: int = SEARCH_K) -> list[str]:
        """Procedures of the `k` nearest chunks, in order, each once."""
        documents = self.store.similarity_search(query, k=k)
        codes = [str((d.metadata or {}).get("code", "")) for d in documents]
        return list(dict.fromkeys(c for c in codes if c))
