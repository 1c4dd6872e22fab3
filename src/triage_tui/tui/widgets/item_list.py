"""A virtual list of backlog items: draws only the visible rows, so 50,000 items cost nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from triage_tui.core.model import Item
from triage_tui.core.sanitize import clean_line
from triage_tui.core.session import Category

#: Word beside each colour: meaning is never carried by colour alone.
CATEGORY_TAGS = {
    Category.HIRING: "HIRE",
    Category.PROJECT: "PROJ",
    Category.PARKED: "PARK",
    Category.UNDECIDED: " ·· ",
}


class ItemList(ScrollView, can_focus=True):
    """Items with their state; the cursor row is the item on screen."""

    COMPONENT_CLASSES = {
        "item-list--cursor",
        "item-list--hiring",
        "item-list--project",
        "item-list--parked",
        "item-list--undecided",
    }

    DEFAULT_CSS = """
    ItemList {
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    ItemList > .item-list--cursor { background: $accent 40%; text-style: bold; }
    ItemList:focus > .item-list--cursor { background: $accent; color: $text; }
    ItemList > .item-list--hiring { color: $hiring; text-style: bold; }
    ItemList > .item-list--project { color: $project; text-style: bold; }
    ItemList > .item-list--parked { color: $parked; text-style: bold; }
    ItemList > .item-list--undecided { color: $text-muted; }
    """

    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
    ]

    cursor: reactive[int] = reactive(0, init=False, repaint=False)

    def __init__(
        self,
        category_of: Callable[[Item], Category],
        on_move: Callable[[int], None] | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._items: Sequence[Item] = ()
        self._category_of = category_of
        self._on_move = on_move

    @property
    def items(self) -> Sequence[Item]:
        """The items listed."""
        return self._items

    def set_items(self, items: Sequence[Item], cursor: int = 0) -> None:
        """Replace the rows (cheap: nothing is measured per row)."""
        self._items = items
        self.virtual_size = Size(self.size.width, len(items))
        self.set_cursor(cursor, announce=False)
        self.refresh()

    def set_cursor(self, index: int, *, announce: bool = True) -> None:
        """Move the cursor, keep it visible, and (optionally) tell the screen.

        The screen is told by a direct call, not a message: its panels then change in the
        same refresh as the two list rows (a message arrives after a refresh of its own).
        """
        if not self._items:
            self.cursor = 0
            return
        index = max(0, min(index, len(self._items) - 1))
        previous = self.cursor  # the row drawn with the cursor until now
        top, height = int(self.scroll_offset.y), max(1, self.size.height)
        if index < top or index >= top + height:
            # Off screen (a jump, a long page): bring it to the middle.
            self.scroll_to(y=max(0, index - height // 2), animate=False, immediate=True)
            self.refresh()
        else:
            # On screen: repaint the two rows that changed, not the whole list.
            for row in {previous, index}:
                if top <= row < top + height:
                    self.refresh_line(row)  # virtual row: refresh_line subtracts the scroll
        self.cursor = index
        if announce and self._on_move is not None:
            self._on_move(index)

    def refresh_row(self, index: int) -> None:
        """Repaint one item's row (its state changed), if it is on screen."""
        top = int(self.scroll_offset.y)
        if top <= index < top + max(1, self.size.height):
            self.refresh_line(index)

    def action_move(self, delta: int) -> None:
        self.set_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.set_cursor(self.cursor + direction * max(1, self.size.height - 1))

    def action_jump(self, index: int) -> None:
        self.set_cursor(len(self._items) - 1 if index < 0 else index)

    def on_click(self, event: events.Click) -> None:
        self.set_cursor(int(self.scroll_offset.y) + event.y)

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width  # less the scrollbar, when shown
        if index >= len(self._items):
            return Strip.blank(width, self.rich_style)
        item = self._items[index]
        category = self._category_of(item)
        tag_style = self.get_component_rich_style(f"item-list--{category.value}")
        base: Style = self.rich_style
        if index == self.cursor:
            base = base + self.get_component_rich_style("item-list--cursor")
        marker = "▶" if index == self.cursor else " "
        tag = CATEGORY_TAGS[category]
        # Raw Segments reach the terminal as they are: one line, no control character.
        text = clean_line(f" {item.id} {item.title}")
        room = width - 1 - cell_len(tag)
        if cell_len(text) > room:
            text = set_cell_size(text, max(0, room - 1)).rstrip() + "…"  # cut, and it shows
        segments = [
            Segment(f"{marker}", base),
            Segment(tag, base + tag_style),
            Segment(text, base),
        ]
        return Strip(segments).crop_extend(0, width, base)
