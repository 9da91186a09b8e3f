"""The codebase stays ruff-clean, ruff-formatted and mypy-clean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_check_and_format() -> None:
    check = run_tool("ruff", "check", ".")
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = run_tool("ruff", "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy() -> None:
    result = run_tool("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
