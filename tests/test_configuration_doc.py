"""docs/configuration.md lists every setting (as its ASSISTANT_ variable), and no stale one."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.settings import Settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_every_setting_is_documented_and_none_is_stale() -> None:
    documented = set(re.findall(r"^\| `ASSISTANT_([A-Z0-9_]+)`", DOC.read_text(), re.M))
    fields = {name.upper() for name in Settings.model_fields}
    assert fields - documented == set(), "settings missing from docs/configuration.md"
    assert documented - fields == set(), "docs/configuration.md lists settings that are gone"
