"""Conversation state, turns and feedback behind SQLAlchemy (SQLite by default, PostgreSQL by URL).

One conversation per (channel, user). Its state — the procedure in focus, the last aspect,
pending clarification options — expires after a quiet period, so a citizen who comes back
tomorrow starts fresh; the turns stay for staff review. Everything written here has been
redacted by the guard stage first: this module never sees raw personal data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from knowledge.store import make_engine

Rating = Literal["up", "down"]
HISTORY_TURNS = 6  # recent exchanges kept in the state for the LLM's condense step


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    pass


class ConversationRow(Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "user_id", name="uq_conversations_user"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(255))
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class TurnRow(Base):
    __tablename__ = "turns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    reply_id: Mapped[str] = mapped_column(String(32), unique=True)
    user_text: Mapped[str] = mapped_column(Text)  # redacted
    reply_text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    answer_mode: Mapped[str] = mapped_column(String(16))
    procedure_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    aspect: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # From the message's arrival to the stored reply; NULL for turns stored before it existed.
    latency_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class FeedbackRow(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reply_id: Mapped[str] = mapped_column(ForeignKey("turns.reply_id"), index=True)
    rating: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str] = mapped_column(Text, default="")  # redacted
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


@dataclass
class Option:
    """One choice offered in a clarification."""

    procedure_code: str
    label: str
    text: str


@dataclass
class DialogueState:
    """What the assistant remembers between turns of one conversation."""

    focus_code: str | None = None
    last_aspect: str | None = None
    language: str | None = None
    case: str | None = None  # the document case last asked about
    pending_aspect: str | None = None  # the aspect asked when a clarification was offered
    options: list[Option] = field(default_factory=list)  # pending clarification
    history: list[tuple[str, str]] = field(default_factory=list)  # (user, assistant), redacted

    def to_json(self) -> dict[str, Any]:
        return {
            "focus_code": self.focus_code,
            "last_aspect": self.last_aspect,
            "language": self.language,
            "case": self.case,
            "pending_aspect": self.pending_aspect,
            "options": [vars(o) for o in self.options],
            "history": [list(pair) for pair in self.history[-HISTORY_TURNS:]],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DialogueState:
        return cls(
            focus_code=data.get("focus_code"),
            last_aspect=data.get("last_aspect"),
            language=data.get("language"),
            case=data.get("case"),
            pending_aspect=data.get("pending_aspect"),
            options=[Option(**o) for o in data.get("options", [])],
            history=[(u, a) for u, a in data.get("history", [])],
        )


@dataclass
class Conversation:
    id: str
    channel: str
    user_id: str
    state: DialogueState
    expired: bool = False  # the stored state was too old and has been dropped


@dataclass
class TurnRecord:
    reply_id: str
    user_text: str
    reply_text: str
    kind: str
    answer_mode: str = "none"
    procedure_code: str | None = None
    aspect: str | None = None
    latency_ms: int | None = None


class UnknownReply(LookupError):
    """Feedback for a reply id that was never given."""


class ConversationStore:
    """Read and write conversations. Thread-safe; concurrent writers are serialised by the DB."""

    def __init__(self, url: str, *, ttl: dt.timedelta = dt.timedelta(hours=1)) -> None:
        self.url = url
        self.ttl = ttl
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)
        add_missing_columns(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    # -- conversations -----------------------------------------------------------------

    def load(self, channel: str, user_id: str, *, now: dt.datetime | None = None) -> Conversation:
        """The user's conversation on this channel, created on first contact."""
        now = now or _now()
        for _attempt in range(2):  # two first messages at once: the loser re-reads the winner
            try:
                with self.engine.begin() as connection:
                    row = connection.execute(
                        select(
                            ConversationRow.id, ConversationRow.state, ConversationRow.updated_at
                        ).where(
                            ConversationRow.channel == channel, ConversationRow.user_id == user_id
                        )
                    ).first()
                    if row is None:
                        conversation_id = new_id()
                        connection.execute(
                            insert(ConversationRow).values(
                                id=conversation_id,
                                channel=channel,
                                user_id=user_id,
                                state={},
                                created_at=now,
                                updated_at=now,
                            )
                        )
                        return Conversation(conversation_id, channel, user_id, DialogueState())
            except IntegrityError:
                continue
            updated = row.updated_at
            if updated.tzinfo is None:  # SQLite drops the zone
                updated = updated.replace(tzinfo=dt.UTC)
            expired = bool(row.state) and now - updated > self.ttl
            state = DialogueState() if expired else DialogueState.from_json(row.state)
            return Conversation(row.id, channel, user_id, state, expired=expired)
        raise RuntimeError("could not create the conversation")  # pragma: no cover

    def save(self, conversation: Conversation, turn: TurnRecord | None = None) -> None:
        """Store the new state and, when given, the turn that led to it (one transaction)."""
        with self.engine.begin() as connection:
            updated = connection.execute(
                update(ConversationRow)
                .where(ConversationRow.id == conversation.id)
                .values(state=conversation.state.to_json(), updated_at=_now())
            )
            if updated.rowcount == 0:
                raise LookupError(f"no conversation {conversation.id}")
            if turn is not None:
                connection.execute(
                    insert(TurnRow).values(
                        conversation_id=conversation.id, created_at=_now(), **vars(turn)
                    )
                )

    def reset(self, conversation: Conversation) -> None:
        conversation.state = DialogueState()

    # -- turns and feedback ------------------------------------------------------------

    def turns(self, conversation_id: str) -> list[TurnRecord]:
        with self.session() as session:
            rows = session.scalars(
                select(TurnRow)
                .where(TurnRow.conversation_id == conversation_id)
                .order_by(TurnRow.id)
            )
            return [_turn_record(row) for row in rows]

    def unanswered(self, limit: int = 100) -> list[TurnRecord]:
        """Recent questions the assistant could not answer: the staff review queue."""
        with self.session() as session:
            rows = session.scalars(
                select(TurnRow)
                .where(TurnRow.kind.in_(("out_of_scope", "handoff")))
                .order_by(TurnRow.id.desc())
                .limit(limit)
            )
            return [_turn_record(row) for row in rows]

    def add_feedback(self, reply_id: str, rating: Rating, comment: str = "") -> None:
        with self.session() as session:
            if session.scalar(select(TurnRow.id).where(TurnRow.reply_id == reply_id)) is None:
                raise UnknownReply(reply_id)
            session.add(FeedbackRow(reply_id=reply_id, rating=rating, comment=comment))

    def feedback_counts(self) -> dict[str, int]:
        with self.session() as session:
            rows = session.execute(
                select(FeedbackRow.rating, func.count()).group_by(FeedbackRow.rating)
            )
            return {rating: count for rating, count in rows}


# Columns added after the first release: (table, column, SQL type). `create_all` makes new
# tables whole but never alters an existing one, so older databases get them here.
ADDED_COLUMNS = (("turns", "latency_ms", "INTEGER"),)


def add_missing_columns(engine: Engine) -> None:
    """Bring an existing database up to the current tables (idempotent, safe to race)."""
    for table, column, sql_type in ADDED_COLUMNS:
        present = {c["name"] for c in inspect(engine).get_columns(table)}
        if column in present:
            continue
        try:
            with engine.begin() as connection:
                connection.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"))
        except (OperationalError, ProgrammingError):  # another process added it meanwhile
            if column not in {c["name"] for c in inspect(engine).get_columns(table)}:
                raise


def _turn_record(row: TurnRow) -> TurnRecord:
    return TurnRecord(
        reply_id=row.reply_id,
        user_text=row.user_text,
        reply_text=row.reply_text,
        kind=row.kind,
        answer_mode=row.answer_mode,
        procedure_code=row.procedure_code,
        aspect=row.aspect,
        latency_ms=row.latency_ms,
    )
