"""A second window on the same backlog is told, and opens read-only or takes the session over."""

from __future__ import annotations

from pathlib import Path

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.core.session import Category, Session
from triage_tui.formats.loaders import load
from triage_tui.store.autosave import Autosave, SessionTakenOver
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


def owner_window(backlog: Path) -> tuple[Autosave, SessionLock, Session, list[OSError]]:
    """Another triage-tui that opened `backlog` fresh and autosaves it."""
    session = Session(load(backlog))
    autosave = Autosave.for_backlog(session.backlog)
    lock = SessionLock(autosave.lock_path)
    assert lock.acquire().ok
    autosave.start_fresh()
    autosave.attach(session, lock=lock)
    errors: list[OSError] = []
    autosave.on_error = errors.append
    return autosave, lock, session, errors


async def test_issue_12_take_over_after_the_owner_decided_loses_no_decision(acme: Path) -> None:
    """W1 fresh, W2 opens (held), W1 decides, W2 takes over: W1's decisions are kept, W2
    autosaves from then on, and W1 is told it no longer does."""
    w1, w1_lock, room, w1_errors = owner_window(acme)
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        assert isinstance(app.screen, HeldScreen)
        items = load(acme).items
        room.decide(items[0].id, Category.HIRING)  # W1 decides while W2 shows the dialog
        room.decide(items[1].id, Category.PARKED)
        await pilot.press("t")
        await pilot.pause()
        assert not app.read_only
        assert app.workshop is not None
        decisions = app.workshop.session.decisions
        assert decisions[items[0].id].category is Category.HIRING  # caught up
        assert decisions[items[1].id].category is Category.PARKED
        await pilot.press("enter", "p")  # W2 decides the item it shows
        here = [k for k, d in decisions.items() if d.category is Category.PROJECT]
        assert len(here) == 1
        room.decide(items[-1].id, Category.PROJECT)  # W1 can no longer write
        assert isinstance(w1_errors[-1], SessionTakenOver)
    assert journal_decisions(acme) == {
        items[0].id: Category.HIRING,
        items[1].id: Category.PARKED,
        here[0]: Category.PROJECT,
    }
    w1.close(room)
    w1_lock.release()


async def test_the_window_taken_over_says_it_no_longer_autosaves(acme: Path) -> None:
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter", "h")
        other = Autosave.for_backlog(load(acme))
        other_lock = SessionLock(other.lock_path)
        assert not other_lock.acquire().ok  # this app owns it
        other.take_over(window := Session(load(acme)), other_lock)
        await pilot.press("p")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("this window no longer autosaves" in m for m in messages)
        assert app.workshop is not None
        first = app.workshop.in_scope[0].id
    assert journal_decisions(acme) == {first: Category.HIRING}  # nothing after the take-over
    other.close(window)
    other_lock.release()
