"""The floors the benchmark compares against: the smallest Textual apps worth drawing.

``python bench/floor_app.py`` runs the first-paint floor: a Header, one Static and a
Footer (the smallest app a user would call an app). ``TableFloorApp`` is the key-press
floor: a 20-row DataTable whose cursor the benchmark moves with Pilot.
``python bench/floor_app.py --serve PORT`` serves the first-paint floor in a browser the
way ``triage-tui serve`` serves the app (the same server, page and per-run key), and
prints its address in the same words.
"""

from __future__ import annotations

import sys

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


def serve_floor(port: int) -> None:
    """Serve `FloorApp` on 127.0.0.1:`port` as `triage-tui serve` serves the app."""
    import secrets
    import shlex

    from triage_tui.serve import make_server

    secret = secrets.token_urlsafe(24)
    command = shlex.join([sys.executable, __file__])
    server = make_server([], "127.0.0.1", port, secret=secret, title="floor", command=command)
    print(f"Serving triage-tui at http://127.0.0.1:{port}/{secret}/ — floor app.", flush=True)
    server.serve()  # until the benchmark stops it


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve_floor(int(sys.argv[2]))
    else:
        FloorApp().run()
