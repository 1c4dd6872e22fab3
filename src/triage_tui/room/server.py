"""The vote server: aiohttp in the app's event loop, one secret link, seats in cookies.

Routes (all under the room's secret; any other path is a plain 404):
    GET  /r/SECRET              the participant's page (HTML, CSS and JS from this package)
    GET  /r/SECRET/room.css     its style;  GET /r/SECRET/room.js  its script
    GET  /r/SECRET/state        the room as this seat sees it (JSON)
    GET  /r/SECRET/events       the same, live (Server-Sent Events; the browser reconnects)
    POST /r/SECRET/join         take a seat (or take back this cookie's): {name, spectator}
    POST /r/SECRET/vote         vote on the facilitator's current item and phase

Safe by design: the secret is 128 random bits; a seat is a random token in an HttpOnly,
SameSite=Strict cookie scoped to the room's path (a reload or a second tab takes back
the same seat). The link and the seats are kept with the session (core.votes: the
secret and port, each seat under the SHA-256 of its token, never the token), so the
autosave gives them back: a room closed and reopened, or an app restarted after a
crash, has the same link, and a returning phone the same seat. Every POST must come
from the room's own page (Origin checked); bodies over 4 KB are refused (413) and each
seat's requests are rate limited (429); votes count only for the current item and phase
(409 otherwise); participant text passes core.sanitize's boundary (core.votes). Hidden votes never leave the server before the
facilitator reveals them: a seat sees its own vote and how many have voted.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ipaddress
import json
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from aiohttp import web

from triage_tui.core import votes
from triage_tui.core.model import Item
from triage_tui.core.readiness import CRITERIA_BY_NUMBER
from triage_tui.core.session import Category, Mark, Session, Step

#: Largest request body taken (a vote with a 200-character reason is ~400 bytes).
MAX_BODY = 4096
#: Per seat: a burst of this many requests, then this many a second.
RATE_BURST = 12
RATE_PER_SECOND = 2.0
#: Joins from one address: a burst, then a rate (a page reloaded keeps its seat). A
#: whole room may come from one address (a NAT, a proxy): 60 at once, then 2 a second.
JOIN_BURST = 60
JOIN_PER_SECOND = 2.0
#: At most this many seats in one room.
MAX_SEATS = 300
#: A seat with no event stream yet counts as in the room while it was seen this recently
#: (seconds); one with an open stream counts while it is open.
HERE_SECONDS = 45.0
#: A seat whose last event stream closed (a browser killed, a phone gone) counts as gone
#: this many seconds later, unless a stream opens again: a reload, a second tab, or a
#: phone back after a blip (the page retries after 1.5 s) takes the seat back, no ghost.
#: (It counted for HERE_SECONDS, holding the auto-reveal that long.)
LEFT_GRACE = 5.0
#: The same when the page said it was going (`leave`, sent on pagehide): a reload says so
#: too, and is back within this. It applies only to a stream closing within
#: LEAVING_WINDOW seconds of that word: a late `leave` (after a reload's stream opened)
#: or another tab's does not shorten the grace of a stream that closes later.
LEAVING_GRACE = 1.5
LEAVING_WINDOW = 2.0
#: Keep-alive comment on an idle event stream (seconds).
KEEPALIVE_SECONDS = 15.0
#: The seat cookie's name and lifetime (a workshop day).
COOKIE = "triage_seat"
COOKIE_MAX_AGE = 12 * 3600

PAGE_FILES = {"room.css": "text/css", "room.js": "text/javascript"}
#: What a phone reads when its vote or seat could not be saved (the autosave failing).
NOT_SAVED = (
    "The facilitator's computer could not save this yet (it keeps it and retries); "
    "tap again in a moment."
)
#: The room's changes are sent to the pages at most this often (seconds), the last
#: state always (trailing edge): 50 votes in a second are a few messages a phone, not 50.
STREAM_GATHER = 0.25
#: Streams woken in one turn of the event loop by a broadcast (the rest in the next ones).
WAKE_AT_ONCE = 8
#: The step fields of an item a participant's page shows.
_ROOM_FIELDS = ("vote.", "rvote.", "revealed", "category")

_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the link holds the secret
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address or name (only this machine can reach it)."""
    if host in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def lan_address() -> str:
    """This machine's address on its LAN (the route out, no packet sent), or loopback."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("10.255.255.255", 1))  # UDP connect: picks a route, sends nothing
        address = str(probe.getsockname()[0])
        if address and not address.startswith("0."):
            return address
    return "127.0.0.1"


class _Bucket:
    """A token bucket: `burst` at once, then `rate` a second."""

    def __init__(self, burst: float, rate: float, now: float) -> None:
        self.burst, self.rate = burst, rate
        self.tokens, self.at = burst, now

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


@dataclass
class Seat:
    """One participant's place in the room.

    Attributes:
        id: the public seat id votes are recorded under (never the token).
        key: the SHA-256 of the cookie's secret token (`seat_key`); the token itself is
            kept nowhere but in the participant's cookie.
        name: the optional name (one clean line).
        spectator: watches without voting.
        seen: monotonic time of its last request or keep-alive.
        streams: event streams open now (tabs).
        grace: once it had a stream, seconds it counts after its last one closed
            (LEFT_GRACE, or LEAVING_GRACE when the page said it was going); 0: it never
            had one (HERE_SECONDS from `seen`).
        leaving_at: monotonic time of its last `leave` (a page said it was going).
    """

    id: str
    key: str
    name: str = ""
    spectator: bool = False
    seen: float = 0.0
    streams: int = 0
    grace: float = 0.0
    leaving_at: float = float("-inf")
    bucket: _Bucket | None = field(default=None, repr=False)


@dataclass(frozen=True)
class RoomStatus:
    """What the facilitator's panel shows.

    Attributes:
        url: the join link.
        loopback: only this machine can reach it.
        item_id, phase: what the room votes on now ("" item: nothing to vote on).
        joined: voting seats in the room now; spectators: watchers in it now.
        voted: voting seats that have voted on the current item and phase.
        waiting: names (or "seat N") of the seats in the room that have not voted.
        revealed: the votes on the current item and phase are shown.
        tally: the Categorize tally (counts only before reveal are not given: None).
        readiness: per criterion counts once revealed on Readiness, else {}.
        any_votes: someone has voted in this room since it opened, or on this item.
        marking: on Readiness, seats that marked some criteria but not all seven yet
            (they count as voted once all seven are marked).
    """

    url: str
    loopback: bool
    item_id: str
    phase: str
    joined: int
    spectators: int
    voted: int
    waiting: tuple[str, ...]
    revealed: bool
    tally: votes.Tally | None
    readiness: dict[int, dict[Mark, int]]
    any_votes: bool
    marking: int = 0


def seat_key(token: str) -> str:
    """What the room keeps of a seat's cookie token: its SHA-256 (the token is 192
    random bits, so no salt is needed to keep it from being guessed back)."""
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


class VoteServer:
    """The room's vote server over one session.

    Args:
        session: the workshop's session: every vote is a step on it.
        host: the address to listen on (loopback by default).
        port: the port (0: the one the session's room last had if it is free, else any).
        secret: the link's secret (default: the one kept with the session, else a new one).
        now: monotonic clock (tests move it).
        on_change: called after anything the facilitator's panel shows changed (a vote,
            a join, a reveal); the TUI redraws from `status()`.
        render: item -> safe HTML of its description (default: `page.item_html`).
        durable: awaited before a vote or a seat is acknowledged to its phone: done
            once every step applied so far is on disk (the autosave's `durable`);
            raises OSError when the write failed. None: acknowledged at once.
    """

    def __init__(
        self,
        session: Session,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        secret: str | None = None,
        now: Callable[[], float] = time.monotonic,
        on_change: Callable[[], None] | None = None,
        render: Callable[[Item], str] | None = None,
        durable: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.session = session
        self.durable = durable
        self.host = host
        self.port = port
        kept = session.room
        self.secret = secret or str(kept.get("secret") or "") or secrets.token_urlsafe(16)
        self._kept_port = int(kept.get("port") or 0) if kept.get("secret") == self.secret else 0
        # The link is the session's from now on (autosaved: a restart gives it back).
        votes.keep_room_link(session, self.secret, self._kept_port or port)
        self.now = now
        self.on_change = on_change
        if render is None:
            from triage_tui.room.page import item_html

            render = item_html
        self._render = render
        self._html: dict[str, str] = {}
        self.seats: dict[str, Seat] = {}  # seat_key(token) -> seat
        for key, kept_seat in session.room_seats.items():  # the session's, back again
            self.seats[key] = Seat(
                id=kept_seat.get("id", ""),
                key=key,
                name=kept_seat.get("name", ""),
                spectator=bool(kept_seat.get("spectator")),
            )
        self._joins: dict[str, _Bucket] = {}  # remote address -> bucket
        self.item: Item | None = None
        self.phase = ""
        self.version = 0
        self.any_votes = False
        self._wakers: set[asyncio.Event] = set()
        self._runner: web.AppRunner | None = None
        self._site_host = host
        self._loopback = is_loopback(host)
        self._broadcast: asyncio.TimerHandle | None = None
        self._published = 0  # the version the pages were last woken for
        self.app = self._make_app()
        session.listeners.append(self._on_step)

    # -- the facilitator's side -----------------------------------------------------
    @property
    def link_host(self) -> str:
        """The host the join link names (a wildcard bind names the LAN address)."""
        if self.host in ("0.0.0.0", "::", ""):
            return lan_address()
        return self.host

    @property
    def url(self) -> str:
        """The join link, `http://HOST:PORT/r/SECRET`."""
        host = self.link_host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}/r/{self.secret}"

    @property
    def loopback(self) -> bool:
        """Only this machine can reach the room."""
        return self._loopback

    def follow(self, item: Item | None, phase: str) -> None:
        """The facilitator's screen shows `item` in `phase` now: the room follows it."""
        item = item if phase in votes.VOTING_PHASES else None
        if (item.id if item else "", phase) == (self.item.id if self.item else "", self.phase):
            return
        self.item, self.phase = item, phase
        self._changed()

    def reveal(self) -> bool:
        """Show the votes on the current item (the `r` key). False: nothing to reveal."""
        if self.item is None:
            return False
        return votes.reveal(self.session, self.item.id, self.phase) is not None

    def revote(self) -> bool:
        """The room votes again on the current item (ctrl+r): its votes cleared."""
        if self.item is None:
            return False
        return votes.revote(self.session, self.item.id, self.phase) is not None

    def status(self) -> RoomStatus:
        """What the facilitator's panel shows now."""
        now = self.now()
        here = [seat for seat in self.seats.values() if self._here(seat, now)]
        voting = [seat for seat in here if not seat.spectator]
        voting_ids = {seat.id for seat in voting}
        item, phase = self.item, self.phase
        voted_ids: set[str] = set()
        revealed = False
        marking = 0
        tally: votes.Tally | None = None
        readiness: dict[int, dict[Mark, int]] = {}
        if item is not None:
            decision = self.session.decisions[item.id]
            voted_ids = votes.voters(decision, phase)
            revealed = votes.is_revealed(decision, phase)
            if phase == votes.READINESS:
                started = decision.readiness_votes.keys() - voted_ids
                marking = sum(
                    1
                    for seat in started
                    if any(k != "name" for k in decision.readiness_votes[seat])
                )
            if revealed and phase == votes.CATEGORIZE:
                tally = votes.tally(decision)
            elif revealed:
                readiness = votes.readiness_tally(decision)
        waiting = tuple(
            seat.name or f"seat {index}"
            for index, seat in enumerate(self._ordered(), 1)
            if seat.id in voting_ids and seat.id not in voted_ids
        )
        return RoomStatus(
            url=self.url,
            loopback=self.loopback,
            item_id=item.id if item else "",
            phase=phase,
            joined=len(voting),
            spectators=len(here) - len(voting),
            voted=len(voted_ids),
            waiting=waiting if item is not None else (),
            revealed=revealed,
            tally=tally,
            readiness=readiness,
            any_votes=self.any_votes or bool(voted_ids),
            marking=marking,
        )

    async def start(self) -> str:
        """Listen (in the running event loop); returns the join link, which is kept with
        the session (the same link when the room opens again)."""
        # handler_cancellation: a page that goes away (a browser killed) ends its event
        # stream's handler at once, so the seat's grace starts then; without it the stream
        # only noticed at its next write (a keep-alive, up to 15 s later). A vote whose
        # phone went away is in the session already (applied before its reply waits for
        # the disk; the autosave ignores a waiter that is gone). aiohttp's test server
        # runs handlers this way too.
        self._runner = web.AppRunner(
            self.app,
            access_log=None,
            handle_signals=False,
            shutdown_timeout=2.0,
            handler_cancellation=True,
        )
        await self._runner.setup()
        site = None
        if not self.port and self._kept_port:
            # The port the room had: the pages still open reconnect by themselves.
            site = web.TCPSite(self._runner, self.host, self._kept_port, reuse_address=True)
            try:
                await site.start()
            except OSError:
                site = None  # taken meanwhile: any free port (a new link's port)
        if site is None:
            site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
            await site.start()
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        votes.keep_room_link(self.session, self.secret, self.port)
        return self.url

    async def stop(self) -> None:
        """Close every stream and stop listening; the session keeps every vote."""
        with contextlib.suppress(ValueError):
            self.session.listeners.remove(self._on_step)
        self._closing = True
        if self._broadcast is not None:
            self._broadcast.cancel()
            self._broadcast = None
        for waker in list(self._wakers):
            waker.set()
        if self._wakers:
            await asyncio.sleep(0.1)  # each stream says goodbye and ends
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    _closing = False

    # -- internals --------------------------------------------------------------------
    def _ordered(self) -> list[Seat]:
        return sorted(self.seats.values(), key=lambda seat: seat.id)

    def _here(self, seat: Seat, now: float) -> bool:
        if seat.streams > 0:
            return True
        return now - seat.seen <= (seat.grace or HERE_SECONDS)

    def recount(self) -> None:
        """Who is here may have changed (a seat's grace ran out): the panel counts again,
        and the auto-reveal no longer waits for a seat that is gone."""
        if self._closing:
            return
        self._auto_reveal()
        self._changed()

    def _on_step(self, step: Step) -> None:
        # What the room sees of the current item (its votes, reveal, decision) or the
        # session's name setting: every page and the panel redraw. A signal ticked, a
        # note or the clock are the facilitator's: no page is woken for them.
        current = self.item.id if self.item is not None else None
        if any(
            (op.target == current and op.name.startswith(_ROOM_FIELDS)) or op.name == "votes_named"
            for op in step.ops
        ):
            self._changed()

    def _changed(self) -> None:
        """Something the pages or the panel show changed: the pages are woken at most
        once every STREAM_GATHER seconds (soon after a quiet spell; the last state is
        always sent), and the panel is told (it gathers its own redraws)."""
        self.version += 1
        if self._broadcast is None and self._wakers:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                self._publish()  # no loop (a test calling in directly): wake them now
            else:  # soon after a quiet spell, else when the last broadcast is old enough
                wait = self._published_at + STREAM_GATHER - loop.time()
                self._broadcast = loop.call_later(max(0.02, wait), self._publish)
        if self.on_change is not None:
            self.on_change()

    _published_at = -1e9  # the loop's time of the last broadcast

    def _publish(self) -> None:
        self._broadcast = None
        self._published = self.version
        with contextlib.suppress(RuntimeError):
            self._published_at = asyncio.get_running_loop().time()
        self._wake(list(self._wakers))

    def _wake(self, wakers: list[asyncio.Event]) -> None:
        """Wake the streams a few at a time, one turn of the loop each: fifty pages written
        in one go held a facilitator's key press for as long (bench/room_load.py)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None  # (no loop: no stream waits either; wake them all)
        now, later = (wakers[:WAKE_AT_ONCE], wakers[WAKE_AT_ONCE:]) if loop else (wakers, [])
        for waker in now:
            waker.set()
        if later and loop is not None:
            loop.call_soon(self._wake, later)

    def _make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY, middlewares=[self._guard])
        base = f"/r/{self.secret}"
        app.router.add_get(base, self._to_page)
        app.router.add_get(base + "/", self._page)
        app.router.add_get(base + "/state", self._state)
        app.router.add_get(base + "/events", self._events)
        app.router.add_post(base + "/join", self._join)
        app.router.add_post(base + "/vote", self._vote)
        app.router.add_post(base + "/leave", self._leave)
        for name in PAGE_FILES:
            app.router.add_get(f"{base}/{name}", self._asset)
        app.router.add_get("/favicon.ico", self._no_icon)
        return app

    @web.middleware
    async def _guard(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        if request.method not in ("GET", "HEAD") and not self._same_origin(request):
            response: web.StreamResponse = _error(403, "This room only takes votes from its page.")
        else:
            try:
                response = await handler(request)
            except web.HTTPRequestEntityTooLarge:
                response = _error(413, "Too much text.")
            except web.HTTPException as error:
                response = _error(error.status, error.reason)
        if not response.prepared:
            response.headers.update(_SECURITY_HEADERS)
        return response

    def _origins(self) -> set[str]:
        hosts = {self.link_host, self.host}
        if self.loopback:
            hosts |= {"127.0.0.1", "localhost", "[::1]"}
        return {f"http://{host}:{self.port}" for host in hosts if host}

    def _same_origin(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin", "")
        return origin in self._origins()

    def _seat(self, request: web.Request) -> Seat | None:
        token = request.cookies.get(COOKIE, "")
        seat = self.seats.get(seat_key(token)) if token and len(token) <= 64 else None
        if seat is not None:
            seat.seen = self.now()
        return seat

    def _limited(self, seat: Seat) -> bool:
        now = self.now()
        if seat.bucket is None:
            seat.bucket = _Bucket(RATE_BURST, RATE_PER_SECOND, now)
        return not seat.bucket.take(now)

    async def _to_page(self, request: web.Request) -> web.StreamResponse:
        # The page's own files and endpoints are relative to the room's folder.
        return web.Response(status=302, headers={"Location": f"/r/{self.secret}/"})

    async def _page(self, request: web.Request) -> web.StreamResponse:
        from triage_tui.room.page import page_html

        self._seat(request)
        return web.Response(text=page_html(), content_type="text/html", charset="utf-8")

    async def _asset(self, request: web.Request) -> web.StreamResponse:
        name = request.path.rsplit("/", 1)[-1]
        text = resources.files("triage_tui.room").joinpath("static", name).read_text("utf-8")
        return web.Response(text=text, content_type=PAGE_FILES[name], charset="utf-8")

    async def _no_icon(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=204)

    async def _state(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self.view(self._seat(request)))

    async def _events(self, request: web.Request) -> web.StreamResponse:
        seat = self._seat(request)
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "X-Accel-Buffering": "no",
                **_SECURITY_HEADERS,
            }
        )
        await response.prepare(request)
        waker = asyncio.Event()
        self._wakers.add(waker)
        if seat is not None:
            seat.streams += 1
            seat.grace = LEFT_GRACE
            self._changed()  # the panel counts who is here
        try:
            await response.write(b"retry: 1500\n\n")
            sent = -1
            shown: tuple[str, str] | None = None  # the item and phase whose spec it has
            while not self._closing:
                # The first message now; then what `_publish` woke this stream for (every
                # stream at once, a few times a second at most, each the latest state).
                if sent == -1 or sent != self._published:
                    sent = self._published
                    now_showing = (self.item.id if self.item else "", self.phase)
                    data = self.view_json(seat, spec=now_showing != shown)
                    shown = now_showing
                    await response.write(f"event: state\ndata: {data}\n\n".encode())
                    continue
                waker.clear()  # then look again: nothing set before this is lost
                if sent != self._published or self._closing:
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waker.wait(), KEEPALIVE_SECONDS)
                if sent == self._published and not self._closing:
                    await response.write(b": keep-alive\n\n")
                    if seat is not None:
                        seat.seen = self.now()
            if self._closing:
                await response.write(b'event: closed\ndata: {"closed":true}\n\n')
        except ConnectionResetError:
            pass  # the phone went away; it reconnects by itself
        finally:
            self._wakers.discard(waker)
            if seat is not None:
                seat.streams -= 1
                seat.seen = self.now()
                if not self._closing:
                    self._changed()
                    if not seat.streams:
                        # Its page said it was going just now (a tab closed, a reload):
                        # the short grace; any other close (a blip, a killed browser,
                        # a leave long before): the usual one.
                        left = seat.seen - seat.leaving_at <= LEAVING_WINDOW
                        seat.grace = LEAVING_GRACE if left else LEFT_GRACE
                        self._gone_later(seat)
        return response

    def _gone_later(self, seat: Seat) -> None:
        """Count again once `seat`'s grace ran out, if no stream of it opened meanwhile."""

        def check() -> None:
            if not seat.streams:
                self.recount()

        with contextlib.suppress(RuntimeError):  # (no loop: a test counts by itself)
            asyncio.get_running_loop().call_later(seat.grace + 0.05, check)

    async def _leave(self, request: web.Request) -> web.StreamResponse:
        """The page is going (pagehide: a tab closed, or a reload): once its stream
        closes, the seat counts for LEAVING_GRACE only (a reload is back within it)."""
        seat = self._seat(request)
        if seat is None:
            return _error(403, "Join the room first.")
        if self._limited(seat):
            return _error(429, "Slow down a little.")
        seat.leaving_at = self.now()
        if not seat.streams:  # its stream closed first: the short grace from now
            seat.grace = LEAVING_GRACE
            self._gone_later(seat)
        return web.Response(status=204)

    async def _body(self, request: web.Request) -> dict[str, Any]:
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=0)
        raw = await request.read()
        try:
            data = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, ValueError):
            raise web.HTTPBadRequest(reason="Not JSON.") from None
        if not isinstance(data, dict):
            raise web.HTTPBadRequest(reason="Not a JSON object.")
        return data

    async def _join(self, request: web.Request) -> web.StreamResponse:
        data = await self._body(request)
        now = self.now()
        seat = self._seat(request)
        if seat is None:
            address = request.remote or ""
            bucket = self._joins.setdefault(address, _Bucket(JOIN_BURST, JOIN_PER_SECOND, now))
            if not bucket.take(now):
                return _error(429, "Too many joins; wait a moment.")
            if len(self.seats) >= MAX_SEATS:
                return _error(503, "The room is full.")
            token = secrets.token_urlsafe(24)
            taken = {other.id for other in self.seats.values()}
            seat_id = secrets.token_hex(4)
            while seat_id in taken:
                seat_id = secrets.token_hex(4)
            seat = Seat(id=seat_id, key=seat_key(token), seen=now)
            self.seats[seat.key] = seat
        elif self._limited(seat):
            return _error(429, "Slow down a little.")
        else:
            token = request.cookies[COOKIE]
        seat.name = votes.one_line(str(data.get("name", "") or ""), votes.NAME_LIMIT)
        seat.spectator = bool(data.get("spectator", False))
        # Kept with the session (autosaved): the seat outlives this server.
        votes.record_seat(self.session, seat.key, seat.id, seat.name, seat.spectator)
        self._changed()
        # The seat exists (and its step is retried with the next write) whether or not
        # it is on disk yet: the cookie goes with a 503 too, so the phone's retry takes
        # this seat back instead of leaving it behind as a ghost with the same name.
        saved = await self._saved()
        response = web.json_response(self.view(seat)) if saved else _error(503, NOT_SAVED)
        response.set_cookie(
            COOKIE,
            token,
            path=f"/r/{self.secret}",
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Strict",
        )
        return response

    async def _vote(self, request: web.Request) -> web.StreamResponse:
        data = await self._body(request)
        seat = self._seat(request)
        if seat is None:
            return _error(403, "Join the room first.")
        if self._limited(seat):
            return _error(429, "Slow down a little.")
        if seat.spectator:
            return _error(403, "Spectators watch; join as a voter to vote.")
        item = self.item
        if item is None or data.get("item") != item.id or data.get("phase") != self.phase:
            return _error(409, "The room has moved on: this is not the item on screen now.")
        try:
            if self.phase == votes.CATEGORIZE:
                votes.cast_vote(
                    self.session,
                    item.id,
                    seat.id,
                    str(data.get("vote", "")),
                    str(data.get("reason", "") or ""),
                    seat.name,
                )
            else:
                criterion = data.get("criterion")
                if isinstance(criterion, bool) or not isinstance(criterion, int):
                    return _error(400, "Which criterion (1 to 7)?")
                mark = data.get("mark")
                votes.cast_readiness_vote(
                    self.session,
                    item.id,
                    seat.id,
                    criterion,
                    None if mark is None else str(mark),
                    seat.name,
                )
        except votes.VoteRejected as error:
            status = 409 if "revealed" in str(error) else 400
            return _error(status, str(error))
        self.any_votes = True
        self._auto_reveal()
        self._changed()
        # Acknowledged once it is on disk: a crash after this reply loses no vote.
        if not await self._saved():
            return _error(503, NOT_SAVED)
        # The page has this item's spec (it voted on it): the reply leaves it out, unless
        # the room moved on meanwhile. (Fifty votes a second each sent it back whole.)
        moved = self.item is None or self.item.id != item.id
        return web.Response(text=self.view_json(seat, spec=moved), content_type="application/json")

    async def _saved(self) -> bool:
        """Wait until every step applied so far is on disk; False if that failed (the
        facilitator's app says why; the step stays in memory and is retried)."""
        if self.durable is None:
            return True
        try:
            await self.durable()
        except OSError:
            return False
        return True

    def _auto_reveal(self) -> None:
        """Reveal once every voting seat in the room (two at least) has voted."""
        item = self.item
        if item is None:
            return
        now = self.now()
        voted = votes.voters(self.session.decisions[item.id], self.phase)
        # One seat is not a room: the first phone to join would reveal its own vote
        # before anyone else arrived and close the item to everyone who joins later
        # (seen walking the room). With one voter the facilitator reveals with `r`.
        if not voted:
            return
        here = 0
        for seat in self.seats.values():  # (stops at the first seat still to vote)
            if not seat.spectator and self._here(seat, now):
                if seat.id not in voted:
                    return
                here += 1
        seats = sum(1 for s in self.seats.values() if not s.spectator)
        if here and seats >= votes.AUTO_REVEAL_MIN_SEATS:
            votes.reveal(self.session, item.id, self.phase)

    def view(self, seat: Seat | None) -> dict[str, Any]:
        """The room as `seat` sees it (None: someone who has not joined)."""
        view = dict(self._shared())
        view.update(self._own(seat))
        return view

    def view_json(self, seat: Seat | None, *, spec: bool = True) -> str:
        """`view(seat)` as JSON: the part every seat shares is serialized once a change.
        `spec=False` leaves the item's description out (a page that has it already: an
        event stream sends it once an item and phase, not with every vote)."""
        shared = self._shared_json(spec=spec)
        own = json.dumps(self._own(seat), separators=(",", ":"))
        return shared[:-1] + "," + own[1:] if own != "{}" else shared

    #: (version, shared view, its JSON, its JSON without the item's description)
    _shared_cache: tuple[int, dict[str, Any], str, str] | None = None

    def _shared_json(self, *, spec: bool = True) -> str:
        self._shared()
        assert self._shared_cache is not None
        return self._shared_cache[2] if spec else self._shared_cache[3]

    def _shared(self) -> dict[str, Any]:
        """What every seat sees alike, computed once per change (`version`)."""
        cached = self._shared_cache
        if cached is not None and cached[0] == self.version:
            return cached[1]
        # The counts only (`status()` also sorts the seats for the names awaited, which
        # no page shows): this runs once a change, a vote's reply included.
        item = self.item
        now = self.now()
        joined = sum(1 for s in self.seats.values() if not s.spectator and self._here(s, now))
        revealed = False
        voted = 0
        if item is not None:
            decision = self.session.decisions[item.id]
            voted = len(votes.voters(decision, self.phase))
            revealed = votes.is_revealed(decision, self.phase)
        shared: dict[str, Any] = {
            "version": self.version,
            "phase": self.phase,
            "item": None,
            "joined": joined,
            "voted": voted,
            "revealed": revealed,
        }
        if item is not None:
            decision = self.session.decisions[item.id]
            html = self._html.get(item.id)
            if html is None:
                html = self._html[item.id] = self._render(item)
            shared["item"] = {"id": item.id, "title": item.title, "html": html}
            category = decision.category
            shared["decided"] = "" if category is Category.UNDECIDED else category.value
            if self.phase == votes.CATEGORIZE:
                shared["choices"] = [
                    {"value": choice.value, "label": votes.VOTE_WORDS[choice]}
                    for choice in votes.VOTE_CHOICES
                ]
            else:
                shared["criteria"] = [
                    {"number": number, "name": criterion.name, "question": criterion.question}
                    for number, criterion in sorted(CRITERIA_BY_NUMBER.items())
                ]
            if revealed:
                shared["tally"] = self._revealed(decision)
        full = json.dumps(shared, separators=(",", ":"))
        lite = full
        if shared["item"] is not None:
            brief = {key: value for key, value in shared["item"].items() if key != "html"}
            lite = json.dumps({**shared, "item": brief}, separators=(",", ":"))
        self._shared_cache = (self.version, shared, full, lite)
        return shared

    def _own(self, seat: Seat | None) -> dict[str, Any]:
        """What only `seat` sees: itself and its own vote (hidden from the others)."""
        own: dict[str, Any] = {
            "seat": None
            if seat is None
            else {"name": seat.name, "spectator": seat.spectator, "id": seat.id}
        }
        item = self.item
        if item is None:
            return own
        decision = self.session.decisions[item.id]
        if self.phase == votes.CATEGORIZE:
            mine = decision.votes.get(seat.id) if seat is not None else None
            own["mine"] = {"vote": mine["vote"], "reason": mine.get("reason", "")} if mine else None
        else:
            marks = decision.readiness_votes.get(seat.id) if seat is not None else None
            own["mine"] = (
                {key: value for key, value in marks.items() if key != "name"} if marks else None
            )
        return own

    def _revealed(self, decision: Any) -> dict[str, Any]:
        named = self.session.votes_named
        if self.phase == votes.CATEGORIZE:
            counted = votes.tally(decision)
            return {
                "counts": {choice.value: counted.counts[choice] for choice in votes.VOTE_CHOICES},
                "majority": counted.majority.value if counted.majority else "",
                "words": counted.describe(),
                "reasons": [
                    {
                        "vote": votes.VOTE_WORDS[reason.vote],
                        "text": reason.text,
                        "name": reason.name if named else "",
                    }
                    for reason in counted.reasons
                ],
            }
        return {
            "criteria": {
                str(number): {mark.value: n for mark, n in counts.items()}
                for number, counts in votes.readiness_tally(decision).items()
            }
        }


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)
