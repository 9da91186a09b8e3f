"""Importers for the project's own formats: curated procedures (YAML/JSON) and FAQs (YAML/JSON/CSV).

Curated procedure files hold one `Procedure` mapping, a list of them, or `{"procedures": [...]}`;
FAQ files hold one `FAQ`, a list, or `{"faqs": [...]}`; a file may carry both lists. The
field names are those of `knowledge.schema` (documented in docs/corpus-format.md).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.importers.base import ImportResult
from knowledge.schema import FAQ, Procedure

LIST_SEPARATORS = ("|", "\n", ";")


class UnreadableFile(ValueError):
    """The file is not valid YAML/JSON/CSV at all."""


def load_structured(path: Path) -> Any:
    """Parse a YAML or JSON file into Python data, with a one-sentence error on failure."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"not valid JSON: {exc.msg} (line {exc.lineno})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UnreadableFile(f"not valid YAML: {problem}{where}") from exc


def describe_validation_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "record"
        message = err["msg"]
        if err["type"] == "string_type" and err["loc"][-1:] == ("code",):
            message += ' (quote procedure codes in YAML: code: "1.001193")'
        parts.append(f"{where}: {message}")
    more = len(exc.errors()) - 5
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def classify(obj: Any) -> str | None:
    """'procedure', 'faq', 'portal' or None for one record-like mapping."""
    if not isinstance(obj, dict):
        return None
    if "ma_thu_tuc" in obj and "ten_thu_tuc" in obj:
        return "portal"
    if "questions" in obj and ("answer_vi" in obj or "answer" in obj):
        return "faq"
    if "code" in obj and "name" in obj:
        return "procedure"
    return None


def records_of(data: Any) -> tuple[list[Any], list[Any]]:
    """Split loaded data into (procedure-like items, faq-like items)."""
    if isinstance(data, dict) and ("procedures" in data or "faqs" in data):
        return list(data.get("procedures") or []), list(data.get("faqs") or [])
    items = data if isinstance(data, list) else [data]
    procedures = [i for i in items if classify(i) != "faq"]
    faqs = [i for i in items if classify(i) == "faq"]
    return procedures, faqs


def _label(item: Any, index: int, key: str) -> str:
    if isinstance(item, dict) and item.get(key):
        return str(item[key])
    return f"item {index + 1}"


def add_procedures(result: ImportResult, items: list[Any]) -> None:
    for index, item in enumerate(items):
        label = _label(item, index, "code")
        if not isinstance(item, dict):
            result.error(
                label, f"expected a mapping of procedure fields, got {type(item).__name__}"
            )
            continue
        try:
            result.procedures.append(Procedure.model_validate(item))
        except ValidationError as exc:
            result.error(label, describe_validation_error(exc))


def add_faqs(result: ImportResult, items: list[Any]) -> None:
    for index, item in enumerate(items):
        label = _label(item, index, "id")
        if not isinstance(item, dict):
            result.error(label, f"expected a mapping of FAQ fields, got {type(item).__name__}")
            continue
        try:
            faq = FAQ.model_validate(item)
        except ValidationError as exc:
            result.error(label, describe_validation_error(exc))
            continue
        if faq.is_expired():
            result.warn(label, f"expired on {faq.expires_on}: kept, but not used in answers")
        result.faqs.append(faq)


def import_structured(path: Path) -> ImportResult:
    """A curated YAML/JSON file of procedures and/or FAQs."""
    result = ImportResult(source=str(path), format="curated")
    try:
        data = load_structured(path)
    except UnreadableFile as exc:
        result.error(path.name, str(exc))
        return result
    if data is None:
        result.warn(path.name, "empty file")
        return result
    procedures, faqs = records_of(data)
    add_procedures(result, procedures)
    add_faqs(result, faqs)
    return result


def _split_list(value: str) -> list[str]:
    for sep in LIST_SEPARATORS:
        if sep in value:
            return [v.strip() for v in value.split(sep) if v.strip()]
    return [value.strip()] if value.strip() else []


def _split_codes(value: str) -> list[str]:
    return [v.strip() for v in value.replace(";", ",").replace("|", ",").split(",") if v.strip()]


def faq_from_csv_row(row: dict[str, str]) -> dict[str, Any]:
    """Map a CSV row to FAQ fields. Lists: questions split on | or new lines; codes on , ; |."""
    clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
    data: dict[str, Any] = {
        "id": clean.get("id", ""),
        "questions": _split_list(clean.get("questions", clean.get("question", ""))),
        "answer_vi": clean.get("answer_vi", clean.get("answer", "")),
        "answer_en": clean.get("answer_en", ""),
        "procedure_codes": _split_codes(clean.get("procedure_codes", "")),
        "source_url": clean.get("source_url", ""),
        "reviewer": clean.get("reviewer", ""),
    }
    for date_field in ("reviewed_on", "expires_on"):
        if clean.get(date_field):
            data[date_field] = clean[date_field]
    return data


def import_faq_csv(path: Path) -> ImportResult:
    result = ImportResult(source=str(path), format="curated")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        result.error(path.name, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        return result
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "id" not in [f.strip().lower() for f in reader.fieldnames]:
        result.error(path.name, "CSV needs a header row with at least: id, questions, answer_vi")
        return result
    rows = []
    for line_no, row in enumerate(reader, start=2):
        data = faq_from_csv_row(row)
        if not data["id"]:
            data["id"] = f"{path.stem}-{line_no}"
        rows.append(data)
    add_faqs(result, rows)
    return result
