"""The handoff inbox: JSON API under /staff/api/handoffs and pages under /staff/inbox.

A staff member claims a conversation (the assistant goes quiet in it), replies from the
console — the reply reaches the citizen on their own channel — and releases it. The citizen
is told when someone joins and when they leave, in the language they wrote in.
"""

# No `from __future__ import annotations`: FastAPI must see the dependency annotations.
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from assistant.messages import message
from bots.staff.auth import require_role
from bots.staff.console import StaffConsole, staff_errors
from bots.staff.delivery import PENDING
from bots.staff.ui import base, checked_form, login_redirect, page, session_from_cookie
from bots.web.errors import ApiError
from staff.handoff import MAX_STAFF_TEXT, Handoff, HandoffMessage
from staff.store import Session

INBOX_LIMIT = 200
# Fixed notices after a redirect (the URL names one; it cannot put other text on the page).
DONE_NOTICES = {"released": "Đã kết thúc, trợ lý trả lời lại / released to the assistant."}


class VersionIn(BaseModel):
    version: int = Field(ge=1)


class StaffReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_STAFF_TEXT)


async def deliver(console: StaffConsole, handoff: Handoff, sent: HandoffMessage) -> HandoffMessage:
    """Send a stored message on the handoff's channel and record how it went."""
    outcome = await console.delivery.send(handoff.channel, handoff.user_id, sent.text)
    if outcome == PENDING:  # the web widget fetches it
        return sent
    await to_thread.run_sync(console.handoffs.mark_delivery, sent.id, not outcome, outcome)
    sent.delivery, sent.delivery_error = ("failed", outcome) if outcome else ("sent", "")
    return sent


async def notify(console: StaffConsole, handoff: Handoff, key: str) -> HandoffMessage:
    """Tell the citizen someone joined or left, in their language."""
    text = message(key, handoff.language)
    stored = await to_thread.run_sync(console.handoffs.add_system_message, handoff.id, text)
    return await deliver(console, handoff, stored)


async def claim(console: StaffConsole, handoff_id: str, version: int, session: Session) -> Handoff:
    require_role(session, "editor")
    actor = session.user.username
    handoff = await to_thread.run_sync(
        lambda: staff_errors(lambda: console.handoffs.claim(handoff_id, version, actor))
    )
    await notify(console, handoff, "handoff_claimed")
    return handoff


async def reply(
    console: StaffConsole, handoff_id: str, text: str, session: Session
) -> HandoffMessage:
    require_role(session, "editor")
    actor = session.user.username

    def store() -> tuple[Handoff, HandoffMessage]:
        stored = console.handoffs.add_staff_message(handoff_id, actor, text)
        return console.handoffs.get(handoff_id), stored

    handoff, stored = await to_thread.run_sync(lambda: staff_errors(store))
    return await deliver(console, handoff, stored)


async def release(
    console: StaffConsole, handoff_id: str, version: int, session: Session
) -> Handoff:
    require_role(session, "editor")
    actor, admin = session.user.username, session.user.can("admin")
    handoff = await to_thread.run_sync(
        lambda: staff_errors(
            lambda: console.handoffs.release(handoff_id, version, actor, admin=admin)
        )
    )
    if handoff.claimed_by:  # the citizen was talking to someone: say they left
        await notify(console, handoff, "handoff_released")
    return handoff


def inbox_api_router(console: StaffConsole) -> APIRouter:
    router = APIRouter(prefix="/staff/api/handoffs", tags=["staff"])

    SessionDep = Annotated[Session, Depends(console.api_session)]

    @router.get("", summary="Hộp thư chuyển cán bộ / the handoff inbox")
    def list_handoffs(_session: SessionDep) -> list[dict[str, Any]]:
        return [h.to_json() for h in console.handoffs.inbox(INBOX_LIMIT)]

    @router.get("/{handoff_id}")
    def get_handoff(handoff_id: str, _session: SessionDep) -> dict[str, Any]:
        return dict(staff_errors(lambda: console.handoffs.get(handoff_id)).to_json())

    @router.post("/{handoff_id}/claim")
    async def claim_handoff(
        handoff_id: str, body: VersionIn, session: SessionDep
    ) -> dict[str, Any]:
        return (await claim(console, handoff_id, body.version, session)).to_json()

    @router.post("/{handoff_id}/reply", status_code=201)
    async def reply_handoff(
        handoff_id: str, body: StaffReplyIn, session: SessionDep
    ) -> dict[str, Any]:
        return (await reply(console, handoff_id, body.text, session)).to_json()

    @router.post("/{handoff_id}/release")
    async def release_handoff(
        handoff_id: str, body: VersionIn, session: SessionDep
    ) -> dict[str, Any]:
        return (await release(console, handoff_id, body.version, session)).to_json()

    return router


def inbox_ui_router(console: StaffConsole) -> APIRouter:
    router = APIRouter(prefix="/staff/inbox", include_in_schema=False)

    @router.get("", response_class=HTMLResponse, response_model=None)
    async def inbox_page(request: Request, done: str = "") -> Response:
        session = session_from_cookie(console, request)
        if session is None:
            return login_redirect()
        items = await to_thread.run_sync(console.handoffs.inbox, INBOX_LIMIT)
        return page(
            "inbox.html",
            **base(
                session,
                handoffs=[h.to_json() for h in items],
                message=DONE_NOTICES.get(done, ""),
                timeout=round(console.settings.staff_handoff_timeout_minutes),
            ),
        )

    async def handoff_view(
        session: Session, handoff_id: str, *, error: str = "", status: int = 200
    ) -> Response:
        handoff = await to_thread.run_sync(
            lambda: staff_errors(lambda: console.handoffs.get(handoff_id))
        )
        return page(
            "handoff.html",
            status=status,
            **base(session, handoff=handoff.to_json(), error=error, max_text=MAX_STAFF_TEXT),
        )

    @router.get("/{handoff_id}", response_class=HTMLResponse, response_model=None)
    async def handoff_page(handoff_id: str, request: Request) -> Response:
        session = session_from_cookie(console, request)
        if session is None:
            return login_redirect()
        return await handoff_view(session, handoff_id)

    @router.post("/{handoff_id}/{action}", response_model=None)
    async def handoff_action(handoff_id: str, action: str, request: Request) -> Response:
        session = session_from_cookie(console, request)
        if session is None:
            return login_redirect()
        form = {k: str(v) for k, v in (await checked_form(request, session)).items()}
        if action not in ("claim", "reply", "release"):
            raise ApiError(404, "not_found", "Không có thao tác này / no such action.")
        try:
            version = int(form.get("version", "0") or 0)
        except ValueError:
            version = 0
        try:
            if action == "claim":
                await claim(console, handoff_id, version, session)
            elif action == "reply":
                await reply(console, handoff_id, form.get("text", ""), session)
            else:
                await release(console, handoff_id, version, session)
                return RedirectResponse("/staff/inbox?done=released", status_code=303)
        except ApiError as exc:
            if exc.status in (401, 403, 404):
                raise
            # Shown on the page itself (a refused claim, a stale version, an empty reply).
            return await handoff_view(session, handoff_id, error=exc.message, status=exc.status)
        return RedirectResponse(f"/staff/inbox/{handoff_id}", status_code=303)

    return router
