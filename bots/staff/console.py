"""The staff console's state and its JSON API under /staff/api.

`StaffConsole.open(assistant)` opens the staff tables on the assistant's database and lets
the assistant consult them (approved FAQs first, local corrections in answers). Handlers are
plain functions: FastAPI runs them in worker threads, so database calls never block the loop.
"""

# No `from __future__ import annotations` here: FastAPI must see the dependency annotations
# defined inside `api_router` as objects, not as strings it cannot resolve.
import datetime as dt
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from assistant.service import Assistant
from assistant.settings import Settings
from bots.staff.auth import (
    CSRF_HEADER,
    SAFE_METHODS,
    check_csrf,
    rate_limited,
    require_role,
    resolve_session,
    unauthorized,
)
from bots.staff.delivery import Delivery
from bots.web.errors import ApiError
from staff.accounts import LoginThrottle, StaffAccounts, Throttled, user_json
from staff.analytics import analytics, analytics_csv
from staff.curation import StaffCuration
from staff.faq_csv import export_csv, parse_import
from staff.handoff import HandoffStore
from staff.passwords import new_token, token_digest, verify_password
from staff.review import review_queue
from staff.store import DRAFT_PLACEHOLDER, Role, Session, StaffError, StaffStore, StaffUser

MAX_IMPORT_BYTES = 2 * 1024 * 1024


class StaffConsole:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._store: StaffStore | None = None
        self._handoffs: HandoffStore | None = None
        self._assistant: Assistant | None = None
        # Takes staff replies to the citizen's channel; set by the app beside its channels.
        self.delivery = Delivery(settings, None)
        self._throttle: LoginThrottle | None = None  # failed logins, in the database

    def open(self, assistant: Assistant) -> None:
        self._assistant = assistant
        self._store = StaffStore(assistant.conversations.url)
        self._throttle = LoginThrottle(
            self._store, self.settings.staff_login_attempts, self.settings.staff_login_window_s
        )
        if assistant.curation is None:
            assistant.curation = StaffCuration(
                self._store, threshold=self.settings.staff_faq_threshold
            )
        self._handoffs = HandoffStore(
            assistant.conversations.url,
            timeout=dt.timedelta(minutes=self.settings.staff_handoff_timeout_minutes),
        )
        if assistant.handoffs is None:
            assistant.handoffs = self._handoffs

    def close(self) -> None:
        if self._assistant is not None and self._assistant.handoffs is self._handoffs:
            self._assistant.handoffs = None
        if self._handoffs is not None:
            self._handoffs.close()
            self._handoffs = None
        if self._store is not None:
            self._store.close()
            self._store = None

    @property
    def handoffs(self) -> HandoffStore:
        if self._handoffs is None:
            raise ApiError(503, "not_ready", "Dịch vụ đang khởi động / service is starting.")
        return self._handoffs

    @property
    def throttle(self) -> LoginThrottle:
        if self._throttle is None or self._store is None:
            raise ApiError(503, "not_ready", "Dịch vụ đang khởi động / service is starting.")
        return self._throttle

    @property
    def store(self) -> StaffStore:
        if self._store is None:
            raise ApiError(503, "not_ready", "Dịch vụ đang khởi động / service is starting.")
        return self._store

    @property
    def assistant(self) -> Assistant:
        if self._assistant is None:
            raise ApiError(503, "not_ready", "Dịch vụ đang khởi động / service is starting.")
        return self._assistant

    @property
    def session_ttl(self) -> dt.timedelta:
        return dt.timedelta(hours=self.settings.staff_session_hours)

    # -- logging in ---------------------------------------------------------------------

    def login(self, username: str, password: str, ip: str, kind: str) -> tuple[StaffUser, str, str]:
        """(user, token, csrf) or a 401/429 ApiError.

        Failures are counted per username and per client IP in the database, so every
        worker process shares the count (see `staff.accounts.LoginThrottle`)."""
        user_key = f"user:{username.strip().casefold()}"
        try:
            attempt = self.throttle.begin([user_key, f"ip:{ip}"])
        except Throttled as exc:
            raise rate_limited(exc) from exc
        found = self.store.credentials(username)
        if found is None or not found[0].active or not verify_password(found[1], password):
            # The attempt stays counted as a failure.
            raise ApiError(
                401,
                "bad_credentials",
                "Sai tên đăng nhập hoặc mật khẩu / wrong username or password.",
            )
        self.throttle.succeeded(attempt, clear=user_key)
        token, csrf = new_token(), new_token()
        self.store.open_session(found[0], token_digest(token), kind, csrf, self.session_ttl)
        return found[0], token, csrf

    def api_session(self, request: Request) -> Session:
        """The JSON API's caller (a 401 without one); a change must carry the CSRF token
        when the session is the console's cookie."""
        session = self.session_for(request)
        if request.method not in SAFE_METHODS:
            check_csrf(session, request.headers.get(CSRF_HEADER))
        return session

    def session_for(self, request: Request) -> Session:
        session = resolve_session(self.store, request)
        if session is None:
            raise unauthorized()
        return session


