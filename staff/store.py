"""What staff keep: accounts, sessions, the audit log, curated FAQs and local corrections.

SQLAlchemy Core on its own metadata, SQLite by default and PostgreSQL by URL (the same
database as the catalogue). Curated FAQs and corrections live in their own tables, never in
the catalogue's per-source rows, so `assistant ingest` of a source cannot overwrite them.

Every change is written together with its audit entry (who, what, when, before → after) in
one transaction. FAQs and corrections carry a `version`: a save names the version it edited,
and a stale one raises `StaleVersion` (HTTP 409) instead of overwriting a colleague's work.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from knowledge.store import make_engine

Role = Literal["admin", "editor", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "editor", "viewer")
FaqStatus = Literal["draft", "approved", "retired"]
CORRECTION_FIELDS = ("fee", "office_address", "office_hours", "hotline")
MAX_QUESTION_CHARS = 500
MAX_ANSWER_CHARS = 4000
MAX_QUESTIONS = 20

metadata = MetaData()

staff_users = Table(
    "staff_users",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("username", String(64), unique=True, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("token_digest", String(64), primary_key=True),
    Column("user_id", String(32), nullable=False, index=True),
    Column("kind", String(8), nullable=False),  # "cookie" (UI, with CSRF) or "api" (bearer)
    Column("csrf", String(64), nullable=False, default=""),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

audit_log = Table(
    "staff_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("entity", String(32), nullable=False),
    Column("entity_id", String(128), nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
)

staff_faqs = Table(
    "staff_faqs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("questions", JSON, nullable=False),
    Column("answer_vi", Text, nullable=False),
    Column("answer_en", Text, nullable=False, default=""),
    Column("procedure_codes", JSON, nullable=False),
    Column("source_url", Text, nullable=False, default=""),
    Column("review_on", Date, nullable=True),
    Column("expires_on", Date, nullable=True),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(64), nullable=False),
)

local_corrections = Table(
    "staff_corrections",
    metadata,
    Column("procedure_code", String(64), primary_key=True),
    Column("field", String(32), primary_key=True),
    Column("value", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(64), nullable=False),
)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(value: dt.datetime) -> dt.datetime:
    """SQLite drops the zone of stored datetimes: read them back as UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


class StaffError(ValueError):
    """A refused change: `status` is the HTTP status the console answers with."""

    status = 400
    code = "bad_request"


class NotFound(StaffError):
    status = 404
    code = "not_found"


class StaleVersion(StaffError):
    status = 409
    code = "conflict"


class Duplicate(StaffError):
    status = 409
    code = "duplicate"


@dataclass(frozen=True)
class StaffUser:
    id: str
    username: str
    role: Role
    active: bool = True

    def can(self, needed: Role) -> bool:
        """admin ⊃ editor ⊃ viewer."""
        return ROLES.index(self.role) <= ROLES.index(needed)


@dataclass(frozen=True)
class Session:
    user: StaffUser
    kind: str
    csrf: str


@dataclass
class FaqEntry:
    id: str
    questions: list[str]
    answer_vi: str
    answer_en: str = ""
    procedure_codes: list[str] = field(default_factory=list)
    source_url: str = ""
    review_on: dt.date | None = None
    expires_on: dt.date | None = None
    status: FaqStatus = "draft"
    version: int = 1
    updated_at: dt.datetime | None = None
    updated_by: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "questions": list(self.questions),
            "answer_vi": self.answer_vi,
            "answer_en": self.answer_en,
            "procedure_codes": list(self.procedure_codes),
            "source_url": self.source_url,
            "review_on": self.review_on.isoformat() if self.review_on else None,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "status": self.status,
            "version": self.version,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "updated_by": self.updated_by,
        }

    def usable(self, today: dt.date) -> bool:
        """Approved and not past its expiry date: the assistant may answer with it."""
        return self.status == "approved" and (self.expires_on is None or self.expires_on >= today)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Correction:
    procedure_code: str
    field: str
    value: str
    version: int
    updated_by: str


FAQ_EDITABLE = (
    "questions",
    "answer_vi",
    "answer_en",
    "procedure_codes",
    "source_url",
    "review_on",
    "expires_on",
)


