"""The facilitator's side of the room (Pilot): R opens the vote server and its panel,
participants vote over HTTP, r reveals, ctrl+r re-votes, h/p/s still decide, R and
quitting close the server."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import aiohttp

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.core import votes
from triage_tui.core.session import Category
from triage_tui.room.server import COOKIE
from triage_tui.tui.app import LaunchOptions, TriageApp
from triage_tui.tui.launch import create_app
from triage_tui.tui.vote_room import RoomPanel, qr_text, room_of
from triage_tui.tui.widgets.clamped import ClampedText
from triage_tui.tui.widgets.item_list import ItemList
from triage_tui.tui.widgets.row_text import RowText

WIDE = (120, 36)
NARROW = (80, 24)


class Participant:
    """One phone: its own cookie jar, the room's Origin on every POST."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/") + "/"
        self.origin = url.split("/r/")[0]
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def join(self, name: str = "", spectator: bool = False) -> dict[str, Any]:
        async with self.http.post(
            self.url + "join",
            json={"name": name, "spectator": spectator},
            headers={"Origin": self.origin},
        ) as response:
            assert response.status == 200, await response.text()
            return dict(await response.json())

    async def state(self) -> dict[str, Any]:
        async with self.http.get(self.url + "state") as response:
            return dict(await response.json())

    async def vote(self, choice: str, reason: str = "") -> int:
        view = await self.state()
        body = {
            "item": view["item"]["id"],
            "phase": view["phase"],
            "vote": choice,
            "reason": reason,
        }
        async with self.http.post(
            self.url + "vote", json=body, headers={"Origin": self.origin}
        ) as response:
            return response.status

    async def close(self) -> None:
        await self.http.close()


def panel_text(app: TriageApp) -> str:
    return app.screen.query_one(RoomPanel).shown


def current_id(app: TriageApp) -> str:
    item_list = app.screen.query_one(ItemList)
    return item_list.items[item_list.cursor].id


async def begin(pilot: Any, app: TriageApp) -> None:
    await wait_loaded(pilot, app)
    await pilot.press("enter")
    await pilot.pause()
    assert app.current_mode == "categorize"


async def settle(pilot: Any) -> None:
    """Until the panel drew the room's last change (it gathers REDRAW_GATHER seconds of
    changes a redraw), and the screen after it."""
    for _ in range(3):
        await pilot.pause(0.06)
    room = room_of(pilot.app)
    for _ in range(100):
        if room is None or not room._pending:
            break
        await pilot.pause(0.02)
    await pilot.pause()


async def test_the_room_votes_and_the_facilitator_decides(acme: Path, clock: FrozenClock) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot, app)
        assert not app.screen.query(RoomPanel)
        await pilot.press("R")
        await settle(pilot)
        room = room_of(app)
        assert room is not None
        url = room.server.url
        assert url.startswith("http://127.0.0.1:") and "/r/" in url
        assert app.screen.query_one(RoomPanel).display
        text = panel_text(app)
        assert url in text and "0 joined" in text
        first = current_id(app)
        ana, bo, cy = Participant(url), Participant(url), Participant(url)
        try:
            await ana.join("Ana")
            await bo.join("Bo")
            await cy.join("Cy", spectator=True)
            assert (await ana.state())["item"]["id"] == first
            assert await ana.vote("project", "a migration with an end") == 200
            await settle(pilot)
            text = panel_text(app)
            assert "2 joined · 1 watching" in text and "1 of 2 voted" in text
            assert "Waiting for: Bo" in text and "project" not in text  # hidden
            # r reveals; the tally, the reason and the room's suggestion appear.
            await pilot.press("r")
            await settle(pilot)
            text = panel_text(app)
            assert "Revealed: 1 of 1 said project" in text
            assert "“a migration with an end”" in text and "The room suggests:  PROJECT" in text
            suggest = app.screen.query_one("#item-suggest", ClampedText).text.plain
            assert suggest.startswith("The room: PROJECT  1 of 1")
            # ctrl+r: the room votes again.
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert "0 of 2 voted" in panel_text(app)
            assert not app._notifications  # no toast over the panel's counts
            assert await ana.vote("hiring") == 200
            assert await bo.vote("hiring", "the ledger needs an owner") == 200  # auto-reveal
            await settle(pilot)
            text = panel_text(app)
            assert "Revealed: all 2 said hiring" in text
            status_rows = app.screen.query_one("#room-status", RowText)
            tallest = status_rows.size.height
            # The facilitator decides against the room: the plan keeps the dissent.
            await pilot.press("p")
            await settle(pilot)
            second = current_id(app)
            assert second != first
            # The next item's status is shorter; its height stays (a layout of the whole
            # screen each item and each reveal, often inside a key's frame).
            assert "0 of 2 voted" in panel_text(app)
            assert len(status_rows.text_lines) < tallest == status_rows.size.height
            assert (await bo.state())["item"]["id"] == second  # the room follows
            decision = app.workshop.session.decision(first)  # type: ignore[union-attr]
            assert decision.category is Category.PROJECT and votes.against_majority(decision)
            # ctrl+z undoes the decision, never the room's votes.
            await pilot.press("ctrl+z")
            await settle(pilot)
            assert decision.category is Category.UNDECIDED and len(decision.votes) == 2
            # R closes the room: the server stops, the votes stay.
            await pilot.press("R")
            await settle(pilot)
            assert room_of(app) is None and not app.screen.query(RoomPanel)
            try:
                await ana.state()
                raise AssertionError("the server still answers")
            except aiohttp.ClientConnectionError:
                pass
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await settle(pilot)
        finally:
            for participant in (ana, bo, cy):
                await participant.close()
    plan = tomllib.loads(acme.with_name("acme.plan.toml").read_text())
    entry = next(item for item in plan["items"] if item["id"] == first)
    assert entry["votes"]["hiring"] == 2 and entry["votes"]["reasons"] == [
        {"vote": "hiring", "text": "the ledger needs an owner"}
    ]


