"""The whole hour, driven with the PRODUCT.md keys: start, categorize, score, export, reopen."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.core.session import Category, Mark
from triage_tui.tui.app import LaunchOptions, TriageApp
from triage_tui.tui.launch import create_app
from triage_tui.tui.widgets.item_list import ItemList

KEY_FOR = {"h": Category.HIRING, "p": Category.PROJECT, "s": Category.PARKED}


def current_item_id(app: TriageApp) -> str:
    item_list = app.screen.query_one(ItemList)
    return item_list.items[item_list.cursor].id


async def test_walk_the_whole_hour_and_reopen_the_plan(acme: Path, clock: FrozenClock) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    expected: dict[str, Category] = {}
    notes: dict[str, str] = {}
    pattern = "pphps"
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        total = len(app.workshop.in_scope)
        assert total >= 20
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "categorize"
        for index in range(total):
            item_id = current_item_id(app)
            key = pattern[index % len(pattern)]
            if index % 4 == 0:
                note = f"r{index} 'q'"
                await pilot.press("n", *note, "enter")
                notes[item_id] = note
            clock.advance(7)
            await pilot.press(key)
            expected[item_id] = KEY_FOR[key]
        assert app.workshop.undecided_count() == 0
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.current_mode == "readiness"
        projects = app.workshop.project_items()
        assert [item.id for item in projects] == [
            item_id for item_id, category in expected.items() if category is Category.PROJECT
        ]
        # First project: every criterion met (3 presses from unanswered without evidence,
        # fewer where a suggestion is confirmed first) -> check the mark, not the presses.
        first = projects[0]
        for number in range(1, 8):
            for _ in range(3):
                if app.workshop.session.decisions[first.id].marks.get(number) is Mark.MET:
                    break
                await pilot.press(str(number))
        assert all(
            app.workshop.session.decisions[first.id].marks.get(n) is Mark.MET for n in range(1, 8)
        )
        assert app.workshop.assessment(first).score == 100
        # Undo the last toggle, then redo it with the key.
        before = dict(app.workshop.session.decisions[first.id].marks)
        await pilot.press("ctrl+z")
        assert app.workshop.session.decisions[first.id].marks != before
        await pilot.press("7")
        assert app.workshop.session.decisions[first.id].marks.get(7) is Mark.MET
        # Every criterion met, but "ready" needs the handoff to have what it names.
        blockers = app.workshop.assessment(first).blockers
        if blockers:
            app.workshop.set_handoff(
                first,
                {
                    "acceptance_criteria": ["the room's criterion"],
                    "definition_of_done": "merged and deployed",
                    "reviewer": "@dana",
                },
            )
        assert app.workshop.assessment(first).blockers == ()
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    plan_path = acme.with_name("acme.plan.toml")
    plan = tomllib.loads(plan_path.read_text(encoding="utf-8"))
    assert plan["schema"] == "triage-tui/plan/2"
    by_id = {item["id"]: item for item in plan["items"]}
    assert set(by_id) == set(expected)
    for item_id, category in expected.items():
        assert by_id[item_id]["category"] == category.value
        assert by_id[item_id]["seconds_spent"] == 7.0  # the frozen clock: booked once
    for item_id, note in notes.items():
        assert by_id[item_id]["note"] == note
    assert by_id[first.id]["readiness"]["score"] == 100
    assert by_id[first.id]["readiness"]["level"] == "ready"

    # Reopening the plan restores every decision, without the backlog.
    acme.unlink()
    reopened = create_app(LaunchOptions(file=plan_path), now=FrozenClock())
    async with reopened.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, reopened)
        assert reopened.workshop is not None
        decisions = reopened.workshop.session.decisions
        assert {item_id: decisions[item_id].category for item_id in expected} == expected
        assert all(decisions[first.id].marks.get(n) is Mark.MET for n in range(1, 8))
        for item_id, note in notes.items():
            assert decisions[item_id].note == note


async def test_bad_backlog_on_the_command_line_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[items]]\ntitle = \n", encoding="utf-8")
    app = create_app(LaunchOptions(file=bad), now=FrozenClock())
    async with app.run_test(size=(120, 36)):
        pass  # a small file is read before the first screen: the app exits at once
    assert app.return_code == 1
    assert app.load_error is not None
    assert str(app.load_error).startswith(f"{bad}:2:")


async def test_undo_reverts_a_decision_and_autosave_resumes(acme: Path, clock: FrozenClock) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter", "h", "p")
        assert app.workshop is not None
        decided = [i.id for i in app.workshop.in_scope[:2]]
        await pilot.press("ctrl+z")
        assert app.workshop.session.decisions[decided[1]].category is Category.UNDECIDED
        assert app.workshop.session.decisions[decided[0]].category is Category.HIRING
    again = create_app(LaunchOptions(file=acme), now=clock)
    async with again.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, again)
        assert again.workshop is not None
        assert again.workshop.session.decisions[decided[0]].category is Category.HIRING
        assert again.workshop.session.decisions[decided[1]].category is Category.UNDECIDED
        assert again.resume_info.startswith("Resumed the autosaved session: 1 of 25 items decided")


@pytest.mark.parametrize("small_file_bytes", [0, 10**9], ids=["worker", "before-first-paint"])
async def test_an_unexpected_load_failure_is_reported(
    acme: Path, monkeypatch: pytest.MonkeyPatch, small_file_bytes: int
) -> None:
    from triage_tui import services

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("loader bug")

    monkeypatch.setattr(services, "open_workshop", broken)
    monkeypatch.setattr("triage_tui.tui.loading.SMALL_FILE_BYTES", small_file_bytes)
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        if small_file_bytes == 0:  # a worker: the app runs, then exits
            await wait_loaded(pilot, app)
        # (before the first paint, the app exits before any screen exists)
    assert app.return_code == 1
    assert str(app.load_error) == f"{acme}: could not be opened (RuntimeError: loader bug)"


async def test_ctrl_n_starts_afresh_in_the_same_window(acme: Path, clock: FrozenClock) -> None:
    """ctrl+n on Start sets the autosave aside: nothing decided, and not read-only."""
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter", "h", "p", "f2")
        assert app.workshop is not None and app.workshop.decided_count() == 2
        await pilot.press("ctrl+n")
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        assert app.workshop.decided_count() == 0
        assert not app.read_only  # its own lock is not "another window"
        assert app.resume_info == ""
        from triage_tui.tui.screens.held import HeldScreen

        assert not isinstance(app.screen, HeldScreen)
        await pilot.press("enter", "s")
        assert app.workshop.decided_count() == 1  # and the session is writable


async def test_readiness_keeps_its_place_behind_help(acme: Path, clock: FrozenClock) -> None:
    from triage_tui.tui.widgets.item_list import ItemList

    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter", "p", "p", "p", "f4", "down", "down")
        assert app.screen.query_one(ItemList).cursor == 2
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_mode == "readiness"
        assert app.screen.query_one(ItemList).cursor == 2  # not back at the first item


async def test_counts_read_as_english(acme: Path, clock: FrozenClock) -> None:
    # "1 project item", never "1 project items", on Plan and on Readiness's pace line.
    from textual.widgets import Static

    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter", "p", "f5")
        await pilot.pause()
        spread = str(app.screen.query_one("#spread", Static).render())
        assert "Readiness of 1 project item\n" in spread
        await pilot.press("f4")
        await pilot.pause()
        pace = str(app.screen.query_one("PaceBar > Static", Static).render())
        assert "0 of 1 project item fully scored" in pace
        await pilot.press("f3", "p", "f5")
        await pilot.pause()
        assert "Readiness of 2 project items" in str(
            app.screen.query_one("#spread", Static).render()
        )


async def test_reopening_an_edited_backlog_shows_the_edited_description(
    acme: Path, tmp_path: Path, clock: FrozenClock
) -> None:
    # The same ids, a description fixed between the two opens: Categorize draws the new
    # text, not the one it drew for that id before.
    from triage_tui.tui.widgets.description import Description

    copy = tmp_path / "acme.toml"
    text = acme.read_text(encoding="utf-8")
    old = "Right now payments incidents page whoever happens to be awake."
    assert old in text
    copy.write_text(text, encoding="utf-8")
    app = create_app(LaunchOptions(file=copy), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        view = app.screen.query_one(Description)
        assert "Right now payments incidents" in " ".join(view.text_lines)
        copy.write_text(text.replace(old, "Edited: the on-call rota is the whole job."))
        app.open_file(copy)
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert current_item_id(app) == "PAY-101"
        shown = " ".join(app.screen.query_one(Description).text_lines)
        assert "Edited: the on-call rota" in shown and "Right now" not in shown


async def test_clicking_a_row_shows_that_item(acme: Path, clock: FrozenClock) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        assert await pilot.click("#items", offset=(8, 3))
        await pilot.pause()
        assert app.workshop is not None
        assert current_item_id(app) == app.workshop.in_scope[3].id


async def test_the_plan_screen_asks_for_what_the_handoff_lacks(acme: Path) -> None:
    """A project item with every criterion met but no reviewer: "ready once: name a
    reviewer" on Plan, and the editor opens on the reviewer and saves it."""
    from textual.widgets import DataTable, Input

    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        session = app.workshop.session
        session.decide("API-88", Category.PROJECT)  # criteria and done written, no reviewer
        for number in range(1, 8):
            session.set_mark("API-88", number, Mark.MET)
        await pilot.press("f5")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert str(table.get_row_at(0)[3]) == "ready once: name a reviewer"
        assert app.workshop.ready_items() == []
        await pilot.press("e")
        await pilot.pause()
        focused = app.focused
        assert isinstance(focused, Input) and focused.id == "field-reviewer"
        await pilot.press(*"@priya", "f10")
        await pilot.pause()
        assert session.decisions["API-88"].handoff == {"reviewer": "@priya"}
        assert [item.id for item in app.workshop.ready_items()] == ["API-88"]
        assert str(table.get_row_at(0)[3]) == "✓ ready"
        first = app.workshop.first_engagement()
        assert first is not None and first.id == "API-88"
