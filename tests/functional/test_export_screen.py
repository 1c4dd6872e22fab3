"""Export from the screen: a bad path says why and keeps the session; another path works."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, ProgressBar, Static

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.core.session import Category, Mark
from triage_tui.tui.app import LaunchOptions, TriageApp
from triage_tui.tui.launch import create_app


async def export_all(pilot: Pilot[None], app: TriageApp) -> str:
    """Press x on Export, wait for the writes, and return what the screen says."""
    await pilot.press("x")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return str(app.screen.query_one("#export-status", Static).render())


async def test_export_into_a_directory_fails_clearly_then_succeeds(
    acme: Path, tmp_path: Path
) -> None:
    in_the_way = tmp_path / "in-the-way.plan.toml"
    in_the_way.mkdir()
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter", "h", "p")
        assert app.workshop is not None
        decided = {i.id: app.workshop.category(i) for i in app.workshop.in_scope[:2]}
        assert decided == {"PAY-101": Category.HIRING, "ARCH-12": Category.PROJECT}
        await pilot.press("f6")
        await pilot.pause()
        app.screen.query_one("#plan-path", Input).value = str(in_the_way)
        status = await export_all(pilot, app)
        assert "folder, not a file" in status
        assert "Nothing is lost" in status
        assert {
            i: app.workshop.category(app.workshop.session.backlog.by_id()[i]) for i in decided
        } == decided

        good = tmp_path / "out.plan.toml"
        app.screen.query_one("#plan-path", Input).value = str(good)
        bar = app.screen.query_one("#export-progress", ProgressBar)
        assert not bar.display  # shown only while writing
        assert "✓ Wrote" in await export_all(pilot, app)
        assert bar.progress == 100 and not bar.display
    plan = tomllib.loads(good.read_text(encoding="utf-8"))
    categories = {item["id"]: item["category"] for item in plan["items"]}
    assert {key: Category(categories[key]) for key in decided} == decided
    brief = (tmp_path / "acme.brief.md").read_text(encoding="utf-8")
    assert brief.startswith("# Acme Ledger backend backlog, Q3: the backlog plan\n")
    # A file Excel opens with its accents: UTF-8 with a byte order mark.
    assert (tmp_path / "acme.summary.csv").read_text(encoding="utf-8").startswith("\ufeffid,title")
    # Nothing ready yet: the handoff folder is made, and the screen said it holds none.
    assert (tmp_path / "acme.handoffs").is_dir()
    assert not list((tmp_path / "acme.handoffs").iterdir())


async def test_export_writes_the_handoff_folder_the_brief_links_to(
    acme: Path, tmp_path: Path
) -> None:
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        session = app.workshop.session
        session.decide("PAY-114", Category.PROJECT)
        for criterion in range(1, 8):
            session.set_mark("PAY-114", criterion, Mark.MET)
        session.set_handoff("PAY-114", "reviewer", "Priya")
        await pilot.press("f6")
        await pilot.pause()
        app.screen.query_one("#plan-path", Input).value = str(tmp_path / "acme.plan.toml")
        status = await export_all(pilot, app)
        assert f"✓ Wrote {tmp_path / 'acme.handoffs'}/ (1 handoff)" in status
    handoff = (tmp_path / "acme.handoffs" / "PAY-114.md").read_text(encoding="utf-8")
    assert handoff.startswith("# Handoff: PAY-114, Build Stripe webhook ingestion service\n")
    assert "- Reviewer: **Priya**" in handoff
    brief = (tmp_path / "acme.brief.md").read_text(encoding="utf-8")
    assert "](acme.handoffs/PAY-114.md)" in brief


async def test_an_unexpected_export_failure_is_reported_not_swallowed(
    acme: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import triage_tui.formats.brief

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("renderer bug")

    monkeypatch.setattr(triage_tui.formats.brief, "render_brief", broken)
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("f6")
        await pilot.pause()
        status = await export_all(pilot, app)
        assert "renderer bug" in status
        assert "Nothing is lost" in status


async def test_the_export_hint_counts_decisions_made_since_the_last_visit(acme: Path) -> None:
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter", "h", "f6")
        await pilot.pause()
        status = app.screen.query_one("#export-status", Static)
        assert str(status.render()).startswith("1 of 25 items decided")
        await pilot.press("f3", "p", "p", "f6")
        await pilot.pause()
        status = app.screen.query_one("#export-status", Static)
        assert str(status.render()).startswith("3 of 25 items decided")


async def test_the_rooms_roadmap_assumptions_reach_the_session_and_the_plan(acme: Path) -> None:
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter", "f5")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#search-months", Input).value = "6"
        app.screen.query_one("#contractor-days", Input).value = "10"
        await pilot.press("f10")
        await pilot.pause()
        assert app.workshop is not None
        session = app.workshop.session
        assert (session.search_months, session.contractor_start_days) == (6, 10)
        # The roadmap chart draws from them at once.
        assert "search 6 months · contractor in 10 days" in str(
            app.screen.query_one("#roadmap", Static).render()
        )
        await pilot.press("f6")
        await pilot.pause()
        await export_all(pilot, app)
    plan = tomllib.loads(acme.with_suffix(".plan.toml").read_text(encoding="utf-8"))
    assert plan["meta"]["assumptions"] == {"search_months": 6, "contractor_start_days": 10}


async def test_what_the_room_does_while_export_writes_reaches_none_of_the_files(
    acme: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """x takes the room on the UI thread and renders in a worker: a vote or a decision that
    arrives meanwhile is in no file half-way (the brief is held while the room decides)."""
    import threading

    from triage_tui.formats import brief as brief_format

    rendering, release = threading.Event(), threading.Event()
    real = brief_format.render_brief

    def slow(*args: object, **kwargs: object) -> str:
        rendering.set()
        assert release.wait(10)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(brief_format, "render_brief", slow)
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter", "h")
        assert app.workshop is not None
        second = app.workshop.in_scope[1]
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("x")
        for _ in range(200):
            if rendering.is_set():
                break
            await pilot.pause(0.02)
        assert rendering.is_set()
        # On the UI thread, as a vote from the room's server or a key would be.
        app.workshop.session.decide(second.id, Category.PARKED)
        app.workshop.session.set_note(second.id, "Decided while the export ran")
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "✓ Wrote" in str(app.screen.query_one("#export-status", Static).render())
    plan = tomllib.loads((tmp_path / "acme.plan.toml").read_text(encoding="utf-8"))
    categories = {item["id"]: item["category"] for item in plan["items"]}
    assert categories[second.id] == "undecided" and plan["summary"]["parked"] == 0
    brief = (tmp_path / "acme.brief.md").read_text(encoding="utf-8")
    assert "Decided while the export ran" not in brief


async def test_export_settles_the_unsaved_count_on_the_ui_thread(
    acme: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan is written in a worker; the count of changes not yet in a plan settles on
    the UI thread (as ctrl+s and push do), never from the worker (a race on a counter)."""
    import threading

    from triage_tui.services import Room

    settled: list[threading.Thread] = []
    real = Room.plan_written

    def recorded(self: Room, *args: object) -> None:
        settled.append(threading.current_thread())
        real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Room, "plan_written", recorded)
    app = create_app(LaunchOptions(file=acme), now=FrozenClock())
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        room = app.room
        assert room is not None
        room.autosaving = False  # save_state counts what no plan holds yet
        await pilot.press("enter", "h", "p")
        assert room.save_state().unsaved == 2
        await pilot.press("f6")
        await pilot.pause()
        app.screen.query_one("#plan-path", Input).value = str(tmp_path / "acme.plan.toml")
        assert "✓ Wrote" in await export_all(pilot, app)
        assert settled == [threading.main_thread()]
        assert room.save_state().unsaved == 0
