"""The `llm` answer chain (LCEL): condense the follow-up with the history → retrieve numbered
sources → answer only from them, citing [n].

Every failure the caller should fall back from (model error, empty output, the deadline,
no sources) is raised as `LLMUnavailable` with a short reason.
"""

from __future__ import annotations

import asyncio
import contextvars
import re
import threading
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable, RunnableBranch, RunnableLambda, RunnablePassthrough

from assistant.llm.prompts import (
    ANSWER_PROMPT,
    CONDENSE_PROMPT,
    LANGUAGE_NAMES,
    NOT_FOUND_TEXT,
    history_messages,
)
from assistant.reply import Language
from assistant.settings import Settings

__all__ = [
    "LLMAnswer",
    "LLMChain",
    "LLMUnavailable",
    "Source",
    "format_sources",
    "parse_citations",
]

T = TypeVar("T")


@dataclass
class Source:
    """One numbered source the model may cite as [number]."""

    number: int
    procedure_code: str
    name: str
    section: str  # an aspect name ("fee", "documents", …) or "general"
    url: str
    text: str


@dataclass
class LLMAnswer:
    text: str  # the model's answer, stripped
    cited: list[int]  # source numbers cited in `text`, in order of first citation
    sources: list[Source]  # every source the model was given
    question: str  # the standalone (condensed) question that was answered


