"""The service layer without any UI: opening, the guarded writer, phases, save state."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLES
from triage_tui import services
from triage_tui.core.errors import InputError
from triage_tui.core.session import Category, Session, Step
from triage_tui.formats.loaders import load
from triage_tui.services import GuardedWriter, LaunchOptions, WriteRefused, inside


@pytest.fixture
def acme(tmp_path: Path) -> Path:
    target = tmp_path / "acme.toml"
    shutil.copy(SAMPLES / "acme.toml", target)
    return target


def opened(path: Path, **options: object) -> services.Room:
    return services.open_workshop(path, LaunchOptions(file=path, **options))  # type: ignore[arg-type]


# -- the guarded writer ------------------------------------------------------------------
def test_inside_resolves_dots_and_symlinks(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (tmp_path / "elsewhere").mkdir()
    assert inside(folder / "plan.toml", folder)
    assert inside(folder / "new" / "plan.toml", folder)
    assert not inside(folder / ".." / "plan.toml", folder)
    assert not inside(tmp_path / "out-sibling" / "plan.toml", folder)
    link = folder / "escape"
    link.symlink_to(tmp_path / "elsewhere")
    assert not inside(link / "plan.toml", folder)


def test_the_writer_refuses_the_backlog_by_any_name(acme: Path, tmp_path: Path) -> None:
    before = acme.read_bytes()
    writer = GuardedWriter((acme,))
    hard = tmp_path / "hard.toml"
    os.link(acme, hard)
    soft = tmp_path / "soft.toml"
    soft.symlink_to(acme)
    for name in (acme, tmp_path / "." / "acme.toml", hard, soft):
        with pytest.raises(WriteRefused, match="that is the backlog itself"):
            writer.write_text(name, "overwritten")
    assert acme.read_bytes() == before
    assert writer.write_text(tmp_path / "acme.plan.toml", "plan") == tmp_path / "acme.plan.toml"


def test_the_writer_keeps_every_write_inside_out(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    writer = GuardedWriter(out=out)
    writer.write_text(out / "plan.toml", "ok")
    with pytest.raises(WriteRefused, match="the one folder this app writes to"):
        writer.write_text(tmp_path / "plan.toml", "no")
    assert not (tmp_path / "plan.toml").exists()
    # A refusal is an OSError: every caller that reports write errors reports it.
    assert issubclass(WriteRefused, OSError)


def test_export_with_plan_naming_the_backlog_is_refused(acme: Path) -> None:
    before = acme.read_bytes()
    room = opened(acme, plan=acme)
    room.session.decide(room.workshop.in_scope[0].id, Category.HIRING)
    result = room.save_plan()
    assert not result.ok
    assert result.messages == (
        f"Refused to write {acme}: that is the backlog itself, which is never overwritten; "
        "choose another file",
    )
    assert acme.read_bytes() == before
    room.close()


def test_a_reopened_plan_never_overwrites_its_original_backlog(acme: Path) -> None:
    room = opened(acme)
    plan = room.workshop.plan_path
    assert room.save_plan().ok
    room.close()
    before = acme.read_bytes()
    again = opened(plan)
    assert again.save_plan().ok  # the plan itself is rewritten in place
    refused = again.export(brief=acme)
    assert not refused.ok and "never overwritten" in refused.messages[0]
    assert acme.read_bytes() == before
    again.close()


def test_check_plan_path_refuses_the_backlog_before_anything_opens(acme: Path) -> None:
    with pytest.raises(InputError, match="--plan refused: that is the backlog itself"):
        services.check_plan_path(acme, LaunchOptions(file=acme, plan=acme))
    services.check_plan_path(acme, LaunchOptions(file=acme, plan=acme.with_suffix(".plan.toml")))
    out = acme.parent / "out"
    with pytest.raises(InputError, match="the one folder this app writes to"):
        services.check_plan_path(
            acme, LaunchOptions(file=acme, plan=acme.parent / "p.toml", out=out)
        )


# -- phases ------------------------------------------------------------------------------
def test_go_to_phase_is_journaled_and_never_undone(acme: Path) -> None:
    room = opened(acme)
    seen: list[Step] = []
    room.session.listeners.append(seen.append)
    first = room.workshop.in_scope[0].id
    room.session.decide(first, Category.PROJECT)
    room.go_to_phase("readiness")
    assert room.session.phase == "readiness"
    assert [step.undoable for step in seen] == [True, False]
    assert room.workshop.clock.running
    undone = room.workshop.undo()  # the decision, not the navigation
    assert undone is not None and undone.label == f"project {first}"
    assert room.session.phase == "readiness"
    assert room.workshop.undo() is None
    with pytest.raises(ValueError):
        room.go_to_phase("lunch")
    room.close()


def test_a_resume_returns_to_the_rooms_phase(acme: Path) -> None:
    room = opened(acme)
    assert room.resumed_phase == ""  # nothing resumed
    room.session.decide(room.workshop.in_scope[0].id, Category.HIRING)
    room.go_to_phase("plan")
    room.close()
    again = opened(acme)
    assert again.resume_info.startswith("Resumed")
    assert again.resumed_phase == "plan"
    assert again.session.undo_depth == 1  # the phase step is not on the undo stack
    again.close()


def test_set_phase_steps_round_trip_as_json() -> None:
    session = Session(load(SAMPLES / "acme.toml"))
    step = session.set_phase("categorize")
    assert step is not None and not step.undoable
    assert Step.from_json(step.to_json()) == step
    assert session.set_phase("categorize") is None  # no change, no step
    replayed = Session(load(SAMPLES / "acme.toml"))
    replayed.apply(Step.from_json(step.to_json()), notify=False)
    assert replayed.phase == "categorize" and replayed.undo_depth == 0


# -- save state (what quitting would lose) -------------------------------------------------
def test_save_state_is_saved_while_the_autosave_works(acme: Path) -> None:
    room = opened(acme)
    room.session.decide(room.workshop.in_scope[0].id, Category.HIRING)
    assert room.save_state().saved
    room.close()


def test_save_state_counts_changes_only_in_memory_when_the_autosave_fails(
    acme: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = opened(acme)
    errors: list[OSError] = []
    assert room.autosave is not None
    room.autosave.on_error = errors.append

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    # The store's one write of steps (inside its transaction).
    monkeypatch.setattr("triage_tui.store.autosave._append", full)
    ids = [item.id for item in room.workshop.in_scope[:3]]
    for item_id in ids:
        room.session.decide(item_id, Category.PROJECT)
    room.go_to_phase("readiness")  # navigation is no decision: not counted
    state = room.save_state()
    assert not state.saved and state.unsaved == 3
    assert "the disk is full" in state.reason
    assert errors
    # Writing the plan puts them on disk: nothing is lost any more.
    assert room.save_plan().ok
    assert room.save_state().saved
    room.session.decide(ids[0], Category.HIRING)
    assert room.save_state().unsaved == 1
    room.close()


def test_save_state_when_the_autosave_folder_is_removed(acme: Path) -> None:
    room = opened(acme)
    assert room.autosave is not None
    room.session.decide(room.workshop.in_scope[0].id, Category.HIRING)
    shutil.rmtree(room.autosave.path.parent)
    state = room.save_state()
    assert state.unsaved == 1 and "is gone" in state.reason
    room.close()


def test_save_state_without_autosave_counts_every_change(acme: Path) -> None:
    room = opened(acme, autosave=False)
    assert room.save_state().saved  # nothing decided yet
    room.session.decide(room.workshop.in_scope[0].id, Category.HIRING)
    state = room.save_state()
    assert state.unsaved == 1 and state.reason == "Autosave is off."
    room.close()


def test_open_reports_bad_input_as_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[items]]\nid = 1\n")
    with pytest.raises(InputError) as caught:
        opened(bad)
    assert str(caught.value).startswith(str(bad))
    with pytest.raises(InputError, match="no such file"):
        opened(tmp_path / "missing.toml")


def test_start_afresh_sets_the_autosave_aside(acme: Path) -> None:
    room = opened(acme)
    room.session.decide(room.workshop.in_scope[0].id, Category.HIRING)
    room.close()
    fresh = services.start_afresh(acme, LaunchOptions(file=acme))
    assert fresh.resume_info == "" and fresh.workshop.decided_count() == 0
    assert fresh.autosaving  # and the fresh session is autosaved from its first change
    fresh.close()


def test_brief_output_never_overwrites_the_plan_it_reads(
    acme: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from triage_tui.cli import main

    room = opened(acme)
    assert room.save_plan().ok
    plan = room.workshop.plan_path
    room.close()
    before = plan.read_bytes()
    assert main(["brief", str(plan), "-o", str(plan)]) == 1
    assert capsys.readouterr().err == (
        f"Refused to write {plan}: that is the plan being read, which is never overwritten; "
        "choose another file\n"
    )
    assert plan.read_bytes() == before
    out = acme.parent / "brief.md"
    assert main(["brief", str(plan), "-o", str(out)]) == 0
    assert out.read_text().startswith("#")


def test_handoff_folders_go_through_the_guard(acme: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    room = opened(acme, out=out)
    refused = room.export(handoffs=tmp_path / "handoffs")
    assert not refused.ok and "the one folder this app writes to" in refused.messages[0]
    assert not (tmp_path / "handoffs").exists()
    written = room.export(handoffs=out / "handoffs", brief=out / "brief.md")
    assert written.ok, written.messages
    assert (out / "brief.md").is_file() and (out / "handoffs").is_dir()
    room.close()


def test_a_start_afresh_that_cannot_write_opens_without_autosave_and_frees_the_lock(
    acme: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage_tui.store.autosave import Autosave

    def read_only(self: Autosave) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    original = Autosave.start_fresh
    monkeypatch.setattr(Autosave, "start_fresh", read_only)
    room = opened(acme, fresh=True)
    assert not room.autosaving
    assert "read-only" in room.autosave_error.casefold()
    # Not monkeypatch.undo(): that would also undo the isolated state folder.
    monkeypatch.setattr(Autosave, "start_fresh", original)
    # The lock was given back: the next window opens it as its own, not "open elsewhere".
    again = opened(acme)
    assert again.autosaving and again.held_by == ""
    again.close()


def test_export_reports_its_progress_file_by_file_and_handoff_by_handoff(
    acme: Path, tmp_path: Path
) -> None:
    from triage_tui.core.session import Mark

    out = tmp_path / "out"
    out.mkdir()
    room = opened(acme, out=out)
    session = room.session
    for item in session.backlog.items[:3]:
        session.decide(item.id, Category.PROJECT)
        for number in range(1, 8):
            session.set_mark(item.id, number, Mark.MET)
        session.set_handoff_fields(
            item.id,
            {
                "acceptance_criteria": ["It works."],
                "definition_of_done": "Merged.",
                "reviewer": "Dana",
            },
        )
    calls: list[tuple[float, str]] = []
    written = room.export(
        plan=out / "p.plan.toml",
        brief=out / "b.md",
        csv=out / "s.csv",
        handoffs=out / "handoffs",
        progress=lambda fraction, what: calls.append((fraction, what)),
    )
    assert written.ok, written.messages
    fractions = [fraction for fraction, _ in calls]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    named = [what for _, what in calls]
    # The plan is most of an export: the bar moves while it is written (several reports).
    plan_reports = named.count("p.plan.toml")
    assert plan_reports >= 2 and named[:plan_reports] == ["p.plan.toml"] * plan_reports
    named = named[plan_reports - 1 :]
    assert named[:3] == ["p.plan.toml", "b.md", "s.csv"]
    handoffs = len(list((out / "handoffs").iterdir()))
    assert handoffs == 3
    # One report as the folder starts, one after each handoff, then the end.
    assert named[3:] == ["handoffs/"] * (1 + handoffs) + [""]
    room.close()


def test_loading_pauses_the_collector_and_restores_it(
    acme: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from triage_tui.formats import loaders

    seen: list[bool] = []
    real = loaders.load

    def load(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loaders, "load", load)
    assert gc.isenabled()
    services.load_session(acme, LaunchOptions(file=acme))
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        services.load_session(acme, LaunchOptions(file=acme))
        assert not gc.isenabled()  # left as it was
    finally:
        gc.enable()
    with pytest.raises(InputError):
        services.load_session(acme.with_name("missing.csv"), LaunchOptions())
    assert gc.isenabled()


# -- ctrl+s: the plan taken on the UI thread, written off it -------------------------------
def _room_at_work(acme: Path) -> services.Room:
    from triage_tui.core import votes
    from triage_tui.core.session import Mark

    room = opened(acme, autosave=False)
    session = room.session
    first, second = (item.id for item in room.workshop.in_scope[:2])
    session.decide(first, Category.PROJECT)
    session.set_mark(first, 4, Mark.MET)
    session.set_handoff(first, "acceptance_criteria", ["answers in 2 s"])
    votes.cast_vote(session, second, "seat-1", "hiring", reason="needs an owner")
    session.set_team_info({"repository": "acme/api"})
    return room


def test_a_frozen_copy_keeps_the_moment_it_was_taken(acme: Path) -> None:
    from triage_tui.core import votes
    from triage_tui.core.session import Mark
    from triage_tui.formats.plan import dumps_plan

    room = _room_at_work(acme)
    session, items = room.session, room.workshop.plan_items
    first, second, third = (item.id for item in items[:3])
    before = dumps_plan(session, in_scope=items, created="2026-12-07T10:00:00Z")
    frozen = services.frozen_copy(session)
    # The room goes on: every kind of change a step makes, in place or whole.
    session.decide(first, Category.HIRING)
    session.set_mark(first, 4, Mark.PARTIAL)
    session.set_mark(first, 5, Mark.MET)
    session.set_handoff(first, "acceptance_criteria", ["answers in 1 s"])
    session.set_handoff(first, "reviewer", "@priya")
    session.set_signals(first, ["owner"])
    votes.cast_vote(session, second, "seat-2", "parked")
    votes.reveal(session, second)
    session.decide(third, Category.PARKED)
    session.set_note(third, "who owns it?")
    session.set_team_info({"repository": "acme/web", "stack": "Go"})
    session.change("assumptions", ("", "search_months", 6))
    assert dumps_plan(session, in_scope=items, created="2026-12-07T10:00:00Z") != before
    assert dumps_plan(frozen, in_scope=items, created="2026-12-07T10:00:00Z") == before
    assert frozen.history == [] and frozen.listeners == []
    room.close()


def test_a_change_made_while_the_plan_is_written_is_in_the_next_save(acme: Path) -> None:
    from triage_tui.formats.plan import read_plan

    room = _room_at_work(acme)
    assert room.save_state().unsaved == 5
    first, _, third = (item.id for item in room.workshop.in_scope[:3])
    save = room.snapshot_plan()  # the UI thread
    room.session.decide(third, Category.PARKED)  # the room decides while it is written
    result = room.write_plan(save)  # the worker
    room.plan_written(save, result)  # back on the UI thread
    assert result.ok and result.messages == (f"Wrote {save.path}",)
    written = read_plan(save.path)
    assert written.decision(first).category is Category.PROJECT
    assert written.decision(third).category is Category.UNDECIDED  # the state of ctrl+s
    state = room.save_state()
    assert state.unsaved == 1  # the decision made meanwhile is not on disk yet
    assert room.save_plan().ok  # the next save has it
    assert read_plan(save.path).decision(third).category is Category.PARKED
    assert room.save_state().saved
    room.close()


def test_a_plan_that_cannot_be_written_keeps_every_change_counted(acme: Path) -> None:
    room = _room_at_work(acme)
    room.workshop.acted = True
    save = room.snapshot_plan(acme)  # the backlog itself: refused
    assert not room.workshop.acted  # taken: time counts again from the room's next act
    result = room.write_plan(save)
    room.plan_written(save, result)
    assert not result.ok and "the backlog itself" in result.messages[0]
    assert room.save_state().unsaved == 5
    assert room.workshop.acted  # its time is still to be booked
    room.close()


def test_an_export_renders_every_file_from_the_room_as_taken(acme: Path, tmp_path: Path) -> None:
    from triage_tui.formats.plan import read_plan

    room = _room_at_work(acme)
    first, _, third = (item.id for item in room.workshop.in_scope[:3])
    title = room.session.backlog.by_id()[third].title
    taken = room.snapshot_plan()  # the UI thread
    room.session.decide(third, Category.PROJECT)  # decided while the files are written
    room.session.set_note(third, "decided meanwhile")
    out = tmp_path / "out"
    out.mkdir()
    result = room.export(
        plan=out / "q2.plan.toml",
        brief=out / "brief.md",
        csv=out / "summary.csv",
        handoffs=out / "handoffs",
        taken=taken,
    )
    assert result.ok, result.messages
    assert read_plan(out / "q2.plan.toml").decision(third).category is Category.UNDECIDED
    assert read_plan(out / "q2.plan.toml").decision(first).category is Category.PROJECT
    assert "decided meanwhile" not in (out / "brief.md").read_text(encoding="utf-8")
    row = next(
        line
        for line in (out / "summary.csv").read_text(encoding="utf-8-sig").splitlines()
        if line.startswith(f"{third},")
    )
    assert "undecided" in row and title in row
    # The export (a worker's) changed no count; `exported` settles it on the UI thread.
    assert room.save_state().unsaved == 7
    room.exported(taken, result)
    assert room.save_state().unsaved == 2  # what was done meanwhile still counts
    room.close()


def test_an_export_without_the_plan_leaves_its_time_to_be_booked(
    acme: Path, tmp_path: Path
) -> None:
    room = _room_at_work(acme)
    room.workshop.acted = True
    taken = room.snapshot_plan()
    result = room.export(brief=tmp_path / "brief.md", taken=taken)
    assert result.ok and result.plan_write is None and not room.workshop.acted
    room.exported(taken, result)  # on the UI thread
    assert room.workshop.acted
    assert room.save_state().unsaved == 5  # no plan written
    room.close()


def test_a_second_plan_taken_copies_only_what_steps_changed_and_equals_a_full_copy(
    acme: Path,
) -> None:
    import random

    from triage_tui.core import votes
    from triage_tui.core.session import Mark, Op, Step
    from triage_tui.formats.plan import dumps_plan

    room = _room_at_work(acme)
    session, items = room.session, room.workshop.in_scope
    rng = random.Random(22)

    def plan_of(taken: services.PlanSave) -> str:
        return dumps_plan(taken.session, in_scope=taken.items, created="2026-12-07T10:00:00Z")

    for round_ in range(12):
        for _ in range(rng.randint(0, 6)):
            item = rng.choice(items).id
            action = rng.randrange(6)
            if action == 0:
                session.decide(item, rng.choice(list(Category)))
            elif action == 1:
                session.set_mark(item, rng.randint(1, 7), rng.choice([*Mark, None]))
            elif action == 2:
                session.set_handoff(item, "acceptance_criteria", [f"criterion {round_}"])
            elif action == 3:
                votes.cast_vote(session, item, f"seat-{rng.randint(1, 3)}", "parked")
            elif action == 4:
                room.workshop.undo()
            else:
                session.set_note(item, f"note {round_}")
        if round_ == 7:  # a step the listeners never hear of (a take-over catching up)
            item = items[0].id
            old = session.decision(item).rationale
            session.apply(Step((Op(item, "rationale", old, "quiet"),), "x"), notify=False)
        taken = room.snapshot_plan()
        assert plan_of(taken) == dumps_plan(
            services.frozen_copy(session), in_scope=items, created="2026-12-07T10:00:00Z"
        ), round_
    room.close()
    assert not any(
        getattr(listener, "__self__", None).__class__.__name__ == "_Copies"
        for listener in session.listeners
    )


def test_a_copied_decision_shares_no_table_or_list_with_the_live_one(acme: Path) -> None:
    from dataclasses import fields

    from triage_tui.core.session import Decision

    room = _room_at_work(acme)
    first = room.workshop.in_scope[0].id
    live = room.session.decisions[first]
    copied = services.copy_decisions(room.session)[first]
    assert copied == live and copied is not live
    for field in fields(Decision):
        value = getattr(live, field.name)
        if isinstance(value, dict | list):
            assert getattr(copied, field.name) is not value, field.name
    room.close()


def test_ctrl_s_again_while_the_first_writes_never_leaves_the_older_plan(acme: Path) -> None:
    from triage_tui.formats.plan import read_plan

    room = _room_at_work(acme)
    third = room.workshop.in_scope[2].id
    older = room.snapshot_plan()
    room.session.decide(third, Category.PARKED)
    newer = room.snapshot_plan()  # pressed again before the first one was written
    room.session.set_note(third, "after the second ctrl+s")
    # The newer write finishes first; the older one after it.
    for save in (newer, older):
        result = room.write_plan(save)
        assert result.ok, result.messages
        room.plan_written(save, result)
    assert result.messages == (f"{older.path} already holds a later save",)
    assert read_plan(newer.path).decision(third).category is Category.PARKED
    assert room.save_state().unsaved == 1  # the note, made after both
    assert room.save_plan().ok and room.save_state().saved
    room.close()
