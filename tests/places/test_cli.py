"""`assistant places`: the resolution printed for a place."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from assistant.cli import app


def test_places_command_prints_the_resolution() -> None:
    result = CliRunner().invoke(app, ["places", "phuong ben nghe quan 1"])
    assert result.exit_code == 0, result.output
    assert "nay thuộc phường Sài Gòn, TP. Hồ Chí Minh" in result.output


def test_places_command_json_and_no_place() -> None:
    result = CliRunner().invoke(app, ["places", "tinh ha nam", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["places"][0]["province"] == "Tỉnh Ninh Bình"
    assert CliRunner().invoke(app, ["places", "le phi lam can cuoc"]).exit_code == 1
