"""Fixtures for the LLM tests: a live OpenAI stand-in server and numbered sources."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.llm import Source
from tests.standins.openai_server import OpenAIStandIn, run_openai_standin


@pytest.fixture()
def openai_standin() -> Iterator[OpenAIStandIn]:
    """A fresh stand-in per test (a new port: no client connection or cache is shared)."""
    with run_openai_standin() as standin:
        yield standin


@pytest.fixture()
def sources() -> list[Source]:
    return [
        Source(
            number=1,
            procedure_code="1.001193",
            name="Đăng ký khai sinh",
            section="fee",
            url="https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193",
            text="Lệ phí: 8.000 đồng. Miễn lệ phí nếu đăng ký đúng hạn.",
        ),
        Source(
            number=2,
            procedure_code="1.001193",
            name="Đăng ký khai sinh",
            section="processing_time",
            url="",
            text="Thời hạn giải quyết: 03 ngày làm việc.",
        ),
    ]


@pytest.fixture(autouse=True)
def _no_llm_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings built in these tests ignore the developer's own LLM variables."""
    import os

    for name in list(os.environ):
        if name.startswith(("ASSISTANT_LLM_", "ASSISTANT_ANSWER_MODE")):
            monkeypatch.delenv(name)
