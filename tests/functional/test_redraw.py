"""Each key redraws only what it changed (issue 24: every key press under one frame)."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import ProgressBar, Static

from triage_tui.core.model import Item
from triage_tui.core.pacing import ItemPace
from triage_tui.core.session import Category
from triage_tui.tui.widgets.item_list import ItemList
from triage_tui.tui.widgets.pace_bar import PaceBar
from triage_tui.tui.widgets.phase_bar import PhaseBar

ITEMS = [Item(f"R-{n}", f"Row {n}", "") for n in range(60)]


class ListApp(App[None]):
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {"hiring": "red", "project": "green", "parked": "yellow"}  # the app's themes' names

    def compose(self) -> ComposeResult:
        yield ItemList(lambda item: Category.UNDECIDED)
        yield PaceBar()
        yield PhaseBar("categorize")


def repainted_rows(widget: ItemList) -> set[int]:
    return {y for region in widget._repaint_regions for y in region.line_range}


async def test_a_move_repaints_the_row_left_and_the_row_reached() -> None:
    app = ListApp()
    async with app.run_test(size=(60, 30)) as pilot:
        item_list = app.query_one(ItemList)
        item_list.set_items(ITEMS, 3)
        await pilot.pause()
        item_list.set_cursor(4)
        assert repainted_rows(item_list) == {3, 4}
        await pilot.pause()
        # The cursor the list was filled with is the row it leaves (nothing kept beside it).
        item_list.set_items(ITEMS[::-1], 10)
        await pilot.pause()
        item_list.set_cursor(12)
        assert repainted_rows(item_list) == {10, 12}


PACE = ItemPace(9_990, 3_000.0)


async def test_the_pace_bar_redraws_only_what_changes() -> None:
    app = ListApp()
    async with app.run_test(size=(120, 10)) as pilot:
        pace_bar = app.query_one(PaceBar)
        bar = pace_bar.query_one(ProgressBar)
        line = pace_bar.query_one(Static)

        def show(done: int) -> None:
            pace_bar.show(
                done, 10_000, f"{done} of 10000", PACE, 3.0, warning="w", nothing_left="n"
            )

        show(10)
        await pilot.pause()
        with (
            mock.patch.object(bar, "update", wraps=bar.update) as bar_update,
            mock.patch.object(line, "update", wraps=line.update) as line_update,
        ):
            show(10)  # the same second, the same count: nothing to repaint
            assert bar_update.call_count == 0 and line_update.call_count == 0
            show(11)  # one more decided: the line says so; the bar's cells do not move
            assert line_update.call_count == 1 and bar_update.call_count == 0
            show(5_000)  # half way: the bar moves
            assert bar_update.call_args_list[0] == mock.call(total=10_000, progress=5_000)
        assert "5000 of 10000" in pace_bar.text
        assert bar.progress == 5_000 and bar.total == 10_000


async def test_the_phase_bar_repaints_when_its_line_changes() -> None:
    app = ListApp()
    async with app.run_test(size=(120, 10)) as pilot:
        phase_bar = app.query_one(PhaseBar)
        phase_bar.update_from(None)
        await pilot.pause()
        with mock.patch.object(phase_bar, "update", wraps=phase_bar.update) as update:
            phase_bar.update_from(None)
            assert update.call_count == 0


def test_categorize_asks_its_focus_not_a_query_before_its_widgets_are_mounted() -> None:
    # The Footer asks check_action for every key, also while the screen composes (seen as
    # NoMatches '#note' when F4 followed Enter quickly).
    from triage_tui.tui.screens.categorize import CategorizeScreen

    screen = CategorizeScreen()
    assert screen.check_action("decide", ("hiring",)) is True


async def test_readiness_keeps_its_project_items_until_a_category_changes(
    tmp_path: Path,
) -> None:
    # Finding the project items walks the whole backlog: a mark or a move asks nothing of
    # it; a decision does; the pace always equals the workshop's own counts.
    from tests.functional.conftest import FrozenClock, wait_loaded
    from triage_tui.core.session import Mark
    from triage_tui.tui.app import LaunchOptions
    from triage_tui.tui.launch import create_app
    from triage_tui.tui.screens.readiness import ReadinessScreen

    backlog = tmp_path / "b.csv"
    rows = ["Issue key,Summary,Description"] + [f"B-{n},Item {n},Spec {n}" for n in range(12)]
    backlog.write_text("\n".join(rows) + "\n", encoding="utf-8")
    app = create_app(LaunchOptions(file=backlog), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        workshop = app.workshop
        assert workshop is not None
        for item in workshop.in_scope[:6]:
            workshop.session.decide(item.id, Category.PROJECT)
        await pilot.press("enter", "f4")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReadinessScreen)

        def pace_agrees() -> None:
            pace = screen.pace(workshop)
            assert pace.done == workshop.fully_scored_count()
            assert pace.total == len(workshop.project_items())
            assert pace.pace.items == workshop.readiness_pace().items

        with mock.patch.object(
            type(workshop), "project_items", autospec=True, side_effect=type(workshop).project_items
        ) as asked:
            for number in range(1, 8):
                await pilot.press(str(number), "2" if number == 2 else "down")
            await pilot.pause()
            assert asked.call_count == 0
            pace_agrees()
            workshop.session.decide(workshop.in_scope[8].id, Category.PROJECT)
            await pilot.pause()
            assert asked.call_count >= 1
        assert len(screen.listed(workshop)) == 7
        for number in range(1, 8):
            workshop.session.set_mark(screen.listed(workshop)[0].id, number, Mark.MET)
        await pilot.pause()
        pace_agrees()


async def test_a_backlog_loaded_in_the_worker_is_frozen_out_of_the_collectors_walks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from tests.functional.conftest import FrozenClock, wait_loaded
    from triage_tui.tui import loading
    from triage_tui.tui.app import LaunchOptions
    from triage_tui.tui.launch import create_app

    monkeypatch.setattr(loading, "SMALL_FILE_BYTES", 0)  # the worker's path, as a big file
    backlog = tmp_path / "b.csv"
    rows = ["Issue key,Summary,Description"] + [f"F-{n},Item {n},Spec {n}" for n in range(50)]
    backlog.write_text("\n".join(rows) + "\n", encoding="utf-8")
    gc.unfreeze()
    app = create_app(LaunchOptions(file=backlog), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        frozen = gc.get_freeze_count()
    gc.unfreeze()  # leave the test process as it was
    assert frozen > 0


def test_the_app_runs_with_a_larger_young_generation_and_leaves_it_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    from triage_tui.services import LaunchOptions
    from triage_tui.tui import launch

    seen: list[tuple[int, ...]] = []

    class Ran:
        return_code = 0
        load_error = None
        exit_message = None

        def run(self) -> None:
            seen.append(gc.get_threshold())

    monkeypatch.setattr(launch, "create_app", lambda options: Ran())
    before = gc.get_threshold()
    assert launch.run_app(LaunchOptions()) == 0
    assert seen == [launch.APP_THRESHOLDS] and seen[0][0] > before[0]
    assert gc.get_threshold() == before  # the library and the tests keep CPython's


class GapsApp(App[None]):
    CSS = "PanelText { height: 5; }"

    def compose(self) -> ComposeResult:
        from triage_tui.tui.widgets.panel_text import PanelText

        yield PanelText(id="gaps")
        yield Static("below", id="below")


async def test_a_panel_text_repaints_its_changed_rows_without_a_layout() -> None:
    from rich.text import Text

    from triage_tui.tui.widgets.panel_text import PanelText

    app = GapsApp()
    async with app.run_test(size=(40, 12)) as pilot:
        panel = app.query_one(PanelText)
        below = app.query_one("#below", Static)
        panel.update(Text("Gaps\n • one\n • two"))
        await pilot.pause()
        assert panel.text_lines == ["Gaps", " • one", " • two"]
        with (
            mock.patch.object(panel, "refresh", wraps=panel.refresh) as refresh,
            mock.patch.object(below, "refresh", wraps=below.refresh) as below_refresh,
        ):
            panel.update(Text("Gaps\n • one\n • three\n • four"))  # a row changed, one more
            assert not any(call.kwargs.get("layout") for call in refresh.call_args_list)
            rows = {y for call in refresh.call_args_list for r in call.args for y in r.line_range}
            assert rows == {2, 3}
            panel.update(Text("Gaps\n • one\n • three\n • four"))  # the same: nothing
            assert refresh.call_count == 1
            await pilot.pause()
            assert below_refresh.call_count == 0  # nothing else moved
        assert panel.size.height == 5 and below.region.y == 5
        # Longer than the panel: it scrolls inside, its scrollbar drawn in its last column
        # (Textual's scrollbar widget coming laid the whole screen out).
        panel.update(Text("\n".join(f" • gap {n}" for n in range(12))))
        assert not any(call.kwargs.get("layout") for call in refresh.call_args_list)
        await pilot.pause()
        assert panel.size.height == 5 and panel.virtual_size.height == 12
        assert panel.has_scrollbar and not panel.show_vertical_scrollbar
        assert panel.text_lines[-1] == " • gap 11"
        with mock.patch.object(panel, "refresh", wraps=panel.refresh) as refresh:
            panel.update(Text("short"))  # the scrollbar goes: still no layout
            assert not any(call.kwargs.get("layout") for call in refresh.call_args_list)
        assert not panel.has_scrollbar


async def test_a_panel_text_gaining_a_scrollbar_wraps_its_lines_beside_it() -> None:
    # Rendered at the width of the moment, the text was a column too wide once the
    # scrollbar came (its last column cut at the edge) until the next text.
    from rich.text import Text

    from triage_tui.tui.widgets.panel_text import PanelText

    app = GapsApp()
    async with app.run_test(size=(20, 12)) as pilot:
        panel = app.query_one(PanelText)
        panel.update(Text("short"))
        await pilot.pause()
        assert not panel.has_scrollbar
        panel.update(Text("\n".join(["x" * 20] + [f"line {n}" for n in range(8)])))
        await pilot.pause()
        assert panel.has_scrollbar
        assert panel.text_lines[:3] == ["x" * 19, "x", "line 0"]
        panel.update(Text("x" * 20))  # fits again: the whole width
        await pilot.pause()
        assert not panel.has_scrollbar
        assert panel.text_lines == ["x" * 20]


class TextualScrolled(ScrollView):
    """Lines through the line API with Textual's own scrollbar (what PanelText was)."""

    DEFAULT_CSS = "TextualScrolled { overflow-x: hidden; scrollbar-size-vertical: 1; }"
    lines: list[Strip] = []

    def show(self, text: Text) -> None:
        width = self.content_region.width - 1  # beside the scrollbar it will have
        console = self.app.console
        self.lines = [
            Strip(line).crop_extend(0, width, None).apply_style(self.rich_style)
            for line in console.render_lines(text, console.options.update_width(width), pad=False)
        ]
        self.virtual_size = Size(width, len(self.lines))

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        return self.lines[index] if index < len(self.lines) else Strip.blank(0)


