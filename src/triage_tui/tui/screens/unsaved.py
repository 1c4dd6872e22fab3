"""Shown by ctrl+q when changes exist only in memory: write the plan elsewhere, or quit anyway."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from triage_tui.services import SaveState

#: What the user chose: ("write", path), ("quit", None), or None to stay.
Choice = tuple[str, Path | None] | None


class UnsavedScreen(ModalScreen[Choice]):
    """Say what is not saved and why; enter writes the plan to the path typed, then quits."""

    # ctrl+q (quit anyway) is the app's own key: TriageApp.action_quit calls quit_anyway.
    BINDINGS = [Binding("escape", "stay", "Stay")]

    DEFAULT_CSS = """
    UnsavedScreen { align: center middle; }
    UnsavedScreen > Vertical { width: 84; height: auto; border: thick $error; padding: 1 2; background: $surface; }
    UnsavedScreen Input { margin-top: 1; }
    """

    def __init__(self, state: SaveState, suggested: Path, problem: str = "") -> None:
        super().__init__()
        self.state = state
        self.suggested = suggested
        self.problem = problem

    @property
    def message(self) -> str:
        """What the dialog says (tests read it)."""
        noun = "change exists" if self.state.unsaved == 1 else "changes exist"
        text = f"{self.state.unsaved} {noun} only in memory. {self.state.reason}"
        if self.problem:
            text += f"\n\n{self.problem}"
        return text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Not everything is saved", classes="panel-title")
            yield Static(self.message, id="unsaved-message", markup=False)  # a typed path
            yield Static("\nWrite the plan here first (another disk or folder if this one fails):")
            yield Input(str(self.suggested), id="unsaved-path")
            yield Static(
                "\n enter   write the plan there, then quit"
                "\n ctrl+q  quit anyway: the changes above are lost (exit code 1)"
                "\n escape  stay and keep working"
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#unsaved-path")
    def _write(self, event: Input.Submitted) -> None:
        from triage_tui.store.paths import user_path

        value = event.value.strip()
        if value:
            self.dismiss(("write", user_path(value)))

    def action_stay(self) -> None:
        self.dismiss(None)

    def action_quit_anyway(self) -> None:
        self.dismiss(("quit", None))
