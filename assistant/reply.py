"""The reply every channel receives from the `Assistant` service: a documented, stable contract.

`assistant ask --json`, `POST /v1/chat` and the widget all print or send
`Reply.model_dump(mode="json")`. Add fields only with defaults; never rename or drop one.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Language = Literal["vi", "en"]
# "held": a staff member has the conversation; the reply has no text and is not sent.
ReplyKind = Literal[
    "answer", "clarification", "out_of_scope", "refusal", "handoff", "greeting", "held"
]
AnswerMode = Literal["grounded", "llm", "none"]  # "none": no procedure was answered from


class Citation(BaseModel):
    """The official record a statement comes from."""

    procedure_code: str
    name: str
    section: str  # which part was used: "fee", "documents", … (an aspect name) or "general"
    url: str = ""  # the record's page on the portal; empty when the record has none


class QuickReply(BaseModel):
    """A button: `label` is shown, `text` is sent back as the user's next message when tapped."""

    label: str
    text: str


class Reply(BaseModel):
    id: str  # this reply, for feedback
    conversation_id: str
    kind: ReplyKind
    text: str
    citations: list[Citation] = Field(default_factory=list)
    quick_replies: list[QuickReply] = Field(default_factory=list)
    language: Language = "vi"
    answer_mode: AnswerMode = "none"
    aspect: str | None = None  # the aspect answered ("fee", "documents", …), when an answer
    procedure_code: str | None = None  # the procedure answered or in focus
    # "queued": the conversation is in the staff inbox; "with_staff": a staff member has it
    # (kind "held"). The web widget then asks GET /v1/chat/messages for their replies.
    handoff: Literal["queued", "with_staff"] | None = None
