"""The strip at the top of every screen: the backlog, the phases of the hour, the clock."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from triage_tui.core.pacing import format_clock
from triage_tui.core.sanitize import clean_line
from triage_tui.core.workshop import PHASES, Workshop

PHASE_TITLES = {
    "start": "Start",
    "categorize": "Categorize",
    "readiness": "Readiness",
    "plan": "Plan",
    "export": "Export",
}
#: When the whole names do not fit (a read-only window at 80 columns): cut on purpose.
PHASE_SHORT = {
    "start": "Start",
    "categorize": "Cat.",
    "readiness": "Ready.",
    "plan": "Plan",
    "export": "Export",
}


class PhaseBar(Static):
    """Where the hour stands: phase tabs (current one marked), time used and left."""

    DEFAULT_CSS = """
    PhaseBar {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    def __init__(self, phase: str) -> None:
        super().__init__("", id="phase-bar")
        self.phase = phase
        self._drawn_for: tuple[Workshop | None] | None = None

    def on_resize(self) -> None:
        # Drawn before its first layout (no width yet: whole phase names), it draws again
        # once the width is known, not a second later on the clock's tick.
        if self._drawn_for is not None:
            self.update_from(self._drawn_for[0])

    def update_from(self, workshop: Workshop | None) -> None:
        """Redraw from the workshop's state (called each second and after each change)."""
        self._drawn_for = (workshop,)
        width = self.content_size.width
        narrow = bool(width) and width < 110
        text = Text(no_wrap=True, overflow="ellipsis")
        # Another window holds the session: said where the backlog's title goes, for as
        # long as it lasts (the title is on the start screen; this is not).
        read_only = workshop is not None and getattr(self.app, "read_only", False)
        if read_only:
            text.append(" RO " if narrow else " READ-ONLY ", style="bold reverse")
            text.append(" ")
        elif workshop is not None and not narrow:
            title = clean_line(workshop.session.backlog.title) or "backlog"
            if len(title) > 26:
                title = title[:25].rstrip() + "…"
            text.append(f"{title}  ", style="bold italic")
        clock = self._clock(workshop, narrow)
        tabs = self._tabs(PHASE_TITLES)
        if narrow and text.cell_len + tabs.cell_len + clock.cell_len > width:
            tabs = self._tabs(PHASE_SHORT)
        text.append_text(tabs)
        text.append_text(clock)
        if text == self._shown:
            return  # a decision within the same second: the same line, no repaint
        self._shown = text
        self.update(text, layout=False)  # one line, always

    _shown: Text | None = None

    def _tabs(self, names: dict[str, str]) -> Text:
        """The phase tabs, the current one reversed."""
        tabs = Text()
        for number, phase in enumerate(PHASES, start=2):
            label = f" F{number} {names[phase]} "
            tabs.append(label, style="bold reverse" if phase == self.phase else "dim")
        return tabs

    @staticmethod
    def _clock(workshop: Workshop | None, narrow: bool) -> Text:
        """Time used of the hour and time left ("12:04 · 47:56 left" at 80 columns)."""
        clock = Text()
        if workshop is None:
            return clock
        used = workshop.clock.elapsed()
        left = workshop.remaining_seconds()
        total = workshop.session.minutes * 60
        if narrow:
            clock.append(f"  {format_clock(used)}", style="bold")
        else:
            clock.append(f"  {format_clock(used)} of {format_clock(total)}", style="bold")
        if left < 0:
            clock.append(f" OVER {format_clock(-left)}", style="bold reverse")
        else:
            clock.append(f" · {format_clock(left)} left")
        return clock
