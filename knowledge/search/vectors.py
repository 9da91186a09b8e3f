"""The dense index in Chroma: one vector per procedure, embedded by our own model.

Embedded `PersistentClient` by default; `HttpClient` when a Chroma server URL is set. Each
vector carries the hash of the text it was made from, so a re-index re-embeds only what
changed. The collection name includes the embedding model, so switching models starts a
fresh collection instead of mixing vector spaces.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.schema import Procedure
from knowledge.search.embeddings import embedding_spec

BATCH = 64
QUERY_CACHE_SIZE = 2048  # recent query embeddings kept (a few MB)
# An embedded collection up to this size is also held as one matrix in memory and searched
# exactly with a matrix product (about 0.1 ms for 2,642 procedures, against 1-2 ms through
# Chroma's query path); 100,000 × 384 floats is 150 MB.
MIRROR_MAX = 100_000
# When a Chroma server query fails (server down, restarting), the dense side is left out
# (lexical-only answers) and the server is not asked again for this many seconds.
SERVER_RETRY_S = 5.0

log = logging.getLogger(__name__)


def dense_text(p: Procedure) -> str:
    """What a procedure's vector is made of: its identity, not its whole text."""
    parts = [p.name]
    if p.aliases:
        parts.append("; ".join(p.aliases))
    if p.summary_en:
        parts.append(p.summary_en)
    if p.field:
        parts.append(p.field)
    return ". ".join(parts)


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def make_client(chroma_path: Path | None = None, chroma_url: str = "") -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        parsed = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        return chromadb.HttpClient(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 8000,
            ssl=parsed.scheme == "https",
            settings=settings,
        )
    if chroma_path is None:
        raise ValueError("a Chroma path or URL is needed")
    chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(chroma_path), settings=settings)


def collection_name(embeddings: Embeddings, prefix: str = "procedures") -> str:
    return f"{prefix}-{text_hash(embedding_spec(embeddings))[:12]}"


