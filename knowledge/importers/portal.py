"""Importer for National Public Service Portal records (dichvucong.gov.vn).

A portal record is a flat JSON object whose values are all strings (the fields are described
in ../shared/data/portal-procedures/README.md). `parse_record` turns one into a `Procedure`;
`import_portal` reads a whole file or folder of them and never stops for one bad record.

Choices worth knowing:
- Text is NFC-normalised (about 500 records spell Vietnamese with combining accents) and
  "Không có thông tin" (the portal's "nothing here") is treated as empty everywhere.
- A bare-number time ("1") takes its unit from its own row's description ("05 (năm) ngày
  làm việc"); otherwise the unit stays "unknown" with the value kept. The steps are not used:
  they often give "01 ngày làm việc" for one intermediate step, not for the whole procedure.
- Fees: the main amount is the label's amount, else the first non-zero amount of the note,
  else a fee amount in the row's description. Labels in đồng below 1.000 are the portal's
  thousands ("20 VNĐ" beside "20.000 đồng/tờ khai"), "1 VNĐ" is a placeholder, and a "155 VNĐ"
  label beside "155 USD/thẻ" is in dollars; each of these adds a warning. `valid_until` is the
  "đến hết ngày …" date of the main amount's own sentence (or of a note with no amount of its
  own, unless that sentence is about a reduction: "bằng 50% …"). `free` is only true when
  the label says "Miễn phí", no non-zero amount is written in the cell or its note, and the
  fee is not left to the provincial People's Council (`set_locally`).
- `online_level` is "partial" when the name, channels, steps or conditions say "trực tuyến
  một phần", "full" when they say "trực tuyến toàn trình" (and not "một phần"; the generic
  "đối với các TTHC đã toàn trình" does not count), "none" when the channels table has rows
  but none is online, and otherwise "unknown": an online row alone does not say whether the
  whole procedure can be done online.
- `result` keeps the result names (several are joined by new lines) and the "Mô tả" text
  when it says something; the result codes ("KQ.G15.000031") go to `result_code`, joined by
  ", "; the portal's page chrome ("Từ khóa", "Chọn cơ quan thực hiện…Nộp hồ sơ") is dropped,
  also from the conditions of the few records where it spilled there.
- `record_date` is left to the caller, who knows when the export was taken.
"""

from __future__ import annotations

import gzip
import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from knowledge.importers.base import ImportResult
from knowledge.importers.portal_tables import (
    AMOUNT_HINT_RE,
    DOCUMENT_HEADER,
    LEGAL_NUMBER_RE,
    NO_INFO,
    clean,
    clean_block,
    online_level_of,
    parse_channels,
    parse_documents,
    parse_legal_basis,
    parse_result,
    split_addresses,
    split_agencies,
    split_page_chrome,
    split_steps,
    split_top_level,
)
from knowledge.schema import Agencies, Channel, DocumentGroup, LegalRef, OnlineLevel, Procedure

FORMAT = "portal"
_FOLDER_SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz")
_UNIT_LABEL = {"working_days": "ngày làm việc", "days": "ngày", "hours": "giờ", "unknown": ""}
_CHANNEL_LABEL = {"in_person": "Trực tiếp", "online": "Trực tuyến", "post": "Dịch vụ bưu chính"}


def looks_like_portal_record(obj: object) -> bool:
    """True for a mapping that carries the portal's code and name fields."""
    return isinstance(obj, dict) and "ma_thu_tuc" in obj and "ten_thu_tuc" in obj


def _field(raw: dict[str, Any], key: str) -> str:
    """A field as NFC text: some records spell Vietnamese with combining accents."""
    value = raw.get(key)
    if value is None:
        return ""
    return unicodedata.normalize("NFC", value if isinstance(value, str) else str(value))


def _related(text: str) -> list[str]:
    """ "#Tên thủ tục1<name>#1Tên thủ tục<name>": the portal repeats each related name."""
    text = clean(text)
    if not text:
        return []
    pieces = text.replace("Tên thủ tục", "#").split("#")
    names = [clean(p.strip().strip("0123456789").strip()) for p in pieces]
    return list(dict.fromkeys(n for n in names if n))


