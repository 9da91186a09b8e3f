"""Sentences for answers: what a named unit is now, and where to file."""

from __future__ import annotations

from typing import Literal

from knowledge.places.labels import Language, label, listing
from knowledge.places.model import Resolution, Unit
from knowledge.places.resolve import merged_provinces
from knowledge.places.table import load_table

FilingLevel = Literal["commune", "province"]

_VI_LEAD = "Theo địa giới mới (từ 1/7/2025), "
_EN_LEAD = "Under the new boundaries (from 1 July 2025), "


def _old_path(r: Resolution, language: Language) -> str:
    parts: dict[tuple[str, str, str], Unit] = {}
    for unit in (r.unit, r.old_district, r.old_province):
        if unit is not None:
            parts.setdefault(unit.key, unit)
    return ", ".join(label(u, language) for u in parts.values())


def describe(r: Resolution, language: Language) -> str:
    """One sentence: what the named unit became ("" for a new province, named as it is)."""
    vi = language == "vi"
    lead = _VI_LEAD if vi else _EN_LEAD
    province = label(r.province, language)
    if r.alternatives:
        return _ambiguous(r, language)
    if r.unit.era == "new":
        if r.unit.level == "province":
            return _new_province(r, language)
        place = label(r.unit, language)
        return f"{lead}{place} {'thuộc' if vi else 'is in'} {province}."
    old = _old_path(r, language)
    if r.unit.level == "province":
        merged = merged_provinces(r.province)
        if not r.changed:
            keeps = "giữ nguyên tên và địa giới" if vi else "keeps its name and boundaries"
            return f"{lead}{old} {keeps}."
        if vi:
            text = f"{lead}{old} nay thuộc {province}"
            return f"{text} (hợp nhất {listing(merged, 'vi')})." if len(merged) > 1 else text + "."
        text = f"{lead}{old} is now part of {province}"
        return f"{text} (merged from {listing(merged, 'en')})." if len(merged) > 1 else text + "."
    if r.abolished:
        communes = listing(r.communes, language)
        if vi:
            return (
                f"{lead}không còn cấp huyện: {old} không còn tồn tại; địa bàn nay thuộc "
                f"{communes}, {province}."
            )
        return (
            f"{lead}there are no districts any more: {old} has been abolished; its area now "
            f"belongs to {communes}, {province}."
        )
    if len(r.communes) == 1:
        new = label(r.communes[0], language)
        now = "nay thuộc" if vi else "is now part of"
        return f"{lead}{old} {now} {new}, {province}."
    options = listing(r.communes, language)
    if vi:
        return f"{lead}{old} nay được chia vào {options} (tùy địa chỉ cụ thể), {province}."
    return f"{lead}{old} has been split between {options} (depending on the exact address), {province}."


def _new_province(r: Resolution, language: Language) -> str:
    merged = merged_provinces(r.province)
    if len(merged) < 2:
        return ""
    if language == "vi":
        return f"{_VI_LEAD}{label(r.province, 'vi')} gồm địa bàn {listing(merged, 'vi')} cũ."
    return f"{_EN_LEAD}{label(r.province, 'en')} covers the former {listing(merged, 'en')}."


def _ambiguous(r: Resolution, language: Language) -> str:
    units = (r.unit, *r.alternatives)
    where = listing(tuple(_province_of(r, u) for u in units), language)
    name = label(r.unit, language)
    if language == "vi":
        return (
            f"Có {len(units)} đơn vị tên “{name}” ({where}); vui lòng cho biết tỉnh/thành phố "
            "để chỉ đúng nơi nộp hồ sơ."
        )
    return (
        f"There are {len(units)} places called “{name}” ({where}); please say which "
        "province or city so we can tell you where to file."
    )


def _province_of(r: Resolution, unit: Unit) -> Unit:
    return load_table().province_of(unit) if unit is not r.unit else r.province


def office(r: Resolution, language: Language, level: FilingLevel | None) -> str:
    """Where to file: the commune's one-stop desk, the provincial Public Administration
    Service Centre, or (no level known) either."""
    vi = language == "vi"
    province = label(r.province, language)
    centre = (
        f"Trung tâm Phục vụ hành chính công {province}"
        if vi
        else f"the Public Administration Service Centre of {province}"
    )
    if len(r.communes) == 1 and not r.alternatives:
        commune = label(r.communes[0], language)
        desk = (
            f"Bộ phận Một cửa (Trung tâm phục vụ hành chính công) {commune}"
            if vi
            else f"the one-stop desk (Public Administration Service Centre) of {commune}"
        )
    else:
        desk = (
            f"Bộ phận Một cửa UBND xã/phường nơi cư trú thuộc {province}"
            if vi
            else f"the one-stop desk of the commune or ward where you live in {province}"
        )
    if level == "commune":
        target = desk
    elif level == "province":
        target = centre
    else:
        target = f"{desk} {'hoặc' if vi else 'or at'} {centre}"
    return f"Nộp hồ sơ tại {target}." if vi else f"File at {target}."
