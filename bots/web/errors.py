"""One error shape for every 4xx/5xx the API sends: `{"error": {"code": …, "message": …}}`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    503: "not_ready",
}


class ApiError(Exception):
    """An error the client should see as-is (status, machine code, bilingual message)."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse(error_body(code, message, **extra), status_code=status, headers=headers)


def describe_validation(errors: list[Any]) -> tuple[str, list[dict[str, str]]]:
    """A one-line summary of pydantic errors, and their details without the input values."""
    details = []
    for error in errors:
        loc = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
        details.append({"field": loc, "problem": str(error.get("msg", "invalid"))})
    if not details:
        return "Yêu cầu không hợp lệ / invalid request.", []
    first = details[0]
    more = f" (+{len(details) - 1})" if len(details) > 1 else ""
    summary = f"Yêu cầu không hợp lệ / invalid request: {first['field']}: {first['problem']}{more}"
    return summary, details


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers or None)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    summary, details = describe_validation(list(exc.errors()))
    return error_response(422, "invalid_request", summary, details=details)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = STATUS_CODES.get(exc.status_code, "error" if exc.status_code < 500 else "server_error")
    detail = exc.detail if isinstance(exc.detail, str) else "error"
    if exc.status_code == 404 and detail == "Not Found":
        detail = "Không có địa chỉ này / no such endpoint."
    elif exc.status_code == 405:
        detail = "Phương thức không được hỗ trợ / method not allowed."
    return error_response(exc.status_code, code, detail, dict(exc.headers or {}) or None)


DATABASE_RETRY_AFTER_S = 5  # what a client is told to wait when the database is out


async def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    """The database is down, restarting or full: a 503 to retry, never a 500 or a silent 200."""
    log.error("database unavailable: %s", exc)
    return error_response(
        503,
        "database_unavailable",
        "Hệ thống đang bận, vui lòng thử lại sau ít phút / "
        "service temporarily unavailable, please retry shortly.",
        {"Retry-After": str(DATABASE_RETRY_AFTER_S)},
    )


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error: %s", exc)
    return error_response(
        500,
        "internal_error",
        "Lỗi hệ thống, vui lòng thử lại sau / internal error, please try again later.",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)
