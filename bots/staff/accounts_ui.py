"""Console pages for accounts (admins, /staff/users) and local corrections (editors write,
viewers read, /staff/corrections), and the overview's per-FAQ retire button.

Server-rendered like bots/staff/ui.py: every form carries the session's CSRF token, a change
answers with a redirect (post/redirect/get) whose notice is one of a fixed set (`DONE`), and a
refused change re-renders the page with its message and HTTP status.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bots.staff.console import StaffConsole
from bots.staff.ui import base, checked_form, login_redirect, page, session_from_cookie
from bots.web.errors import ApiError
from staff.accounts import StaffAccounts
from staff.store import CORRECTION_FIELDS, ROLES, NotFound, Session, StaffError

ROLE_NAMES = {
    "admin": "Quản trị / admin",
    "editor": "Biên tập / editor",
    "viewer": "Chỉ xem / viewer",
}
FIELD_NAMES = {
    "fee": "Lệ phí / fee",
    "office_address": "Địa chỉ nơi nộp hồ sơ / office address",
    "office_hours": "Giờ làm việc / office hours",
    "hotline": "Đường dây nóng / hotline",
}
# The notices a redirect may show (a key in the URL, never text taken from it).
DONE = {
    "created": "Đã tạo tài khoản / account created.",
    "role": "Đã đổi vai trò / role changed.",
    "deactivated": "Đã khoá tài khoản, các phiên đăng nhập đã kết thúc / "
    "account deactivated, its sessions ended.",
    "reactivated": "Đã mở lại tài khoản / account reactivated.",
    "saved": "Đã lưu thông tin địa phương / local correction saved.",
    "removed": "Đã xoá thông tin địa phương / local correction removed.",
}
ROLE_NEEDED = {
    "admin": "Chỉ quản trị viên được làm việc này / only admins can do this.",
    "editor": "Cần quyền biên tập / editor role needed.",
}


def as_int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1  # never a stored version: the save is refused as stale


def accounts_router(console: StaffConsole) -> APIRouter:
    router = APIRouter(prefix="/staff", include_in_schema=False)

    def session_of(request: Request) -> Session | None:
        return session_from_cookie(console, request)

    def redirect_done(location: str, key: str) -> RedirectResponse:
        return RedirectResponse(f"{location}?done={key}", status_code=303)

    # -- accounts (admins) --------------------------------------------------------------

    async def users_page(
        session: Session, status: int = 200, error: str = "", message: str = "", **form: str
    ) -> HTMLResponse:
        if not session.user.can("admin"):
            return page(
                "users.html", status=403, **base(session, accounts=None, error=ROLE_NEEDED["admin"])
            )
        accounts = await to_thread.run_sync(StaffAccounts(console.store).users)
        return page(
            "users.html",
            status=status,
            **base(
                session,
                accounts=accounts,
                roles=ROLES,
                role_names=ROLE_NAMES,
                form={"username": "", "role": "editor", **form},
                error=error,
                message=message,
            ),
        )

    @router.get("/users", response_class=HTMLResponse, response_model=None)
    async def users(request: Request, done: str = "") -> Response:
        session = session_of(request)
        if session is None:
            return login_redirect()
        return await users_page(session, message=DONE.get(done, ""))

    @router.post("/users", response_model=None)
    async def create_user(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return login_redirect()
        form = await checked_form(request, session)
        if not session.user.can("admin"):
            return await users_page(session)
        username, role = str(form.get("username", "")).strip(), str(form.get("role", ""))
        password = str(form.get("password", ""))
        accounts = StaffAccounts(console.store)
        try:
            await to_thread.run_sync(
                lambda: accounts.create(username, password, role, actor=session.user.username)
            )
        except StaffError as exc:
            return await users_page(
                session, exc.status, str(exc), username=username[:64], role=role
            )
        return redirect_done("/staff/users", "created")

    @router.post("/users/change", response_model=None)
    async def change_user(request: Request) -> Response:
        """One account's role (`role`) and/or active flag (`active`: "1" or "0")."""
        session = session_of(request)
        if session is None:
            return login_redirect()
        form = await checked_form(request, session)
        if not session.user.can("admin"):
            return await users_page(session)
        username = str(form.get("username", ""))
        role = str(form["role"]) if form.get("role") else None
        active = {"1": True, "0": False}.get(str(form.get("active", "")))
        accounts = StaffAccounts(console.store)
        try:
            await to_thread.run_sync(
                lambda: accounts.update(
                    username, role=role, active=active, actor=session.user.username
                )
            )
        except StaffError as exc:
            return await users_page(session, exc.status, str(exc))
        if active is None:
            return redirect_done("/staff/users", "role")
        return redirect_done("/staff/users", "reactivated" if active else "deactivated")

    # -- local corrections (editors write, viewers read) --------------------------------

    async def corrections_page(
        session: Session,
        status: int = 200,
        error: str = "",
        message: str = "",
        form: dict[str, Any] | None = None,
    ) -> HTMLResponse:
        def gather() -> dict[str, Any]:
            corrections = console.store.corrections()
            catalogue = console.assistant.catalogue
            names = {}
            for code in {c.procedure_code for c in corrections}:
                procedure = catalogue.get_procedure(code)
                names[code] = procedure.name if procedure is not None else ""
            return {"corrections": corrections, "names": names}

        context = await to_thread.run_sync(gather)
        return page(
            "corrections.html",
            status=status,
            **base(
                session,
                fields=CORRECTION_FIELDS,
                field_names=FIELD_NAMES,
                form={"code": "", "field": CORRECTION_FIELDS[0], "value": "", "version": 0}
                | (form or {}),
                error=error,
                message=message,
                **context,
            ),
        )

    @router.get("/corrections", response_class=HTMLResponse, response_model=None)
    async def corrections(
        request: Request, code: str = "", field: str = "", done: str = ""
    ) -> Response:
        """The list; `?code=…&field=…` fills the form with that correction to edit it."""
        session = session_of(request)
        if session is None:
            return login_redirect()
        form: dict[str, Any] = {}
        if code and field in CORRECTION_FIELDS:
            current = await to_thread.run_sync(console.store.corrections, code)
            found = next((c for c in current if c.field == field), None)
            form = {"code": code, "field": field}
            if found is not None:
                form |= {"value": found.value, "version": found.version}
        return await corrections_page(session, message=DONE.get(done, ""), form=form)

    @router.post("/corrections", response_model=None)
    async def set_correction(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return login_redirect()
        form = await checked_form(request, session)
        if not session.user.can("editor"):
            return await corrections_page(session, 403, ROLE_NEEDED["editor"])
        code = str(form.get("code", "")).strip()
        field = str(form.get("field", ""))
        value = str(form.get("value", "")).strip()
        version = as_int(form.get("version", "0"))
        submitted = {"code": code[:64], "field": field, "value": value[:1000], "version": version}

        def save() -> str:
            if code and console.assistant.catalogue.get_procedure(code) is None:
                raise NotFound(f"Không có thủ tục mã {code!r} / no procedure {code!r}.")
            if not value and version == 0:
                raise StaffError("Cần nhập giá trị / a value is needed.")
            console.store.set_correction(code, field, value, version, actor=session.user.username)
            return "saved" if value else "removed"

        try:
            key = await to_thread.run_sync(save)
        except StaffError as exc:
            return await corrections_page(session, exc.status, str(exc), form=submitted)
        return redirect_done("/staff/corrections", key)

    # -- the overview's FAQ table ---------------------------------------------------------

    @router.post("/faqs/{faq_id}/retire", response_model=None)
    async def retire_faq(faq_id: str, request: Request) -> Response:
        """The overview's per-row "Ngừng / Retire" button for an approved FAQ."""
        session = session_of(request)
        if session is None:
            return login_redirect()
        form = await checked_form(request, session)
        if not session.user.can("editor"):
            raise ApiError(403, "forbidden", ROLE_NEEDED["editor"])
        version = as_int(form.get("version", "0"))
        try:
            await to_thread.run_sync(
                lambda: console.store.set_faq_status(
                    faq_id, version, "retired", actor=session.user.username
                )
            )
            message = f"Đã ngừng / retired: {faq_id}"
        except StaffError as exc:
            message = str(exc)
        return RedirectResponse(f"/staff?message={quote(message[:200])}", status_code=303)

    return router
