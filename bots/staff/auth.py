"""Who is calling the console: sessions (cookie + CSRF for the UI, bearer tokens for the
JSON API), role checks, and login throttling."""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request

from bots.web.errors import ApiError
from staff.passwords import token_digest
from staff.store import Role, Session, StaffStore

COOKIE = "staff_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class LoginThrottle:
    """Failed logins per key (username, client IP) in a sliding window, in this process."""

    attempts: int
    window_s: float
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and now - failures[0] > self.window_s:
            failures.popleft()
        return failures

    def retry_after(self, keys: list[str]) -> int:
        """Seconds to wait, 0 when a login may be tried."""
        now = self.clock()
        with self._lock:
            waits = [
                self.window_s - (now - f[0])
                for f in (self._recent(k, now) for k in keys)
                if len(f) >= self.attempts
            ]
        return int(max(waits)) + 1 if waits else 0

    def failed(self, keys: list[str]) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)
            if len(self._failures) > 10_000:  # bounded memory under a spray of usernames
                self._failures = {k: v for k, v in self._failures.items() if v}

    def succeeded(self, username_key: str) -> None:
        with self._lock:
            self._failures.pop(username_key, None)


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
