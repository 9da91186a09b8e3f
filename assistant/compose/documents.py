"""The documents part of an answer: which groups everyone brings, the cases, their buttons."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from assistant.compose import templates as T
from assistant.compose.focus import NO_FOCUS, Focus, shown
from assistant.compose.templates import phrase
from assistant.compose.text import LIST_BUDGET, clip, fit_count, heading, squash, tidy
from assistant.reply import Language, QuickReply
from knowledge.schema import DocumentGroup, DocumentItem, Procedure
from knowledge.text import fold

MAX_CASE_BUTTONS: Final = 3
MAX_CASES_LISTED: Final = 5
_KIND_HEADING_RE: Final = re.compile(
    r"^[\s*\-+.]*(?:[a-z]\)\s*)?(?:cac\s+)?"
    r"(?:giay to phai (?:nop|xuat trinh)|thanh phan ho so|bao gom|luu y)(?![a-z])"
)
# Headings that hold only advice, not documents to bring.
_NOTE_HEADING_RE: Final = re.compile(r"^[\s*\-+.]*(?:[a-z]\)\s*)?(?:luu y|ghi chu|chu y)(?![a-z])")
# A case heading that is really the main list: "Hồ sơ đăng ký tạm trú gồm", "Hồ sơ của người
# nhận con nuôi" — what everyone brings, under a heading the importer read as a case.
_MAIN_LIST_RE: Final = re.compile(r"^[\s*\-+.]*(?:\d{1,2}[.)]\s*)?ho so (?:cua |[a-z ]{0,60}gom\b)")
_ZERO_COUNT_RE: Final = re.compile(r"^0+\s")


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
    groups: Sequence[DocumentGroup],
    lang: Language,
    *,
    label_cases: bool,
    budget: int,
    focus: Focus = NO_FOCUS,
) -> list[str]:
    """Items of `groups` under their headings, capped as one list of documents; an item
    the question singles out is shown even past the cut (see `assistant.compose.focus`)."""
    entries: list[tuple[int, str]] = []  # (group index, line)
    names: list[str] = []
    for index, group in enumerate(groups):
        entries += [(index, item_line(item, lang)) for item in group.items]
        names += [item.name for item in group.items]
    fitting = fit_count([line for _, line in entries], budget=budget)
    chosen = shown(fitting, names, focus)
    lines: list[str] = []
    current = -1
    for index, line in (entries[i] for i in chosen):
        if index != current:
            current = index
            case = heading(groups[index].case)
            if case and label_cases:
                lines.append(phrase("docs_case", lang, case=clip(case_name(case), 90)))
            elif case:
                lines.append(clip(case, 100) + ":")
        lines.append(line)
    if len(chosen) < len(entries):
        lines.append(phrase("more_items", lang, n=len(entries) - len(chosen)))
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


def documents_text(
    p: Procedure, lang: Language, case: str | None, focus: Focus = NO_FOCUS
) -> tuple[str, list[QuickReply]]:
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
        lines += group_lines(
            general, lang, label_cases=not truly_general, budget=LIST_BUDGET, focus=focus
        )
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
