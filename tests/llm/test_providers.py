"""build_chat_model: none, an import path, or an OpenAI-compatible server."""

from __future__ import annotations

import pytest
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from assistant.llm import build_chat_model, import_chat_model_class
from assistant.settings import Settings
from tests.llm.fake_models import EchoChatModel, NoFieldsChatModel


def test_no_llm_configured_gives_none() -> None:
    assert build_chat_model(Settings(llm_base_url="", llm_chat_model="")) is None


def test_settings_defaults() -> None:
    settings = Settings()
    assert settings.answer_mode == "grounded"
    assert (settings.llm_timeout_s, settings.llm_max_retries, settings.llm_temperature) == (
        20.0,
        1,
        0.0,
    )


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_ANSWER_MODE", "llm")
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("ASSISTANT_LLM_TIMEOUT_S", "2.5")
    settings = Settings()
    assert settings.answer_mode == "llm"
    assert settings.llm_base_url == "http://127.0.0.1:9/v1"
    assert settings.llm_timeout_s == 2.5


@pytest.mark.parametrize(
    "path", ["tests.llm.fake_models:EchoChatModel", "tests.llm.fake_models.EchoChatModel"]
)
def test_import_path_instantiates_with_model_and_temperature(path: str) -> None:
    model = build_chat_model(Settings(llm_chat_model=path, llm_model="m1", llm_temperature=0.3))
    assert isinstance(model, EchoChatModel)
    assert (model.model, model.temperature) == ("m1", 0.3)
    assert model.invoke("xin chào").content == "m1@0.3: xin chào"


def test_import_path_wins_over_base_url_and_skips_unknown_kwargs() -> None:
    model = build_chat_model(
        Settings(
            llm_chat_model="tests.llm.fake_models:NoFieldsChatModel",
            llm_model="m1",
            llm_base_url="http://127.0.0.1:9/v1",
        )
    )
    assert isinstance(model, NoFieldsChatModel)


def test_import_path_without_model_keeps_the_class_default() -> None:
    model = build_chat_model(Settings(llm_chat_model="tests.llm.fake_models:EchoChatModel"))
    assert isinstance(model, EchoChatModel)
    assert model.model == "echo-default"


def test_langchain_fake_model_by_import_path() -> None:
    cls = import_chat_model_class(
        "langchain_core.language_models.fake_chat_models:FakeListChatModel"
    )
    assert cls.__name__ == "FakeListChatModel"
    # It needs `responses`: a clear error, naming the path.
    with pytest.raises(ValueError, match="could not be created"):
        build_chat_model(
            Settings(
                llm_chat_model="langchain_core.language_models.fake_chat_models:FakeListChatModel"
            )
        )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("EchoChatModel", "not an import path"),
        ("tests.llm.fake_models:", "not an import path"),
        ("tests.llm.fake_models:Echo-Model", "not an import path"),
        ("no_such_module_xyz:Model", "cannot import module 'no_such_module_xyz'"),
        ("tests.llm.fake_models:Missing", "has no attribute 'Missing'"),
        ("tests.llm.fake_models:NOT_A_MODEL", "not a LangChain chat model"),
        ("builtins:dict", "not a LangChain chat model"),
    ],
)
def test_bad_import_paths_raise_clear_value_errors(path: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_chat_model(Settings(llm_chat_model=path))


def test_base_url_builds_a_chat_openai_client() -> None:
    model = build_chat_model(
        Settings(
            llm_base_url="http://127.0.0.1:9/v1",
            llm_model="qwen",
            llm_timeout_s=3.0,
            llm_max_retries=0,
            llm_temperature=0.2,
        )
    )
    assert isinstance(model, ChatOpenAI)
    assert model.model_name == "qwen"
    assert model.openai_api_base == "http://127.0.0.1:9/v1"
    assert model.request_timeout == 3.0
    assert model.max_retries == 0
    assert model.temperature == 0.2
    assert isinstance(model.openai_api_key, SecretStr)
    assert model.openai_api_key.get_secret_value() == "not-needed"


def test_base_url_without_model_name_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="llm_model is empty"):
        build_chat_model(Settings(llm_base_url="http://127.0.0.1:9/v1"))


def test_openai_client_keeps_one_async_pool_per_event_loop() -> None:
    from assistant.llm.providers import LoopLocalAsyncClient

    model = build_chat_model(Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="m"))
    assert isinstance(model, ChatOpenAI)
    assert isinstance(model.http_async_client, LoopLocalAsyncClient)
