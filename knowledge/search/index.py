"""The search index on disk: lexical BM25F state, the accent restorer, and Chroma vectors.

Built from the catalogue store and kept in step with it: `update` takes the changes an
ingest reported and re-indexes (and re-embeds) only those procedures.
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from knowledge.schema import Procedure
from knowledge.search.lexical import LexicalIndex
from knowledge.search.vectors import VectorIndex, dense_text, make_client, text_hash
from knowledge.store import CatalogueStore, Change
from knowledge.text import AccentRestorer

LEXICAL_FILE = "lexical.pkl"
RESTORER_FILE = "restorer.json"
FORMAT_VERSION = 6


def restorer_texts(procedures: Iterable[Procedure]) -> Iterable[str]:
    for p in procedures:
        yield p.name
        yield from p.aliases
        if p.field:
            yield p.field
        if p.result:
            yield p.result[:500]


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


class SearchIndex:
    def __init__(
        self,
        directory: Path,
        embeddings: Embeddings,
        *,
        chroma_url: str = "",
        chroma_client: Any = None,
    ) -> None:
        self.directory = directory
        self.embeddings = embeddings
        client = chroma_client or make_client(directory / "chroma", chroma_url)
        # Embedded Chroma is written only by this process (or before it started): mirror it
        # in memory. A Chroma server is shared with other instances: ask it every time.
        self.vectors = VectorIndex(client, embeddings, mirror=not chroma_url and not chroma_client)
        self.lexical = LexicalIndex()
        self.restorer = AccentRestorer.from_corpus([])
        self._load()

    # -- persistence -----------------------------------------------------------------------

    def _load(self) -> None:
        lexical_path = self.directory / LEXICAL_FILE
        if lexical_path.exists():
            with lexical_path.open("rb") as fh:
                state = pickle.load(fh)
            if state.get("version") == FORMAT_VERSION:
                self.lexical = LexicalIndex.from_state(state["lexical"])
        restorer_path = self.directory / RESTORER_FILE
        if restorer_path.exists():
            self.restorer = AccentRestorer.from_dict(
                json.loads(restorer_path.read_text(encoding="utf-8"))
            )

    def save(self) -> None:
        state = {"version": FORMAT_VERSION, "lexical": self.lexical.to_state()}
        _atomic_write(self.directory / LEXICAL_FILE, pickle.dumps(state, protocol=5))
        restorer = json.dumps(self.restorer.to_dict(), ensure_ascii=False)
        _atomic_write(self.directory / RESTORER_FILE, restorer.encode("utf-8"))

    @property
    def is_empty(self) -> bool:
        return len(self.lexical) == 0

    # -- building --------------------------------------------------------------------------

    def rebuild(self, procedures: list[Procedure]) -> int:
        """Index exactly these procedures; returns how many vectors had to be (re)computed."""
        self.lexical = LexicalIndex()
        self.lexical.upsert_procedures(procedures)
        self.restorer = AccentRestorer.from_corpus(restorer_texts(procedures))
        embedded = self.vectors.sync({p.code: dense_text(p) for p in procedures})
        self.save()
        return embedded

    def update(self, store: CatalogueStore, changes: Iterable[Change]) -> int:
        """Apply an ingest's procedure changes; returns how many vectors were (re)computed."""
        codes = sorted({c.key for c in changes if c.kind == "procedure"})
        if not codes and not self.is_empty:
            return 0
        if self.is_empty or self.vectors.count() == 0:
            return self.rebuild(store.procedures())
        upserts: dict[str, str] = {}
        removed: list[str] = []
        for code in codes:
            procedure = store.get_procedure(code)  # the winning version, if any is left
            if procedure is None:
                self.lexical.remove(code)
                removed.append(code)
            else:
                self.lexical.upsert_procedure(procedure)
                upserts[code] = dense_text(procedure)
        stored = self.vectors.stored_hashes(list(upserts))
        changed = {c: t for c, t in upserts.items() if stored.get(c) != text_hash(t)}
        self.vectors.upsert(changed)
        self.vectors.delete(removed)
        self.restorer = AccentRestorer.from_corpus(restorer_texts(store.procedures()))
        self.save()
        return len(changed)