async def test_quitting_with_the_room_open_closes_it(acme: Path, clock: FrozenClock) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot, app)
        await pilot.press("R")
        await settle(pilot)
        room = room_of(app)
        assert room is not None
        url = room.server.url
        phone = Participant(url)
        await phone.join("Ana")
        await pilot.press("ctrl+q")
        await settle(pilot)
    try:
        await phone.state()
        raise AssertionError("the server outlived the app")
    except aiohttp.ClientConnectionError:
        pass
    finally:
        await phone.close()


async def test_r_and_ctrl_r_do_nothing_and_hide_while_the_room_is_closed(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot, app)
        assert app.screen.check_action("room_reveal", ()) is False
        await pilot.press("r", "ctrl+r")
        assert room_of(app) is None


async def test_the_panel_follows_readiness_and_plan(acme: Path, clock: FrozenClock) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot, app)
        await pilot.press("p")
        await pilot.press("R")
        await settle(pilot)
        room = room_of(app)
        assert room is not None
        await pilot.press("f4")
        await settle(pilot)
        assert app.current_mode == "readiness" and app.screen.query(RoomPanel)
        assert room.server.phase == "readiness" and room.server.item is not None
        await pilot.press("f5")
        await settle(pilot)
        assert room.server.phase == "plan" and room.server.item is None
        assert "Nothing to vote on in plan" in panel_text(app)
        await pilot.press("f2")
        await settle(pilot)
        assert not app.screen.query(RoomPanel) and room.server.item is None
        await pilot.press("R")  # not a room screen: Start has no R
        assert room_of(app) is not None


def test_the_qr_code_is_dark_on_light_half_blocks() -> None:
    text = qr_text("http://127.0.0.1:41234/r/abcdefghijklmnopqrstuv")
    lines = text.plain.split("\n")
    assert len({len(line) for line in lines}) == 1 and len(lines[0]) <= 37
    assert set("".join(lines)) <= set(" █▀▄")
    assert str(text.style) == "#000000 on #ffffff"


def test_a_room_cookie_is_named_for_the_app() -> None:
    assert COOKIE == "triage_seat"


async def test_r_r_and_ctrl_r_fit_the_footer_at_120_columns(acme: Path, clock: FrozenClock) -> None:
    """Categorize and Readiness, room closed and open: R (and r, ctrl+r while open) are in
    the Footer, and no label is cut by the palette key."""
    from tests.functional.test_glitches import footer_keys

    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot, app)
        assert app.workshop is not None
        app.workshop.session.decide("PAY-114", Category.PROJECT)
        for phase in ("f3", "f4"):
            await pilot.press(phase)
            await pilot.pause()
            for room_open in (False, True):
                if room_open != (room_of(app) is not None):
                    await pilot.press("R")
                    await settle(pilot)
                keys, palette_x = footer_keys(app.screen)
                shown = {key.key_display or key.key: key for key in keys}
                wanted = {"R", "r", "^r"} if room_open else {"R"}
                assert wanted <= set(shown), (app.current_mode, room_open, sorted(shown))
                cut = [key.description for key in keys if key.region.right > palette_x]
                assert not cut, (app.current_mode, room_open, cut)


