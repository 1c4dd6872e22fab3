"""Rich text in a region whose height the CSS sets, scrolled inside it when longer."""

from __future__ import annotations

from collections import OrderedDict

from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip

from triage_tui.tui.widgets.line_view import LineView


class PanelText(LineView):
    """A panel's text drawn through Textual's line API (as the description is).

    Its height does not follow its text (CSS sets it), so a new text never lays the
    screen out: only the rows whose line changed are repainted, and a text longer than
    the panel scrolls inside it (Readiness' gaps: a mark or a move changes them on most
    key presses, and a `height: auto` Static relaid out and repainted the whole criteria
    pane each time, ~100 lines a key: issue 24).

    A text longer than the panel is rendered a column narrower, beside the scrollbar
    `LineView` draws (no layout when it comes or goes).
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

    @property
    def text(self) -> Text:
        """The text shown."""
        return self._text

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
        self._show_lines(lines)

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

    def notify_style_update(self) -> None:
        # The lines carry the widget's colours: a theme change must redraw them.
        super().notify_style_update()
        self._rendered.clear()
        self._line_cache.clear()
        if self.is_mounted:
            self._render_lines()
            self.refresh()
