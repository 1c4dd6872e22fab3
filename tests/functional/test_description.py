"""The description panel: Markdown drawn through the line API, scrolled in its own region."""

from __future__ import annotations

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
        assert not view.show_vertical_scrollbar

        await show(pilot, JIRA)
        for _ in range(200):  # the Jira markup is converted in a thread: wait for it
            if not any("converting" in line for line in view.text_lines):
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
        assert view.show_vertical_scrollbar
        view.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert view.scroll_offset.y > 0
        shown = [view.render_line(y).text for y in range(view.scrollable_content_region.height)]
        assert any("Paragraph 60 of the spec." in line for line in shown)
        assert not any("Paragraph 1 of the spec." in line for line in shown)

        await show(pilot, SHORT)
        assert view.scroll_offset.y == 0
        assert not view.show_vertical_scrollbar
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
