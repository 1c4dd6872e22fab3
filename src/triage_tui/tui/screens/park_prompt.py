"""`S` on Categorize: park the item and write its open question, in one line."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from triage_tui.core.sanitize import clean_line
from triage_tui.tui.safe_text import CONTROL_PICTURES


class ParkPrompt(ModalScreen[str | None]):
    """One line for the open question: enter saves it (the text), escape parks without (None).

    Shown at the bottom of the screen, over the item, so the room still reads it (and in
    presenter view too).
    """

    BINDINGS = [Binding("escape", "without", "Park without a question")]

    def __init__(self, item_id: str, title: str, question: str, *, drafted: bool = False) -> None:
        """`drafted`: the question is the suggestion's draft, not the room's own words:
        it starts selected, so typing replaces it and enter keeps it. The room's own
        note is never selected (typing adds to it)."""
        super().__init__()
        self.item_id = item_id
        self.item_title = title
        self.question = question
        self.drafted = drafted and bool(question)

    def compose(self) -> ComposeResult:
        with Vertical(id="park-box", classes="panel"):
            heading = Text()
            heading.append(f"Park {self.item_id}", style="bold")
            heading.append(f"  {clean_line(self.item_title)}")
            yield Static(heading, id="park-title")
            yield Input(
                value=self.question,
                placeholder="the open question the room could not answer",
                id="park-question",
                compact=True,
                select_on_focus=False,  # the room's own note: typing adds to it
                highlighter=CONTROL_PICTURES,  # a pasted question never reaches the terminal raw
            )
            yield Static(
                "enter: park with this question and move on  ·  escape: park without one",
                classes="hint",
            )

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.focus()
        if self.drafted:
            field.select_all()

    @on(Input.Submitted, "#park-question")
    def _save(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_without(self) -> None:
        self.dismiss(None)
