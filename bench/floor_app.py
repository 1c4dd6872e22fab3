"""The floors the benchmark compares against: the smallest Textual apps worth drawing.

``python bench/floor_app.py`` runs the first-paint floor: a Header, one Static and a
Footer (the smallest app a user would call an app). ``TableFloorApp`` is the key-press
floor: a 20-row DataTable whose cursor the benchmark moves with Pilot.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header, Static

#: What the first-paint floor shows; the pty harness waits for this text.
FLOOR_TEXT = "Floor app ready"


class FloorApp(App[None]):
    """Header, one Static, Footer: Textual's own first-paint floor."""

    BINDINGS = [("ctrl+q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(FLOOR_TEXT)
        yield Footer()


class TableFloorApp(App[None]):
    """A 20-row DataTable with the cursor on it: the per-key-press floor."""

    BINDINGS = [("ctrl+q", "quit", "Quit")]

    def __init__(self, rows: int = 20) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "Summary", "Status", "Type")
        for number in range(self.rows):
            table.add_row(f"BEN-{number}", f"Row number {number} of the floor", "To Do", "Story")
        table.focus()


if __name__ == "__main__":
    FloorApp().run()