def clean_faq_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Validate editable FAQ fields; a clear `StaffError` for anything wrong."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in FAQ_EDITABLE:
            raise StaffError(f"Trường không hợp lệ / unknown field: {key}")
        out[key] = value
    if "questions" in out:
        questions = [str(q).strip() for q in out["questions"] if str(q).strip()]
        if not questions:
            raise StaffError("Cần ít nhất một câu hỏi / at least one question is needed.")
        if len(questions) > MAX_QUESTIONS:
            raise StaffError(f"Tối đa {MAX_QUESTIONS} câu hỏi / at most {MAX_QUESTIONS} questions.")
        for q in questions:
            if len(q) > MAX_QUESTION_CHARS:
                raise StaffError(
                    f"Câu hỏi quá dài (tối đa {MAX_QUESTION_CHARS} ký tự) / "
                    f"question too long (max {MAX_QUESTION_CHARS} characters)."
                )
        if len({q.casefold() for q in questions}) != len(questions):
            raise StaffError("Câu hỏi bị lặp / duplicate question variants.")
        out["questions"] = questions
    for key in ("answer_vi", "answer_en"):
        if key in out:
            out[key] = str(out[key] or "").strip()
            if len(out[key]) > MAX_ANSWER_CHARS:
                raise StaffError(
                    f"Câu trả lời quá dài (tối đa {MAX_ANSWER_CHARS} ký tự) / "
                    f"answer too long (max {MAX_ANSWER_CHARS} characters)."
                )
    if "answer_vi" in out and not out["answer_vi"]:
        raise StaffError("Cần câu trả lời tiếng Việt / the Vietnamese answer is required.")
    if "procedure_codes" in out:
        codes = [str(c).strip() for c in out["procedure_codes"] if str(c).strip()]
        if any(len(c) > 64 for c in codes):
            raise StaffError("Mã thủ tục quá dài / procedure code too long.")
        out["procedure_codes"] = codes
    if "source_url" in out:
        url = str(out["source_url"] or "").strip()
        if (url and not url.startswith(("https://", "http://"))) or len(url) > 1000:
            raise StaffError("Nguồn phải là địa chỉ http(s) / the source must be an http(s) URL.")
        out["source_url"] = url
    for key in ("review_on", "expires_on"):
        if key in out:
            out[key] = parse_date(out[key], key)
    return out


