"""The strip at the top of every screen: the backlog, the phases of the hour, the clock."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from triage_tui.core.pacing import format_clock
from triage_tui.core.workshop import PHASES, Workshop

PHASE_TITLES = {
    "start": "Start",
    "categorize": "Categorize",
    "readiness": "Readiness",
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

    def update_from(self, workshop: Workshop | None) -> None:
        """Redraw from the workshop's state (called each second and after each change)."""
        narrow = self.size.width and self.size.width < 110
        text = Text(no_wrap=True, overflow="ellipsis")
        # Another window holds the session: said where the backlog's title goes, for as
        # long as it lasts (the title is on the start screen; this is not).
        read_only = workshop is not None and getattr(self.app, "read_only", False)
        if read_only:
            text.append(" RO " if narrow else " READ-ONLY ", style="bold reverse")
            text.append(" ")
        elif workshop is not None and not narrow:
            title = workshop.session.backlog.title or "backlog"
            if len(title) > 26:
                title = title[:25].rstrip() + "…"
            text.append(f"{title}  ", style="bold italic")
        for number, phase in enumerate(PHASES, start=2):
            name = PHASE_TITLES[phase][:5] if narrow else PHASE_TITLES[phase]
            label = f"F{number} {name}"
            if phase == self.phase:
                text.append(f" {label} ", style="bold reverse")
            else:
                text.append(f" {label} ", style="dim")
        if workshop is not None:
            used = workshop.clock.elapsed()
            left = workshop.remaining_seconds()
            total = workshop.session.minutes * 60
            text.append(f"  {format_clock(used)} of {format_clock(total)}", style="bold")
            if left < 0:
                text.append(f" OVER {format_clock(-left)}", style="bold reverse")
            elif not (narrow and read_only):  # 80 columns: the time used is enough
                text.append(f" · {format_clock(left)} left")
        self.update(text, layout=False)  # one line, always
