"""Write a new migration: `python -m assistant.migrations revision -m "add x" [--url URL]`.

Autogenerates against the database at URL (default: the configured one, which should be at
head: run `assistant db upgrade` first), into assistant/migrations/versions/. Read and clean
the file it writes before committing it.
"""

from __future__ import annotations

import argparse

from alembic import command

from assistant.migrations import alembic_config
from assistant.settings import Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m assistant.migrations")
    sub = parser.add_subparsers(dest="action", required=True)
    revision = sub.add_parser("revision", help="autogenerate a new migration")
    revision.add_argument("-m", "--message", required=True)
    revision.add_argument("--url", default=None, help="database URL (default: settings)")
    revision.add_argument("--empty", action="store_true", help="no autogenerate")
    args = parser.parse_args(argv)
    url = args.url or Settings().resolved_database_url()
    command.revision(alembic_config(url), message=args.message, autogenerate=not args.empty)


if __name__ == "__main__":
    main()
