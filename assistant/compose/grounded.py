"""Grounded answers: one procedure record + the aspect asked + the language → the reply text.

No LLM. Every fee, duration, document and requirement in the text is read from the record;
the fixed framing lives in `assistant.compose.templates` and contains no numbers. Besides the
record's own numbers the text only holds list enumerators ("1.", "2.") and plain item counts
("… và 3 mục khác", "4 giấy tờ"). Lists and long texts are capped for a phone screen.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from assistant.compose import templates as T
from assistant.compose.templates import phrase
from assistant.reply import Citation, Language, QuickReply
from knowledge.render import format_number, format_vnd
from knowledge.schema import Channel, ChannelKind, DocumentGroup, DocumentItem, Fee, Procedure
from knowledge.search.aspects import ASPECTS, Aspect
from knowledge.text import fold
from knowledge.text.glossary import english_gloss

MAX_ITEMS: Final = 8  # documents, steps, legal references shown before "… và N mục khác"
LIST_BUDGET: Final = 950  # characters one list may take before it is cut (at least 3 items)
MIN_ITEMS: Final = 3
ROWS_BUDGET: Final = 1100  # characters of channel rows (fee, time) with their notes
MAX_PLACES: Final = 3  # agencies or addresses per line
MAX_CASE_BUTTONS: Final = 3
MAX_CASES_LISTED: Final = 5

# The order in which other aspects are offered as quick replies.
QUICK_REPLY_ORDER: Final[tuple[Aspect, ...]] = (
    "documents",
    "fee",
    "processing_time",
    "where",
    "online",
    "steps",
)

_NO_INFO: Final = frozenset({"", "khong co thong tin", "khong", "khong quy dinh"})
_KIND_HEADING_RE: Final = re.compile(
    r"^[\s*\-+.]*(?:[a-z]\)\s*)?(?:cac\s+)?"
    r"(?:giay to phai (?:nop|xuat trinh)|thanh phan ho so|bao gom|luu y)(?![a-z])"
)
# Headings that hold only advice, not documents to bring.
_NOTE_HEADING_RE: Final = re.compile(r"^[\s*\-+.]*(?:[a-z]\)\s*)?(?:luu y|ghi chu|chu y)(?![a-z])")
# A case heading that is really the main list: "Hồ sơ đăng ký tạm trú gồm", "Hồ sơ của người
# nhận con nuôi" — what everyone brings, under a heading the importer read as a case.
_MAIN_LIST_RE: Final = re.compile(r"^[\s*\-+.]*(?:\d{1,2}[.)]\s*)?ho so (?:cua |[a-z ]{0,60}gom\b)")
_SENTENCE_END_RE: Final = re.compile(r"[.;!?](?=\s)|\n")
_STEP_PREFIX_RE: Final = re.compile(
    r"^\s*(?:bước\s*)?\d{1,2}(?:\.\d{1,2})*\s*[:.)\-–](?!\d)\s*", re.IGNORECASE
)
_ENUMERATOR_RE: Final = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2})*|[a-zđ]|[ivx]{1,4})\s*[.)](?!\d)\s*", re.IGNORECASE
)
_ZERO_COUNT_RE: Final = re.compile(r"^0+\s")
_FEE_WORDS_RE: Final = re.compile(r"(?<![a-z])(?:phi|dong|usd|mien)(?![a-z])")
_TIME_WORDS_RE: Final = re.compile(r"(?<![a-z])(?:ngay|gio|thang|thoi han|lam viec|tuan)(?![a-z])")
_PORTAL_CODE_RE: Final = re.compile(r"^\d\.\d{6}$")


@dataclass
class Composed:
    """A grounded answer: the text, its one citation, buttons, and the aspect answered."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    quick_replies: list[QuickReply] = field(default_factory=list)
    section: str = "general"


