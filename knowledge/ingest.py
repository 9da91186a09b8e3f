"""Ingest: find sources under the given paths, detect their format, import and sync the store.

Idempotent per source: unchanged records cost nothing, changed ones are updated, records
gone from a source are removed, and sources gone from an ingested folder are forgotten.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.importers.base import ImportResult
from knowledge.importers.documents import DOCUMENT_SUFFIXES, import_document
from knowledge.importers.portal import import_portal, looks_like_portal_record
from knowledge.importers.structured import import_faq_csv, import_structured
from knowledge.store import CatalogueStore, Change, SyncCounts

STRUCTURED_SUFFIXES = frozenset({".yaml", ".yml"})
Importer = Callable[[Path], ImportResult]


class IngestError(ValueError):
    """A problem with the request itself (e.g. a path that does not exist)."""


@dataclass
class SourceOutcome:
    result: ImportResult
    counts: SyncCounts

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.result.source,
            "format": self.result.format,
            "procedures": len(self.result.procedures),
            "faqs": len(self.result.faqs),
            "documents": len(self.result.documents),
            "failed": self.result.failed,
            "warnings": self.result.warnings,
            "added": self.counts.added,
            "updated": self.counts.updated,
            "unchanged": self.counts.unchanged,
            "removed": self.counts.removed,
        }


@dataclass
class IngestSummary:
    outcomes: list[SourceOutcome] = field(default_factory=list)
    forgotten: list[str] = field(default_factory=list)  # sources gone from an ingested folder
    forgotten_counts: SyncCounts = field(default_factory=SyncCounts)
    changes: list[Change] = field(default_factory=list)
    report_path: Path | None = None

    def totals(self) -> SyncCounts:
        counts = SyncCounts()
        for outcome in self.outcomes:
            counts += outcome.counts
        counts += self.forgotten_counts
        return counts

    def as_dict(self) -> dict[str, Any]:
        totals = self.totals()
        sources = [o.as_dict() for o in self.outcomes]

        def total(key: str) -> int:
            return sum(int(source[key]) for source in sources)

        return {
            "procedures": total("procedures"),
            "faqs": total("faqs"),
            "documents": total("documents"),
            "failed": total("failed"),
            "warnings": total("warnings"),
            "added": totals.added,
            "updated": totals.updated,
            "unchanged": totals.unchanged,
            "removed": totals.removed,
            "sources": sources,
            "forgotten_sources": self.forgotten,
            "report": str(self.report_path) if self.report_path else None,
        }

    def problems(self) -> list[dict[str, str]]:
        return [p.as_dict() for o in self.outcomes for p in o.result.problems]


def _first_json_object(path: Path) -> Any:
    """The first record of a .json file, for format detection (None if unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, EOFError):
        return None
    if isinstance(data, list):
        return data[0] if data else None
    return data


def importer_for(path: Path) -> Importer | None:
    """Pick the importer for one file by its suffix and, for JSON, its content."""
    name = path.name.lower()
    suffix = path.suffix.lower()
    if name.endswith((".jsonl", ".jsonl.gz", ".json.gz")):
        return import_portal
    if suffix == ".json":
        first = _first_json_object(path)
        return import_portal if looks_like_portal_record(first) else import_structured
    if suffix in STRUCTURED_SUFFIXES:
        return import_structured
    if suffix == ".csv":
        return import_faq_csv
    if suffix in DOCUMENT_SUFFIXES:
        return import_document
    return None


def import_file(path: Path) -> ImportResult:
    """Import one file with the importer its type calls for; an unknown type is one error."""
    importer = importer_for(path)
    if importer is None:
        result = ImportResult(source=str(path), format="unknown")
        result.error(path.name, f"unsupported file type {path.suffix or '(none)'}")
        return result
    return importer(path)


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Files to import under `paths` (sorted, unique) and the folders that were walked."""
    files: dict[Path, None] = {}
    folders: list[Path] = []
    for raw in paths:
        path = raw.expanduser()
        if not path.exists():
            raise IngestError(f"Không tìm thấy / not found: {raw}")
        path = path.resolve()
        if path.is_dir():
            folders.append(path)
            for child in sorted(path.rglob("*")):
                if child.is_file() and not child.name.startswith(".") and importer_for(child):
                    files[child] = None
        else:
            files[path] = None
    return list(files), folders


ProgressCallback = Callable[[str, int, int], None]


def ingest(
    store: CatalogueStore,
    paths: Sequence[Path],
    *,
    record_date: dt.date | None = None,
    report_dir: Path | None = None,
    progress: ProgressCallback | None = None,
) -> IngestSummary:
    """Import every source under `paths` into `store`. Raises IngestError for bad requests."""
    files, folders = discover(paths)
    summary = IngestSummary()
    for index, path in enumerate(files):
        if progress:
            progress(str(path), index, len(files))
        result = import_file(path)
        if record_date is not None:
            for procedure in result.procedures:
                if procedure.record_date is None:
                    procedure.record_date = record_date
        counts, changes = store.sync_source(
            str(path),
            result.format,
            procedures=result.procedures,
            faqs=result.faqs,
            documents=result.documents,
            summary={"failed": result.failed, "warnings": result.warnings},
        )
        summary.outcomes.append(SourceOutcome(result, counts))
        summary.changes.extend(changes)
    if progress:
        progress("", len(files), len(files))
    _forget_vanished_sources(store, files, folders, summary)
    if report_dir is not None:
        summary.report_path = write_report(summary, report_dir)
    return summary


def _forget_vanished_sources(
    store: CatalogueStore, files: list[Path], folders: list[Path], summary: IngestSummary
) -> None:
    present = {str(f) for f in files}
    for source, _fmt, _ in store.sources():
        source_path = Path(source)
        inside = any(source_path.is_relative_to(folder) for folder in folders)
        if inside and source not in present:
            counts, changes = store.remove_source(source)
            summary.forgotten.append(source)
            summary.forgotten_counts += counts
            summary.changes.extend(changes)


def write_report(summary: IngestSummary, report_dir: Path) -> Path:
    """Write the parse report (summary + every problem) as JSON and return its path."""
    report_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = report_dir / f"ingest-{stamp}.json"
    overview = {**summary.as_dict(), "report": str(path)}
    body = {"summary": overview, "problems": summary.problems()}
    path.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
