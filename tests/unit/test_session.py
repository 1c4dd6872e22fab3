"""Session steps: every change is reversible, recorded once, and survives JSON."""

from __future__ import annotations

import json

import pytest

from triage_tui.core.model import Backlog, Item
from triage_tui.core.session import SESSION, Category, Mark, Op, Session, Step


def make_session() -> Session:
    return Session(Backlog(items=(Item("A", "Build it"), Item("B", "Own it"))))


def test_every_item_starts_undecided() -> None:
    session = make_session()
    assert session.counts() == {
        Category.HIRING: 0,
        Category.PROJECT: 0,
        Category.PARKED: 0,
        Category.UNDECIDED: 2,
    }


def test_decide_records_time_and_is_one_undo_step_that_keeps_the_time() -> None:
    session = make_session()
    session.decide("A", Category.PROJECT, seconds=12.34, at="2026-01-01T00:00:00Z")
    decision = session.decisions["A"]
    assert (decision.category, decision.seconds_spent, decision.decided_at) == (
        Category.PROJECT,
        12,  # whole seconds
        "2026-01-01T00:00:00Z",
    )
    assert session.undo_depth == 1
    session.undo()
    assert session.decisions["A"].category is Category.UNDECIDED
    assert session.decisions["A"].decided_at == ""
    # Time is not a decision: ctrl+z never takes it back.
    assert session.decisions["A"].seconds_spent == 12
    assert session.undo() is None


def test_multi_level_undo_walks_back_in_order() -> None:
    session = make_session()
    session.decide("A", Category.PROJECT)
    session.cycle_mark("A", 4)
    session.cycle_mark("A", 4)
    session.set_note("A", "has a finish line")
    assert session.decisions["A"].marks == {4: Mark.MET}
    session.undo()
    assert session.decisions["A"].rationale == ""
    session.undo()
    assert session.decisions["A"].marks == {4: Mark.PARTIAL}
    session.undo()
    assert session.decisions["A"].marks == {}
    session.undo()
    assert session.decisions["A"].category is Category.UNDECIDED
    assert session.undo() is None


def test_cycle_goes_missing_partial_met_missing() -> None:
    session = make_session()
    seen = []
    for _ in range(4):
        session.cycle_mark("B", 1)
        seen.append(session.decisions["B"].marks[1])
    assert seen == [Mark.PARTIAL, Mark.MET, Mark.MISSING, Mark.PARTIAL]


def test_a_change_that_changes_nothing_is_not_recorded() -> None:
    session = make_session()
    session.set_note("A", "")
    session.set_field("minutes", 60)
    assert session.history == []


def test_listeners_see_changes_and_undos() -> None:
    session = make_session()
    seen: list[Step] = []
    session.listeners.append(seen.append)
    session.set_handoff("A", "reviewer", "Dana")
    session.undo()
    assert [step.undo for step in seen] == [False, True]
    assert session.decisions["A"].handoff == {}


def test_steps_replay_from_json_to_the_same_state() -> None:
    session = make_session()
    log: list[str] = []
    session.listeners.append(lambda step: log.append(json.dumps(step.to_json())))
    session.decide("B", Category.HIRING)
    session.set_signals("B", ["production_accountability", "compounding_architecture"])
    session.set_field("scope", {"hide_closed": True, "text": "label:api"})
    session.set_mark("A", 3, Mark.PARTIAL)
    session.undo()
    replayed = make_session()
    for line in log:
        replayed.apply(Step.from_json(json.loads(line)), notify=False)
    assert replayed.decisions == session.decisions
    assert replayed.scope == {"hide_closed": True, "text": "label:api"}
    assert len(replayed.history) == len(session.history)


def test_unknown_fields_are_refused() -> None:
    session = make_session()
    with pytest.raises(KeyError):
        session.set_handoff("A", "budget", "1M")
    with pytest.raises(KeyError):
        session.apply(Step((Op(SESSION, "nonsense", None, 1),)))


# -- lazy decisions -------------------------------------------------------------------
def test_decisions_are_created_on_first_read_for_backlog_items_only() -> None:
    session = make_session()
    decisions = session.decisions
    assert len(decisions) == 0  # nothing built up front
    assert "A" in decisions and "B" in decisions and "Z" not in decisions
    first = decisions["A"]
    assert first.category is Category.UNDECIDED
    assert decisions["A"] is first  # stored, not rebuilt
    assert list(decisions) == ["A"]
    with pytest.raises(KeyError):
        decisions["Z"]
    assert decisions.get("B") is None  # get() reads without creating
    assert session.decision("Z").category is Category.UNDECIDED  # decision() makes any id


def test_reading_counts_and_categories_creates_nothing() -> None:
    session = make_session()
    session.decide("B", Category.PARKED)
    assert [item.id for item in session.items_in(Category.UNDECIDED)] == ["A"]
    assert session.counts()[Category.PARKED] == 1
    assert list(session.decisions) == ["B"]
    with pytest.raises(KeyError):
        session.counts([Item("Z", "Not in the backlog")])


def test_absent_decisions_compare_as_undecided() -> None:
    touched, untouched = make_session(), make_session()
    touched.decisions["A"]  # created empty by reading
    assert touched.decisions == untouched.decisions
    assert (touched.decisions != untouched.decisions) is False
    assert untouched.decisions == {"A": touched.decisions["A"], "B": touched.decisions["A"]}
    touched.decide("A", Category.HIRING)
    assert touched.decisions != untouched.decisions


def test_decisions_given_to_a_session_are_kept() -> None:
    backlog = Backlog(items=(Item("A", "Build it"), Item("B", "Own it")))
    session = make_session()
    session.decide("A", Category.PROJECT)
    again = Session(backlog, decisions=dict(session.decisions))
    assert again.decisions["A"].category is Category.PROJECT
    assert again.decisions["B"].category is Category.UNDECIDED
    assert again.decisions == session.decisions


