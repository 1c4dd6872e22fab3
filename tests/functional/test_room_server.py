"""The room's vote server through aiohttp's test client: seats, votes, reveal, limits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.functional.conftest import FrozenClock
from triage_tui.core import votes
from triage_tui.core.model import Backlog, Item
from triage_tui.core.session import Category, Session
from triage_tui.room import server as room_server
from triage_tui.room.server import VoteServer

ITEMS = (
    Item("L-1", "Own the ledger", "## Context\nThe ledger <b>pages</b> someone nightly."),
    Item("L-2", "Build the invoice export", "CSV for accountants."),
)


class Room:
    """A vote server, its session and an aiohttp test client for it."""

    def __init__(self, server: VoteServer, client: TestClient[Any, Any], clock: FrozenClock):
        self.server, self.client, self.clock = server, client, clock
        self.base = f"/r/{server.secret}"
        self.origin = f"http://127.0.0.1:{server.port}"
        self.changes = 0

    @property
    def session(self) -> Session:
        return self.server.session

    async def post(
        self, path: str, body: Any, *, cookie: str | None = None, origin: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        headers = {"Origin": self.origin if origin is None else origin}
        if cookie is not None:
            headers["Cookie"] = f"{room_server.COOKIE}={cookie}"
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        async with self.client.session.post(
            self.client.make_url(self.base + path), data=data, headers=headers
        ) as response:
            return response.status, await response.json()

    async def join(self, name: str = "", *, spectator: bool = False) -> tuple[str, dict[str, Any]]:
        """A new participant (no cookie) joins; returns its seat token and view."""
        headers = {"Origin": self.origin}
        async with self.client.session.post(
            self.client.make_url(self.base + "/join"),
            json={"name": name, "spectator": spectator},
            headers=headers,
        ) as response:
            assert response.status == 200
            morsel = response.cookies[room_server.COOKIE]
            assert morsel["httponly"] and morsel["samesite"] == "Strict"
            assert morsel["path"] == self.base
            # Each participant is a browser of its own: do not share the jar's cookie.
            self.client.session.cookie_jar.clear()
            return morsel.value, await response.json()

    async def state(self, cookie: str | None = None) -> dict[str, Any]:
        headers = {"Cookie": f"{room_server.COOKIE}={cookie}"} if cookie else {}
        async with self.client.session.get(
            self.client.make_url(self.base + "/state"), headers=headers
        ) as response:
            assert response.status == 200
            return dict(await response.json())

    async def vote(self, cookie: str, choice: str, reason: str = "", item: str = "L-1") -> int:
        status, _ = await self.post(
            "/vote",
            {"item": item, "phase": "categorize", "vote": choice, "reason": reason},
            cookie=cookie,
        )
        return status


@pytest.fixture
async def room(aiohttp_client: Callable[..., Any], clock: FrozenClock) -> AsyncIterator[Room]:
    session = Session(Backlog(ITEMS, title="Votes"))
    server = VoteServer(session, now=clock)
    client: TestClient[Any, Any] = await aiohttp_client(TestServer(server.app))
    server.port = client.port  # the origin the page is served from
    made = Room(server, client, clock)

    def changed() -> None:
        made.changes += 1

    server.on_change = changed
    server.follow(ITEMS[0], "categorize")
    yield made
    await server.stop()


async def test_join_gives_a_seat_in_an_httponly_cookie(room: Room) -> None:
    token, view = await room.join("Ana")
    assert view["seat"]["name"] == "Ana" and not view["seat"]["spectator"]
    assert view["item"]["id"] == "L-1" and view["item"]["title"] == "Own the ledger"
    assert "&lt;b&gt;pages&lt;/b&gt;" in view["item"]["html"]  # the spec, raw HTML escaped
    assert view["choices"][2] == {"value": "parked", "label": "park"}
    status = room.server.status()
    assert status.joined == 1 and status.waiting == ("Ana",) and room.changes >= 1
    assert token not in json.dumps(view)  # the token is only ever in the cookie


async def test_the_page_and_its_files_are_served_with_a_strict_policy(room: Room) -> None:
    async with room.client.get(room.base, allow_redirects=False) as response:
        assert response.status == 302 and response.headers["Location"] == room.base + "/"
    async with room.client.get(room.base + "/") as response:
        assert response.status == 200
        page = await response.text()
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "default-src 'none'" in policy
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "room.js" in page and "http" not in page.replace("http-equiv", "")  # no CDN
    for name in ("room.css", "room.js"):
        async with room.client.get(f"{room.base}/{name}") as response:
            assert response.status == 200
            assert "//" not in (await response.text()).replace("// ", "")  # no outside URL
    async with room.client.get("/favicon.ico") as response:
        assert response.status == 204


async def test_vote_change_of_vote_and_hidden_until_revealed(room: Room) -> None:
    ana, _ = await room.join("Ana")
    bo, _ = await room.join("Bo")
    assert await room.vote(ana, "hiring", "the ledger needs an owner") == 200
    assert await room.vote(ana, "project", "it has an end") == 200  # a change of vote
    decision = room.session.decision("L-1")
    assert [v["vote"] for v in decision.votes.values()] == ["project"]
    # Hidden: Bo sees that one voted, not what; Ana sees her own vote only.
    bo_view = await room.state(bo)
    assert bo_view["voted"] == 1 and not bo_view["revealed"] and "tally" not in bo_view
    assert bo_view["mine"] is None and "project" not in json.dumps(bo_view["item"])
    ana_view = await room.state(ana)
    assert ana_view["mine"] == {"vote": "project", "reason": "it has an end"}
    assert room.server.status().waiting == ("Bo",)
    assert room.server.status().tally is None  # the facilitator's screen: counts only


async def test_reveal_and_revote(room: Room) -> None:
    ana, _ = await room.join("Ana")
    await room.join("Bo")
    await room.vote(ana, "hiring", "needs an owner")
    assert room.server.reveal()
    view = await room.state(ana)
    assert view["revealed"]
    assert view["tally"]["counts"] == {"hiring": 1, "project": 0, "parked": 0}
    assert view["tally"]["reasons"] == [{"vote": "hiring", "text": "needs an owner", "name": ""}]
    assert await room.vote(ana, "project") == 409  # revealed: closed until a re-vote
    assert room.server.revote()
    assert room.session.decision("L-1").votes == {}
    assert not (await room.state(ana))["revealed"]
    assert await room.vote(ana, "project") == 200


async def test_auto_reveal_when_every_voting_seat_voted(room: Room) -> None:
    ana, _ = await room.join("Ana")
    bo, _ = await room.join("Bo")
    await room.join("Watcher", spectator=True)  # a spectator is not waited for
    await room.vote(ana, "project")
    assert not votes.is_revealed(room.session.decision("L-1"))
    await room.vote(bo, "hiring", "the ledger needs an owner")
    assert votes.is_revealed(room.session.decision("L-1"))
    status = room.server.status()
    assert status.revealed and status.tally is not None and status.tally.total == 2
    assert status.spectators == 1 and status.joined == 2


async def test_a_seat_gone_quiet_is_not_waited_for(room: Room) -> None:
    ana, _ = await room.join("Ana")
    await room.join("Bo")  # joins, then closes the laptop
    room.clock.advance(room_server.HERE_SECONDS + 1)
    assert await room.vote(ana, "project") == 200
    assert votes.is_revealed(room.session.decision("L-1"))


async def _stream_open(room: Room, cookie: str) -> Any:
    """An event stream of `cookie`'s seat, its first state read (the seat is counted)."""
    response = await room.client.get(
        room.base + "/events", headers={"Cookie": f"{room_server.COOKIE}={cookie}"}
    )
    await _next_state(response)
    return response


