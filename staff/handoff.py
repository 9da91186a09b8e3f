"""The handoff inbox: conversations handed to a person, their threads, and who has them.

A handoff is `open` (in the inbox, the assistant still answers), `claimed` (a staff member
has it: the assistant stays quiet and the citizen's messages join the thread) or `closed`
(released by staff, or timed out when the claimer has not written for `timeout`). At most one
handoff per conversation is active: `active_key` holds the conversation id while it is open
or claimed and NULL once closed, under a unique constraint, so two workers opening one at the
same moment end with one. Claims name the version they saw; a stale one is refused (409).

Implements `assistant.handoff.Handoffs` for the assistant. Citizen texts arrive redacted by
the guard stage; staff texts are theirs. Every staff action writes an audit entry in the same
transaction. SQLAlchemy Core, SQLite and PostgreSQL, in the same database as the console.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from assistant.dialogue import Base, TurnRow
from assistant.handoff import UNHELPED_KINDS, HandoffReason
from assistant.reply import Language
from knowledge.store import make_engine
from staff.store import NotFound, StaffError, StaleVersion, audit_log, aware, now_utc
from staff.store import metadata as staff_metadata

HandoffStatus = Literal["open", "claimed", "closed"]
Sender = Literal["citizen", "staff", "system"]
MAX_STAFF_TEXT = 2000
# Channels a staff reply can reach (not the OpenAI-compatible API, which only answers).
REPLY_CHANNELS = frozenset({"web", "telegram", "zalo"})
THREAD_TURNS = 20  # the assistant's recent exchanges shown above the handoff messages

metadata = MetaData()

handoffs = Table(
    "staff_handoffs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("conversation_id", String(32), nullable=False, index=True),
    # The conversation id while open or claimed, NULL once closed: one active per conversation.
    Column("active_key", String(32), nullable=True, unique=True),
    Column("channel", String(32), nullable=False),
    Column("user_id", String(255), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("language", String(8), nullable=False, default="vi"),  # the citizen's, for notices
    Column("status", String(16), nullable=False, index=True),
    Column("first_text", Text, nullable=False, default=""),  # redacted
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("claimed_by", String(64), nullable=True),
    Column("claimed_at", DateTime(timezone=True), nullable=True),
    Column("last_staff_at", DateTime(timezone=True), nullable=True),
    Column("last_citizen_at", DateTime(timezone=True), nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("closed_by", String(64), nullable=True),
    Column("close_reason", String(16), nullable=True),  # "released" | "timeout"
    Column("version", Integer, nullable=False),
    Index("ix_staff_handoffs_user", "channel", "user_id"),
)

handoff_messages = Table(
    "staff_handoff_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("handoff_id", String(32), nullable=False, index=True),
    Column("conversation_id", String(32), nullable=False, index=True),
    Column("sender", String(8), nullable=False),
    Column("author", String(64), nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Staff messages: "pending" until the channel took it, then "sent" or "failed".
    Column("delivery", String(8), nullable=False, default=""),
    Column("delivery_error", Text, nullable=False, default=""),
)


@dataclass
class HandoffMessage:
    id: int
    sender: Sender
    author: str
    text: str
    at: dt.datetime
    delivery: str = ""
    delivery_error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {**vars(self), "at": self.at.isoformat()}


@dataclass
class Handoff:
    id: str
    conversation_id: str
    channel: str
    user_id: str
    reason: HandoffReason
    language: Language
    status: HandoffStatus
    first_text: str
    opened_at: dt.datetime
    version: int
    claimed_by: str | None = None
    claimed_at: dt.datetime | None = None
    last_staff_at: dt.datetime | None = None
    last_citizen_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    close_reason: str | None = None
    thread: list[HandoffMessage] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out = {k: v for k, v in vars(self).items() if k != "thread"}
        for key, value in out.items():
            if isinstance(value, dt.datetime):
                out[key] = value.isoformat()
        out["thread"] = [m.to_json() for m in self.thread]
        return out


def _opt(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else aware(value)


def _handoff(row: Any) -> Handoff:
    return Handoff(
        id=row.id,
        conversation_id=row.conversation_id,
        channel=row.channel,
        user_id=row.user_id,
        reason=row.reason,
        language="en" if row.language == "en" else "vi",
        status=row.status,
        first_text=row.first_text,
        opened_at=aware(row.opened_at),
        version=row.version,
        claimed_by=row.claimed_by,
        claimed_at=_opt(row.claimed_at),
        last_staff_at=_opt(row.last_staff_at),
        last_citizen_at=_opt(row.last_citizen_at),
        closed_at=_opt(row.closed_at),
        closed_by=row.closed_by,
        close_reason=row.close_reason,
    )


def _inserted_id(result: Any) -> int:
    key = result.inserted_primary_key
    if not key:  # pragma: no cover - every supported database returns the new id
        raise RuntimeError("the database did not return the new message's id")
    return int(key[0])


def _summary(handoff: Handoff) -> dict[str, Any]:
    return {k: v for k, v in handoff.to_json().items() if k != "thread"}


class HandoffStore:
    """Thread-safe; every public method is one short transaction."""

    def __init__(
        self,
        url: str,
        *,
        timeout: dt.timedelta = dt.timedelta(minutes=30),
        channels: frozenset[str] = REPLY_CHANNELS,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.channels = channels
        self.engine = make_engine(url)
        # The conversation tables (threads show their turns) and the audit table, then ours.
        Base.metadata.create_all(self.engine)
        staff_metadata.create_all(self.engine)
        metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- what the assistant asks (assistant.handoff.Handoffs) ------------------------------

    def holding(self, conversation_id: str, text: str) -> bool:
        now = now_utc()
        with self.engine.begin() as connection:
            row = connection.execute(
                select(handoffs).where(handoffs.c.active_key == conversation_id)
            ).first()
            if row is None or row.status != "claimed":
                return False
            if self._stale(_handoff(row), now):
                self._close(connection, _handoff(row), "timeout", "system", now)
                return False
            if text.strip():
                connection.execute(
                    insert(handoff_messages).values(
                        handoff_id=row.id,
                        conversation_id=conversation_id,
                        sender="citizen",
                        author="",
                        text=text,
                        created_at=now,
                        delivery="",
                        delivery_error="",
                    )
                )
            connection.execute(
                update(handoffs).where(handoffs.c.id == row.id).values(last_citizen_at=now)
            )
            return True

    def request(
        self,
        conversation_id: str,
        channel: str,
        user_id: str,
        reason: HandoffReason,
        text: str,
        language: Language = "vi",
    ) -> bool:
        if channel not in self.channels:
            return False
        now = now_utc()
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(handoffs).values(
                        id=uuid.uuid4().hex,
                        conversation_id=conversation_id,
                        active_key=conversation_id,
                        channel=channel,
                        user_id=user_id,
                        reason=reason,
                        language=language,
                        status="open",
                        first_text=text[:2000],
                        opened_at=now,
                        last_citizen_at=now,
                        version=1,
                    )
                )
        except IntegrityError:  # already in the inbox (or claimed): nothing to add
            pass
        return True

    def last_unhelped(self, conversation_id: str) -> bool:
        with self.engine.connect() as connection:
            kind = connection.execute(
                select(TurnRow.kind)
                .where(TurnRow.conversation_id == conversation_id)
                .order_by(TurnRow.id.desc())
                .limit(1)
            ).scalar()
        return kind in UNHELPED_KINDS

    # -- the console ---------------------------------------------------------------------

    def _stale(self, handoff: Handoff, now: dt.datetime) -> bool:
        last = handoff.last_staff_at or handoff.claimed_at
        return handoff.status == "claimed" and last is not None and now - last > self.timeout

    def _close(
        self, connection: Connection, handoff: Handoff, why: str, actor: str, now: dt.datetime
    ) -> None:
        connection.execute(
            update(handoffs)
            .where(handoffs.c.id == handoff.id, handoffs.c.version == handoff.version)
            .values(
                status="closed",
                active_key=None,
                closed_at=now,
                closed_by=actor,
                close_reason=why,
                version=handoff.version + 1,
            )
        )
        self._audit(connection, actor, f"handoff_{why}", handoff, {"status": "closed"})

    def _audit(
        self, connection: Connection, actor: str, action: str, before: Handoff, after: Any
    ) -> None:
        connection.execute(
            insert(audit_log).values(
                at=now_utc(),
                actor=actor,
                action=action,
                entity="handoff",
                entity_id=before.id,
                before=_summary(before),
                after=after,
            )
        )

    def expire_stale(self) -> int:
        """Close claimed handoffs whose claimer has been silent past the timeout."""
        now = now_utc()
        closed = 0
        with self.engine.begin() as connection:
            rows = connection.execute(select(handoffs).where(handoffs.c.status == "claimed")).all()
            for row in rows:
                handoff = _handoff(row)
                if self._stale(handoff, now):
                    self._close(connection, handoff, "timeout", "system", now)
                    closed += 1
        return closed

    def inbox(self, limit: int = 100) -> list[Handoff]:
        """Open and claimed handoffs, waiting longest first (claimed ones after open ones)."""
        self.expire_stale()
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(handoffs)
                .where(handoffs.c.status.in_(("open", "claimed")))
                .order_by(handoffs.c.status.desc(), handoffs.c.opened_at)
                .limit(limit)
            ).all()
        return [_handoff(r) for r in rows]

    def get(self, handoff_id: str) -> Handoff:
        """The handoff with its thread: the assistant's recent turns, then the messages."""
        self.expire_stale()
        with self.engine.connect() as connection:
            row = connection.execute(select(handoffs).where(handoffs.c.id == handoff_id)).first()
            if row is None:
                raise NotFound(f"Không có yêu cầu {handoff_id!r} / no handoff {handoff_id!r}.")
            handoff = _handoff(row)
            turns = connection.execute(
                select(TurnRow.id, TurnRow.user_text, TurnRow.reply_text, TurnRow.created_at)
                .where(TurnRow.conversation_id == handoff.conversation_id)
                .order_by(TurnRow.id.desc())
                .limit(THREAD_TURNS)
            ).all()
            messages = connection.execute(
                select(handoff_messages)
                .where(handoff_messages.c.handoff_id == handoff_id)
                .order_by(handoff_messages.c.id)
            ).all()
        thread: list[HandoffMessage] = []
        for t in reversed(turns):
            at = aware(t.created_at)
            thread.append(HandoffMessage(-t.id, "citizen", "", t.user_text, at))
            thread.append(HandoffMessage(-t.id, "system", "assistant", t.reply_text, at))
        thread.extend(
            HandoffMessage(
                m.id,
                m.sender,
                m.author,
                m.text,
                aware(m.created_at),
                m.delivery,
                m.delivery_error,
            )
            for m in messages
        )
        handoff.thread = thread
        return handoff

    def _current(self, connection: Connection, handoff_id: str) -> Handoff:
        row = connection.execute(select(handoffs).where(handoffs.c.id == handoff_id)).first()
        if row is None:
            raise NotFound(f"Không có yêu cầu {handoff_id!r} / no handoff {handoff_id!r}.")
        return _handoff(row)

    def claim(self, handoff_id: str, version: int, actor: str) -> Handoff:
        now = now_utc()
        with self.engine.begin() as connection:
            current = self._current(connection, handoff_id)
            if current.status != "open" or current.version != version:
                who = f" ({current.claimed_by})" if current.status == "claimed" else ""
                raise StaleVersion(
                    f"Yêu cầu này đã được nhận hoặc đã đóng{who}, hãy tải lại / "
                    f"this handoff was already taken or closed{who}; reload it."
                )
            done = connection.execute(
                update(handoffs)
                .where(handoffs.c.id == handoff_id, handoffs.c.version == version)
                .values(
                    status="claimed",
                    claimed_by=actor,
                    claimed_at=now,
                    last_staff_at=now,
                    version=version + 1,
                )
            )
            if not done.rowcount:
                raise StaleVersion("Yêu cầu vừa thay đổi, hãy tải lại / it just changed; reload.")
            self._audit(connection, actor, "handoff_claim", current, {"claimed_by": actor})
        return self.get(handoff_id)

    def add_staff_message(self, handoff_id: str, actor: str, text: str) -> HandoffMessage:
        """Store a staff reply (`pending`) on a handoff the actor has claimed."""
        text = text.strip()
        if not text:
            raise StaffError("Tin nhắn trống / the message is empty.")
        if len(text) > MAX_STAFF_TEXT:
            raise StaffError(
                f"Tin nhắn quá dài (tối đa {MAX_STAFF_TEXT} ký tự) / "
                f"message too long (max {MAX_STAFF_TEXT} characters)."
            )
        now = now_utc()
        with self.engine.begin() as connection:
            current = self._current(connection, handoff_id)
            if current.status != "claimed" or self._stale(current, now):
                raise StaleVersion(
                    "Hãy nhận yêu cầu trước khi trả lời / claim the handoff before replying."
                )
            if current.claimed_by != actor:
                raise StaleVersion(
                    f"{current.claimed_by} đang phụ trách yêu cầu này / "
                    f"{current.claimed_by} has this handoff."
                )
            result = connection.execute(
                insert(handoff_messages).values(
                    handoff_id=handoff_id,
                    conversation_id=current.conversation_id,
                    sender="staff",
                    author=actor,
                    text=text,
                    created_at=now,
                    delivery="pending",
                    delivery_error="",
                )
            )
            connection.execute(
                update(handoffs).where(handoffs.c.id == handoff_id).values(last_staff_at=now)
            )
            self._audit(connection, actor, "handoff_reply", current, {"chars": len(text)})
            message_id = _inserted_id(result)
        return HandoffMessage(message_id, "staff", actor, text, now, "pending")

    def add_system_message(self, handoff_id: str, text: str) -> HandoffMessage:
        """A message the console sends in the citizen's language (joined, finished)."""
        now = now_utc()
        with self.engine.begin() as connection:
            current = self._current(connection, handoff_id)
            result = connection.execute(
                insert(handoff_messages).values(
                    handoff_id=handoff_id,
                    conversation_id=current.conversation_id,
                    sender="system",
                    author="",
                    text=text,
                    created_at=now,
                    delivery="pending",
                    delivery_error="",
                )
            )
            message_id = _inserted_id(result)
        return HandoffMessage(message_id, "system", "", text, now, "pending")

    def mark_delivery(self, message_id: int, ok: bool, error: str = "") -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(handoff_messages)
                .where(handoff_messages.c.id == message_id)
                .values(delivery="sent" if ok else "failed", delivery_error=error[:500])
            )

    def release(self, handoff_id: str, version: int, actor: str, *, admin: bool = False) -> Handoff:
        """Close the handoff: the assistant answers again. The claimer (or an admin) may
        release a claimed one; any editor may close one nobody has claimed."""
        now = now_utc()
        with self.engine.begin() as connection:
            current = self._current(connection, handoff_id)
            if current.status == "closed" or current.version != version:
                raise StaleVersion(
                    "Yêu cầu đã thay đổi hoặc đã đóng, hãy tải lại / "
                    "the handoff changed or is closed; reload it."
                )
            if current.status == "claimed" and current.claimed_by != actor and not admin:
                raise StaleVersion(
                    f"{current.claimed_by} đang phụ trách yêu cầu này / "
                    f"{current.claimed_by} has this handoff."
                )
            self._close(connection, current, "released", actor, now)
        return self.get(handoff_id)

    def web_messages(
        self, user_id: str, after: int = 0, *, channel: str = "web"
    ) -> tuple[list[HandoffMessage], HandoffStatus | None]:
        """For the web widget: the staff's messages (and the console's notices) after `after`,
        marked sent as they are handed over, and the conversation's active handoff status
        (None when none is open or claimed: the widget stops asking)."""
        now = now_utc()
        with self.engine.begin() as connection:
            conversation_id = connection.execute(
                select(handoffs.c.conversation_id)
                .where(handoffs.c.channel == channel, handoffs.c.user_id == user_id)
                .order_by(handoffs.c.opened_at.desc())
                .limit(1)
            ).scalar()
            if conversation_id is None:
                return [], None
            rows = connection.execute(
                select(handoff_messages)
                .where(
                    handoff_messages.c.conversation_id == conversation_id,
                    handoff_messages.c.id > after,
                    or_(
                        handoff_messages.c.sender == "staff", handoff_messages.c.sender == "system"
                    ),
                )
                .order_by(handoff_messages.c.id)
                .limit(100)
            ).all()
            pending = [r.id for r in rows if r.delivery == "pending"]
            if pending:
                connection.execute(
                    update(handoff_messages)
                    .where(handoff_messages.c.id.in_(pending))
                    .values(delivery="sent")
                )
            row = connection.execute(
                select(handoffs).where(handoffs.c.active_key == conversation_id)
            ).first()
        status: HandoffStatus | None = None
        if row is not None:
            active = _handoff(row)
            status = None if self._stale(active, now) else active.status
        messages = [
            HandoffMessage(r.id, r.sender, r.author, r.text, aware(r.created_at), "sent")
            for r in rows
        ]
        return messages, status
