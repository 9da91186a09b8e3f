"""Variant families: near-twin records, and what tells each member apart.

A catalogue holds the same service many times over: at central, province and commune
level (the name often ends "(thực hiện tại cấp tỉnh)"), with a foreign element, for
organisations or officials rather than citizens, for children, as a re-issue or an
extension. Each record carries, derived from its own fields when it is built (so it holds
for any province's export and is stored with the record):

- `family`: its core name (folded, without the level qualifier): level twins share it;
- `variant`: the tags that distinguish it (`level:commune|province|central`, the name's
  variants such as `reissue` or `foreign`, `organisations`, `officials`, `minors`).

At question time `pick_default` chooses, among competing siblings, the member a citizen
means: the one whose tags the question contradicts least, then the one filed closest to
the citizen (commune, then province, then central). Where two members tie on both, they
are genuinely different procedures and the assistant asks which one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from knowledge.search.variants import (
    asked_variants,
    asks_for_organisation,
    name_head,
    name_variants,
    serves_organisations,
)
from knowledge.text import fold

LEVELS: Final = ("commune", "province", "central")
_LEVEL_OF_FIELD: Final = {
    "cap xa": 0,
    "cap huyen": 0,  # abolished in 2025: now filed at the commune
    "cap tinh": 1,
    "co quan khac": 1,
    "cap bo": 2,
}
# "(thực hiện tại cấp tỉnh)", "- cấp trung ương", "tại cấp huyện": a qualifier of level.
_LEVEL_IN_NAME: Final = re.compile(
    r"[\s(\-–,]*(?:thuc hien )?(?:tai |o )?cap (trung uong|bo|tinh|huyen|xa)\s*\)?\s*$"
)
_LEVEL_WORD: Final = {"trung uong": 2, "bo": 2, "tinh": 1, "huyen": 0, "xa": 0}

# Whom the record serves. Individuals: any of these in `audience`.
_INDIVIDUALS: Final = re.compile(r"cong dan|nguoi viet nam|nguoi nuoc ngoai|ca nhan|ho gia dinh")
_OFFICIALS_IN_NAME: Final = re.compile(
    r"theo yeu cau cua (co quan|to chuc)|doi voi can bo|cho can bo|cong chuc, vien chuc"
)
_MINORS_IN_NAME: Final = re.compile(
    r"(?<![a-z0-9])(duoi (14|16|18|6) tuoi|tre em|chua thanh nien|tre duoi)(?![a-z0-9])"
)
_MINORS_ASKED: Final = re.compile(
    r"(?<![a-z0-9])(cho con|con (toi|em|minh|nha|trai|gai|nho)|be|tre( em| nho)?|"
    r"duoi (14|16|18|6)|chua (du|thanh nien)|hoc sinh|chau|child\w*|kids?|baby|son|"
    r"daughter|minors?|under (14|16|18))(?![a-z0-9])"
)
_OFFICIALS_ASKED: Final = re.compile(
    r"(?<![a-z0-9])(co quan (nha nuoc|tien hanh to tung|dieu tra)|toa an|vien kiem sat|"
    r"can bo|cong chuc|vien chuc|court|prosecutor)(?![a-z0-9])"
)
_LEVEL_ASKED: Final = (
    (
        2,
        re.compile(
            r"(?<![a-z0-9])(trung uong|cap bo|bo cong an|cuc (quan ly|xuat nhap canh|thue|canh sat)|"
            r"central)(?![a-z0-9])"
        ),
    ),
    (
        1,
        re.compile(
            r"(?<![a-z0-9])(cap tinh|cong an tinh|so (tu phap|xay dung|tai nguyen|ke hoach|"
            r"giao thong|nong nghiep|noi vu|lao dong|y te|cong thuong|tai chinh)|province|"
            r"provincial)(?![a-z0-9])"
        ),
    ),
    (
        0,
        re.compile(
            r"(?<![a-z0-9])(cap xa|o xa|o phuong|ubnd (xa|phuong)|commune|ward)(?![a-z0-9])"
        ),
    ),
)


@dataclass(frozen=True)
class Traits:
    level: int  # 0 commune, 1 province, 2 central: the most local level it is filed at
    variants: frozenset[str]  # knowledge.search.variants names found in the name
    organisations: bool  # for organisations/enterprises, not individuals
    officials: bool  # requested by an agency or for officials
    minors: bool  # for children

    def tags(self) -> list[str]:
        tags = [f"level:{LEVELS[self.level]}", *sorted(self.variants)]
        tags += [
            t
            for t, on in (
                ("organisations", self.organisations),
                ("officials", self.officials),
                ("minors", self.minors),
            )
            if on
        ]
        return tags

    @classmethod
    def from_tags(cls, tags: Iterable[str]) -> Traits:
        tags = list(tags)
        level = next((LEVELS.index(t[6:]) for t in tags if t.startswith("level:")), 1)
        special = {"organisations", "officials", "minors"}
        return cls(
            level=level,
            variants=frozenset(t for t in tags if not t.startswith("level:") and t not in special),
            organisations="organisations" in tags,
            officials="officials" in tags,
            minors="minors" in tags,
        )


def family_key(name: str) -> str:
    """The core name: folded, level qualifier and a leading "thủ tục" dropped."""
    folded = fold(name).strip(" .;:")
    folded = _LEVEL_IN_NAME.sub("", folded)
    folded = re.sub(r"^thu tuc\s+", "", folded)
    return " ".join(folded.replace("(", " ").replace(")", " ").split())


def level_of(name: str, levels: Sequence[str]) -> int:
    """Where a citizen files it: the name's qualifier first, else the most local level."""
    qualifier = _LEVEL_IN_NAME.search(fold(name).strip(" .;:"))
    if qualifier:
        return _LEVEL_WORD[qualifier.group(1)]
    ranks = [_LEVEL_OF_FIELD[f] for f in (fold(x).strip() for x in levels) if f in _LEVEL_OF_FIELD]
    return min(ranks) if ranks else 1


