"""The description panel: Markdown drawn through the line API, scrolled in its own region."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from triage_tui.core.model import Item
from triage_tui.tui.widgets.description import Description

SHORT = Item("A-1", "Short", "## Goal\n\nShip the *export*.")
LONG = Item("A-2", "Long", "\n\n".join(f"Paragraph {n} of the spec." for n in range(1, 61)))
JIRA = Item("A-3", "Jira", "h3. Acceptance\n* one\n* two")


class DescriptionApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Description()


async def show(pilot: Pilot[None], item: Item | None) -> Description:
    """Show `item` in the app's Description and let it draw."""
    view = pilot.app.query_one(Description)
    view.show(item)
    await pilot.pause()
    return view


async def test_renders_markdown_and_swaps_items() -> None:
    app = DescriptionApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = await show(pilot, SHORT)
        text = "\n".join(view.text_lines)
        assert "Goal" in text and "Ship the export." in text
        assert "##" not in text and "*" not in text  # rendered, not shown as source
        assert not view.has_scrollbar

        await show(pilot, JIRA)
        for _ in range(200):  # the Jira markup is converted in a thread: wait for it
            if any(line.strip() == "Acceptance" for line in view.text_lines):
                break
            await pilot.pause(0.02)
        assert any(line.strip() == "Acceptance" for line in view.text_lines)
        assert any("one" in line and "•" in line for line in view.text_lines)

        view.show(SHORT)  # back again: the same lines (from the cache)
        await pilot.pause()
        assert "Ship the export." in "\n".join(view.text_lines)


async def test_long_description_scrolls_and_a_new_item_starts_at_the_top() -> None:
    app = DescriptionApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = await show(pilot, LONG)
        assert view.virtual_size.height > view.size.height
        assert view.has_scrollbar
        view.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert view.scroll_offset.y > 0
        shown = [view.render_line(y).text for y in range(view.scrollable_content_region.height)]
        assert any("Paragraph 60 of the spec." in line for line in shown)
        assert not any("Paragraph 1 of the spec." in line for line in shown)

        await show(pilot, SHORT)
        assert view.scroll_offset.y == 0
        assert not view.has_scrollbar
        await show(pilot, None)
        assert view.text_lines == []


async def test_rewraps_when_the_terminal_narrows() -> None:
    app = DescriptionApp()
    async with app.run_test(size=(100, 20)) as pilot:
        view = await show(pilot, LONG)
        wide = len(view.text_lines)
        await pilot.resize_terminal(20, 20)
        await pilot.pause()
        assert len(view.text_lines) > wide
        assert all(len(line) <= view.scrollable_content_region.width for line in view.text_lines)


async def test_a_theme_change_redraws_the_cached_lines() -> None:
    app = DescriptionApp()
    async with app.run_test(size=(60, 20)) as pilot:
        app.theme = "textual-dark"
        view = await show(pilot, SHORT)
        before = next(iter(view.render_line(0))).style
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()
        after = next(iter(view.render_line(0))).style
        assert before is not None and after is not None
        assert before.bgcolor != after.bgcolor  # the light theme's background, not the old one
        assert after.bgcolor == view.rich_style.bgcolor


async def test_an_item_reopened_with_a_new_description_shows_the_new_text() -> None:
    # Reopening an edited export (or another file) may reuse an id: the text, not the
    # id, decides what is drawn.
    app = DescriptionApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = await show(pilot, SHORT)
        assert "Ship the export." in "\n".join(view.text_lines)
        edited = Item(SHORT.id, SHORT.title, "## Goal\n\nShip the *import* instead.")
        await show(pilot, edited)
        text = "\n".join(view.text_lines)
        assert "Ship the import instead." in text and "export" not in text


# -- drawing only what changed (issue 24: each key under one frame) ----------------------
def repainted_rows(view: Description) -> set[int] | None:
    """The content rows the next repaint redraws (None: the whole widget)."""
    regions = view._repaint_regions
    if not regions:
        return set()
    top = view.content_offset.y
    rows: set[int] = set()
    for region in regions:
        if region.height > 1 and region.y == 0:
            return None
        rows.update(range(region.y - top, region.y - top + region.height))
    return rows