class LLMUnavailable(Exception):
    """The LLM could not give an answer; `reason` says why (fall back to grounded)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_CITATION = re.compile(
    r"\[\s*(?:ngu[oồ]n|source|src)?\s*(\d{1,3}(?:\s*[,;]\s*(?:ngu[oồ]n|source)?\s*\d{1,3})*)\s*\]",
    re.IGNORECASE,
)


def parse_citations(text: str, sources: Sequence[Source]) -> list[int]:
    """Source numbers cited as [1], [1, 2] or [1][2] in `text` that exist in `sources`."""
    known = {s.number for s in sources}
    cited: list[int] = []
    for match in _CITATION.finditer(text):
        for raw in re.findall(r"\d+", match.group(1)):
            number = int(raw)
            if number in known and number not in cited:
                cited.append(number)
    return cited


def format_sources(sources: Sequence[Source]) -> str:
    """The numbered source block of the answer prompt."""
    blocks = []
    for s in sources:
        head = f"[{s.number}] {s.name} (mã thủ tục {s.procedure_code}; phần: {s.section})"
        if s.url:
            head += f"\nURL: {s.url}"
        blocks.append(f"{head}\n{s.text.strip()}")
    return "\n\n".join(blocks)


def _unavailable(exc: BaseException) -> LLMUnavailable:
    if isinstance(exc, LLMUnavailable):
        return exc
    if isinstance(exc, TimeoutError):
        return LLMUnavailable(f"timeout: {exc}" if str(exc) else "timeout")
    return LLMUnavailable(f"model error: {type(exc).__name__}: {exc}")


def _run_with_deadline(fn: Callable[[], T], timeout_s: float) -> T:
    """Run `fn` in a daemon thread and wait at most `timeout_s` for it."""
    outcome: dict[str, Any] = {}
    done = threading.Event()
    context = contextvars.copy_context()

    def target() -> None:
        try:
            outcome["value"] = context.run(fn)
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=target, name="llm-call", daemon=True).start()
    if not done.wait(timeout_s):
        raise LLMUnavailable(f"timeout: no answer within {timeout_s:g} s")
    if "error" in outcome:
        error = outcome["error"]
        if isinstance(error, LLMUnavailable):
            raise error
        raise _unavailable(error) from error
    return outcome["value"]


class LLMChain:
    """Condense → retrieve → answer with citations, under one deadline per call."""

    def __init__(
        self,
        model: BaseChatModel,
        retrieve: Callable[[str], list[Source]],
        *,
        timeout_s: float,
    ) -> None:
        self.model = model
        self.retrieve = retrieve
        self.timeout_s = timeout_s
        # {"question", "history"} -> standalone question (an LLM call only when there is history).
        self.condense_chain: Runnable[dict[str, Any], str] = (
            RunnablePassthrough.assign(history=lambda x: history_messages(x["history"]))
            | CONDENSE_PROMPT
            | model
            | StrOutputParser()
        )
        standalone: Runnable[dict[str, Any], str] = RunnableBranch(
            (
                lambda x: bool(x["history"]),
                RunnablePassthrough.assign(text=self.condense_chain) | RunnableLambda(_or_question),
            ),
            RunnableLambda(lambda x: x["question"]),
        )
        # Same keys as the answer prompt's variables.
        self.answer_chain: Runnable[dict[str, Any], str] = ANSWER_PROMPT | model | StrOutputParser()
        # {"question", "history", "language"} -> + standalone "question", "sources", prompt inputs.
        self.prepare_chain: Runnable[dict[str, Any], dict[str, Any]] = (
            RunnablePassthrough.assign(question=standalone)
            | RunnablePassthrough.assign(sources=RunnableLambda(self._retrieve))
            | RunnableLambda(_answer_inputs)
        )
        # The whole pipeline for the synchronous path: + "text".
        self.chain: Runnable[dict[str, Any], dict[str, Any]] = (
            self.prepare_chain | RunnablePassthrough.assign(text=self.answer_chain)
        )

    @classmethod
    def from_settings(
        cls, settings: Settings, retrieve: Callable[[str], list[Source]]
    ) -> LLMChain | None:
        """The chain over the configured model, or None when no LLM is configured."""
        from assistant.llm.providers import build_chat_model

        model = build_chat_model(settings)
        if model is None:
            return None
        return cls(model, retrieve, timeout_s=settings.llm_timeout_s)

    def _retrieve(self, state: dict[str, Any]) -> list[Source]:
        try:
            sources = list(self.retrieve(state["question"]))
        except Exception as exc:
            raise LLMUnavailable(f"retrieval failed: {type(exc).__name__}: {exc}") from exc
        if not sources:
            raise LLMUnavailable("no sources")
        return sources

    def condense(self, question: str, history: list[tuple[str, str]]) -> str:
        """The follow-up `question` as a standalone question; unchanged (no LLM call) without
        history, and unchanged when the model returns nothing."""
        if not history:
            return question
        inputs = {"question": question, "history": history}
        text = _run_with_deadline(lambda: self.condense_chain.invoke(inputs), self.timeout_s)
        return _or_question({"question": question, "text": text})

    def answer(
        self, question: str, history: list[tuple[str, str]], language: Language = "vi"
    ) -> LLMAnswer:
        """Answer from the retrieved sources (blocking, at most `timeout_s`)."""
        inputs = _inputs(question, history, language)
        state = _run_with_deadline(lambda: self.chain.invoke(inputs), self.timeout_s)
        return _finish(state, state["text"])

    async def astream(
        self, question: str, history: list[tuple[str, str]], language: Language = "vi"
    ) -> AsyncGenerator[str | LLMAnswer, None]:
        """Text deltas as the model writes them, then one final `LLMAnswer`.

        The deadline covers the whole call: condensing, retrieval and every chunk.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_s
        try:
            async with asyncio.timeout_at(deadline):
                state = await self.prepare_chain.ainvoke(_inputs(question, history, language))
        except TimeoutError as exc:
            raise LLMUnavailable(f"timeout: no answer within {self.timeout_s:g} s") from exc
        except LLMUnavailable:
            raise
        except Exception as exc:
            raise _unavailable(exc) from exc

        stream = self.answer_chain.astream(state).__aiter__()
        parts: list[str] = []
        try:
            while True:
                try:
                    async with asyncio.timeout_at(deadline):
                        chunk = await anext(stream)
                except StopAsyncIteration:
                    break
                except TimeoutError as exc:
                    raise LLMUnavailable(
                        f"timeout: answer not finished within {self.timeout_s:g} s"
                    ) from exc
                except LLMUnavailable:
                    raise
                except Exception as exc:
                    raise _unavailable(exc) from exc
                if chunk:
                    parts.append(chunk)
                    yield chunk
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()
        yield _finish(state, "".join(parts))


def _inputs(
    question: str, history: Sequence[tuple[str, str]], language: Language
) -> dict[str, Any]:
    return {"question": question, "history": list(history), "language": language}


def _or_question(x: dict[str, Any]) -> str:
    """The condensed text, or the original question when the model returned nothing."""
    return str(x.get("text") or "").strip() or str(x["question"])


def _answer_inputs(state: dict[str, Any]) -> dict[str, Any]:
    language: Language = state["language"]
    return {
        **state,
        "language_name": LANGUAGE_NAMES[language],
        "not_found": NOT_FOUND_TEXT[language],
        "sources_text": format_sources(state["sources"]),
    }


def _finish(state: dict[str, Any], text: str) -> LLMAnswer:
    text = text.strip()
    if not text:
        raise LLMUnavailable("empty answer")
    sources: list[Source] = state["sources"]
    return LLMAnswer(
        text=text,
        cited=parse_citations(text, sources),
        sources=sources,
        question=state["question"],
    )
