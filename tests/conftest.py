"""Shared fixtures: keep the user's config and autosaves out of every test."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_backlogs"


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path_factory.mktemp("triage-home")
    monkeypatch.setenv("TRIAGE_TUI_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("TRIAGE_TUI_STATE_DIR", str(base / "state"))
