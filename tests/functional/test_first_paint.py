"""First paint (issue 24): what moved out of the way of the first frame still arrives in time."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.screen import Screen

from tests.functional.conftest import FrozenClock
from triage_tui.core.session import Category, Session
from triage_tui.store.autosave import Autosave
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app


async def test_the_autosave_made_in_a_thread_is_attached_before_the_first_frame(
    acme: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    frames: list[bool] = []
    real_refresh = Screen._compositor_refresh

    def recording_refresh(self: Screen) -> None:  # type: ignore[type-arg]
        if not self.app._batch_count:  # inside the start-up batch nothing is drawn
            room = self.app.room  # type: ignore[attr-defined]
            frames.append(room is not None and room.autosaving)
        real_refresh(self)

    monkeypatch.setattr(Screen, "_compositor_refresh", recording_refresh)
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        # Keys typed at once (before anything was drawn) are handled after the attach.
        await pilot.press("enter", "h")
        await pilot.pause()
        assert frames and all(frames), frames  # no frame, hence no key, before it
        room = app.room
        assert room is not None and room.autosave is not None
        decided = [i.id for i in room.workshop.in_scope if room.session.decisions[i.id].category]
        assert decided
        backlog = room.session.backlog
    # The decision is in the journal.
    stored = Autosave.for_backlog(backlog)
    replayed = Session(backlog)
    stored.resume(replayed)
    assert replayed.decisions[decided[0]].category is Category.HIRING
