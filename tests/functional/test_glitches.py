"""The glitches issue 22 found walking the hour in front of a room, each pinned by a test."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

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
    from triage_tui.tui.widgets.panel_text import PanelText

    widget = screen.query_one(selector)
    if isinstance(widget, PanelText):  # Readiness' criteria, score and gaps
        return widget.text.plain
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
    """The Footer's keys (left to right, each with its whole region) and where the palette
    key starts."""
    from types import SimpleNamespace

    from triage_tui.tui.widgets.compact_footer import CompactFooter

    footer = screen.query_one(CompactFooter)
    regions = footer.hint_regions()
    keys = [
        SimpleNamespace(**vars(hint), region=region)
        for hint, region in regions
        if hint is not footer.palette
    ]
    palette = [region for hint, region in regions if hint is footer.palette]
    return keys, palette[0].x


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


# -- Readiness ------------------------------------------------------------------------------


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    """What the terminal shows, as plain text."""
    import html
    import re

    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


async def test_readiness_at_80x24_shows_the_spec_on_a_key(acme: Path, clock: FrozenClock) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        app.workshop.session.decide("PAY-114", Category.PROJECT)
        await pilot.press("f4")
        await pilot.pause()
        assert "polled" not in screen_text(app)
        await pilot.press("v")
        await pilot.pause()
        assert "polled" in screen_text(app)  # PAY-114's spec: "currently polled every 10 min"
        await pilot.press("1")  # the criteria keys still act
        await pilot.pause()
        assert app.workshop.session.decisions["PAY-114"].marks
        await pilot.press("v")
        await pilot.pause()
        assert "Coherent scope" in screen_text(app)


async def test_readiness_says_why_a_full_score_still_needs_work(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        session = app.workshop.session
        session.decide("API-88", Category.PROJECT)
        for number in range(1, 8):
            session.set_mark("API-88", number, Mark.MET)
        await pilot.press("f4")
        await pilot.pause()
        score = static_text(app.screen, "#score")
        assert "100/100" in score and "NEEDS WORK" in score
        assert "name a reviewer" in score  # the why, beside the level
        criteria = static_text(app.screen, "#criteria")
        after_review = criteria.split("Review workflow", 1)[1].splitlines()
        assert "no reviewer yet" in after_review[1]  # not a bare "✓ met" beside "Name a reviewer"


async def test_help_names_the_sessions_own_autosave_file(acme: Path, clock: FrozenClock) -> None:
    from textual.widgets import Markdown

    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        assert app.room is not None and app.room.autosave is not None
        await pilot.press("question_mark")
        await pilot.pause()
        text = app.screen.query_one(Markdown).source
        assert f"autosaved in `{app.room.autosave.path}`" in text


# -- the screens follow the session -------------------------------------------------------


async def test_every_screen_shows_a_change_made_without_a_key(
    acme: Path, clock: FrozenClock
) -> None:
    """Votes will arrive from the network: a change that no key of the screen made (here
    the session changed directly, as a vote handler on the event loop would) is drawn."""
    from triage_tui.tui.widgets.item_list import ItemList
    from triage_tui.tui.widgets.pace_bar import PaceBar

    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        session = app.workshop.session
        total = len(app.workshop.in_scope)

        # Start: the scope line counts decided items.
        session.decide("PAY-101", Category.HIRING)
        await pilot.pause()
        assert "(1 more already decided)" in static_text(app.screen, "#scope-summary")

        # Categorize: the row, the decision line and the pace of the item in view.
        await pilot.press("f3")
        await pilot.pause()
        item_list = app.screen.query_one(ItemList)
        current = item_list.items[item_list.cursor]
        session.decide(current.id, Category.PARKED)
        await pilot.pause()
        assert "PARKED" in str(app.screen.query_one("#decision").render())
        assert f"2 of {total} decided" in app.screen.query_one(PaceBar).text
        session.set_note(current.id, "who owns the ledger?")
        await pilot.pause()
        assert "who owns the ledger?" in str(app.screen.query_one("#note-shown").render())
        session.undo()  # an undo too
        await pilot.pause()
        assert "who owns" not in str(app.screen.query_one("#note-shown").render())

        # Readiness: a new project item is listed, a mark is drawn, the pace follows.
        await pilot.press("f4")
        await pilot.pause()
        session.decide("PAY-114", Category.PROJECT)
        await pilot.pause()
        item_list = app.screen.query_one(ItemList)
        assert [item.id for item in item_list.items] == ["PAY-114"]
        session.set_mark("PAY-114", 1, Mark.MET)
        await pilot.pause()
        criteria = static_text(app.screen, "#criteria")
        assert "✓ met        Coherent scope" in criteria

        # Plan: an item made ready elsewhere joins the handoff table and the board.
        await pilot.press("f5")
        await pilot.pause()
        session.decide("API-88", Category.PROJECT)
        for number in range(1, 8):
            session.set_mark("API-88", number, Mark.MET)
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert "API-88" in [str(table.get_row(key)[0]) for key in table.rows]
        assert "PROJ project       2" in static_text(app.screen, "#board")

        # Back on Start, the counts are the session's.
        await pilot.press("f2")
        await pilot.pause()
        session.decide("INT-7", Category.HIRING)
        await pilot.pause()
        summary = static_text(app.screen, "#scope-summary")
        assert "(5 more already decided)" in summary


# -- the handoff editor (issue 20) ------------------------------------------------------


async def open_editor(pilot, app, item_id: str):  # type: ignore[no-untyped-def]
    """Plan, `e` on `item_id` (every criterion met, so its handoff can be written)."""
    from triage_tui.tui.screens.plan import HandoffEditor

    assert app.workshop is not None
    session = app.workshop.session
    session.decide(item_id, Category.PROJECT)
    for number in range(1, 8):
        session.set_mark(item_id, number, Mark.MET)
    await pilot.press("f5")
    await pilot.pause()
    table = app.screen.query_one(DataTable)
    keys = [str(key.value) for key in table.rows]
    table.move_cursor(row=keys.index(item_id))
    await pilot.pause()
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(app.screen, HandoffEditor)
    return app.screen


def field_value(editor, name: str) -> str:  # type: ignore[no-untyped-def]
    from textual.widgets import TextArea

    widget = editor.query_one(f"#field-{name}")
    return str(widget.text if isinstance(widget, TextArea) else widget.value)


JIRA_EXPORT = Path(__file__).parents[1] / "fixtures" / "exports" / "jira-spec-markup.csv"


async def test_the_handoff_editor_shows_markdown_not_jira(
    tmp_path: Path, clock: FrozenClock
) -> None:
    backlog = tmp_path / "jira.csv"
    backlog.write_bytes(JIRA_EXPORT.read_bytes())
    app = create_app(LaunchOptions(file=backlog), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        editor = await open_editor(pilot, app, "PLA-181")
        criteria = field_value(editor, "acceptance_criteria")
        assert "`X-RateLimit-Limit`" in criteria  # as the panel beside shows it
        assert "{{" not in criteria
        # Saving without touching a field writes no edit: the spec stays the source.
        await pilot.press("f10")
        await pilot.pause()
        assert app.workshop is not None
        assert app.workshop.session.decisions["PLA-181"].handoff == {}


async def test_tab_into_a_filled_field_keeps_its_text(acme: Path, clock: FrozenClock) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        app.workshop.session.set_handoff("PAY-114", "reviewer", "@priya")
        editor = await open_editor(pilot, app, "PAY-114")
        reviewer = editor.query_one("#field-reviewer", Input)
        while app.focused is not reviewer:
            await pilot.press("tab")
        await pilot.press("x")
        await pilot.pause()
        assert reviewer.value.startswith("@priya") and "x" in reviewer.value
        # A text box too: the next key goes after its text.
        from textual.widgets import TextArea

        deliverable = editor.query_one("#field-deliverable", TextArea)
        before = deliverable.text
        while app.focused is not deliverable:
            await pilot.press("tab")
        await pilot.press("!")
        await pilot.pause()
        assert deliverable.text == before + "!"


async def test_escape_asks_before_dropping_edits(acme: Path, clock: FrozenClock) -> None:
    from triage_tui.tui.screens.plan import HandoffEditor

    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        editor = await open_editor(pilot, app, "PAY-114")
        reviewer = editor.query_one("#field-reviewer", Input)
        reviewer.focus()
        before = reviewer.value  # "Priya", from the spec
        await pilot.press(*"@mo", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, HandoffEditor)  # a question, over the editor
        await pilot.press("n")  # keep editing
        await pilot.pause()
        assert app.screen is editor
        assert reviewer.value == before + "@mo"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")  # drop them
        await pilot.pause()
        assert app.current_mode == "plan" and not isinstance(app.screen, HandoffEditor)
        assert app.workshop is not None
        assert app.workshop.session.decisions["PAY-114"].handoff == {}
        # With nothing edited, escape closes at once.
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HandoffEditor) and app.current_mode == "plan"