class VectorIndex:
    """One vector per procedure in a Chroma collection.

    `mirror`: also keep the collection as a matrix in memory and answer `query` from it
    (exact cosine, same results as Chroma's). Right for an embedded collection, which only
    this process writes while it serves; leave it off for a Chroma server that other
    instances update. Writes through this object refresh the mirror.
    """

    def __init__(
        self,
        client: Any,
        embeddings: Embeddings,
        prefix: str = "procedures",
        *,
        mirror: bool = False,
    ) -> None:
        self.client = client
        self.embeddings = embeddings
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.query_cache_size = QUERY_CACHE_SIZE  # 0: no cache
        self.mirror = mirror
        self._matrix: tuple[list[str], np.ndarray] | None = None
        self._server_down_until = 0.0  # monotonic time before which queries skip the server
        self.collection = client.get_or_create_collection(
            collection_name(embeddings, prefix),
            embedding_function=None,  # never Chroma's default (it downloads a model)
            metadata={"hnsw:space": "cosine", "embedding": embedding_spec(embeddings)},
        )

    def count(self) -> int:
        return int(self.collection.count())

    def stored_hashes(self, ids: Sequence[str] | None = None) -> dict[str, str]:
        """The text hash stored with each vector (all vectors, or just `ids`)."""
        if ids is not None and not ids:
            return {}
        result = self.collection.get(
            ids=list(ids) if ids is not None else None, include=["metadatas"]
        )
        return {
            i: str((m or {}).get("hash", ""))
            for i, m in zip(result["ids"], result["metadatas"] or [], strict=False)
        }

    def sync(self, texts: Mapping[str, str], *, remove_missing: bool = True) -> int:
        """Make the collection hold one vector per id of `texts`; returns how many were embedded."""
        stored = self.stored_hashes()
        todo = [code for code, text in texts.items() if stored.get(code) != text_hash(text)]
        self.upsert({code: texts[code] for code in todo})
        if remove_missing:
            gone = [code for code in stored if code not in texts]
            self.delete(gone)
        return len(todo)

    def upsert(self, texts: Mapping[str, str]) -> None:
        codes = list(texts)
        for start in range(0, len(codes), BATCH):
            ids = codes[start : start + BATCH]
            vectors = self.embeddings.embed_documents([texts[i] for i in ids])
            self.collection.upsert(
                ids=ids,
                embeddings=np.asarray(vectors, dtype=np.float32),
                metadatas=[{"hash": text_hash(texts[i])} for i in ids],
            )
        self._matrix = None

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self.collection.delete(ids=list(ids))
        self._matrix = None

    def query_vector(self, text: str) -> np.ndarray:
        """The query's embedding; repeated questions ("phí bao nhiêu?") come from a small LRU."""
        vector = self._query_cache.get(text)
        if vector is None:
            vector = np.asarray(self.embeddings.embed_query(text), dtype=np.float32)
            vector.setflags(write=False)
            self._query_cache[text] = vector
            while len(self._query_cache) > self.query_cache_size:
                self._query_cache.popitem(last=False)
        else:
            self._query_cache.move_to_end(text)
        return vector

    def clear_query_cache(self) -> None:
        self._query_cache.clear()

    def _mirrored(self) -> tuple[list[str], np.ndarray] | None:
        """The collection as (ids, unit-length rows), loaded on first use; None when off."""
        if not self.mirror:
            return None
        matrix = self._matrix
        if matrix is None:
            if self.count() > MIRROR_MAX:
                self.mirror = False
                return None
            result = self.collection.get(include=["embeddings"])
            ids = list(result["ids"])
            rows = np.asarray(result["embeddings"], dtype=np.float32) if ids else np.zeros((0, 1))
            norms = np.linalg.norm(rows, axis=1, keepdims=True)
            rows = (rows / np.where(norms > 0, norms, 1.0)).astype(np.float32)
            matrix = self._matrix = (ids, rows)
        return matrix

    def mirrored(self) -> tuple[list[str], np.ndarray] | None:
        """The in-memory matrix (ids, unit-length rows), for sharing; None when not mirrored."""
        return self._mirrored()

    def set_mirror(self, matrix: tuple[list[str], np.ndarray]) -> None:
        """Answer from this matrix (another process's `mirrored()`), swapped in at once."""
        if self.mirror:
            self._matrix = (list(matrix[0]), np.asarray(matrix[1], dtype=np.float32))

    def drop_mirror(self) -> None:
        """Read the collection again on the next query."""
        self._matrix = None

    def query(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """The `n` nearest procedures as (code, cosine similarity), best first."""
        mirrored = self._mirrored()
        if mirrored is not None:
            ids, rows = mirrored
            if not ids:
                return []
            norm = float(np.linalg.norm(vector)) or 1.0
            sims = rows @ (np.asarray(vector, dtype=np.float32) / norm)
            k = min(n, len(ids))
            top = np.argpartition(-sims, k - 1)[:k]
            top = top[np.argsort(-sims[top], kind="stable")]
            return [(ids[i], float(sims[i])) for i in top]
        if time.monotonic() < self._server_down_until:
            return []  # the server failed a moment ago: lexical-only until the retry time
        # Chroma returns fewer than `n` when the collection is smaller (or empty): no count().
        try:
            result = self.collection.query(
                query_embeddings=vector.reshape(1, -1), n_results=n, include=["distances"]
            )
        except Exception as exc:  # a Chroma server down or restarting: degrade, don't fail
            self._server_down_until = time.monotonic() + SERVER_RETRY_S
            log.warning("Chroma query failed (%s); lexical-only for %.0f s", exc, SERVER_RETRY_S)
            return []
        ids = result["ids"][0]
        distances = result["distances"][0] if result["distances"] else [1.0] * len(ids)
        return [(code, 1.0 - float(d)) for code, d in zip(ids, distances, strict=True)]
