"""Rich text in a region whose height the CSS sets, scrolled inside it when longer."""

from __future__ import annotations

from collections import OrderedDict
from math import ceil

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.scrollbar import ScrollBarRender
from textual.strip import Strip

from triage_tui.tui.widgets.line_view import LineView


class PanelText(LineView):
    """A panel's text drawn through Textual's line API (as the description is).

    Its height does not follow its text (CSS sets it), so a new text never lays the
    screen out: only the rows whose line changed are repainted, and a text longer than
    the panel scrolls inside it (Readiness' gaps: a mark or a move changes them on most
    key presses, and a `height: auto` Static relaid out and repainted the whole criteria
    pane each time, ~100 lines a key: issue 24).

    The scrollbar of a text longer than the panel is drawn here, in the last column of
    each row, as Textual draws its own: Textual's scrollbar is a widget, and its coming
    or going laid the whole screen out (~15 ms: a third of Readiness' moves, issue 24).
    Drawn here, it changes only the rows whose cell changed. The mouse wheel scrolls the
    text; a click above or below the thumb scrolls a page.
    """

    DEFAULT_CSS = """
    PanelText {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: hidden;
        scrollbar-size-vertical: 1;
    }
    """

    #: Texts whose rendered lines are kept (see `update`).
    CACHED_TEXTS = 32
    #: Lines of text (at a width) whose rendering is kept (see `_lines_of`).
    CACHED_LINES = 512

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._text = Text()
        # Lines rendered per Text object (kept with it, so its id stays its own) and
        # panel size: a screen that keeps an item's texts (Readiness) renders each once,
        # and moving back to the item renders nothing.
        self._rendered: OrderedDict[int, tuple[Text, Size, list[Strip]]] = OrderedDict()
        self._line_cache: OrderedDict[tuple[object, ...], list[Strip]] = OrderedDict()
        # The scrollbar's cell of each row, with what it was drawn for.
        self._bar: list[Segment] = []
        self._bar_of: tuple[object, ...] = ()

    @property
    def text(self) -> Text:
        """The text shown."""
        return self._text

    @property
    def has_scrollbar(self) -> bool:
        """True when the text is longer than the panel (its scrollbar is drawn)."""
        return len(self._lines) > self.scrollable_content_region.height

    @property
    def allow_vertical_scroll(self) -> bool:
        # Textual's overflow is hidden (no scrollbar widget); the text still scrolls.
        return not self._check_disabled() and self.has_scrollbar

    def update(self, text: Text) -> None:
        """Show `text`; nothing at all when it is the text shown."""
        if text == self._text:
            return
        self._text = text
        self._render_lines()

    def _render_lines(self) -> None:
        region = self.scrollable_content_region
        width, height = region.width, region.height
        if not self.is_mounted or not width or not height:
            lines: list[Strip] = []
        else:
            lines = self._fitted_lines(self._text, Size(width, height))
        previous, previous_bar = self._lines, self._bar_cells()
        offset = self.scroll_offset.y
        self._lines = lines
        size = Size(max(1, width), len(lines))
        if size != self.virtual_size:
            self.set_reactive(LineView.virtual_size, size)
            self._scroll_update(size)  # a shorter text: the offset comes back within it
        if self.scroll_offset.y != offset:
            self.refresh()
            return
        bar = self._bar_cells()
        changed = [
            Region(0, row, width, 1)
            for row in range(height)
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

    def render_line(self, y: int) -> Strip:
        bar = self._bar_cells()
        if not bar:
            return super().render_line(y)
        width = self.scrollable_content_region.width
        line = self._line_at(self._lines, y)
        if line is None:
            line = Strip.blank(width - 1, self.rich_style)
        return Strip.join([line, Strip([bar[y]], 1)]) if 0 <= y < len(bar) else line

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

    def _fitted_lines(self, text: Text, size: Size) -> list[Strip]:
        """`text`'s lines in a panel of `size`: the whole width when they fit its height,
        else less the scrollbar's column."""
        kept = self._rendered.get(id(text))
        if kept is not None and kept[0] is text and kept[1] == size:
            self._rendered.move_to_end(id(text))
            return kept[2]
        lines = self._lines_of(text, size.width)
        if len(lines) > size.height and size.width > 1:
            lines = self._lines_of(text, size.width - 1)
        self._rendered[id(text)] = (text, size, lines)
        while len(self._rendered) > self.CACHED_TEXTS:
            self._rendered.popitem(last=False)
        return lines

    def _lines_of(self, text: Text, width: int) -> list[Strip]:
        """`text` rendered at `width`, line by line (Rich wraps each line of a text on
        its own: the same lines as the whole text's): a line rendered before, in this
        text or another, is not rendered again. A mark changes one line of the criteria
        (and their 7 criterion lines take 4 shapes each, whatever the item), so most
        lines of a new text are kept ones (a whole text was ~1.5 ms to render).
        """
        kept = self._line_cache
        lines: list[Strip] = []
        for line in text.split("\n", allow_blank=True):
            key = (line.plain, tuple(line.spans), line.style, width)
            rendered = kept.get(key)
            if rendered is None:
                console = self.app.console
                style = self.rich_style
                rendered = [
                    Strip(part).crop_extend(0, width, None).simplify().apply_style(style)
                    for part in console.render_lines(
                        line, console.options.update_width(width), pad=False
                    )
                ]
                kept[key] = rendered
                if len(kept) > self.CACHED_LINES:
                    kept.popitem(last=False)
            else:
                kept.move_to_end(key)
            lines += rendered
        return lines

    def on_resize(self) -> None:
        self._bar_of = ()
        super().on_resize()

    def notify_style_update(self) -> None:
        # The lines carry the widget's colours: a theme change must redraw them.
        super().notify_style_update()
        self._rendered.clear()
        self._line_cache.clear()
        self._bar_of = ()
        if self.is_mounted:
            self._render_lines()
            self.refresh()
