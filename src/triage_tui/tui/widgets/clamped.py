"""Text in a fixed number of lines: wrapped to the width, and ending in "…" when cut."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text
from textual.app import RenderResult
from textual.geometry import Size
from textual.widget import Widget


def clamp_text(text: Text, console: Console, width: int, lines: int) -> Text:
    """`text` wrapped to `width` and cut to `lines` lines, the last ending in "…" if cut.

    Args:
        text: what to show (its styles are kept).
        console: the console that measures it.
        width: columns available (at least 1).
        lines: lines available (at least 1).

    Returns:
        Text of at most `lines` lines, none wider than `width`.
    """
    width, lines = max(1, width), max(1, lines)
    wrapped = text.wrap(console, width, overflow="fold")
    if len(wrapped) <= lines:
        return Text("\n").join(wrapped)
    kept = list(wrapped[:lines])
    last = kept[-1].copy()
    last.rstrip()
    if last.cell_len >= width:
        last.truncate(width - 1)
        last.rstrip()
    last.append("…")
    kept[-1] = last
    return Text("\n").join(kept)


class ClampedText(Widget):
    """A fixed-height line or two (the facts line, the decision line, a title).

    Its height is set in CSS, so an update never relayouts the screen; what does not fit
    ends in "…" rather than vanishing at the edge.
    """

    DEFAULT_CSS = """
    ClampedText { height: 1; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._text = Text()

    @property
    def text(self) -> Text:
        """The whole text, before clamping."""
        return self._text

    def update(self, text: Text) -> None:
        """Show `text` (repaints only: the height is fixed)."""
        self._text = text
        self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # height: auto (presenter view's title): every line, nothing cut.
        return len(self._text.wrap(self.app.console, max(1, width), overflow="fold"))

    def render(self) -> RenderResult:
        size = self.content_size
        if not size.width or not size.height:
            return self._text
        return clamp_text(self._text, self.app.console, size.width, size.height)
