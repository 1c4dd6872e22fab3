"""A parked item's note starts from the suggestion's drafted open question (issue 15)."""

from __future__ import annotations

from pathlib import Path

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.core.session import Category
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app
from triage_tui.tui.widgets.item_list import ItemList


async def test_n_on_a_parked_item_prefills_the_drafted_open_question(
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
        await pilot.press("s", "up", "n", "enter")
        await pilot.pause()
        decision = workshop.session.decisions["PLAT-47"]
        assert decision.category is Category.PARKED
        assert decision.rationale == drafted
        # An item that is not parked starts from an empty note.
        await pilot.press("up", "n")
        assert app.screen.query_one("#note").value == ""
