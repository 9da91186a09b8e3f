"""Operator commands: `assistant staff …` (staff console accounts), `assistant db …` (the
schema's Alembic migrations) and `assistant worker` (the background job consumer)."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli_common import DataDirOption, fail, load_settings, open_assistant, open_store, out
from assistant.settings import Settings

staff_app = typer.Typer(help="Tài khoản cán bộ / staff console accounts.")
db_app = typer.Typer(help="Lược đồ cơ sở dữ liệu / database schema (Alembic migrations).")


def worker_command(data_dir: DataDirOption = None) -> None:
    """Trả lời tin nhắn xếp hàng / answer queued webhook events (jobs_backend=redis);
    SIGTERM finishes the current job, then exits 0."""
    from bots import worker

    settings = load_settings(data_dir)
    if settings.jobs_backend != "redis" or not settings.redis_url:
        raise fail("set ASSISTANT_JOBS_BACKEND=redis and ASSISTANT_REDIS_URL to run a worker.")
    assistant = open_assistant(settings)
    try:
        worker.main(settings, assistant)
    finally:
        assistant.close()


@staff_app.command("create-admin")
def staff_create_admin(
    username: Annotated[str, typer.Argument(help="Tên đăng nhập / username.")],
    role: Annotated[str, typer.Option(help="admin | editor | viewer (default admin).")] = "admin",
    data_dir: DataDirOption = None,
) -> None:
    """Tạo tài khoản cán bộ (mật khẩu hỏi ở terminal hoặc ASSISTANT_STAFF_PASSWORD) /
    create a staff account (password prompted, or from ASSISTANT_STAFF_PASSWORD)."""
    import os

    from staff.passwords import hash_password
    from staff.store import ROLES, StaffError, StaffStore

    if role not in ROLES:
        raise fail(f"role must be one of {', '.join(ROLES)}")
    settings = load_settings(data_dir)
    open_store(settings).close()  # creates the data folder, checks the database URL
    password = os.environ.get("ASSISTANT_STAFF_PASSWORD") or typer.prompt(
        "Mật khẩu / password", hide_input=True, confirmation_prompt=True
    )
    try:
        hashed = hash_password(password)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    store = StaffStore(settings.resolved_database_url())
    try:
        store.create_user(username, hashed, role, actor="cli")
    except StaffError as exc:
        raise fail(str(exc)) from exc
    finally:
        store.close()
    out.print(f"Đã tạo / created: {username} ({role})", markup=False)


DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="URL cơ sở dữ liệu / database URL (default: ASSISTANT_DATABASE_URL or the SQLite file).",
        show_default=False,
    ),
]


def _database_url(settings: Settings, database_url: str | None) -> str:
    if database_url:
        return database_url
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(f"cannot create data directory {settings.data_dir}: {exc.strerror}") from exc
    return settings.resolved_database_url()


def _database_error(exc: Exception) -> typer.Exit:
    """One sentence for a bad or unreachable database URL (no traceback)."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return fail(f"cannot reach the database ({type(exc).__name__}: {detail})")


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseUrlOption = None, data_dir: DataDirOption = None) -> None:
    """Nâng lược đồ lên bản mới nhất / upgrade the schema to the newest revision."""
    from assistant import db

    url = _database_url(load_settings(data_dir), database_url)
    try:
        result = db.upgrade(url)
    except Exception as exc:  # a bad URL, a refused connection, missing rights
        raise _database_error(exc) from exc
    if result.stamped_legacy:
        out.print("Đã nhận cơ sở dữ liệu cũ / adopted a database made by an earlier release.")
    if result.before == result.after:
        out.print(f"Đã ở bản mới nhất / already at the newest revision: {result.after}")
    else:
        before = result.before or "(trống / empty)"
        out.print(f"Đã nâng cấp / upgraded: {before} -> {result.after}")


@db_app.command("current")
def db_current(database_url: DatabaseUrlOption = None, data_dir: DataDirOption = None) -> None:
    """Bản lược đồ hiện tại / the schema revision the database is at."""
    from assistant import db

    url = _database_url(load_settings(data_dir), database_url)
    try:
        revision = db.current(url)
    except Exception as exc:
        raise _database_error(exc) from exc
    newest = db.head()
    if revision is None:
        out.print(
            "Chưa có phiên bản (chạy `assistant db upgrade`) / "
            f"no revision yet (run `assistant db upgrade`); newest: {newest}"
        )
    elif revision == newest:
        out.print(f"{revision} (mới nhất / head)")
    else:
        out.print(f"{revision} (cần nâng cấp / behind head {newest})")
