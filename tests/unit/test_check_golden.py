"""`check --json` and `check` give today's report, byte for byte, for every sample and
fixture file (issue 24: the compiled engine and the lighter scan are judged against the
reports of df1431a, saved by tests/unit/check_golden.py)."""

from __future__ import annotations

import json

import pytest

from tests.unit.check_golden import MODES, SAVED, backlog_files, key, report

SAVED_REPORTS: dict[str, dict[str, object]] = json.loads(SAVED.read_text(encoding="utf-8"))


@pytest.mark.parametrize("relative", backlog_files())
def test_every_file_gets_the_saved_reports(relative: str) -> None:
    for mode in MODES:
        name = key(mode, relative)
        assert name in SAVED_REPORTS, (
            f"no saved report for {name}: a new fixture? "
            "`python -m tests.unit.check_golden --update` saves them (from a checkout "
            "whose reports are known good)"
        )
        assert report(mode, relative) == SAVED_REPORTS[name], name


def test_the_saved_reports_cover_refusals_and_every_file() -> None:
    assert {saved["exit"] for saved in SAVED_REPORTS.values()} == {0, 1}
    assert set(SAVED_REPORTS) == {
        key(mode, relative) for relative in backlog_files() for mode in MODES
    }
