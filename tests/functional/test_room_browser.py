"""The room in a real browser: Debian's headless Chromium (playwright's Python package with
`executable_path`; no browser is ever downloaded) on a phone-sized viewport joins, votes,
and the Pilot-driven app shows the tally. Skipped, saying why, without Chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.room import server as room_server
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app
from triage_tui.tui.vote_room import RoomPanel, room_of
from triage_tui.tui.widgets.item_list import ItemList

CHROMIUM = Path(os.environ.get("TRIAGE_TUI_CHROMIUM", "/usr/bin/chromium"))
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
#: Where the page's screenshot is kept to be looked at (the test's folder otherwise).
SHOTS = os.environ.get("TRIAGE_TUI_SHOTS", "")

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"no Chromium at {CHROMIUM} (apt-get install chromium; never downloaded)",
    ),
]


async def _launch() -> tuple[Any, Any]:
    playwright_api = pytest.importorskip("playwright.async_api", reason="playwright not installed")
    manager = playwright_api.async_playwright()
    playwright = await manager.start()
    browser = await playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
    )
    return playwright, browser


async def _settle(pilot: Any, seconds: float = 0.05) -> None:
    for _ in range(4):
        await pilot.pause(seconds)


async def _wait_for(pilot: Any, predicate: Any, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("the app never showed it")


async def test_a_phone_votes_and_the_facilitator_sees_the_tally(
    acme: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    playwright, browser = await _launch()
    app = create_app(LaunchOptions(file=acme), now=clock)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_loaded(pilot, app)
            await pilot.press("enter", "R")
            await _settle(pilot)
            room = room_of(app)
            assert room is not None
            url = room.server.url
            item_list = app.screen.query_one(ItemList)
            first = item_list.items[item_list.cursor]

            phone = await browser.new_context(**PHONE)
            page = await phone.new_page()
            console: list[str] = []
            page.on("console", lambda message: console.append(message.text))
            await page.goto(url)
            await page.fill("#name", "Priya")
            await page.click("#join-vote")
            await page.wait_for_selector(f"#item-title:has-text('{first.title[:20]}')")
            assert await page.text_content("#who") == "Voting as Priya"
            seat_id = next(iter(room.server.seats.values())).id
            # A second tab of the same phone takes back the same seat.
            tab = await phone.new_page()
            await tab.goto(url)
            await tab.wait_for_selector("#who:has-text('Voting as Priya')")
            assert len(room.server.seats) == 1

            laptop = await browser.new_context(viewport={"width": 1280, "height": 800})
            other = await laptop.new_page()
            await other.goto(url)
            await other.click("#join-vote")  # no name
            await other.wait_for_selector("#item:not([hidden])")
            await _wait_for(pilot, lambda: room.status.joined == 2)

            await page.fill("#reason", "the ledger needs an owner")
            await page.click("button[data-vote='hiring']")
            await page.wait_for_selector("#progress:has-text('1 of 2 voted')")
            await other.click("button[data-vote='project']")
            # Both voted: revealed by itself, on the phone and on the facilitator's screen.
            await page.wait_for_selector("#tally:not([hidden])")
            await _wait_for(pilot, lambda: "Revealed:" in app.screen.query_one(RoomPanel).shown)
            shown = app.screen.query_one(RoomPanel).shown
            assert "HIRE ▇ 1" in shown and "PROJ ▇ 1" in shown
            assert "“the ledger needs an owner”" in shown
            tally = await page.text_content("#tally")
            assert tally is not None and "split" in tally and "the ledger needs an owner" in tally

            shot = Path(SHOTS) if SHOTS else tmp_path
            shot.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(shot / "room-phone.png"), full_page=True)
            assert (shot / "room-phone.png").stat().st_size > 10_000

            # ctrl+r: the room votes again; the phone's old vote and its reason are gone
            # (walking the room, the old reason went in with a different new vote).
            await pilot.press("ctrl+r")
            await _settle(pilot)
            await page.wait_for_selector("#tally", state="hidden")
            assert await page.input_value("#reason") == ""
            await page.click("button[data-vote='project']")
            await page.wait_for_selector("#progress:has-text('1 of 2 voted')")
            assert room.server.session.decisions[first.id].votes[seat_id]["reason"] == ""
            # The facilitator decides: the phone follows to the next item.
            await pilot.press("h")
            await _settle(pilot)
            following = item_list.items[item_list.cursor]
            await page.wait_for_selector(f"#item-title:has-text('{following.title[:20]}')")
            # A reload keeps the seat.
            await page.reload()
            await page.wait_for_selector("#who:has-text('Voting as Priya')")
            assert len(room.server.seats) == 2
            # The laptop's tab closes: the page says it is going (pagehide), its stream
            # ends, and after a short grace the room no longer counts it (it counted for
            # 45 s, holding the auto-reveal); the panel follows.
            laptop_seat = next(s for s in room.server.seats.values() if s.id != seat_id)
            await other.close()
            await _wait_for(pilot, lambda: laptop_seat.grace == room_server.LEAVING_GRACE)
            await _wait_for(pilot, lambda: room.status.joined == 1)
            await _wait_for(pilot, lambda: "1 joined" in app.screen.query_one(RoomPanel).shown)
            assert room.status.waiting == ("Priya",)  # no ghost of the laptop awaited
            # R closes the room: the page says so.
            await pilot.press("R")
            await _settle(pilot)
            await page.wait_for_selector("#link:has-text('closed the room')")
            # R opens it again: the same link, and the page comes back by itself in the
            # same seat (it looks for the room every 5 s).
            await pilot.press("R")
            await _settle(pilot)
            again = room_of(app)
            assert again is not None and again.server.url == url
            await page.wait_for_selector("#link:has-text('Live')", timeout=15_000)
            assert await page.text_content("#who") == "Voting as Priya"
            await _wait_for(pilot, lambda: again.status.joined >= 1)
            assert len(again.server.seats) == 2  # the seats came back; no new one
            assert not [line for line in console if "Content Security Policy" in line]
    finally:
        await browser.close()
        await playwright.stop()


def test_ci_installs_chromium_when_it_is_missing() -> None:
    """.ci/run installs Debian's chromium when /usr/bin/chromium is missing and apt is
    there (the browser test needs it; playwright never downloads one)."""
    script = (Path(__file__).parents[2] / ".ci" / "run").read_text()
    assert "apt-get install -y chromium" in script and "/usr/bin/chromium" in script
    assert "playwright install" not in script
    assert shutil.which("bash")
