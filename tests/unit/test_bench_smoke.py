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


def test_a_marked_export_gives_one_description_in_three_real_jira_markup() -> None:
    # The keys rows' export: every third description has lists, bold, code, a link (a
    # table in half of them), so the rest row converts real markup; every other field
    # and row is the plain export's.
    from triage_tui.formats.markup import display_markdown, quick_jira_to_markdown

    index = helpers.JIRA_HEADER.index("Description")
    plain = list(helpers.jira_rows(60, seed=3))
    marked = list(helpers.jira_rows(60, seed=3, marked=True))
    assert marked == list(helpers.jira_rows(60, seed=3, marked=True))
    grammar = 0  # the marked descriptions that need jira2markdown's grammar
    for number, (before, after) in enumerate(zip(plain, marked, strict=True), start=1):
        assert before[:index] + before[index + 1 :] == after[:index] + after[index + 1 :]
        if number % helpers.MARKED_EVERY:
            assert after[index] == before[index]
            continue
        description = after[index]
        grammar += quick_jira_to_markdown(description) is None
        markdown = display_markdown(description, "")
        assert "\n- " in markdown and "**Do not**" in markdown and "\n1. " in markdown
        assert f"](https://wiki.example.com/BEN-{number})" in markdown
    tables = [row[index] for row in marked if "||Field||" in row[index]]
    assert 0 < len(tables) < 20
    assert 0 < grammar < 20  # about half of the 20: both paths are measured


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


def _load_bench(name: str) -> ModuleType:
    sys.path.insert(0, str(ROOT / "bench"))  # run.py imports its siblings by name
    try:
        spec = importlib.util.spec_from_file_location(
            f"bench_{name}", ROOT / "bench" / f"{name}.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return module


def test_the_browser_figure_is_skipped_with_a_line_without_chromium(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _load_bench("run")
    serve_paint = _load_bench("serve_paint")
    monkeypatch.setitem(sys.modules, "serve_paint", serve_paint)  # what run.py imports
    monkeypatch.setattr(serve_paint, "CHROMIUM", tmp_path / "no-chromium")
    rows, why = run.bench_serve(1)
    assert rows == []
    assert why == f"serve: skipped: no Chromium at {tmp_path / 'no-chromium'} " + (
        "(apt-get install chromium; TRIAGE_TUI_CHROMIUM)"
    )


def test_the_browser_harness_sees_the_floor_and_the_app_drawn(tmp_path: Path) -> None:
    """One page load of each through the real servers and Chromium (no timing asserted)."""
    serve_paint = _load_bench("serve_paint")
    if serve_paint.missing() is not None:
        pytest.skip(serve_paint.missing())
    state = tmp_path / "state"

    def env() -> dict[str, str]:
        state.mkdir(exist_ok=True)
        return {
            "TRIAGE_TUI_STATE_DIR": str(state),
            "TRIAGE_TUI_CONFIG_DIR": str(tmp_path / "config"),
            "PYTHONPATH": str(ROOT / "src"),
        }

    results = serve_paint.measure(
        1,
        floor_argv=[sys.executable, str(ROOT / "bench" / "floor_app.py"), "--serve"],
        app_argv=[
            sys.executable,
            "-m",
            "triage_tui",
            "serve",
            str(ROOT / "sample_backlogs" / "acme.toml"),
        ],
        env=env,
        cwd=tmp_path,
        log=lambda _: None,
    )
    for name in ("floor", "app"):
        [(received, drawn)] = results[name]
        assert 0 < received <= drawn  # the marker arrived, then was drawn
