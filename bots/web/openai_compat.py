"""The OpenAI chat-completions wire format, so OpenAI SDKs and front-ends work unchanged.

The last user message is the question (the assistant keeps its own conversation state);
citations are appended to the text as lines and also sent in an extra `citations` field.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

from assistant.reply import Reply
from assistant.service import StreamDelta
from bots.web.errors import error_body
from bots.web.schemas import USER_ID_PATTERN, ChatCompletionMessage, clean_text
from bots.web.sse import sse_event

log = logging.getLogger(__name__)

DEFAULT_MODEL = "vn-public-assistant"
CORRECTION = {
    "vi": "\n\n(Câu trả lời đã được chỉnh lại theo hồ sơ chính thức:)\n",
    "en": "\n\n(Answer corrected from the official record:)\n",
}
SOURCES = {"vi": "Nguồn", "en": "Sources"}


def message_text(message: ChatCompletionMessage) -> str:
    content = message.content
    if content is None:
        return ""
    if isinstance(content, str):
        return clean_text(content)
    parts = [str(p.get("text", "")) for p in content if p.get("type") == "text"]
    return clean_text("\n".join(parts))


def last_user_text(messages: list[ChatCompletionMessage]) -> str | None:
    for message in reversed(messages):
        if message.role == "user":
            return message_text(message)
    return None


def safe_user_id(raw: str, prefix: str = "u") -> str:
    """A user id the conversation store accepts: `raw` itself when tidy, else its hash."""
    raw = raw.strip()
    if re.fullmatch(USER_ID_PATTERN, raw):
        return raw
    return f"{prefix}-{hashlib.sha256(raw.encode('utf-8', 'replace')).hexdigest()[:24]}"


def citation_lines(reply: Reply) -> str:
    """Source lines for the citations the text does not already name (by URL or code)."""
    missing = [
        c
        for c in reply.citations
        if not ((c.url and c.url in reply.text) or (not c.url and c.procedure_code in reply.text))
    ]
    if not missing:
        return ""
    lines = [f"\n\n{SOURCES[reply.language]}:"]
    for c in missing:
        link = f" — {c.url}" if c.url else ""
        lines.append(f"- [{c.procedure_code}] {c.name}{link}")
    return "\n".join(lines)


def reply_extras(reply: Reply) -> dict[str, Any]:
    """The assistant's own fields, sent beside the OpenAI ones."""
    return {
        "citations": [c.model_dump(mode="json") for c in reply.citations],
        "quick_replies": [q.model_dump(mode="json") for q in reply.quick_replies],
        "reply_id": reply.id,
        "conversation_id": reply.conversation_id,
        "kind": reply.kind,
    }


def completion(reply: Reply, model: str, created: int) -> dict[str, Any]:
    content = reply.text + citation_lines(reply)
    return {
        "id": f"chatcmpl-{reply.id}",
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        **reply_extras(reply),
    }


def chunk(
    chunk_id: str,
    model: str,
    created: int,
    delta: dict[str, Any],
    finish_reason: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": chunk_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
        **extra,
    }


async def completion_chunks(
    stream: AsyncIterator[StreamDelta | Reply],
    *,
    chunk_id: str,
    model: str,
    created: int,
    on_reply: Callable[[Reply], None] = lambda _reply: None,
) -> AsyncIterator[bytes]:
    """`chat.completion.chunk` events, then `data: [DONE]`.

    Deltas stream as they come; when the final reply's text is not what was streamed (an
    LLM answer replaced by the grounded one), the corrected answer follows in full."""

    def data(obj: dict[str, Any]) -> bytes:
        return sse_event(None, obj)

    yield data(chunk(chunk_id, model, created, {"role": "assistant", "content": ""}))
    streamed: list[str] = []
    try:
        async for item in stream:
            if isinstance(item, Reply):
                on_reply(item)
                shown = "".join(streamed)
                tail = ""
                if not shown:
                    tail = item.text
                elif shown != item.text:
                    tail = CORRECTION[item.language] + item.text
                tail += citation_lines(item)
                if tail:
                    yield data(chunk(chunk_id, model, created, {"content": tail}))
                yield data(chunk(chunk_id, model, created, {}, "stop", **reply_extras(item)))
            else:
                streamed.append(item.text)
                yield data(chunk(chunk_id, model, created, {"content": item.text}))
    except Exception as exc:
        log.exception("chat completion stream failed: %s", exc)
        message = "Lỗi hệ thống, vui lòng thử lại sau / internal error, please try again later."
        yield data(error_body("internal_error", message))
    yield b"data: [DONE]\n\n"
