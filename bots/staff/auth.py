"""Who is calling the console: sessions (cookie + CSRF for the UI, bearer tokens for the
JSON API), the login form's CSRF check, role checks, and the login throttle's HTTP answer
(the failures themselves are counted in the database, see staff/accounts.py)."""

from __future__ import annotations

import hmac

from fastapi import Request

from bots.web.errors import ApiError
from staff.accounts import Throttled
from staff.passwords import token_digest
from staff.store import Role, Session, StaffStore

COOKIE = "staff_session"
# The login form's pre-session CSRF token (double submit: this cookie and a hidden field).
LOGIN_CSRF_COOKIE = "staff_login_csrf"
LOGIN_CSRF_MAX_AGE_S = 30 * 60
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def login_csrf_ok(cookie: str | None, given: str | None) -> bool:
    """The login form's double-submit check: the cookie and the form field must match.

    A login form forged on another site carries neither (the SameSite=Strict cookie is not
    sent cross-site, and the page cannot read it), so it cannot log a victim's browser into
    the forger's account."""
    return bool(cookie and given) and hmac.compare_digest(str(cookie).encode(), str(given).encode())


def login_csrf_error() -> ApiError:
    return ApiError(
        403,
        "csrf",
        "Biểu mẫu đăng nhập đã hết hạn hoặc không hợp lệ, hãy đăng nhập lại / "
        "the login form expired or is invalid, please log in again.",
    )


def rate_limited(exc: Throttled) -> ApiError:
    """The throttle's refusal as HTTP 429, with Retry-After."""
    return ApiError(429, exc.code, str(exc), {"Retry-After": str(exc.retry_after)})


def presented_token(request: Request) -> tuple[str, str] | None:
    """(kind, token): a bearer token for the JSON API, else the console's cookie."""
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer " and auth[7:].strip():
        return "api", auth[7:].strip()
    cookie = request.cookies.get(COOKIE, "")
    return ("cookie", cookie) if cookie else None


def unauthorized() -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        "Cần đăng nhập / please log in.",
        {"WWW-Authenticate": "Bearer"},
    )


def resolve_session(store: StaffStore, request: Request) -> Session | None:
    presented = presented_token(request)
    if presented is None:
        return None
    kind, token = presented
    session = store.session(token_digest(token))
    if session is None or session.kind != kind:
        return None
    return session


def check_csrf(session: Session, given: str | None) -> None:
    """Cookie sessions must echo their CSRF token on every change; bearer tokens need not
    (a browser never adds them to a forged request by itself)."""
    if session.kind != "cookie":
        return
    if not given or not hmac.compare_digest(given.encode(), session.csrf.encode()):
        raise ApiError(
            403,
            "csrf",
            "Phiên làm việc không hợp lệ, hãy tải lại trang / invalid CSRF token, reload the page.",
        )


def require_role(session: Session, role: Role) -> None:
    if not session.user.can(role):
        raise ApiError(
            403,
            "forbidden",
            f"Tài khoản của bạn không có quyền này (cần {role}) / "
            f"your role cannot do this (needs {role}).",
        )
