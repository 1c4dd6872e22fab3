"""A parked item's open question starts from the suggestion's drafted one (issue 15): `S`
asks for it; `n` is the room's note, a field of its own, never prefilled with the draft."""

from __future__ import annotations

from pathlib import Path

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.core.session import Category
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app
from triage_tui.tui.widgets.item_list import ItemList


async def test_s_on_a_parked_item_prefills_the_drafted_open_question(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        workshop = app.workshop
        assert workshop is not None
        item_list = app.screen.query_one(ItemList)
        index = next(i for i, item in enumerate(item_list.items) if item.id == "PLAT-47")
        for _ in range(index):
            await pilot.press("down")
        item = item_list.items[index]
        drafted = workshop.suggestion(item).open_question
        assert workshop.suggestion(item).category is Category.PARKED
        assert drafted.startswith("What does 'Make search fast again' mean concretely")
        await pilot.press("s", "up", "S")  # parked with no question, then asked for it
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        decision = workshop.session.decisions["PLAT-47"]
        assert decision.category is Category.PARKED
        assert decision.rationale == drafted
        assert decision.note == ""
        # `n` on it edits the room's note: it starts empty, never from the question.
        await pilot.press("up", "n")
        await pilot.pause()
        assert app.screen.query_one("#note").value == ""
        await pilot.press("escape")
        # An item that is not parked starts from an empty note too.
        await pilot.press("up", "n")
        assert app.screen.query_one("#note").value == ""
