"""`llm` answer mode: a LangChain (LCEL) chain over any OpenAI-compatible server or LangChain
chat model, answering only from numbered sources with [n] citations."""

from assistant.llm.chain import (
    LLMAnswer,
    LLMChain,
    LLMUnavailable,
    Source,
    format_sources,
    parse_citations,
)
from assistant.llm.providers import build_chat_model, import_chat_model_class

__all__ = [
    "LLMAnswer",
    "LLMChain",
    "LLMUnavailable",
    "Source",
    "build_chat_model",
    "format_sources",
    "import_chat_model_class",
    "parse_citations",
]
