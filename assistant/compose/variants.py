"""The variant line under an answer: the other members of its family, a button each, and
the asked fee or time side by side where a member's differs.

The answer is about the member a citizen means (see knowledge/families.py); the line says in
one sentence which other variants exist ("Nếu bạn … → …"), so a citizen abroad or an agency
taps theirs instead of reading the wrong record. Every value shown beside the answer's own
is read from that member's record and cited.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from assistant.compose.grounded import compact_values, fee_value, time_value
from assistant.reply import Citation, Language, QuickReply
from assistant.understand import distinguishing_label
from knowledge.families import LEVELS, Traits
from knowledge.schema import Procedure
from knowledge.text.glossary import english_gloss

MAX_VARIANTS: Final = 3  # buttons and names on the variant line
LABEL_LIMIT: Final = 40

# What a member's tag says, as the end of "Nếu …" / "If …".
TAG_PHRASES: Final[dict[str, tuple[str, str]]] = {
    "level:commune": ("nộp tại cấp xã", "filed at the commune"),
    "level:province": ("nộp tại cấp tỉnh", "filed at the province"),
    "level:central": ("nộp tại cấp trung ương (Bộ)", "filed with the ministry (central level)"),
    "foreign": ("có yếu tố nước ngoài", "with a foreign element"),
    "abroad": ("bạn ở nước ngoài", "you are abroad"),
    "reissue": ("cấp lại (bị mất, hỏng)", "a re-issue (lost or damaged)"),
    "exchange": ("cấp đổi", "an exchange"),
    "extension": ("gia hạn", "an extension"),
    "amendment": ("điều chỉnh, thay đổi", "an amendment"),
    "mobile": ("lưu động (tại nhà)", "a mobile service (at home)"),
    "organisations": ("cho tổ chức, doanh nghiệp", "for an organisation or company"),
    "officials": ("theo yêu cầu của cơ quan", "requested by an agency"),
    "minors": ("cho trẻ em", "for a child"),
}
_FRAME: Final = {
    "vi": ("Các trường hợp khác", "Nếu {what}"),
    "en": ("Other variants", "If {what}"),
}
_SIDE_TITLE: Final = {
    "fee": {"vi": "Lệ phí ở các trường hợp khác", "en": "Fee in the other variants"},
    "processing_time": {
        "vi": "Thời gian ở các trường hợp khác",
        "en": "Processing time in the other variants",
    },
}


def variant_label(member: Procedure, chosen: Procedure, lang: Language) -> str:
    """What sets `member` apart from the answered record, in a few words."""
    own, others = set(member.variant), set(chosen.variant)
    side = 1 if lang == "en" else 0
    words = [TAG_PHRASES[t][side] for t in member.variant if t not in others and t in TAG_PHRASES]
    if not words and Traits.from_tags(own).level == Traits.from_tags(others).level:
        label = distinguishing_label(member.name, [chosen.name], limit=LABEL_LIMIT)
        gloss = english_gloss(member.name) if lang == "en" else ""
        return f"{label} ({gloss})" if gloss else label
    if not words:
        level = LEVELS[Traits.from_tags(own).level]
        words = [TAG_PHRASES[f"level:{level}"][side]]
    return ", ".join(words)


def labels(chosen: Procedure, shown: Sequence[Procedure], lang: Language) -> list[str]:
    """`variant_label` of each member; members whose labels coincide are told apart by name."""
    found = [variant_label(m, chosen, lang) for m in shown]
    for i, member in enumerate(shown):
        if found.count(found[i]) > 1:
            others = [chosen.name, *(m.name for m in shown if m is not member)]
            name_label = distinguishing_label(member.name, others, limit=LABEL_LIMIT)
            gloss = english_gloss(member.name) if lang == "en" else ""
            found[i] = f"{name_label} ({gloss})" if gloss else name_label
    return found


def variant_line(
    chosen: Procedure, members: Sequence[Procedure], lang: Language
) -> tuple[str, list[QuickReply]]:
    """One line naming the other members, and a button for each (at most three)."""
    shown = [m for m in members if m.code != chosen.code][:MAX_VARIANTS]
    if not shown:
        return "", []
    title, each = _FRAME["en" if lang == "en" else "vi"]
    parts, buttons = [], []
    for member, label in zip(shown, labels(chosen, shown, lang), strict=True):
        parts.append(f"{each.format(what=label)} → {member.code}")
        buttons.append(QuickReply(label=_short(label), text=f"{member.name} ({member.code})"))
    return f"{title}: " + "; ".join(parts) + ".", buttons


def side_by_side(
    chosen: Procedure, members: Sequence[Procedure], aspect: str, lang: Language
) -> tuple[str, list[Citation]]:
    """The asked fee or time of the other members where it differs from the answer's."""
    if aspect not in _SIDE_TITLE:
        return "", []
    own = _value(chosen, aspect, lang)
    lines, citations = [], []
    shown = [m for m in members if m.code != chosen.code][:MAX_VARIANTS]
    for member, label in zip(shown, labels(chosen, shown, lang), strict=True):
        value = _value(member, aspect, lang)
        if value and value != own:
            lines.append(f"- {label[:1].upper()}{label[1:]} ({member.code}): {value}")
            citations.append(
                Citation(
                    procedure_code=member.code,
                    name=member.name,
                    section=aspect,
                    url=member.source_url,
                )
            )
    if not lines:
        return "", []
    title = _SIDE_TITLE[aspect]["en" if lang == "en" else "vi"]
    return f"{title}:\n" + "\n".join(lines), citations


def _value(p: Procedure, aspect: str, lang: Language) -> str:
    if not p.channels:
        return ""
    if aspect == "fee":
        values = [(fee_value(c.fee, lang) or (None,))[0] for c in p.channels]
    else:
        values = [time_value(c, lang) for c in p.channels]
    return compact_values(p.channels, values, lang)


def _short(label: str) -> str:
    label = label[:1].upper() + label[1:]
    return label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1].rsplit(" ", 1)[0] + "…"
