"""An item's description, rendered as Markdown in one widget (cheap enough to redraw per key)."""

from __future__ import annotations

from rich.markdown import Markdown
from textual.widgets import Static

from triage_tui.markup import display_markdown
from triage_tui.model import Item

#: Descriptions beyond this are cut on screen (the plan keeps them whole).
MAX_SHOWN_DESCRIPTION = 20_000


def description_markdown(item: Item) -> str:
    """The description to show: Jira markup converted, cut to a readable size."""
    text = (
        display_markdown(item.description.strip())
        or "_No description: the room decides from the title._"
    )
    if len(text) > MAX_SHOWN_DESCRIPTION:
        text = (
            text[:MAX_SHOWN_DESCRIPTION]
            + f"\n\n_… {len(item.description):,} characters; cut here._"
        )
    return text


class Description(Static):
    """The current item's description.

    Rich's Markdown in a single Static, not Textual's Markdown widget: that one mounts a
    widget per block, and redrawing it on every cursor move measured ~60% more CPU per key
    (bench/run.py, 10,000 items). Help keeps Textual's Markdown.
    """

    DEFAULT_CSS = """
    Description { padding: 0 1; }
    """

    shown_for: str | None = None

    def show(self, item: Item | None) -> None:
        """Render `item`'s description (nothing for None); no work if already shown."""
        item_id = None if item is None else item.id
        if item_id == self.shown_for:
            return
        self.shown_for = item_id
        self.update("" if item is None else Markdown(description_markdown(item)))