def compose_answer(
    procedure: Procedure, aspect: Aspect, language: Language, *, case: str | None = None
) -> Composed:
    """The reply about `aspect` of `procedure` in `language`, ending with its source.

    `case` (documents only) picks the documents of one case (trường hợp), matched loosely
    against the record's case headings; a quick reply of a documents answer asks for it.
    """
    lang: Language = "en" if language == "en" else "vi"
    if aspect not in ASPECTS:
        aspect = "general"
    body, extra_buttons = _body(procedure, aspect, lang, case)
    title = T.ASPECT_TITLE[aspect][lang]
    name = clip(procedure.name, 90)
    gloss = english_gloss(procedure.name) if lang == "en" else ""
    header = phrase("header", lang, title=title, name=f"{name} ({gloss})" if gloss else name)
    text = f"{header}\n{body.strip()}\n\n{source_line(procedure, lang)}"
    buttons = extra_buttons + _aspect_buttons(aspect, lang, 5 - len(extra_buttons))
    citation = Citation(
        procedure_code=procedure.code,
        name=procedure.name,
        section=aspect,
        url=source_url(procedure),
    )
    return Composed(text=text, citations=[citation], quick_replies=buttons, section=aspect)


def _body(
    p: Procedure, aspect: Aspect, lang: Language, case: str | None
) -> tuple[str, list[QuickReply]]:
    if aspect == "documents":
        return documents_text(p, lang, case)
    if aspect == "general":
        return general_text(p, lang), []
    builders = {
        "fee": fee_text,
        "processing_time": time_text,
        "steps": steps_text,
        "where": where_text,
        "conditions": conditions_text,
        "legal_basis": legal_text,
        "result": result_text,
        "online": online_text,
    }
    return builders[aspect](p, lang), []


# ---------------------------------------------------------------------------------------------
# Small text helpers


def squash(text: str) -> str:
    """Collapse runs of spaces in each line and drop empty lines."""
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def tidy(text: str) -> str:
    """`squash` without private-use symbols (Wingdings ticks) or a leading bullet."""
    if not text.isascii():
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Co")
    return squash(text).lstrip("-–—•+*·▪●◦> ")


def heading(text: str) -> str:
    """A case heading without its enumerator ("2.", "a)") or trailing colon."""
    text = tidy(text)
    while True:
        stripped = _ENUMERATOR_RE.sub("", text, count=1).lstrip("-–—•+*·▪●◦> ")
        if stripped == text:
            return text.rstrip(" :")
        text = stripped


def clip(text: str, limit: int) -> str:
    """`text` cut to about `limit` characters at a sentence end, else at a word, with "…".

    A cut never leaves a number in the last two words: "ngày 10 tháng 7 năm 2024" cut after
    "10 tháng" would read as a duration of ten months.
    """
    text = squash(text)
    if len(text) <= limit:
        return text
    window = text[:limit]
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(window)]
    if ends and ends[-1] >= limit // 2:
        return window[: ends[-1]].rstrip(" ;\n") + " …"
    words = window.split(" ")
    if len(words) > 1 and text[limit] != " ":
        words = words[:-1]  # the last word was cut
    while len(words) > 1 and any(ch.isdigit() for ch in "".join(words[-2:])):
        words = words[:-1]
    if len(words) == 1 and len(words[0]) > limit:
        words = [window]
    return " ".join(words).rstrip(" ,;:-–—(\n") + "…"


def _is_no_info(text: str) -> bool:
    return fold(text).strip(" .") in _NO_INFO


def fit_count(lines: Sequence[str], max_items: int = MAX_ITEMS, budget: int = LIST_BUDGET) -> int:
    """How many of `lines` to show: at most `max_items`, within `budget` after `MIN_ITEMS`."""
    used = 0
    for index, line in enumerate(lines):
        if index >= max_items or (index >= MIN_ITEMS and used + len(line) > budget):
            return index
        used += len(line) + 1
    return len(lines)


def bounded(
    lines: Sequence[str], lang: Language, max_items: int = MAX_ITEMS, budget: int = LIST_BUDGET
) -> list[str]:
    """The first lines that fit (see `fit_count`), then "… và N mục khác"."""
    count = fit_count(lines, max_items, budget)
    shown = list(lines[:count])
    if count < len(lines):
        shown.append(phrase("more_items", lang, n=len(lines) - count))
    return shown


def _join_places(places: Sequence[str], lang: Language) -> str:
    shown = [clip(place, 120) for place in places[:MAX_PLACES]]
    text = "; ".join(shown)
    if len(places) > MAX_PLACES:
        text += " " + phrase("more_places", lang, n=len(places) - MAX_PLACES)
    return text


def _date(value: object) -> str:
    return f"{value:%d/%m/%Y}"


