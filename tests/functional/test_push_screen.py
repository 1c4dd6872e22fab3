"""The push from the Export screen: t writes the plan and shows the dry run; a asks first,
and only y sends anything (to a loopback fake Jira)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Static

from tests.conftest import SAMPLES
from tests.fakes.trackers import FakeJira
from tests.functional.conftest import FrozenClock, wait_loaded
from tests.functional.test_push_jira import EMAIL, KEYS, TOKEN
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app
from triage_tui.tui.screens.push import ConfirmPush, PushScreen


async def test_dry_run_then_apply_after_confirmation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backlog = tmp_path / "jira-export.csv"
    shutil.copy(SAMPLES / "jira-export.csv", backlog)
    with FakeJira(KEYS, email=EMAIL, token=TOKEN) as jira:
        monkeypatch.setenv("JIRA_BASE_URL", jira.url)
        monkeypatch.setenv("JIRA_EMAIL", EMAIL)
        monkeypatch.setenv("JIRA_API_TOKEN", TOKEN)
        app = create_app(LaunchOptions(file=backlog), now=FrozenClock())
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("enter", "h", "p")  # ACME-212 hiring, ACME-213 project
            await pilot.press("f6")
            await pilot.pause()
            hint = str(app.screen.query_one("#push-hint", Static).render())
            assert "shows what goes back into Jira" in hint
            await pilot.press("t")
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, PushScreen)
            text = str(screen.query_one("#push-text", Static).render())
            assert "ACME-212  Own the payments platform on-call rotation and SLOs" in text
            assert "  labels:   + triage:hiring" in text
            assert "ACME-213" in text
            # Undecided: listed once, to have any earlier push's labels taken off.
            assert "\n  ACME-220  Stripe webhook ingestion service\n" in text
            assert "22 undecided items: their triage labels are removed where present." in text
            assert (tmp_path / "jira-export.plan.toml").exists()  # what is pushed is on disk
            assert jira.requests == []
            await pilot.press("a")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmPush)
            question = app.screen.question  # type: ignore[attr-defined]
            assert "write one comment on 2 Jira issues" in question
            assert "take the triage labels off 22 undecided ones where present" in question
            await pilot.press("n")
            await pilot.pause()
            assert app.screen is screen and jira.requests == []  # no: nothing sent
            await pilot.press("a")
            await pilot.pause()
            await pilot.press("y")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert screen.status_text == (
                "Pushed 2 of 2 items to Jira: 2 changed, 0 already up to date, "
                "22 undecided, no triage label on them."
            )
            assert jira.issues["ACME-212"].labels == ["triage:hiring"]
            assert jira.issues["ACME-213"].labels == ["triage:project", "triage:not-ready"]
            assert len(jira.issues["ACME-212"].comments) == 1
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, PushScreen)


async def test_a_backlog_from_no_tracker_says_so(acme: Path) -> None:
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter", "f6")
        await pilot.pause()
        hint = str(app.screen.query_one("#push-hint", Static).render())
        assert "did not come from GitHub, Jira or Linear" in hint
        await pilot.press("t")
        await pilot.pause()
        assert not isinstance(app.screen, PushScreen)