async def test_a_new_item_repaints_only_the_rows_that_changed() -> None:
    app = DescriptionApp()
    one = Item("B-1", "One", "First line of one.\n\nSame closing paragraph.")
    two = Item("B-2", "Two", "First line of two.\n\nSame closing paragraph.")
    async with app.run_test(size=(60, 20)) as pilot:
        view = await show(pilot, one)
        before = list(view.text_lines)
        view.show(two)
        rows = repainted_rows(view)
        after = list(view.text_lines)
        assert rows is not None
        changed = {row for row, (a, b) in enumerate(zip(before, after, strict=True)) if a != b}
        assert changed == {0} and rows == changed  # the blank and the same rows stay drawn
        await pilot.pause()
        assert "First line of two." in view.text_lines[0]


async def test_a_quick_jira_conversion_is_drawn_once_without_a_placeholder() -> None:
    app = DescriptionApp()
    drawn: list[list[str]] = []
    item = Item("J-1", "Jira", "h3. Quick one\n* _first_\n* second", markup="jira")
    from triage_tui.formats.markup import _scanner

    _scanner()  # jira2markdown's grammar built (once a process: ~0.2 s, more under load)
    async with app.run_test(size=(60, 20)) as pilot:
        view = await show(pilot, SHORT)
        view.show(item, then=lambda: drawn.append(list(view.text_lines)))
        assert not drawn  # converting in a thread: the lines on screen stay meanwhile
        assert "Ship the export." in "\n".join(view.text_lines)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert len(drawn) == 1  # `then` ran once, with the converted lines
        assert any(line.strip() == "Quick one" for line in drawn[0])
        assert not any("converting" in line for line in drawn[0])


async def test_a_slow_jira_conversion_shows_the_placeholder_after_the_delay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    from triage_tui.tui.widgets import description

    release = threading.Event()
    real = description.convert

    def slow(text: str, markup: str = "") -> str:
        release.wait(5)
        return real(text, markup)

    monkeypatch.setattr(description, "convert", slow)
    app = DescriptionApp()
    calls: list[list[str]] = []
    item = Item("J-2", "Jira", "h3. Slow one\n* _first_", markup="jira")
    async with app.run_test(size=(60, 20)) as pilot:
        view = await show(pilot, SHORT)
        view.show(item, then=lambda: calls.append(list(view.text_lines)))
        await pilot.pause(description.PLACEHOLDER_SECONDS + 0.1)
        assert len(calls) == 1 and any("converting" in line for line in calls[0])
        release.set()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert any(line.strip() == "Slow one" for line in view.text_lines)
        assert len(calls) == 1  # the caller's panels were drawn with the placeholder


async def test_a_jira_description_of_headings_and_prose_is_drawn_at_once() -> None:
    # No thread and no wait: the line-by-line conversion takes microseconds.
    app = DescriptionApp()
    drawn: list[list[str]] = []
    item = Item(
        "J-3", "Jira", "h3. Problem\nThe job runs nightly.\nh3. Notes\nNone.", markup="jira"
    )
    async with app.run_test(size=(60, 20)) as pilot:
        view = await show(pilot, SHORT)
        view.show(item, then=lambda: drawn.append(list(view.text_lines)))
        assert len(drawn) == 1 and not pilot.app.workers
        assert [line.strip() for line in drawn[0] if line.strip()] == [
            "Problem",
            "The job runs nightly.",
            "Notes",
            "None.",
        ]


async def test_a_scrollbar_coming_or_going_lays_nothing_out() -> None:
    # The scrollbar is drawn in the kept column (Textual's scrollbar widget coming or
    # going laid the whole screen out on a move to an item whose length differs).
    from unittest import mock

    app = DescriptionApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = await show(pilot, SHORT)
        width = view.scrollable_content_region.width
        assert not view.has_scrollbar
        with mock.patch.object(view, "refresh", wraps=view.refresh) as refresh:
            await show(pilot, LONG)
            assert view.has_scrollbar
            await show(pilot, SHORT)
            assert not view.has_scrollbar
        assert not any(call.kwargs.get("layout") for call in refresh.call_args_list)
        assert not view.show_vertical_scrollbar  # Textual's own never shows
        # The text keeps its width either way (the scrollbar's column is kept).
        assert all(len(line) <= width - 1 for line in view.text_lines)
        await show(pilot, LONG)
        assert view.render_line(0).cell_length == width