def source_url(p: Procedure) -> str:
    """The record's page; for a portal code without one, the portal's lookup by code."""
    if p.source_url:
        return p.source_url
    if _PORTAL_CODE_RE.match(p.code):
        return T.PORTAL_LOOKUP_URL.format(code=p.code)
    return ""


def source_line(p: Procedure, lang: Language) -> str:
    """ "Nguồn: <name> (mã <code>), dữ liệu ngày dd/mm/yyyy" and the URL on the next line."""
    if p.record_date:
        dated = phrase("dated", lang, date=_date(p.record_date))
    else:
        dated = phrase("undated", lang)
    line = phrase("source", lang, name=clip(p.name, 160), code=p.code, dated=dated)
    url = source_url(p)
    return f"{line}\n{url}" if url else line


# ---------------------------------------------------------------------------------------------
# Channels: fee and processing time


def channel_names(kinds: Sequence[ChannelKind], lang: Language) -> str:
    names = [T.CHANNEL[kind][lang] for kind in kinds]
    if lang == "en":
        names = names[:1] + [name[:1].lower() + name[1:] for name in names[1:]]
    return ", ".join(names)


def merge_rows(rows: Iterable[tuple[ChannelKind, str]], lang: Language) -> list[str]:
    """ "- Trực tiếp, Trực tuyến: 70.000 đồng": channels with the same text share one line."""
    merged: dict[str, list[ChannelKind]] = {}
    for kind, value in rows:
        kinds = merged.setdefault(value, [])
        if kind not in kinds:
            kinds.append(kind)
    return [f"- {channel_names(kinds, lang)}: {value}" for value, kinds in merged.items()]


def _mentions_local_council(text: str) -> bool:
    folded = fold(text)
    return "hdnd" in folded or "hoi dong nhan dan" in folded


def _amount_digits(amount: int) -> str:
    return format_vnd(amount).removesuffix(" đồng")


def fee_value(fee: Fee, lang: Language) -> tuple[str, str] | None:
    """(the fee as the record states it, the note not yet used) or None when nothing is known."""
    text = clip(fee.amount_text, 300)
    note = squash(fee.note)
    if fee.amount_vnd is not None:
        if text and _amount_digits(fee.amount_vnd) in text:
            value = text
        else:
            value = format_vnd(fee.amount_vnd)
            if note.startswith("/"):  # "3.500.000 đồng" + "/hồ sơ"
                value, note = value + note, ""
            elif fold(note).startswith("dong/"):
                value, note = value + note[4:], ""
    elif text and not _is_no_info(text):
        if fee.free and fold(text) != "mien phi":
            value = phrase("fee_free_as_written", lang, text=text)
        elif fee.free:
            value = phrase("fee_free", lang)
        else:
            value = text
    elif fee.free:
        value = phrase("fee_free", lang)
    elif fee.set_locally:
        value = phrase("fee_set_locally", lang)
    elif fee.label and not _is_no_info(fee.label):
        value = clip(fee.label, 200)
    else:
        return None
    needs_suffix = lang == "en" or not _mentions_local_council(value)
    if fee.set_locally and needs_suffix and value != phrase("fee_set_locally", lang):
        value += " " + phrase("fee_set_locally_suffix", lang)
    if fee.valid_until and _date(fee.valid_until) not in value:
        value += " — " + phrase("fee_valid_until", lang, date=_date(fee.valid_until))
    return value, note


def _note_lines(notes: Iterable[str], lang: Language, limit: int = 220) -> str:
    seen: list[str] = []
    for raw in notes:
        note = tidy(raw)
        if note and not _is_no_info(note) and note not in seen:
            seen.append(note)
    return "".join("\n  " + phrase("note", lang, text=clip(note, limit)) for note in seen)


def fee_row(channel: Channel, lang: Language) -> str | None:
    """One channel's fee with its notes, or None when the record says nothing about it."""
    found = fee_value(channel.fee, lang)
    channel_note = channel.note if _FEE_WORDS_RE.search(fold(channel.note)) else ""
    if found is None:
        notes = _note_lines([channel.fee.note, channel_note], lang)
        return phrase("not_stated", lang) + notes if notes else None
    value, note = found
    return value + _note_lines([note, channel_note], lang)


