"""Pure parsers for the text fields of National Public Service Portal records.

The portal export flattens its HTML tables into one string with no separators between the
cells (see ../shared/data/portal-procedures/README.md). The functions here cut those strings
back into rows by recognising what a cell looks like: a channel name followed by a time and
a fee label, a quantity such as "1 bản chính", a legal number such as "85/2019/TT-BTC".
Everything is a pure function of its input; `knowledge.importers.portal` assembles them into
a `Procedure`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from knowledge.schema import (
    Amount,
    Channel,
    ChannelKind,
    Currency,
    DocumentGroup,
    DocumentItem,
    Fee,
    LegalRef,
    OnlineLevel,
    ProcessingTime,
    TimeUnit,
)

NO_INFO = "Không có thông tin"
_EMPTY_VALUES = frozenset({"", NO_INFO, "--", "----", "-", "…", "..."})
_SPACES = re.compile(r"[ \t\u00a0\u200b\ufeff]+")
_ANY_SPACE = re.compile(r"\s+")

# ---------------------------------------------------------------------------------------------
# Text cleaning


def clean(text: str) -> str:
    """One line of text: whitespace collapsed; the portal's empty markers become ""."""
    value = _ANY_SPACE.sub(" ", text.replace("\xa0", " ")).strip()
    return "" if value in _EMPTY_VALUES else value


def clean_block(text: str) -> str:
    """Multi-line text: spaces collapsed in each line, blank lines dropped, markers → ""."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n")]
    value = "\n".join(line for line in lines if line)
    return "" if value in _EMPTY_VALUES else value


def split_top_level(text: str, separators: str = ",") -> list[str]:
    """Split at separators outside parentheses, only where the next word starts a new item
    (an upper-case letter or a digit): "Cán bộ, công chức, viên chức" stays one item."""
    items: list[str] = []
    depth = 0
    start = 0
    for i, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char in separators and depth == 0:
            rest = text[i + 1 :].lstrip()
            if rest[:1].isupper() or rest[:1].isdigit() or char in ";\n":
                items.append(text[start:i])
                start = i + 1
    items.append(text[start:])
    return [c for c in (clean(item.strip(" -+•*")) for item in items) if c]


def split_agencies(text: str) -> list[str]:
    """Agency names: one per line, ";" or top-level comma before a capitalised name."""
    return split_top_level(clean_block(text), ",;\n")


def split_addresses(text: str) -> list[str]:
    """Receiving addresses keep their commas ("119 Nguyễn Sơn, phường Bồ Đề, …"): split at
    "- " bullets when the list has them, else at new lines and ";"."""
    text = clean_block(text)
    if re.search(r"(?:^|\n)[-+•*]\s", text):  # bulleted: a line break inside an item joins
        parts = re.split(r"(?:^|\n)[-+•*]\s+", text)
    else:
        parts = re.split(r"[\n;]+", text)
    return [c for c in (clean(p.strip(" -+•*;")) for p in parts) if c]


# ---------------------------------------------------------------------------------------------
# Numbers and amounts of money

_VND_WORDS = r"Việt\s*Nam\s*Đồng|VNĐ|VND|đồng|đ"
_USD_WORDS = r"USD|đô\s*la\s*Mỹ|đô\s*la|Đô\s*la\s*Mỹ"
_MULTIPLIERS = {"nghìn": 1e3, "ngàn": 1e3, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9}
_NUMBER = r"\d{1,3}(?:[.,]\d{3})+(?:,\d{1,2})?|\d+(?:[.,]\d+)?"
_PER_UNIT_STOP = r"(?!kể|theo|áp|đối|từ|trong|cho|khi|nếu|và|hoặc|tại|được|là|\d)"
_PER_UNIT = rf"/\s?(?:\d+\s)?[^\W\d_]+(?:[\s-]{_PER_UNIT_STOP}[^\W\d_]+){{0,2}}"
AMOUNT_RE = re.compile(
    rf"(?<![\d/.,])(?P<num>{_NUMBER})\s*(?P<per1>/\s?[^\W\d_]+\s*)?"
    rf"(?P<mult>nghìn|ngàn|triệu|tỷ|tỉ)?\s*"
    rf"(?P<cur>{_USD_WORDS}|{_VND_WORDS})(?![^\W\d_])(?P<per2>\s?{_PER_UNIT})?",
    re.IGNORECASE,
)
# "8.000.000/lần": a grouped number with a per-unit and no currency (always đồng on the portal)
BARE_AMOUNT_RE = re.compile(rf"(?<![\d/.,])(?P<num>\d{{1,3}}(?:\.\d{{3}})+)(?P<per2>{_PER_UNIT})")
# What the acceptance checks count as "an amount is written here"
AMOUNT_HINT_RE = re.compile(
    rf"\d[\d.,]*\s*(?:/\s?[^\W\d_]+\s*)?(?:nghìn|ngàn|triệu|tỷ)?\s*"
    rf"(?:{_USD_WORDS}|Việt\s*Nam\s*Đồng|VNĐ|VND|đồng)(?![^\W\d_])",
    re.IGNORECASE,
)


def parse_number(text: str, *, has_multiplier: bool = False) -> float:
    """ "70,000" / "2.000.000" → thousands separators; "2,5" (before "triệu") → 2.5."""
    text = text.strip()
    if re.fullmatch(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*", text) and not has_multiplier:
        return float(re.sub(r"[.,]", "", text))
    grouped = re.fullmatch(r"(\d{1,3}(?:\.\d{3})+),(\d{1,2})", text)
    if grouped:  # "1.234,5"
        return float(grouped.group(1).replace(".", "") + "." + grouped.group(2))
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", text):
        return float(text.replace(",", ""))
    return float(text.replace(",", "."))


def _currency(word: str) -> Currency:
    lowered = word.lower()
    return "USD" if lowered.startswith(("usd", "đô")) else "VND"


def _amount(value: float, currency: Currency, text: str, context: str = "") -> Amount:
    return Amount(
        amount=value,
        currency=currency,
        amount_vnd=round(value) if currency == "VND" else None,
        text=clean(text),
        context=context,
    )


_CLAUSE_BREAK = re.compile(r"[;\n+]|(?<=[.!?])\s|\s-\s|^-\s|\(|\)")
_CONTEXT_TRIM = re.compile(
    r"^(?:[-+*•:.,\s]|Phí\s*:\s*Đồng)+|(?:\s|[:,(]|\blà\b|\bmức thu\b|\bmức phí\b|\bgồm\b)+$",
    re.IGNORECASE,
)


def _context_before(text: str, start: int, floor: int = 0) -> str:
    """What an amount is for: the clause before it ("Lệ phí cấp giấy chứng nhận: 40.000 đ"),
    not reaching back past the previous amount (`floor`)."""
    window = text[max(floor, start - 240) : start]
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(window)]
    clause = window[breaks[-1] :] if breaks else window
    return _CONTEXT_TRIM.sub("", clean(clause))


def _context_after(text: str, end: int) -> str:
    """ "15000000/lần Đồng (Đối với nhà khai thác …)": the parenthesised words after it."""
    match = re.match(
        r"[^()]{0,12}\(((?:Đối với|đối với|Áp dụng|áp dụng|Cho|cho)[^()]*)", text[end:]
    )
    return clean(match.group(1))[:200] if match else ""


def find_amounts(text: str) -> list[Amount]:
    """Every amount of money written in `text`, in order."""
    amounts: list[Amount] = []
    previous_end = 0
    for match in _amount_matches(text):
        groups = match.groupdict()
        multiplier_word = (groups.get("mult") or "").lower()
        try:
            value = parse_number(match.group("num"), has_multiplier=bool(multiplier_word))
        except ValueError:
            continue
        value *= _MULTIPLIERS.get(multiplier_word, 1)
        currency = _currency(groups["cur"]) if groups.get("cur") else "VND"
        context = _context_before(text, match.start(), previous_end) or _context_after(
            text, match.end()
        )
        amounts.append(_amount(value, currency, match.group(0), context))
        previous_end = match.end()
    return amounts


# ---------------------------------------------------------------------------------------------
# Dates and locally set fees

_DATE_NUMERIC = r"(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})"
_DATE_WORDS = r"(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"
VALID_UNTIL_RE = re.compile(
    rf"đến\s+(?:hết\s+)?ngày\s+(?:{_DATE_NUMERIC}|{_DATE_WORDS})", re.IGNORECASE
)
SET_LOCALLY_RE = re.compile(
    r"Hội\s+đồng\s+nhân\s+dân|HĐND|"
    r"(?:Ủy|Uỷ)\s+ban\s+nhân\s+dân\s+(?:cấp\s+)?tỉnh[^.;()]{0,60}\bquy\s+định|"
    r"do\s+(?:UBND|Ủy ban nhân dân)\s+(?:cấp\s+)?tỉnh",
    re.IGNORECASE,
)


def find_valid_until(text: str) -> dt.date | None:
    """The date in "áp dụng đến hết ngày 31/12/2026" (also "… 31 tháng 12 năm 2026")."""
    for match in VALID_UNTIL_RE.finditer(text):
        day, month, year = (int(g) for g in match.groups() if g is not None)
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return None


def is_set_locally(text: str) -> bool:
    """True when the fee is decided by the provincial People's Council (or province)."""
    return bool(SET_LOCALLY_RE.search(text))


