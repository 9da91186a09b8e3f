"""Bring a database's schema to the current release with Alembic (`assistant db upgrade`).

A database made by an earlier release has the tables (the stores' `create_all`) but no
`alembic_version`: it is completed the way the stores complete it (missing tables, columns
added later, the daily rollups), stamped at the baseline, then upgraded like any other.
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from assistant.migrations import BASELINE, alembic_config, target_metadata
from knowledge.store import make_engine

VERSION_TABLE = "alembic_version"


@dataclass(frozen=True)
class UpgradeResult:
    before: str | None  # the revision found (None: empty or legacy database)
    after: str  # the revision now (head)
    stamped_legacy: bool  # tables made by an earlier release were adopted at the baseline


def head() -> str:
    """The newest revision this release ships."""
    revision = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    assert revision is not None, "assistant/migrations/versions has no revision"
    return revision


def current(url: str) -> str | None:
    """The database's revision, or None when Alembic has never run on it."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def is_legacy(engine: Engine) -> bool:
    """Project tables present but no `alembic_version`: made by `create_all` before."""
    present = set(inspect(engine).get_table_names())
    if VERSION_TABLE in present:
        return False
    ours = {table for metadata in target_metadata() for table in metadata.tables}
    return bool(present & ours)


def adopt_legacy(engine: Engine) -> None:
    """Complete a `create_all` database to the baseline's schema, then stamp the baseline."""
    from assistant.dialogue import Rollups, add_missing_columns, ensure_rollups

    for metadata in target_metadata():
        if metadata is not Rollups.metadata:  # ensure_rollups makes and fills those
            metadata.create_all(engine)
    add_missing_columns(engine)
    ensure_rollups(engine)
    with engine.begin() as connection:
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.stamp(config, BASELINE)


def upgrade(url: str) -> UpgradeResult:
    """Upgrade `url` to head (a no-op when it is there already)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            before = MigrationContext.configure(connection).get_current_revision()
        legacy = before is None and is_legacy(engine)
        if legacy:
            adopt_legacy(engine)
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        with engine.connect() as connection:
            after = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    assert after is not None
    return UpgradeResult(before=before, after=after, stamped_legacy=legacy)
