"""The room beyond loopback: LAN mode on this machine's own network address, and a phone on
another network (a veth pair into a network namespace made for the test), joining and
voting there; the warning is shown, and the Origin check works with a LAN host.

Skipped, saying why, when this machine has no address but loopback, or when network
namespaces cannot be made (not root, no `ip`, a container without the right); CI runs as
root and makes them."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.core.model import Backlog, Item
from triage_tui.core.session import Session
from triage_tui.room.server import VoteServer, is_loopback, lan_address
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app
from triage_tui.tui.vote_room import LAN_WARNING, RoomLink, RoomPanel, room_of

ITEMS = (Item("L-1", "Own the ledger", "Someone owns it."), Item("L-2", "Export", "CSV."))


def _this_machines_address() -> str:
    """An address of this machine that is not loopback (its route out), or skip."""
    address = lan_address()
    if is_loopback(address):
        pytest.skip("this machine has no network address but loopback")
    with socket.socket() as probe:  # an address of ours: it can be bound
        try:
            probe.bind((address, 0))
        except OSError as error:
            pytest.skip(f"cannot bind {address}: {error.strerror}")
    return address


async def _join_and_vote(
    url: str, origin: str, name: str, item: str = "L-1"
) -> tuple[int, int, str]:
    """A phone: join with `origin`, vote on `item`; (join status, vote status, seat id)."""
    jar = aiohttp.CookieJar(unsafe=True)  # an IP address host: cookies kept all the same
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        headers = {"Origin": origin}
        async with http.post(url + "/join", json={"name": name}, headers=headers) as response:
            joined = response.status
            seat = (await response.json()).get("seat") or {}
        body = {"item": item, "phase": "categorize", "vote": "hiring", "reason": "an owner"}
        async with http.post(url + "/vote", json=body, headers=headers) as response:
            return joined, response.status, str(seat.get("id", ""))


@pytest.fixture
async def lan_room() -> AsyncIterator[VoteServer]:
    server = VoteServer(Session(Backlog(ITEMS, title="LAN")), host=_this_machines_address())
    await server.start()
    server.follow(ITEMS[0], "categorize")
    yield server
    await server.stop()


async def test_the_room_listens_on_this_machines_lan_address(lan_room: VoteServer) -> None:
    host = lan_room.host
    assert not lan_room.loopback
    assert lan_room.url.startswith(f"http://{host}:{lan_room.port}/r/")
    origin = f"http://{host}:{lan_room.port}"
    joined, voted, seat = await _join_and_vote(lan_room.url, origin, "Ana")
    assert (joined, voted) == (200, 200)
    assert list(lan_room.session.decision("L-1").votes) == [seat]
    # The page at the LAN address is the only origin: loopback's and others' are refused.
    for foreign in (
        f"http://127.0.0.1:{lan_room.port}",
        f"http://localhost:{lan_room.port}",
        f"http://{host}:{lan_room.port + 1}",
        f"https://{host}:{lan_room.port}",
        "null",
    ):
        joined, voted, _ = await _join_and_vote(lan_room.url, foreign, "Mallory")
        assert (joined, voted) == (403, 403), foreign
    assert len(lan_room.seats) == 1
    # Nothing listens on loopback: the room is where the link says, and only there.
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", lan_room.port), 1):
        pass


async def test_a_wildcard_address_names_the_lan_address_in_the_link() -> None:
    address = _this_machines_address()
    server = VoteServer(Session(Backlog(ITEMS, title="LAN")), host="0.0.0.0")
    await server.start()
    server.follow(ITEMS[0], "categorize")
    try:
        assert server.url.startswith(f"http://{address}:{server.port}/r/")
        origin = f"http://{address}:{server.port}"
        joined, voted, _ = await _join_and_vote(server.url, origin, "Bo")
        assert (joined, voted) == (200, 200)
    finally:
        await server.stop()


async def test_lan_mode_shows_its_warning(acme: Path, clock: FrozenClock) -> None:
    address = _this_machines_address()
    app = create_app(LaunchOptions(file=acme, room_host=address), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter", "R")
        for _ in range(6):
            await pilot.pause(0.05)
        room = room_of(app)
        assert room is not None and not room.server.loopback
        url = room.server.url
        assert url.startswith(f"http://{address}:")
        toasts = [str(toast.message) for toast in app._notifications]
        assert any(LAN_WARNING in toast and url in toast for toast in toasts)
        panel = app.screen.query_one(RoomPanel)
        for _ in range(40):
            if panel.shown:
                break
            await pilot.pause(0.05)
        assert f"⚠ LAN: {LAN_WARNING}" in panel.shown
        assert app.screen.query_one(RoomLink)._url == url
        # A phone on the LAN joins and votes; the panel counts it.
        assert room.server.item is not None
        item = room.server.item.id
        joined, voted, _ = await _join_and_vote(url, url.split("/r/")[0], "Priya", item)
        assert (joined, voted) == (200, 200)
        for _ in range(40):
            if "1 of 1 voted" in panel.shown:
                break
            await pilot.pause(0.05)
        assert "1 of 1 voted" in panel.shown
        await pilot.press("R")  # closes cleanly
        await pilot.pause(0.2)
        assert room_of(app) is None


# -- a phone on another network: a veth pair into a namespace -----------------------------
PHONE = """
import asyncio, json, sys
import aiohttp