# ---------------------------------------------------------------------------------------------
# Channels table: "Hình thức nộpThời gianPhí, lệ phíMô tả" + rows with no separators

CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
CHANNEL_KINDS: dict[str, ChannelKind] = {
    "Trực tiếp": "in_person",
    "Trực tuyến": "online",
    "Dịch vụ bưu chính": "post",
}
_TIME_UNITS = r"Ngày làm việc|Ngày|Giờ|Tháng|Tuần|Năm|Phút"
_TIME = rf"Không có thông tin|Không quy định|Không|\d+(?:[.,]\d+)?(?:\s*(?:{_TIME_UNITS}))?"
_FEE_CURRENCY = r"Việt Nam Đồng|VNĐ|USD|Đồng"
_FEE = rf"Miễn phí|Không có thông tin|\d[\d.,]*\s?(?:{_FEE_CURRENCY})"
ROW_RE = re.compile(
    r"(?P<channel>Trực tiếp|Trực tuyến|Dịch vụ bưu chính)[ \t]*"
    rf"(?:(?P<glued>\d[\d,]*)\s?(?P<glued_cur>{_FEE_CURRENCY})"
    rf"|(?P<time>{_TIME})[ \t]*(?P<fee>{_FEE}))"
)
# Fallback when no row matches: the time cell holds words ("Không phải trả kết quả …").
LOOSE_ROW_RE = re.compile(
    r"(?P<channel>Trực tiếp|Trực tuyến|Dịch vụ bưu chính)"
    r"(?P<time>[A-ZĐÀ-Ỹ][^()]{2,200}?)(?P<fee>Miễn phí|Không có thông tin)"
)
_FEE_LABEL_NUMBER = re.compile(r"0|[1-9]\d{0,2}(?:,\d{3})*")
_ENUMERATOR = re.compile(r"\(\s*(?:\d{1,2}|[a-zđ]|[ivx]{1,4})\s*\)")
_UNIT_OF: dict[str, TimeUnit] = {"ngày làm việc": "working_days", "ngày": "days", "giờ": "hours"}


