"""`triage-tui BACKLOG --from OLD.plan.toml`: last quarter's decisions on the unchanged items."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLES
from triage_tui.cli import main
from triage_tui.core.carry import carry_counts, carry_over, describe_previous
from triage_tui.core.session import Category, Mark, Session
from triage_tui.core.workshop import Workshop
from triage_tui.formats import loaders
from triage_tui.formats.plan import read_plan, write_plan
from triage_tui.services import Room
from triage_tui.store.autosave import Autosave

EXPORTS = Path(__file__).parent.parent / "fixtures" / "exports"
NEXT_QUARTER = EXPORTS / "jira-next-quarter.csv"  # ACME-198 gone, 220 and 236 edited, 2 new
CHANGED = ("ACME-220", "ACME-236")
NEW = ("ACME-250", "ACME-251")


def last_quarter(tmp_path: Path) -> Path:
    session = Session(loaders.load(SAMPLES / "jira-export.csv"), facilitator="Ana")
    session.set_field("search_months", 6)
    cycle = (Category.HIRING, Category.PROJECT, Category.PARKED)
    for index, item in enumerate(session.backlog.items):
        session.add_time(item.id, 30)
        session.decide(item.id, cycle[index % 3], at="2026-03-02T09:00:00Z")
        session.set_note(item.id, f"why {item.id}")
        session.set_signals(item.id, ["finish_line"])
        if index % 3 == 1:
            for number in range(1, 8):
                session.set_mark(item.id, number, (Mark.MET, Mark.MISSING)[number % 2])
            session.set_handoff(item.id, "reviewer", "Dana")
    path = tmp_path / "q1.plan.toml"
    write_plan(session, path)
    return path


def test_unchanged_items_carry_everything_new_and_changed_are_the_scope(tmp_path: Path) -> None:
    old_path = last_quarter(tmp_path)
    old = read_plan(old_path)
    session = Session(loaders.load(NEXT_QUARTER))
    step = carry_over(session, old, "q1.plan.toml")
    assert step is not None and not step.undoable
    counts = carry_counts(session)
    assert counts is not None
    assert (counts.carried, counts.new, counts.changed, counts.removed) == (21, 2, 2, 1)
    assert counts.describe("q1.plan.toml") == (
        "From q1.plan.toml: 21 decisions carried, 2 new and 2 changed items to decide "
        "(1 gone from the backlog)"
    )
    for item in session.backlog.items:
        now = session.decision(item.id)
        if item.id in CHANGED or item.id in NEW:
            assert now.category is Category.UNDECIDED and not now.carried, item.id
            continue
        before = old.decision(item.id)
        assert now.carried, item.id
        for name in ("category", "rationale", "note", "signals", "marks", "handoff", "decided_at"):
            assert getattr(now, name) == getattr(before, name), (item.id, name)
        assert now.seconds_spent == 0  # this quarter's clock starts at zero
    assert describe_previous(session, "ACME-220") == (
        f"last quarter: {old.decision('ACME-220').category.value}: why ACME-220 "
        "· changed since: description (+3 lines)"
    )
    assert describe_previous(session, "ACME-236").endswith("· changed since: title")
    assert describe_previous(session, "ACME-212") == ""
    assert (session.facilitator, session.search_months) == ("Ana", 6)

    workshop = Workshop(session)
    assert [item.id for item in workshop.in_scope] == [*CHANGED, *NEW]
    # The room can widen the hour to every item (the palette's "Scope: every item"), and
    # undo that.
    workshop.widen_scope()
    assert len(workshop.in_scope) == 25
    session.undo()
    assert [item.id for item in workshop.in_scope] == [*CHANGED, *NEW]
    # ctrl+z never undoes the carry-over.
    assert session.undo() is None and session.decision("ACME-212").carried
    # Deciding a carried item again makes it the room's own decision.
    session.decide("ACME-212", Category.PROJECT)
    assert not session.decision("ACME-212").carried
    session.undo()
    assert session.decision("ACME-212").carried

    # The plan holds every item, carried ones included.
    plan = tmp_path / "q2.plan.toml"
    result = Room(workshop).export(plan=plan)  # what ctrl+s and Export write
    assert result.ok, result.messages
    text = plan.read_text(encoding="utf-8")
    assert text.count("[[items]]") == 25
    assert text.count("carried = true") == 21
    assert 'carried_from = "q1.plan.toml"' in text
    reopened = read_plan(plan)
    assert reopened.carried_from == "q1.plan.toml"
    assert sum(d.carried for d in reopened.decisions.values()) == 21


def test_the_carry_over_survives_a_crash_and_a_resume_without_from(tmp_path: Path) -> None:
    old = read_plan(last_quarter(tmp_path))
    export = tmp_path / "next.csv"
    shutil.copy(NEXT_QUARTER, export)
    backlog = loaders.load(export)
    session = Session(backlog)
    autosave = Autosave.for_backlog(backlog, tmp_path / "sessions")
    autosave.attach(session)
    carry_over(session, old, "q1.plan.toml")
    session.decide("ACME-250", Category.PROJECT)
    # The process dies; the next run opens the export without --from.
    resumed = Session(loaders.load(export))
    Autosave.for_backlog(resumed.backlog, tmp_path / "sessions").resume(resumed)
    assert resumed.decisions == session.decisions
    assert resumed.scope == session.scope and resumed.carry == session.carry
    assert resumed.decision("ACME-250").category is Category.PROJECT
    assert resumed.undo() is not None  # the decision
    assert resumed.undo() is None  # not the carry-over
    assert resumed.decision("ACME-212").carried


def test_from_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--from", str(tmp_path / "q1.plan.toml")]) == 2
    assert "--from needs a BACKLOG" in capsys.readouterr().err
    assert main([str(NEXT_QUARTER), "--from", str(tmp_path / "nope.plan.toml")]) == 1
    assert capsys.readouterr().err.strip() == f"{tmp_path / 'nope.plan.toml'}: no such file"


def test_a_changed_items_previous_keeps_question_and_note_apart() -> None:
    from triage_tui.core.carry import previous
    from triage_tui.core.model import Backlog, Item

    session = Session(Backlog((Item("A", "One"), Item("B", "Two"), Item("C", "Three"))))
    session.set_field(
        "carry",
        {
            "from": "q1.plan.toml",
            "changed": {
                # This version's entry: both fields.
                "A": {"category": "parked", "rationale": "Who?", "note": "asked twice"},
                # An entry kept before the note had a field of its own: by category.
                "B": {"category": "hiring", "rationale": "needs an owner", "what": "title"},
                "C": ["parked", "which search?", "description"],  # an older journal's list
            },
        },
    )
    a, b, c = (previous(session, item_id) for item_id in "ABC")
    assert a is not None and (a.rationale, a.note, a.reason) == ("Who?", "asked twice", "Who?")
    assert b is not None and (b.rationale, b.note) == ("", "needs an owner")
    assert c is not None and (c.rationale, c.note, c.what) == ("which search?", "", "description")
    assert describe_previous(session, "B") == (
        "last quarter: hiring: needs an owner · changed since: title"
    )


def test_a_changed_items_handoff_takes_its_new_criteria_not_last_quarters() -> None:
    # Walk (session 8): a ready item's plan writes every handoff field; next quarter its
    # description changed ("5 minutes" -> "10 minutes") and the room decided it project
    # again: the handoff still listed last quarter's "5 minutes" as a room edit. Only
    # what the room really edited comes back.
    from triage_tui.core.carry import draft_handoff, previous_entry
    from triage_tui.core.handoff import default_handoff
    from triage_tui.core.model import Item
    from triage_tui.core.session import Decision

    spec = (
        "Goal: nightly loads.\n\nAcceptance criteria:\n- one line each\n- runs under {} minutes\n"
    )
    before = Item("A-1", "Export invoices", spec.format(5), markup="markdown")
    after = Item("A-1", "Export invoices", spec.format(10), markup="markdown")
    written = dict(default_handoff(before), reviewer="Omar")  # the room named a reviewer
    old = Decision(category=Category.PROJECT, handoff=written)
    entry = previous_entry(old, "description", [], before)
    assert entry["handoff"] == {"reviewer": "Omar"}
    # Through the session: the draft brings back the reviewer only.
    from triage_tui.core.model import Backlog

    session = Session(Backlog("b", (after,)))
    session.carry = {"changed": {"A-1": entry}}
    assert draft_handoff(session, after) == [("A-1", "handoff.reviewer", "Omar")]
