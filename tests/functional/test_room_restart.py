"""The facilitator's app killed (SIGKILL) with the room open, started again: the room opens
on the same link, and a returning phone (its cookie) takes back its seat and its vote
instead of a new one (a ghost). The link and the seats are autosaved with the session."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import SAMPLES
from tests.functional.test_crash_resume import Terminal
from triage_tui.core.session import Session
from triage_tui.formats.loaders import load
from triage_tui.room.server import COOKIE
from triage_tui.store.autosave import Autosave

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

LINK = re.compile(rb"http://127\.0\.0\.1:\d+/r/[A-Za-z0-9_-]{22}")


def _link(terminal: Terminal) -> str:
    terminal.read_until(b"JOIN")
    for _ in range(50):
        plain = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", terminal.seen)
        found = LINK.findall(plain)
        if found:
            return str(found[-1].decode())
        terminal.drain(0.1)
    raise AssertionError("the join link never appeared")


async def _phone(url: str, cookie: str = "", vote: str = "") -> dict[str, Any]:
    """A phone: join (or come back with `cookie`), vote on the item shown if asked."""
    origin = url.split("/r/")[0]
    headers = {"Origin": origin}
    if cookie:
        headers["Cookie"] = f"{COOKIE}={cookie}"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        if cookie:  # the page reloads: its state, then its seat taken back (as room.js)
            async with http.get(url + "/state", headers=headers) as response:
                state = dict(await response.json())
            async with http.post(url + "/join", json={"name": "Priya"}, headers=headers) as rejoin:
                assert rejoin.status == 200
                assert (await rejoin.json())["seat"] == state["seat"]
            return state
        async with http.post(url + "/join", json={"name": "Priya"}, headers=headers) as response:
            assert response.status == 200
            token = response.cookies[COOKIE].value
            state = dict(await response.json())
        headers["Cookie"] = f"{COOKIE}={token}"
        body = {"item": state["item"]["id"], "phase": "categorize", "vote": vote}
        async with http.post(url + "/vote", json=body, headers=headers) as response:
            assert response.status == 200
        return {"token": token, **state}


def test_a_crashed_facilitator_reopens_the_same_room_and_seats(tmp_path: Path) -> None:
    backlog = tmp_path / "acme.toml"
    backlog.write_bytes((SAMPLES / "acme.toml").read_bytes())
    state = tmp_path / "state"

    first = Terminal(backlog, state)
    try:
        first.read_until(b"Begin")
        first.type("\r")
        first.read_until(b"decided")
        first.type("R")
        url = _link(first)
        joined = asyncio.run(_phone(url, vote="project"))
        first.read_until(b"1 of 1 voted")  # drawn after the vote's step was committed
    finally:
        first.kill(reap=False)

    second = Terminal(backlog, state)
    try:
        second.read_until(b"Resumed")
        second.read_until(b"decided")
        second.type("R")
        assert _link(second) == url  # the same secret, the same port
        back = asyncio.run(_phone(url, cookie=joined["token"]))
        assert back["seat"] == joined["seat"]  # the same seat, not a ghost
        assert back["mine"] == {"vote": "project", "reason": ""}
        second.read_until(b"1 of 1 voted")  # its vote counts as the seat's own
    finally:
        second.kill()
        first.reap()


async def _room_votes_then_kill(
    url: str, terminal: Terminal, phones: int
) -> tuple[str, dict[str, str]]:
    """`phones` phones join (one more joins and never votes: no auto-reveal, whose
    synchronous write would save the votes before it), each votes twice at once, and the
    app is killed the moment the last acknowledgement arrives: the item and {seat: its
    last vote}."""
    loop = asyncio.get_running_loop()
    loop.add_reader(terminal.fd, terminal.drain, 0.01)  # the app's output, read meanwhile
    origin = url.split("/r/")[0]
    headers = {"Origin": origin}
    sessions = [
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) for _ in range(phones + 1)
    ]
    try:
        seats = []
        for number, http in enumerate(sessions):
            async with http.post(url + "/join", json={"name": f"P{number}"}, headers=headers) as r:
                assert r.status == 200
                state = await r.json()
                seats.append(state["seat"]["id"])
        item = state["item"]["id"]
        acked: dict[str, str] = {}

        async def vote(http: aiohttp.ClientSession, seat: str, choice: str) -> None:
            body = {"item": item, "phase": "categorize", "vote": choice, "reason": seat}
            async with http.post(url + "/vote", json=body, headers=headers) as response:
                assert response.status == 200, await response.text()
                acked[seat] = choice

        async def phone(http: aiohttp.ClientSession, seat: str, number: int) -> None:
            await vote(http, seat, ("hiring", "project", "parked")[number % 3])
            await vote(http, seat, ("project", "parked", "hiring")[number % 3])  # changed

        await asyncio.gather(
            *(
                phone(http, seat, n)
                for n, (http, seat) in enumerate(zip(sessions, seats, strict=True))
                if n
            )
        )
        terminal.kill(reap=False)  # at once: no time for anything after the last ack
        return item, acked
    finally:
        loop.remove_reader(terminal.fd)
        for http in sessions:
            await http.close()


def test_every_acknowledged_vote_survives_a_kill_right_after_its_ack(tmp_path: Path) -> None:
    backlog = tmp_path / "acme.toml"
    backlog.write_bytes((SAMPLES / "acme.toml").read_bytes())
    state = tmp_path / "state"

    app = Terminal(backlog, state)
    try:
        app.read_until(b"Begin")
        app.type("\r")
        app.read_until(b"decided")
        app.type("R")
        url = _link(app)
        item, acked = asyncio.run(_room_votes_then_kill(url, app, phones=12))
    finally:
        app.kill(reap=False)
        app.reap()

    assert len(acked) == 12
    # The database exactly as the killed process left it.
    session = Session(load(backlog))
    Autosave.for_backlog(session.backlog, state / "sessions").resume(session, repair=False)
    stored = {seat: vote["vote"] for seat, vote in session.decisions[item].votes.items()}
    assert stored == acked
    assert len(session.room_seats) == 13  # every seat acknowledged (the quiet one too)
