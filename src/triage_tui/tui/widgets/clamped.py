"""Text in a fixed number of lines: wrapped to the width, and ending in "…" when cut."""

from __future__ import annotations

from rich.cells import cell_len
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
    if last.cell_len >= width:
        last.truncate(width - 1)
    # "type: Story…", not "type: Story ·…": a separator left hanging says nothing.
    plain = last.plain
    hanging = len(plain) - len(plain.rstrip(" ·,;:"))
    if hanging:  # right_crop(0) would empty the line
        last.right_crop(hanging)
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
        self._clamped = None

    @property
    def text(self) -> Text:
        """The whole text, before clamping."""
        return self._text

    def update(self, text: Text) -> None:
        """Show `text` (repaints only: the height is fixed; nothing when it is the same)."""
        if text == self._text:
            return  # most moves: the same note hint, the same "undecided"
        self._text = text
        self._clamped = None
        self.refresh()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # height: auto (presenter view's title): every line, nothing cut.
        return len(self._text.wrap(self.app.console, max(1, width), overflow="fold"))

    _clamped: tuple[int, int, Text] | None = None  # (width, height, result) of the last render

    def render(self) -> RenderResult:
        width, height = self.content_size
        if not width or not height:
            return self._text
        if self._clamped is None or self._clamped[:2] != (width, height):
            text = self._text
            if not _surely_fits(text.plain, width, height):
                text = clamp_text(text, self.app.console, width, height)
            self._clamped = (width, height, text)
        return self._clamped[2]


def _surely_fits(plain: str, width: int, height: int) -> bool:
    """True when `plain` fits `height` lines of `width` whatever the word breaks.

    Word wrapping leaves at most a word's width unused at the end of a line, so text this
    short needs no measuring (most titles and facts lines: it skips a Rich wrap per move).
    """
    if "\n" in plain or cell_len(plain) != len(plain):
        return False  # wide characters and explicit lines: measure
    longest = max(map(len, plain.split()), default=0)
    return len(plain) + height * longest <= width * height
