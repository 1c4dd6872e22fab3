"""What every phase screen shares: the phase bar, the footer, a one-second tick, refresh on show."""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING, Any

from textual import events
from textual._context import NoActiveAppError
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer

from triage_tui.tui.widgets.phase_bar import PhaseBar

if TYPE_CHECKING:
    from triage_tui.core.workshop import Workshop
    from triage_tui.tui.app import TriageApp


class PhaseScreen(Screen[Any]):
    """Base class of the five phase screens."""

    PHASE = "start"

    def __init__(self) -> None:
        super().__init__()
        # Textual reparses every stylesheet in the app when a mode's screen is first
        # shown (a new screen's CSS count starts at -1): ~20 ms before the first paint
        # and again on each phase's first visit. These screens bring no CSS of their own
        # (app.tcss and the widgets' DEFAULT_CSS are parsed as they are added), so the
        # app's stylesheet is already current for them. tests/functional/test_startup.py
        # counts the reparses.
        with suppress(NoActiveAppError):  # made outside a running app: nothing to skip
            app = self.app
            self._css_update_count = app._css_update_count
            # The width classes (-narrow / -normal) Textual would set on the first resize:
            # set before the first styling, that resize changes nothing (no restyle).
            breakpoints = app.HORIZONTAL_BREAKPOINTS or []
            width = app.size.width
            wanted = self._get_breakpoint_classes(width, breakpoints)
            for _, name in breakpoints:
                self.set_class(name in wanted, name)

    _away = False  # suspended since last styled: a theme may have changed meanwhile

    def post_message(self, message: Message) -> bool:
        if isinstance(message, events.ScreenSuspend):
            self._away = True
        elif isinstance(message, events.ScreenResume):
            if message.refresh_styles and not self._away:
                # Textual restyles a screen each time it is shown, including the first
                # (just composed and styled; a new mode's screen is even resumed twice).
                # Until it has been away there is nothing to redo: ~8 ms of first paint,
                # and as much on each phase's first visit.
                message = events.ScreenResume(refresh_styles=False)
            self._away = False
        return super().post_message(message)

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
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick_if_shown)

    def _tick_if_shown(self) -> None:
        # Phases shown earlier stay mounted (one mode each) with their timers; only the
        # one in view (perhaps under help or the palette) is drawn.
        if self in self.app.screen_stack:
            self.tick()

    def on_screen_resume(self) -> None:
        if self.workshop is not None and self.PHASE != "start":
            # Start shows first on every launch: that is no move of the room's, and a
            # resumed session keeps the phase it was in (F2 records a move to Start).
            self.workshop.set_phase(self.PHASE)
            self.workshop.clock.start()  # the hour runs from the first phase shown
        self.refresh_view()

    def tick(self) -> None:
        """Once a second: the clock and the timeboxes."""
        self.query_one(PhaseBar).update_from(self.workshop)

    def refresh_view(self) -> None:
        """Redraw everything from the workshop (after a load, a change or an undo)."""
        self.query_one(PhaseBar).update_from(self.workshop)
