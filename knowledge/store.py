"""The catalogue store: procedures, FAQs and guide documents behind SQLAlchemy.

SQLite file by default, PostgreSQL (or anything SQLAlchemy speaks) by URL. Records are kept
per source so that re-importing a source can update changed records and remove records
that are gone from it. When two sources carry the same procedure code, the one with the
higher priority wins (curated records written by staff outrank portal records).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import (
    JSON,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    distinct,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from knowledge.families import family_key
from knowledge.schema import FAQ, GuideDocument, Procedure

# Higher wins when the same procedure code comes from several sources.
PRIORITY_BY_FORMAT = {"curated": 20, "portal": 10}
PARSED_CACHE_SIZE = 4096  # parsed procedures kept per store (the whole of a province's list)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class _RecordColumns:
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(1024), index=True)
    key: Mapped[str] = mapped_column(String(255), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ProcedureRow(_RecordColumns, Base):
    __tablename__ = "procedures"
    __table_args__ = (UniqueConstraint("source", "key", name="uq_procedures_source_key"),)
    name: Mapped[str] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer, default=0)


class FAQRow(_RecordColumns, Base):
    __tablename__ = "faqs"
    __table_args__ = (UniqueConstraint("source", "key", name="uq_faqs_source_key"),)


class DocumentRow(_RecordColumns, Base):
    __tablename__ = "guide_documents"
    __table_args__ = (UniqueConstraint("source", "key", name="uq_documents_source_key"),)
    title: Mapped[str] = mapped_column(Text)


class SourceRow(Base):
    __tablename__ = "sources"
    path: Mapped[str] = mapped_column(String(1024), primary_key=True)
    format: Mapped[str] = mapped_column(String(32))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IndexSnapshotRow(Base):
    """The search index's in-memory state as the last process that updated it left it.

    `revision` goes up by one with every publish, so serving processes (on this host or
    another one sharing the database) notice a change with one tiny query and load `state`.
    """

    __tablename__ = "index_snapshots"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


@dataclass
class SyncCounts:
    """What one source's sync changed."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def __iadd__(self, other: SyncCounts) -> SyncCounts:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.removed += other.removed
        return self

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass(frozen=True)
class Change:
    """A record that a sync added, updated or removed (for index maintenance)."""

    kind: str  # "procedure" | "faq" | "document"
    key: str
    action: str  # "upsert" | "delete"


M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class _Table(Generic[M]):
    kind: str
    row: type[ProcedureRow] | type[FAQRow] | type[DocumentRow]
    model: type[M]


_PROCEDURES = _Table("procedure", ProcedureRow, Procedure)
_FAQS = _Table("faq", FAQRow, FAQ)
_DOCUMENTS = _Table("document", DocumentRow, GuideDocument)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


