"""Request bodies of the web API (the reply is `assistant.reply.Reply`, unchanged)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from assistant.reply import Language

USER_ID_PATTERN = r"^[A-Za-z0-9_.:@-]{1,128}$"
MAX_TEXT_CHARS = 8000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Drop control characters and lone surrogates (JSON can carry them; databases can't)."""
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return _CONTROL.sub("", text)


CleanText = Annotated[str, AfterValidator(clean_text)]


class ChatRequest(BaseModel):
    """A question from the widget or a server-side caller."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"user": "w-3f9a1c", "text": "lam giay khai sinh can gi"}]}
    )

    user: str = Field(
        pattern=USER_ID_PATTERN,
        description="Người hỏi, giữ hội thoại / the asker's id (keeps the conversation).",
    )
    text: CleanText = Field(max_length=MAX_TEXT_CHARS, description="Câu hỏi / the question.")
    locale: Language | None = Field(
        default=None, description="vi | en; omitted: detected from the question."
    )


class FeedbackRequest(BaseModel):
    reply_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    rating: Literal["up", "down"]
    comment: CleanText = Field(default="", max_length=2000)


class StaffMessage(BaseModel):
    """A staff member's reply (or the console's notice) to a citizen in a handoff."""

    id: int
    sender: Literal["staff", "system"]
    text: str
    at: str  # ISO 8601, UTC


class ChatMessages(BaseModel):
    """What the widget fetches while its conversation is with a person."""

    messages: list[StaffMessage]
    handoff: Literal["queued", "with_staff"] | None = Field(
        description="queued: waiting for a staff member; with_staff: one has it; "
        "null: no handoff (stop asking)."
    )


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorDetail


# -- OpenAI-compatible chat completions ----------------------------------------------------


class ChatCompletionMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str = Field(max_length=32)
    # A string, or content parts ({"type": "text", "text": …}; other parts are ignored).
    content: str | list[dict[str, Any]] | None = None
    name: str | None = Field(default=None, max_length=256)


class ChatCompletionRequest(BaseModel):
    """The OpenAI chat-completions request; sampling options are accepted and ignored."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "model": "vn-public-assistant",
                    "messages": [{"role": "user", "content": "lệ phí đăng ký khai sinh"}],
                }
            ]
        },
    )

    model: str = Field(default="vn-public-assistant", max_length=256)
    messages: list[ChatCompletionMessage] = Field(min_length=1, max_length=500)
    stream: bool = False
    user: str | None = Field(default=None, max_length=256)
