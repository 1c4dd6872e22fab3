"""What a key press keeps from the last one (issue 24: every key under one frame): each
cache is dropped when what it was made from changes, and none grows without bound."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

from rich.text import Text
from textual.app import App, ComposeResult

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.core.session import Category, Mark
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app
from triage_tui.tui.screens import readiness
from triage_tui.tui.widgets.panel_text import PanelText


def write_backlog(path: Path, count: int) -> Path:
    rows = ["Issue key,Summary,Description"]
    rows += [f"B-{n},Item {n},Acceptance criteria: the report loads in {n} s" for n in range(count)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


async def test_readiness_keeps_an_items_panels_until_a_step_changes_what_they_show(
    tmp_path: Path,
) -> None:
    app = create_app(LaunchOptions(file=write_backlog(tmp_path / "b.csv", 6)), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        workshop = app.workshop
        assert workshop is not None
        for item in workshop.in_scope[:4]:
            workshop.session.decide(item.id, Category.PROJECT)
        await pilot.press("enter", "f4")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, readiness.ReadinessScreen)
        criteria = screen.query_one("#criteria", PanelText)
        gaps = screen.query_one("#gaps", PanelText)
        with mock.patch.object(
            readiness, "readiness_panels", wraps=readiness.readiness_panels
        ) as made:
            for key in ("down", "down", "up", "up", "down", "up"):
                await pilot.press(key)
            await pilot.pause()
            assert made.call_count == 2  # B-1 and B-2 once each; B-0 was kept from the start
            assert criteria.text_lines[0].startswith("B-0:")
            # A mark: the item's panels again, with the mark and its gap gone.
            await pilot.press("4")
            await pilot.pause()
            assert made.call_count == 3
            assert any("4  ◐ partial" in line for line in criteria.text_lines)
            # The handoff names a reviewer: with 6 met, "no reviewer yet" goes away.
            await pilot.press("6", "6")  # partial, met
            await pilot.pause()
            assert any("no reviewer yet" in line for line in criteria.text_lines)
            workshop.session.set_handoff(screen.current.id, "reviewer", "Priya")
            await pilot.pause()
            assert not any("no reviewer yet" in line for line in criteria.text_lines)
            calls = made.call_count
            # Another item's decision (what an item waits on may change): all forgotten,
            # and made again when shown.
            workshop.session.decide(workshop.in_scope[5].id, Category.HIRING)
            await pilot.pause()
            assert made.call_count == calls
            await pilot.press("down", "up")
            await pilot.pause()
            assert made.call_count == calls + 2
            assert gaps.text_lines[0] == "Gaps to close before handoff"


async def test_readiness_keeps_the_panels_of_a_bounded_number_of_items(tmp_path: Path) -> None:
    app = create_app(LaunchOptions(file=write_backlog(tmp_path / "b.csv", 8)), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        workshop = app.workshop
        assert workshop is not None
        for item in workshop.in_scope:
            workshop.session.decide(item.id, Category.PROJECT)
        await pilot.press("enter", "f4")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, readiness.ReadinessScreen)
        with mock.patch.object(readiness, "CACHED_PANELS", 3):
            for _ in range(7):
                await pilot.press("down")
            await pilot.pause()
            assert screen._panels is not None
            assert list(screen._panels) == ["B-5", "B-6", "B-7"]
            workshop.session.set_mark("B-7", 1, Mark.MET)
            await pilot.pause()
            assert list(screen._panels) == ["B-7"]  # forgotten, and the one shown made again


class PanelApp(App[None]):
    CSS = "PanelText { height: 5; }"

    def compose(self) -> ComposeResult:
        yield PanelText()


async def test_a_panel_text_renders_a_text_it_was_given_before_only_once() -> None:
    app = PanelApp()
    async with app.run_test(size=(40, 12)) as pilot:
        panel = app.query_one(PanelText)
        first, second = Text("Gaps\n • one"), Text("Gaps\n • two")
        with mock.patch.object(
            app.console, "render_lines", wraps=app.console.render_lines
        ) as rendered:
            panel.update(first)  # two lines
            panel.update(second)  # one new line: "Gaps" is kept
            panel.update(first)  # the same Text again (Readiness keeps an item's): kept
            assert rendered.call_count == 3
            assert panel.text_lines == ["Gaps", " • one"]
            # Equal to one kept, but another Text (Readiness makes its panels again after
            # a mark): its lines are kept ones.
            panel.update(Text("Gaps\n • two"))
            assert rendered.call_count == 3
            assert panel.text_lines == ["Gaps", " • two"]
            panel.update(Text("Gaps\n • two\n • three"))  # a mark's new gap: that line only
            assert rendered.call_count == 4
            assert panel.text_lines == ["Gaps", " • two", " • three"]
            # Another width: rendered again (the text shown at once: its "Gaps" is kept).
            await pilot.resize_terminal(30, 12)
            await pilot.pause()
            count = rendered.call_count
            panel.update(first)
            assert rendered.call_count == count + 1
            # A theme change forgets every kept line (they carry the widget's colours).
            app.theme = "textual-light" if app.theme != "textual-light" else "nord"
            await pilot.pause()
            count = rendered.call_count
            panel.update(second)
            assert rendered.call_count == count + 1  # "Gaps" was drawn again at once
        # Bounded.
        for number in range(PanelText.CACHED_LINES + 10):
            panel.update(Text(f"gap {number}"))
        assert len(panel._rendered) == PanelText.CACHED_TEXTS
        assert len(panel._line_cache) == PanelText.CACHED_LINES


async def test_a_panel_text_renders_line_by_line_what_rich_renders_whole() -> None:
    # Rich wraps each line of a text on its own; the lines kept one by one must be the
    # lines of the whole text (styles, wrapping, blank lines, a last newline).
    from textual.strip import Strip

    text = Text()
    text.append("PAY-1: can an outsider build it from the spec alone?\n", style="bold")
    text.append("1-7: missing → partial → met · a: accept all\n", style="dim")
    text.append(" 1 ", style="bold reverse")
    text.append(" ? unanswered ", style="dim")
    text.append(" Problem statement\n\n")
    text.append("      suggested met: “a snippet that wraps past the end of the line”\n", "italic")
    texts = [text, Text("Gaps\n\n • one  \n", style="bold"), Text(""), Text("\n"), Text("x" * 50)]
    app = PanelApp()
    async with app.run_test(size=(40, 12)):
        panel = app.query_one(PanelText)
        console = app.console
        for sample in texts:
            for width in (12, 31, 40):
                whole = [
                    Strip(line).crop_extend(0, width, None).simplify().apply_style(panel.rich_style)
                    for line in console.render_lines(
                        sample, console.options.update_width(width), pad=False
                    )
                ]
                assert panel._lines_of(sample, width) == whole


async def test_categorize_converts_the_jira_markup_of_the_items_after_the_one_shown(
    tmp_path: Path,
) -> None:
    from triage_tui.tui.screens import categorize
    from triage_tui.tui.widgets import description

    backlog = tmp_path / "jira.csv"
    rows = ["Issue key,Summary,Description"]
    rows += [f'J-{n},Item {n},"h3. Steps {n}\n* _first_ {n}\n* second {n}"' for n in range(8)]
    backlog.write_text("\n".join(rows) + "\n", encoding="utf-8")
    app = create_app(LaunchOptions(file=backlog), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        workshop = app.workshop
        assert workshop is not None
        items = workshop.in_scope
        assert items[0].markup == "jira"

        def converted() -> set[str]:
            return {
                item.id
                for item in items
                if description._converted(item.description, item.markup) is not None
            }

        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert converted() == {"J-0", "J-1", "J-2", "J-3"}  # the one shown and 3 ahead
        await pilot.press("j", "j", "j")  # the cursor runs: nothing is converted meanwhile
        await pilot.pause(categorize.SETTLE_SECONDS + 0.1)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert converted() == {f"J-{n}" for n in range(7)}  # J-3 shown: J-4 to J-6 ahead
        assert any("first 3" in line for line in app.screen.query_one("#desc").text_lines)
