"""The domain and the command line's non-UI paths never load Textual or rich."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLES

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


# -- first paint (issue 24): the first frame imports only what it shows --------------------
#: Modules (and packages) the first frame of a backlog given on the command line must not
#: have imported: each costs start-up time and is loaded when first used instead.
DEFERRED = (
    "triage_tui.formats.plan",  # a plan's format: reading one, saving
    "triage_tui.formats.brief",
    "triage_tui.formats.handoff_doc",
    "triage_tui.formats.markup",  # Markdown / Jira conversion: descriptions, exports
    "triage_tui.formats.push",
    "triage_tui.formats.diff",
    "triage_tui.core.categorize",  # suggestions: Categorize
    "triage_tui.core.readiness",
    "triage_tui.core.handoff",
    "triage_tui.core.spec",
    "triage_tui.core.carry",  # next quarter (--from)
    "triage_tui.core.diff",
    "triage_tui.core.roadmap",
    "triage_tui.room",  # the vote server (R)
    "triage_tui.tui.vote_room",  # its panel
    "triage_tui.core.votes",
    "triage_tui.push",
    "triage_tui.serve",
    "triage_tui.tui.commands",  # the palette
    "triage_tui.tui.saving",  # ctrl+s, quitting
    "triage_tui.tui.screens.categorize",  # screens not yet shown
    "triage_tui.tui.screens.readiness",
    "triage_tui.tui.screens.plan",
    "triage_tui.tui.screens.export",
    "triage_tui.tui.screens.help",
    "triage_tui.tui.screens.held",
    "triage_tui.tui.screens.push",
    "triage_tui.tui.screens.unsaved",
    "triage_tui.tui.screens.team",
    "segno",  # the room's QR code
    "aiohttp",
    "jira2markdown",
    "markdown_it",
    "textual_serve",
)

FIRST_FRAME = """
import asyncio, sys
from pathlib import Path

import triage_tui.cli  # the entry point's own imports
from textual.screen import Screen

seen = {}
real_refresh = Screen._compositor_refresh

def refresh(self):
    if not self.app._batch_count and "modules" not in seen:  # the first frame drawn
        seen["modules"] = sorted(sys.modules)
        seen["themes"] = sorted(self.app.available_themes)
    real_refresh(self)

Screen._compositor_refresh = refresh
from triage_tui.services import LaunchOptions
from triage_tui.tui.launch import create_app

async def main():
    app = create_app(LaunchOptions(file=Path(sys.argv[1])))
    async with app.run_test(size=(120, 36)):
        while "modules" not in seen:
            await asyncio.sleep(0.01)

asyncio.run(main())
print(" ".join(seen["modules"]))
print(" ".join(seen["themes"]))
"""


def test_the_first_frame_imports_only_what_it_shows(tmp_path: Path) -> None:
    backlog = tmp_path / "acme.toml"
    shutil.copy(SAMPLES / "acme.toml", backlog)
    env = os.environ | {
        "TRIAGE_TUI_STATE_DIR": str(tmp_path / "state"),
        "TRIAGE_TUI_CONFIG_DIR": str(tmp_path / "config"),
    }
    result = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME, str(backlog)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    modules_line, themes_line = result.stdout.strip().splitlines()[-2:]
    modules = set(modules_line.split())
    assert "triage_tui.tui.screens.start" in modules  # (the probe saw the real frame)
    loaded = sorted(
        name for name in modules if any(name == d or name.startswith(d + ".") for d in DEFERRED)
    )
    assert loaded == [], f"the first frame imported {loaded}"
    # The bundled theme files are checked and registered after the first frame.
    assert "projector" not in themes_line.split()
