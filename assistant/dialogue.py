"""Conversation state, turns and feedback behind SQLAlchemy (SQLite by default, PostgreSQL by URL).

One conversation per (channel, user). Its state — the procedure in focus, the last aspect,
pending clarification options — expires after a quiet period, so a citizen who comes back
tomorrow starts fresh; the turns stay for staff review. Everything written here has been
redacted by the guard stage first: this module never sees raw personal data.

Each stored turn is also counted, in the same transaction, in two daily rollups that the
staff console reads instead of scanning every turn: `turn_days` (questions per UTC day,
channel, kind and procedure) and `turn_latency_days` (how many turns of a day and kind took
each latency in milliseconds, so medians stay exact). They are created and filled from the
existing turns the first time a store opens a database without them (`ensure_rollups`);
`ConversationStore.recount_rollups()` rebuilds them after turns were written by other means.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    func,
    insert,
    inspect,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from knowledge.store import make_engine
from knowledge.text.normalize import fold, normalize

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
    # `review_fold(user_text)`, computed once at save time for the staff review queue's
    # grouping; NULL for turns stored before it existed (the queue folds those itself).
    folded_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class FeedbackRow(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reply_id: Mapped[str] = mapped_column(ForeignKey("turns.reply_id"), index=True)
    rating: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str] = mapped_column(Text, default="")  # redacted
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Rollups(DeclarativeBase):
    """The daily rollups. Their own metadata: `Base.metadata.create_all` must never make them
    empty beside existing turns; `ensure_rollups` creates and fills them in one transaction."""


class TurnDayRow(Rollups):
    """Turns per UTC day, channel, kind and procedure ("" when none)."""

    __tablename__ = "turn_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    turns: Mapped[int] = mapped_column(Integer)


class LatencyDayRow(Rollups):
    """Turns per UTC day, kind and latency in milliseconds (turns with a latency only)."""

    __tablename__ = "turn_latency_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    latency_ms: Mapped[int] = mapped_column(Integer, primary_key=True)
    turns: Mapped[int] = mapped_column(Integer)


TURN_DAYS: Table = Rollups.metadata.tables["turn_days"]
LATENCY_DAYS: Table = Rollups.metadata.tables["turn_latency_days"]


def review_fold(text: str) -> str:
    """The question as `staff.curation.words` folds it before splitting it into words (the
    review queue's grouping); kept in `turns.folded_text`."""
    return fold(normalize(text)).lower()


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
        ensure_rollups(self.engine)
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
        """Store the new state and, when given, the turn that led to it and its count in the
        daily rollups (one transaction)."""
        with self.engine.begin() as connection:
            updated = connection.execute(
                update(ConversationRow)
                .where(ConversationRow.id == conversation.id)
                .values(state=conversation.state.to_json(), updated_at=_now())
            )
            if updated.rowcount == 0:
                raise LookupError(f"no conversation {conversation.id}")
            if turn is not None:
                created_at = _now()
                connection.execute(
                    insert(TurnRow).values(
                        conversation_id=conversation.id,
                        created_at=created_at,
                        folded_text=review_fold(turn.user_text),
                        **vars(turn),
                    )
                )
                count_turns(connection, [(created_at, conversation.channel, turn)])

    def recount_rollups(self) -> None:
        """Rebuild the daily rollups from the turns, e.g. after turns were inserted by other
        means than `save`. Holds off concurrent saves meanwhile; the figures stay exact."""
        with self.engine.begin() as connection:
            _lock_turn_writes(connection)
            recount_rollups(connection)

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
ADDED_COLUMNS = (("turns", "latency_ms", "INTEGER"), ("turns", "folded_text", "TEXT"))


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


# -- the daily rollups ---------------------------------------------------------------------


def utc_day(connection: Connection, column: Any) -> ColumnElement[Any]:
    """SQL for the UTC calendar day of a stored timestamp (SQLite keeps UTC wall time)."""
    if connection.dialect.name == "postgresql":
        return func.date(func.timezone(literal_column("'UTC'"), column))
    return func.date(column)


def count_turns(
    connection: Connection, turns: Iterable[tuple[dt.datetime, str, TurnRecord]]
) -> None:
    """Add (created_at, channel, turn) to the daily rollups, in the caller's transaction.

    `save` counts its one turn here; a bulk import of turns counts them all in one call."""
    days: Counter[tuple[dt.date, str, str, str]] = Counter()
    latencies: Counter[tuple[dt.date, str, int]] = Counter()
    for created_at, channel, turn in turns:
        day = created_at.astimezone(dt.UTC).date() if created_at.tzinfo else created_at.date()
        days[day, channel, turn.kind, turn.procedure_code or ""] += 1
        if turn.latency_ms is not None:
            latencies[day, turn.kind, turn.latency_ms] += 1
    _add_counts(
        connection,
        TURN_DAYS,
        [
            {"day": d, "channel": c, "kind": k, "procedure_code": p, "turns": n}
            for (d, c, k, p), n in sorted(days.items())
        ],
    )
    _add_counts(
        connection,
        LATENCY_DAYS,
        [
            {"day": d, "kind": k, "latency_ms": ms, "turns": n}
            for (d, k, ms), n in sorted(latencies.items())
        ],
    )


def _add_counts(
    connection: Connection,
    t: Table,
    rows: list[dict[str, Any]],
    *,
    portable: bool = False,
) -> None:
    """Upsert `turns += n` for each key. Rows in key order, so concurrent writers lock the
    rows they share in the same order (no deadlock)."""
    if not rows:
        return
    keys = [c.name for c in t.primary_key.columns]
    dialect = connection.dialect.name
    if dialect in ("sqlite", "postgresql") and not portable:
        module: Any = sqlite if dialect == "sqlite" else postgresql
        upsert = module.insert(t)
        connection.execute(
            upsert.on_conflict_do_update(
                index_elements=keys, set_={"turns": t.c.turns + upsert.excluded.turns}
            ),
            rows,
        )
        return
    for row in rows:  # any other database: update, else insert (a racing insert: update)
        match = [t.c[k] == row[k] for k in keys]
        bump = update(t).where(*match).values(turns=t.c.turns + row["turns"])
        if connection.execute(bump).rowcount:
            continue
        try:
            with connection.begin_nested():
                connection.execute(insert(t).values(**row))
        except IntegrityError:
            connection.execute(bump)


def recount_rollups(connection: Connection) -> None:
    """Replace the daily rollups by a count of the stored turns (the caller's transaction)."""
    connection.execute(delete(TurnDayRow))
    connection.execute(delete(LatencyDayRow))
    day = utc_day(connection, TurnRow.created_at).label("day")
    # Literal SQL, not bound parameters: PostgreSQL must see the same expression in GROUP BY.
    code = func.coalesce(TurnRow.procedure_code, literal_column("''")).label("procedure_code")
    connection.execute(
        insert(TurnDayRow).from_select(
            ["day", "channel", "kind", "procedure_code", "turns"],
            select(day, ConversationRow.channel, TurnRow.kind, code, func.count())
            .join(ConversationRow, ConversationRow.id == TurnRow.conversation_id)
            .group_by(day, ConversationRow.channel, TurnRow.kind, code),
        )
    )
    connection.execute(
        insert(LatencyDayRow).from_select(
            ["day", "kind", "latency_ms", "turns"],
            select(day, TurnRow.kind, TurnRow.latency_ms, func.count())
            .where(TurnRow.latency_ms.is_not(None))
            .group_by(day, TurnRow.kind, TurnRow.latency_ms),
        )
    )


def _lock_turn_writes(connection: Connection) -> None:
    """Make the caller's transaction the only one writing turns until it ends. SQLite: take
    the database's write lock now; PostgreSQL: a SHARE lock on turns (saves wait for it)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # must be the transaction's first
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE turns IN SHARE MODE")


ROLLUP_SETUP_LOCK = 7_341_513_001  # PostgreSQL advisory lock id: one process sets up rollups


def ensure_rollups(engine: Engine) -> None:
    """Create the rollup tables and count the turns already stored, once (safe to race: the
    creation and the backfill are one transaction, serialised between processes)."""
    names = [t.name for t in Rollups.metadata.sorted_tables]
    if all(inspect(engine).has_table(name) for name in names):
        return
    with engine.begin() as connection:
        _lock_turn_writes(connection)
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(ROLLUP_SETUP_LOCK)))
        present = inspect(connection)
        if all(present.has_table(name) for name in names):
            return  # another process made them meanwhile
        Rollups.metadata.create_all(connection)
        recount_rollups(connection)


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
