"""FAQ CSV import and export.

Columns: `id, questions, answer_vi, answer_en, procedure_codes, source_url, review_on,
expires_on` (+ `status` on export, ignored on import). Question variants are separated by
" | ", procedure codes by ";". An import is checked whole first — header, encoding, every
row — and either every row is created (as drafts, in one transaction) or none is, with a
per-row error report.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from staff.curation import words
from staff.store import FaqEntry, StaffError, clean_faq_fields

COLUMNS = (
    "id",
    "questions",
    "answer_vi",
    "answer_en",
    "procedure_codes",
    "source_url",
    "review_on",
    "expires_on",
)
EXPORT_COLUMNS = (*COLUMNS, "status", "version")
REQUIRED = ("questions", "answer_vi")
MAX_ROWS = 2000
MAX_FIELD_CHARS = 5000
QUESTION_SEPARATOR = " | "


@dataclass
class RowError:
    row: int  # 1 = the header, 2 = the first data row (as spreadsheets number them)
    problem: str
    column: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "problem": self.problem}


@dataclass
class ParsedImport:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def export_csv(entries: list[FaqEntry]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e.id,
                QUESTION_SEPARATOR.join(e.questions),
                e.answer_vi,
                e.answer_en,
                ";".join(e.procedure_codes),
                e.source_url,
                e.review_on.isoformat() if e.review_on else "",
                e.expires_on.isoformat() if e.expires_on else "",
                e.status,
                e.version,
            ]
        )
    return "\ufeff" + buffer.getvalue()  # a BOM, so spreadsheet programs read UTF-8


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StaffError(
            f"Tệp không phải UTF-8 (byte lỗi ở vị trí {exc.start}); hãy lưu lại dạng "
            f"'CSV UTF-8' / the file is not UTF-8 (bad byte at offset {exc.start}); "
            "save it as 'CSV UTF-8'."
        ) from exc


def parse_import(data: bytes, existing: list[FaqEntry]) -> ParsedImport:
    """Every row checked; `errors` empty means all rows can be created."""
    text = decode(data)
    result = ParsedImport()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        result.errors.append(RowError(1, "Tệp rỗng / the file is empty."))
        return result
    except csv.Error as exc:
        result.errors.append(RowError(1, f"CSV hỏng / broken CSV: {exc}"))
        return result
    allowed = {*COLUMNS, "status", "version"}
    unknown = [h for h in header if h not in allowed]
    missing = [c for c in REQUIRED if c not in header]
    if unknown or missing or len(set(header)) != len(header):
        problems = []
        if unknown:
            problems.append(f"cột lạ / unknown columns: {', '.join(unknown)}")
        if missing:
            problems.append(f"thiếu cột / missing columns: {', '.join(missing)}")
        if len(set(header)) != len(header):
            problems.append("cột bị lặp / duplicate columns")
        expected = ", ".join(COLUMNS)
        result.errors.append(
            RowError(1, f"{'; '.join(problems)} (cần / expected: {expected})", "header")
        )
        return result
    seen: dict[str, str] = {}
    for entry in existing:
        for q in entry.questions:
            seen.setdefault(" ".join(words(q)), f"FAQ {entry.id}")
    ids = {e.id for e in existing}
    try:
        for number, cells in enumerate(reader, start=2):
            if number - 1 > MAX_ROWS:
                result.errors.append(
                    RowError(number, f"Tối đa {MAX_ROWS} dòng / at most {MAX_ROWS} rows.")
                )
                break
            if not any(c.strip() for c in cells):
                continue
            _parse_row(number, header, cells, seen, ids, result)
    except csv.Error as exc:
        result.errors.append(RowError(reader.line_num, f"CSV hỏng / broken CSV: {exc}"))
    if not result.rows and not result.errors:
        result.errors.append(RowError(2, "Không có dòng dữ liệu / no data rows."))
    return result


def _parse_row(
    number: int,
    header: list[str],
    cells: list[str],
    seen: dict[str, str],
    ids: set[str],
    result: ParsedImport,
) -> None:
    if len(cells) != len(header):
        result.errors.append(
            RowError(
                number,
                f"Có {len(cells)} ô, cần {len(header)} / {len(cells)} cells, "
                f"expected {len(header)}.",
            )
        )
        return
    raw = dict(zip(header, (c.strip() for c in cells), strict=True))
    for column, value in raw.items():
        if len(value) > MAX_FIELD_CHARS:
            result.errors.append(
                RowError(
                    number,
                    f"Ô quá dài ({len(value)} ký tự, tối đa {MAX_FIELD_CHARS}) / "
                    f"cell too long ({len(value)} characters, max {MAX_FIELD_CHARS}).",
                    column,
                )
            )
            return
    values: dict[str, Any] = {
        "questions": [q for q in raw["questions"].split("|")],
        "answer_vi": raw["answer_vi"],
    }
    for column in ("answer_en", "source_url", "review_on", "expires_on"):
        if column in raw:
            values[column] = raw[column]
    if "procedure_codes" in raw:
        values["procedure_codes"] = [c for c in raw["procedure_codes"].replace(",", ";").split(";")]
    try:
        cleaned = clean_faq_fields(values)
    except StaffError as exc:
        result.errors.append(RowError(number, str(exc)))
        return
    faq_id = raw.get("id", "")
    if faq_id and faq_id in ids:
        result.errors.append(RowError(number, f"Mã đã có / id exists: {faq_id}", "id"))
        return
    for q in cleaned["questions"]:
        key = " ".join(words(q))
        if key in seen:
            result.errors.append(
                RowError(
                    number,
                    f"Câu hỏi trùng với {seen[key]} / duplicate question (as {seen[key]}): {q}",
                    "questions",
                )
            )
            return
    for q in cleaned["questions"]:
        seen[" ".join(words(q))] = f"dòng {number} / row {number}"
    if faq_id:
        ids.add(faq_id)
        cleaned["id"] = faq_id
    result.rows.append(cleaned)
