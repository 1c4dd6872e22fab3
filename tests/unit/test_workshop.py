"""The Workshop: scope, pacing and the verbs the screens call, without a terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage_tui.core.model import Backlog, Item
from triage_tui.core.scope import Scope
from triage_tui.core.session import Category, Mark, Session
from triage_tui.core.workshop import Workshop, default_plan_path

DESCRIPTION = """Receive events.

## Acceptance criteria
- Given a valid event, when POST /webhooks/stripe, then it is stored.

## Definition of done
Deployed and documented.

Reviewer: @dana
"""


def make(now: list[float]) -> Workshop:
    backlog = Backlog(
        items=(
            Item("A", "Build Stripe webhook service", DESCRIPTION),
            Item("B", "Own payments on-call", status="Done"),
            Item(
                "C",
                "Migrate Postgres 12 to 16",
                "Acceptance: no downtime.\nDoD: on 16.\nReviewer: @ops",
            ),
            Item("D", "Something vague"),
        ),
        source=Path("/tmp/acme.toml"),
    )
    return Workshop(Session(backlog), now=lambda: now[0])


def test_default_plan_path_sits_beside_the_backlog() -> None:
    assert default_plan_path(Path("/x/acme.toml")) == Path("/x/acme.plan.toml")
    assert default_plan_path(Path("/x/jira.csv")) == Path("/x/jira.plan.toml")
    assert default_plan_path(Path("/x/acme.plan.toml")) == Path("/x/acme.plan.toml")


def test_next_undecided_wraps_and_ends() -> None:
    workshop = make([0.0])
    items = workshop.in_scope
    workshop.decide(items[1], Category.HIRING)
    assert workshop.next_undecided(0) == 2
    assert workshop.next_undecided(3) == 0
    for item in items:
        workshop.decide(item, Category.PARKED)
    assert workshop.next_undecided(0) is None
    assert workshop.undecided_count() == 0 and workshop.decided_count() == 4


def test_decide_books_the_time_the_item_was_open() -> None:
    now = [0.0]
    workshop = make(now)
    first = workshop.in_scope[0]
    workshop.open_item(first)
    now[0] += 42
    workshop.decide(first, Category.PROJECT)
    assert workshop.session.decisions["A"].seconds_spent == 42


def test_scope_is_undoable_and_recomputed() -> None:
    workshop = make([0.0])
    workshop.set_scope(Scope(hide_closed=True))
    assert [item.id for item in workshop.in_scope] == ["A", "C", "D"]
    workshop.undo()
    assert len(workshop.in_scope) == 4


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (None, Mark.PARTIAL),  # unanswered counts as missing, whatever is suggested
        (Mark.MISSING, Mark.PARTIAL),
        (Mark.PARTIAL, Mark.MET),
        (Mark.MET, Mark.MISSING),
    ],
)
def test_cycle_is_missing_partial_met_missing_from_every_state(
    start: Mark | None, expected: Mark
) -> None:
    workshop = make([0.0])
    item = workshop.in_scope[0]
    workshop.decide(item, Category.PROJECT)
    assert workshop.suggested_mark(item, 4) is Mark.MET  # the suggestion does not lead
    workshop.session.set_mark("A", 4, start)
    workshop.cycle(item, 4)
    assert workshop.session.decisions["A"].marks[4] is expected


def test_park_with_a_question_is_one_step_with_the_time_it_took() -> None:
    now = [0.0]
    workshop = make(now)
    item = workshop.in_scope[2]
    workshop.session.change("asked", ("C", "rationale", "old question"))
    workshop.session.set_note("C", "a note")
    workshop.open_item(item)
    now[0] += 12
    before = workshop.session.undo_depth
    workshop.park(item, "  Which customers still run Postgres 12? ")
    decision = workshop.session.decisions["C"]
    assert decision.category is Category.PARKED
    assert decision.rationale == "Which customers still run Postgres 12?"
    assert decision.seconds_spent == 12
    assert decision.decided_at
    assert workshop.session.undo_depth == before + 1  # one undoable step (time: its own)
    workshop.undo()
    assert workshop.session.decisions["C"].category is Category.UNDECIDED
    assert workshop.session.decisions["C"].rationale == "old question"
    assert workshop.session.decisions["C"].note == "a note"  # never touched by a park
    assert workshop.session.decisions["C"].seconds_spent == 12  # ctrl+z never undoes time
    # A pasted question passes the text boundary like a note does.
    workshop.park(item, "Who? \x1b]52;c;ZXZpbA==\x07")
    assert "\x1b" not in workshop.session.decisions["C"].rationale
    assert "\x07" not in workshop.session.decisions["C"].rationale


def test_accept_suggestions_is_one_step_and_scores() -> None:
    workshop = make([0.0])
    item = workshop.in_scope[0]
    workshop.decide(item, Category.PROJECT)
    before = len(workshop.session.history)
    workshop.accept_suggestions(item)
    assert len(workshop.session.history) == before + 1
    marks = workshop.session.decisions["A"].marks
    assert {4, 5} <= set(marks)
    assert workshop.assessment(item).score > 0
    assert workshop.accept_suggestions(item) is None


def test_pace_is_time_left_over_items_left_at_start_middle_and_end() -> None:
    now = [0.0]
    workshop = make(now)
    workshop.clock.start()
    # Categorize has 30 of 60 minutes from the moment the room begins; four items share it.
    start = workshop.categorize_pace()
    assert (start.items, start.seconds, start.each) == (4, 30 * 60, 30 * 60 / 4)
    assert start.describe() == "4 items in 30 min: 7.5 min each"
    # The same figure Start shows for the same scope before the clock runs.
    assert workshop.categorize_pace(workshop.in_scope).describe() == start.describe()
    now[0] += 6 * 60
    workshop.decide(workshop.in_scope[0], Category.PROJECT)
    middle = workshop.categorize_pace()
    assert (middle.items, middle.each) == (3, 24 * 60 / 3)
    assert middle.describe() == "3 items in 24 min: 8 min each"
    for item in workshop.in_scope[1:]:
        workshop.decide(item, Category.HIRING)
    end = workshop.categorize_pace()
    assert end.finished and end.describe() == "all decided"
    workshop.undo()
    now[0] += 30 * 60  # over time, one item left: a warning, never a negative timebox
    late = workshop.categorize_pace()
    assert (late.items, late.seconds, late.each) == (1, 0, 0)
    assert late.describe() == "1 item left and no time: decide fast or park"
    assert workshop.remaining_seconds() == 60 * 60 - 36 * 60


def test_readiness_pace_counts_the_project_items_not_yet_scored() -> None:
    now = [0.0]
    workshop = make(now)
    workshop.clock.start()
    first, third = workshop.in_scope[0], workshop.in_scope[2]
    workshop.decide(first, Category.PROJECT)
    workshop.decide(third, Category.PROJECT)
    now[0] += 35 * 60  # readiness ends at 45:00 on the clock
    assert workshop.readiness_pace().describe() == "2 items in 10 min: 5 min each"
    for number in range(1, 8):
        workshop.session.set_mark("A", number, Mark.MET)
    assert workshop.readiness_pace().items == 1
    for number in range(1, 8):
        workshop.session.set_mark("C", number, Mark.PARTIAL)
    assert workshop.readiness_pace().describe("all scored") == "all scored"


def test_undecided_count_follows_decisions_undos_and_scope() -> None:
    workshop = make([0.0])
    items = workshop.in_scope
    workshop.decide(items[0], Category.PROJECT)
    workshop.decide(items[1], Category.HIRING)
    workshop.decide(items[0], Category.PARKED)  # a change of mind is not a second decision
    assert workshop.undecided_count() == 2
    workshop.undo()
    workshop.undo()
    assert workshop.undecided_count() == 3
    workshop.set_scope(Scope(hide_closed=True))
    assert workshop.undecided_count() == 2  # B (done) left out
    workshop.decide(workshop.in_scope[1], Category.HIRING)
    workshop.undo()
    workshop.undo()
    assert len(workshop.in_scope) == 4 and workshop.undecided_count() == 3
    brute = sum(1 for i in workshop.in_scope if workshop.category(i) is Category.UNDECIDED)
    assert workshop.undecided_count() == brute


def test_plan_figures_come_from_the_workshop() -> None:
    now = [0.0]
    workshop = make(now)
    a, b, c, _d = workshop.in_scope
    workshop.open_item(a)
    now[0] += 90
    workshop.decide(a, Category.PROJECT)
    workshop.open_item(c)
    now[0] += 30
    workshop.decide(c, Category.PROJECT)
    workshop.decide(b, Category.HIRING)
    for number in range(1, 8):
        workshop.session.set_mark("A", number, Mark.MET)
    assert [item.id for item in workshop.ready_items()] == ["A"]
    assert workshop.readiness_spread() == {"ready": 1, "needs_work": 0, "not_ready": 1}
    # Ready means the handoff has it: with no named reviewer, A needs work until one is.
    workshop.set_handoff(a, {"reviewer": ""})
    assert workshop.ready_items() == []
    assert workshop.assessment(a).blockers == ("name a reviewer",)
    workshop.session.undo()
    assert workshop.fully_scored_count() == 1
    assert [(item.id, spent) for item, spent in workshop.longest_discussions(2)] == [
        ("A", 90),
        ("C", 30),
    ]
    first = workshop.first_engagement()
    assert first is not None and first[0] == "A"
    # Narrowed so A is out of scope: the recommendation follows the scope, like the export.
    workshop.set_scope(Scope(text="Postgres"))
    assert workshop.first_engagement() is None


def test_the_verbs_the_screens_call() -> None:
    now = [0.0]
    workshop = make(now)
    a, _b, c, _d = workshop.in_scope
    # Signals 1-6: ownership questions first, then scope; a second press unticks.
    from triage_tui.core.categorize import OWNERSHIP_QUESTIONS, SCOPE_QUESTIONS

    workshop.toggle_signal(a, 1)
    workshop.toggle_signal(a, 4)
    assert set(workshop.session.decisions["A"].signals) == {
        OWNERSHIP_QUESTIONS[0].key,
        SCOPE_QUESTIONS[0].key,
    }
    workshop.toggle_signal(a, 1)
    assert set(workshop.session.decisions["A"].signals) == {SCOPE_QUESTIONS[0].key}
    assert workshop.toggle_signal(a, 7) is None  # no such question: nothing changes

    # Overruns: DOMAIN flags a discussion past twice its target (30 min over 4 items here).
    target = workshop.discussion_target()
    assert target == 30 * 60 / 4
    assert not workshop.overran(2 * target) and workshop.overran(2 * target + 1)

    # The first engagement cycles through the ready items; none ready, nothing to choose.
    assert workshop.next_first_engagement() is None
    for item in (a, c):
        workshop.decide(item, Category.PROJECT)
        for number in range(1, 8):
            workshop.session.set_mark(item.id, number, Mark.MET)
    assert [item.id for item in workshop.ready_items()] == ["A", "C"]
    first = workshop.first_engagement()
    assert first is not None and first[0] == "A"
    workshop.next_first_engagement()
    assert workshop.session.first_engagement == "C"
    workshop.next_first_engagement()
    assert workshop.session.first_engagement == "A"

    # Handoff edits: only fields that differ from what is shown, as one undoable step.
    step = workshop.set_handoff(a, {"reviewer": "Dana", "channel": "#payments"})
    assert step is not None and {op.name for op in step.ops} == {
        "handoff.reviewer",
        "handoff.channel",
    }
    assert workshop.set_handoff(a, {"reviewer": "Dana"}) is None  # unchanged: no step
    workshop.session.undo()
    assert "reviewer" not in workshop.session.decisions["A"].handoff


def test_typed_handoff_edits_and_the_scope_filter_pass_the_text_boundary() -> None:
    # Typed or pasted in the Plan editor and the Start filter: no ESC reaches the plan.
    workshop = make([0.0])
    item = workshop.session.backlog.items[0]
    step = workshop.set_handoff(item, {"reviewer": "\x1b]0;pwn\x07Bob", "access": ["\x1b[2Jrepo"]})
    assert step is not None and len(step.ops) == 2
    handoff = workshop.session.decisions["A"].handoff
    assert handoff["reviewer"] == "\u241b]0;pwn\u2407Bob"
    assert handoff["access"] == ["\u241b[2Jrepo"]
    workshop.set_scope(Scope(False, "\x1b[2Jbuild"))
    assert workshop.scope.text == "\u241b[2Jbuild"
    assert "\x1b" not in workshop.scope.describe()


def test_the_handoff_editor_keeps_numbers_and_flags_that_start_a_line() -> None:
    from triage_tui.core.handoff import list_entries

    text = "2.5 s p95 at most\n- [ ] stored once\n1. first\n-v flag prints\n*.csv files\n\n"
    assert list_entries(text) == [
        "2.5 s p95 at most",
        "stored once",
        "first",
        "-v flag prints",
        "*.csv files",
    ]


def test_showing_the_same_item_again_keeps_its_timer_running() -> None:
    now = [0.0]
    workshop = make(now)
    item = workshop.session.backlog.items[0]
    workshop.open_item(item)
    for _ in range(10):  # ten criterion presses, 0.4 s apart
        now[0] += 0.4
        workshop.open_item(item)
    assert workshop.timer.peek() == pytest.approx(4.0)
    workshop.open_item(workshop.session.backlog.items[2])
    assert workshop.session.decisions["A"].seconds_spent == 4


def test_time_the_room_spent_on_nothing_is_not_booked() -> None:
    now = [0.0]
    workshop = make(now)
    session = workshop.session
    first, second = workshop.in_scope[0], workshop.in_scope[1]
    workshop.set_phase(session.phase)  # a resume going back where it was: not a move
    workshop.clock.start()
    workshop.open_item(first)  # the screen shows its first item
    now[0] += 90
    assert workshop.book_time() is None  # ctrl+s at once: nothing moves
    assert (session.seconds_used, session.decision(first.id).seconds_spent) == (0, 0)
    assert not session.history
    workshop.open_item(second)  # the room moves on: the time so far was spent on `first`
    assert session.decision(first.id).seconds_spent == 90
    now[0] += 10
    workshop.decide(second, Category.HIRING)
    assert session.decision(second.id).seconds_spent == 10
    assert session.seconds_used == 100