@dataclass(frozen=True)
class RawRow:
    """One row of the channels table, cut into its cells."""

    channel: ChannelKind
    time: str
    fee_label: str
    fee_note: str
    description: str


def _balanced_prefix(text: str) -> tuple[str, str] | None:
    """For text starting with "(", (inside, rest) of the balanced group; None if unbalanced."""
    depth = 0
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return text[1:i], text[i + 1 :]
    return None


_BARE_ENUMERATOR = re.compile(r"(?:^|(?<=\s))(?:\d{1,2}|[a-zđ]|[ivx]{1,4})\)(?=\s)")


def _unmatched_close(text: str) -> int:
    """Index of the first ")" that closes nothing (bare enumerators "b)" aside), or -1."""
    skip = {m.end() - 1 for m in _BARE_ENUMERATOR.finditer(text)}
    depth = 0
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")" and i not in skip:
            depth -= 1
            if depth < 0:
                return i
    return -1


def split_note(tail: str) -> tuple[str, str]:
    """(fee note, description) from what follows the fee label in one row.

    The note is the parenthesised group right after the label (nested parentheses kept).
    A row that starts "(1) Trường hợp …" starts its description with an enumerator, unless a
    ")" later closes nothing: then "(a) …)" was a note whose first item is "a)".
    """
    if not tail.startswith("("):
        return "", tail
    enumerator = _ENUMERATOR.match(tail)
    if enumerator:
        close = _unmatched_close(tail[enumerator.end() :])
        if close < 0:
            return "", tail
        close += enumerator.end()
        return tail[1:close], tail[close + 1 :]
    group = _balanced_prefix(tail)
    if group is not None:
        return group
    close = tail.rfind(")")  # an unbalanced note: up to its last ")"
    if close > 0:
        return tail[1:close], tail[close + 1 :]
    return tail[1:], ""


def _note_values(tail: str) -> set[float]:
    return {a.amount for a in find_amounts(split_note(tail)[0])}


def split_glued_time_fee(digits: str, tail: str) -> tuple[str, str]:
    """ "Trực tuyến120 VNĐ" has no separator between a bare time and the fee: pick the split
    whose fee appears in the note (×1 or ×1000), else the shortest time ("1" + "20")."""
    candidates = [
        (digits[:i], digits[i:])
        for i in range(1, len(digits))
        if digits[:i].isdigit() and _FEE_LABEL_NUMBER.fullmatch(digits[i:])
    ]
    if not candidates:
        return "", digits
    values = _note_values(tail)
    for time, fee in candidates:
        number = parse_number(fee)
        if number in values or number * 1000 in values:
            return time, fee
    return candidates[0]


def split_channel_rows(text: str) -> list[RawRow]:
    """Rows of the flattened channels table, in order."""
    body = text.replace(CHANNEL_HEADER, "", 1) if text.startswith(CHANNEL_HEADER) else text
    matches = list(ROW_RE.finditer(body)) or list(LOOSE_ROW_RE.finditer(body))
    rows: list[RawRow] = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
        tail = body[match.end() : end].strip()
        if match.re is ROW_RE and match.group("glued") is not None:
            time, number = split_glued_time_fee(match.group("glued"), tail)
            fee_label = f"{number} {match.group('glued_cur')}"
        else:
            time, fee_label = match.group("time"), match.group("fee")
        note, description = split_note(tail)
        rows.append(
            RawRow(
                channel=CHANNEL_KINDS[match.group("channel")],
                time=clean(time),
                fee_label=clean(fee_label),
                fee_note=clean(note),
                description=clean_block(description),
            )
        )
    return rows


def parse_processing_time(raw: str, description: str = "") -> ProcessingTime:
    """ "5 Ngày làm việc" → 5 working days; a bare "5" takes its unit from the description
    ("05 (năm) ngày làm việc …") or stays "unknown"."""
    raw = clean(raw)
    match = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*([^\d].*)?", raw)
    if not match:
        return ProcessingTime(raw=raw)
    value = float(match.group(1).replace(",", "."))
    unit_word = (match.group(2) or "").strip().lower()
    if unit_word:
        return ProcessingTime(value=value, unit=_UNIT_OF.get(unit_word, "unknown"), raw=raw)
    return ProcessingTime(value=value, unit=infer_time_unit(value, description), raw=raw)


def infer_time_unit(value: float, description: str) -> TimeUnit:
    """The unit the description gives to the same number: "05 (năm) ngày làm việc"."""
    if not value.is_integer():
        return "unknown"
    pattern = rf"(?<![\d/.,])0*{int(value)}\s*(?:\([^)]{{1,20}}\)\s*)?(ngày làm việc|ngày|giờ)"
    match = re.search(pattern, description, re.IGNORECASE)
    return _UNIT_OF[match.group(1).lower()] if match else "unknown"