def fee_text(p: Procedure, lang: Language) -> str:
    rows = [(c.channel, fee_row(c, lang)) for c in p.channels]
    if not any(value for _, value in rows):
        return phrase("fee_unknown", lang)
    not_stated = phrase("not_stated", lang)
    lines = merge_rows(((kind, value or not_stated) for kind, value in rows), lang)
    lines = bounded(lines, lang, budget=ROWS_BUDGET)
    if any(c.fee.set_locally for c in p.channels):
        lines.append(phrase("fee_local_hint", lang))
    return "\n".join(lines)


def time_value(channel: Channel, lang: Language) -> str | None:
    """The processing time with its unit; the raw text as written when the unit is unknown."""
    t = channel.processing_time
    raw = "" if _is_no_info(t.raw) else squash(t.raw)
    if t.value is not None and t.unit != "unknown":
        units = T.UNIT_ONE if t.value == 1 else T.UNIT
        return f"{format_number(t.value)} {units[t.unit][lang]}"
    if re.fullmatch(r"[\d.,]+", raw):  # a bare number: "1" of what is not said
        return f"{raw} {phrase('time_unit_not_stated', lang)}"
    if raw:
        return phrase("time_as_written", lang, text=clip(raw, 160))
    if t.value is not None:
        return f"{format_number(t.value)} {phrase('time_unit_not_stated', lang)}"
    return None


def time_row(channel: Channel, lang: Language, shared: bool = False) -> str | None:
    """One channel's time; `shared`: another row has the same channel, so its note tells them apart."""
    value = time_value(channel, lang)
    note = channel.note if shared or _TIME_WORDS_RE.search(fold(channel.note)) else ""
    notes = _note_lines([note], lang, limit=200)
    if value is None:
        return phrase("not_stated", lang) + notes if notes else None
    return value + notes


def time_text(p: Procedure, lang: Language) -> str:
    kinds = [c.channel for c in p.channels]
    rows = [(c.channel, time_row(c, lang, kinds.count(c.channel) > 1)) for c in p.channels]
    if not any(value for _, value in rows):
        return phrase("time_unknown", lang)
    not_stated = phrase("not_stated", lang)
    lines = merge_rows(((kind, value or not_stated) for kind, value in rows), lang)
    return "\n".join(bounded(lines, lang, budget=ROWS_BUDGET))


def compact_values(
    channels: Sequence[Channel], values: Sequence[str | None], lang: Language
) -> str:
    """ "Trực tiếp: 50.000 đồng; Trực tuyến, Bưu chính: 150.000 đồng" on one line (no notes);
    a single value shared by every channel is given alone."""
    merged: dict[str, list[ChannelKind]] = {}
    for channel, value in zip(channels, values, strict=True):
        if value:
            kinds = merged.setdefault(clip(value, 120), [])
            if channel.channel not in kinds:
                kinds.append(channel.channel)
    if len(merged) == 1:
        return next(iter(merged))
    by_kinds: dict[tuple[ChannelKind, ...], list[str]] = {}
    for value, kinds in merged.items():
        by_kinds.setdefault(tuple(kinds), []).append(value)
    return "; ".join(
        f"{channel_names(kinds, lang)}: {' / '.join(values)}" for kinds, values in by_kinds.items()
    )


# ---------------------------------------------------------------------------------------------
# Documents


def is_general_group(group: DocumentGroup) -> bool:
    """A group for everyone: no case, or a kind heading ("Giấy tờ phải nộp", "Lưu ý", …)."""
    case = heading(group.case)
    return not case or bool(_KIND_HEADING_RE.match(fold(case)))


def is_note_group(group: DocumentGroup) -> bool:
    """Advice rather than documents: a "Lưu ý"/"Ghi chú" heading, or only such items."""
    case = heading(group.case)
    if case:
        return bool(_NOTE_HEADING_RE.match(fold(case)))
    return all(_NOTE_HEADING_RE.match(fold(item.name)) for item in group.items)


