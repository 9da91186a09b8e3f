"""Alembic migrations (`assistant db upgrade`) on real SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from typer.testing import CliRunner

from assistant import db
from assistant.cli import app
from assistant.dialogue import Base as DialogueBase
from assistant.dialogue import ConversationStore, TurnRecord
from assistant.migrations import BASELINE, target_metadata
from bots.store import ChannelStore
from knowledge.store import CatalogueStore, make_engine
from staff.handoff import HandoffStore
from staff.store import StaffStore


def schema_drift(url: str) -> list[Any]:
    """What autogenerate would put in a new migration: the schema vs the project's tables."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, target_metadata()))
    finally:
        engine.dispose()


def open_every_store(url: str) -> None:
    """Open (and close) each store, as the services do: their `create_all` runs."""
    for store in (
        CatalogueStore(url),
        ConversationStore(url),
        ChannelStore(url),
        StaffStore(url),
        HandoffStore(url),
    ):
        store.close()


def version_rows(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(
                connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
            )
    finally:
        engine.dispose()


def test_upgrade_of_an_empty_database_matches_the_models(database_url: str) -> None:
    """The migrations build exactly the tables the code defines.

    This test FAILS when someone adds or changes a column, index or table without adding a
    migration: write one with `python -m assistant.migrations revision -m "..."`
    (docs/decisions/0012-migrations.md), then read and clean it.
    """
    result = db.upgrade(database_url)
    assert result == db.UpgradeResult(before=None, after=db.head(), stamped_legacy=False)
    assert schema_drift(database_url) == []


def test_create_all_makes_the_same_schema_as_the_migrations(database_url: str) -> None:
    """The stores' create_all on open (the embedded default) and Alembic agree."""
    open_every_store(database_url)
    assert schema_drift(database_url) == []


def test_a_legacy_database_is_stamped_and_keeps_its_data(database_url: str) -> None:
    open_every_store(database_url)  # what an earlier release left: tables, no alembic_version
    conversations = ConversationStore(database_url)
    conversation = conversations.load("web", "u1")
    conversations.save(conversation, TurnRecord("r1", "hỏi", "đáp", "answer", latency_ms=12))
    conversations.close()
    staff = StaffStore(database_url)
    staff.create_user("admin", "hash", "admin", actor="test")
    staff.close()

    result = db.upgrade(database_url)

    assert result.stamped_legacy and result.before is None and result.after == db.head()
    assert db.current(database_url) == db.head()
    assert schema_drift(database_url) == []
    conversations = ConversationStore(database_url)
    [turn] = conversations.turns(conversation.id)
    assert (turn.reply_id, turn.user_text, turn.latency_ms) == ("r1", "hỏi", 12)
    conversations.close()
    staff = StaffStore(database_url)
    assert [user.username for user in staff.users()] == ["admin"]
    staff.close()


def test_a_legacy_database_missing_later_columns_gets_them(database_url: str) -> None:
    """A database from before turns.latency_ms and the rollups existed: the columns are
    added, the rollups made and counted, the old rows kept."""
    engine = make_engine(database_url)
    with engine.begin() as connection:
        DialogueBase.metadata.create_all(connection)
        connection.execute(text("ALTER TABLE turns DROP COLUMN latency_ms"))
        connection.execute(text("ALTER TABLE turns DROP COLUMN folded_text"))
        connection.execute(
            text(
                "INSERT INTO conversations (id, channel, user_id, state, created_at, updated_at)"
                " VALUES ('c1', 'web', 'u1', '{}', :at, :at)"
            ),
            {"at": "2026-01-02 03:04:05+00:00"},
        )
        connection.execute(
            text(
                "INSERT INTO turns (conversation_id, reply_id, user_text, reply_text, kind,"
                " answer_mode, created_at) VALUES ('c1', 'r1', 'cũ', 'đáp', 'answer', 'none', :at)"
            ),
            {"at": "2026-01-02 03:04:05+00:00"},
        )
    assert "latency_ms" not in {c["name"] for c in inspect(engine).get_columns("turns")}

    result = db.upgrade(database_url)

    assert result.stamped_legacy and result.after == db.head()
    assert schema_drift(database_url) == []
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT reply_id, user_text, latency_ms FROM turns"))
        assert [tuple(row) for row in rows] == [("r1", "cũ", None)]
        counted = connection.execute(text("SELECT SUM(turns) FROM turn_days")).scalar()
        assert counted == 1  # the rollups were made and counted the old turn
    engine.dispose()


def test_upgrade_twice_is_a_no_op(database_url: str) -> None:
    db.upgrade(database_url)
    again = db.upgrade(database_url)
    assert again == db.UpgradeResult(before=db.head(), after=db.head(), stamped_legacy=False)
    assert version_rows(database_url) == [db.head()]
    assert db.current(database_url) == db.head() == BASELINE  # one revision so far


def test_current_of_a_database_never_migrated_is_none(database_url: str) -> None:
    assert db.current(database_url) is None


def test_stores_work_on_an_upgraded_database(database_url: str) -> None:
    db.upgrade(database_url)
    conversations = ConversationStore(database_url)
    conversation = conversations.load("telegram", "42")
    conversations.save(conversation, TurnRecord("r2", "xin chào", "chào bạn", "greeting"))
    assert [t.reply_id for t in conversations.turns(conversation.id)] == ["r2"]
    conversations.add_feedback("r2", "up")
    assert conversations.feedback_counts() == {"up": 1}
    conversations.close()
    channels = ChannelStore(database_url)
    channels.set_language("zalo", "7", "en")
    assert channels.language("zalo", "7") == "en"
    channels.close()
    staff = StaffStore(database_url)
    staff.create_user("editor1", "hash", "editor", actor="test")
    assert [u.username for u in staff.users()] == ["editor1"]
    staff.close()
    catalogue = CatalogueStore(database_url)
    assert catalogue.procedures() == []
    catalogue.close()
    HandoffStore(database_url).close()
    assert schema_drift(database_url) == []  # opening them changed nothing
    engine = make_engine(database_url)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(text("turn_days"))).scalar()
    engine.dispose()


def test_cli_upgrade_and_current(database_url: str) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["db", "upgrade", "--database-url", database_url])
    assert first.exit_code == 0, first.output
    assert f"-> {db.head()}" in first.output
    second = runner.invoke(app, ["db", "upgrade", "--database-url", database_url])
    assert second.exit_code == 0 and "already at the newest revision" in second.output
    shown = runner.invoke(app, ["db", "current", "--database-url", database_url])
    assert shown.exit_code == 0 and f"{db.head()} (mới nhất / head)" in shown.output


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://root@127.0.0.1:1/nothing", "nonsense://x", "sqlite:////no/such/dir/x"],
)
@pytest.mark.parametrize("command", ["upgrade", "current"])
def test_cli_bad_database_url_is_one_sentence(url: str, command: str) -> None:
    result = CliRunner().invoke(app, ["db", command, "--database-url", url])
    assert result.exit_code == 2
    assert "cannot reach the database" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no crash
