"""The staff console: JSON API under /staff/api and server-rendered pages under /staff."""

from __future__ import annotations

from fastapi import APIRouter

from bots.staff.accounts_ui import accounts_router
from bots.staff.console import StaffConsole, api_router
from bots.staff.inbox import inbox_api_router, inbox_ui_router
from bots.staff.ui import ui_router


def staff_router(console: StaffConsole) -> APIRouter:
    router = APIRouter()
    router.include_router(api_router(console))
    router.include_router(inbox_api_router(console))
    router.include_router(ui_router(console))
    router.include_router(accounts_router(console))
    router.include_router(inbox_ui_router(console))
    return router


__all__ = ["StaffConsole", "staff_router"]