class SideBySideApp(App[None]):
    """A PanelText beside Textual's own scrollbar, styled as Readiness' panels."""

    CSS = """
    Horizontal { height: 8; }
    .panel { border: round $primary 60%; padding: 0 1; background: $surface; width: 24; height: 8; }
    """

    def compose(self) -> ComposeResult:
        from textual.containers import Horizontal

        from triage_tui.tui.widgets.panel_text import PanelText

        with Horizontal():
            yield PanelText(classes="panel")
            yield TextualScrolled(classes="panel")


async def test_a_panel_texts_scrollbar_looks_as_textuals_own() -> None:
    # Drawn in the panel (no scrollbar widget, no layout), it must look the same: the
    # same cells, characters and colours, at the top and scrolled, as Textual's.
    from triage_tui.tui.widgets.panel_text import PanelText

    text = Text("\n".join(f" • gap {n} is long enough to wrap" for n in range(7)), style="bold")
    app = SideBySideApp()
    async with app.run_test(size=(50, 10)) as pilot:
        panel, scroller = app.query_one(PanelText), app.query_one(TextualScrolled)
        panel.update(text)
        scroller.show(text)
        await pilot.pause()

        def cells(x0: int) -> list[list[tuple[str, Style]]]:
            """Each cell's character and look (its colours and attributes, no mouse meta)."""
            strips = app.screen._compositor.render_strips()
            return [
                [
                    (
                        cell.text,
                        Style.combine(s.style for s in cell if s.style).clear_meta_and_links(),
                    )
                    for cell in strip.crop(x0, x0 + 24).divide(range(1, 25))
                ]
                for strip in strips[:8]
            ]

        assert panel.has_scrollbar and scroller.show_vertical_scrollbar
        assert cells(0) == cells(24)
        for y in (3, 100):  # scrolled part way, then to the end
            panel.scroll_to(y=y, animate=False)
            scroller.scroll_to(y=y, animate=False)
            await pilot.pause()
            await pilot.pause()
            assert panel.scroll_offset.y == scroller.scroll_offset.y > 0
            assert cells(0) == cells(24)