_SENTENCE_BREAK = re.compile(r";|(?<=\.)\s+|\s+[-+*]\s+|\n")
_REDUCTION = re.compile(r"\d\s*%|\bgiảm\b", re.IGNORECASE)


def _sentence_at(text: str, position: int) -> str:
    starts = [0] + [m.end() for m in _SENTENCE_BREAK.finditer(text) if m.end() <= position]
    ends = [m.start() for m in _SENTENCE_BREAK.finditer(text) if m.start() > position]
    return text[starts[-1] : ends[0] if ends else len(text)]


def _valid_until_for(
    note: str, main: Amount | None, main_in_note: int | None, note_has_amounts: bool
) -> dt.date | None:
    """The "đến hết ngày …" date that belongs to the main amount.

    When the main amount is written in the note, the date must be in its sentence
    ("25.000đ/giấy thông hành (áp dụng đến hết ngày 31/12/2026 …)"). A note without any
    amount qualifies the label's amount, unless the dated sentence is about a reduction
    ("… bằng 50% mức thu").
    """
    if main is None:
        return None
    if main_in_note is not None:
        return find_valid_until(_sentence_at(note, main_in_note))
    if note_has_amounts:  # the dates belong to the note's own amounts
        return None
    for match in VALID_UNTIL_RE.finditer(note):
        if not _REDUCTION.search(_sentence_at(note, match.start())):
            return find_valid_until(match.group(0))
    return None


_NOTE_BOILERPLATE = re.compile(r"^(?:(?:Lệ\s*)?phí\s*:\s*)?Đồng\s*(?=\(|$)", re.IGNORECASE)


def clean_note(note: str) -> str:
    """Drop the portal's empty "Phí : Đồng (…)" prefix and parentheses around the whole note."""
    note = clean(_NOTE_BOILERPLATE.sub("", clean(note)))
    while note.startswith("(") and _balanced_prefix(note) == (note[1:-1], ""):
        note = clean(note[1:-1])
    return note


def _label_amount(label: str) -> Amount | None:
    match = re.fullmatch(rf"(\d[\d.,]*)\s*({_FEE_CURRENCY})", label)
    if not match:
        return None
    return _amount(parse_number(match.group(1)), _currency(match.group(2)), label)


def _read_small_label(label: Amount, note_amounts: list[Amount]) -> tuple[Amount | None, str]:
    """Labels in đồng below 1,000 are the portal's thousands ("20 VNĐ" = 20.000 đồng, as the
    notes confirm), or a placeholder ("1 VNĐ" beside "miễn lệ phí"); "155 VNĐ" beside a
    note in "155 USD" is in dollars."""
    if label.amount == 1:
        return None, f"fee label {label.text!r} is a placeholder: ignored"
    for amount in note_amounts:
        if amount.currency == "USD" and amount.amount == label.amount:
            fixed = label.model_copy(update={"currency": "USD", "amount_vnd": None})
            return fixed, f"fee label {label.text!r} read as {amount.text!r} (from the note)"
    thousands = label.amount * 1000
    fixed = label.model_copy(update={"amount": thousands, "amount_vnd": round(thousands)})
    if any(a.currency == "VND" and a.amount == thousands for a in note_amounts):
        return fixed, f"fee label {label.text!r} read as {_vnd(thousands)} (as in the note)"
    return fixed, f"fee label {label.text!r} read as {_vnd(thousands)} (thousands)"


def _vnd(value: float) -> str:
    return f"{round(value):,}".replace(",", ".") + " đồng"


def _fee_amounts(
    label_amount: Amount | None, note: str, description: str
) -> tuple[Amount | None, list[Amount], int | None]:
    """(main amount, all amounts main first, position of the main amount in the note)."""
    positions = [m.start() for m in _amount_matches(note)]
    note_amounts = find_amounts(note)
    if label_amount is None:
        candidates = [(i, a) for i, a in enumerate(note_amounts) if a.amount > 0]
        if candidates:
            index, main = candidates[0]
            others = note_amounts[:index] + note_amounts[index + 1 :]
            return main, [main, *others], positions[index] if index < len(positions) else None
        if note_amounts:
            return None, note_amounts, None
        described = [a for a in find_amounts(description) if _looks_like_fee(a)]
        return (described[0] if described else None), described, None
    amounts = list(note_amounts)
    same = next(
        (
            i
            for i, a in enumerate(amounts)
            if (a.amount, a.currency) == (label_amount.amount, label_amount.currency)
        ),
        None,
    )
    main = label_amount
    position = None
    if same is not None:  # the note restates the main amount: keep one copy, with its context
        restated = amounts.pop(same)
        position = positions[same] if same < len(positions) else None
        if restated.context:
            main = main.model_copy(update={"context": restated.context})
    return main, [main, *amounts], position


def _amount_matches(text: str) -> list[re.Match[str]]:
    taken = [m.span() for m in AMOUNT_RE.finditer(text)]
    matches = list(AMOUNT_RE.finditer(text))
    matches += [
        m for m in BARE_AMOUNT_RE.finditer(text) if not any(a <= m.start() < b for a, b in taken)
    ]
    return sorted(matches, key=lambda m: m.start())


