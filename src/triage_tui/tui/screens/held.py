"""Shown when the session is already open in another triage-tui: read-only, or take it over."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class HeldScreen(ModalScreen[bool]):
    """Ask once: `t` takes the session over, `r` (or escape) opens it read-only."""

    BINDINGS = [
        Binding("t", "choose(True)", "Take over"),
        Binding("r,escape", "choose(False)", "Read-only"),
    ]

    DEFAULT_CSS = """
    HeldScreen { align: center middle; }
    HeldScreen > Vertical { width: 72; height: auto; border: thick $warning; padding: 1 2; background: $surface; }
    """

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("This session is open elsewhere", classes="panel-title")
            yield Static(self.message)
            yield Static(
                "\n t  take it over (the other window stops autosaving)\n r  open read-only"
            )

    def action_choose(self, take_over: bool) -> None:
        self.dismiss(take_over)
