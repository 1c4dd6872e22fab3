"""What every phase screen shares: the phase bar, the footer, a one-second tick, refresh on show."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from triage_tui.tui import _textual_internals as internals
from triage_tui.tui.widgets.compact_footer import CompactFooter
from triage_tui.tui.widgets.phase_bar import PhaseBar

if TYPE_CHECKING:
    from collections.abc import Sequence

    from textual.geometry import Size

    from triage_tui.core.session import Step
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
            # (update=False: the screen is styled when it is mounted; a restyle now is
            # ~1.4 ms of first paint spent on a screen not yet in the app.)
            self.set_class(name == wanted, name, update=False)

    def post_message(self, message: Message) -> bool:
        return super().post_message(internals.skip_restyle_until_away(self, message))

    # The first screen is composed inside the app's start-up batch, where a layout or a
    # frame is thrown away: both wait for the batch's end (tui/_textual_internals.py).
    def _refresh_layout(self, size: Size | None = None, scroll: bool = False) -> None:
        if internals.drawing_dropped(self):
            internals.lay_out_after_start(self)
            return
        internals.laid_out(self)
        super()._refresh_layout(size, scroll)

    def _compositor_refresh(self) -> None:
        if internals.drawing_dropped(self):
            return  # the dirty regions stay: the first frame after the batch draws them
        super()._compositor_refresh()

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
        yield CompactFooter()  # two columns a key less: every key fits at 120

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
        # The room's panel, when the room is open. Its module is imported when a room
        # first opens: not imported yet, no room was ever open and there is nothing to
        # attach or take away (the first frame does not import it: ~5 ms).
        vote_room = sys.modules.get("triage_tui.tui.vote_room")
        if vote_room is not None:
            vote_room.attach(self)
            vote_room.follow(self)

    # -- the room's votes (tui/vote_room.py) ---------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("room_reveal", "room_revote"):
            from triage_tui.tui.vote_room import room_of

            return room_of(self.triage) is not None  # hidden from the Footer when closed
        return True

    async def action_room_toggle(self) -> None:
        """`R`: open the room (the vote server and its panel), or close it."""
        from triage_tui.tui import vote_room

        if vote_room.room_of(self.triage) is None:
            # No toast: it would cover the panel's link and QR code (seen walking a room).
            await vote_room.open_room(self.triage, self)
        else:
            await vote_room.close_room(self.triage)  # its link's line says so, briefly
        self.refresh_bindings()

    def action_room_reveal(self) -> None:
        """`r`: show the room's votes on the current item."""
        from triage_tui.tui.vote_room import room_of

        room = room_of(self.triage)
        if room is None:
            return
        if room.server.item is None:
            self.notify("Nothing to reveal on this screen.", timeout=3)
        elif not room.server.reveal():
            status = room.status
            word = "already revealed" if status.revealed else "no votes yet"
            self.notify(f"{status.item_id}: {word}.", timeout=3)

    def action_room_revote(self) -> None:
        """`ctrl+r`: the room votes again on the current item (its votes cleared)."""
        from triage_tui.tui.vote_room import room_of

        room = room_of(self.triage)
        if room is None or room.server.item is None:
            return
        # No toast: it covered the panel's counts (seen walking a room); the panel itself
        # goes from the tally back to "0 of N voted" and who is awaited.
        room.server.revote()

    def tick(self) -> None:
        """Once a second: the clock and the timeboxes."""
        self.query_one(PhaseBar).update_from(self.workshop)

    def session_changed(self, steps: Sequence[Step]) -> None:
        """The session changed (a key, an undo, a vote: tui/follow.py): redraw what it shows.

        Key handlers change the session and leave the drawing to this."""
        self.refresh_view()

    def refresh_view(self) -> None:
        """Redraw everything from the workshop (after a load, a change or an undo)."""
        self.query_one(PhaseBar).update_from(self.workshop)
