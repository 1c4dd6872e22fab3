"""Quitting never loses work silently; ctrl+s never overwrites the backlog; a resume returns
to the room's phase. Driven through the real app with Pilot."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.cli import main
from triage_tui.services import LaunchOptions
from triage_tui.tui.app import TriageApp
from triage_tui.tui.launch import create_app, exit_code
from triage_tui.tui.screens.unsaved import UnsavedScreen


def recording(app: TriageApp) -> list[tuple[str, str]]:
    """(title, message) of every notification the app shows from now on."""
    shown: list[tuple[str, str]] = []
    real = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        shown.append((str(kwargs.get("title", "")), message))
        real(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return shown


def disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every autosave write from now on fails as on a full disk."""

    def full(_db: object, _steps: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    # The store's one insert of a step (inside the writing transaction).
    monkeypatch.setattr("triage_tui.store.autosave._append", full)


# -- never the backlog ---------------------------------------------------------------------
def test_plan_naming_the_backlog_is_refused_on_the_command_line(
    acme: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = acme.read_bytes()
    assert main([str(acme), "--plan", str(acme)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"{acme}: --plan refused: that is the backlog itself, which is never overwritten; "
        "choose another file\n"
    )
    assert acme.read_bytes() == before


async def test_ctrl_s_with_plan_naming_the_backlog_is_refused(acme: Path) -> None:
    before = acme.read_bytes()
    app = create_app(LaunchOptions(file=acme, plan=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        shown = recording(app)
        await pilot.press("enter", "h", "ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert (
            "Not saved",
            f"Refused to write {acme}: that is the backlog itself, which is "
            "never overwritten; choose another file",
        ) in shown
    assert acme.read_bytes() == before


# -- back where the room was -----------------------------------------------------------------
async def test_a_resume_returns_to_the_rooms_phase(acme: Path) -> None:
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter", "p", "p", "f4")
        await pilot.pause()
        assert app.current_mode == "readiness"
        await pilot.press("ctrl+q")
    assert app.return_code == 0

    again = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with again.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, again)
        await pilot.pause()
        assert again.current_mode == "readiness"
        assert again.workshop is not None
        assert again.workshop.decided_count() == 2
        await pilot.press("ctrl+z", "ctrl+z", "ctrl+z")  # the decisions; never the navigation
        assert again.workshop.decided_count() == 0
        assert again.workshop.session.phase == "readiness"


# -- quitting with a failing autosave ----------------------------------------------------------
async def test_quit_with_a_working_autosave_exits_at_once(acme: Path) -> None:
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter", "h", "ctrl+q")
        await pilot.pause()
    assert app.return_code == 0 and app.exit_message == ""


async def test_quit_with_a_full_disk_says_so_and_exits_1_when_insisted(
    acme: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        shown = recording(app)
        disk_full(monkeypatch)
        await pilot.press("enter", "h", "p")
        assert any(title == "Autosave" and "the disk is full" in text for title, text in shown)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedScreen)
        assert app.screen.message.startswith("2 changes exist only in memory. Cannot write")
        await pilot.press("escape")  # stay: nothing lost, keep working
        await pilot.pause()
        assert not isinstance(app.screen, UnsavedScreen) and app.is_running
        await pilot.press("s", "ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedScreen)
        await pilot.press("ctrl+q")  # the user insists
        await pilot.pause()
    assert app.return_code == 1
    assert exit_code(app) == 1
    err = capsys.readouterr().err
    assert err.startswith("triage-tui: quit with 3 changes not saved. Cannot write ")
    assert "the disk is full" in err


async def test_quit_with_a_full_disk_writes_the_plan_elsewhere_first(
    acme: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "usb" / "rescued.plan.toml"
    elsewhere.parent.mkdir()
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        disk_full(monkeypatch)
        await pilot.press("enter", "h", "ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedScreen)
        path_input = app.screen.query_one("#unsaved-path")
        path_input.value = str(tmp_path / "missing-folder" / "plan.toml")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        # That write failed too: asked again, saying why, still running.
        assert isinstance(app.screen, UnsavedScreen) and app.is_running
        assert "does not exist" in app.screen.message
        app.screen.query_one("#unsaved-path").value = str(elsewhere)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_code == 0 and app.exit_message == ""
    assert 'category = "hiring"' in elsewhere.read_text()


async def test_quit_after_the_autosave_folder_was_removed_is_not_silent(acme: Path) -> None:
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        assert app.room is not None and app.room.autosave is not None
        shutil.rmtree(app.room.autosave.path.parent)
        await pilot.press("enter", "h", "ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedScreen)
        assert "is gone (its folder was removed)" in app.screen.message
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 1
    assert app.exit_message.startswith("triage-tui: quit with 1 change not saved.")