def split_groups(p: Procedure) -> tuple[list[DocumentGroup], list[DocumentGroup], bool]:
    """(groups shown by default, the other cases, whether the default is truly general)."""
    groups = [g for g in p.documents if g.items]
    general = [g for g in groups if is_general_group(g)]
    cases = [g for g in groups if not is_general_group(g)]
    # The plain list first, then headed lists ("Giấy tờ phải nộp"), advice last.
    general.sort(key=lambda g: (is_note_group(g), bool(heading(g.case))))
    if general and all(is_note_group(g) for g in general):
        main = [g for g in cases if _MAIN_LIST_RE.match(fold(heading(g.case)))]
        if main:  # notes alone are no list of documents: the main list first, then the notes
            return [*main, *general], [g for g in cases if g not in main], True
    if general:
        return general, cases, True
    return groups[:1], groups[1:], False


def _quantity(text: str) -> str:
    parts = [squash(part) for part in text.split(",")]
    return ", ".join(part for part in parts if part and not _ZERO_COUNT_RE.match(part))


def item_line(item: DocumentItem, lang: Language) -> str:
    extras = []
    quantity = _quantity(item.quantity)
    if quantity:
        extras.append(quantity)
    if item.form.strip() and fold(item.form.strip()) not in fold(item.name):
        extras.append(phrase("docs_form", lang, form=clip(item.form, 80)))
    line = "- " + clip(tidy(item.name), 160)
    return line + (f" ({'; '.join(extras)})" if extras else "")


def group_lines(
    groups: Sequence[DocumentGroup], lang: Language, *, label_cases: bool, budget: int
) -> list[str]:
    """Items of `groups` under their headings, capped as one list of documents."""
    entries: list[tuple[int, str]] = []  # (group index, line)
    for index, group in enumerate(groups):
        entries += [(index, item_line(item, lang)) for item in group.items]
    kept = fit_count([line for _, line in entries], budget=budget)
    lines: list[str] = []
    current = -1
    for index, line in entries[:kept]:
        if index != current:
            current = index
            case = heading(groups[index].case)
            if case and label_cases:
                lines.append(phrase("docs_case", lang, case=clip(case_name(case), 90)))
            elif case:
                lines.append(clip(case, 100) + ":")
        lines.append(line)
    if kept < len(entries):
        lines.append(phrase("more_items", lang, n=len(entries) - kept))
    return lines


def case_key(text: str) -> str:
    """A case heading or request folded, without "trường hợp"-style prefixes or punctuation."""
    key = " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())
    changed = True
    while changed:
        changed = False
        for prefix in T.CASE_PREFIXES:
            if key == prefix or key.startswith(prefix + " "):
                key = key[len(prefix) :].strip()
                changed = True
    return key


def find_case_group(p: Procedure, case: str) -> DocumentGroup | None:
    """The document group whose case best matches `case` (containment, then shared words)."""
    wanted = case_key(case)
    if not wanted:
        return None
    wanted_words = set(wanted.split())
    best: DocumentGroup | None = None
    best_score = 0.0
    for group in p.documents:
        key = case_key(group.case)
        if not key or not group.items:
            continue
        if wanted in key or key in wanted:
            score = 2.0 + min(len(key), len(wanted)) / max(len(key), len(wanted))
        else:
            score = len(wanted_words & set(key.split())) / len(wanted_words)
            if score < 0.6:
                continue
        if score > best_score:
            best, best_score = group, score
    return best


def case_name(case: str) -> str:
    """A case heading as listed: no enumerator, no leading "Trường hợp"."""
    text = heading(case)
    if fold(text).startswith("truong hop "):
        text = text[len("trường hợp ") :]
    return text[:1].upper() + text[1:]


def _shared_words(names: Sequence[str]) -> int:
    """How many leading words all `names` share (0 for fewer than two names)."""
    if len(names) < 2:
        return 0
    words = [name.split() for name in names]
    count = 0
    while all(len(w) > count + 1 for w in words) and len({fold(w[count]) for w in words}) == 1:
        count += 1
    return count


def case_buttons(cases: Sequence[DocumentGroup], p: Procedure, lang: Language) -> list[QuickReply]:
    """Buttons for `cases`: a label that tells them apart, a text that finds the case again."""
    names = [case_name(g.case) for g in cases]
    shared = _shared_words(names)
    keys = [case_key(g.case) for g in p.documents if g.items and g.case.strip()]
    buttons = []
    for name in names:
        label = " ".join(name.split()[shared:]) if shared >= 2 else name
        label = clip(label[:1].upper() + label[1:], 32)
        text = T.CASE_QUICK_REPLY_TEXT[lang].format(case=_unique_prefix(name, keys))
        buttons.append(QuickReply(label=label, text=text))
    return buttons


