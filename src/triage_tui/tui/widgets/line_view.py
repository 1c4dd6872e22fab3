"""Lines drawn through Textual's line API, scrolled inside a height the CSS sets."""

from __future__ import annotations

from math import ceil

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBarRender
from textual.strip import Strip


class LineView(ScrollView):
    """The plumbing the description and Readiness' panels share.

    A subclass renders its text to lines and hands them to `_show_lines`; a new text
    changes only this widget's virtual size and the rows whose line changed, so no
    screen layout runs, and rows past the text are blank in the widget's colours.

    The scrollbar of a text longer than the view is drawn here, in the last column, as
    Textual draws its own: Textual's scrollbar is a widget, and its coming or going laid
    the whole screen out (~15 ms: a third of Readiness' moves, issue 24). Textual's
    overflow is hidden (the subclass' CSS), so it never shows one. The mouse wheel
    scrolls the text; a click above or below the thumb scrolls a page.
    """

    #: Keep the scrollbar's column when the text fits (as `scrollbar-gutter: stable`):
    #: the text is then rendered one column narrower whatever its length.
    KEEP_BAR_COLUMN = False

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[Strip] = []
        # The scrollbar's cell of each row, with what it was drawn for.
        self._bar: list[Segment] = []
        self._bar_of: tuple[object, ...] = ()

    @property
    def text_lines(self) -> list[str]:
        """The rendered lines as plain text (what a reader sees, for tests)."""
        return [line.text.rstrip() for line in self._lines]

    @property
    def has_scrollbar(self) -> bool:
        """True when the text is longer than the view (its scrollbar is drawn)."""
        return len(self._lines) > self.scrollable_content_region.height

    @property
    def allow_vertical_scroll(self) -> bool:
        # Textual's overflow is hidden (no scrollbar widget); the text still scrolls.
        return not self._check_disabled() and self.has_scrollbar

    def _render_lines(self) -> None:
        raise NotImplementedError

    def _text_width(self) -> int:
        """The width the text is rendered at (less the scrollbar's column if kept)."""
        width = self.scrollable_content_region.width
        return max(1, width - 1 if self.KEEP_BAR_COLUMN and width > 1 else width)

    def _show_lines(self, lines: list[Strip]) -> None:
        """Show `lines` (rendered at the width they will have): repaint the rows whose
        line or scrollbar cell changed, or every row when the view scrolled (a text
        shorter than the offset)."""
        region = self.scrollable_content_region
        previous, previous_bar = self._lines, self._bar_cells()
        offset = self.scroll_offset.y
        self._lines = lines
        size = Size(max(1, region.width), len(lines))
        if size != self.virtual_size:
            self.set_reactive(LineView.virtual_size, size)
            self._scroll_update(size)  # a shorter text: the offset comes back within it
        if self.scroll_offset.y != offset:
            self.refresh()
            return
        bar = self._bar_cells()
        changed = [
            Region(0, row, region.width, 1)
            for row in range(region.height)
            if self._line_at(previous, row) != self._line_at(lines, row)
            or (previous_bar[row] if row < len(previous_bar) else None)
            != (bar[row] if row < len(bar) else None)
        ]
        if changed:
            self.refresh(*changed)

    def _bar_cells(self) -> list[Segment]:
        """The scrollbar's cell for each row (none when the text fits), as Textual's
        `ScrollBar` draws it (its colours from this widget's scrollbar styles)."""
        height = self.scrollable_content_region.height
        total = len(self._lines)
        if total <= height:
            return []
        position = int(self.scroll_offset.y * 8) / 8  # ScrollBar.validate_position
        styles = self.styles
        key = (total, height, position, styles.scrollbar_background, styles.scrollbar_color)
        if key == self._bar_of:
            return self._bar
        background = styles.scrollbar_background
        if background.a < 1:
            background = self.background_colors[0] + background
        color = background + styles.scrollbar_color
        bar = ScrollBarRender.render_bar(
            size=height,
            virtual_size=ceil(total),
            window_size=height,
            position=position,
            thickness=1,
            vertical=True,
            back_color=background.rich_color,
            bar_color=color.rich_color,
        )
        # Over the widget's colours, as the scrollbar widget's own are (the thumb is
        # reversed); no mouse actions in the cells: a click is handled here (`on_click`).
        rich_style = self.rich_style
        base = Style(color=rich_style.color, bgcolor=rich_style.bgcolor)
        self._bar = [
            Segment(cell.text, base + (cell.style or Style()).clear_meta_and_links())
            for cell in bar.segments
        ]
        self._bar_of = key
        return self._bar

    def _line_at(self, lines: list[Strip], row: int) -> Strip | None:
        """The line of `lines` shown at screen row `row` (scrolled), if any."""
        index = int(self.scroll_offset.y) + row
        return lines[index] if 0 <= index < len(lines) else None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        bar = self._bar_cells()
        keep = bool(bar) or (self.KEEP_BAR_COLUMN and width > 1)
        blank, gutter = self._blanks(width - 1 if keep else width)
        line = self._line_at(self._lines, y)
        if line is None:
            line = blank
        if not keep:
            return line  # styled and cut to the width when rendered
        return Strip.join([line, Strip([bar[y]], 1) if 0 <= y < len(bar) else gutter])

    # A blank row, and the kept scrollbar column without a scrollbar (as Textual's stable
    # gutter: the widget's background), made once: `rich_style` walks the widget's
    # ancestors (~0.1 ms), and a short text's blank rows asked for it twice a row.
    _blank_rows: tuple[int, Strip, Strip] | None = None

    def _blanks(self, width: int) -> tuple[Strip, Strip]:
        if self._blank_rows is None or self._blank_rows[0] != width:
            style = self.rich_style
            gutter = Strip([Segment(" ", Style(bgcolor=style.bgcolor))], 1)
            self._blank_rows = (width, Strip.blank(width, style), gutter)
        return self._blank_rows[1], self._blank_rows[2]

    def on_click(self, event: events.Click) -> None:
        """A click in the scrollbar's column: a page up above the thumb, down below it."""
        width = self.scrollable_content_region.width
        if not self.has_scrollbar or event.x != width - 1:
            return
        event.stop()
        height = self.scrollable_content_region.height
        thumb = round(self.scroll_offset.y * height / max(1, len(self._lines)))
        page = max(1, height - 1)
        step = -page if event.y < thumb else page
        self.scroll_to(y=self.scroll_offset.y + step, animate=False)

    def on_resize(self) -> None:
        self._bar_of = ()
        self._blank_rows = None
        self._render_lines()
        self.refresh()  # every row moved or rewrapped

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._bar_of = ()  # the scrollbar's colours may have changed
        self._blank_rows = None
