"""Server-rendered console pages under /staff (Jinja2, no JavaScript needed, no CDN).

Every form carries the session's CSRF token; the cookie is HttpOnly and SameSite=Strict.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from bots.staff.auth import (
    COOKIE,
    LOGIN_CSRF_COOKIE,
    LOGIN_CSRF_MAX_AGE_S,
    check_csrf,
    login_csrf_error,
    login_csrf_ok,
    resolve_session,
)
from bots.staff.console import StaffConsole, draft_faq, review_items
from bots.web.errors import ApiError
from staff.analytics import analytics
from staff.passwords import new_token, token_digest
from staff.store import FaqStatus, Session, StaffError

PACKAGE_DIR = Path(str(resources.files("bots.staff")))
TEMPLATES = Environment(
    loader=FileSystemLoader(PACKAGE_DIR / "templates"),
    autoescape=select_autoescape(["html"]),
)
CHART_DAYS = 14


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


TEMPLATES.globals["pct"] = pct


def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = TEMPLATES.get_template(name).render(**context)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def login_redirect() -> RedirectResponse:
    return RedirectResponse("/staff/login", status_code=303)


def session_from_cookie(console: StaffConsole, request: Request) -> Session | None:
    """The console page's session (the cookie), or None: such pages redirect to log in."""
    return resolve_session(console.store, request) if request.cookies.get(COOKIE) else None


async def checked_form(request: Request, session: Session) -> FormData:
    """The posted form, once its CSRF token matches the session's (else a 403)."""
    form = await request.form()
    token = form.get("csrf_token")
    check_csrf(session, token if isinstance(token, str) else None)
    return form


def base(session: Session, **extra: Any) -> dict[str, Any]:
    """What every console page's template needs about the signed-in staff member."""
    return {
        "user": session.user,
        "csrf": session.csrf,
        "can_edit": session.user.can("editor"),
        **extra,
    }


