"""The typed records everything else stands on: procedures, FAQs and guide documents.

Field names here are a public contract: `assistant procedures show CODE --json` prints
`Procedure.model_dump(mode="json")`, and the curated YAML/JSON format staff edit is the
same shape (see docs/corpus-format.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from knowledge.families import family_key, traits_of

ChannelKind = Literal["in_person", "online", "post"]
TimeUnit = Literal["working_days", "days", "hours", "unknown"]
OnlineLevel = Literal["full", "partial", "none", "unknown"]
Currency = Literal["VND", "USD"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class _Record(_Model):
    """A top-level catalogue record: hashable content for change detection on re-import."""

    def content_hash(self) -> str:
        return stable_hash(self.model_dump(mode="json"))


def _required_text(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


class ProcessingTime(_Model):
    """How long the agency takes. `value` is None when the record gives no number."""

    value: float | None = None
    unit: TimeUnit = "unknown"
    raw: str = ""


class Amount(_Model):
    """One amount of money found in a fee cell or its note."""

    amount: float
    currency: Currency = "VND"
    amount_vnd: int | None = None  # set for VND amounts only; never converted from USD
    text: str = ""  # the amount as written, e.g. "70.000 đồng" or "25 USD"
    context: str = ""  # what the amount is for, when the record says so


class Fee(_Model):
    """The fee for one channel.

    `amount_vnd` is the main amount in đồng (None when free, unknown, set locally with no
    figure, or in another currency: then `amount_text` still says it, e.g. "25 USD").
    `free` is only true when the record says free and gives no amount anywhere.
    `set_locally` is true when the amount is decided by the provincial People's Council.
    """

    amount_vnd: int | None = None
    amount_text: str = ""
    free: bool = False
    set_locally: bool = False
    note: str = ""
    label: str = ""  # the fee cell exactly as the record labels it ("Miễn phí", "70,000 VNĐ", …)
    amounts: list[Amount] = Field(default_factory=list)  # every amount found, main one first
    valid_until: dt.date | None = None  # "áp dụng đến hết ngày …" on the main amount


class Channel(_Model):
    channel: ChannelKind
    processing_time: ProcessingTime = Field(default_factory=ProcessingTime)
    fee: Fee = Field(default_factory=Fee)
    note: str = ""


class DocumentItem(_Model):
    name: str
    form: str = ""  # the form (mẫu đơn, tờ khai) to fill in, e.g. "Tờ khai đăng ký khai sinh"
    quantity: str = ""  # e.g. "1 bản chính, 1 bản sao"


class DocumentGroup(_Model):
    """Documents for one case (trường hợp) or one kind ("Giấy tờ phải nộp", "… phải xuất trình")."""

    case: str = ""  # empty: the general case
    items: list[DocumentItem] = Field(default_factory=list)


class LegalRef(_Model):
    title: str
    number: str = ""  # e.g. "85/2019/TT-BTC"


class Agencies(_Model):
    competent: list[str] = Field(default_factory=list)  # cơ quan có thẩm quyền
    implementing: list[str] = Field(default_factory=list)  # cơ quan thực hiện
    receiving: list[str] = Field(default_factory=list)  # địa chỉ tiếp nhận hồ sơ
    authorized: list[str] = Field(default_factory=list)  # cơ quan được ủy quyền
    coordinating: list[str] = Field(default_factory=list)  # cơ quan phối hợp


class Procedure(_Record):
    code: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    field: str = ""
    levels: list[str] = Field(default_factory=list)  # "Cấp bộ", "Cấp tỉnh", "Cấp xã"
    procedure_type: str = ""
    agencies: Agencies = Field(default_factory=Agencies)
    audience: list[str] = Field(default_factory=list)
    steps: list[str] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    documents: list[DocumentGroup] = Field(default_factory=list)
    legal_basis: list[LegalRef] = Field(default_factory=list)
    conditions: str = ""
    result: str = ""
    result_code: str = ""
    online_level: OnlineLevel = "unknown"
    related: list[str] = Field(default_factory=list)
    source_url: str = ""
    decision: str = ""
    record_date: dt.date | None = None
    summary_en: str = ""
    catalogue: str = ""
    full_text: str = ""  # the whole record as text, kept for search
    # Derived from the fields above whenever a record is built (see knowledge/families.py):
    family: str = ""  # the core name level twins share
    variant: list[str] = Field(default_factory=list)  # what tells it from its siblings

    @model_validator(mode="before")
    @classmethod
    def _derive_family(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            levels, audience = data.get("levels") or [], data.get("audience") or []
            data = {
                **data,
                "family": family_key(data["name"]),
                "variant": traits_of(data["name"], levels, audience).tags(),
            }
        return data

    @field_validator("code", "name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        return _required_text(value)


class FAQ(_Record):
    id: str
    questions: list[str] = Field(min_length=1)  # variants of the same question
    answer_vi: str
    answer_en: str = ""
    procedure_codes: list[str] = Field(default_factory=list)
    source_url: str = ""
    reviewer: str = ""
    reviewed_on: dt.date | None = None
    expires_on: dt.date | None = None

    @field_validator("id", "answer_vi")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        return _required_text(value)

    def is_expired(self, today: dt.date | None = None) -> bool:
        return self.expires_on is not None and self.expires_on < (today or dt.date.today())


class Section(_Model):
    heading: str = ""
    text: str


class GuideDocument(_Record):
    """A guide, decision or notice that is not a procedure record, kept as titled sections."""

    id: str
    title: str
    kind: Literal["markdown", "html", "pdf", "docx", "text"]
    source: str = ""
    sections: list[Section] = Field(default_factory=list)


def stable_hash(data: object) -> str:
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
