"""What the messaging channels remember besides conversations, in the same database.

- `channel_events`: deliveries already taken (Zalo `msg_id`, Telegram `update_id`), so a
  platform's retry — or the same delivery reaching two workers — is answered once.
- `channel_users`: per (channel, user): the language chosen (/lang, language buttons), a
  human-takeover pause, and the last "cannot deliver" error (Zalo -230/-232).
- `channel_buttons`: the text behind a Telegram inline button (callback data holds ≤ 64 bytes,
  a quick reply's text can be longer), so any worker can resolve a tap.
- `zalo_tokens`: the OA access token and its single-use refresh token, rotated atomically
  (see `bots.zalo.tokens`).

SQLAlchemy Core on its own metadata; SQLite and PostgreSQL. Nothing personal is written here:
ids, language codes, timestamps and quick-reply texts composed by the assistant.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from knowledge.store import make_engine

metadata = MetaData()

channel_events = Table(
    "channel_events",
    metadata,
    Column("channel", String(32), primary_key=True),
    Column("event_id", String(128), primary_key=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

channel_users = Table(
    "channel_users",
    metadata,
    Column("channel", String(32), primary_key=True),
    Column("user_id", String(255), primary_key=True),
    Column("language", String(8), nullable=True),
    Column("paused_until", DateTime(timezone=True), nullable=True),
    Column("undeliverable_code", Integer, nullable=True),
    Column("undeliverable_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

channel_buttons = Table(
    "channel_buttons",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

zalo_tokens = Table(
    "zalo_tokens",
    metadata,
    Column("app_id", String(64), primary_key=True),
    Column("access_token", Text, nullable=False, default=""),
    Column("refresh_token", Text, nullable=False, default=""),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("version", Integer, nullable=False, default=0),
    # A worker that is refreshing holds this lease; others wait for the new version.
    Column("refreshing_until", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite drops the zone of stored datetimes: read them back as UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


@dataclass
class ChannelUser:
    language: str | None = None
    paused_until: dt.datetime | None = None
    undeliverable_code: int | None = None


@dataclass
class TokenRow:
    access_token: str
    refresh_token: str
    expires_at: dt.datetime | None
    version: int
    refreshing_until: dt.datetime | None


class ChannelStore:
    """Thread-safe; every method is one short transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- deliveries --------------------------------------------------------------------

    def claim_event(self, channel: str, event_id: str) -> bool:
        """True the first time (channel, event_id) is seen, in any worker; False after."""
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(channel_events).values(
                        channel=channel, event_id=event_id[:128], received_at=now_utc()
                    )
                )
        except IntegrityError:
            return False
        return True

    def release_event(self, channel: str, event_id: str) -> None:
        """Forget a claim whose job could not be queued, so the platform's retry is answered."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(channel_events).where(
                    (channel_events.c.channel == channel)
                    & (channel_events.c.event_id == event_id[:128])
                )
            )

    def prune_events(self, older_than: dt.timedelta) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(channel_events).where(channel_events.c.received_at < now_utc() - older_than)
            )
            return int(result.rowcount or 0)

    # -- users ---------------------------------------------------------------------------

    def user(self, channel: str, user_id: str) -> ChannelUser:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(
                    channel_users.c.language,
                    channel_users.c.paused_until,
                    channel_users.c.undeliverable_code,
                ).where(channel_users.c.channel == channel, channel_users.c.user_id == user_id)
            ).first()
        if row is None:
            return ChannelUser()
        return ChannelUser(row.language, aware(row.paused_until), row.undeliverable_code)

    def _set_user(self, channel: str, user_id: str, **values: object) -> None:
        values["updated_at"] = now_utc()
        for _attempt in range(2):  # two first writes at once: the loser updates the winner's row
            with self.engine.begin() as connection:
                done = connection.execute(
                    update(channel_users)
                    .where(channel_users.c.channel == channel, channel_users.c.user_id == user_id)
                    .values(**values)
                )
                if done.rowcount:
                    return
                try:
                    with connection.begin_nested():
                        connection.execute(
                            insert(channel_users).values(channel=channel, user_id=user_id, **values)
                        )
                    return
                except IntegrityError:
                    continue
        raise RuntimeError("could not write the channel user")  # pragma: no cover

    def language(self, channel: str, user_id: str) -> str | None:
        return self.user(channel, user_id).language

    def set_language(self, channel: str, user_id: str, language: str) -> None:
        self._set_user(channel, user_id, language=language)

    def pause(self, channel: str, user_id: str, until: dt.datetime) -> None:
        self._set_user(channel, user_id, paused_until=until)

    def paused(self, channel: str, user_id: str, *, now: dt.datetime | None = None) -> bool:
        until = self.user(channel, user_id).paused_until
        return until is not None and until > (now or now_utc())

    def record_undeliverable(self, channel: str, user_id: str, code: int) -> None:
        self._set_user(channel, user_id, undeliverable_code=code, undeliverable_at=now_utc())

    def clear_undeliverable(self, channel: str, user_id: str) -> None:
        self._set_user(channel, user_id, undeliverable_code=None, undeliverable_at=None)

    # -- buttons -------------------------------------------------------------------------

    def put_buttons(self, texts: list[str]) -> list[str]:
        """Store button texts (one transaction); returns their keys, in order."""
        keys = [secrets.token_hex(8) for _ in texts]
        if texts:
            created_at = now_utc()
            with self.engine.begin() as connection:
                connection.execute(
                    insert(channel_buttons),
                    [
                        {"key": key, "text": text, "created_at": created_at}
                        for key, text in zip(keys, texts, strict=True)
                    ],
                )
        return keys

    def prune_buttons(self, older_than: dt.timedelta) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(channel_buttons).where(channel_buttons.c.created_at < now_utc() - older_than)
            )
            return int(result.rowcount or 0)

    def button(self, key: str) -> str | None:
        with self.engine.connect() as connection:
            text = connection.execute(
                select(channel_buttons.c.text).where(channel_buttons.c.key == key)
            ).scalar()
        return None if text is None else str(text)

    # -- Zalo tokens ---------------------------------------------------------------------

    def tokens(self, app_id: str) -> TokenRow | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(
                    zalo_tokens.c.access_token,
                    zalo_tokens.c.refresh_token,
                    zalo_tokens.c.expires_at,
                    zalo_tokens.c.version,
                    zalo_tokens.c.refreshing_until,
                ).where(zalo_tokens.c.app_id == app_id)
            ).first()
        if row is None:
            return None
        return TokenRow(
            row.access_token,
            row.refresh_token,
            aware(row.expires_at),
            row.version,
            aware(row.refreshing_until),
        )

    def seed_tokens(self, app_id: str, access_token: str, refresh_token: str) -> None:
        """Store the operator's first tokens, unless tokens are stored already (which are
        newer: the refresh token is single-use)."""
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(zalo_tokens).values(
                        app_id=app_id,
                        access_token=access_token,
                        refresh_token=refresh_token,
                        expires_at=None,
                        version=0,
                        updated_at=now_utc(),
                    )
                )
        except IntegrityError:
            pass

    def claim_refresh(self, app_id: str, version: int, lease: dt.timedelta) -> bool:
        """Take the refresh lease for `version`: True for exactly one caller across workers."""
        now = now_utc()
        with self.engine.begin() as connection:
            result = connection.execute(
                update(zalo_tokens)
                .where(
                    zalo_tokens.c.app_id == app_id,
                    zalo_tokens.c.version == version,
                    (zalo_tokens.c.refreshing_until.is_(None))
                    | (zalo_tokens.c.refreshing_until < now),
                )
                .values(refreshing_until=now + lease)
            )
            return bool(result.rowcount)

    def store_refreshed(
        self,
        app_id: str,
        version: int,
        access_token: str,
        refresh_token: str,
        expires_at: dt.datetime,
    ) -> None:
        """The new pair, in one statement (never one token without the other)."""
        with self.engine.begin() as connection:
            connection.execute(
                update(zalo_tokens)
                .where(zalo_tokens.c.app_id == app_id, zalo_tokens.c.version == version)
                .values(
                    access_token=access_token,
                    refresh_token=refresh_token,
                    expires_at=expires_at,
                    version=version + 1,
                    refreshing_until=None,
                    updated_at=now_utc(),
                )
            )

    def release_refresh(self, app_id: str, version: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(zalo_tokens)
                .where(zalo_tokens.c.app_id == app_id, zalo_tokens.c.version == version)
                .values(refreshing_until=None)
            )
