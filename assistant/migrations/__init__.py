"""The database schema's migrations (Alembic), configured in code: no alembic.ini.

`alembic_config(url)` is what `assistant.db` and `python -m assistant.migrations` use;
`target_metadata()` gathers every table the project defines, for autogenerate and the
drift test (tests/ops/test_migrations.py).
"""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from sqlalchemy import MetaData

MIGRATIONS_DIR = Path(__file__).resolve().parent
BASELINE = "0001_baseline"


def target_metadata() -> list[MetaData]:
    """Every MetaData in the packages (imported here so that each registers its tables)."""
    import staff.accounts  # noqa: F401  (adds staff_login_failures to staff.store.metadata)
    from assistant.dialogue import Base as DialogueBase
    from assistant.dialogue import Rollups
    from bots.store import metadata as channel_metadata
    from knowledge.store import Base as CatalogueBase
    from staff.handoff import metadata as handoff_metadata
    from staff.store import metadata as staff_metadata

    return [
        CatalogueBase.metadata,
        DialogueBase.metadata,
        Rollups.metadata,
        channel_metadata,
        staff_metadata,
        handoff_metadata,
    ]


def alembic_config(url: str) -> Config:
    """An Alembic config for `url` (kept in `attributes`, so a '%' in it needs no escaping)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = url
    return config
