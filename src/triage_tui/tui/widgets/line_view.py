"""Lines drawn through Textual's line API, scrolled inside a height the CSS sets."""

from __future__ import annotations

from collections.abc import Callable

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget


class LineView(ScrollView):
    """The plumbing the description and Readiness' panels share.

    A subclass renders its text to `_lines` in `_render_lines` (then calls
    `_set_virtual_height`); a new text changes only this widget's virtual size, so no
    screen layout runs, and rows past the text are blank in the widget's colours.
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[Strip] = []

    @property
    def text_lines(self) -> list[str]:
        """The rendered lines as plain text (what a reader sees, for tests)."""
        return [line.text.rstrip() for line in self._lines]

    def _render_lines(self) -> None:
        raise NotImplementedError

    def _text_width(self) -> int:
        return max(1, self.scrollable_content_region.width)

    def _fitted(self, render: Callable[[int], list[Strip]]) -> list[Strip]:
        """The lines `render` gives at the width the text will have: the whole width when
        they fit the height, else less the vertical scrollbar they bring (rendered at the
        width of the moment, a text that gained or lost the scrollbar stayed a column
        too wide, cut at the edge, or too narrow until the next text).
        """
        width = self.scrollable_content_region.width
        bar = self.styles.scrollbar_size_vertical
        if self.styles.scrollbar_gutter == "stable":
            return render(max(1, width))  # the scrollbar's column is kept either way
        wide = width + bar if self.show_vertical_scrollbar else width
        lines = render(max(1, wide))
        if bar and len(lines) > self.container_size.height:
            lines = render(max(1, wide - bar))
        return lines

    def _line_at(self, lines: list[Strip], row: int) -> Strip | None:
        """The line of `lines` shown at screen row `row` (scrolled), if any."""
        index = int(self.scroll_offset.y) + row
        return lines[index] if 0 <= index < len(lines) else None

    def _set_virtual_height(self, height: int) -> bool:
        """Change the scrollable size; True (everything to repaint) when the scrollbar
        appears or goes or the text got shorter than the scroll offset."""
        size = Size(self._text_width(), height)
        if size == self.virtual_size:
            return False
        had_scrollbar = self.show_vertical_scrollbar
        offset = self.scroll_offset.y
        self.set_reactive(ScrollView.virtual_size, size)
        self._scroll_update(size)  # the scrollbar (`_refresh_scrollbars`), the offset kept in
        return self.show_vertical_scrollbar != had_scrollbar or self.scroll_offset.y != offset

    def _refresh_scrollbars(self) -> None:
        """Show the vertical scrollbar when the text is longer than the view, or hide it,
        without laying the screen out (Textual's own lays out the whole screen, ~10-15 ms
        a Readiness move or mark that changes it: issue 24).

        The view keeps its place and size (its height is set in CSS and it never scrolls
        sideways), so the screen has only to map what it shows again: its scroll path
        (`_refresh_scroll`), which maps the scrollbar in or out. Any other overflow is
        Textual's own.
        """
        styles = self.styles
        if not (self.is_scrollable and self.container_size) or (
            styles.overflow_x != "hidden" or styles.overflow_y != "auto"
        ):
            super()._refresh_scrollbars()
            return
        show = self.virtual_size.height > self.container_size.height
        if show == self.show_vertical_scrollbar:
            return
        self.set_reactive(Widget.show_vertical_scrollbar, show)
        # (`display` set as a rule: the property lays the screen out; the scrollbar's own
        # repaints are dropped while it reads none.)
        self.vertical_scrollbar.styles.set_rule("display", "block" if show else "none")
        self._refresh_scroll()

    def on_resize(self) -> None:
        self._render_lines()
        self.refresh()  # every row moved or rewrapped

    def render_line(self, y: int) -> Strip:
        line = self._line_at(self._lines, y)
        if line is not None:
            return line  # styled and cut to the width when rendered
        return Strip.blank(self.scrollable_content_region.width, self.rich_style)
