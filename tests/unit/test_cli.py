"""The app command's own exit codes (check and brief have their own tests)."""

from __future__ import annotations

import pytest

from triage_tui import __version__
from triage_tui.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"triage-tui {__version__}"


def test_minutes_out_of_range_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--minutes", "2", "nowhere.toml"]) == 2
    assert "--minutes" in capsys.readouterr().err


def test_missing_backlog_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nowhere.toml"]) == 1
    assert capsys.readouterr().err.strip() == "nowhere.toml: no such file"


def test_bad_map_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "x.csv", "--map", "colour=Red"]) == 2
    assert "--map" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error() -> None:
    assert main(["--frobnicate"]) == 2
