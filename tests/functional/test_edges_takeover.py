"""Issue 21: after a take-over, the pace line and the toast count what the session holds."""

from __future__ import annotations

from pathlib import Path

from tests.functional.conftest import FrozenClock, wait_loaded
from tests.functional.test_two_windows import owner_window
from triage_tui.core.session import Category
from triage_tui.formats.loaders import load
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app
from triage_tui.tui.screens.held import HeldScreen
from triage_tui.tui.widgets.pace_bar import PaceBar


async def test_the_pace_line_counts_the_decisions_caught_up_by_a_take_over(acme: Path) -> None:
    owner, owner_lock, room, _ = owner_window(acme)
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    notes: list[str] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        assert isinstance(app.screen, HeldScreen)
        items = load(acme).items
        for item in items[:3]:
            room.decide(item.id, Category.HIRING)  # the owner decides while B asks
        original = app.notify

        def notify(message: str, **kwargs: object) -> None:
            notes.append(message)
            original(message, **kwargs)  # type: ignore[arg-type]

        app.notify = notify  # type: ignore[method-assign]
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("enter")  # on to Categorize
        await pilot.pause()
        assert app.workshop is not None
        total = len(app.workshop.in_scope)
        assert f"3 of {total} decided" in app.screen.query_one(PaceBar).text
        assert any(f"3 of {total} decided" in note for note in notes), notes
    owner.close(room)
    owner_lock.release()
