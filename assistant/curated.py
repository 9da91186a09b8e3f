"""What staff curate, as the `Assistant` sees it: approved FAQs and local corrections.

The assistant knows only this protocol; `staff.curation.StaffCuration` implements it over
the staff tables. Without a curation the assistant answers from the catalogue alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from assistant.reply import Language


@dataclass(frozen=True)
class CuratedAnswer:
    """An approved, unexpired FAQ that closely matches the question."""

    faq_id: str
    answer_vi: str
    answer_en: str
    procedure_codes: tuple[str, ...]
    source_url: str
    score: float

    def text(self, language: Language) -> str:
        return self.answer_en if language == "en" and self.answer_en else self.answer_vi


@dataclass(frozen=True)
class LocalFact:
    """A staff correction of one field of a procedure (fee, office address/hours, hotline)."""

    field: str
    value: str


class Curation(Protocol):
    def match_faq(self, text: str) -> CuratedAnswer | None: ...

    def local_facts(self, procedure_code: str) -> list[LocalFact]: ...


STAFF_APPROVED = {
    "vi": "Câu trả lời đã được cán bộ phê duyệt",
    "en": "Staff-approved answer",
}
LOCAL_INFO = {"vi": "Thông tin địa phương (cán bộ cập nhật)", "en": "Local information (staff)"}
FACT_LABELS = {
    "fee": {"vi": "Lệ phí tại địa phương", "en": "Local fee"},
    "office_address": {"vi": "Địa chỉ nơi nộp", "en": "Office address"},
    "office_hours": {"vi": "Giờ làm việc", "en": "Office hours"},
    "hotline": {"vi": "Đường dây nóng", "en": "Hotline"},
}
# Which facts an answer about an aspect shows (every fact for a general answer).
FACTS_FOR_ASPECT = {
    "fee": ("fee",),
    "where": ("office_address", "office_hours", "hotline"),
    "steps": ("office_address", "office_hours"),
    "online": ("hotline",),
}


def local_info_block(facts: list[LocalFact], aspect: str, language: Language) -> str:
    """The lines appended to an answer; empty when no fact concerns the aspect."""
    wanted = None if aspect == "general" else FACTS_FOR_ASPECT.get(aspect, ())
    shown = [f for f in facts if wanted is None or f.field in wanted]
    if not shown:
        return ""
    lang = "en" if language == "en" else "vi"
    lines = [f"{LOCAL_INFO[lang]}:"]
    lines += [f"- {FACT_LABELS.get(f.field, {}).get(lang, f.field)}: {f.value}" for f in shown]
    return "\n".join(lines)