def staff_errors(call: Any) -> Any:
    """Run a store call; a refused change becomes its 4xx JSON error."""
    try:
        return call()
    except StaffError as exc:
        raise ApiError(exc.status, exc.code, str(exc)) from exc


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class FaqIn(BaseModel):
    id: str = Field(default="", max_length=64)
    questions: list[str] = Field(min_length=1, max_length=20)
    answer_vi: str = Field(min_length=1, max_length=4000)
    answer_en: str = Field(default="", max_length=4000)
    procedure_codes: list[str] = Field(default_factory=list, max_length=20)
    source_url: str = Field(default="", max_length=1000)
    review_on: dt.date | None = None
    expires_on: dt.date | None = None


class FaqUpdate(BaseModel):
    version: int = Field(ge=1)
    questions: list[str] | None = Field(default=None, min_length=1, max_length=20)
    answer_vi: str | None = Field(default=None, min_length=1, max_length=4000)
    answer_en: str | None = Field(default=None, max_length=4000)
    procedure_codes: list[str] | None = Field(default=None, max_length=20)
    source_url: str | None = Field(default=None, max_length=1000)
    review_on: dt.date | None = None
    expires_on: dt.date | None = None


class VersionIn(BaseModel):
    version: int = Field(ge=1)


class CorrectionIn(BaseModel):
    field: str = Field(min_length=1, max_length=32)
    value: str = Field(default="", max_length=1000)
    version: int = Field(default=0, ge=0)


class DraftIn(BaseModel):
    texts: list[str] = Field(min_length=1, max_length=20)
    procedure_codes: list[str] = Field(default_factory=list, max_length=20)


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=10, max_length=256)
    role: str = Field(pattern="^(admin|editor|viewer)$")


class UserPatch(BaseModel):
    role: Role | None = None
    active: bool | None = None


