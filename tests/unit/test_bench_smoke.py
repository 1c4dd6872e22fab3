"""The benchmark's pure helpers: generated exports load, the table prints (no timing here)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from triage_tui import cli

ROOT = Path(__file__).resolve().parents[2]


def _load_helpers() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_helpers", ROOT / "bench" / "helpers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


helpers = _load_helpers()


def test_generated_jira_csv_has_n_rows_and_check_reports_n(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = helpers.write_jira_csv(tmp_path / "jira-37.csv", 37)
    assert helpers.count_csv_records(path) == 37
    assert cli.main(["check", "--json", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["format"] == "jira-csv"
    assert report["items"] == 37
    assert report["records"][0]["id"] == "BEN-1"
    assert report["warnings"] == []


def test_generator_is_deterministic_and_multiline() -> None:
    first = list(helpers.jira_rows(5, seed=3))
    assert first == list(helpers.jira_rows(5, seed=3))
    description = first[0][helpers.JIRA_HEADER.index("Description")]
    assert "\n" in description
    assert all(len(row) == len(helpers.JIRA_HEADER) for row in first)


def test_strip_ansi_leaves_the_visible_text() -> None:
    raw = "\x1b[?1049h\x1b]22;default\x07\x1b[1;1H\x1b[38;2;1;2;3mtoml, 25\x1b[0m items"
    assert helpers.strip_ansi(raw) == "toml, 25 items"


def test_table_ratios_and_verdicts() -> None:
    rows = [
        helpers.Row("fast", 1.2, 1.0, "s", "<= 1.3x", 1.3),
        helpers.Row("slow", 3.0, 1.0, "s", "<= 1.3x", 1.3),
        helpers.Row("rss", 200e6, None, "MB", "<= 250 MB", 250e6, absolute=True),
        helpers.Row("floor", 1.0, None, "s", "-", None),
        helpers.Row("rss over", 300e6, None, "MB", "<= 250 MB", 250e6, absolute=True),
    ]
    assert [row.passed for row in rows] == [True, False, True, None, False]
    table = helpers.format_table(rows)
    lines = table.splitlines()
    assert "1.20x" in lines[2] and "PASS" in lines[2]
    assert "3.00x" in lines[3] and "MISS" in lines[3]
    assert "200.0 MB" in lines[4] and "PASS" in lines[4]
    assert "info" in lines[5]
    assert "300.0 MB" in lines[6] and "MISS" in lines[6]