class CatalogueStore:
    """Read and write the catalogue. One instance per process; thread-safe sessions.

    `refresh_s`: how stale a procedure read may be. 0 (the default) checks the database on
    every read; a serving process sets about a second, so that reads come from memory and an
    ingest run by another process is seen within that time.
    """

    def __init__(
        self,
        url: str,
        *,
        refresh_s: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._parsed: OrderedDict[str, tuple[str, Procedure]] = OrderedDict()
        self.refresh_s = refresh_s
        self._clock = clock
        # What get_procedure answered per code while the catalogue's stamp stays the same.
        self._answers: OrderedDict[str, Procedure | None] = OrderedDict()
        self._stamp: tuple[Any, ...] | None = None
        self._generation = 0  # bumped whenever the remembered answers are dropped
        self._families: tuple[int, dict[str, list[str]]] | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    # -- writing ---------------------------------------------------------------------------

    def sync_source(
        self,
        source: str,
        fmt: str,
        *,
        procedures: Sequence[Procedure] = (),
        faqs: Sequence[FAQ] = (),
        documents: Sequence[GuideDocument] = (),
        summary: dict[str, Any] | None = None,
    ) -> tuple[SyncCounts, list[Change]]:
        """Make the store hold exactly these records for `source`, in one transaction."""
        counts = SyncCounts()
        changes: list[Change] = []
        priority = PRIORITY_BY_FORMAT.get(fmt, 0)
        with self.session() as session:
            for table, records in (
                (_PROCEDURES, procedures),
                (_FAQS, faqs),
                (_DOCUMENTS, documents),
            ):
                c, ch = self._sync_table(session, table, source, records, priority)
                counts += c
                changes.extend(ch)
            row = session.get(SourceRow, source)
            if row is None:
                row = SourceRow(path=source, format=fmt)
                session.add(row)
            row.format = fmt
            row.imported_at = _now()
            row.summary = summary or {}
        self._changed()
        return counts, changes

    def _sync_table(
        self,
        session: Session,
        table: _Table[Any],
        source: str,
        records: Iterable[Any],
        priority: int,
    ) -> tuple[SyncCounts, list[Change]]:
        counts = SyncCounts()
        changes: list[Change] = []
        row_type: Any = table.row
        existing: dict[str, Any] = {
            row.key: row
            for row in session.scalars(select(row_type).where(row_type.source == source))
        }
        seen: set[str] = set()
        for record in records:
            key = _key_of(record)
            if key in seen:
                continue  # a source listing the same key twice: the first one counts
            seen.add(key)
            digest = record.content_hash()
            row = existing.get(key)
            if row is not None and row.content_hash == digest:
                counts.unchanged += 1
                continue
            data = record.model_dump(mode="json")
            if row is None:
                row = row_type(source=source, key=key, content_hash=digest, data=data)
                session.add(row)
                counts.added += 1
            else:
                row.content_hash = digest
                row.data = data
                row.updated_at = _now()
                counts.updated += 1
            _fill_extra_columns(row, record, priority)
            changes.append(Change(table.kind, key, "upsert"))
        for key, row in existing.items():
            if key not in seen:
                session.delete(row)
                counts.removed += 1
                changes.append(Change(table.kind, key, "delete"))
        return counts, changes

    def remove_source(self, source: str) -> tuple[SyncCounts, list[Change]]:
        """Forget a source that no longer exists, and every record it brought."""
        counts, changes = self.sync_source(source, "removed")
        with self.session() as session:
            session.execute(delete(SourceRow).where(SourceRow.path == source))
        self._changed()
        return counts, changes

    def publish_index_snapshot(self, name: str, state: bytes) -> int:
        """Store a search index snapshot and bump its revision; returns the new revision."""
        with self.session() as session:
            row = session.get(IndexSnapshotRow, name, with_for_update=True)
            if row is None:
                row = IndexSnapshotRow(name=name, revision=0, state=b"")
                session.add(row)
            row.revision = (row.revision or 0) + 1
            row.state = state
            row.updated_at = _now()
            return row.revision

    def index_revision(self, name: str) -> int | None:
        """The revision of the published snapshot `name`; None when none was published."""
        with self.engine.connect() as connection:
            return connection.execute(
                select(IndexSnapshotRow.revision).where(IndexSnapshotRow.name == name)
            ).scalar_one_or_none()

    def index_snapshot(self, name: str) -> tuple[int, bytes] | None:
        """The published snapshot `name` as (revision, state), or None."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(IndexSnapshotRow.revision, IndexSnapshotRow.state).where(
                    IndexSnapshotRow.name == name
                )
            ).first()
        return (int(row.revision), bytes(row.state)) if row is not None else None

    def invalidate(self) -> None:
        """Check the database on the next read (the caller knows the catalogue changed)."""
        self._changed()

    # -- reading ---------------------------------------------------------------------------

    def sources(self) -> list[tuple[str, str, dict[str, Any]]]:
        with self.session() as session:
            rows = session.scalars(select(SourceRow).order_by(SourceRow.path))
            return [(r.path, r.format, dict(r.summary or {})) for r in rows]

    def stamp(self) -> tuple[Any, ...]:
        """Changes whenever a source is imported or removed (by any process)."""
        with self.engine.connect() as connection:
            row = connection.execute(select(func.count(), func.max(SourceRow.imported_at))).one()
        return tuple(row)

    def _revalidate(self) -> None:
        """Forget the remembered answers if the catalogue changed (checked at most every
        `refresh_s` seconds)."""
        now = self._clock()
        if self.refresh_s > 0 and now - self._checked_at < self.refresh_s:
            return
        stamp = self.stamp()
        with self._lock:
            self._checked_at = now
            if stamp != self._stamp:
                self._stamp = stamp
                self._forget_answers()

    def _changed(self) -> None:
        """This store wrote: its own next read must see the change."""
        with self._lock:
            self._forget_answers()
            self._checked_at = float("-inf")

    def _forget_answers(self) -> None:
        self._answers.clear()
        self._generation += 1

    def get_procedure(self, code: str) -> Procedure | None:
        """The procedure with this code (its highest-priority source), or None.

        Answers are remembered while the catalogue's stamp (see `stamp`) stays the same, and
        parsed records are cached by content hash, so a record is parsed again only when an
        ingest has changed it. Treat the returned object as read-only: callers share it.
        """
        self._revalidate()
        with self._lock:
            if code in self._answers:
                self._answers.move_to_end(code)
                return self._answers[code]
            generation = self._generation
        procedure = self._read_procedure(code)
        with self._lock:
            if generation != self._generation:  # the catalogue changed during the read
                return procedure
            self._answers[code] = procedure
            while len(self._answers) > PARSED_CACHE_SIZE:
                self._answers.popitem(last=False)
        return procedure

    def _read_procedure(self, code: str) -> Procedure | None:
        with self.session() as session:
            head = session.execute(
                select(ProcedureRow.id, ProcedureRow.content_hash)
                .where(ProcedureRow.key == code)
                .order_by(ProcedureRow.priority.desc(), ProcedureRow.updated_at.desc())
                .limit(1)
            ).first()
            if head is None:
                return None
            cached = self._parsed.get(code)
            if cached is not None and cached[0] == head.content_hash:
                self._parsed.move_to_end(code)
                return cached[1]
            data = session.scalar(select(ProcedureRow.data).where(ProcedureRow.id == head.id))
        procedure = Procedure.model_validate(data)
        self._parsed[code] = (head.content_hash, procedure)
        while len(self._parsed) > PARSED_CACHE_SIZE:
            self._parsed.popitem(last=False)
        return procedure

    def family_members(self, code: str) -> list[str]:
        """The codes sharing `code`'s family (its level twins, see knowledge/families.py),
        `code` included; read from the stored records once per catalogue change."""
        procedure = self.get_procedure(code)
        if procedure is None:
            return []
        with self._lock:
            cached = self._families
            generation = self._generation
        if cached is None or cached[0] != generation:
            families: dict[str, list[str]] = {}
            family = ProcedureRow.data["family"].as_string()
            with self.session() as session:
                for key, name, stored in session.execute(
                    select(ProcedureRow.key, ProcedureRow.name, family).distinct()
                ):
                    members = families.setdefault(stored or family_key(name), [])
                    if key not in members:
                        members.append(key)
            cached = (generation, families)
            with self._lock:
                self._families = cached
        return sorted(cached[1].get(procedure.family, [code]))

    def procedures(self) -> list[Procedure]:
        """Every procedure once (the highest-priority version of each code), by code."""
        best: dict[str, ProcedureRow] = {}
        with self.session() as session:
            for row in session.scalars(select(ProcedureRow)):
                current = best.get(row.key)
                if current is None or row.priority > current.priority:
                    best[row.key] = row
        return [Procedure.model_validate(best[k].data) for k in sorted(best)]

    def faqs(self) -> list[FAQ]:
        with self.session() as session:
            rows = session.scalars(select(FAQRow).order_by(FAQRow.key))
            return [FAQ.model_validate(r.data) for r in rows]

    def documents(self) -> list[GuideDocument]:
        with self.session() as session:
            rows = session.scalars(select(DocumentRow).order_by(DocumentRow.key))
            return [GuideDocument.model_validate(r.data) for r in rows]

    def counts(self) -> dict[str, int]:
        with self.session() as session:
            return {
                "procedures": session.scalar(select(func.count(distinct(ProcedureRow.key)))) or 0,
                "faqs": session.scalar(select(func.count()).select_from(FAQRow)) or 0,
                "documents": session.scalar(select(func.count()).select_from(DocumentRow)) or 0,
            }


def _key_of(record: BaseModel) -> str:
    if isinstance(record, Procedure):
        return record.code
    if isinstance(record, FAQ | GuideDocument):
        return record.id
    raise TypeError(f"not a catalogue record: {type(record).__name__}")


def _fill_extra_columns(row: Any, record: BaseModel, priority: int) -> None:
    if isinstance(row, ProcedureRow) and isinstance(record, Procedure):
        row.name = record.name
        row.priority = priority
    elif isinstance(row, DocumentRow) and isinstance(record, GuideDocument):
        row.title = record.title