def api_router(console: StaffConsole) -> APIRouter:
    router = APIRouter(prefix="/staff/api", tags=["staff"])

    SessionDep = Annotated[Session, Depends(console.api_session)]

    def editor(session: SessionDep) -> Session:
        require_role(session, "editor")
        return session

    def admin(session: SessionDep) -> Session:
        require_role(session, "admin")
        return session

    EditorDep = Annotated[Session, Depends(editor)]
    AdminDep = Annotated[Session, Depends(admin)]

    @router.post("/login", summary="Đăng nhập, nhận token API / log in, get an API token")
    def login(body: LoginIn, request: Request) -> dict[str, Any]:
        ip = request.client.host if request.client else "unknown"
        user, token, _csrf = console.login(body.username, body.password, ip, "api")
        return {"token": token, "username": user.username, "role": user.role}

    @router.post("/logout", status_code=204, response_class=Response)
    def logout(request: Request, _session: SessionDep) -> Response:
        auth = request.headers.get("authorization", "")
        token = (
            auth[7:].strip()
            if auth[:7].lower() == "bearer "
            else request.cookies.get("staff_session", "")
        )
        console.store.close_session(token_digest(token))
        return Response(status_code=204)

    @router.get("/me")
    def me(session: SessionDep) -> dict[str, Any]:
        return {"username": session.user.username, "role": session.user.role}

    @router.get("/faqs")
    def list_faqs(_session: SessionDep, status: str | None = None) -> list[dict[str, Any]]:
        return [e.to_json() for e in console.store.faqs(status)]

    @router.post("/faqs", status_code=201)
    def create_faq(body: FaqIn, session: EditorDep) -> dict[str, Any]:
        values = body.model_dump()
        entry = staff_errors(lambda: console.store.create_faq(values, actor=session.user.username))
        return dict(entry.to_json())

    @router.get("/faqs.csv", response_class=Response)
    def faqs_csv(_session: SessionDep) -> Response:
        return Response(
            export_csv(console.store.faqs()),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="faqs.csv"'},
        )

    @router.post("/faqs/import", status_code=201)
    async def import_faqs(request: Request, session: EditorDep) -> JSONResponse:
        data = await request.body()
        if len(data) > MAX_IMPORT_BYTES:
            raise ApiError(413, "payload_too_large", "Tệp quá lớn / the file is too large.")

        def run() -> JSONResponse:
            store = console.store
            parsed = staff_errors(lambda: parse_import(data, store.faqs()))
            if parsed.errors:
                return JSONResponse(
                    {
                        "error": {
                            "code": "invalid_csv",
                            "message": f"{len(parsed.errors)} lỗi, không nhập dòng nào / "
                            f"{len(parsed.errors)} errors, nothing imported.",
                            "rows": [e.to_json() for e in parsed.errors],
                        }
                    },
                    status_code=422,
                )
            created = staff_errors(
                lambda: store.create_faqs(parsed.rows, actor=session.user.username)
            )
            return JSONResponse({"imported": len(created), "ids": [e.id for e in created]}, 201)

        result: JSONResponse = await to_thread.run_sync(run)
        return result

    @router.get("/faqs/{faq_id}")
    def get_faq(faq_id: str, _session: SessionDep) -> dict[str, Any]:
        return dict(staff_errors(lambda: console.store.faq(faq_id)).to_json())

    @router.put("/faqs/{faq_id}")
    def update_faq(faq_id: str, body: FaqUpdate, session: EditorDep) -> dict[str, Any]:
        values = body.model_dump(exclude_unset=True)
        version = values.pop("version")
        entry = staff_errors(
            lambda: console.store.update_faq(faq_id, version, values, actor=session.user.username)
        )
        return dict(entry.to_json())

    for action, status in (("approve", "approved"), ("retire", "retired"), ("reopen", "draft")):

        def change_status(
            faq_id: str, body: VersionIn, session: EditorDep, _status: str = status
        ) -> dict[str, Any]:
            entry = staff_errors(
                lambda: console.store.set_faq_status(
                    faq_id,
                    body.version,
                    _status,  # type: ignore[arg-type]
                    actor=session.user.username,
                )
            )
            return dict(entry.to_json())

        router.add_api_route(f"/faqs/{{faq_id}}/{action}", change_status, methods=["POST"])

    @router.get("/corrections")
    def list_corrections(_session: SessionDep, code: str | None = None) -> list[dict[str, Any]]:
        return [vars(c) for c in console.store.corrections(code)]

    @router.put("/corrections/{code}")
    def set_correction(code: str, body: CorrectionIn, session: EditorDep) -> dict[str, Any]:
        if console.assistant.catalogue.get_procedure(code) is None:
            raise ApiError(
                404, "not_found", f"Không có thủ tục mã {code!r} / no procedure {code!r}."
            )
        correction = staff_errors(
            lambda: console.store.set_correction(
                code, body.field, body.value, body.version, actor=session.user.username
            )
        )
        return vars(correction)

    @router.get("/review")
    def review(_session: SessionDep, limit: int = 50) -> list[dict[str, Any]]:
        return review_items(console, max(1, min(limit, 200)))

    @router.post("/review/draft", status_code=201)
    def draft_from_review(body: DraftIn, session: EditorDep) -> dict[str, Any]:
        return dict(draft_faq(console, body.texts, body.procedure_codes, session).to_json())

    @router.get("/analytics")
    def figures(_session: SessionDep, days: int = 30) -> dict[str, Any]:
        engine = console.assistant.conversations.engine
        return analytics(engine, max(1, min(days, 366))).to_json()

    @router.get("/analytics.csv", response_class=Response)
    def figures_csv(_session: SessionDep, days: int = 30) -> Response:
        engine = console.assistant.conversations.engine
        return Response(
            analytics_csv(analytics(engine, max(1, min(days, 366)))),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="analytics.csv"'},
        )

    @router.get("/audit")
    def audit(_session: AdminDep, limit: int = 200) -> list[dict[str, Any]]:
        entries = console.store.audit_entries(max(1, min(limit, 1000)))
        return [{**vars(e), "at": e.at.isoformat()} for e in entries]

    @router.get("/users")
    def list_users(_session: AdminDep) -> list[dict[str, Any]]:
        return [user_json(u) for u in StaffAccounts(console.store).users()]

    @router.post("/users", status_code=201)
    def create_user(body: UserIn, session: AdminDep) -> dict[str, Any]:
        user = staff_errors(
            lambda: StaffAccounts(console.store).create(
                body.username, body.password, body.role, actor=session.user.username
            )
        )
        return {"username": user.username, "role": user.role}

    @router.patch("/users/{username}")
    def update_user(username: str, body: UserPatch, session: AdminDep) -> dict[str, Any]:
        """Change a role and/or deactivate (ending the account's sessions) or reactivate."""
        user = staff_errors(
            lambda: StaffAccounts(console.store).update(
                username, role=body.role, active=body.active, actor=session.user.username
            )
        )
        return user_json(user)

    return router


def review_items(console: StaffConsole, limit: int) -> list[dict[str, Any]]:
    """The review queue, each group marked with the approved FAQ that now answers its wording
    (`covered_by`, or None); covered groups come after the ones still waiting for an answer."""
    curation = console.assistant.curation
    items = []
    for group in review_queue(console.assistant.conversations.engine, limit):
        found = curation.match_faq(group.example) if curation is not None else None
        items.append({**group.to_json(), "covered_by": found.faq_id if found else None})
    return sorted(items, key=lambda item: item["covered_by"] is not None)


def draft_faq(console: StaffConsole, texts: list[str], codes: list[str], session: Session) -> Any:
    """A review group turned into a draft FAQ: its wordings become the question variants."""
    questions: list[str] = []
    for text in texts:
        text = text.strip()[:500]
        if text and text.casefold() not in {q.casefold() for q in questions}:
            questions.append(text)
    values = {"questions": questions, "answer_vi": DRAFT_PLACEHOLDER, "procedure_codes": codes}
    return staff_errors(lambda: console.store.create_faq(values, actor=session.user.username))
