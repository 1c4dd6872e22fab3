"""A second window on the same backlog is told, and opens read-only or takes the session over."""

from __future__ import annotations

from pathlib import Path

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.core.session import Category, Session
from triage_tui.formats.loaders import load
from triage_tui.store.autosave import Autosave
from triage_tui.store.lock import SessionLock
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app
from triage_tui.tui.screens.held import HeldScreen


def held_lock(backlog: Path) -> SessionLock:
    """The lock another (live) triage-tui holds on this backlog's session."""
    other = SessionLock(Autosave.for_backlog(load(backlog)).lock_path)
    assert other.acquire().ok
    return other


def journal_decisions(backlog: Path) -> dict[str, Category]:
    session = Session(load(backlog))
    Autosave.for_backlog(session.backlog).resume(session, repair=False)
    return {key: d.category for key, d in session.decisions.items() if d.category != "undecided"}


async def test_read_only_window_does_not_write_the_journal(acme: Path) -> None:
    other = held_lock(acme)
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        assert isinstance(app.screen, HeldScreen)
        assert "already open" in app.screen.message
        await pilot.press("r")
        assert app.read_only
        await pilot.press("enter", "h")
        assert "READ-ONLY" in str(app.screen.query_one("#phase-bar").render())  # on screen too
        assert app.workshop is not None
        assert app.workshop.session.decisions[app.workshop.in_scope[0].id].category == "hiring"
    assert journal_decisions(acme) == {}
    assert other.is_ours()


async def test_take_over_autosaves_from_then_on(acme: Path) -> None:
    other = held_lock(acme)
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("t")
        await pilot.pause()
        assert not app.read_only
        await pilot.press("enter", "p")
        assert "READ-ONLY" not in str(app.screen.query_one("#phase-bar").render())
        assert app.workshop is not None
        first = app.workshop.in_scope[0].id
    assert not other.is_ours()
    assert journal_decisions(acme) == {first: Category.PROJECT}
