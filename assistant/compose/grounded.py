"""Grounded answers: one procedure record + the aspect asked + the language → the reply text.

No LLM. Every fee, duration, document and requirement in the text is read from the record;
the fixed framing lives in `assistant.compose.templates` and contains no numbers. Besides the
record's own numbers the text only holds list enumerators ("1.", "2.") and plain item counts
("… và 3 mục khác", "4 giấy tờ"). Lists and long texts are capped for a phone screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from assistant.compose import templates as T
from assistant.compose.documents import (
    documents_text,
    general_document_count,
)
from assistant.compose.focus import NO_FOCUS, PASSAGE_CHARS, Focus, best_passage, focus_of
from assistant.compose.templates import phrase
from assistant.compose.text import (
    LIST_BUDGET,
    bounded,
    clip,
    format_date,
    is_no_info,
    join_places,
    source_line,
    source_url,
    squash,
    tidy,
)
from assistant.reply import Citation, Language, QuickReply
from knowledge.render import format_number, format_vnd
from knowledge.schema import Channel, ChannelKind, Fee, Procedure
from knowledge.search.aspects import ASPECTS, Aspect, mentions_aspect, without_aspect_cues
from knowledge.text import fold
from knowledge.text.glossary import english_gloss

ROWS_BUDGET: Final = 1100  # characters of channel rows (fee, time) with their notes

# The order in which other aspects are offered as quick replies.
QUICK_REPLY_ORDER: Final[tuple[Aspect, ...]] = (
    "documents",
    "fee",
    "processing_time",
    "where",
    "online",
    "steps",
)

_STEP_PREFIX_RE: Final = re.compile(
    r"^\s*(?:bước\s*)?\d{1,2}(?:\.\d{1,2})*\s*[:.)\-–](?!\d)\s*", re.IGNORECASE
)
_FEE_WORDS_RE: Final = re.compile(r"(?<![a-z])(?:phi|dong|usd|mien)(?![a-z])")
_TIME_WORDS_RE: Final = re.compile(r"(?<![a-z])(?:ngay|gio|thang|thoi han|lam viec|tuan)(?![a-z])")


@dataclass
class Composed:
    """A grounded answer: the text, its one citation, buttons, and the aspect answered."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    quick_replies: list[QuickReply] = field(default_factory=list)
    section: str = "general"


def compose_answer(
    procedure: Procedure,
    aspect: Aspect,
    language: Language,
    *,
    case: str | None = None,
    question: str = "",
) -> Composed:
    """The reply about `aspect` of `procedure` in `language`, ending with its source.

    `case` (documents only) picks the documents of one case (trường hợp), matched loosely
    against the record's case headings; a quick reply of a documents answer asks for it.
    `question`: a document it names is shown even where a long list is cut, the record's
    sentence about a detail it asks is quoted, and "các bước" beside online lists the
    online steps.
    """
    lang: Language = "en" if language == "en" else "vi"
    if aspect not in ASPECTS:
        aspect = "general"
    focus = focus_of(question, procedure.name) if question else NO_FOCUS
    body, extra_buttons = _body(procedure, aspect, lang, case, focus, question)
    detail = (
        focus_of(without_aspect_cues(question), procedure.name, asked=question)
        if question
        else NO_FOCUS
    )
    passage = best_passage(record_texts(procedure), detail, body)
    if passage:
        body = (
            f"{body.rstrip()}\n{phrase('passage', lang, text=clip(tidy(passage), PASSAGE_CHARS))}"
        )
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


def record_texts(p: Procedure) -> list[str]:
    """The record's texts a detail of a question may be found in: the structured sections
    first, its full text last."""
    texts = [*p.steps, p.conditions, p.result]
    texts += [item.name for g in p.documents for item in g.items]
    texts += [text for c in p.channels for text in (c.note, c.fee.note)]
    return ["\n".join(t for t in texts if t), p.full_text]


