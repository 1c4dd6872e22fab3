"""The facilitator's side of the room's votes: `R` opens the vote server and its panel.

The server (triage_tui.room.VoteServer) runs in the app's own event loop. The join link
has a full-width line of its own under the phase bar (one piece to copy: in the panel it
wrapped over two lines). The panel is docked on the right of Categorize, Readiness and
Plan: the link's QR code (segno, drawn with half blocks, dark on light whatever the
theme), how many joined and voted, who has not voted by name, and after the reveal the
tally, the reasons and the room's majority as the suggestion. The facilitator still
decides with h / p / s.

Everything drawn from the network passed core.sanitize (core.votes) before it got here,
and is drawn as rich Text, never as markup.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.containers import VerticalScroll
from textual.timer import Timer
from textual.widgets import Static

from triage_tui.core import votes
from triage_tui.core.session import Category, Mark
from triage_tui.tui.widgets.phase_bar import PhaseBar
from triage_tui.tui.widgets.row_text import RowText

if TYPE_CHECKING:
    from triage_tui.room.server import RoomStatus, VoteServer
    from triage_tui.tui.app import TriageApp
    from triage_tui.tui.screens.base import PhaseScreen

#: The screens the panel shows on (and `R` works on).
PANEL_PHASES = ("categorize", "readiness", "plan")
#: The width the panel's status text wraps at (the panel is 37 columns).
TEXT_WIDTH = 33
#: The panel gathers the room's changes of this many seconds into one redraw (at most
#: four a second, the last state always drawn; a vote after a quiet spell shows at once):
#: each redraw is a frame of its own, and a key pressed while one is drawn waits for it
#: and pays for two frames. Session 7 went from 0.2 s to 0.5 s for the keys (p95 23.8-24.8
#: ms at 0.2 s, 18.4-21.6 ms at 0.5 s), which made a vote take p50 ~210 / p95 ~464 ms to
#: the facilitator's screen. Since the status redraws only its changed rows and keeps its
#: height on one phase, a redraw is ~1.7 ms of frame and no layout: at 0.25 s key CPU p95
#: was 11.8-14.6 ms against 11.4-12.4 at 0.5 s, vote to screen p50 114-129 / p95 243-274
#: ms (interleaved, load 5-7, bench/room_load.py --panel-gather; bench/README.md).
REDRAW_GATHER = 0.25
#: A redraw after a quiet spell still waits this long (the votes of one instant, one
#: redraw).
SOON = 0.02
#: "Waiting for" names at most this many lines; the rest are counted ("+12 more").
WAITING_LINES = 3
#: Below this many rows the QR code gives way to the room's status once voting began.
QR_MIN_ROWS = 34
TAGS = {Category.HIRING: "HIRE", Category.PROJECT: "PROJ", Category.PARKED: "PARK"}
LAN_WARNING = "anyone who can reach this address and has the link can vote"
#: Seconds the link's line says "room closed" before it goes.
CLOSED_NOTICE = 3.0


@cache
def qr_text(url: str) -> Text:
    """`url` as a QR code in half blocks (two modules a character cell), dark on light."""
    import segno

    code = segno.make(url, error="l", micro=False)
    rows = [list(row) for row in code.matrix]
    border = 2
    size = len(rows) + 2 * border
    light = [0] * size
    grid = [light] * border + [[0] * border + row + [0] * border for row in rows]
    grid += [light] * border
    if len(grid) % 2:
        grid.append(light)
    lines = []
    for top, bottom in zip(grid[0::2], grid[1::2], strict=True):
        line = []
        for upper, lower in zip(top, bottom, strict=True):
            line.append("█" if upper and lower else "▀" if upper else "▄" if lower else " ")
        lines.append("".join(line))
    return Text("\n".join(lines), style="#000000 on #ffffff", no_wrap=True, end="")


class RoomLink(Static):
    """The join link on one full-width line (under the phase bar), copyable in one piece."""

    DEFAULT_CSS = """
    RoomLink {
        width: 100%;
        height: 1;
        padding: 0 1;
        background: $panel;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """
    ALLOW_SELECT = True

    _url = ""
    _going: Timer | None = None

    def show(self, url: str) -> None:
        """Show `url` (a repaint only, and only when it changed); a closing notice still
        on this line gives way (the room opened again)."""
        if self._going is not None:
            self._going.stop()
            self._going = None
        if url == self._url:
            return
        self._url = url
        line = Text(no_wrap=True, end="")
        line.append(" JOIN ", style="bold reverse")
        line.append(" " + url, style="bold")
        self.update(line, layout=False)

    def closing(self) -> None:
        """The room closed: this line says so for CLOSED_NOTICE seconds, then goes. (A
        toast sat over Readiness' criteria; this line covers nothing but the link.)"""
        self._url = ""
        line = Text(no_wrap=True, end="")
        line.append(" ROOM CLOSED ", style="bold reverse")
        line.append(" its votes are kept; R opens it again on the same link", style="dim")
        self.update(line, layout=False)
        self._going = self.set_timer(CLOSED_NOTICE, self._go)

    def _go(self) -> None:
        self._going = None
        if self.is_mounted:
            self.remove()


class RoomPanel(VerticalScroll):
    """The room, docked on the right of a phase screen."""

    # Not scoped: the screen gives the panel room while it shows (class -room): the item
    # list goes (the arrow keys still move through it), and at 80 columns Readiness'
    # project list too, so the item and the criteria keep their width.
    SCOPED_CSS = False
    DEFAULT_CSS = """
    RoomPanel {
        width: 37;
        height: 1fr;
        border-left: tall $accent;
        background: $panel;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    RoomPanel.-docked { dock: right; height: 100%; padding: 1 1; }
    RoomPanel #room-qr { width: auto; height: auto; margin: 0 0 1 0; }
    RoomPanel #room-head { width: 100%; height: auto; margin: 0 0 1 0; }
    /* 80x24: the code and the first lines of the status fit together (who joined). */
    Screen.-narrow RoomPanel #room-head { margin: 0; }
    Screen.-narrow RoomPanel #room-qr { margin: 0; }
    RoomPanel #room-status { width: 100%; height: 8; }
    Screen.-room #items { display: none; }
    Screen.-room.-narrow #ready-left { display: none; }
    /* (Rules that override app.tcss' heights and widths are in app.tcss: a widget's
       default CSS never wins over the app's.) */
    """

    def compose(self) -> Any:
        # The status first: the tally and who is awaited stay in view above the QR code
        # (seen walking a room: at 120x36 the revealed tally was cut under the code).
        yield Static(id="room-head")
        # Row by row: a vote repaints the rows it changed ("12 of 50 voted", the names
        # awaited), not the whole status (bench/room_load.py).
        yield RowText(id="room-status", cut=False)
        yield Static(id="room-qr")

    def on_mount(self) -> None:
        room = room_of(self.app)
        if room is not None:
            self.call_after_refresh(room.redraw)  # drawn once its parts are there

    #: What the panel shows now, as plain text (tests and the walk-through read it).
    shown = ""
    _head: Text | None = None
    _qr_for: str | None = None
    _body: Text | None = None
    _body_lines = -1
    _body_for: str | None = None  # the phase whose tallest status sets the height
    _qr_first = False  # the order composed: status, then the code

    def show(self, status: RoomStatus, session_named: bool, tall: bool) -> None:
        """Draw `status` (the QR code while the room is joining, or whenever it fits).

        Votes arrive many a second: only what changed is redrawn, and the screen is laid
        out again only when the status' height changes (a relayout of Categorize costs
        tens of milliseconds; a repaint of the panel, one or two).
        """
        if not self.is_mounted or not self.children:
            return  # not composed yet, or on its way out
        head = Text()
        head.append(" THE ROOM ", style="bold reverse")
        head.append("  R closes", style="dim")
        # (The link is on its own full-width line above: RoomLink.)
        if not status.loopback:
            head.append(f"\n⚠ LAN: {LAN_WARNING}", style="bold")
        if head != self._head:
            self._head = head
            self.query_one("#room-head", Static).update(head)
        qr = self.query_one("#room-qr", Static)
        show_qr = tall or not status.any_votes
        # While the room joins, the code comes first (it fits at 80x24); once votes
        # arrive, the status does (the tally stays in view above the code).
        qr_first = not status.any_votes
        if qr_first != self._qr_first:
            self._qr_first = qr_first
            status_widget = self.query_one("#room-status", RowText)
            if qr_first:
                self.move_child(qr, before=status_widget)
            else:
                self.move_child(qr, after=status_widget)
        if qr.display != show_qr:
            qr.display = show_qr
        if show_qr and self._qr_for != status.url:
            self._qr_for = status.url
            qr.update(qr_text(status.url))
        body = status_text(status, session_named)
        if body != self._body:
            self._body = body
            widget = self.query_one("#room-status", RowText)
            # The panel's text width (37 less its border, padding and scrollbar), fixed:
            # the height must not depend on whether a layout already happened.
            lines = widget.rows_for(body, TEXT_WIDTH)
            # On one screen the height only grows: the names awaited shrink vote by vote,
            # and each item and each reveal changed it both ways, each time a layout of
            # the whole screen (~8 ms, twice an item, often in a key's frame). So the
            # status keeps the tallest height it had on this phase (rows below stay blank;
            # the code below it no longer jumps at every item); another phase sets it
            # afresh.
            if status.phase == self._body_for:
                lines = max(lines, self._body_lines)
            self._body_for = status.phase
            if lines != self._body_lines:
                self._body_lines = lines
                widget.styles.height = lines  # one relayout, only when it grows or shrinks
            widget.update(body, layout=False)
        self.shown = f"{status.url}\n{head.plain}\n{body.plain}"


def status_text(status: RoomStatus, named: bool) -> Text:
    """The room's counts, who is awaited, and after the reveal the tally and reasons."""
    text = Text()
    spectators = f" · {status.spectators} watching" if status.spectators else ""
    text.append(f"{status.joined} joined{spectators}\n", style="bold")
    if not status.item_id:
        where = status.phase or "this screen"
        text.append(f"Nothing to vote on in {where}.", style="dim")
        return text
    text.append(f"{status.item_id} · {status.phase}: ", style="bold")
    text.append(f"{status.voted} of {status.joined} voted")
    if status.marking and not status.revealed:
        # Readiness counts a seat once all seven are marked: the others are under way
        # (seen walking the room: "0 of 2 voted" while both phones were marking).
        text.append(f", {status.marking} marking", style="dim")
    text.append("\n")
    if not status.revealed:
        if status.waiting:
            text.append("Waiting for: ", style="bold")
            text.append(waiting_names(status.waiting) + "\n")
        text.append("Hidden until ", style="dim")
        text.append("r", style="bold")
        # Auto-reveal needs two voting seats (room/server.py): one phone is not a room.
        if status.joined >= votes.AUTO_REVEAL_MIN_SEATS:
            text.append(" reveals (or everyone voted).", style="dim")
        else:
            text.append(" reveals (with one voter, only r).", style="dim")
        return text
    if status.tally is not None:
        tally = status.tally
        text.append("Revealed: ", style="bold")
        text.append(tally.describe() + "\n")
        for choice in votes.VOTE_CHOICES:
            count = tally.counts[choice]
            text.append(f"{TAGS[choice]} ", style="bold")
            text.append("▇" * min(count, 20) + f" {count}\n")
        for reason in tally.reasons:
            who = f" ({reason.name})" if named and reason.name else ""
            text.append(f"{votes.VOTE_WORDS[reason.vote]}: ", style="bold")
            text.append(f"“{reason.text}”{who}\n")
        lead = tally.majority
        if lead is not None:
            text.append("The room suggests: ", style="bold")
            text.append(f" {lead.value.upper()} ", style="bold reverse")
            text.append("  h / p / s decide\n", style="dim")
        elif tally.total:
            text.append("The room is split: ", style="bold")
            text.append("the facilitator decides.\n", style="dim")
    else:
        from triage_tui.core.readiness import CRITERIA_BY_NUMBER

        # One line a criterion (they wrapped mid-count at 37 columns, seen in the Readiness
        # snapshots): the counts in columns, the room's majority in bold.
        text.append("Revealed, per criterion ", style="bold")
        text.append("(✓ met ◐ partial ✗ missing):\n", style="dim")
        for number, counts in status.readiness.items():
            total = sum(counts.values())
            text.append(f"{number} {CRITERIA_BY_NUMBER[number].name[:19]:<19}", style="bold")
            for mark, symbol in ((Mark.MET, "✓"), (Mark.PARTIAL, "◐"), (Mark.MISSING, "✗")):
                count = counts.get(mark, 0)
                text.append(" ")
                text.append(f"{symbol}{count}", style="bold reverse" if count * 2 > total else "")
            text.append("\n")
    text.append("ctrl+r", style="bold")
    text.append(" votes again", style="dim")
    return text


def waiting_names(names: tuple[str, ...]) -> str:
    """The names awaited, cut to WAITING_LINES lines of the panel ("…, +12 more")."""
    room = WAITING_LINES * TEXT_WIDTH - len("Waiting for: ") - len(", +999 more")
    shown: list[str] = []
    used = 0
    for name in names:
        if used + len(name) + 2 > room:
            break
        shown.append(name)
        used += len(name) + 2
    rest = len(names) - len(shown)
    return ", ".join(shown) + (f", +{rest} more" if rest else "")


class VoteRoom:
    """The open room of one app: its server and the panels showing it."""

    def __init__(self, app: TriageApp, server: VoteServer) -> None:
        self.app = app
        self.server = server
        self._pending = False
        self._suggested: tuple[str, str, bool] | None = None  # what room_changed last saw

    @property
    def status(self) -> RoomStatus:
        return self.server.status()

    def changed(self) -> None:
        """Something the panel shows changed: redraw at most once every REDRAW_GATHER
        seconds, soon after a quiet spell (a vote alone shows at once) and at the end of
        a burst (the last state always shows): 50 votes in a second are four redraws,
        and the facilitator's keys stay quick."""
        if not self._pending:
            self._pending = True
            wait = self._drawn_at + REDRAW_GATHER - time.monotonic()
            self.app.set_timer(max(SOON, wait), self.redraw)

    _drawn_at = 0.0  # monotonic time of the last redraw

    def redraw(self) -> None:
        self._pending = False
        self._drawn_at = time.monotonic()
        if not self.app.is_running or not self.app.screen_stack:
            return  # a redraw gathered while the app was quitting: nothing to draw on
        screen = self.app.screen
        with contextlib.suppress(Exception):
            screen.query_one(RoomLink).show(self.server.url)
        panel = _panel_of(screen)
        if panel is not None:
            panel.show(
                self.status, self.server.session.votes_named, self.app.size.height >= QR_MIN_ROWS
            )
        # The Categorize screen offers the room's majority as its suggestion once revealed:
        # it redraws when the item or the reveal changes, not for every vote.
        server = self.server
        item = server.item
        shown = (
            item.id if item else "",
            server.phase,
            item is not None and votes.is_revealed(server.session.decisions[item.id]),
        )
        if shown == self._suggested:
            return
        self._suggested = shown
        refresh_room = getattr(self.app.screen, "room_changed", None)
        if refresh_room is not None:
            refresh_room()


def room_of(app: object) -> VoteRoom | None:
    """The app's open room, if any."""
    room: VoteRoom | None = getattr(app, "_vote_room", None)
    return room


def _panel_of(screen: Any) -> RoomPanel | None:
    with contextlib.suppress(Exception):
        return screen.query_one(RoomPanel)  # type: ignore[no-any-return]
    return None


def room_address(app: TriageApp) -> tuple[str, int]:
    """Where the room listens: --room-host / --room-port, else the config's, else
    loopback on any free port."""
    options = app.options
    host = getattr(options, "room_host", None) or getattr(app.config, "room_host", "") or ""
    port = getattr(options, "room_port", None)
    if port is None:
        port = getattr(app.config, "room_port", 0) or 0
    return host or "127.0.0.1", int(port)


async def open_room(app: TriageApp, screen: PhaseScreen) -> VoteRoom | None:
    """Start the vote server and show the panel on `screen`."""
    from triage_tui.room.server import VoteServer, is_loopback

    workshop = app.workshop
    if workshop is None:
        app.notify("Open a backlog first.", severity="warning")
        return None
    host, port = room_address(app)
    server = VoteServer(workshop.session, host=host, port=port, durable=_writer(app))
    room = VoteRoom(app, server)
    server.on_change = room.changed
    try:
        await server.start()
    except OSError as error:
        await server.stop()
        _stop_writer(app)
        app.notify(
            f"The room could not open on {host}:{port}: {error.strerror or error}",
            severity="error",
            timeout=8,
        )
        return None
    app._vote_room = room  # type: ignore[attr-defined]
    # The toasts go: they sit where the panel opens, over the room's counts (seen in the
    # restart test: "Resumed the autosaved session" hid "1 of 1 voted" for its 8 s).
    app.clear_notifications()
    if not is_loopback(host):
        app.notify(
            f"The room is open on {server.url}: {LAN_WARNING}.", severity="warning", timeout=10
        )
    attach(screen)
    follow(screen)
    room.redraw()
    return room


def _writer(app: TriageApp) -> Callable[[], Awaitable[None]] | None:
    """The room's votes and seats are committed by the autosave's writer thread while
    the room is open (one transaction for every vote waiting, off the facilitator's
    event loop); the server acknowledges each once it is on disk (store/autosave.py)."""
    room = app.room
    autosave = room.autosave if room is not None and room.autosaving else None
    if autosave is None:
        return None  # nothing autosaves: acknowledged at once, as before
    autosave.start_writer(asyncio.get_running_loop().call_soon_threadsafe)

    def durable() -> Awaitable[None]:
        return asyncio.wrap_future(autosave.durable())

    return durable


def _stop_writer(app: TriageApp) -> None:
    """The room closed: the writer thread stops, every vote it had is committed."""
    room = app.room
    if room is not None and room.autosave is not None:
        room.autosave.stop_writer()


async def close_room(app: TriageApp, *, then: Callable[[], None] | None = None) -> None:
    """Stop the server (the votes stay in the session) and take the panel away; then
    call `then` (the app closing its workshop on quit), room or not."""
    try:
        await _close(app)
    finally:
        if then is not None:
            then()


async def _close(app: TriageApp) -> None:
    room = room_of(app)
    if room is None:
        return
    app._vote_room = None  # type: ignore[attr-defined]
    await room.server.stop()
    _stop_writer(app)
    if not app.is_running or not app.screen_stack:
        return  # quitting: the screens are going anyway
    # The screen in view now; the others drop theirs when shown again (`attach`).
    for screen in app.screen_stack:
        panel = _panel_of(screen)
        if panel is not None:
            screen.remove_class("-room")
            await panel.remove()
        links = screen.query(RoomLink)
        if screen is app.screen and links:
            links.first().closing()  # "room closed" where the link was, for a moment
        else:
            await links.remove()
    refresh_room = getattr(app.screen, "room_changed", None)
    if refresh_room is not None:
        refresh_room()


def attach(screen: PhaseScreen) -> None:
    """Show the panel on `screen` when the room is open (and it is a room screen), or
    take it away."""
    room = room_of(screen.triage)
    panel = _panel_of(screen)
    wanted = room is not None and screen.PHASE in PANEL_PHASES
    if room is not None and wanted and panel is None:
        # Beside the item (in the screen's body row), or docked where there is none (Plan).
        bodies = screen.query("#cat-body, #ready-body")
        if bodies:
            bodies.first().mount(RoomPanel(id="room-panel"))
        else:
            # Docked on the screen's right, whole height: mounted first, so the phase bar
            # and the Footer (docked too, later) are drawn over its top and bottom rows
            # (it covered the phase bar's clock on Plan); its padding keeps its text
            # clear of them.
            screen.mount(RoomPanel(id="room-panel", classes="-docked"), before=0)
        links = screen.query(RoomLink)
        if links:
            links.first().show(room.server.url)  # the room closed a moment ago: back
        else:
            # The link's own line, under the phase bar (the first of the screen's flow).
            bars = screen.query(PhaseBar)
            after = bars.first() if bars else None
            screen.mount(RoomLink(id="room-link"), after=after)
        screen.add_class("-room")
    elif not wanted and panel is not None:
        screen.remove_class("-room")
        panel.remove()
        screen.query(RoomLink).remove()


def follow(screen: PhaseScreen) -> None:
    """The room follows what `screen` shows (its current item, or nothing to vote on)."""
    room = room_of(screen.triage)
    if room is None:
        return
    workshop = screen.triage.workshop
    if workshop is None or workshop.session is not room.server.session:
        # Another backlog was opened: the room voted on the one that is gone.
        screen.triage.run_worker(close_room(screen.triage), exclusive=False)
        return
    item = getattr(screen, "current", None) if screen.PHASE in votes.VOTING_PHASES else None
    room.server.follow(item, screen.PHASE)


def room_suggestion_line(app: TriageApp, item_id: str) -> Text | None:
    """ "The room: 3 of 4 said project" for the Categorize suggestion, once revealed."""
    workshop = app.workshop
    if workshop is None:
        return None
    decision = workshop.session.decisions.get(item_id)
    if decision is None or not votes.is_revealed(decision):
        return None
    tally = votes.tally(decision)
    if not tally.total:
        return None
    line = Text()
    line.append("The room: ", style="bold")
    if tally.majority is not None:
        line.append(f"{tally.majority.value.upper()}", style="bold reverse")
        line.append(f"  {tally.counts[tally.majority]} of {tally.total}")
    else:  # ("split" once: the words begin with it; the walk saw "split  split: ...")
        words = tally.describe().removeprefix("split: ")
        line.append("split", style="bold")
        line.append(f"  {words}")
    return line
