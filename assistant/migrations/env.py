"""Alembic's environment: run by `alembic.command.*` with a config from `alembic_config`.

The caller may lend an open connection (`config.attributes["connection"]`, inside its
transaction); otherwise this opens one for `config.attributes["url"]`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from assistant.migrations import target_metadata
from knowledge.store import make_engine

config = context.config
METADATA = target_metadata()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=METADATA,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite can't ALTER much
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=config.attributes["url"],
        target_metadata=METADATA,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    lent = config.attributes.get("connection")
    if lent is not None:
        _run(lent)
        return
    engine = make_engine(config.attributes["url"])
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