def _body(
    p: Procedure, aspect: Aspect, lang: Language, case: str | None, focus: Focus, question: str
) -> tuple[str, list[QuickReply]]:
    if aspect == "documents":
        return documents_text(p, lang, case, focus)
    if aspect == "general":
        return general_text(p, lang), []
    if aspect == "online" and mentions_aspect(question, "steps"):
        return online_text(p, lang, with_steps=True), []
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
    elif text and not is_no_info(text):
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
    elif fee.label and not is_no_info(fee.label):
        value = clip(fee.label, 200)
    else:
        return None
    needs_suffix = lang == "en" or not _mentions_local_council(value)
    if fee.set_locally and needs_suffix and value != phrase("fee_set_locally", lang):
        value += " " + phrase("fee_set_locally_suffix", lang)
    if fee.valid_until and format_date(fee.valid_until) not in value:
        value += " — " + phrase("fee_valid_until", lang, date=format_date(fee.valid_until))
    return value, note


def _note_lines(notes: Iterable[str], lang: Language, limit: int = 220) -> str:
    seen: list[str] = []
    for raw in notes:
        note = tidy(raw)
        if note and not is_no_info(note) and note not in seen:
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
    raw = "" if is_no_info(t.raw) else squash(t.raw)
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
        lines.append(phrase("where_competent", lang, value=join_places(a.competent, lang)))
    if a.implementing and a.implementing != a.competent:
        lines.append(phrase("where_implementing", lang, value=join_places(a.implementing, lang)))
    if a.receiving:
        lines.append(phrase("where_receiving", lang, value=join_places(a.receiving, lang)))
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


_ONLINE_WORDS: Final = re.compile(
    r"(?<![a-z])(truc tuyen|dich vu cong|(tai khoan|ung dung) dinh danh|"
    r"dinh danh (dien tu|quoc gia|muc)|vneid|online|dien tu tuong tac)(?![a-z])"
)
ONLINE_STEPS: Final = 3


def online_steps(p: Procedure) -> list[str]:
    """The record's steps that speak of filing online (the portal, VNeID, e-ID accounts),
    each cut to the part that does: a step often lists the counter and the portal together."""
    found = []
    for step in p.steps:
        parts = [tidy(part) for part in re.split(r"\n+|\s/\s|(?:^|\s)\+\s", step)]
        online = [part for part in parts if _ONLINE_WORDS.search(fold(part))]
        if online:
            text = _STEP_PREFIX_RE.sub("", " ".join(online), count=1).strip(" /+")
            found.append(clip(text, 260))
        if len(found) == ONLINE_STEPS:
            break
    return found


def online_text(p: Procedure, lang: Language, with_steps: bool = False) -> str:
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
    steps = online_steps(p) if with_steps and p.online_level != "none" else []
    if steps:
        lines.append(phrase("online_steps", lang))
        lines += [f"{number}. {step}" for number, step in enumerate(steps, start=1)]
    vneid = vneid_sentence(p)
    if vneid and not any("vneid" in fold(step) for step in steps):
        lines.append(phrase("online_vneid", lang, text=vneid))
    return "\n".join(lines)


def _as_written(text: str, lang: Language, limit: int, empty_key: str) -> str:
    text = squash(text)
    if not text or is_no_info(text):
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

# A result line that is the refusal, not what the citizen comes for ("Phiếu từ chối tiếp
# nhận…", "Văn bản không chấp thuận…").
_REFUSAL_RE: Final = re.compile(r"\b(?:tu choi|khong (?:chap thuan|cap|dong y|cho phep))\b")


def result_summary(p: Procedure, limit: int = 200) -> str:
    """What the citizen receives, in one line: the record's result lines without refusals."""
    if is_no_info(p.result):
        return ""
    parts = [squash(line).rstrip(".;") for line in p.result.splitlines()]
    kept = [part for part in parts if part and not _REFUSAL_RE.search(fold(part))]
    return clip("; ".join(kept), limit)


def general_text(p: Procedure, lang: Language) -> str:
    lines = []
    if lang == "en" and p.summary_en.strip():
        lines += [clip(p.summary_en, 500), ""]
    if p.levels:
        lines.append(phrase("general_level", lang, value=_levels(p, lang)))
    agencies = p.agencies.competent or p.agencies.implementing
    if agencies:
        lines.append(phrase("general_agency", lang, value=join_places(agencies[:1], lang)))
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
    result = result_summary(p)
    if result:
        lines.append(phrase("general_result", lang, value=result))
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
