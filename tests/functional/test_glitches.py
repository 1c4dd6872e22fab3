"""The glitches issue 22 found walking the hour in front of a room, each pinned by a test."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static
from textual.widgets._footer import FooterKey

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.core.session import Category, Mark
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app

STATUS_BACKLOG = """title = "Statuses"

[[items]]
id = "A-1"
title = "Open thing"
status = "todo"

[[items]]
id = "A-2"
title = "Another open thing"
status = "todo"

[[items]]
id = "A-3"
title = "Finished thing"
status = "done"

[[items]]
id = "A-4"
title = "Dropped thing"
status = "cancelled"
"""


@pytest.fixture
def statuses(tmp_path: Path) -> Path:
    path = tmp_path / "statuses.toml"
    path.write_text(STATUS_BACKLOG, encoding="utf-8")
    return path


def static_text(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one(selector, Static).render())


# -- Start ---------------------------------------------------------------------------


async def test_start_filter_typed_without_enter_survives_tab(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("slash", *"stripe", "tab")
        await pilot.pause()
        assert app.workshop is not None
        assert app.workshop.scope.text == "stripe"
        app.refresh_screen()
        await pilot.pause()
        assert app.screen.query_one("#scope-text", Input).value == "stripe"
        assert len(app.workshop.in_scope) < len(app.workshop.session.backlog.items)


async def test_start_status_counts_follow_hide_done(statuses: Path, clock: FrozenClock) -> None:
    app = create_app(LaunchOptions(file=statuses), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        before = static_text(app.screen, "#facets")
        assert "done (1)" in before and "todo (2)" in before
        await pilot.press("d")
        await pilot.pause()
        after = static_text(app.screen, "#facets")
        assert "todo (2)" in after
        assert "done" not in after and "cancelled" not in after


# -- a plan reopens in its phase ------------------------------------------------------


@pytest.mark.parametrize("keys", [("f4",), ("f6",)], ids=["readiness", "export"])
async def test_a_plan_reopens_in_the_phase_it_was_saved_in(
    acme: Path, clock: FrozenClock, keys: tuple[str, ...]
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        app.workshop.session.decide("PAY-114", Category.PROJECT)
        await pilot.press(*keys)
        await pilot.pause()
        phase = app.current_mode
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        plan = app.workshop.plan_path
    assert plan.exists()
    again = create_app(LaunchOptions(file=plan), now=clock)
    async with again.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, again)
        await pilot.pause()
        assert again.current_mode == phase


# -- o with a file that fails to load ---------------------------------------------------


async def test_a_file_that_fails_to_open_keeps_the_open_workshop(
    acme: Path, tmp_path: Path, clock: FrozenClock
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        room = app.room
        assert room is not None
        room.session.decide("PAY-114", Category.PROJECT)
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one("#open-path", Input).value = str(empty)
        await pilot.press("enter")
        await wait_loaded(pilot, app)
        assert app.load_error is not None  # said, ...
        assert app.room is room  # ... and the hour is still open
        assert app.room.autosaving
        assert "empty.csv" in static_text(app.screen, "#loaded")
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.query_one("#chooser").display
        await pilot.press("f3")
        await pilot.pause()
        assert app.current_mode == "categorize"


# -- the Plan table ---------------------------------------------------------------------


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
async def test_the_plan_table_cuts_a_long_handoff_status_with_an_ellipsis(
    acme: Path, clock: FrozenClock, size: tuple[int, int]
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=size) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        session = app.workshop.session
        for item_id in ("SEC-4", "PAY-114"):
            session.decide(item_id, Category.PROJECT)
            for number in range(1, 8):
                session.set_mark(item_id, number, Mark.MET)
        await pilot.press("f5")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        used = sum(column.get_render_width(table) for column in table.columns.values())
        assert used <= table.scrollable_content_region.width
        cells = [str(table.get_row(key)[-1]) for key in table.rows]
        assert any(cell.startswith("ready once:") and cell.endswith("…") for cell in cells)


# -- toasts -------------------------------------------------------------------------------


async def test_quick_parks_leave_one_toast_and_the_park_prompt_none(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"ssssss")
        await pilot.pause()
        shown = list(app._notifications)
        assert len(shown) == 1, [n.message for n in shown]
        assert "parked with no open question" in shown[0].message
        await pilot.press("S")
        await pilot.pause()
        assert not list(app._notifications)  # the prompt is not covered


async def test_an_error_toast_is_not_replaced_by_a_passing_one(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        app.notify("the disk is full", severity="error")
        app.notify("first")
        app.notify("second")
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["the disk is full", "second"]


# -- the Footer -----------------------------------------------------------------------------


def footer_keys(screen):  # type: ignore[no-untyped-def]
    """The Footer's keys (left to right) and where the palette key starts."""
    keys = [key for key in screen.query(FooterKey) if not key.has_class("-command-palette")]
    palette = screen.query_one(".-command-palette", FooterKey)
    return keys, palette.region.x


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
async def test_every_footer_offers_help_and_cuts_no_label_at_120(
    acme: Path, clock: FrozenClock, size: tuple[int, int]
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=size) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        app.workshop.session.decide("PAY-114", Category.PROJECT)
        for key in ("f2", "f3", "f4", "f5", "f6"):
            await pilot.press(key)
            await pilot.pause()
            keys, palette_x = footer_keys(app.screen)
            helps = [k for k in keys if k.action in ("app.help", "help")]
            assert helps, (app.current_mode, [k.description for k in keys])
            assert helps[0].region.right <= palette_x, app.current_mode
            if size[0] >= 120:
                cut = [k.description for k in keys if k.region.right > palette_x]
                assert not cut, (app.current_mode, cut)
