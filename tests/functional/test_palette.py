"""The palette's "Jump to" reaches every item of a big backlog (it once listed 2,000)."""

from __future__ import annotations

from pathlib import Path

from tests.functional.conftest import FrozenClock, wait_loaded
from tests.functional.test_big_backlog import big_csv
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app
from triage_tui.tui.widgets.item_list import ItemList


async def test_jump_to_an_item_past_the_first_two_thousand(tmp_path: Path) -> None:
    from textual.command import CommandList, CommandPalette

    path = big_csv(tmp_path / "big.csv", rows=4000)
    app = create_app(LaunchOptions(file=path), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        ids = [item.id for item in app.workshop.in_scope]
        wanted = ids[-1]  # the last in-scope item, far past the old cut
        assert ids.index(wanted) > 2000
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*wanted.lower())
        commands = app.screen.query_one(CommandList)
        for _ in range(100):  # the palette gathers the hits in a worker
            await pilot.pause(0.05)
            if commands.option_count and "Jump to" in str(commands.get_option_at_index(0).prompt):
                break
        first = str(commands.get_option_at_index(0).prompt)
        assert first.startswith(f"Jump to {wanted}:"), first
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause(0.05)
            lists = app.screen.query(ItemList) if app.current_mode == "categorize" else []
            if lists and lists.first().cursor == len(ids) - 1:
                break
        assert app.current_mode == "categorize"
        assert app.screen.query_one(ItemList).cursor == len(ids) - 1


async def test_jump_to_an_id_typed_without_its_punctuation(tmp_path: Path) -> None:
    from textual.command import CommandList, CommandPalette

    path = tmp_path / "backlog.toml"
    path.write_text(
        "\n".join(
            f'[[items]]\nid = "{item_id}"\ntitle = "{title}"\n'
            for item_id, title in (
                ("API-3", "Rate limit the public API"),
                ("PAY-114", "Stripe webhook ingestion"),
                ("PAY-2", "Refund export"),
            )
        ),
        encoding="utf-8",
    )
    app = create_app(LaunchOptions(file=path), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"pay114")
        commands = app.screen.query_one(CommandList)
        for _ in range(100):
            await pilot.pause(0.05)
            if commands.option_count and "Jump to" in str(commands.get_option_at_index(0).prompt):
                break
        first = str(commands.get_option_at_index(0).prompt)
        assert first.startswith("Jump to PAY-114:"), first
        await pilot.press("enter")
        for _ in range(50):
            await pilot.pause(0.05)
            lists = app.screen.query(ItemList) if app.current_mode == "categorize" else []
            if lists and lists.first().cursor == 1:
                break
        assert app.current_mode == "categorize"
        assert app.screen.query_one(ItemList).cursor == 1
