"""The "Every item in scope is decided" toast is Categorize's news: it goes when the room
moves on, so it never sits over Readiness' first criteria (seen on session 7's walk)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets._toast import Toast

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app
from triage_tui.tui.screens.categorize import ALL_DECIDED

BACKLOG = """title = "Two items"

[[items]]
id = "A-1"
title = "Build the webhook ingestion service"

[[items]]
id = "A-2"
title = "Own the on-call pager"
"""


async def toasts(pilot, app) -> list[str]:  # type: ignore[no-untyped-def]
    """The toasts drawn on the screen in view (the rack is updated a moment later)."""
    for _ in range(3):
        await pilot.pause()
    return [str(toast._notification.message) for toast in app.screen.query(Toast)]


async def test_the_all_decided_toast_does_not_follow_onto_readiness(
    tmp_path: Path, clock: FrozenClock
) -> None:
    backlog = tmp_path / "two.toml"
    backlog.write_text(BACKLOG)
    app = create_app(LaunchOptions(file=backlog), now=clock)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        app.notify("the disk is full", severity="error")  # an error stays, wherever
        await pilot.press("p", "h")
        await pilot.pause()
        # Said on Categorize, where it was earned (beside the error).
        assert await toasts(pilot, app) == ["the disk is full", ALL_DECIDED]
        await pilot.press("f4")
        await pilot.pause()
        assert app.current_mode == "readiness"
        assert ALL_DECIDED not in [n.message for n in app._notifications]
        assert ALL_DECIDED not in await toasts(pilot, app)
        assert "the disk is full" in await toasts(pilot, app)
        await pilot.press("f3")  # back on Categorize, it is not raised again by itself
        await pilot.pause()
        assert ALL_DECIDED not in await toasts(pilot, app)
