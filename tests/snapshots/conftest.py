"""Snapshot-only fixtures: fixed relative paths, no cursor blink, a private copy of the demo."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.conftest import SAMPLES
from textual.widgets import Input


@pytest.fixture(autouse=True)
def _deterministic_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _isolated_dirs: None
) -> None:
    """Every path the app prints is relative to a per-test cwd, so screenshots never differ.

    tmp_path is random, so the backlog, the plan and the config/state folders (shown on the
    start and help screens) are given as paths relative to it. The state dir is still
    private to the test: it lives in tmp_path.
    """
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRIAGE_TUI_CONFIG_DIR", "config")
    monkeypatch.setenv("TRIAGE_TUI_STATE_DIR", "state")
    # The App reads NO_COLOR when it is built: a developer's setting must not change the SVGs.
    monkeypatch.delenv("NO_COLOR", raising=False)
    # A blinking cursor is on or off depending on when the screenshot lands: keep it on.
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture
def acme(tmp_path: Path) -> Path:
    """A private copy of the demo backlog, as the relative path the start screen prints."""
    shutil.copy(SAMPLES / "acme.toml", tmp_path / "acme.toml")
    return Path("acme.toml")


#: About 5,000 characters of realistic spec: headings, lists, code, a long unbroken URL.
LONG_PARAGRAPH = (
    "Customers on the Growth plan export every invoice of the year at once for their "
    "accountant, and the current endpoint builds the whole file in memory before the first "
    "byte goes out. Requests over 40,000 invoices time out at the load balancer after 60 "
    "seconds and the customer sees an empty download. "
)


def long_description() -> str:
    """A description of just over 5,000 characters (Markdown, as trackers export it)."""
    parts = ["## Background", ""]
    parts += [LONG_PARAGRAPH * 3, ""]
    parts += ["## Acceptance criteria", ""]
    parts += [
        f"- [ ] Export #{n}: streams rows as they are read; memory stays under 200 MB."
        for n in range(1, 13)
    ]
    parts += ["", "## Notes", "", "```sql", "SELECT * FROM invoices WHERE org_id = $1;", "```"]
    parts += [
        "",
        "Trace: https://grafana.acme.example/d/exports/invoice-export-latency?orgId=1&"
        + "var-endpoint=export_csv&" * 12,
        "",
    ]
    parts += [LONG_PARAGRAPH * 10]
    text = "\n".join(parts)
    assert len(text) >= 5000, len(text)
    return text


@pytest.fixture
def long_backlog(tmp_path: Path) -> Path:
    """A three-item backlog whose first item has a 5,000-character description."""
    description = long_description().replace('"""', "'''")
    text = (
        'title = "Long descriptions"\n\n'
        "[[items]]\n"
        'id = "EXP-1"\n'
        'title = "Stream the invoice CSV export so year-long exports of 40,000+ invoices '
        'finish instead of timing out at the load balancer"\n'
        'labels = ["api", "exports", "performance", "customer-reported"]\n'
        'estimate = "2w"\n'
        'status = "todo"\n'
        'type = "story"\n'
        f'description = """\n{description}\n"""\n\n'
        "[[items]]\n"
        'id = "EXP-2"\n'
        'title = "Short one"\n\n'
        "[[items]]\n"
        'id = "EXP-3"\n'
        'title = "Another short one"\n'
    )
    (tmp_path / "long.toml").write_text(text, encoding="utf-8")
    return Path("long.toml")
