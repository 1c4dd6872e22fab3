"""A plan reopened and saved with no change from the room is the same file, byte for byte;
no file but the plan is written into the plan's folder (backups go beside the autosave)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.core.session import Category, Mark, Session
from triage_tui.core.workshop import Workshop
from triage_tui.formats import loaders
from triage_tui.services import Room
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app


def _plan(acme: Path, phase: str) -> Path:
    """A plan as a room leaves it: decisions, marks, time on items, a phase, the clock."""
    session = Session(loaders.load(acme), facilitator="Ana")
    for index, item in enumerate(session.backlog.items):
        session.add_time(item.id, 30 + index, clock=30 * (index + 1))
        category = (Category.HIRING, Category.PROJECT, Category.PARKED)[index % 3]
        session.decide(item.id, category, at="2026-03-02T09:00:00Z")
        if category is Category.PROJECT:
            for number in range(1, 8):
                session.set_mark(item.id, number, Mark.MET)
    session.set_phase(phase)
    plan = acme.with_name("acme.plan.toml")
    result = Room(Workshop(session)).export(plan=plan)
    assert result.ok, result.messages
    return plan


async def _open_and_save(plan: Path, clock: FrozenClock) -> None:
    app = create_app(LaunchOptions(file=plan), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        clock.advance(95)  # the room looks at the screen, then saves
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        clock.advance(20)


async def test_reopen_and_save_at_once_is_byte_identical(acme: Path, clock: FrozenClock) -> None:
    for phase in ("readiness", "categorize", "plan"):
        plan = _plan(acme, phase)
        before = plan.read_bytes()
        await _open_and_save(plan, clock)
        assert plan.read_bytes() == before, phase


async def test_no_file_but_the_plan_is_written_into_the_plans_folder(
    tmp_path: Path, acme: Path, clock: FrozenClock
) -> None:
    plan = _plan(acme, "readiness")
    folder = sorted(p.name for p in tmp_path.iterdir())
    app = create_app(LaunchOptions(file=plan), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("ctrl+s")  # the same plan again
        await app.workers.wait_for_complete()
        await pilot.press("down", "1", "ctrl+s")  # a change, then saved over the old plan
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert sorted(p.name for p in tmp_path.iterdir()) == folder


async def test_a_plan_worked_on_saved_quit_then_reopened_and_saved_is_the_same(
    acme: Path, clock: FrozenClock
) -> None:
    plan = _plan(acme, "readiness")
    app = create_app(LaunchOptions(file=plan), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        clock.advance(40)
        await pilot.press("f4", "1")  # the room changes a mark on Readiness
        clock.advance(30)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        clock.advance(50)  # then talks, and quits without another key
    saved = plan.read_bytes()
    clock.advance(3600)
    await _open_and_save(plan, clock)  # the autosave resumes, back on Readiness
    assert plan.read_bytes().decode() == saved.decode()


async def test_a_decision_made_while_ctrl_s_writes_is_in_the_autosave_and_the_next_save(
    acme: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ctrl+s takes the plan on the UI thread and renders it in a worker: the room decides
    while it renders, and the file holds the moment of ctrl+s, whole."""
    import threading
    import tomllib

    from triage_tui.formats import plan as plan_format
    from triage_tui.services import LaunchOptions as Options
    from triage_tui.services import open_workshop

    rendering, release = threading.Event(), threading.Event()
    real = plan_format.dumps_plan

    def slow(*args: Any, **kwargs: Any) -> str:
        rendering.set()
        assert release.wait(10)  # the worker waits here until the room has decided
        return real(*args, **kwargs)

    monkeypatch.setattr(plan_format, "dumps_plan", slow)
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")  # Start -> Categorize
        await pilot.pause()
        items = app.workshop.in_scope
        await pilot.press("h")  # the first item: hiring, then the next one
        await pilot.pause()
        await pilot.press("ctrl+s")
        for _ in range(200):
            if rendering.is_set():
                break
            await pilot.pause(0.02)
        assert rendering.is_set()
        await pilot.press("p")  # the second item: project, while the plan renders
        await pilot.pause()
        assert app.workshop.session.decision(items[1].id).category is Category.PROJECT
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        plan = app.workshop.plan_path
        first = tomllib.loads(plan.read_text(encoding="utf-8"))
        await pilot.press("ctrl+s")  # the next save
        await app.workers.wait_for_complete()
        await pilot.pause()
        second = tomllib.loads(plan.read_text(encoding="utf-8"))
    # The first plan is the moment of ctrl+s: one decision, and a summary that agrees.
    categories = {entry["id"]: entry["category"] for entry in first["items"]}
    assert categories[items[0].id] == "hiring"
    assert set(categories.values()) == {"hiring", "undecided"}
    assert first["summary"]["hiring"] == 1 and first["summary"]["project"] == 0
    assert first["summary"]["undecided"] == len(items) - 1
    # The next save has the decision made meanwhile.
    categories = {entry["id"]: entry["category"] for entry in second["items"]}
    assert (categories[items[0].id], categories[items[1].id]) == ("hiring", "project")
    # And so does the autosave: the room reopened without the plan resumes with it.
    room = open_workshop(acme, Options(file=acme))
    try:
        assert room.resume_info
        assert room.session.decision(items[1].id).category is Category.PROJECT
    finally:
        room.close()