def parse_record(raw: dict[str, str]) -> tuple[Procedure, list[str]]:
    """One portal record → (`Procedure`, warnings). Raises ValueError if it has no code/name."""
    if not isinstance(raw, dict):
        raise ValueError(f"expected a JSON object, got {type(raw).__name__}")
    code = clean(_field(raw, "ma_thu_tuc"))
    name = clean(_field(raw, "ten_thu_tuc"))
    if not code:
        raise ValueError("no procedure code (ma_thu_tuc)")
    if not name:
        raise ValueError(f"procedure {code} has no name (ten_thu_tuc)")
    warnings: list[str] = []

    channels_text = _field(raw, "cach_thuc_thuc_hien")
    channels, channel_warnings = parse_channels(channels_text)
    warnings += channel_warnings
    if clean(channels_text) and not channels:
        warnings.append("channels table: no row could be read")
    elif not any(c.fee.amounts for c in channels) and AMOUNT_HINT_RE.search(channels_text):
        warnings.append("channels table mentions an amount that was not read")

    documents_text = _field(raw, "thanh_phan_ho_so")
    documents = parse_documents(documents_text)
    if DOCUMENT_HEADER in documents_text and not documents:
        warnings.append("documents table: no document could be read")

    legal_text = _field(raw, "can_cu_phap_ly")
    legal_basis = parse_legal_basis(legal_text)
    if LEGAL_NUMBER_RE.search(legal_text) and not any(ref.number for ref in legal_basis):
        warnings.append("legal basis: no document number could be read")

    result, result_code = parse_result(_field(raw, "ket_qua_xu_ly"))
    steps = split_steps(_field(raw, "trinh_tu_thuc_hien"))
    online_level = _online_level(channels, raw)
    procedure = Procedure(
        code=code,
        name=name,
        field=clean(_field(raw, "linh_vuc")),
        levels=split_top_level(clean(_field(raw, "cap_thuc_hien"))),
        procedure_type=clean(_field(raw, "loai_thu_tuc")),
        agencies=Agencies(
            competent=split_agencies(_field(raw, "co_quan_co_tham_quyen")),
            implementing=split_agencies(_field(raw, "co_quan_thuc_hien")),
            receiving=split_addresses(_field(raw, "dia_chi_tiep_nhan")),
            authorized=split_agencies(_field(raw, "co_quan_duoc_uy_quyen")),
            coordinating=split_agencies(_field(raw, "co_quan_phoi_hop")),
        ),
        audience=split_top_level(clean(_field(raw, "doi_tuong_thuc_hien"))),
        steps=steps,
        channels=channels,
        documents=documents,
        legal_basis=legal_basis,
        # a few records carry the result's page chrome here ("…Từ khóa…Mô tả…Nộp hồ sơ")
        conditions=clean_block(split_page_chrome(_field(raw, "yeu_cau_dieu_kien"))[0]),
        result=result,
        result_code=result_code,
        online_level=online_level,
        related=_related(_field(raw, "thu_tuc_lien_quan")),
        source_url=clean(_field(raw, "detail_url")),
        decision=clean(_field(raw, "so_quyet_dinh")),
        catalogue=clean(_field(raw, "bo_nganh")),
    )
    procedure.full_text = full_text(procedure, raw)
    if not steps:
        warnings.append("no steps (trinh_tu_thuc_hien)")
    return procedure, warnings


def _online_level(channels: list[Channel], raw: dict[str, Any]) -> OnlineLevel:
    fields = ("ten_thu_tuc", "cach_thuc_thuc_hien", "trinh_tu_thuc_hien", "yeu_cau_dieu_kien")
    text = " ".join(_field(raw, key) for key in fields)
    level = online_level_of(text)
    if level == "unknown" and channels and all(c.channel != "online" for c in channels):
        return "none"
    return level


# ---------------------------------------------------------------------------------------------
# The whole record as text, for search


def _format_channel(channel: Channel) -> str:
    time = channel.processing_time
    if time.value is not None:
        value = f"{time.value:g}".replace(".", ",")
        time_text = (
            f"{value} {_UNIT_LABEL[time.unit]}".strip() if time.unit != "unknown" else time.raw
        )
    else:
        time_text = time.raw
    fee = channel.fee.label or ""
    if channel.fee.note:
        fee += f" ({channel.fee.note})"
    parts = [_CHANNEL_LABEL[channel.channel], time_text, fee, channel.note]
    return " – ".join(p for p in parts if p)


def _format_documents(groups: list[DocumentGroup]) -> list[str]:
    lines: list[str] = []
    for group in groups:
        if group.case:
            lines.append(group.case)
        for item in group.items:
            extra = ", ".join(p for p in (item.form, item.quantity) if p)
            lines.append(f"- {item.name}" + (f" ({extra})" if extra else ""))
    return lines


def _format_legal(refs: list[LegalRef]) -> list[str]:
    return [f"- {r.title} ({r.number})" if r.number else f"- {r.title}" for r in refs]