def parse_fee(label: str, note: str, description: str = "") -> tuple[Fee, list[str]]:
    """A fee cell and its parenthesised note → `Fee` and warnings.

    The main amount is the label's amount; a label without one ("Miễn phí") takes the first
    non-zero amount of the note, then a fee amount of the row's description.
    """
    warnings: list[str] = []
    label = clean(label)
    note = clean_note(note)
    label_amount = _label_amount(label)
    if (
        label_amount is not None
        and label_amount.currency == "VND"
        and 0 < label_amount.amount < 1000
    ):
        label_amount, warning = _read_small_label(label_amount, find_amounts(note))
        warnings.append(warning)
    main, amounts, main_in_note = _fee_amounts(label_amount, note, description)
    set_locally = is_set_locally(f"{label} {note}")
    says_free = label.lower().startswith("miễn phí")
    if says_free and main is not None:
        warnings.append(f"fee label {label!r} but the note gives an amount ({main.text})")
    fee = Fee(
        amount_vnd=main.amount_vnd if main is not None else None,
        amount_text=main.text if main is not None else "",
        free=says_free and not any(a.amount > 0 for a in amounts) and not set_locally,
        set_locally=set_locally,
        note=note,
        label=label,
        amounts=amounts,
        valid_until=_valid_until_for(note, main, main_in_note, bool(_amount_matches(note))),
    )
    return fee, warnings


def _looks_like_fee(amount: Amount) -> bool:
    return bool(re.search(r"phí|lệ phí|mức thu|giá", amount.context, re.IGNORECASE))


def parse_channels(text: str) -> tuple[list[Channel], list[str]]:
    """The channels table → `Channel`s and warnings."""
    channels: list[Channel] = []
    warnings: list[str] = []
    for row in split_channel_rows(text):
        fee, fee_warnings = parse_fee(row.fee_label, row.fee_note, row.description)
        warnings += fee_warnings
        channels.append(
            Channel(
                channel=row.channel,
                processing_time=parse_processing_time(row.time, row.description),
                fee=fee,
                note=row.description,
            )
        )
    return channels, list(dict.fromkeys(warnings))


# ---------------------------------------------------------------------------------------------
# Documents table: "[case]Tên giấy tờMẫu đơn, tờ khaiSố lượng<name><form?><quantity>…"

DOCUMENT_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
# The quantity cell ends each row: "1 bản chính" or "0 bản chính,1 bản sao" (single digits:
# the name before it often ends in a year, "… ngày 15/06/20201 bản chính").
QUANTITY_RE = re.compile(
    r"(?<!\D0)(?P<qty>\d\s*bản\s*chính(?:\s*,\s*\d\s*bản\s*sao)?)(?!\s+(?:[a-zđà-ỹ]|\d))"
)
_FILE_EXT = r"\.(?:docx|doc|pdf|xlsx|xls|rar|zip|odt)"
FILE_RE = re.compile(_FILE_EXT, re.IGNORECASE)
_FORM_WORDS = (
    r"Mẫu|MẪU|Mau|MAU|mau|Phụ lục|PHỤ LỤC|Phụ Lục|Phu luc|Phu lục|PL|Tờ khai|TỜ KHAI|To khai|"
    r"Biểu mẫu|Bieu mau|BM|Form|Mus|Ms"
)
_GLUED_FORM = re.compile(rf"(?<=[^\s])(?={_FORM_WORDS})")
_CAMEL_GLUE = re.compile(r"[a-zà-ỹđ\d.;)](?=[A-ZĐÀ-Ỹ])")
_HEADING_TRIM = re.compile(r"^[\s*\-–+•]+|[\s:]+$")


def _has_words(text: str) -> bool:
    return len(re.findall(r"[^\W\d_]", text)) >= 3


def _form_start(before: str) -> int | None:
    """Where the form name starts in "<name><form file>" (the text before the first
    extension): the first form word glued to the name ("…khai thácMau 35 - Phu luc….docx",
    "…NĐ-CP.Mẫu số 12.docx"), else the last lower→upper glue ("…đầu tưVăn bản….docx"), else
    a last space-free token without Vietnamese letters; None when nothing fits."""
    window_start = max(0, len(before) - 160)
    glued = [
        m.start()
        for m in _GLUED_FORM.finditer(before, window_start)
        if before[m.start() - 1] not in "([" and _has_words(before[: m.start()])
    ]
    if glued:
        return glued[0]
    camel = [m.start() + 1 for m in _CAMEL_GLUE.finditer(before, window_start)]
    if camel:
        return camel[-1]
    token = re.search(r"[^\s]+$", before)
    if token and token.group(0).isascii():
        return token.start()
    return None


def split_form(cell: str) -> tuple[str, str]:
    """(document name, form) from the text before a quantity. The form is a file name
    ("Mẫu số 05.docx", several are joined with "; ") or "" when none is recognisable."""
    first = FILE_RE.search(cell)
    if first is None or not re.fullmatch(
        rf"(?:[^\n]*?{_FILE_EXT})+\s*", cell[first.start() :], re.IGNORECASE
    ):
        return cell, ""
    start = _form_start(cell[: first.start()])
    if start is None:
        return cell, ""
    name, form = cell[:start], cell[start:]
    if not clean(name):
        return cell, ""
    files = re.findall(rf".*?{_FILE_EXT}", form, flags=re.IGNORECASE | re.DOTALL)
    return name, "; ".join(c for c in (clean(f) for f in files) if c)


def clean_heading(text: str) -> str:
    return clean(_HEADING_TRIM.sub("", clean(text)))


def _item(cell: str, quantity: str) -> DocumentItem | None:
    name, form = split_form(cell)
    name = clean(name.strip().lstrip("-+•* ").strip())
    if not name:
        return None
    return DocumentItem(name=name, form=form, quantity=re.sub(r"\s*,\s*", ", ", quantity))