def ui_router(console: StaffConsole) -> APIRouter:
    router = APIRouter(prefix="/staff", include_in_schema=False)

    def session_of(request: Request) -> Session | None:
        return session_from_cookie(console, request)

    def login_form(request: Request, status: int = 200, error: str = "") -> HTMLResponse:
        """The login page with its pre-session CSRF token, in the form and in a cookie (the
        browser's current token is kept, so two open login tabs both work)."""
        token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not 20 <= len(token) <= 64:
            token = new_token()
        response = page("login.html", status=status, user=None, error=error, login_csrf=token)
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            max_age=LOGIN_CSRF_MAX_AGE_S,
            httponly=True,
            samesite="strict",
            secure=console.settings.staff_secure_cookies,
            path="/staff",
        )
        return response

    @router.get("/login", response_class=HTMLResponse)
    async def login_page(request: Request) -> HTMLResponse:
        return login_form(request)

    @router.post("/login", response_model=None)
    async def login(request: Request) -> Response:
        form = await request.form()
        given = form.get("csrf_token")
        if not login_csrf_ok(
            request.cookies.get(LOGIN_CSRF_COOKIE), given if isinstance(given, str) else None
        ):
            refused = login_csrf_error()  # checked before the password: counts no failure
            return login_form(request, refused.status, refused.message)
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        ip = request.client.host if request.client else "unknown"
        try:
            _user, token, _csrf = await to_thread.run_sync(
                console.login, username[:64], password[:256], ip, "cookie"
            )
        except ApiError as exc:
            refused_page = login_form(request, exc.status, exc.message)
            refused_page.headers.update(exc.headers)  # Retry-After on a 429
            return refused_page
        response = RedirectResponse("/staff", status_code=303)
        response.set_cookie(
            COOKIE,
            token,
            max_age=int(console.session_ttl.total_seconds()),
            httponly=True,
            samesite="strict",
            secure=console.settings.staff_secure_cookies,
            path="/staff",
        )
        response.delete_cookie(
            LOGIN_CSRF_COOKIE,
            path="/staff",
            secure=console.settings.staff_secure_cookies,
            httponly=True,
            samesite="strict",
        )
        return response

    @router.post("/logout", response_model=None)
    async def logout(request: Request) -> Response:
        session = session_of(request)
        if session is not None:
            await checked_form(request, session)
            console.store.close_session(token_digest(request.cookies.get(COOKIE, "")))
        response = login_redirect()
        response.delete_cookie(COOKIE, path="/staff")
        return response

    @router.get("", response_class=HTMLResponse, response_model=None)
    async def dashboard(request: Request, message: str = "") -> Response:
        session = session_of(request)
        if session is None:
            return login_redirect()

        def gather() -> dict[str, Any]:
            engine = console.assistant.conversations.engine
            figures = analytics(engine, CHART_DAYS)
            daily = figures.daily()  # every day of the window, days without questions too
            return {
                "figures": figures.to_json(),
                "daily": daily,
                "channels": figures.channels(),
                "max_day": max([d.questions for d in daily] + [1]),
                "review": review_items(console, 30),
                "faqs": [e.to_json() for e in console.store.faqs()],
            }

        context = await to_thread.run_sync(gather)
        return page("dashboard.html", **base(session, message=message[:200], **context))

    @router.post("/review/draft", response_model=None)
    async def review_draft(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return login_redirect()
        form = await checked_form(request, session)
        if not session.user.can("editor"):
            raise ApiError(403, "forbidden", "Cần quyền biên tập / editor role needed.")
        texts = [str(t) for t in form.getlist("texts")][:20]
        entry = await to_thread.run_sync(lambda: draft_faq(console, texts, [], session))
        return RedirectResponse(f"/staff/faqs/{entry.id}", status_code=303)

    @router.get("/faqs/{faq_id}", response_class=HTMLResponse, response_model=None)
    async def faq_page(faq_id: str, request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return login_redirect()
        try:
            entry = await to_thread.run_sync(console.store.faq, faq_id)
        except StaffError as exc:
            raise ApiError(exc.status, exc.code, str(exc)) from exc
        return page("faq.html", **base(session, faq=entry.to_json()))

    @router.post("/faqs/{faq_id}", response_model=None)
    async def faq_save(faq_id: str, request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return login_redirect()
        form = await checked_form(request, session)
        if not session.user.can("editor"):
            raise ApiError(403, "forbidden", "Cần quyền biên tập / editor role needed.")
        actor = session.user.username
        values = {
            "questions": str(form.get("questions", "")).splitlines(),
            "answer_vi": str(form.get("answer_vi", "")),
            "answer_en": str(form.get("answer_en", "")),
            "procedure_codes": str(form.get("procedure_codes", "")).replace(",", ";").split(";"),
            "source_url": str(form.get("source_url", "")),
            "review_on": str(form.get("review_on", "")),
            "expires_on": str(form.get("expires_on", "")),
        }
        action = str(form.get("action", "save"))
        try:
            version = int(str(form.get("version", "0")))
        except ValueError:
            version = 0

        def save() -> str:
            entry = console.store.update_faq(faq_id, version, values, actor=actor)
            if action in ("approve", "retire"):
                status: FaqStatus = "approved" if action == "approve" else "retired"
                console.store.set_faq_status(faq_id, entry.version, status, actor=actor)
            return {"approve": "Đã duyệt / approved", "retire": "Đã ngừng / retired"}.get(
                action, "Đã lưu / saved"
            )

        try:
            message = await to_thread.run_sync(save)
        except StaffError as exc:
            entry = await to_thread.run_sync(console.store.faq, faq_id)
            return page(
                "faq.html", status=exc.status, **base(session, faq=entry.to_json(), error=str(exc))
            )
        return RedirectResponse(f"/staff?message={message}", status_code=303)

    return router


def mount_static(app: Any) -> None:
    app.mount("/staff/static", StaticFiles(directory=PACKAGE_DIR / "static"), name="staff-static")