def full_text(procedure: Procedure, raw: dict[str, Any]) -> str:
    """The record as labelled Vietnamese text, without the portal's page chrome."""
    agencies = procedure.agencies
    facts = [
        ("Tên thủ tục", procedure.name),
        ("Mã thủ tục", procedure.code),
        ("Số quyết định", procedure.decision),
        ("Cấp thực hiện", ", ".join(procedure.levels)),
        ("Loại thủ tục", procedure.procedure_type),
        ("Lĩnh vực", procedure.field),
        ("Đối tượng thực hiện", ", ".join(procedure.audience)),
        ("Cơ quan có thẩm quyền", ", ".join(agencies.competent)),
        ("Cơ quan thực hiện", ", ".join(agencies.implementing)),
        ("Địa chỉ tiếp nhận hồ sơ", "; ".join(agencies.receiving)),
        ("Cơ quan được ủy quyền", ", ".join(agencies.authorized)),
        ("Cơ quan phối hợp", ", ".join(agencies.coordinating)),
        ("Thủ tục hành chính liên quan", "; ".join(procedure.related)),
    ]
    lines = [f"{label}: {value}" for label, value in facts if value]
    sections: list[tuple[str, list[str]]] = [
        ("Trình tự thực hiện", procedure.steps),
        ("Cách thức thực hiện", [_format_channel(c) for c in procedure.channels]),
        ("Thành phần hồ sơ", _format_documents(procedure.documents)),
        ("Căn cứ pháp lý", _format_legal(procedure.legal_basis)),
        ("Yêu cầu, điều kiện", [procedure.conditions] if procedure.conditions else []),
        ("Kết quả thực hiện", [procedure.result] if procedure.result else []),
    ]
    # A table that could not be cut into rows still goes to search as its raw text.
    fallbacks = {
        "Cách thức thực hiện": "cach_thuc_thuc_hien",
        "Thành phần hồ sơ": "thanh_phan_ho_so",
        "Căn cứ pháp lý": "can_cu_phap_ly",
    }
    for heading, body in sections:
        if not body and heading in fallbacks:
            raw_text = clean_block(_field(raw, fallbacks[heading]))
            body = [raw_text] if raw_text and not raw_text.startswith(NO_INFO) else []
        if body:
            lines.append(f"\n{heading}:")
            lines += body
    return "\n".join(lines).strip()


# ---------------------------------------------------------------------------------------------
# Files


def _open_text(path: Path) -> Any:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig")
    return path.open(encoding="utf-8-sig")


def _is_lines_file(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz"))


def _records_of_lines(path: Path) -> Iterator[tuple[str, Any, str | None]]:
    """(label, record or None, error) for each non-blank line of a JSON-lines file."""
    with _open_text(path) as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            label = f"{path.name}:{line_no}"
            try:
                yield label, json.loads(line), None
            except json.JSONDecodeError as exc:
                yield label, None, f"not valid JSON: {exc.msg} (column {exc.colno})"


def _records_of_document(path: Path) -> Iterator[tuple[str, Any, str | None]]:
    """(label, record or None, error) for a .json file holding one record or a list."""
    with _open_text(path) as fh:
        text = fh.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield path.name, None, f"not valid JSON: {exc.msg} (line {exc.lineno})"
        return
    if isinstance(data, list):
        for index, item in enumerate(data, start=1):
            yield f"{path.name}[{index}]", item, None
    else:
        yield path.name, data, None


def _label_of(label: str, record: Any) -> str:
    if isinstance(record, dict) and clean(_field(record, "ma_thu_tuc")):
        return clean(_field(record, "ma_thu_tuc"))
    return label


def _add(result: ImportResult, label: str, record: Any) -> None:
    if not isinstance(record, dict):
        result.error(label, f"expected a JSON object, got {type(record).__name__}")
        return
    label = _label_of(label, record)
    try:
        procedure, warnings = parse_record(record)
    except ValueError as exc:  # includes pydantic's ValidationError
        result.error(label, str(exc).splitlines()[0])
        return
    except Exception as exc:  # a parser bug must not stop the import of the other records
        result.error(label, f"could not parse this record ({type(exc).__name__}: {exc})")
        return
    result.procedures.append(procedure)
    for warning in warnings:
        result.warn(label, warning)


def _import_file(result: ImportResult, path: Path) -> None:
    reader = _records_of_lines if _is_lines_file(path) else _records_of_document
    try:
        for label, record, error in reader(path):
            if error is not None:
                result.error(label, error)
            else:
                _add(result, label, record)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        result.error(path.name, f"cannot read file: {type(exc).__name__}: {exc}")


def import_portal(path: Path) -> ImportResult:
    """Portal records from a .jsonl(.gz) file, a .json(.gz) file (one record or a list) or
    a folder of such files (not recursive). Bad lines and records become errors in the
    result; nothing here raises for one bad record."""
    path = Path(path)
    result = ImportResult(source=str(path), format=FORMAT)
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.is_file() and p.name.lower().endswith(_FOLDER_SUFFIXES)
        )
        if not files:
            result.warn(path.name, "no .json or .jsonl files in this folder")
        for file in files:
            _import_file(result, file)
        return result
    if not path.exists():
        result.error(path.name, "no such file or folder")
        return result
    _import_file(result, path)
    return result
