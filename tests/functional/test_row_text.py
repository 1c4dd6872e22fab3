"""RowText: a new text repaints only the rows that changed (Categorize's questions and
suggestion, the room panel's status), and is cut with "…" at a fixed height."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app
from triage_tui.tui.widgets.row_text import RowText


class RowApp(App[None]):
    CSS = """
    #auto { width: 20; }
    #fixed { width: 20; height: 2; }
    #uncut { width: 20; height: 1; }
    """

    def compose(self) -> ComposeResult:
        yield RowText(id="auto")
        yield RowText(id="fixed")
        yield RowText(id="uncut", cut=False)


def lines(*rows: str) -> Text:
    return Text("\n".join(rows))


async def test_a_changed_row_is_the_only_one_repainted() -> None:
    app = RowApp()
    async with app.run_test(size=(40, 12)) as pilot:
        rows = app.query_one("#auto", RowText)
        rows.update(lines("one", "two", "three"))
        await pilot.pause()
        assert rows.text_lines == ["one", "two", "three"]
        assert rows.size.height == 3  # height: auto follows the rows
        refreshed: list[tuple[Region, ...]] = []
        original = rows.refresh

        def spy(*regions: Region, **kwargs: bool) -> RowText:
            refreshed.append(regions)
            return original(*regions, **kwargs)

        rows.refresh = spy  # type: ignore[method-assign]
        rows.update(lines("one", "TWO", "three"))
        assert refreshed == [(Region(0, 1, 20, 1),)]  # the middle row, nothing else
        refreshed.clear()
        rows.update(lines("one", "TWO", "three"))  # the same text: nothing at all
        assert refreshed == []
        await pilot.pause()
        assert rows.text_lines == ["one", "TWO", "three"]


async def test_only_new_rows_are_rendered_and_a_counted_text_is_not_wrapped_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = RowApp()
    async with app.run_test(size=(40, 12)) as pilot:
        rows = app.query_one("#auto", RowText)
        rows.update(lines("12 joined", "3 of 12 voted", "Waiting for: Ana"))
        await pilot.pause()
        rendered: list[str] = []
        wrapped: list[str] = []
        render, wrap = Text.render, Text.wrap

        def spy_render(self: Text, *args: object, **kwargs: object) -> object:
            rendered.append(self.plain)
            return render(self, *args, **kwargs)  # type: ignore[arg-type]

        def spy_wrap(self: Text, *args: object, **kwargs: object) -> object:
            wrapped.append(self.plain)
            return wrap(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Text, "render", spy_render)
        monkeypatch.setattr(Text, "wrap", spy_wrap)
        text = lines("12 joined", "4 of 12 voted", "Waiting for: Ana")
        assert rows.rows_for(text, 20) == 3  # (the room panel sets its height from this)
        rows.update(text)
        assert wrapped == [text.plain]  # wrapped once, for both
        assert rendered == ["4 of 12 voted"]  # the one new row


async def test_more_rows_lay_out_again_and_a_fixed_height_is_cut_with_an_ellipsis() -> None:
    app = RowApp()
    async with app.run_test(size=(40, 12)) as pilot:
        rows = app.query_one("#auto", RowText)
        rows.update(lines("one"))
        await pilot.pause()
        rows.update(lines("one", "two"))
        await pilot.pause()
        assert rows.size.height == 2 and rows.text_lines == ["one", "two"]
        fixed = app.query_one("#fixed", RowText)
        fixed.update(Text("a long line of words that wraps over more rows than two"))
        await pilot.pause()
        shown = fixed.text_lines
        assert len(shown) == 2 and shown[-1].endswith("…")
        uncut = app.query_one("#uncut", RowText)
        uncut.update(lines("first", "second"))  # its caller sets the height: nothing cut
        await pilot.pause()
        assert uncut.text_lines == ["first", "second"]
        uncut.styles.height = 2
        await pilot.pause()
        assert uncut.size.height == 2 and uncut.text_lines == ["first", "second"]


async def test_a_hidden_text_asks_for_no_layout_and_shows_its_last_text() -> None:
    app = RowApp()
    async with app.run_test(size=(40, 12)) as pilot:
        rows = app.query_one("#auto", RowText)
        rows.update(lines("one"))
        await pilot.pause()
        rows.display = False  # (Categorize's side panel at 80 columns)
        await pilot.pause()
        layouts: list[bool] = []
        original = rows.refresh

        def spy(*regions: Region, **kwargs: bool) -> RowText:
            layouts.append(kwargs.get("layout", False))
            return original(*regions, **kwargs)

        rows.refresh = spy  # type: ignore[method-assign]
        rows.update(lines("one", "two", "three"))
        assert not any(layouts)  # nobody sees it: the screen is not laid out for it
        rows.display = True
        await pilot.pause()
        assert rows.size.height == 3 and rows.text_lines == ["one", "two", "three"]


async def test_a_signal_ticked_on_categorize_repaints_its_own_row_of_the_questions(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        questions = app.screen.query_one("#questions", RowText)
        before = questions.text_lines
        refreshed: list[tuple[Region, ...]] = []
        original = questions.refresh

        def spy(*regions: Region, **kwargs: bool) -> RowText:
            refreshed.append(regions)
            return original(*regions, **kwargs)

        questions.refresh = spy  # type: ignore[method-assign]
        await pilot.press("1")
        await pilot.pause()
        after = questions.text_lines
        changed = [
            row for row, (old, new) in enumerate(zip(before, after, strict=True)) if old != new
        ]
        assert len(changed) == 1 and "1 ☑" in after[changed[0]]
        assert refreshed == [(Region(0, changed[0], questions.size.width, 1),)]