async def _streams_closed(room: Room, cookie: str) -> None:
    seat = room.server.seats[room_server.seat_key(cookie)]
    for _ in range(200):
        if not seat.streams:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the server never saw the stream close")


async def test_a_seat_whose_stream_closed_is_gone_after_a_short_grace(
    room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A killed browser counted as joined for HERE_SECONDS (45 s), holding the auto-reveal.
    monkeypatch.setattr(room_server, "LEFT_GRACE", 0.2)
    ana, _ = await room.join("Ana")
    bo, _ = await room.join("Bo")
    stream = await _stream_open(room, bo)
    assert await room.vote(ana, "project") == 200
    assert room.server.status().waiting == ("Bo",)
    stream.close()  # the browser is killed: its stream ends, nothing said
    await _streams_closed(room, bo)
    assert room.server.status().joined == 2  # within the grace: a reload would be back
    assert not votes.is_revealed(room.session.decision("L-1"))
    room.clock.advance(1)
    changes = room.changes
    await asyncio.sleep(0.5)  # the grace's timer counts again, no vote needed
    assert room.server.status().joined == 1
    assert votes.is_revealed(room.session.decision("L-1"))  # Ana is the room now
    assert room.changes > changes  # the panel was told
    assert len(room.server.seats) == 2  # the seat is kept: Bo may come back


async def test_a_reload_within_the_grace_keeps_the_seat_and_leaves_no_ghost(
    room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(room_server, "LEFT_GRACE", 0.2)
    ana, _ = await room.join("Ana")
    bo, first = await room.join("Bo")
    stream = await _stream_open(room, bo)
    assert await room.vote(ana, "project") == 200
    stream.close()
    await _streams_closed(room, bo)
    again = await _stream_open(room, bo)  # the reload's page, with its cookie
    room.clock.advance(1)
    await asyncio.sleep(0.5)
    status = room.server.status()
    assert status.joined == 2 and status.waiting == ("Bo",)
    assert not votes.is_revealed(room.session.decision("L-1"))  # Bo is still awaited
    assert (await room.state(bo))["seat"]["id"] == first["seat"]["id"]
    assert len(room.server.seats) == 2
    again.close()


async def test_a_page_that_says_it_is_leaving_goes_sooner(
    room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(room_server, "LEFT_GRACE", 30.0)
    monkeypatch.setattr(room_server, "LEAVING_GRACE", 0.2)
    ana, _ = await room.join("Ana")
    bo, _ = await room.join("Bo")
    stream = await _stream_open(room, bo)
    assert await room.vote(ana, "hiring") == 200
    # pagehide: the page says it is going (a tab closed), then its stream closes.
    assert (await room.post("/leave", {}, cookie=bo, origin="http://evil.example"))[0] == 403
    async with room.client.session.post(
        room.client.make_url(room.base + "/leave"),
        headers={"Origin": room.origin, "Cookie": f"{room_server.COOKIE}={bo}"},
    ) as response:
        assert response.status == 204
    assert room.server.status().joined == 2  # its stream is still open
    stream.close()
    await _streams_closed(room, bo)
    room.clock.advance(1)
    await asyncio.sleep(0.5)
    assert room.server.status().joined == 1
    assert votes.is_revealed(room.session.decision("L-1"))
    status, _ = await room.post("/leave", {}, cookie="no-such-seat")
    assert status == 403


async def test_a_spectator_watches_without_voting(room: Room) -> None:
    watcher, view = await room.join("Cy", spectator=True)
    assert view["seat"]["spectator"]
    assert await room.vote(watcher, "hiring") == 403
    assert room.session.decision("L-1").votes == {}
    # The same seat can become a voter.
    status, view = await room.post("/join", {"name": "Cy"}, cookie=watcher)
    assert status == 200 and not view["seat"]["spectator"]
    assert await room.vote(watcher, "hiring") == 200


async def test_reconnect_and_a_second_tab_take_back_the_same_seat(room: Room) -> None:
    ana, first = await room.join("Ana")
    await room.join("Bo")  # not voting yet: no auto-reveal
    seat_id = first["seat"]["id"]
    # A reload: the page asks for its state with the cookie, and joins again with it.
    assert (await room.state(ana))["seat"]["id"] == seat_id
    status, again = await room.post("/join", {"name": "Ana P."}, cookie=ana)
    assert status == 200 and again["seat"]["id"] == seat_id
    # A second tab votes with the same cookie: the same seat, one vote.
    assert await room.vote(ana, "hiring") == 200
    assert await room.vote(ana, "parked") == 200
    assert list(room.session.decision("L-1").votes) == [seat_id]
    assert len(room.server.seats) == 2
    # The event stream: dropped and reopened, still the same seat.
    for _ in range(2):
        async with room.client.get(
            room.base + "/events", headers={"Cookie": f"{room_server.COOKIE}={ana}"}
        ) as response:
            assert response.headers["Content-Type"].startswith("text/event-stream")
            state = await _next_state(response)
            assert state["seat"]["id"] == seat_id and state["mine"]["vote"] == "parked"
    assert len(room.server.seats) == 2


async def _next_state(response: Any) -> dict[str, Any]:
    while True:
        line = await asyncio.wait_for(response.content.readline(), 5)
        if line.startswith(b"data: "):
            return dict(json.loads(line[6:]))


async def test_the_event_stream_follows_the_facilitator(room: Room) -> None:
    ana, _ = await room.join("Ana")
    async with room.client.get(
        room.base + "/events", headers={"Cookie": f"{room_server.COOKIE}={ana}"}
    ) as response:
        first = await _next_state(response)
        assert first["item"]["id"] == "L-1" and "ledger" in first["item"]["html"]
        room.server.follow(ITEMS[1], "categorize")
        state = await _next_state(response)
        assert state["item"]["id"] == "L-2" and "accountants" in state["item"]["html"]
        # A vote on the same item: the page has its spec; the stream does not send it again.
        bo, _ = await room.join("Bo")
        status, _ = await room.post(
            "/vote", {"item": "L-2", "phase": "categorize", "vote": "parked"}, cookie=bo
        )
        assert status == 200
        state = await _next_state(response)
        while state["voted"] != 1:
            state = await _next_state(response)
        assert state["item"] == {"id": "L-2", "title": ITEMS[1].title}
        room.server.follow(ITEMS[1], "readiness")  # the same item, another phase: sent
        state = await _next_state(response)
        assert state["phase"] == "readiness" and len(state["criteria"]) == 7
        assert "accountants" in state["item"]["html"]
        room.server.follow(None, "plan")
        state = await _next_state(response)
        assert state["item"] is None and state["phase"] == "plan"
        # Closing the room ends the stream with a last word.
        await room.server.stop()
        rest = await asyncio.wait_for(response.content.read(), 5)
        assert b"event: closed" in rest


async def test_readiness_votes_per_criterion(room: Room) -> None:
    ana, _ = await room.join("Ana")
    bo, _ = await room.join("Bo")
    room.session.decide("L-2", Category.PROJECT)
    room.server.follow(ITEMS[1], "readiness")
    for seat, mark in ((ana, "met"), (bo, "partial")):
        for number in range(1, 8):
            status, _ = await room.post(
                "/vote",
                {"item": "L-2", "phase": "readiness", "criterion": number, "mark": mark},
                cookie=seat,
            )
            assert status == 200
    decision = room.session.decision("L-2")
    assert votes.has_voted(decision, "readiness", next(iter(decision.readiness_votes)))
    assert votes.is_revealed(decision, "readiness")  # every voting seat voted: auto-revealed
    view = await room.state(ana)
    assert view["tally"]["criteria"]["4"] == {"met": 1, "partial": 1, "missing": 0}
    for body in ({"criterion": 9, "mark": "met"}, {"criterion": True, "mark": "met"}):
        status, _ = await room.post(
            "/vote", {"item": "L-2", "phase": "readiness", **body}, cookie=ana
        )
        assert status in (400, 409)


async def test_wrong_secret_is_not_found(room: Room) -> None:
    for path in ("/r/not-the-secret", "/r/not-the-secret/state", "/", "/r/"):
        async with room.client.get(path) as response:
            assert response.status == 404
    async with room.client.post(
        "/r/wrong/join", json={"name": "x"}, headers={"Origin": room.origin}
    ) as response:
        assert response.status == 404
    assert room.server.seats == {}


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "", "http://127.0.0.1:1", "https://127.0.0.1"]
)
async def test_a_foreign_origin_changes_nothing(room: Room, origin: str) -> None:
    ana, _ = await room.join("Ana")
    status, body = await room.post("/join", {"name": "Mallory"}, origin=origin)
    assert status == 403 and "page" in body["error"]
    status, _ = await room.post(
        "/vote", {"item": "L-1", "phase": "categorize", "vote": "hiring"}, cookie=ana, origin=origin
    )
    assert status == 403
    assert room.session.decision("L-1").votes == {} and len(room.server.seats) == 1


async def test_an_oversized_body_is_refused(room: Room) -> None:
    ana, _ = await room.join("Ana")
    big = json.dumps({"item": "L-1", "phase": "categorize", "vote": "hiring", "reason": "x" * 9000})
    status, body = await room.post("/vote", big, cookie=ana)
    assert status == 413 and body["error"]
    status, _ = await room.post("/join", "y" * 10_000)
    assert status == 413
    assert room.session.decision("L-1").votes == {}


async def test_a_flood_from_one_seat_is_limited(room: Room) -> None:
    ana, _ = await room.join("Ana")
    bo, _ = await room.join("Bo")
    statuses = [await room.vote(ana, ("hiring", "project")[n % 2]) for n in range(60)]
    assert statuses.count(429) >= 60 - room_server.RATE_BURST
    assert statuses[: room_server.RATE_BURST - 1] == [200] * (room_server.RATE_BURST - 1)
    # Journaled votes are bounded by the limit, not by the flood.
    cast = [step for step in room.session.history if step.label.startswith("vote ")]
    assert len(cast) <= room_server.RATE_BURST
    # Another seat is not slowed down by Ana's flood; Ana gets tokens back with time.
    assert await room.vote(bo, "project") == 200
    room.clock.advance(5)
    assert await room.vote(ana, "parked") in (200, 409)


async def test_many_joins_from_one_address_are_limited(room: Room) -> None:
    statuses = []
    for _ in range(room_server.JOIN_BURST + 10):
        status, _ = await room.post("/join", {"name": ""})
        room.client.session.cookie_jar.clear()
        statuses.append(status)
    assert statuses.count(429) == 10 and len(room.server.seats) == room_server.JOIN_BURST


async def test_a_vote_for_another_item_or_phase_is_refused(room: Room) -> None:
    ana, _ = await room.join("Ana")
    assert await room.vote(ana, "hiring", item="L-2") == 409
    status, body = await room.post(
        "/vote", {"item": "L-1", "phase": "readiness", "criterion": 1, "mark": "met"}, cookie=ana
    )
    assert status == 409 and "moved on" in body["error"]
    room.server.follow(None, "plan")
    assert await room.vote(ana, "hiring") == 409
    assert room.session.decision("L-1").votes == {}
    assert room.session.decision("L-2").votes == {}


async def test_bad_votes_and_no_seat(room: Room) -> None:
    ana, _ = await room.join()
    assert await room.vote(ana, "undecided") == 400
    assert await room.vote(ana, "<script>") == 400
    assert await room.vote("not-a-token", "hiring") == 403
    status, _ = await room.post("/vote", "{not json", cookie=ana)
    assert status == 400
    status, _ = await room.post("/vote", "[1, 2]", cookie=ana)
    assert status == 400


async def test_hostile_text_in_a_reason_and_a_name(room: Room) -> None:
    hostile_name = "\x1b]0;pwned\x07<img src=x onerror=alert(1)>\u202eEvil\nName" + "n" * 80
    ana, view = await room.join(hostile_name)
    name = view["seat"]["name"]
    hostile = "\x1b[2J\x1b]52;c;ZXZpbA==\x07</script><script>alert(1)</script>\x9b31m\r\nline2"
    assert await room.vote(ana, "hiring", hostile) == 200
    vote = next(iter(room.session.decision("L-1").votes.values()))
    for text in (name, vote["reason"], vote["name"]):
        assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in text), text
        assert "\u202e" not in text
    assert len(name) <= votes.NAME_LIMIT
    assert room.server.status().waiting == ()  # voted; the name is one clean line
    room.server.reveal()
    # The JSON carries the text as data: the page sets it with textContent.
    view = await room.state(ana)
    assert view["tally"]["reasons"][0]["text"] == vote["reason"]
    # And the facilitator's panel gets the same clean text.
    status = room.server.status()
    assert status.tally is not None and status.tally.reasons[0].text == vote["reason"]


