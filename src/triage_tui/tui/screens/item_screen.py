"""What the two one-item-at-a-time screens (Categorize, Readiness) share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from rich.text import Text
from textual.binding import Binding

from triage_tui.core.model import Item
from triage_tui.core.pacing import ItemPace
from triage_tui.core.session import SESSION, Step
from triage_tui.tui.screens.base import PhaseScreen
from triage_tui.tui.widgets.item_list import ItemList
from triage_tui.tui.widgets.pace_bar import PaceBar
from triage_tui.tui.widgets.phase_bar import PhaseBar

if TYPE_CHECKING:
    from triage_tui.core.workshop import Workshop


def item_meta(item: Item) -> Text:
    """The item's facts: status, type, estimate, labels (the short ones first)."""
    parts = []
    if item.status:
        parts.append(f"status: {item.status}")
    if item.type:
        parts.append(f"type: {item.type}")
    if item.estimate is not None:
        parts.append(f"estimate: {item.estimate}")
    if item.labels:
        parts.append("labels: " + ", ".join(item.labels))
    return Text(" · ".join(parts) or "no labels or estimate", style="dim")


class Pace(NamedTuple):
    """What the pace bar says on a one-item-at-a-time screen."""

    done: int
    total: int
    summary: str
    pace: ItemPace
    warning: str
    nothing_left: str


def item_heading(item: Item) -> Text:
    """The item's id (dim) and title (bold), as the room reads it."""
    heading = Text()
    heading.append(f"{item.id}  ", style="bold dim")
    heading.append(item.title, style="bold")
    return heading


class ItemScreen(PhaseScreen):
    """A phase screen with an item list on the left and the cursor's item in the middle."""

    # The list's own keys, for when it is not focused or not shown (presenter view, the
    # questions at 80 columns): the focused list handles them first.
    BINDINGS = [
        Binding("down,j", "list('move', 1)", "Next item", show=False),
        Binding("up,k", "list('move', -1)", "Previous item", show=False),
        Binding("pagedown", "list('page', 1)", "Page down", show=False),
        Binding("pageup", "list('page', -1)", "Page up", show=False),
        Binding("home", "list('jump', 0)", "First", show=False),
        Binding("end", "list('jump', -1)", "Last", show=False),
        # R itself is in each screen's own list, after its deciding keys (Footer order).
        Binding("r", "room_reveal", "Reveal", id="triage.room-reveal"),
        Binding("ctrl+r", "room_revote", "Re-vote", id="triage.room-revote"),
    ]

    @property
    def current(self) -> Item | None:
        """The item under the list's cursor."""
        item_list = self.query_one(ItemList)
        items = item_list.items
        return items[item_list.cursor] if 0 <= item_list.cursor < len(items) else None

    def listed(self, workshop: Workshop) -> Sequence[Item]:
        """The items this screen lists."""
        raise NotImplementedError

    def pace(self, workshop: Workshop) -> Pace:
        """How far the room is through this screen's items."""
        raise NotImplementedError

    def start_index(self, workshop: Workshop) -> int:
        """Where the cursor starts when the list is (re)filled."""
        return 0

    def on_screen_resume(self) -> None:
        workshop = self.workshop
        if workshop is not None:
            item_list = self.query_one(ItemList)
            listed = self.listed(workshop)
            # Back from help or the palette the list is the same: the room keeps its place.
            if [item.id for item in item_list.items] != [item.id for item in listed]:
                item_list.set_items(listed, self.start_index(workshop))
        super().on_screen_resume()
        self.query_one(ItemList).focus()

    def session_changed(self, steps: Sequence[Step]) -> None:
        """Redraw what `steps` change: the list when its items changed, else the rows of
        the items they touch, the item in view if touched, and the pace (each key's cost
        stays that of the rows on screen, at any backlog size)."""
        workshop = self.workshop
        if workshop is None:
            return
        item_list = self.query_one(ItemList)
        listed, items = self.listed(workshop), item_list.items
        if listed is not items and [i.id for i in listed] != [i.id for i in items]:
            self.refresh_view()  # items joined or left (a scope, a category on Readiness)
            return
        touched = {op.target for step in steps for op in step.ops}
        top = int(item_list.scroll_offset.y)
        for index in range(top, min(len(items), top + max(1, item_list.size.height))):
            if items[index].id in touched:
                item_list.refresh_row(index)
        current = self.current
        if current is not None and (current.id in touched or SESSION in touched):
            self._show_item()
        self._show_pace()
        self.query_one(PhaseBar).update_from(workshop)

    def refresh_view(self) -> None:
        super().refresh_view()
        workshop = self.workshop
        if workshop is None:
            return
        item_list = self.query_one(ItemList)
        listed = self.listed(workshop)
        if item_list.items is not listed:
            item_list.set_items(listed, item_list.cursor)  # cheap: no per-row work
        item_list.refresh()
        self._show_item()
        self._show_pace()
        self._follow_room()

    def tick(self) -> None:
        super().tick()
        self._show_pace()

    def action_list(self, verb: str, amount: int) -> None:
        """Move the list's cursor (`move`, `page` or `jump`) from anywhere on the screen."""
        item_list = self.query_one(ItemList)
        getattr(item_list, f"action_{verb}")(amount)

    def _show_pace(self) -> None:
        workshop = self.workshop
        if workshop is None:
            return
        pace = self.pace(workshop)
        self.query_one(PaceBar).show(
            pace.done,
            pace.total,
            pace.summary,
            pace.pace,
            workshop.timer.peek(),
            warning=pace.warning,
            nothing_left=pace.nothing_left,
        )

    def _show_item(self) -> None:
        """Draw the current item (each screen draws its own panels)."""

    def _moved(self, index: int) -> None:
        """The list's cursor moved (by key or click): show the item under it."""
        self._show_item()
        self._follow_room()

    def on_mount(self) -> None:
        # Every way the cursor moves (a key, a click, the next undecided after h / p / s):
        # the room's participants see the item on screen (Textual runs PhaseScreen's
        # on_mount too).
        self.watch(self.query_one(ItemList), "cursor", self._cursor_moved, init=False)

    def _cursor_moved(self, _cursor: int) -> None:
        self._follow_room()

    def _follow_room(self) -> None:
        from triage_tui.tui.vote_room import follow

        follow(self)  # the room's participants see the item on screen
