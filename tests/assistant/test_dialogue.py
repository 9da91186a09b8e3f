"""Conversation state on SQLite and PostgreSQL: persistence, expiry, concurrency, feedback."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from assistant.dialogue import (
    ConversationStore,
    DialogueState,
    LatencyDayRow,
    Option,
    TurnDayRow,
    TurnRecord,
    TurnRow,
    UnknownReply,
)


def turn(reply_id: str, text: str = "hỏi", kind: str = "answer") -> TurnRecord:
    return TurnRecord(reply_id=reply_id, user_text=text, reply_text="đáp", kind=kind)


def test_state_survives_a_new_store(database_url: str) -> None:
    store = ConversationStore(database_url)
    conversation = store.load("telegram", "42")
    conversation.state.focus_code = "1.001193"
    conversation.state.last_aspect = "fee"
    conversation.state.options = [Option("1.000894", "Kết hôn", "Đăng ký kết hôn (1.000894)")]
    conversation.state.history = [("phí bao nhiêu", "8.000 đồng")]
    store.save(conversation, turn("r1"))
    store.close()

    reopened = ConversationStore(database_url)
    again = reopened.load("telegram", "42")
    assert again.id == conversation.id
    assert again.state.focus_code == "1.001193"
    assert again.state.last_aspect == "fee"
    assert again.state.options[0].procedure_code == "1.000894"
    assert again.state.history == [("phí bao nhiêu", "8.000 đồng")]
    assert [t.reply_id for t in reopened.turns(conversation.id)] == ["r1"]
    # Another channel with the same user id is another conversation.
    assert reopened.load("zalo", "42").id != conversation.id
    reopened.close()


def test_state_expires_but_turns_stay(database_url: str) -> None:
    store = ConversationStore(database_url, ttl=dt.timedelta(minutes=30))
    conversation = store.load("web", "u")
    conversation.state.focus_code = "1.001193"
    store.save(conversation, turn("r1"))
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=31)
    expired = store.load("web", "u", now=later)
    assert expired.expired and expired.state == DialogueState()
    assert store.load("web", "u").state.focus_code == "1.001193"  # not yet expired now
    assert len(store.turns(conversation.id)) == 1
    store.close()


def test_feedback_needs_a_known_reply(database_url: str) -> None:
    store = ConversationStore(database_url)
    conversation = store.load("web", "u")
    store.save(conversation, turn("r1"))
    store.add_feedback("r1", "up")
    store.add_feedback("r1", "down", "thiếu giấy tờ")
    with pytest.raises(UnknownReply):
        store.add_feedback("nope", "up")
    assert store.feedback_counts() == {"up": 1, "down": 1}
    store.close()


def test_unanswered_queue_lists_what_could_not_be_answered(database_url: str) -> None:
    store = ConversationStore(database_url)
    conversation = store.load("web", "u")
    store.save(conversation, turn("r1", "giá vàng", "out_of_scope"))
    store.save(conversation, turn("r2", "khai sinh", "answer"))
    assert [t.reply_id for t in store.unanswered()] == ["r1"]
    store.close()


def test_concurrent_first_messages_share_one_conversation(database_url: str) -> None:
    stores = [ConversationStore(database_url) for _ in range(4)]
    ids: list[str] = []
    errors: list[BaseException] = []

    def first_contact(store: ConversationStore, n: int) -> None:
        try:
            conversation = store.load("zalo", "same-user")
            store.save(conversation, turn(f"r{n}"))
            ids.append(conversation.id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first_contact, args=(s, n)) for n, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert len(set(ids)) == 1
    assert len(stores[0].turns(ids[0])) == 4  # no turn lost
    for s in stores:
        s.close()


def test_an_older_database_gets_the_latency_column(database_url: str) -> None:
    """A database made before turns recorded latency opens, keeps its turns, and records it."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    serial = "SERIAL" if engine.dialect.name == "postgresql" else "INTEGER"
    with engine.begin() as connection:  # the turns table as the first release made it
        connection.execute(
            text(
                "CREATE TABLE conversations (id VARCHAR(32) PRIMARY KEY, channel VARCHAR(32),"
                " user_id VARCHAR(255), state JSON, created_at TIMESTAMP WITH TIME ZONE,"
                " updated_at TIMESTAMP WITH TIME ZONE, CONSTRAINT uq_conversations_user"
                " UNIQUE (channel, user_id))"
            )
        )
        connection.execute(
            text(
                f"CREATE TABLE turns (id {serial} PRIMARY KEY, conversation_id VARCHAR(32)"
                " REFERENCES conversations (id), reply_id VARCHAR(32) UNIQUE, user_text TEXT,"
                " reply_text TEXT, kind VARCHAR(32), answer_mode VARCHAR(16),"
                " procedure_code VARCHAR(64), aspect VARCHAR(32),"
                " created_at TIMESTAMP WITH TIME ZONE)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO conversations VALUES ('c1', 'web', 'u1', '{}',"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO turns (conversation_id, reply_id, user_text, reply_text, kind,"
                " answer_mode, created_at) VALUES ('c1', 'r-old', 'hỏi', 'đáp', 'answer',"
                " 'grounded', CURRENT_TIMESTAMP)"
            )
        )
    engine.dispose()
    for _reopen in range(2):  # idempotent
        store = ConversationStore(database_url)
        store.close()
    store = ConversationStore(database_url)
    try:
        conversation = store.load("web", "u1")
        new = turn("r-new")
        new.latency_ms = 42
        store.save(conversation, new)
        assert [(t.reply_id, t.latency_ms) for t in store.turns("c1")] == [
            ("r-old", None),
            ("r-new", 42),
        ]
        # The daily rollups were made on the first open, counting the old turn once.
        with store.engine.connect() as connection:
            counted = connection.execute(select(TurnDayRow.channel, TurnDayRow.turns)).all()
            timed = connection.execute(select(LatencyDayRow.latency_ms, LatencyDayRow.turns))
            assert (counted, timed.all()) == ([("web", 2)], [(42, 1)])
            folded = connection.execute(select(TurnRow.folded_text).order_by(TurnRow.id))
            assert folded.scalars().all() == [None, "hoi"]  # older turns are folded on read
    finally:
        store.close()
