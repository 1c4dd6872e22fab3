"""Rich text in a region whose height the CSS sets, scrolled inside it when longer."""

from __future__ import annotations

from collections import OrderedDict

from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip

from triage_tui.tui.widgets.line_view import LineView


class PanelText(LineView):
    """A panel's text drawn through Textual's line API (as the description is).

    Its height does not follow its text (CSS sets it), so a new text never lays the
    screen out: only the rows whose line changed are repainted, and a text longer than
    the panel scrolls inside it (Readiness' gaps: a mark or a move changes them on most
    key presses, and a `height: auto` Static relaid out and repainted the whole criteria
    pane each time, ~100 lines a key: issue 24).
    """

    DEFAULT_CSS = """
    PanelText {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
    }
    """

    #: Texts whose rendered lines are kept (see `update`).
    CACHED_TEXTS = 32

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._text = Text()
        # Lines rendered per Text object (kept with it, so its id stays its own) and
        # width: a screen that keeps an item's texts (Readiness) renders each once, and
        # moving back to the item renders nothing.
        self._rendered: OrderedDict[int, tuple[Text, int, list[Strip]]] = OrderedDict()

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
        if not self.is_mounted or not self.size:
            lines: list[Strip] = []
        else:
            lines = self._fitted(lambda width: self._lines_of(self._text, width))
        previous, self._lines = self._lines, lines
        if self._set_virtual_height(len(lines)):
            self.refresh()
            return
        width = self._text_width()
        changed = [
            Region(0, row, width, 1)
            for row in range(self.scrollable_content_region.height)
            if self._line_at(previous, row) != self._line_at(lines, row)
        ]
        if changed:
            self.refresh(*changed)

    def _lines_of(self, text: Text, width: int) -> list[Strip]:
        kept = self._rendered.get(id(text))
        if kept is not None and kept[0] is text and kept[1] == width:
            self._rendered.move_to_end(id(text))
            return kept[2]
        console = self.app.console
        style = self.rich_style
        lines = [
            Strip(line).crop_extend(0, width, None).simplify().apply_style(style)
            for line in console.render_lines(text, console.options.update_width(width), pad=False)
        ]
        self._rendered[id(text)] = (text, width, lines)
        while len(self._rendered) > self.CACHED_TEXTS:
            self._rendered.popitem(last=False)
        return lines

    def notify_style_update(self) -> None:
        # The lines carry the widget's colours: a theme change must redraw them.
        super().notify_style_update()
        self._rendered.clear()
        if self.is_mounted:
            self._render_lines()
            self.refresh()
