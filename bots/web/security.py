"""Security headers on every HTTP response (a pure ASGI middleware: streams pass untouched).

Everywhere: no MIME sniffing, a referrer that leaves the site only as its origin. The staff
console (`/staff…`) also gets a strict Content-Security-Policy — scripts and styles from this
origin only (its pages have no inline script; the charts' inline `style` heights need
`style-src 'unsafe-inline'`), never framed (clickjacking), forms posting only here — and no
referrer at all. The widget (`/widget.js`) is embedded by `<script>` on other sites, so the
public pages keep their framing and origin rules to CORS (`ASSISTANT_CORS_ORIGINS`).
HSTS is left to the TLS-terminating proxy (see the deployment notes), which knows the scheme.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMMON = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
)
STAFF_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
STAFF = (
    ("content-security-policy", STAFF_CSP),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
)


def headers_for(path: str) -> tuple[tuple[str, str], ...]:
    """The security headers a response to `path` carries (later ones win)."""
    if path == "/staff" or path.startswith("/staff/"):
        return COMMON + STAFF
    return COMMON


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(str(scope.get("path", "")))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra:
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)
