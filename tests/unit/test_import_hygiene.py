"""The domain and the command line's non-UI paths never load Textual or rich."""

from __future__ import annotations

import subprocess
import sys

import pytest

DOMAIN_MODULES = [
    "triage_tui.model",
    "triage_tui.errors",
    "triage_tui.session",
    "triage_tui.fsutil",
    "triage_tui.paths",
    "triage_tui.loaders",
    "triage_tui.categorize",
    "triage_tui.readiness",
    "triage_tui.handoff",
    "triage_tui.plan",
    "triage_tui.brief",
    "triage_tui.autosave",
    "triage_tui.lock",
    "triage_tui.config",
    "triage_tui.scope",
    "triage_tui.pacing",
    "triage_tui.markup",
    "triage_tui.workshop",
    "triage_tui.cli",
]


@pytest.mark.parametrize("module", DOMAIN_MODULES)
def test_domain_module_imports_no_ui(module: str) -> None:
    code = (
        f"import importlib, sys; importlib.import_module({module!r}); "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')); "
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    if "ModuleNotFoundError" in result.stderr and module.split(".")[-1] in result.stderr:
        pytest.fail(f"{module} is missing: {result.stderr.strip().splitlines()[-1]}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{module} pulled in {result.stdout.strip()}"