async def test_one_phone_alone_does_not_reveal_its_own_vote(room: Room) -> None:
    """Walking the room: the first phone to join voted, the item revealed at once and was
    closed to everyone who joined a moment later. One seat is not a room: `r` reveals."""
    ana, _ = await room.join("Ana")
    assert await room.vote(ana, "project") == 200
    assert not votes.is_revealed(room.session.decision("L-1"))
    bo, _ = await room.join("Bo")
    assert await room.vote(bo, "project", "a finish line") == 200
    assert votes.is_revealed(room.session.decision("L-1"))


# -- seats outlive the server: a closed room, an app restarted after a crash ---------------
async def _real_join(
    http: Any, url: str, cookie: str | None = None, name: str = ""
) -> tuple[str, dict[str, Any]]:
    """Join the real server at `url` the way a page does (its Origin, its cookie)."""
    origin = url.split("/r/")[0]
    headers = {"Origin": origin}
    if cookie is not None:
        headers["Cookie"] = f"{room_server.COOKIE}={cookie}"
    async with http.post(url + "/join", json={"name": name}, headers=headers) as response:
        assert response.status == 200
        morsel = response.cookies.get(room_server.COOKIE)
        return (morsel.value if morsel is not None else cookie or ""), await response.json()


async def test_a_closed_and_reopened_room_has_the_same_link_and_seats() -> None:
    import aiohttp

    session = Session(Backlog(ITEMS, title="Votes"))
    first = VoteServer(session)
    url = await first.start()
    first.follow(ITEMS[0], "categorize")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        ana, joined = await _real_join(http, url, name="Ana")
        seat_id = joined["seat"]["id"]
        origin = url.split("/r/")[0]
        async with http.post(
            url + "/vote",
            json={"item": "L-1", "phase": "categorize", "vote": "hiring"},
            headers={"Origin": origin, "Cookie": f"{room_server.COOKIE}={ana}"},
        ) as response:
            assert response.status == 200
        await first.stop()  # R: the room closes

        again = VoteServer(session)  # R again: a new server over the same session
        assert await again.start() == url  # the same secret, the same port
        again.follow(ITEMS[0], "categorize")
        try:
            # The phone comes back with its cookie: its seat, its name, its vote.
            async with http.get(
                url + "/state", headers={"Cookie": f"{room_server.COOKIE}={ana}"}
            ) as response:
                state = await response.json()
            assert state["seat"] == {"name": "Ana", "spectator": False, "id": seat_id}
            assert state["mine"]["vote"] == "hiring"
            _, rejoined = await _real_join(http, url, cookie=ana, name="Ana")
            assert rejoined["seat"]["id"] == seat_id
            assert len(again.seats) == 1  # no ghost
            assert list(session.decision("L-1").votes) == [seat_id]
        finally:
            await again.stop()