def test_the_names_awaited_fit_three_lines_and_count_the_rest() -> None:
    from rich.console import Console
    from rich.text import Text

    from triage_tui.tui.vote_room import TEXT_WIDTH, WAITING_LINES, waiting_names

    names = tuple(f"Participant {n:02d}" for n in range(1, 51))
    line = "Waiting for: " + waiting_names(names)
    assert line.endswith(" more") and "Participant 01" in line
    shown = line.count("Participant ")
    assert line.endswith(f"+{50 - shown} more")
    wrapped = Text(line).wrap(Console(width=80), TEXT_WIDTH)
    assert len(wrapped) <= WAITING_LINES
    assert waiting_names(("Ana", "Bo")) == "Ana, Bo"


async def test_closing_the_room_says_so_on_the_links_line_covering_nothing(
    acme: Path, clock: FrozenClock, monkeypatch: Any
) -> None:
    """R closes the room on Readiness: no toast over the criteria; the link's own line says
    the room closed, then goes. R again at once takes that line back for the link."""
    from triage_tui.tui import vote_room
    from triage_tui.tui.vote_room import RoomLink

    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot, app)
        await pilot.press("p", "f4")
        await pilot.pause()
        await pilot.press("R")
        await settle(pilot)
        url = room_of(app).server.url  # type: ignore[union-attr]
        await pilot.press("R")
        await settle(pilot)
        assert room_of(app) is None and not app.screen.query(RoomPanel)
        assert not app._notifications  # no toast (it sat over the criteria)
        (link,) = app.screen.query(RoomLink)
        assert "ROOM CLOSED" in str(link.render()) and "votes are kept" in str(link.render())
        await pilot.press("R")  # open again before the notice went: one link line
        await settle(pilot)
        (link,) = app.screen.query(RoomLink)
        assert url in str(link.render())
        await pilot.pause(vote_room.CLOSED_NOTICE + 0.3)
        assert app.screen.query(RoomLink)  # the old notice's timer did not take it away
        monkeypatch.setattr(vote_room, "CLOSED_NOTICE", 0.05)
        await pilot.press("R")
        await settle(pilot)
        await pilot.pause(0.2)
        assert not app.screen.query(RoomLink)
        assert app.screen.query_one("#criteria").region.y == 1  # right under the phase bar again


async def test_on_plan_the_panel_leaves_the_clock_and_the_footer_in_view(
    acme: Path, clock: FrozenClock
) -> None:
    from triage_tui.tui.widgets.compact_footer import CompactFooter
    from triage_tui.tui.widgets.phase_bar import PhaseBar

    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot, app)
        await pilot.press("p", "f5")
        await pilot.pause()
        await pilot.press("R")
        await settle(pilot)
        screen = app.screen
        panel = screen.query_one(RoomPanel)
        width, height = WIDE
        assert panel.region.x < width - 20
        for x in range(panel.region.x, width):
            assert isinstance(screen.get_widget_at(x, 0)[0], PhaseBar)  # the clock's row
            assert isinstance(screen.get_widget_at(x, height - 1)[0], CompactFooter)
        clock_text = screen.query_one(PhaseBar).render()
        assert "left" in str(clock_text)
        # The panel's own text starts under the phase bar.
        assert screen.query_one("#room-head").region.y >= 1
        # The handoff table takes the width the detail had beside the panel.
        assert not screen.query_one("#handoff-detail-scroll").display
        assert screen.query_one("#handoffs").region.right == panel.region.x


async def test_readiness_at_80x24_with_the_room_open_keeps_the_score_in_view(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=NARROW) as pilot:
        await begin(pilot, app)
        await pilot.press("p", "f4")
        await pilot.pause()
        await pilot.press("R")
        await settle(pilot)
        screen = app.screen
        pane = screen.query_one("#criteria-pane")
        score = screen.query_one("#score")
        assert score.region.height == 5
        assert score.region.bottom <= pane.region.bottom  # its last line above the fold
        assert pane.scroll_y == 0


async def test_a_split_room_reads_split_once_in_the_suggestion(
    acme: Path, clock: FrozenClock
) -> None:
    from triage_tui.tui.vote_room import room_suggestion_line

    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot, app)
        session = app.workshop.session  # type: ignore[union-attr]
        item = current_id(app)
        votes.cast_vote(session, item, "s1", "hiring", "the ledger needs an owner")
        votes.cast_vote(session, item, "s2", "project")
        votes.reveal(session, item)
        line = room_suggestion_line(app, item)
        assert line is not None
        assert (
            line.plain
            == "The room: split  one said hiring: 'the ledger needs an owner'; one said project"
        )
