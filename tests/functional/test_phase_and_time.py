"""The phase, the clock and the time per item come back after quitting, by keys only."""

from __future__ import annotations

from pathlib import Path

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.core.session import Category
from triage_tui.formats.plan import read_plan
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app


async def test_resume_and_reopen_keep_the_phase_the_clock_and_the_time(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        workshop = app.workshop
        assert workshop is not None
        first = workshop.in_scope[0]
        clock.advance(40)
        await pilot.press("h")  # 40 s on the first item, then the next one opens
        clock.advance(25)  # the second item: looked at, left undecided
        await pilot.press("f4")
        await pilot.pause()
        clock.advance(10)  # on Readiness
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        second = workshop.in_scope[1]
        spent = {
            item.id: workshop.session.decision(item.id).seconds_spent for item in (first, second)
        }
        clock_used = workshop.session.seconds_used
    assert spent == {first.id: 40, second.id: 25}
    assert clock_used == 75

    # The autosave, as after a crash or a quit: same phase, clock and time per item.
    again = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with again.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, again)
        resumed = again.workshop
        assert resumed is not None
        assert resumed.session.phase == "readiness"
        assert again.current_mode == "readiness"  # back where the room was
        assert resumed.clock.elapsed() == 75
        assert resumed.session.decision(first.id).category is Category.HIRING
        assert {
            item_id: resumed.session.decision(item_id).seconds_spent for item_id in spent
        } == spent
        assert any("Back at: readiness" in n.message for n in again._notifications)

    # The plan written by ctrl+s: the same.
    reopened = read_plan(acme.with_name("acme.plan.toml"))
    assert reopened.phase == "readiness"
    assert reopened.seconds_used == 75
    assert {item_id: reopened.decision(item_id).seconds_spent for item_id in spent} == spent
