"""The chat model for `llm` answer mode, from settings: an OpenAI-compatible server
(vLLM, Ollama, llama.cpp server, a hosted API) or any LangChain chat model by import path."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import weakref
from typing import Any

import httpx
from langchain_core.language_models import BaseChatModel

from assistant.settings import Settings

__all__ = ["LoopLocalAsyncClient", "build_chat_model", "import_chat_model_class"]


class LoopLocalAsyncClient(httpx.AsyncClient):
    """An `httpx.AsyncClient` with one connection pool per event loop.

    langchain-openai otherwise shares one process-wide async client per base URL, whose pooled
    connections belong to the loop that opened them: a second `asyncio.run()` (CLI, tests,
    bots) then fails with "Event loop is closed". Requests are sent through a plain client
    created for the running loop.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._client_kwargs = kwargs
        self._per_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient]
        self._per_loop = weakref.WeakKeyDictionary()

    def _for_running_loop(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        client = self._per_loop.get(loop)
        if client is None or client.is_closed:
            client = self._per_loop[loop] = httpx.AsyncClient(**self._client_kwargs)
        return client

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        return await self._for_running_loop().send(request, **kwargs)

    async def aclose(self) -> None:
        client = self._per_loop.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()
        await super().aclose()


def import_chat_model_class(path: str) -> type[BaseChatModel]:
    """'package.module:Class' or 'package.module.Class' -> the class (a LangChain chat model)."""
    path = path.strip()
    if ":" in path:
        module_name, _, attr = path.partition(":")
    else:
        module_name, _, attr = path.rpartition(".")
    if not module_name or not attr or not all(p.isidentifier() for p in attr.split(".")):
        raise ValueError(
            f"llm_chat_model {path!r} is not an import path: write 'module:Class' or 'module.Class'"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(
            f"llm_chat_model {path!r}: cannot import module {module_name!r} ({exc})"
        ) from exc
    obj: Any = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(
                f"llm_chat_model {path!r}: module {module_name!r} has no attribute {attr!r}"
            ) from None
    if not (inspect.isclass(obj) and issubclass(obj, BaseChatModel)):
        raise ValueError(
            f"llm_chat_model {path!r} is not a LangChain chat model class (BaseChatModel subclass)"
        )
    return obj


def _accepted_kwargs(cls: type[BaseChatModel], wanted: dict[str, Any]) -> dict[str, Any]:
    """The entries of `wanted` that `cls` has a field (or field alias) for."""
    names: set[str] = set()
    for name, field in cls.model_fields.items():
        names.add(name)
        if field.alias:
            names.add(field.alias)
    return {k: v for k, v in wanted.items() if k in names}


def build_chat_model(settings: Settings) -> BaseChatModel | None:
    """The configured chat model, or None when no LLM is configured.

    `llm_chat_model` (an import path) wins over `llm_base_url` (an OpenAI-compatible server).
    """
    if settings.llm_chat_model:
        cls = import_chat_model_class(settings.llm_chat_model)
        wanted: dict[str, Any] = {"temperature": settings.llm_temperature}
        if settings.llm_model:
            wanted["model"] = settings.llm_model
        try:
            return cls(**_accepted_kwargs(cls, wanted))
        except Exception as exc:
            raise ValueError(
                f"llm_chat_model {settings.llm_chat_model!r} could not be created: {exc}"
            ) from exc
    if settings.llm_base_url:
        from langchain_openai import ChatOpenAI

        if not settings.llm_model:
            raise ValueError("llm_base_url is set but llm_model is empty: name the served model")
        return ChatOpenAI(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            # Local servers (vLLM, Ollama, llama.cpp) accept any key; the client wants one.
            api_key=settings.llm_api_key or "not-needed",  # type: ignore[arg-type]
            timeout=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
            temperature=settings.llm_temperature,
            http_async_client=LoopLocalAsyncClient(
                timeout=settings.llm_timeout_s, follow_redirects=True
            ),
        )
    return None
