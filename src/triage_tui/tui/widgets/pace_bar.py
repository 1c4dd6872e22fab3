"""The line above the Footer: progress through the phase and the current item's timebox."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from triage_tui.core.pacing import ItemPace, format_clock


class PaceBar(Horizontal):
    """n of N done, the pace (core.pacing.ItemPace), this item's time, a warning when over.

    It warns, it never blocks.
    """

    DEFAULT_CSS = """
    PaceBar { height: 1; dock: bottom; margin-bottom: 1; background: $panel; }
    PaceBar > ProgressBar { width: 30; padding: 0 1; }
    PaceBar > Static { width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def compose(self) -> ComposeResult:
        # No percentage: it would sit past the bar's 32 cells, outside the 28 (12 when
        # narrow) the bar is given, never seen; one widget less to wake on every key.
        yield ProgressBar(show_eta=False, show_percentage=False)
        yield Static()

    @property
    def text(self) -> str:
        """What the line says, as plain text (for tests and the walk-through)."""
        return str(self.query_one(Static).render())

    def show(
        self,
        done: int,
        total: int,
        summary: str,
        pace: ItemPace,
        spent: float,
        *,
        warning: str,
        nothing_left: str,
    ) -> None:
        """Redraw.

        Args:
            done: items finished in this phase.
            total: items in this phase.
            summary: the count, in bold ("12 of 35 decided").
            pace: remaining time over remaining items.
            spent: seconds the current item has been open.
            warning: said when `spent` is past the item's timebox.
            nothing_left: said instead of the pace when no item remains ("all decided").
        """
        self._show_progress(done, max(total, 1))
        line = self.query_one(Static)
        text = self._line(summary, pace, spent, warning, nothing_left)
        if line.content_size.width and text.cell_len > line.content_size.width:
            # 80 columns: "12/35" says the count, so the pace and this item's time fit.
            text = self._line(f"{done}/{total}", pace, spent, warning, nothing_left)
        if text != self._shown:  # a move within the same second: the same line
            self._shown = text
            line.update(text, layout=False)

    _shown: Text | None = None
    _drawn: tuple[int, int] | None = None

    def _show_progress(self, done: int, total: int) -> None:
        """Update the bar when what it draws changes: its filled half cells (at 10,000
        items a decision moves none, most of the time).

        The same sum as Textual's ProgressBar: `Bar` draws int(fraction * 2 * width)
        half cells."""
        bar = self.query_one(ProgressBar)
        halves = bar.query_one("#bar").size.width * 2
        fraction = min(max(done / total, 0.0), 1.0)
        drawn = (int(fraction * halves), halves)
        if drawn != self._drawn or not halves:
            self._drawn = drawn
            bar.update(total=total, progress=done)

    @staticmethod
    def _line(summary: str, pace: ItemPace, spent: float, warning: str, nothing_left: str) -> Text:
        text = Text()
        text.append(f" {summary}", style="bold")
        text.append(f" · {pace.describe(nothing_left)}")
        if not pace.finished:
            text.append(f" · this item {format_clock(spent)}")
            if spent > pace.each:
                text.append(f"  ⚠ {warning}", style="bold reverse")
        return text