async def main(url, origin):
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.post(url + "/join", json={"name": "Far"},
                             headers={"Origin": origin}) as response:
            joined = response.status
            seat = (await response.json())["seat"]["id"]
        body = {"item": "L-1", "phase": "categorize", "vote": "project", "reason": "one end"}
        async with http.post(url + "/vote", json=body, headers={"Origin": origin}) as response:
            voted = response.status
        async with http.get(url + "/state") as response:  # a reload: the same seat
            again = (await response.json())["seat"]["id"]
    print(json.dumps({"joined": joined, "voted": voted, "seat": seat, "again": again}))

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10, check=False)


@pytest.fixture
def other_network() -> Iterator[tuple[str, str, str]]:
    """A network namespace joined to this one by a veth pair: (namespace, our address
    on the pair, its address). Skipped, with the reason, where it cannot be made."""
    if shutil.which("ip") is None:
        pytest.skip("no `ip` command (iproute2) to make a network namespace")
    if os.geteuid() != 0:
        pytest.skip("making a network namespace needs root (CI runs as root)")
    tag = f"{os.getpid() % 100000}"
    namespace, ours, theirs = f"room{tag}", f"rh{tag}", f"rn{tag}"
    octet = os.getpid() % 250 + 1
    host_address, phone_address = f"10.231.{octet}.1", f"10.231.{octet}.2"
    made = _ip("netns", "add", namespace)
    if made.returncode:
        pytest.skip(f"cannot make a network namespace here: {made.stderr.strip()}")
    try:
        for step in (
            ("link", "add", ours, "type", "veth", "peer", "name", theirs),
            ("link", "set", theirs, "netns", namespace),
            ("addr", "add", f"{host_address}/30", "dev", ours),
            ("link", "set", ours, "up"),
            ("-n", namespace, "addr", "add", f"{phone_address}/30", "dev", theirs),
            ("-n", namespace, "link", "set", theirs, "up"),
            ("-n", namespace, "link", "set", "lo", "up"),
        ):
            result = _ip(*step)
            if result.returncode:
                pytest.skip(f"cannot set up the veth pair: ip {' '.join(step)}: {result.stderr}")
        yield namespace, host_address, phone_address
    finally:
        _ip("link", "del", ours)
        _ip("netns", "del", namespace)


async def test_a_phone_on_another_network_joins_and_votes(
    other_network: tuple[str, str, str],
) -> None:
    namespace, host_address, phone_address = other_network
    server = VoteServer(Session(Backlog(ITEMS, title="LAN")), host=host_address)
    url = await server.start()
    server.follow(ITEMS[0], "categorize")
    try:
        assert url.startswith(f"http://{host_address}:")
        process = await asyncio.create_subprocess_exec(
            "ip",
            "netns",
            "exec",
            namespace,
            sys.executable,
            "-c",
            PHONE,
            url,
            url.split("/r/")[0],
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, err.decode()
        result = json.loads(out.decode().strip().splitlines()[-1])
        assert (result["joined"], result["voted"]) == (200, 200)
        assert result["again"] == result["seat"]  # the cookie keeps the seat over there too
        votes = server.session.decision("L-1").votes
        assert list(votes) == [result["seat"]] and votes[result["seat"]]["vote"] == "project"
        assert server.status().joined == 1
        # It came from the other network's address (joins are limited per address).
        assert list(server._joins) == [phone_address]
    finally:
        await server.stop()
