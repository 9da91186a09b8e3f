"""Schemathesis over the OpenAPI spec: generated requests never get a 5xx.

Valid and invalid (negative) input. Bounded: a few derandomized examples per operation (the whole test takes well under 60 s).
Driven through Hypothesis directly rather than schemathesis' pytest plugin.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from assistant.service import Assistant
from assistant.settings import Settings
from bots.web.app import create_app

EXAMPLES_PER_OPERATION = 8  # per operation and mode (valid, then invalid input)


def test_generated_requests_get_no_server_error(
    starter_data_dir: Path, web_assistant: Assistant, tmp_path: Path
) -> None:
    # Its writes (staff logins, feedback) go to a copy: the shared starter database is
    # used by other tests' server processes too.
    own = shutil.copy(starter_data_dir / "assistant.sqlite3", tmp_path / "fuzz.sqlite3")
    app_settings = Settings(
        data_dir=starter_data_dir, database_url=f"sqlite:///{own}", rate_limit_per_minute=0
    )
    app = create_app(app_settings, web_assistant)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v1/chat", "/v1/chat/stream", "/v1/feedback"}
    calls: list[int] = []
    start = time.monotonic()
    cases = [(op, mode) for op in operations for mode in GenerationMode]
    for operation, mode in cases:

        @given(case=operation.as_strategy(mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call_and_validate(checks=[not_a_server_error])
            calls.append(response.status_code)

        try:
            check()
        except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
            assert mode is GenerationMode.NEGATIVE, operation.path
    assert len(calls) >= len(operations)
    print("schemathesis statuses:", sorted(Counter(calls).items()))
    assert time.monotonic() - start < 60