def traits_of(name: str, levels: Sequence[str], audience: Sequence[str]) -> Traits:
    lower = name.lower()
    folded = fold(name)
    people = [fold(a) for a in audience]
    individuals = any(_INDIVIDUALS.search(a) for a in people)
    organisations = serves_organisations(lower) or (bool(people) and not individuals)
    officials = bool(_OFFICIALS_IN_NAME.search(folded))
    head = fold(name_head(lower))
    return Traits(
        level=level_of(name, levels),
        variants=frozenset(v.name for v in name_variants(lower)),
        organisations=organisations and not officials,
        officials=officials,
        minors=bool(_MINORS_IN_NAME.search(head)),
    )


# -- the question's side ------------------------------------------------------------------


@dataclass(frozen=True)
class Cues:
    """What a question says about the variant it means."""

    variants: frozenset[str]
    organisation: bool
    officials: bool
    minors: bool
    level: int | None

    @classmethod
    def of(cls, question: str, *, foreigner: bool = False) -> Cues:
        folded = fold(question)
        level = next((rank for rank, pattern in _LEVEL_ASKED if pattern.search(folded)), None)
        return cls(
            variants=asked_variants(
                folded, foreigner=foreigner, accented_question=question.lower()
            ),
            organisation=asks_for_organisation(folded),
            officials=bool(_OFFICIALS_ASKED.search(folded)),
            minors=bool(_MINORS_ASKED.search(folded)),
            level=level,
        )


def mismatch(traits: Traits, cues: Cues) -> tuple[int, int]:
    """(how many of the member's tags the question contradicts, distance from its level)."""
    wrong = len(traits.variants - cues.variants)
    wrong += traits.organisations != cues.organisation and traits.organisations
    wrong += traits.officials and not cues.officials
    wrong += traits.minors != cues.minors
    distance = abs(traits.level - cues.level) if cues.level is not None else traits.level
    return wrong, distance


def pick_default(members: Sequence[tuple[str, Traits]], cues: Cues) -> str | None:
    """The code of the one member the question means, or None when two tie.

    A member whose tags the question contradicts least wins; among those, the one filed
    closest to the citizen (or at the level the question names). Asked-for variants the
    member lacks count against it too, so "cấp lại" prefers the re-issue.
    """
    if not members:
        return None
    scored = sorted((_cost(traits, cues), code) for code, traits in members)
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    return scored[0][1]


def _cost(traits: Traits, cues: Cues) -> tuple[int, int]:
    wrong, distance = mismatch(traits, cues)
    missing = len(cues.variants - traits.variants)
    return wrong + missing, distance