def _rows(segment: str) -> tuple[list[DocumentItem], str]:
    """Items of one table body and the text after its last quantity (the next case's title)."""
    items: list[DocumentItem] = []
    position = 0
    for match in QUANTITY_RE.finditer(segment):
        item = _item(segment[position : match.start()], clean(match.group("qty")))
        if item is not None:
            items.append(item)
        position = match.end()
    return items, segment[position:]


def parse_documents(text: str) -> list[DocumentGroup]:
    """The documents table → groups by case (heading before each header; "" = general)."""
    if DOCUMENT_HEADER not in text:
        return []
    segments = text.split(DOCUMENT_HEADER)
    case = clean_heading(segments[0])
    groups: list[DocumentGroup] = []
    for index, segment in enumerate(segments[1:], start=1):
        items, rest = _rows(segment)
        last = index == len(segments) - 1
        if last and clean(rest):
            leftover = clean(rest.strip().lstrip("-+•* "))
            if leftover:  # a last row without a quantity cell
                items.append(DocumentItem(name=leftover))
        if items:
            groups.append(DocumentGroup(case=case, items=items))
        case = clean_heading(rest) if not last else ""
    return _merge_same_case(groups)


def _merge_same_case(groups: list[DocumentGroup]) -> list[DocumentGroup]:
    merged: list[DocumentGroup] = []
    for group in groups:
        if merged and merged[-1].case == group.case:
            merged[-1] = DocumentGroup(case=group.case, items=merged[-1].items + group.items)
        else:
            merged.append(group)
    return merged


# ---------------------------------------------------------------------------------------------
# Legal basis: "Tên văn bản pháp lýMã văn bản" + "<title><number>" rows

LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
# Issuer codes seen on the portal, longest first, so that a code glued to the next title
# ("NĐ-CPQuy định…", "TT-BCAQUY ĐỊNH…") stops where it should; unknown codes match generically.
_ISSUER_CODES = (
    "CP QH TT BTC BTP BCA NQ NHNN BNNMT BGTVT BXD QĐ QD NĐ ND BNNPTNT BTNMT BHXH UBTVQH BKHĐT "
    "PL BLĐTBXH HĐND UBND VPCP BVHTTDL BYT BKHCN TTLT BQP BCT BNV NQLT CSXH BTTTT TANDTC "
    "VKSNDTC BNG VBHN VPQH CTN HĐTP BGDĐT BNN UBDT KBNN TCHQ TCT TTCP C06 C11 BKH BLĐ"
)
_ISSUERS = sorted(set(_ISSUER_CODES.split()), key=len, reverse=True)
_ISSUER = "(?:TTg|" + "|".join(map(re.escape, _ISSUERS)) + r"|[A-ZĐ]{1,10})"
_SEPARATOR = r"\s?[-–]\s?"
_CODE_SEPARATOR = re.compile(_SEPARATOR)
LEGAL_NUMBER_RE = re.compile(
    rf"(?P<num>\d+(?:\.\d+)?)/(?:\d{{4}}/)?(?P<code>{_ISSUER}(?:{_SEPARATOR}{_ISSUER})*)"
    r"(?P<term>(?<=QH)\d{1,2})?"
)
_NUMBER_PREFIX = re.compile(
    r"(?:(?:Thông tư|Nghị định|Nghị quyết|Quyết định|Luật|Luất|Pháp lệnh|Văn bản hợp nhất|"
    r"NĐ|TT|QĐ|NQ)(?:\s+liên tịch)?\s*)?(?:số|Số)?\s*$"
)
_YEAR = re.compile(r"(?:19[4-9]\d|20[0-4]\d)")
_TITLE_CONTINUES = re.compile(r"(?:ngày|của|năm)\b")


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    number: str


def _number_end(body: str, match: re.Match[str]) -> int:
    """Where a matched number really ends: a generic issuer code that runs into lower-case
    letters took the capital that starts the following words.

    "…/TT-BCA - Quy định…" and "…/NĐ-CP- Luật…" end before their separator (a lone capital
    is never a code there); "…/TT-BXYZQuy định…" gives the Q back. Known codes ("NĐ-CPsửa
    đổi…") and a Quốc hội term ("…/QH13") are kept whole.
    """
    end = match.end()
    if match.group("term") or not body[end : end + 1].islower():
        return end
    code = match.group("code")
    separators = list(_CODE_SEPARATOR.finditer(code))
    last = code[separators[-1].end() :] if separators else code
    if last in _ISSUERS or last == "TTg":
        return end
    if len(last) > 1:
        return end - 1
    return match.start("code") + separators[-1].start() if separators else end


def _legal_token(body: str, match: re.Match[str]) -> _Token:
    start, end = match.start(), _number_end(body, match)
    digits, dot, _ = match.group("num").partition(".")
    if dot and _YEAR.fullmatch(digits):
        start += len(digits) + 1  # "…ngày 15/5/2026.55/2026/TT-BTC": a sentence ends there
    elif len(digits) >= 5 and _YEAR.fullmatch(digits[:4]):
        start += 4  # "năm 201102/2011/QH13": the title's year is glued to the number
    number = re.sub(r"\s*[-–]\s*", "-", body[start:end]).strip()
    # "118/2025/NĐ-CQuy định…": the portal dropped the P of a decree's "NĐ-CP"
    number = re.sub(r"(?<=/N[ĐD]-C)$", "P", number)
    return _Token(start, end, number)