def parse_date(value: Any, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise StaffError(
            f"Ngày không hợp lệ ở {name} (YYYY-MM-DD) / invalid date in {name} (YYYY-MM-DD)."
        ) from exc


def _faq(row: Any) -> FaqEntry:
    return FaqEntry(
        id=row.id,
        questions=list(row.questions),
        answer_vi=row.answer_vi,
        answer_en=row.answer_en,
        procedure_codes=list(row.procedure_codes),
        source_url=row.source_url,
        review_on=row.review_on,
        expires_on=row.expires_on,
        status=row.status,
        version=row.version,
        updated_at=aware(row.updated_at),
        updated_by=row.updated_by,
    )


def _faq_values(entry: FaqEntry) -> dict[str, Any]:
    return {
        "questions": entry.questions,
        "answer_vi": entry.answer_vi,
        "answer_en": entry.answer_en,
        "procedure_codes": entry.procedure_codes,
        "source_url": entry.source_url,
        "review_on": entry.review_on,
        "expires_on": entry.expires_on,
        "status": entry.status,
        "version": entry.version,
        "updated_at": entry.updated_at,
        "updated_by": entry.updated_by,
    }


class StaffStore:
    """Thread-safe; every public method is one short transaction."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        metadata.create_all(self.engine)
        # Bumped by every write through this store: its readers re-read at once, while
        # writes by other processes are seen within their refresh interval.
        self.generation = 0

    def close(self) -> None:
        self.engine.dispose()

    # -- audit -------------------------------------------------------------------------

    def _audit(
        self,
        connection: Connection,
        actor: str,
        action: str,
        entity: str,
        entity_id: str,
        before: Any,
        after: Any,
    ) -> None:
        self.generation += 1
        connection.execute(
            insert(audit_log).values(
                at=now_utc(),
                actor=actor,
                action=action,
                entity=entity,
                entity_id=entity_id,
                before=before,
                after=after,
            )
        )

    def audit_entries(self, limit: int = 200, entity_id: str | None = None) -> list[AuditEntry]:
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if entity_id is not None:
            query = query.where(audit_log.c.entity_id == entity_id)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            AuditEntry(
                r.id, aware(r.at), r.actor, r.action, r.entity, r.entity_id, r.before, r.after
            )
            for r in rows
        ]

    # -- accounts ----------------------------------------------------------------------

    def create_user(
        self, username: str, password_hash: str, role: Role, *, actor: str
    ) -> StaffUser:
        username = username.strip()
        if not username or len(username) > 64:
            raise StaffError("Tên đăng nhập 1–64 ký tự / username must be 1–64 characters.")
        if role not in ROLES:
            raise StaffError(f"Vai trò không hợp lệ / unknown role: {role}")
        user = StaffUser(uuid.uuid4().hex, username, role)
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(staff_users).values(
                        id=user.id,
                        username=username,
                        password_hash=password_hash,
                        role=role,
                        active=True,
                        created_at=now_utc(),
                    )
                )
                after = {"username": username, "role": role}
                self._audit(connection, actor, "create", "user", username, None, after)
        except IntegrityError as exc:
            raise Duplicate(f"Tài khoản đã có / the account exists: {username}") from exc
        return user

    def credentials(self, username: str) -> tuple[StaffUser, str] | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(staff_users).where(staff_users.c.username == username.strip())
            ).first()
        if row is None:
            return None
        return StaffUser(row.id, row.username, row.role, bool(row.active)), row.password_hash

    def users(self) -> list[StaffUser]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(staff_users).order_by(staff_users.c.username)).all()
        return [StaffUser(r.id, r.username, r.role, bool(r.active)) for r in rows]

    def count_admins(self) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    select(func.count()).where(staff_users.c.role == "admin")
                ).scalar_one()
            )

    # -- sessions ----------------------------------------------------------------------

    def open_session(
        self, user: StaffUser, digest: str, kind: str, csrf: str, ttl: dt.timedelta
    ) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                delete(staff_sessions).where(staff_sessions.c.expires_at < now_utc())
            )
            connection.execute(
                insert(staff_sessions).values(
                    token_digest=digest,
                    user_id=user.id,
                    kind=kind,
                    csrf=csrf,
                    expires_at=now_utc() + ttl,
                )
            )
            self._audit(connection, user.username, "login", "session", kind, None, None)

    def session(self, digest: str) -> Session | None:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(
                    staff_sessions.c.kind,
                    staff_sessions.c.csrf,
                    staff_sessions.c.expires_at,
                    staff_users.c.id,
                    staff_users.c.username,
                    staff_users.c.role,
                    staff_users.c.active,
                )
                .join(staff_users, staff_users.c.id == staff_sessions.c.user_id)
                .where(staff_sessions.c.token_digest == digest)
            ).first()
        if row is None or aware(row.expires_at) < now_utc() or not row.active:
            return None
        return Session(StaffUser(row.id, row.username, row.role), row.kind, row.csrf)

    def close_session(self, digest: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                delete(staff_sessions).where(staff_sessions.c.token_digest == digest)
            )

    # -- FAQs --------------------------------------------------------------------------

    def faqs(self, status: str | None = None) -> list[FaqEntry]:
        query = select(staff_faqs).order_by(staff_faqs.c.id)
        if status:
            query = query.where(staff_faqs.c.status == status)
        with self.engine.connect() as connection:
            return [_faq(r) for r in connection.execute(query).all()]

    def faq(self, faq_id: str) -> FaqEntry:
        with self.engine.connect() as connection:
            row = connection.execute(select(staff_faqs).where(staff_faqs.c.id == faq_id)).first()
        if row is None:
            raise NotFound(f"Không có câu hỏi thường gặp {faq_id!r} / no FAQ {faq_id!r}.")
        return _faq(row)

    def faq_stamp(self) -> tuple[Any, ...]:
        """Changes whenever an FAQ is written (for the matcher's cache)."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(
                    func.count(), func.max(staff_faqs.c.updated_at), func.sum(staff_faqs.c.version)
                )
            ).one()
        return tuple(row)

    def create_faq(
        self, values: dict[str, Any], *, actor: str, status: FaqStatus = "draft"
    ) -> FaqEntry:
        entries = self.create_faqs([values], actor=actor, status=status)
        return entries[0]

    def create_faqs(
        self, rows: list[dict[str, Any]], *, actor: str, status: FaqStatus = "draft"
    ) -> list[FaqEntry]:
        """All or nothing: one transaction for every row."""
        entries = []
        for values in rows:
            values = dict(values)
            faq_id = str(values.pop("id", "") or "").strip() or f"faq-{uuid.uuid4().hex[:10]}"
            if len(faq_id) > 64:
                raise StaffError("Mã FAQ quá dài / FAQ id too long.")
            cleaned = clean_faq_fields(values)
            if "questions" not in cleaned or "answer_vi" not in cleaned:
                raise StaffError(
                    "Cần câu hỏi và câu trả lời tiếng Việt / questions and answer_vi are required."
                )
            entries.append(
                FaqEntry(
                    id=faq_id,
                    status=status,
                    version=1,
                    updated_at=now_utc(),
                    updated_by=actor,
                    **cleaned,
                )
            )
        try:
            with self.engine.begin() as connection:
                for entry in entries:
                    connection.execute(insert(staff_faqs).values(id=entry.id, **_faq_values(entry)))
                    self._audit(connection, actor, "create", "faq", entry.id, None, entry.to_json())
        except IntegrityError as exc:
            raise Duplicate("Mã FAQ đã có / an FAQ with this id exists.") from exc
        return entries

    def _write_faq(
        self,
        faq_id: str,
        version: int,
        actor: str,
        action: str,
        change: dict[str, Any],
    ) -> FaqEntry:
        with self.engine.begin() as connection:
            row = connection.execute(select(staff_faqs).where(staff_faqs.c.id == faq_id)).first()
            if row is None:
                raise NotFound(f"Không có câu hỏi thường gặp {faq_id!r} / no FAQ {faq_id!r}.")
            before = _faq(row)
            if before.version != version:
                raise StaleVersion(
                    f"Câu hỏi này vừa được {before.updated_by} sửa (phiên bản {before.version}); "
                    f"hãy tải lại / this FAQ was changed by {before.updated_by} "
                    f"(version {before.version}); reload it."
                )
            values = {
                **change,
                "version": version + 1,
                "updated_at": now_utc(),
                "updated_by": actor,
            }
            done = connection.execute(
                update(staff_faqs)
                .where(staff_faqs.c.id == faq_id, staff_faqs.c.version == version)
                .values(**values)
            )
            if not done.rowcount:  # another writer between our read and our write
                raise StaleVersion("Xung đột phiên bản / version conflict; reload it.")
            after = FaqEntry(**{**before.__dict__, **values})
            self._audit(connection, actor, action, "faq", faq_id, before.to_json(), after.to_json())
        return after

    def update_faq(
        self, faq_id: str, version: int, values: dict[str, Any], *, actor: str
    ) -> FaqEntry:
        return self._write_faq(faq_id, version, actor, "update", clean_faq_fields(values))

    def set_faq_status(
        self, faq_id: str, version: int, status: FaqStatus, *, actor: str
    ) -> FaqEntry:
        if status == "approved" and self.faq(faq_id).answer_vi.startswith(DRAFT_PLACEHOLDER):
            raise StaffError(
                "Hãy viết câu trả lời trước khi duyệt / write the answer before approving."
            )
        action = {"approved": "approve", "retired": "retire", "draft": "reopen"}[status]
        return self._write_faq(faq_id, version, actor, action, {"status": status})

    # -- local corrections -------------------------------------------------------------

    def corrections(self, code: str | None = None) -> list[Correction]:
        query = select(local_corrections).order_by(
            local_corrections.c.procedure_code, local_corrections.c.field
        )
        if code is not None:
            query = query.where(local_corrections.c.procedure_code == code)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            Correction(r.procedure_code, r.field, r.value, r.version, r.updated_by) for r in rows
        ]

    def corrections_stamp(self) -> tuple[Any, ...]:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(
                    func.count(),
                    func.max(local_corrections.c.updated_at),
                    func.sum(local_corrections.c.version),
                )
            ).one()
        return tuple(row)

    def set_correction(
        self, code: str, field_name: str, value: str, version: int, *, actor: str
    ) -> Correction:
        """Create (version 0: none yet) or change a correction; an empty value removes it."""
        code, value = code.strip(), value.strip()
        if field_name not in CORRECTION_FIELDS:
            raise StaffError(
                f"Trường sửa không hợp lệ / unknown field {field_name!r}; "
                f"one of {', '.join(CORRECTION_FIELDS)}."
            )
        if not code or len(code) > 64:
            raise StaffError("Mã thủ tục không hợp lệ / invalid procedure code.")
        if len(value) > 1000:
            raise StaffError("Giá trị quá dài (tối đa 1000 ký tự) / value too long (max 1000).")
        key = (local_corrections.c.procedure_code == code) & (
            local_corrections.c.field == field_name
        )
        with self.engine.begin() as connection:
            row = connection.execute(select(local_corrections).where(key)).first()
            current = 0 if row is None else int(row.version)
            if current != version:
                raise StaleVersion(
                    f"Thông tin này vừa được sửa (phiên bản {current}); hãy tải lại / "
                    f"changed meanwhile (version {current}); reload it."
                )
            before = None if row is None else row.value
            stamp = {"updated_at": now_utc(), "updated_by": actor, "version": version + 1}
            if row is None and value:
                connection.execute(
                    insert(local_corrections).values(
                        procedure_code=code, field=field_name, value=value, **stamp
                    )
                )
            elif row is not None and value:
                connection.execute(
                    update(local_corrections).where(key).values(value=value, **stamp)
                )
            elif row is not None:
                connection.execute(delete(local_corrections).where(key))
            action = "delete" if not value else ("create" if row is None else "update")
            self._audit(
                connection,
                actor,
                action,
                "correction",
                f"{code}:{field_name}",
                before,
                value or None,
            )
        return Correction(code, field_name, value, version + 1, actor)


DRAFT_PLACEHOLDER = "(Bản nháp — cần viết câu trả lời / draft — answer to be written)"