def _unique_prefix(name: str, keys: Sequence[str], limit: int = 120) -> str:
    """The shortest word prefix of `name` (at least ~60 characters) that only one case has."""
    words = name.split()
    prefix = ""
    for count in range(1, len(words) + 1):
        prefix = " ".join(words[:count])
        if len(prefix) > limit:
            return " ".join(words[: count - 1]) or prefix[:limit]
        key = case_key(prefix)
        if len(prefix) >= 60 and sum(1 for k in keys if key in k) <= 1:
            break
    return prefix.rstrip(" ,;:(-")


def documents_text(p: Procedure, lang: Language, case: str | None) -> tuple[str, list[QuickReply]]:
    general, cases, truly_general = split_groups(p)
    if not general:
        return phrase("docs_none", lang), []
    lines: list[str] = []
    chosen = find_case_group(p, case) if case else None
    if case and chosen is None:
        lines.append(phrase("docs_case_not_found", lang))
    if chosen is not None:
        lines += group_lines([chosen], lang, label_cases=True, budget=LIST_BUDGET // 2)
        others = [g for g in cases if g is not chosen]
        if truly_general and all(g is not chosen for g in general):
            lines += ["", phrase("docs_general", lang)]
            lines += group_lines(general, lang, label_cases=False, budget=LIST_BUDGET // 2)
        elif not truly_general and chosen is not general[0]:
            others = [general[0], *others]
    else:
        lines += group_lines(general, lang, label_cases=not truly_general, budget=LIST_BUDGET)
        others = cases
    if not others:
        return "\n".join(lines), []
    names = [clip(case_name(g.case), 70) for g in others[:MAX_CASES_LISTED]]
    listed = "; ".join(names)
    if len(others) > MAX_CASES_LISTED:
        listed += " " + phrase("more_items", lang, n=len(others) - MAX_CASES_LISTED)
    lines += ["", phrase("docs_other_cases", lang, cases=listed)]
    lines.append(phrase("docs_other_cases_hint", lang))
    return "\n".join(lines), case_buttons(others[:MAX_CASE_BUTTONS], p, lang)


def general_document_count(p: Procedure) -> int:
    general, _, truly_general = split_groups(p)
    return sum(len(g.items) for g in general) if truly_general else 0


# ---------------------------------------------------------------------------------------------
# Steps, where, online, conditions, legal basis, result


def steps_text(p: Procedure, lang: Language) -> str:
    steps = [_STEP_PREFIX_RE.sub("", tidy(step), count=1) for step in p.steps]
    steps = [step for step in steps if step]
    if not steps:
        return phrase("steps_none", lang)
    lines = [f"{number}. {clip(step, 220)}" for number, step in enumerate(steps, start=1)]
    prefix = [phrase("as_written_intro", lang)] if lang == "en" else []
    return "\n".join(prefix + bounded(lines, lang, budget=LIST_BUDGET + 100))


def _levels(p: Procedure, lang: Language) -> str:
    if lang == "vi":
        return ", ".join(p.levels)
    return ", ".join(
        f"{level} ({T.LEVEL_EN[fold(level)]})" if fold(level) in T.LEVEL_EN else level
        for level in p.levels
    )


def where_text(p: Procedure, lang: Language) -> str:
    a = p.agencies
    lines = []
    if p.levels:
        lines.append(phrase("where_level", lang, value=_levels(p, lang)))
    if a.competent:
        lines.append(phrase("where_competent", lang, value=_join_places(a.competent, lang)))
    if a.implementing and a.implementing != a.competent:
        lines.append(phrase("where_implementing", lang, value=_join_places(a.implementing, lang)))
    if a.receiving:
        lines.append(phrase("where_receiving", lang, value=_join_places(a.receiving, lang)))
    if not lines:
        return phrase("where_none", lang)
    kinds = list(dict.fromkeys(c.channel for c in p.channels))
    if kinds:
        lines.append(phrase("where_channels", lang, value=channel_names(kinds, lang)))
    return "\n".join(lines)


def vneid_sentence(p: Procedure) -> str:
    """The first sentence of the record that mentions VNeID, or "" when none does."""
    texts = [*p.steps, p.conditions, *p.agencies.receiving]
    texts += [text for c in p.channels for text in (c.note, c.fee.note)]
    texts += [item.name for g in p.documents for item in g.items]
    texts += [p.result, p.summary_en, *p.aliases, p.full_text]
    for text in texts:
        if "vneid" not in fold(text):
            continue
        for sentence in re.split(r"(?<=[.;!?])\s+|\n", text):
            if "vneid" in fold(sentence):
                return clip(tidy(sentence), 220)
    return ""


def online_text(p: Procedure, lang: Language) -> str:
    online = [c for c in p.channels if c.channel == "online"]
    level = T.ONLINE_LEVEL[p.online_level][lang]
    if level:
        lines = [level]
    elif online:
        lines = [phrase("online_channel_unrated", lang)]
    else:
        lines = [phrase("online_not_stated", lang)]
    if online and p.online_level != "none":
        times = compact_values(online, [time_value(c, lang) for c in online], lang)
        fees = [fee_value(c.fee, lang) for c in online]
        fee = compact_values(online, [f[0] if f else None for f in fees], lang)
        if times:
            lines.append(phrase("online_time", lang, value=times))
        if fee:
            lines.append(phrase("online_fee", lang, value=fee))
        url = source_url(p)
        if url:
            lines.append(phrase("online_portal", lang, url=url))
    else:
        kinds = list(dict.fromkeys(c.channel for c in p.channels))
        if kinds:
            lines.append(phrase("online_other_channels", lang, value=channel_names(kinds, lang)))
    vneid = vneid_sentence(p)
    if vneid:
        lines.append(phrase("online_vneid", lang, text=vneid))
    return "\n".join(lines)


def _as_written(text: str, lang: Language, limit: int, empty_key: str) -> str:
    text = squash(text)
    if not text or _is_no_info(text):
        return phrase(empty_key, lang)
    body = clip(text, limit)
    if body != text:
        body += "\n" + phrase("trimmed_hint", lang)
    return f"{phrase('as_written_intro', lang)}\n{body}" if lang == "en" else body


def conditions_text(p: Procedure, lang: Language) -> str:
    return _as_written(p.conditions, lang, 900, "conditions_none")


def result_text(p: Procedure, lang: Language) -> str:
    return _as_written(p.result, lang, 600, "result_none")


def legal_text(p: Procedure, lang: Language) -> str:
    lines = []
    for ref in p.legal_basis:
        title = clip(ref.title, 160)
        number = squash(ref.number)
        lines.append(f"- {title} ({number})" if number and number not in title else f"- {title}")
    if not lines:
        return phrase("legal_none", lang)
    return "\n".join(bounded(lines, lang))


# ---------------------------------------------------------------------------------------------
# General overview


def general_text(p: Procedure, lang: Language) -> str:
    lines = []
    if lang == "en" and p.summary_en.strip():
        lines += [clip(p.summary_en, 500), ""]
    if p.levels:
        lines.append(phrase("general_level", lang, value=_levels(p, lang)))
    agencies = p.agencies.competent or p.agencies.implementing
    if agencies:
        lines.append(phrase("general_agency", lang, value=_join_places(agencies[:1], lang)))
    fees = [fee_value(c.fee, lang) for c in p.channels]
    fee = compact_values(p.channels, [f[0] if f else None for f in fees], lang)
    if fee:
        lines.append(phrase("general_fee", lang, value=fee))
    time = compact_values(p.channels, [time_value(c, lang) for c in p.channels], lang)
    if time:
        lines.append(phrase("general_time", lang, value=time))
    count = general_document_count(p)
    if count:
        lines.append(phrase("general_docs", lang, n=count))
    online = T.ONLINE_SHORT[p.online_level][lang]
    if online:
        lines.append(phrase("general_online", lang, value=online))
    lines.append(phrase("general_ask_more", lang))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Quick replies


def _aspect_buttons(answered: Aspect, lang: Language, room: int) -> list[QuickReply]:
    """Other aspects to ask about: four after an overview, otherwise two or three."""
    wanted = 4 if answered == "general" else 3
    count = max(2, min(wanted, room))
    order = [a for a in QUICK_REPLY_ORDER if a != answered]
    return [
        QuickReply(label=T.QUICK_REPLY[a][lang][0], text=T.QUICK_REPLY[a][lang][1])
        for a in order[:count]
    ]