async def test_a_panel_text_scrolls_with_the_wheel_and_a_click_on_its_scrollbar() -> None:
    from textual import events

    from triage_tui.tui.widgets.panel_text import PanelText

    app = GapsApp()
    async with app.run_test(size=(20, 12)) as pilot:
        panel = app.query_one(PanelText)
        panel.update(Text("\n".join(f"line {n}" for n in range(12))))
        await pilot.pause()
        assert panel.allow_vertical_scroll
        panel.post_message(events.MouseScrollDown(panel, 2, 2, 0, 0, 0, False, False, False))
        await pilot.pause()
        assert panel.scroll_offset.y > 0
        assert panel.text_lines[0] == "line 0"  # its lines stay; the view moved
        panel.scroll_to(y=0, animate=False)
        await pilot.pause()
        await pilot.click(PanelText, offset=(19, 4))  # below the thumb: a page down
        await pilot.pause()
        assert panel.scroll_offset.y == 4
        await pilot.click(PanelText, offset=(19, 0))  # above it: back up
        await pilot.pause()
        assert panel.scroll_offset.y == 0
        panel.update(Text("short"))  # fits: nothing to scroll
        assert not panel.allow_vertical_scroll


async def test_a_readiness_mark_repaints_only_the_lines_it_changes(tmp_path: Path) -> None:
    # A mark changes the item's criteria, score and gaps: not its row in the list (a
    # repaint there took the frame across the screen: every widget between composed
    # again), and of the score only its changed lines (a Static repainted all 5 rows).
    from tests.functional.conftest import FrozenClock, wait_loaded
    from triage_tui.tui.app import LaunchOptions
    from triage_tui.tui.launch import create_app
    from triage_tui.tui.screens.readiness import ProjectList, ReadinessScreen
    from triage_tui.tui.widgets.panel_text import PanelText

    path = tmp_path / "b.csv"
    rows = ["Issue key,Summary,Description"] + [f"B-{n},Item {n},Some words" for n in range(4)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    app = create_app(LaunchOptions(file=path), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        workshop = app.workshop
        assert workshop is not None
        for item in workshop.in_scope:
            workshop.session.decide(item.id, Category.PROJECT)
        await pilot.press("enter", "f4")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReadinessScreen)
        projects = screen.query_one(ProjectList)
        score = screen.query_one("#score", PanelText)
        before = score.text_lines
        with (
            mock.patch.object(projects, "refresh", wraps=projects.refresh) as list_refresh,
            mock.patch.object(score, "refresh", wraps=score.refresh) as score_refresh,
        ):
            await pilot.press("1")
            assert list_refresh.call_count == 0
            rows_repainted = {
                y for call in score_refresh.call_args_list for r in call.args for y in r.line_range
            }
        after = score.text_lines
        assert after != before  # the score moved
        changed = {row for row, (a, b) in enumerate(zip(before, after, strict=True)) if a != b}
        assert rows_repainted == changed
