"""Logging setup: plain text for a terminal, or JSON lines (one object a line) for collectors.

A JSON line has `ts` (ISO 8601, UTC), `level`, `logger`, `message`, `request_id` when the line
was written while a web request (or work it started) was running, the record's `extra` fields,
and `exc` (the traceback on one line) when there is one. Uvicorn's own loggers get the same
format through `uvicorn_log_config` (passed to `uvicorn.run` by `assistant serve`).
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from assistant.settings import Settings

# The id of the web request being served (set by bots.web.requestid); asyncio copies it
# into the tasks a request starts, so their lines carry it too.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "color_message",  # uvicorn's copy of the message with ANSI colours
    "taskName",
}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    """Puts the current request id (or "-") on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id and request_id != "-":
            entry["request_id"] = request_id
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_"):
                entry[name] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info).replace("\n", "\\n")
        elif record.exc_text:
            entry["exc"] = record.exc_text.replace("\n", "\\n")
        return json.dumps(entry, ensure_ascii=False, default=str)


def make_formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(settings: Settings) -> None:
    """The root logger writes to stderr in `settings.log_format` at `settings.log_level`."""
    handler = logging.StreamHandler()
    handler.setFormatter(make_formatter(settings.log_format))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_assistant", False):
            root.removeHandler(old)
    handler._assistant = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    # httpx logs every URL it calls at INFO: Telegram's carry the bot token.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))


def uvicorn_log_config(settings: Settings) -> dict[str, Any]:
    """A `logging.config.dictConfig` for uvicorn: its loggers and the app's share one format."""
    formatter: dict[str, Any] = (
        {"()": "assistant.logs.JsonFormatter"}
        if settings.log_format == "json"
        else {"format": TEXT_FORMAT}
    )
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "default",
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "assistant.logs.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": settings.log_level},
        "loggers": {
            # Explicit propagate: uvicorn's own default config (applied by any earlier
            # in-process server) turns it off, and dictConfig leaves it as it finds it.
            "uvicorn": {"level": settings.log_level, "propagate": True},
            "uvicorn.error": {"level": settings.log_level, "propagate": True},
            # Our request-id middleware writes one access line per request (no query string).
            "uvicorn.access": {"level": "WARNING", "propagate": True},
            # httpx logs every URL it calls at INFO: Telegram's carry the bot token.
            "httpx": {"level": "WARNING"},
        },
    }