async def test_a_room_whose_port_is_taken_opens_on_another_with_the_same_secret() -> None:
    import socket

    session = Session(Backlog(ITEMS, title="Votes"))
    first = VoteServer(session)
    await first.start()
    port, secret = first.port, first.secret
    await first.stop()
    with socket.socket() as squatter:  # something else took the port meanwhile
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        again = VoteServer(session)
        try:
            url = await again.start()
            assert again.port != port and url.endswith(f"/r/{secret}")
            assert session.room == {"secret": secret, "port": again.port}
        finally:
            await again.stop()


async def test_seats_survive_a_crash_and_their_tokens_are_hashed_at_rest(
    tmp_path: Path, aiohttp_client: Callable[..., Any], clock: FrozenClock
) -> None:
    from triage_tui.store.autosave import Autosave

    backlog = Backlog(ITEMS, title="Votes")
    session = Session(backlog)
    autosave = Autosave(tmp_path / "room.sqlite3", backlog)
    autosave.start_fresh()
    autosave.attach(session)
    server = VoteServer(session, now=clock)
    client: TestClient[Any, Any] = await aiohttp_client(TestServer(server.app))
    server.port = client.port
    room = Room(server, client, clock)
    server.follow(ITEMS[0], "categorize")
    ana, first = await room.join("Ana")
    bo, _ = await room.join("Bo", spectator=True)
    assert await room.vote(ana, "project", "a migration with an end") == 200
    secret = server.secret
    # The crash: no stop, no close; the database is all that is left.
    del server, room
    stored = (tmp_path / "room.sqlite3").read_bytes()
    wal = tmp_path / "room.sqlite3-wal"
    stored += wal.read_bytes() if wal.exists() else b""
    for token in (ana, bo):
        assert token.encode() not in stored  # only its hash is kept
        assert room_server.seat_key(token).encode() in stored

    restarted = Session(backlog)
    Autosave(tmp_path / "room.sqlite3", backlog).resume(restarted)
    server2 = VoteServer(restarted, now=clock)
    assert server2.secret == secret  # the same link
    client2: TestClient[Any, Any] = await aiohttp_client(TestServer(server2.app))
    server2.port = client2.port
    room2 = Room(server2, client2, clock)
    server2.follow(ITEMS[0], "categorize")
    try:
        # Nobody is in the room until their page comes back.
        assert server2.status().joined == 0 and len(server2.seats) == 2
        state = await room2.state(ana)
        assert state["seat"]["id"] == first["seat"]["id"] and state["seat"]["name"] == "Ana"
        assert state["mine"] == {"vote": "project", "reason": "a migration with an end"}
        assert (await room2.state(bo))["seat"]["spectator"] is True
        status, again = await room2.post("/join", {"name": "Ana"}, cookie=ana)
        assert status == 200 and again["seat"]["id"] == first["seat"]["id"]
        assert len(server2.seats) == 2 and server2.status().joined == 1  # no ghost
        # A cookie the room never gave is no seat.
        room2.client.session.cookie_jar.clear()
        assert (await room2.state("forged-token"))["seat"] is None
    finally:
        await server2.stop()
        autosave.close()