def _legal_tokens(body: str) -> list[_Token]:
    return [_legal_token(body, m) for m in LEGAL_NUMBER_RE.finditer(body)]


def _glued_left(body: str, token: _Token) -> bool:
    return token.start == 0 or not body[token.start - 1].isspace()


def _letter_after(body: str, token: _Token) -> bool:
    after = body[token.end :]
    return after[:1].isalpha() and not _TITLE_CONTINUES.match(after)


def _title_follows(text: str) -> bool:
    """Whether text starts a title: a capital, maybe after a dash ("- Luật…", " - Ưu đãi…")."""
    rest = re.sub(r"^\s*[-–]?\s*", "", text, count=1)
    return rest[:1].isupper()


def _titles_its_row(body: str, tokens: list[_Token], index: int) -> bool:
    """Whether tokens[index] opens a row titled by its own number, the number cell repeating
    it: right after ("…/QH15193/…/NĐ-CP193/…/NĐ-CP") or after the title
    ("…07/2022/QH15 - Luật sửa đổi…07/2022/QH15")."""
    token = tokens[index]
    later = tokens[index + 1 :]
    if later and later[0].start == token.end:
        return later[0].number == token.number
    titled = _title_follows(body[token.end :])
    return titled and any(other.number == token.number for other in later)


def _glued_to_text(body: str, tokens: list[_Token], index: int) -> bool:
    """Glued to the text before it, or to its own copy, not to another row's number."""
    token = tokens[index]
    previous = tokens[index - 1] if index > 0 else None
    if previous is not None and previous.end == token.start:
        return previous.number == token.number
    return _glued_left(body, token)


def _is_row_end(body: str, tokens: list[_Token], index: int) -> bool:
    """Whether tokens[index] fills the number cell of its row.

    It does when nothing follows, when the next title is glued to it ("…/NĐ-CPThông tư…"),
    or after a line break or a tab. A number glued to the next number belongs to the title of
    the next one's row ("Nghị định 05/2012/NĐ-CP05/2012/NĐ-CP"), unless that next number
    titles its own row (`_titles_its_row`). A number glued to the text before it ends its row
    when a capital follows, also after a dash: the next title starts with "- " ("…bắt
    buộc158/2025/NĐ-CP- Luật…"), whereas a number written in its own title keeps it
    ("Thông tư 10/2014/TT-BCA - Quy định…").
    """
    token = tokens[index]
    after = body[token.end :]
    if not after.strip():
        return True
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    if following is not None and following.start == token.end:
        return following.number != token.number and _titles_its_row(body, tokens, index + 1)
    if _letter_after(body, token) or re.match(r"[ \t]*\n\s*\S|[-–]?\t", after):
        return True
    return _glued_to_text(body, tokens, index) and _title_follows(after)


def _loose_refs(text: str) -> list[LegalRef]:
    """Legal numbers in text that is not the table (a few records carry a fragment of the
    channels table here): one ref per distinct number, titled by its clause."""
    refs: dict[str, LegalRef] = {}
    for token in _legal_tokens(text):
        if token.number in refs:
            continue
        start = max(text.rfind(c, 0, token.start) for c in ":()") + 1
        stops = [i for i in (text.find(")", token.end), text.find(". ", token.end)) if i >= 0]
        end = min(stops) if stops else len(text)
        title = clean(text[start:end].strip(" .;,"))[:300] or token.number
        refs[token.number] = LegalRef(title=title, number=token.number)
    return list(refs.values())


def _with_number(ref: LegalRef) -> LegalRef:
    """A row whose number cell is missing or partial ("…giá trị24/2024") takes the first
    full number written in its title."""
    if ref.number:
        return ref
    tokens = _legal_tokens(ref.title)
    if not tokens:
        return ref
    title = re.sub(r"\d+/\d{4}$", "", ref.title).strip() or ref.title
    return LegalRef(title=title, number=tokens[0].number)


# Cyrillic look-alikes typed into issuer codes ("85/2024/TT-BTС" with a Cyrillic С)
_LOOKALIKES = str.maketrans("АВСЕНКМОРТХ", "ABCEHKMOPTX")


# Titles whose head the portal dropped ("…/TT-BTChông tư số 06/2025/TT-BTC…"): these fragments
# cannot begin a title, so the document kind they belong to is certain.
_HEADLESS_TITLES = (
    (re.compile(r"hông tư\b"), "T"),
    (re.compile(r"ghị (?:định|quyết)\b"), "N"),
    (re.compile(r"uyết định\b"), "Q"),
    (re.compile(r"uy (?:định|chế)\b"), "Q"),
    (re.compile(r"uật "), "L"),
    (re.compile(r"háp lệnh\b"), "P"),
    (re.compile(r"ướng dẫn\b"), "H"),
    (re.compile(r"ửa đổi\b"), "S"),
    (re.compile(r"định số [\d.]+/(?:\d{4}/)?N[ĐD]-"), "Nghị "),  # a decree's "Nghị định"
)


def _restore_head(title: str) -> str:
    for fragment, head in _HEADLESS_TITLES:
        if fragment.match(title):
            return head + title
    return title


