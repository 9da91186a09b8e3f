"""Diacritic restoration for Vietnamese typed without accents, learnt from a corpus.

`AccentRestorer.fit(texts)` counts the accented syllables and syllable pairs of a corpus
(procedure names, aliases, section text); `restore("lam giay khai sinh")` picks the most
likely accented sequence ("làm giấy khai sinh") with a Viterbi search over each token's
accented candidates, scored by a bigram model interpolated with unigram frequencies.
Tokens the corpus never saw are left as they are, and so are tokens that already carry
diacritics (they still serve as context). The model is a plain dict (`to_dict`) so an index
can store it as JSON.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from knowledge.text.ngrams import iter_token_spans, segments_of
from knowledge.text.normalize import fold_token, normalize, normalize_lower
from knowledge.text.syllable import is_valid_folded_syllable, is_valid_syllable

FORMAT: Final[str] = "accent-restorer/1"


@lru_cache(maxsize=131072)
def _learnable(token: str) -> bool:
    """A syllable worth learning: valid Vietnamese, or an ASCII word that cannot be one."""
    if not token.isalpha():
        return False
    if is_valid_syllable(token):
        return True
    return token.isascii() and not is_valid_folded_syllable(token)


# Phrases as citizens type them, in their accented form: the formal corpus rarely says
# "cần gì", "ở đâu", "bao nhiêu tiền" or "sổ đỏ".
EVERYDAY_PHRASES: Final[tuple[str, ...]] = (
    "làm giấy khai sinh cần gì",
    "làm giấy khai sinh cho con ở đâu",
    "cần những giấy tờ gì",
    "cần mang theo giấy tờ gì",
    "hồ sơ gồm những gì",
    "nộp hồ sơ ở đâu",
    "làm ở đâu",
    "mất bao lâu",
    "bao lâu thì có kết quả",
    "mất bao nhiêu tiền",
    "lệ phí bao nhiêu",
    "phí là bao nhiêu tiền",
    "thủ tục như thế nào",
    "làm thế nào để đăng ký",
    "có được làm online không",
    "có nộp trực tuyến được không",
    "tôi muốn hỏi về thủ tục",
    "cho tôi hỏi",
    "xin hỏi",
    "em muốn làm lại căn cước",
    "mình bị mất căn cước thì làm sao",
    "bị mất giấy tờ xe phải làm gì",
    "làm sổ đỏ lần đầu",
    "làm sổ hồng",
    "sang tên sổ đỏ",
    "tách sổ đỏ",
    "đổi bằng lái xe",
    "bằng lái xe hết hạn",
    "làm lại bằng lái",
    "đăng ký xe máy mới mua",
    "sang tên xe máy",
    "nhập hộ khẩu cho con",
    "tách khẩu ra ở riêng",
    "đăng ký tạm trú cho người thuê nhà",
    "gia hạn tạm trú",
    "làm hộ chiếu cho trẻ em",
    "làm hộ chiếu online",
    "xin giấy xác nhận độc thân",
    "đăng ký kết hôn với người nước ngoài",
    "làm giấy chứng tử cho bố",
    "khai tử cho mẹ",
    "công chứng bản photo",
    "chứng thực bản sao căn cước",
    "xin phiếu lý lịch tư pháp",
    "rút bảo hiểm xã hội một lần",
    "hưởng chế độ thai sản",
    "thẻ bảo hiểm y tế cho bé",
    "đăng ký hộ kinh doanh",
    "thành lập công ty",
    "xin giấy phép xây dựng nhà ở",
    "hộ nghèo được hỗ trợ gì",
    "người nước ngoài xin thẻ tạm trú",
    "ủy ban nhân dân xã",
    "ở xã hay ở tỉnh",
    "khi nào thì xong",
    "có mất phí không",
    "miễn phí không",
)


def everyday_texts() -> list[str]:
    """`EVERYDAY_PHRASES` plus every spelling and expansion of the abbreviation table."""
    from knowledge.text.abbreviations import load_abbreviations

    texts = list(EVERYDAY_PHRASES)
    for entry in load_abbreviations().entries:
        texts.extend(entry.variants)
        texts.append(entry.term)
        texts.extend(entry.expansions)
    return texts


def _recase(original: str, restored: str) -> str:
    """Copy the letter case of `original` onto `restored` (same length, NFC)."""
    if original.islower():
        return restored
    if original.isupper():
        return restored.upper()
    return "".join(r.upper() if o.isupper() else r for o, r in zip(original, restored, strict=True))


@dataclass
class AccentRestorer:
    """Folded -> accented syllable model with bigram context.

    `max_candidates`: accented forms kept per folded syllable (most frequent first).
    `beta`: weight of the unigram prior against the bigram counts (additive interpolation).
    """

    max_candidates: int = 6
    beta: float = 1.0
    unigrams: Counter[str] = field(default_factory=Counter)
    bigrams: Counter[tuple[str, str]] = field(default_factory=Counter)
    _candidates: dict[str, tuple[tuple[str, float], ...]] | None = field(
        default=None, init=False, repr=False
    )
    _denominator: float = field(default=1.0, init=False, repr=False)

    # ------------------------------------------------------------------ learning
    @classmethod
    def from_corpus(
        cls, texts: Iterable[str], everyday: bool = True, everyday_weight: int = 5
    ) -> AccentRestorer:
        """Fit on `texts`, plus (by default) the everyday phrases citizens type and the
        spellings and expansions of the abbreviation table, counted `everyday_weight` times,
        so that "can gi", "o dau", "so do" come out as "cần gì", "ở đâu", "sổ đỏ"."""
        restorer = cls().fit(texts)
        if everyday:
            restorer.fit(everyday_texts(), weight=everyday_weight)
        return restorer

    def fit(self, texts: Iterable[str], weight: int = 1) -> AccentRestorer:
        """Add the syllables and adjacent pairs of `texts` (accented text) to the counts.

        Each occurrence counts `weight` times. Tokens that are not well-formed syllables
        (typos such as "xuât", words glued by page extraction) are skipped, except
        non-Vietnamese words and codes ("visa", "cccd"). Counts accumulate over calls.
        Returns self.
        """
        unigrams = self.unigrams
        bigrams = self.bigrams
        for text in texts:
            if not text:
                continue
            for segment in segments_of(normalize_lower(text, max_chars=None)):
                prev: str | None = None
                for token in segment:
                    if not _learnable(token):
                        prev = None
                        continue
                    unigrams[token] += weight
                    if prev is not None:
                        bigrams[(prev, token)] += weight
                    prev = token
        self._candidates = None
        return self

    def _compile(self) -> dict[str, tuple[tuple[str, float], ...]]:
        if self._candidates is not None:
            return self._candidates
        total = sum(self.unigrams.values())
        denominator = total + 0.5 * max(len(self.unigrams), 1)
        by_fold: dict[str, list[tuple[int, str]]] = {}
        for form, count in self.unigrams.items():
            by_fold.setdefault(fold_token(form), []).append((count, form))
        compiled: dict[str, tuple[tuple[str, float], ...]] = {}
        for folded, forms in by_fold.items():
            forms.sort(key=lambda item: (-item[0], item[1]))
            compiled[folded] = tuple(
                (form, (count + 0.5) / denominator) for count, form in forms[: self.max_candidates]
            )
        self._candidates = compiled
        self._denominator = denominator
        return compiled

    @property
    def vocabulary_size(self) -> int:
        """Number of distinct accented syllables learnt."""
        return len(self.unigrams)

    def candidates(self, folded: str) -> list[str]:
        """Accented forms known for one folded syllable, most frequent first."""
        return [form for form, _ in self._compile().get(folded.lower(), ())]

    # ---------------------------------------------------------------- restoring
    def _transition(self, prev: str | None, form: str, prior: float) -> float:
        if prev is None:
            return math.log(prior)
        prev_count = self.unigrams.get(prev, 0)
        pair = self.bigrams.get((prev, form), 0)
        return math.log((pair + self.beta * prior) / (prev_count + self.beta))

    def _best_path(self, options: list[tuple[tuple[str, float], ...]]) -> list[str]:
        """Viterbi over one run of known tokens; each option list is (form, prior)."""
        scores = [math.log(prior) for _, prior in options[0]]
        back: list[list[int]] = []
        for i in range(1, len(options)):
            row_scores: list[float] = []
            row_back: list[int] = []
            for form, prior in options[i]:
                best_j = 0
                best = -math.inf
                for j, (prev_form, _) in enumerate(options[i - 1]):
                    score = scores[j] + self._transition(prev_form, form, prior)
                    if score > best:
                        best, best_j = score, j
                row_scores.append(best)
                row_back.append(best_j)
            scores = row_scores
            back.append(row_back)
        k = max(range(len(scores)), key=scores.__getitem__)
        path = [k]
        for row in reversed(back):
            k = row[k]
            path.append(k)
        path.reverse()
        return [options[i][k][0] for i, k in enumerate(path)]

    def restore_tokens(self, tokens: list[str], breaks: list[bool] | None = None) -> list[str]:
        """Restore lower-case tokens; `breaks[i]` True starts a new context before token i."""
        compiled = self._compile()
        result = list(tokens)
        run: list[int] = []
        options: list[tuple[tuple[str, float], ...]] = []

        def flush() -> None:
            if run:
                for index, form in zip(run, self._best_path(options), strict=True):
                    result[index] = form
                run.clear()
                options.clear()

        for i, token in enumerate(tokens):
            if breaks is not None and breaks[i]:
                flush()
            if token.isascii() and token.isalpha() and token in compiled:
                run.append(i)
                options.append(compiled[token])
            elif token in self.unigrams:  # already accented and known: fixed context
                run.append(i)
                options.append(((token, (self.unigrams[token] + 0.5) / self._denominator),))
            else:
                flush()
        flush()
        return result

    def restore(self, text: str) -> str:
        """`text` (normalised) with diacritics added to unaccented tokens the corpus knows.

        Case is kept ("Lam Giay" -> "Làm Giấy"); unknown tokens, numbers and codes are
        unchanged. An unfitted restorer returns the normalised text.
        """
        prepared = normalize(text)
        if not prepared or not self.unigrams:
            return prepared
        spans = list(iter_token_spans(prepared))
        originals = [prepared[s:e] for s, e, _ in spans]
        restored = self.restore_tokens([t.lower() for t in originals], [b for *_, b in spans])
        pieces: list[str] = []
        last = 0
        for (start, end, _), original, form in zip(spans, originals, restored, strict=True):
            pieces.append(prepared[last:start])
            pieces.append(_recase(original, form) if len(form) == len(original) else original)
            last = end
        pieces.append(prepared[last:])
        return "".join(pieces)

    # ------------------------------------------------------------- persistence
    def to_dict(self, min_count: int = 1) -> dict[str, Any]:
        """A JSON-ready dict. Pairs that cannot change a choice (both sides have a single
        accented form) are dropped; `min_count` also drops rare pairs."""
        compiled = self._compile()

        def ambiguous(form: str) -> bool:
            return len(compiled.get(fold_token(form), ())) > 1

        pairs = {
            f"{a} {b}": n
            for (a, b), n in self.bigrams.items()
            if n >= min_count and (ambiguous(a) or ambiguous(b))
        }
        return {
            "format": FORMAT,
            "max_candidates": self.max_candidates,
            "beta": self.beta,
            "unigrams": dict(self.unigrams),
            "bigrams": pairs,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AccentRestorer:
        """Rebuild a restorer saved with `to_dict`."""
        if data.get("format") != FORMAT:
            raise ValueError(f"not an accent restorer ({FORMAT}) dict: {data.get('format')!r}")
        bigrams: Counter[tuple[str, str]] = Counter()
        for key, count in data["bigrams"].items():
            first, second = key.split(" ")
            bigrams[(first, second)] = int(count)
        return cls(
            max_candidates=int(data["max_candidates"]),
            beta=float(data["beta"]),
            unigrams=Counter({k: int(v) for k, v in data["unigrams"].items()}),
            bigrams=bigrams,
        )
