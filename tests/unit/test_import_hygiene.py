"""The domain and the command line's non-UI paths never load Textual or rich."""

from __future__ import annotations

import subprocess
import sys

import pytest

DOMAIN_MODULES = [
    "triage_tui.core.model",
    "triage_tui.core.errors",
    "triage_tui.core.session",
    "triage_tui.store.fsutil",
    "triage_tui.store.paths",
    "triage_tui.formats.loaders",
    "triage_tui.core.categorize",
    "triage_tui.core.readiness",
    "triage_tui.core.handoff",
    "triage_tui.formats.plan",
    "triage_tui.formats.brief",
    "triage_tui.store.autosave",
    "triage_tui.store.lock",
    "triage_tui.store.legacy",
    "triage_tui.config",
    "triage_tui.core.scope",
    "triage_tui.core.pacing",
    "triage_tui.formats.markup",
    "triage_tui.core.workshop",
    "triage_tui.cli",
    "triage_tui.services",
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
