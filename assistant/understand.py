"""Understand a message in its conversation: follow-ups, chosen options, document cases.

Pure functions over text and dialogue state, so each rule is easy to test alone. The search
itself happens in the retrieve stage; these rules decide what to do with its answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

from assistant.compose.documents import case_key
from assistant.dialogue import Option
from knowledge.schema import Procedure
from knowledge.text import fold

# "this procedure", "it", "that one": the message talks about the procedure in focus.
ANAPHORA: Final = re.compile(
    r"(?<![a-z0-9])(thu tuc (nay|do|tren)|cai (nay|do)|viec (nay|do)|no|ho so (nay|do)|"
    r"this( one| procedure)?|that( one| procedure)?|it)(?![a-z0-9])"
)
# Short follow-ups that only ask for more of the same ("còn gì nữa", "more", "tiếp").
MORE: Final = re.compile(
    r"^(con (gi|j) (nua|khac)( khong| ko| k)?|con nua( khong| ko)?|tiep|xem them|them nua|"
    r"more|anything else|what else|tell me more)\W*$"
)
ORDINAL: Final = re.compile(r"^\s*(?:so\s*|option\s*|#)?([1-4])\s*[.)]?\s*$")
MIN_CASE_CHARS: Final = 8  # shorter case names are too vague to pick a case by


def mentions_focus(text: str) -> bool:
    """Whether the message points back at the procedure being discussed."""
    return bool(ANAPHORA.search(fold(text)))


def asks_for_more(text: str) -> bool:
    return bool(MORE.match(fold(text).strip()))


def chosen_option(text: str, options: Sequence[Option]) -> Option | None:
    """The clarification option the user picked: by button text, by label, by code or by number."""
    if not options:
        return None
    folded = fold(text).strip(" .!?")
    number = ORDINAL.match(folded)
    if number:
        index = int(number.group(1)) - 1
        return options[index] if index < len(options) else None
    for option in options:
        if folded in (fold(option.text).strip(" .!?"), fold(option.label).strip(" .!?")):
            return option
    codes = [o for o in options if o.procedure_code.lower() in text.lower()]
    return codes[0] if len(codes) == 1 else None


def name_tokens(name: str) -> frozenset[str]:
    return frozenset(fold(name).replace(",", " ").split())


def distinguishing_label(name: str, others: Sequence[str], limit: int = 40) -> str:
    """A short button label: the words of `name` its siblings lack, else the name itself."""
    shared = frozenset.intersection(name_tokens(name), *(name_tokens(o) for o in others))
    words = name.split()
    # Keep the name from the first word that is not shared by every sibling.
    start = next((i for i, w in enumerate(words) if fold(w) not in shared), 0)
    if start and len(words) - start <= 2:
        start -= 1  # "tỉnh" alone says little: "cấp tỉnh"
    label = " ".join(words[start:]) if start else name
    label = _balanced(label)
    label = label[:1].upper() + label[1:]
    if len(label) > limit:
        label = label[: limit - 1].rsplit(" ", 1)[0] + "…"
    return label


def _balanced(text: str) -> str:
    """Drop brackets left unpaired by cutting a name ("cấp tỉnh)" → "cấp tỉnh")."""
    if text.count("(") != text.count(")"):
        text = text.replace("(", "").replace(")", "")
    return text.strip(" ,;:-")


def names_another_topic(
    words: Iterable[str], focus_words: frozenset[str], title_vocabulary: frozenset[str]
) -> bool:
    """Whether the message uses a word of some procedure's name that the procedure in focus
    never mentions ("phí làm visa bao nhiêu" while talking about a birth registration): then
    it is a new question the search could not place, not a follow-up."""
    return any(w in title_vocabulary and w not in focus_words for w in words)


def matching_case(procedure: Procedure, text: str) -> str | None:
    """The document case (trường hợp) of the focus procedure a message names, if any:
    the text of a case button, or a message containing a case's name."""
    wanted = case_key(text)
    if len(wanted) < MIN_CASE_CHARS:
        return None
    for group in procedure.documents:
        key = case_key(group.case)
        if group.items and len(key) >= MIN_CASE_CHARS and (key.startswith(wanted) or key in wanted):
            return group.case
    return None
