"""The line above the Footer: progress through the phase and the current item's timebox."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from triage_tui.core.pacing import format_clock


class PaceBar(Horizontal):
    """n of N done, the time each item may take, and a warning (never a block) when over."""

    DEFAULT_CSS = """
    PaceBar { height: 1; dock: bottom; margin-bottom: 1; background: $panel; }
    PaceBar > ProgressBar { width: 30; padding: 0 1; }
    PaceBar > Static { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield ProgressBar(show_eta=False)
        yield Static()

    def show(
        self, done: int, total: int, summary: str, timebox: float, spent: float, warning: str
    ) -> None:
        """Redraw: `summary` in bold, then the per-item timebox and the time spent."""
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)
        text = Text()
        text.append(f" {summary}  ", style="bold")
        text.append(f"{format_clock(timebox)} per item · this item {format_clock(spent)}")
        if total and spent > timebox:
            text.append(f"  ⚠ {warning}", style="bold reverse")
        self.query_one(Static).update(text, layout=False)
