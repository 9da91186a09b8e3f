"""LLM answer mode over the catalogue: one chain per answer whose numbered sources are the
procedure record, and the check that keeps an LLM answer only when it cites a source and
every number in it is in the record. Anything else falls back to the grounded answer."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Final

from langchain_core.language_models import BaseChatModel

from assistant.grounding import ungrounded_numbers
from assistant.llm.chain import LLMAnswer, LLMChain, Source
from assistant.reply import Language
from assistant.settings import Settings
from knowledge.render import format_procedure, section_texts
from knowledge.schema import Procedure
from knowledge.store import CatalogueStore

log = logging.getLogger("assistant.service")  # one logger name for the answer path

SOURCE_CHARS: Final = 3000  # how much of the whole record the LLM sees besides the asked section


class LLMAnswerer:
    def __init__(
        self,
        settings: Settings,
        catalogue: CatalogueStore,
        chain_factory: Callable[..., LLMChain] | None = None,
    ) -> None:
        self.settings = settings
        self.catalogue = catalogue
        self._chain_factory = chain_factory or LLMChain
        self._model: BaseChatModel | None = None
        self._checked = False

    def model(self) -> BaseChatModel | None:
        """The configured chat model, built once; None when LLM mode has no model."""
        if not self._checked:
            from assistant.llm.providers import build_chat_model

            self._model = build_chat_model(self.settings)
            self._checked = True
        return self._model

    def chain(self, code: str, aspect: str) -> LLMChain | None:
        model = self.model()
        procedure = self.catalogue.get_procedure(code)
        if model is None or procedure is None:
            return None
        sources = procedure_sources(procedure, aspect)
        return self._chain_factory(
            model, lambda _question: sources, timeout_s=self.settings.llm_timeout_s
        )

    def answer(
        self,
        question: str,
        history: Sequence[tuple[str, str]],
        language: Language,
        code: str,
        aspect: str,
    ) -> str | None:
        """The checked LLM answer about `code`, or None (then the grounded one is sent)."""
        chain = self.chain(code, aspect)
        if chain is None:
            return None
        try:
            result = chain.answer(question, list(history), language)
        except Exception as exc:  # LLMUnavailable and anything the provider raises
            log.warning("LLM failed, grounded answer used: %s", exc)
            return None
        return self.checked_text(result, code)

    def checked_text(self, result: LLMAnswer, code: str) -> str | None:
        """The LLM's answer if it cites a source and every number in it is in the sources."""
        text, cited, sources = result.text, result.cited, result.sources
        procedure = self.catalogue.get_procedure(code)
        if not text.strip() or not cited or procedure is None:
            log.warning("LLM answer without citation; grounded answer used")
            return None
        evidence = [s.text for s in sources] + [procedure.model_dump_json()]
        invented = ungrounded_numbers(text, evidence)
        if invented:
            log.warning(
                "LLM answer has numbers absent from the record %s: %s", procedure.code, invented
            )
            return None
        return text


def procedure_sources(procedure: Procedure, aspect: str) -> list[Source]:
    """Numbered sources for the LLM: the section asked about, then the whole record (cut)."""
    url = procedure.source_url
    sections = section_texts(procedure)
    sources = []
    if aspect in sections:
        sources.append(
            Source(
                1,
                procedure.code,
                procedure.name,
                aspect,
                url,
                f"{procedure.name}\n{sections[aspect]}",
            )
        )
    sources.append(
        Source(
            len(sources) + 1,
            procedure.code,
            procedure.name,
            "general",
            url,
            format_procedure(procedure)[:SOURCE_CHARS],
        )
    )
    return sources
