"""The search index on disk: lexical BM25F state, the accent restorer, and Chroma vectors.

Built from the catalogue store and kept in step with it: `update` takes the changes an
ingest reported and re-indexes (and re-embeds) only those procedures.

Other processes see an update without a restart: `update` also publishes the in-memory
state (lexical index, restorer and, for embedded Chroma, the vector matrix) to the
catalogue database as a numbered snapshot (`CatalogueStore.publish_index_snapshot`). A
serving index given `refresh_s` checks that number at most every `refresh_s` seconds and,
when it moved, loads the snapshot aside and swaps it in, so it works for workers on one
host and for hosts that share only the database. Rebuilding the lexical index from the
2,642 portal records instead takes about 8 s; their snapshot is 8.8 MB, published in
about 0.7 s and loaded in about 0.5 s.
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from knowledge.schema import Procedure
from knowledge.search.lexical import LexicalIndex
from knowledge.search.rwlock import ReadWriteLock
from knowledge.search.vectors import VectorIndex, dense_text, make_client, text_hash
from knowledge.store import CatalogueStore, Change
from knowledge.text import AccentRestorer

LEXICAL_FILE = "lexical.pkl"
RESTORER_FILE = "restorer.json"
FORMAT_VERSION = 6
SNAPSHOT_NAME = "search"  # the row in `index_snapshots` this index publishes and follows


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
        refresh_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`refresh_s`: follow snapshots published by other processes, checking at most
        this often (0: on every search); None: never (building, evaluating)."""
        self.directory = directory
        self.embeddings = embeddings
        client = chroma_client or make_client(directory / "chroma", chroma_url)
        # Embedded Chroma is written only by this process (or before it started): mirror it
        # in memory. A Chroma server is shared with other instances: ask it every time.
        self.vectors = VectorIndex(client, embeddings, mirror=not chroma_url and not chroma_client)
        self.lexical = LexicalIndex()
        self.restorer = AccentRestorer.from_corpus([])
        self.refresh_s = refresh_s
        self._clock = clock
        self._checked_at = float("-inf")
        self._refreshing = threading.Lock()
        # Searches read under `swap.reading()`; a reload swaps its parts under `writing()`.
        self.swap = ReadWriteLock()
        self.revision: int | None = None  # the published snapshot this state matches
        self._load()

    # -- persistence -----------------------------------------------------------------------

    def _load(self) -> None:
        lexical_path = self.directory / LEXICAL_FILE
        if lexical_path.exists():
            with lexical_path.open("rb") as fh:
                state = pickle.load(fh)
            if state.get("version") == FORMAT_VERSION:
                self.lexical = LexicalIndex.from_state(state["lexical"])
                self.revision = state.get("revision")
        restorer_path = self.directory / RESTORER_FILE
        if restorer_path.exists():
            self.restorer = AccentRestorer.from_dict(
                json.loads(restorer_path.read_text(encoding="utf-8"))
            )

    def save(self) -> None:
        state = {
            "version": FORMAT_VERSION,
            "lexical": self.lexical.to_state(),
            "revision": self.revision,
        }
        _atomic_write(self.directory / LEXICAL_FILE, pickle.dumps(state, protocol=5))
        restorer = json.dumps(self.restorer.to_dict(), ensure_ascii=False)
        _atomic_write(self.directory / RESTORER_FILE, restorer.encode("utf-8"))

    # -- sharing with other processes ------------------------------------------------------

    def snapshot(self) -> bytes:
        """The in-memory state as one compressed blob (see `load_snapshot`)."""
        mirrored = self.vectors.mirrored()
        state = {
            "version": FORMAT_VERSION,
            "lexical": self.lexical.to_state(),
            "restorer": self.restorer.to_dict(),
            "collection": self.vectors.collection.name,
            "vectors": mirrored,  # None for a Chroma server: queried directly anyway
        }
        return zlib.compress(pickle.dumps(state, protocol=5), 1)

    def publish(self, store: CatalogueStore) -> int:
        """Publish the current state for other processes; returns the new revision."""
        self.revision = store.publish_index_snapshot(SNAPSHOT_NAME, self.snapshot())
        self._checked_at = self._clock()
        return self.revision

    def load_snapshot(self, blob: bytes, on_swap: Callable[[], None] | None = None) -> bool:
        """Replace the state by a published one; False (nothing changed) if it doesn't fit.
        `on_swap` runs with the new parts, before any search sees them."""
        state = pickle.loads(zlib.decompress(blob))
        if state.get("version") != FORMAT_VERSION:
            return False
        lexical = LexicalIndex.from_state(state["lexical"])
        restorer = AccentRestorer.from_dict(state["restorer"])
        vectors = state.get("vectors")
        # Built aside; swapped while no search runs, so none mixes old parts with new.
        with self.swap.writing():
            self.lexical = lexical
            self.restorer = restorer
            if vectors is not None and state.get("collection") == self.vectors.collection.name:
                self.vectors.set_mirror(vectors)
            else:
                self.vectors.drop_mirror()
            if on_swap is not None:
                on_swap()
        return True

    def refresh(self, store: CatalogueStore) -> bool:
        """Follow another process's update (at most every `refresh_s`); True if reloaded.

        One caller checks and reloads; concurrent callers go on with the current state
        instead of waiting for it.
        """
        if self.refresh_s is None:
            return False
        now = self._clock()
        if self.refresh_s > 0 and now - self._checked_at < self.refresh_s:
            return False
        if not self._refreshing.acquire(blocking=False):
            return False
        try:
            self._checked_at = now
            return self._follow(store)
        finally:
            self._refreshing.release()

    def _follow(self, store: CatalogueStore) -> bool:
        """Load the published snapshot if it is newer than this state; True if loaded."""
        revision = store.index_revision(SNAPSHOT_NAME)
        if revision is None or revision == self.revision:
            return False
        snapshot = store.index_snapshot(SNAPSHOT_NAME)
        if snapshot is None:
            return False
        # The store's remembered records may predate the ones just indexed.
        if not self.load_snapshot(snapshot[1], on_swap=store.invalidate):
            return False
        self.revision = snapshot[0]
        return True

    @property
    def is_empty(self) -> bool:
        return len(self.lexical) == 0

    # -- building --------------------------------------------------------------------------

    def rebuild(self, procedures: list[Procedure], store: CatalogueStore | None = None) -> int:
        """Index exactly these procedures; returns how many vectors had to be (re)computed.
        With `store`, also publish the result for other processes."""
        lexical = LexicalIndex()
        lexical.upsert_procedures(procedures)
        self.lexical = lexical
        self.restorer = AccentRestorer.from_corpus(restorer_texts(procedures))
        embedded = self.vectors.sync({p.code: dense_text(p) for p in procedures})
        if store is not None:
            self.publish(store)
        self.save()
        return embedded

    def update(self, store: CatalogueStore, changes: Iterable[Change]) -> int:
        """Apply an ingest's procedure changes; returns how many vectors were (re)computed."""
        codes = sorted({c.key for c in changes if c.kind == "procedure"})
        with self._refreshing:  # start from what another process may have published since
            self._follow(store)
        if not codes and not self.is_empty:
            return 0
        if self.is_empty or self.vectors.count() == 0:
            return self.rebuild(store.procedures(), store)
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
        self.publish(store)
        self.save()
        return len(changed)