async def test_a_votes_reply_has_the_counts_and_the_seats_vote_not_the_spec_again(
    room: Room,
) -> None:
    ana, _ = await room.join("Ana")
    await room.join("Bo")
    status, view = await room.post(
        "/vote", {"item": "L-1", "phase": "categorize", "vote": "project"}, cookie=ana
    )
    assert status == 200
    assert view["item"] == {"id": "L-1", "title": "Own the ledger"}  # the page has the spec
    assert view["joined"] == 2 and view["voted"] == 1 and not view["revealed"]
    assert view["mine"] == {"vote": "project", "reason": ""}
    assert view["seat"]["name"] == "Ana"


async def test_a_slow_write_acknowledges_the_vote_only_once_it_is_on_disk(room: Room) -> None:
    """The server awaits `durable` before it answers; a failed write is a 503 and the
    phone is told to tap again (the vote stays in the room, retried)."""
    gate = asyncio.Event()
    calls: list[str] = []

    async def durable() -> None:
        calls.append("asked")
        await gate.wait()

    room.server.durable = durable
    gate.set()  # (a join waits for its seat's write too)
    ana, _ = await room.join("Ana")
    gate.clear()
    voting = asyncio.ensure_future(room.vote(ana, "hiring"))
    await asyncio.sleep(0.05)
    assert not voting.done()  # no reply while the write is pending
    assert room.session.decisions["L-1"].votes  # (the room counts it already)
    gate.set()
    assert await voting == 200

    async def failing() -> None:
        raise OSError(28, "No space left on device")

    room.server.durable = failing
    status, body = await room.post(
        "/vote", {"item": "L-1", "phase": "categorize", "vote": "project"}, cookie=ana
    )
    assert status == 503 and "could not save" in body["error"]
    assert calls


