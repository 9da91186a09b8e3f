"""Staff accounts after their creation (list, role, deactivation) and failed-login counting.

Kept beside staff/store.py on the same metadata, tables and audit helper. Failed logins are
counted in the database (`staff_login_failures`), not in process memory, so every worker
process of `assistant serve` sees the same count: N workers do not allow N times the
attempts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, delete, insert, select
from sqlalchemy import true as sql_true
from sqlalchemy import update as sql_update

from staff.passwords import MIN_PASSWORD_CHARS, hash_password
from staff.store import (
    ROLES,
    NotFound,
    Role,
    StaffError,
    StaffStore,
    StaffUser,
    aware,
    metadata,
    now_utc,
    staff_sessions,
    staff_users,
)

MAX_KEY_CHARS = 200
MAX_PASSWORD_CHARS = 256

login_failures = Table(
    "staff_login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(MAX_KEY_CHARS), nullable=False),  # "user:<name>" or "ip:<address>"
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Index("ix_staff_login_failures_key_at", "key", "at"),
)


class Throttled(StaffError):
    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Đăng nhập sai quá nhiều lần, thử lại sau {retry_after} giây / "
            f"too many failed logins, retry in {retry_after} s."
        )
        self.retry_after = retry_after


class AccountRefused(StaffError):
    """A change that would lock the console out of administration."""

    status = 409
    code = "refused"


@dataclass(frozen=True)
class LoginAttempt:
    """A login being checked: the row it wrote for each key."""

    keys: tuple[str, ...]
    ids: tuple[int, ...]


class LoginThrottle:
    """Failed logins per key (username, client IP) in a sliding window, in the database.

    `begin` writes the attempt *before* the password is checked and refuses it (`Throttled`,
    with the seconds to wait) when `attempts` earlier ones of any of its keys fall within the
    window; so parallel requests, in one worker or several, cannot all slip in under the
    limit. A failed attempt simply stays counted. `succeeded` takes the attempt back and
    clears the username's failures (the IP's stay). Rows older than the window are pruned as
    attempts come. `clock` gives aware UTC datetimes (tests inject one).
    """

    def __init__(
        self,
        store: StaffStore,
        attempts: int,
        window_s: float,
        clock: Callable[[], dt.datetime] = now_utc,
    ) -> None:
        self.engine = store.engine
        self.attempts = attempts
        self.window_s = window_s
        self.clock = clock
        login_failures.create(self.engine, checkfirst=True)  # on databases made before it

    def begin(self, keys: Sequence[str]) -> LoginAttempt:
        now = self.clock()
        cutoff = now - dt.timedelta(seconds=self.window_s)
        clipped = tuple(k[:MAX_KEY_CHARS] for k in keys)
        with self.engine.begin() as connection:
            connection.execute(delete(login_failures).where(login_failures.c.at <= cutoff))
            ids = tuple(
                int(
                    connection.execute(
                        insert(login_failures)
                        .values(key=key, at=now)
                        .returning(login_failures.c.id)
                    ).scalar_one()
                )
                for key in clipped
            )
        waits = []
        with self.engine.connect() as connection:
            for key, own in zip(clipped, ids, strict=True):
                earlier = (
                    connection.execute(
                        select(login_failures.c.at)
                        .where(
                            login_failures.c.key == key,
                            login_failures.c.at > cutoff,
                            login_failures.c.id < own,
                        )
                        .order_by(login_failures.c.at.desc())
                        .limit(self.attempts)
                    )
                    .scalars()
                    .all()
                )
                if len(earlier) >= self.attempts:
                    # Allowed again once the attempts-th most recent failure leaves the window.
                    waits.append(self.window_s - (now - aware(earlier[-1])).total_seconds())
        if waits:
            self._forget(ids)  # a refused attempt is not a failure
            raise Throttled(max(1, int(max(waits)) + 1))
        return LoginAttempt(clipped, ids)

    def succeeded(self, attempt: LoginAttempt, clear: str) -> None:
        """The password was right: drop this attempt and every failure of `clear`."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(login_failures).where(
                    login_failures.c.id.in_(attempt.ids)
                    | (login_failures.c.key == clear[:MAX_KEY_CHARS])
                )
            )

    def _forget(self, ids: Sequence[int]) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(login_failures).where(login_failures.c.id.in_(ids)))


def user_json(user: StaffUser) -> dict[str, Any]:
    return {"username": user.username, "role": user.role, "active": user.active}


class StaffAccounts:
    """Account management for admins, on a `StaffStore`; every change audited."""

    def __init__(self, store: StaffStore) -> None:
        self.store = store

    def users(self) -> list[StaffUser]:
        return self.store.users()

    def create(self, username: str, password: str, role: str, *, actor: str) -> StaffUser:
        if role not in ROLES:
            raise StaffError(f"Vai trò không hợp lệ / unknown role: {role}")
        if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
            raise StaffError(
                f"Mật khẩu cần {MIN_PASSWORD_CHARS}–{MAX_PASSWORD_CHARS} ký tự / "
                f"the password needs {MIN_PASSWORD_CHARS}–{MAX_PASSWORD_CHARS} characters."
            )
        return self.store.create_user(username, hash_password(password), role, actor=actor)

    def update(
        self,
        username: str,
        *,
        role: str | None = None,
        active: bool | None = None,
        actor: str,
    ) -> StaffUser:
        """Change an account's role and/or active flag. Deactivating ends its sessions.

        Refused (`AccountRefused`, 409): an admin demoting or deactivating their own
        account, and any change that would leave no active admin. On PostgreSQL the active
        admins' rows are locked while checking, so two admins demoting each other at the
        same moment cannot both succeed (SQLite serialises writers by itself).
        """
        if role is not None and role not in ROLES:
            raise StaffError(f"Vai trò không hợp lệ / unknown role: {role}")
        with self.store.engine.begin() as connection:
            row = connection.execute(
                select(staff_users).where(staff_users.c.username == username)
            ).first()
            if row is None:
                raise NotFound(f"Không có tài khoản {username!r} / no account {username!r}.")
            old_role: Role = row.role
            old_active = bool(row.active)
            new_role: Role = cast(Role, role) if role is not None else old_role
            new_active = old_active if active is None else bool(active)
            user = StaffUser(row.id, row.username, new_role, new_active)
            if (new_role, new_active) == (old_role, old_active):
                return user  # nothing changes, nothing to audit
            if old_role == "admin" and old_active:  # an active admin stops being one
                if username == actor:
                    raise AccountRefused(
                        "Bạn không thể tự hạ quyền hay khoá tài khoản của chính mình / "
                        "you cannot demote or deactivate your own account."
                    )
                admins = connection.execute(
                    select(staff_users.c.id)
                    .where(staff_users.c.role == "admin", staff_users.c.active == sql_true())
                    .with_for_update()
                ).all()
                if len(admins) <= 1:
                    raise AccountRefused(
                        "Phải còn ít nhất một quản trị viên đang hoạt động / "
                        "at least one active admin must remain."
                    )
            connection.execute(
                sql_update(staff_users)
                .where(staff_users.c.id == row.id)
                .values(role=new_role, active=new_active)
            )
            if not new_active:
                connection.execute(delete(staff_sessions).where(staff_sessions.c.user_id == row.id))
            if new_active == old_active:
                action = "set_role"
            elif new_role != old_role:
                action = "update"
            else:
                action = "reactivate" if new_active else "deactivate"
            before = {"role": old_role, "active": old_active}
            after = {"role": new_role, "active": new_active}
            self.store._audit(connection, actor, action, "user", username, before, after)
        return user
