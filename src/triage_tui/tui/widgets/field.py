"""A compact one-line text field that costs the first frame no restyle before it is mounted."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from triage_tui.tui.safe_text import CONTROL_PICTURES


class Field(Input):
    """Textual's compact `Input`, control characters drawn as pictures (safe_text), and
    styled once, when it is mounted.

    An `Input` made with `compact=True` sets its class in `__init__`, and every class
    change restyles the node at once, mounted or not: ~1.4 ms a field before Start's
    first frame (issue 24), all of it redone when the field is mounted. Mounted, a class
    change restyles as usual (focus, `-invalid`).

    `valid`: the field starts with the `-valid` class its first validation would set
    (a field with a validator, such as `type="integer"`, given a valid value on the
    first draw), so that validation changes no class and restyles nothing.
    """

    def __init__(self, *, valid: bool = False, **options: Any) -> None:
        options.setdefault("highlighter", CONTROL_PICTURES)
        options.setdefault("compact", True)
        super().__init__(**options)
        if valid:
            self.add_class("-valid", update=False)

    def update_node_styles(self, animate: bool = True) -> None:
        if self.is_attached:  # before that, the mount styles it (App._register)
            super().update_node_styles(animate=animate)