async def test_on_readiness_seats_part_way_through_count_as_marking(room: Room) -> None:
    from triage_tui.tui.vote_room import status_text

    await room.join("Ana")
    await room.join("Bo")
    room.server.follow(ITEMS[0], "readiness")
    seats = sorted(seat.id for seat in room.server.seats.values())
    for criterion in (1, 2, 3):
        votes.cast_readiness_vote(room.session, "L-1", seats[0], criterion, "met", "Ana")
    status = room.server.status()
    assert (status.voted, status.marking) == (0, 1)
    assert "0 of 2 voted, 1 marking" in status_text(status, named=False).plain
    for criterion in range(4, 8):
        votes.cast_readiness_vote(room.session, "L-1", seats[0], criterion, "partial", "Ana")
    status = room.server.status()
    assert (status.voted, status.marking) == (1, 0)
    assert "1 of 2 voted\n" in status_text(status, named=False).plain


async def test_a_join_whose_write_failed_gets_its_seat_back_on_the_retry(room: Room) -> None:
    """A 503 on join still carries the seat's cookie: the phone's retry takes the same
    seat back, never a second seat with the same name (a ghost holding up the reveal)."""

    async def failing() -> None:
        raise OSError(28, "No space left on device")

    room.server.durable = failing
    async with room.client.session.post(
        room.client.make_url(room.base + "/join"),
        json={"name": "Cy"},
        headers={"Origin": room.origin},
    ) as response:
        assert response.status == 503
        assert "could not save" in (await response.json())["error"]
        token = response.cookies[room_server.COOKIE].value
    room.client.session.cookie_jar.clear()

    async def fine() -> None:
        return None

    room.server.durable = fine
    status, view = await room.post("/join", {"name": "Cy"}, cookie=token)
    assert status == 200 and view["seat"]["name"] == "Cy"
    assert [seat.name for seat in room.server.seats.values()] == ["Cy"]


