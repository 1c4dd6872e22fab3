"""What the two one-item-at-a-time screens (Categorize, Readiness) share."""

from __future__ import annotations

from rich.text import Text

from triage_tui.model import Item
from triage_tui.ui.screens.base import PhaseScreen
from triage_tui.ui.widgets.item_list import ItemList


def item_heading(item: Item) -> Text:
    """The item's id (dim) and title (bold), as the room reads it."""
    heading = Text()
    heading.append(f"{item.id}  ", style="bold dim")
    heading.append(item.title, style="bold")
    return heading


class ItemScreen(PhaseScreen):
    """A phase screen with an item list on the left and the cursor's item in the middle."""

    @property
    def current(self) -> Item | None:
        """The item under the list's cursor."""
        item_list = self.query_one(ItemList)
        items = item_list.items
        return items[item_list.cursor] if 0 <= item_list.cursor < len(items) else None

    def _show_item(self) -> None:
        """Draw the current item (each screen draws its own panels)."""

    def _moved(self, index: int) -> None:
        """The list's cursor moved (by key or click): show the item under it."""
        self._show_item()