def parse_legal_basis(text: str) -> list[LegalRef]:
    """The legal-basis table → `LegalRef(title, number)` rows."""
    text = text.translate(_LOOKALIKES)
    if LEGAL_HEADER not in text:
        return _loose_refs(text) if clean(text) else []
    body = text.split(LEGAL_HEADER, 1)[1]
    if not clean(body):
        return []
    tokens = _legal_tokens(body)
    refs: list[LegalRef] = []
    position = 0
    for index, token in enumerate(tokens):
        if token.start < position or not _is_row_end(body, tokens, index):
            continue
        cell = body[position : token.start]
        title_text = cell
        prefix = _NUMBER_PREFIX.search(cell)
        # "…ngoàiThông tư số 79/2025/TT-NHNN": the number cell repeats the document kind
        if (
            prefix
            and prefix.group(0).strip()
            and prefix.start() > 0
            and not cell[prefix.start() - 1].isspace()
        ):
            title_text = cell[: prefix.start()]
        title = clean(title_text.strip(" ;,.-\n\t")) or clean(cell) or token.number
        title = _restore_head(title)
        refs.append(LegalRef(title=title, number=token.number))
        position = token.end
    leftover = clean(body[position:].strip(" ;,.-"))
    if len(leftover) >= 3:
        refs.append(LegalRef(title=_restore_head(leftover)))
    return [_with_number(ref) for ref in refs]


# ---------------------------------------------------------------------------------------------
# Result: "<result>Mã: KQ.G15.000031[<result>Mã: …]Từ khóa…Mô tả…Chọn cơ quan thực hiện…"

_RESULT_CHROME = re.compile(r"Chọn cơ quan thực hiện.*$", re.DOTALL)
_RESULT_CODE = re.compile(
    r"\s*(?P<code>(?:(?:[A-Z]+\d*(?![a-zà-ỹđ])|\d+)[.\-_])*(?:[A-Z]+\d*(?![a-zà-ỹđ])|\d+))?"
)


def split_page_chrome(text: str) -> tuple[str, str]:
    """(content, description): what precedes the page's "Từ khóa…Mô tả…" block, and the
    "Mô tả" text when it says something; "Chọn cơ quan thực hiện…Nộp hồ sơ" is dropped."""
    text = _RESULT_CHROME.sub("", text)
    keywords_at = text.find("Từ khóa")
    if keywords_at < 0:
        return text, ""
    described = text[keywords_at:].split("Mô tả", 1)
    return text[:keywords_at], clean_block(described[1]) if len(described) == 2 else ""


def parse_result(text: str) -> tuple[str, str]:
    """(result text, result codes) without the page chrome that follows the result cell."""
    text, description = split_page_chrome(text)
    names: list[str] = []
    codes: list[str] = []
    parts = text.split("Mã:")
    names.append(parts[0])
    for part in parts[1:]:
        match = _RESULT_CODE.match(part)
        code = match.group("code") if match and match.group("code") else ""
        if code:
            codes.append(code)
        names.append(part[match.end() if match else 0 :])
    result_lines = [c for c in (clean_block(n).lstrip("-+•* ") for n in names) if c]
    if description:
        result_lines.append(description)
    return "\n".join(dict.fromkeys(result_lines)), ", ".join(dict.fromkeys(codes))


# ---------------------------------------------------------------------------------------------
# Steps

_STEP_MARKER = re.compile(
    r"(?:(?<=^)|(?<=\n)|(?<=[.;:!?])\s*|(?<=\s))(?=[-+*•]?\s*Bước\s+\d+\s*[:.)\-–])",
)
_INLINE_BULLET = re.compile(r"(?<=[.;:])\s+(?=[-+]\s)")


def split_steps(text: str) -> list[str]:
    """Ordered steps: at each "Bước N", else one per line ("- ", "+ ", "1.", paragraphs)."""
    text = clean_block(text)
    if not text:
        return []
    if len(re.findall(r"Bước\s+\d+\s*[:.)\-–]", text)) >= 2:
        pieces = _STEP_MARKER.split(text)
    else:
        pieces = [p for line in text.split("\n") for p in _INLINE_BULLET.split(line)]
    steps = [clean_block(p).lstrip("-+*• ").strip() for p in pieces]
    return [s for s in steps if s and s not in _EMPTY_VALUES]


# ---------------------------------------------------------------------------------------------
# Online level

_FULL_ONLINE = re.compile(
    r"(?:trực\s+tuyến|DVCTT|dịch\s+vụ\s+công)\s+toàn\s+trình|"
    r"(?:dịch\s+vụ\s+công|DVC)\s+trực\s+tuyến\s+toàn\s+trình",
    re.IGNORECASE,
)
_PARTIAL_ONLINE = re.compile(r"(?:trực\s+tuyến|DVCTT|dịch\s+vụ\s+công)\s+một\s+phần", re.IGNORECASE)
# "Qua Cổng DVC Quốc gia đối với các TTHC đã toàn trình …" is a general rule, not a claim.
_GENERIC_FULL = re.compile(r"(?:các|trường hợp)\s+(?:TTHC|thủ tục hành chính)\s+đã\s+toàn trình")


def online_level_of(text: str) -> OnlineLevel:
    """ "partial" when the text says online "một phần", "full" when it says "toàn trình" (and
    not "một phần"), else "unknown"."""
    lowered = text.lower()
    if "toàn trình" not in lowered and "một phần" not in lowered:
        return "unknown"
    text = _GENERIC_FULL.sub("", text)
    if _PARTIAL_ONLINE.search(text):
        return "partial"
    if _FULL_ONLINE.search(text):
        return "full"
    return "unknown"
