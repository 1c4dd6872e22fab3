"""What every phase screen shares: the phase bar, the footer, a one-second tick, refresh on show."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer

from triage_tui.tui import _textual_internals as internals
from triage_tui.tui.widgets.phase_bar import PhaseBar

if TYPE_CHECKING:
    from triage_tui.core.workshop import Workshop
    from triage_tui.tui.app import TriageApp


def width_class(width: int, breakpoints: list[tuple[int, str]]) -> str:
    """The width class (-narrow / -normal) the app's HORIZONTAL_BREAKPOINTS give `width`."""
    for threshold, name in sorted(breakpoints, reverse=True):
        if width >= threshold:
            return name
    return ""


class PhaseScreen(Screen[Any]):
    """Base class of the five phase screens."""

    PHASE = "start"

    # The app's help key again, here so the Footer shows it before the screen's own keys:
    # at the end (the app's keys come last) a narrow Footer cut it off on every screen.
    # Same id as the app's: a keymap moves both.
    BINDINGS = [Binding("question_mark", "app.help", "Help", id="triage.help", key_display="?")]

    def __init__(self) -> None:
        super().__init__()
        try:
            app = self.app
        except RuntimeError:  # made outside a running app (a test): nothing to skip
            return
        internals.adopt_app_css(self, app)
        # The width class Textual would set on the first resize, set before the first
        # styling, so that resize changes nothing (no restyle).
        breakpoints = list(app.HORIZONTAL_BREAKPOINTS or [])
        wanted = width_class(app.size.width, breakpoints)
        for _, name in breakpoints:
            self.set_class(name == wanted, name)

    def post_message(self, message: Message) -> bool:
        return super().post_message(internals.skip_restyle_until_away(self, message))

    @property
    def triage(self) -> TriageApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    @property
    def workshop(self) -> Workshop | None:
        """The loaded workshop, if any."""
        return self.triage.workshop

    def compose_header(self) -> ComposeResult:
        yield PhaseBar(self.PHASE)

    def compose_footer(self) -> ComposeResult:
        yield Footer(compact=True)  # two columns a key less: every key fits at 120

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick_if_shown)

    def _tick_if_shown(self) -> None:
        # Phases shown earlier stay mounted (one mode each) with their timers; only the
        # one in view (perhaps under help or the palette) is drawn.
        if self in self.app.screen_stack:
            self.tick()

    def on_screen_resume(self) -> None:
        # The phase itself is recorded by the app's go-to-phase (services.Room), which
        # is the only way between phases: a screen shown is only redrawn.
        self.refresh_view()

    def tick(self) -> None:
        """Once a second: the clock and the timeboxes."""
        self.query_one(PhaseBar).update_from(self.workshop)

    def refresh_view(self) -> None:
        """Redraw everything from the workshop (after a load, a change or an undo)."""
        self.query_one(PhaseBar).update_from(self.workshop)
