"""The phase screens' Footer: Textual's compact Footer, its keys made compact from the start.

`Footer(compact=True)` makes each key, then binds the key's `compact` to the Footer's:
each key gains its `-compact` class only once mounted, and is styled a second time for
it (with its two component styles). Ten keys on Start: ~10 ms before the first frame, and
again whenever the Footer is rebuilt (a screen's keys changed). Made with the class, a
key's watcher finds it there and nothing is restyled. It looks the same.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer


class CompactFooter(Footer):
    """`Footer(compact=True)` whose keys carry `-compact` before they are styled."""

    def __init__(self) -> None:
        super().__init__(compact=True)

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            _compact(widget)
            yield widget


def _compact(widget: Widget) -> None:
    # The keys inside a key group reach us through the group's compose stack too.
    if type(widget).__name__ == "FooterKey":
        widget.add_class("-compact", update=False)
