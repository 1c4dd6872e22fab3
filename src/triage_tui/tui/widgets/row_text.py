"""Rich text drawn row by row: a new text repaints only the rows that changed."""

from __future__ import annotations

from collections import OrderedDict

from rich.containers import Lines
from rich.text import Text
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from triage_tui.tui.widgets.clamped import clamp_text


class RowText(Widget):
    """A panel's text through Textual's line API, for texts that change a row at a time.

    A `Static` repaints and renders all of itself for any change: ticking one of
    Categorize's six questions redrew its 25 rows (~5 ms of the key's frame), a vote the
    room panel's whole status. Here a new text is rendered to rows, compared with the rows
    shown, and only the rows that differ are repainted. The height is the CSS's (`height:
    auto`: the text's rows, a relayout only when their number changes); a text longer
    than a fixed height is cut, its last row ending in "…" (as `ClampedText`).
    """

    DEFAULT_CSS = """
    RowText { height: auto; }
    """

    #: Texts whose rendered rows are kept (a toggled question goes back and forth).
    CACHED_TEXTS = 16
    #: Rendered rows kept by their content (cleared whole when past this).
    CACHED_ROWS = 512

    def __init__(
        self, *, cut: bool = True, id: str | None = None, classes: str | None = None
    ) -> None:
        """`cut=False`: a fixed height the caller sets to fit the text (the room panel's
        status): every row is kept, those past the height show once it grows."""
        super().__init__(id=id, classes=classes)
        self._cut = cut
        self._text = Text()
        self._rows: list[Strip] = []
        self._rendered: OrderedDict[int, tuple[Text, int, int, list[Strip]]] = OrderedDict()
        self._wrapped: tuple[Text, int, Lines] | None = None  # the last text wrapped
        # Each row rendered, by what it is (text, spans, width): a new text renders only
        # the rows that are new (a vote changes one or two of the status' ten).
        self._row_cache: dict[tuple[object, ...], Strip] = {}

    @property
    def text(self) -> Text:
        """The whole text (before any cut)."""
        return self._text

    @property
    def text_lines(self) -> list[str]:
        """The rows shown, as plain text (tests and the walk-through)."""
        return [row.text.rstrip() for row in self._rows]

    def update(self, text: Text, *, layout: bool = True) -> None:
        """Show `text`: nothing when it is the text shown, else its changed rows.

        Args:
            text: what to show (drawn as rich Text, never as markup).
            layout: lay the screen out if the number of rows changed (a `height: auto`
                text); False when the caller sets the height itself.
        """
        if text == self._text:
            return
        self._text = text
        if not self.is_mounted or not self.size:
            # Hidden (Categorize's side panel at 80 columns) or not laid out yet: drawn
            # when next painted. (A layout asked for here laid the whole screen out at
            # every key for a panel nobody saw; showing it lays it out anyway.)
            self._stale = True
            self.refresh()
            return
        previous, self._rows = self._rows, self._rows_at(self.size.width)
        height = self.styles.height
        if layout and len(previous) != len(self._rows) and height is not None and height.is_auto:
            self.refresh(layout=True)  # more or fewer rows: the screen is laid out again
            return
        width = self.size.width
        changed = [
            Region(0, row, width, 1)
            for row in range(self.size.height)
            if _row(previous, row) != _row(self._rows, row)
        ]
        if changed:
            self.refresh(*changed)

    def _rows_at(self, width: int) -> list[Strip]:
        """The text's rows at `width` (cut to a fixed height), kept per text and size."""
        fixed = self.styles.height is not None and not self.styles.height.is_auto
        height = self.size.height if self._cut and fixed else 0
        text = self._text
        kept = self._rendered.get(id(text))
        if kept is not None and kept[0] is text and kept[1:3] == (width, height):
            self._rendered.move_to_end(id(text))
            return kept[3]
        console = self.app.console
        width = max(1, width)
        # Wrapped once, each row rendered alone (as Text renders itself to a console: the
        # same wrap, the same segments): rendering the text whole wrapped it a second time.
        lines = self._wrap(text, width)
        if height and len(lines) > height:
            # Only the rows shown and the one after are cut (clamp_text wraps what it gets).
            cut = clamp_text(Text("\n").join(lines[: height + 1]), console, width, height)
            lines = cut.split("\n")
        style = self.rich_style
        cache = self._row_cache
        if len(cache) > self.CACHED_ROWS:
            cache.clear()
        rows = []
        for line in lines:
            key = (line.plain, tuple(line.spans), line.style, width)
            row = cache.get(key)
            if row is None:
                row = Strip(list(line.render(console))).crop_extend(0, width, None)
                row = cache[key] = row.simplify().apply_style(style)
            rows.append(row)
        self._rendered[id(self._text)] = (self._text, width, height, rows)
        while len(self._rendered) > self.CACHED_TEXTS:
            self._rendered.popitem(last=False)
        return rows

    def _wrap(self, text: Text, width: int) -> Lines:
        wrapped = self._wrapped
        if wrapped is not None and wrapped[0] is text and wrapped[1] == width:
            return wrapped[2]
        lines = text.wrap(self.app.console, width)
        self._wrapped = (text, width, lines)
        return lines

    def rows_for(self, text: Text, width: int) -> int:
        """How many rows `text` takes at `width` (wrapped once: `update` with the same
        text at that width does not wrap it again)."""
        return len(self._wrap(text, max(1, width)))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.rows_for(self._text, width)

    _stale = False  # the text changed while the widget had no size: rows to render

    def on_resize(self) -> None:
        self._stale = False
        self._rows = self._rows_at(self.size.width) if self.size else []
        self.refresh()

    def notify_style_update(self) -> None:
        # The rows carry the widget's colours: a theme change draws them again.
        super().notify_style_update()
        self._rendered.clear()
        self._row_cache.clear()
        if self.is_mounted and self.size:
            self._rows = self._rows_at(self.size.width)
            self.refresh()

    def render_line(self, y: int) -> Strip:
        if self._stale and self.size:
            self._stale = False
            self._rows = self._rows_at(self.size.width)
        row = _row(self._rows, y)
        if row is not None:
            return row
        return Strip.blank(self.size.width, self.rich_style)


def _row(rows: list[Strip], index: int) -> Strip | None:
    return rows[index] if 0 <= index < len(rows) else None