async def test_the_panel_promises_auto_reveal_only_where_it_can_happen(room: Room) -> None:
    """One voter never auto-reveals (a phone alone is not a room): the panel says `r`
    reveals; from two voting seats it says everyone voting reveals too."""
    from triage_tui.tui.vote_room import status_text

    ana, _ = await room.join("Ana")
    assert await room.vote(ana, "project") == 200
    alone = status_text(room.server.status(), named=False).plain
    assert "1 of 1 voted" in alone and "with one voter, only r" in alone
    assert "everyone voted" not in alone
    assert not room.session.decisions["L-1"].revealed  # (as the panel says: no auto-reveal)
    await room.join("Bo")
    two = status_text(room.server.status(), named=False).plain
    assert "1 of 2 voted" in two and "(or everyone voted)" in two


async def _say_leaving(room: Room, cookie: str) -> None:
    async with room.client.session.post(
        room.client.make_url(room.base + "/leave"),
        headers={"Origin": room.origin, "Cookie": f"{room_server.COOKIE}={cookie}"},
    ) as response:
        assert response.status == 204


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never happened")


async def test_closing_one_of_two_tabs_leaves_the_other_its_usual_grace(room: Room) -> None:
    # Review (session 8): the leave of one tab shortened the whole seat's grace, so the
    # other tab's next blip counted the seat gone after 1.5 s (an early auto-reveal).
    await room.join("Ana")
    bo, _ = await room.join("Bo")
    seat = room.server.seats[room_server.seat_key(bo)]
    tab_a, tab_b = await _stream_open(room, bo), await _stream_open(room, bo)
    await _say_leaving(room, bo)  # tab A's pagehide
    tab_a.close()
    await _until(lambda: seat.streams == 1)
    room.clock.advance(room_server.LEAVING_WINDOW + 1)
    tab_b.close()  # a blip on tab B, long after A said it was going
    await _streams_closed(room, bo)
    assert seat.grace == room_server.LEFT_GRACE


async def test_a_leave_arriving_after_the_reloads_stream_opened_is_not_its(room: Room) -> None:
    await room.join("Ana")
    bo, _ = await room.join("Bo")
    seat = room.server.seats[room_server.seat_key(bo)]
    old = await _stream_open(room, bo)
    old.close()
    await _streams_closed(room, bo)
    new = await _stream_open(room, bo)  # the reloaded page
    await _say_leaving(room, bo)  # the old page's keepalive fetch, late
    room.clock.advance(room_server.LEAVING_WINDOW + 1)
    new.close()
    await _streams_closed(room, bo)
    assert seat.grace == room_server.LEFT_GRACE
    # A page that says it is going and closes at once gets the short grace.
    again = await _stream_open(room, bo)
    await _say_leaving(room, bo)
    again.close()
    await _streams_closed(room, bo)
    assert seat.grace == room_server.LEAVING_GRACE
