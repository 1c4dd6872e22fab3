"""Snapshots of the room's panel (R) on Categorize and on Readiness (votes per criterion),
before and after the reveal, at 120x36 and 80x24. The link is fixed (a real server listens on a free port behind it) and the
seats are made directly, so the SVGs never differ between runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.functional.conftest import wait_loaded
from tests.snapshots.test_screens import DEFAULT_THEME, NARROW, SIZE, make_app, settle
from textual.pilot import Pilot

from triage_tui.core import votes
from triage_tui.core.session import Category
from triage_tui.room.server import Seat, VoteServer
from triage_tui.tui.app import TriageApp
from triage_tui.tui.vote_room import room_of

SnapCompare = Callable[..., bool]
LINK = "http://127.0.0.1:8765/r/Qx7pW2mZ9vK4nR8sT1yB3c"


@pytest.fixture(autouse=True)
def _fixed_link(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(VoteServer, "url", property(lambda self: LINK))


def seat_room(app: TriageApp, *, voted: int) -> str:
    """Four voting seats (one without a name) and a spectator; `voted` of them voted on
    the item on screen. Returns that item's id."""
    room = room_of(app)
    assert room is not None and room.server.item is not None
    server = room.server
    now = server.now()
    for number, name in enumerate(("Ana", "Bo", "", "Dee", "Watcher"), 1):
        seat = Seat(f"seat{number}", f"token{number}", name, spectator=name == "Watcher", seen=now)
        server.seats[seat.key] = seat
    item_id = server.item.id
    ballots = [
        ("seat1", Category.PROJECT, "a migration with an end"),
        ("seat2", Category.PROJECT, ""),
        ("seat4", Category.HIRING, "the ledger needs an owner"),
        ("seat3", Category.PROJECT, ""),
    ]
    for seat_id, choice, reason in ballots[:voted]:
        name = next(s.name for s in server.seats.values() if s.id == seat_id)
        votes.cast_vote(server.session, item_id, seat_id, choice, reason, name)
    room.changed()
    return item_id


async def drawn(pilot: Pilot[int]) -> None:
    """Until the panel drew the room's last change (it gathers REDRAW_GATHER seconds)."""
    await pilot.pause(0.05)
    room = room_of(pilot.app)  # type: ignore[arg-type]
    for _ in range(200):
        if room is None or not room._pending:
            break
        await pilot.pause(0.02)


def room_open(*, voted: int, reveal: bool) -> Callable[[Pilot[int]], object]:
    async def run_before(pilot: Pilot[int]) -> None:
        app = pilot.app
        assert isinstance(app, TriageApp)
        await wait_loaded(pilot, app)
        app.theme = DEFAULT_THEME
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("R")
        await settle(pilot)
        seat_room(app, voted=voted)
        if reveal:
            await pilot.press("r")
        await drawn(pilot)
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", [SIZE, NARROW], ids=["120x36", "80x24"])
def test_room_panel_before_reveal(
    snap_compare: SnapCompare, acme: Path, size: tuple[int, int]
) -> None:
    """R: the join link, its QR code, 4 joined and 1 watching, 2 of 4 voted, who is awaited."""
    run_before = room_open(voted=2, reveal=False)
    assert snap_compare(make_app(acme), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [SIZE, NARROW], ids=["120x36", "80x24"])
def test_room_panel_after_reveal(
    snap_compare: SnapCompare, acme: Path, size: tuple[int, int]
) -> None:
    """r: the tally, the reasons, the room's majority as the suggestion (3 of 4 project)."""
    run_before = room_open(voted=4, reveal=True)
    assert snap_compare(make_app(acme), terminal_size=size, run_before=run_before)


def test_room_panel_just_opened_narrow(snap_compare: SnapCompare, acme: Path) -> None:
    """80x24, R, nobody voted yet: the QR code fits beside the item with the link."""
    run_before = room_open(voted=0, reveal=False)
    assert snap_compare(make_app(acme), terminal_size=NARROW, run_before=run_before)


#: Readiness ballots: seat -> criterion -> mark (the fourth seat marks only three).
READINESS_BALLOTS = {
    "seat1": {1: "met", 2: "partial", 3: "missing", 4: "met", 5: "met", 6: "partial", 7: "met"},
    "seat2": {1: "met", 2: "missing", 3: "missing", 4: "met", 5: "partial", 6: "met", 7: "met"},
    "seat4": {1: "partial", 2: "missing", 3: "met", 4: "met", 5: "met", 6: "missing", 7: "met"},
    "seat3": {1: "met", 2: "missing", 3: "partial"},
}


def readiness_open(*, voted: int, reveal: bool) -> Callable[[Pilot[int]], object]:
    """Two items decided project, Readiness (F4), R, the seats of `seat_room`, `voted` of
    them marking the criteria of the item on screen."""

    async def run_before(pilot: Pilot[int]) -> None:
        app = pilot.app
        assert isinstance(app, TriageApp)
        await wait_loaded(pilot, app)
        app.theme = DEFAULT_THEME
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("p", "p")
        await pilot.pause()
        await pilot.press("f4")
        await settle(pilot)
        assert app.current_mode == "readiness"
        await pilot.press("R")
        await settle(pilot)
        room = room_of(app)
        assert room is not None and room.server.item is not None
        seat_room(app, voted=0)
        server = room.server
        item_id = server.item.id
        for seat_id, marks in list(READINESS_BALLOTS.items())[:voted]:
            name = next(s.name for s in server.seats.values() if s.id == seat_id)
            for criterion, mark in marks.items():
                votes.cast_readiness_vote(server.session, item_id, seat_id, criterion, mark, name)
        room.changed()
        if reveal:
            await pilot.press("r")
        await drawn(pilot)
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", [SIZE, NARROW], ids=["120x36", "80x24"])
def test_room_panel_on_readiness_before_reveal(
    snap_compare: SnapCompare, acme: Path, size: tuple[int, int]
) -> None:
    """Readiness, R: 3 of 4 voted (one marked three criteria only: not counted as voted
    on the item), who is awaited, the votes hidden."""
    run_before = readiness_open(voted=4, reveal=False)
    assert snap_compare(make_app(acme), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [SIZE, NARROW], ids=["120x36", "80x24"])
def test_room_panel_on_readiness_after_reveal(
    snap_compare: SnapCompare, acme: Path, size: tuple[int, int]
) -> None:
    """r: per criterion, how the room marked it (met / partial / missing)."""
    run_before = readiness_open(voted=4, reveal=True)
    assert snap_compare(make_app(acme), terminal_size=size, run_before=run_before)