def test_phase_and_time_are_journaled_but_never_undone() -> None:
    session = make_session()
    seen: list[Step] = []
    session.listeners.append(seen.append)
    session.set_note("A", "first")
    session.set_phase("categorize")
    session.add_time("A", 7, clock=30)
    session.add_time("", 0, clock=45)  # time with no item open: the clock only
    assert [step.undoable for step in seen] == [True, False, False, False]
    assert (session.phase, session.seconds_used, session.decisions["A"].seconds_spent) == (
        "categorize",
        45,
        7,
    )
    undone = session.undo()
    assert undone is not None and undone.label == "note A"
    assert session.decisions["A"].rationale == ""
    assert (session.phase, session.seconds_used, session.decisions["A"].seconds_spent) == (
        "categorize",
        45,
        7,
    )
    assert session.undo() is None  # navigation and time are not on the undo stack
    # Replaying the history (a resume) gives the same state, the undo included.
    replayed = make_session()
    for step in [Step.from_json(s.to_json()) for s in [*seen, undone]]:
        replayed.apply(step, notify=False)
    assert replayed.decisions == session.decisions
    assert (replayed.phase, replayed.seconds_used) == ("categorize", 45)
    assert replayed.undo() is None


def test_set_phase_refuses_an_unknown_phase_and_the_clock_only_moves_on() -> None:
    session = make_session()
    with pytest.raises(ValueError):
        session.set_phase("lunch")
    session.add_time("", 0, clock=60)
    assert session.add_time("", 0, clock=50) is None
    assert session.set_phase("start") is None  # already there: nothing journaled
    with pytest.raises(KeyError):
        session.set_field("seconds_used", 0)


def test_updated_is_the_rooms_last_change_not_navigation() -> None:
    session = make_session()
    session.decide("A", Category.HIRING, at="2026-01-01T00:00:00Z")
    first = session.updated
    assert first
    session.set_phase("plan")
    session.add_time("A", 5)
    assert session.updated == first


def test_the_note_is_its_own_field_beside_a_parked_items_question() -> None:
    session = make_session()
    session.decide("A", Category.PARKED)
    session.change("ask", ("A", "rationale", "Who owns it?"))
    step = session.set_note("A", "sales asked \x1b[31m twice")
    assert step is not None and step.ops[0].name == "note"
    decision = session.decisions["A"]
    assert (decision.rationale, decision.note) == ("Who owns it?", "sales asked \u241b[31m twice")
    assert decision.reason == "Who owns it?"  # a parked item: its question first
    session.undo()
    assert (decision.rationale, decision.note) == ("Who owns it?", "")
    assert decision.reason == "Who owns it?"
    session.change("unask", ("A", "rationale", ""))
    session.set_note("A", "n")
    assert decision.reason == "n"  # no question: its note
    session.decide("A", Category.HIRING)
    assert (decision.rationale, decision.reason) == ("", "n")


def test_an_old_note_step_sets_what_the_note_box_meant_then() -> None:
    # Journals from before the note had a field of its own: "note ID" steps set
    # `rationale`, which the note box showed as a parked item's open question.
    old = [
        {"label": "hiring B", "ops": [["B", "category", "undecided", "hiring"]]},
        {"label": "note B", "ops": [["B", "rationale", "", "owns the pager"]]},
        {"label": "parked A", "ops": [["A", "category", "undecided", "parked"]]},
        {"label": "note A", "ops": [["A", "rationale", "", "which search?"]]},
        {"label": "parked A", "ops": [["A", "rationale", "which search?", "asked"]]},
    ]
    session = make_session()
    for data in old:
        session.apply(Step.from_json(data), notify=False)
    assert (session.decisions["B"].rationale, session.decisions["B"].note) == ("", "owns the pager")
    # A parked item's: its question (and the park step's own `rationale` stays one).
    assert (session.decisions["A"].rationale, session.decisions["A"].note) == ("asked", "")
    session.undo()
    session.undo()
    assert session.decisions["A"].rationale == ""
    session.undo()
    session.undo()
    assert session.decisions["B"].note == ""
    # New note steps are written with the new field, and read back as they were written.
    fresh = make_session()
    step = fresh.set_note("A", "x")
    assert step is not None
    again = Step.from_json(json.loads(json.dumps(step.to_json())))
    assert again.ops == step.ops


def test_an_old_carry_step_sets_last_quarters_note_as_a_note() -> None:
    # An old journal's `--from` carry set `rationale` for every carried item: a hiring or
    # project item's note, a parked item's question. A carry written since sets `note`
    # beside it, and is read as written.
    old = {
        "label": "carry over from q3.plan.toml",
        "undoable": False,
        "ops": [
            ["A", "category", "undecided", "hiring"],
            ["A", "rationale", "", "owns billing on-call"],
            ["B", "category", "undecided", "parked"],
            ["B", "rationale", "", "which search?"],
        ],
    }
    session = make_session()
    session.apply(Step.from_json(old), notify=False)
    assert (session.decisions["A"].rationale, session.decisions["A"].note) == (
        "",
        "owns billing on-call",
    )
    assert (session.decisions["B"].rationale, session.decisions["B"].note) == ("which search?", "")
    new = {
        **old,
        "ops": [
            ["A", "category", "undecided", "parked"],
            ["A", "rationale", "", "which ledger?"],
            ["A", "note", "", "ask Dana"],
        ],
    }
    fresh = make_session()
    fresh.apply(Step.from_json(new), notify=False)
    assert (fresh.decisions["A"].rationale, fresh.decisions["A"].note) == (
        "which ledger?",
        "ask Dana",
    )
