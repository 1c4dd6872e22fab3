"""The room's votes: cast through the session, hidden, revealed, re-voted, tallied, kept
in the plan and the autosave."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage_tui.core import votes
from triage_tui.core.errors import InputError
from triage_tui.core.model import Backlog, Item
from triage_tui.core.session import Category, Mark, Session
from triage_tui.formats.plan import dumps_plan, loads_plan, read_plan, write_plan
from triage_tui.store.autosave import Autosave

CREATED = "2026-03-02T09:30:00Z"


def make_backlog(folder: Path | None = None) -> Backlog:
    items = (
        Item("L-1", "Own the ledger"),
        Item("L-2", "Build the invoice export"),
        Item("L-3", "Migrate the queue"),
    )
    if folder is None:
        return Backlog(items, title="Votes")
    path = folder / "backlog.toml"
    path.write_text("".join(f'[[items]]\nid = "{i.id}"\ntitle = "{i.title}"\n' for i in items))
    return Backlog(items, source=path, title="Votes", sha256="ab" * 32)


def room(session: Session) -> None:
    """Four seats on L-1: three say project, one says hiring with a reason."""
    votes.cast_vote(session, "L-1", "s1", Category.PROJECT, "a migration with an end", "Ana")
    votes.cast_vote(session, "L-1", "s2", Category.PROJECT)
    votes.cast_vote(session, "L-1", "s3", "project", name="Cy")
    votes.cast_vote(session, "L-1", "s4", Category.HIRING, "the ledger needs an owner", "Dee")


def test_votes_are_steps_ctrl_z_passes_over() -> None:
    session = Session(make_backlog())
    session.decide("L-2", Category.PARKED)
    room(session)
    decision = session.decision("L-1")
    assert set(decision.votes) == {"s1", "s2", "s3", "s4"}
    assert decision.votes["s4"] == {
        "vote": "hiring",
        "reason": "the ledger needs an owner",
        "name": "Dee",
    }
    # ctrl+z undoes the facilitator's decision, not the room's votes.
    undone = session.undo()
    assert undone is not None and undone.label == "parked L-2"
    assert len(session.decision("L-1").votes) == 4
    assert session.updated  # a vote is a change of the room's


def test_a_second_vote_replaces_the_first() -> None:
    session = Session(make_backlog())
    votes.cast_vote(session, "L-1", "s1", Category.HIRING, "owner")
    votes.cast_vote(session, "L-1", "s1", Category.PROJECT, "")
    assert session.decision("L-1").votes == {"s1": {"vote": "project", "reason": "", "name": ""}}
    assert votes.tally(session.decision("L-1")).counts[Category.HIRING] == 0


def test_tally_majority_and_the_room_in_words() -> None:
    session = Session(make_backlog())
    room(session)
    counted = votes.tally(session.decision("L-1"))
    assert counted.counts == {Category.HIRING: 1, Category.PROJECT: 3, Category.PARKED: 0}
    assert counted.total == 4 and counted.majority is Category.PROJECT and not counted.split
    assert counted.describe() == "3 of 4 said project; one said hiring: 'the ledger needs an owner'"


def test_a_split_room_has_no_majority() -> None:
    session = Session(make_backlog())
    votes.cast_vote(session, "L-2", "a", Category.HIRING)
    votes.cast_vote(session, "L-2", "b", Category.PROJECT, "has an end")
    counted = votes.tally(session.decision("L-2"))
    assert counted.majority is None and counted.split
    assert counted.describe() == "split: one said hiring; one said project: 'has an end'"
    assert votes.tally(session.decision("L-3")).describe() == "no votes"


def test_hidden_until_revealed_then_closed_until_a_revote() -> None:
    session = Session(make_backlog())
    room(session)
    decision = session.decision("L-1")
    assert not votes.is_revealed(decision)
    assert votes.room_suggestion(decision) is None  # hidden: no suggestion from the room
    assert votes.reveal(session, "L-1") is not None
    assert votes.reveal(session, "L-1") is None  # already shown
    assert votes.room_suggestion(decision) is Category.PROJECT
    with pytest.raises(votes.VoteRejected, match="revealed"):
        votes.cast_vote(session, "L-1", "s5", Category.PARKED)
    step = votes.revote(session, "L-1")
    assert step is not None and not step.undoable
    assert decision.votes == {} and not votes.is_revealed(decision)
    votes.cast_vote(session, "L-1", "s5", Category.PARKED)
    assert votes.tally(decision).total == 1


def test_against_majority() -> None:
    session = Session(make_backlog())
    room(session)
    assert not votes.against_majority(session.decision("L-1"))  # undecided yet
    session.decide("L-1", Category.HIRING)
    assert votes.against_majority(session.decision("L-1"))
    session.decide("L-1", Category.PROJECT)
    assert not votes.against_majority(session.decision("L-1"))


def test_readiness_votes_per_criterion() -> None:
    session = Session(make_backlog())
    session.decide("L-2", Category.PROJECT)
    for number in range(1, 8):
        votes.cast_readiness_vote(session, "L-2", "a", number, Mark.MET, "Ana")
    votes.cast_readiness_vote(session, "L-2", "b", 4, "missing")
    votes.cast_readiness_vote(session, "L-2", "c", 4, Mark.MISSING)
    decision = session.decision("L-2")
    assert votes.has_voted(decision, votes.READINESS, "a")
    assert not votes.has_voted(decision, votes.READINESS, "b")  # one criterion of seven
    assert votes.voters(decision, votes.READINESS) == {"a"}
    tallied = votes.readiness_tally(decision)
    assert tallied[4] == {Mark.MET: 1, Mark.PARTIAL: 0, Mark.MISSING: 2}
    assert tallied[1] == {Mark.MET: 1, Mark.PARTIAL: 0, Mark.MISSING: 0}
    assert votes.readiness_majority(decision)[4] is Mark.MISSING
    # Taking the only mark back leaves no vote behind.
    votes.cast_readiness_vote(session, "L-2", "c", 4, None)
    assert "c" not in decision.readiness_votes
    votes.reveal(session, "L-2", votes.READINESS)
    with pytest.raises(votes.VoteRejected):
        votes.cast_readiness_vote(session, "L-2", "b", 1, Mark.MET)
    votes.revote(session, "L-2", votes.READINESS)
    assert decision.readiness_votes == {}


@pytest.mark.parametrize(
    ("seat", "choice", "criterion", "mark"),
    [
        ("", Category.HIRING, 1, Mark.MET),
        ("a.b", Category.HIRING, 1, Mark.MET),
        ("x" * 33, Category.HIRING, 1, Mark.MET),
        ("ok", "undecided", 0, "great"),
        ("ok", "ownership", 8, "yes"),
    ],
)
def test_what_is_not_a_vote_is_refused(
    seat: str, choice: Category | str, criterion: int, mark: Mark | str
) -> None:
    session = Session(make_backlog())
    with pytest.raises(votes.VoteRejected):
        votes.cast_vote(session, "L-1", seat, choice)
    with pytest.raises(votes.VoteRejected):
        votes.cast_readiness_vote(session, "L-1", seat, criterion, mark)
    assert session.history == []


def test_a_vote_for_no_such_item_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        votes.cast_vote(Session(make_backlog()), "NOPE-1", "s1", Category.HIRING)


def test_hostile_text_passes_the_boundary_and_is_one_short_line() -> None:
    session = Session(make_backlog())
    hostile = "\x1b]52;c;cHduZWQ=\x07evil\n\x9b2J<script>alert(1)</script>\u202e" + "x" * 500
    votes.cast_vote(session, "L-1", "s1", Category.HIRING, hostile, "\x1b[31mRed\nName" * 9)
    vote = session.decision("L-1").votes["s1"]
    for text in (vote["reason"], vote["name"]):
        assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in text)
        assert "\u202e" not in text and "\n" not in text
    assert len(vote["reason"]) == votes.REASON_LIMIT and vote["reason"].endswith("…")
    assert len(vote["name"]) <= votes.NAME_LIMIT
    # In the plan, the text is a TOML string: the Markdown sinks escape it on the way out.
    tomllib.loads(dumps_plan(session, created=CREATED))


def test_the_plan_keeps_the_tally_reasons_and_dissent(tmp_path: Path) -> None:
    session = Session(make_backlog())
    room(session)
    session.decide("L-1", Category.HIRING)
    session.decide("L-2", Category.PROJECT)
    votes.cast_readiness_vote(session, "L-2", "a", 1, Mark.MET)
    votes.cast_readiness_vote(session, "L-2", "b", 1, Mark.PARTIAL)
    votes.cast_readiness_vote(session, "L-2", "b", 4, Mark.MISSING)
    plan = tomllib.loads(dumps_plan(session, created=CREATED))
    first, second, third = plan["items"]
    assert first["votes"] == {
        "hiring": 1,
        "project": 3,
        "parked": 0,
        "reasons": [
            {"vote": "hiring", "text": "the ledger needs an owner"},
            {"vote": "project", "text": "a migration with an end"},
        ],
        "against_majority": True,
    }
    assert "names" not in first["votes"]  # anonymous unless the room chose names
    assert second["votes"]["readiness"] == {
        "coherent_scope": {"met": 1, "partial": 1, "missing": 0},
        "acceptance_criteria": {"met": 0, "partial": 0, "missing": 1},
    }
    assert second["votes"]["hiring"] == 0 and second["votes"]["against_majority"] is False
    assert "votes" not in third


def test_names_only_when_the_room_chose_them(tmp_path: Path) -> None:
    session = Session(make_backlog())
    room(session)
    votes.set_names_shown(session, True)
    plan = tomllib.loads(dumps_plan(session, created=CREATED))
    table = plan["items"][0]["votes"]
    assert table["names"] == {"hiring": ["Dee"], "project": ["Ana", "Cy"], "parked": []}
    assert table["reasons"][0] == {
        "vote": "hiring",
        "text": "the ledger needs an owner",
        "name": "Dee",
    }
    plan_file = tmp_path / "named.plan.toml"
    write_plan(session, plan_file, created=CREATED)
    reopened = read_plan(plan_file)
    assert reopened.votes_named
    assert dumps_plan(reopened, plan_path=plan_file) == plan_file.read_text(encoding="utf-8")


def test_reopening_a_plan_with_votes_writes_the_same_plan(tmp_path: Path) -> None:
    session = Session(make_backlog())
    room(session)
    session.decide("L-1", Category.HIRING)
    session.decide("L-2", Category.PROJECT)
    for number in range(1, 8):
        votes.cast_readiness_vote(session, "L-2", "a", number, Mark.PARTIAL)
    plan_file = tmp_path / "votes.plan.toml"
    write_plan(session, plan_file, created=CREATED)
    reopened = read_plan(plan_file)
    again, before = votes.tally(reopened.decision("L-1")), votes.tally(session.decision("L-1"))
    assert again.counts == before.counts
    assert [r.text for r in again.reasons] == [r.text for r in before.reasons]
    assert again.names == {}  # an anonymous plan kept no names
    assert votes.is_revealed(reopened.decision("L-1"))
    assert votes.against_majority(reopened.decision("L-1"))
    assert dumps_plan(reopened, plan_path=plan_file) == plan_file.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("hiring = -1", "hiring must be 0 or more"),
        ('hiring = "two"', "hiring must be a whole number"),
        ('reasons = "no"', "reasons must be a list"),
        ('reasons = [{vote = "maybe", text = "x"}]', "reason's vote must be"),
        ("against_majority = 1", "against_majority must be true or false"),
        ("readiness = {vibes = {met = 1}}", "unknown criterion"),
    ],
)
def test_a_bad_votes_table_names_the_item_and_line(table: str, message: str) -> None:
    text = (
        'schema = "triage-tui/plan/2"\n[meta]\n\n[[items]]\nid = "A"\ntitle = "T"\n'
        f"[items.votes]\n{table}\n"
    )
    with pytest.raises(InputError, match=message) as caught:
        loads_plan(text, "bad.plan.toml")
    assert "item 'A' votes" in str(caught.value)
    assert ":4:" in str(caught.value)


def test_votes_survive_a_crash_through_the_autosave(tmp_path: Path) -> None:
    source = make_backlog(tmp_path)
    journals = tmp_path / "sessions"
    session = Session(source)
    Autosave.for_backlog(source, journals).attach(session)
    room(session)
    votes.reveal(session, "L-1")
    votes.cast_vote(session, "L-2", "s1", Category.PARKED, "which queue?")
    votes.revote(session, "L-2")
    votes.cast_vote(session, "L-2", "s2", Category.HIRING)
    # The process dies: nothing closes the autosave.
    resumed = Session(source)
    assert Autosave.for_backlog(source, journals).resume(resumed) > 0
    for item_id in ("L-1", "L-2"):
        before, after = session.decision(item_id), resumed.decision(item_id)
        assert (after.votes, after.revealed) == (before.votes, before.revealed)
    assert resumed.undo_depth == session.undo_depth == 0


_seat = st.sampled_from(["s1", "s2", "s3", "s4", "s5", "s6"])
_text = st.text(st.characters(codec="utf-8"), max_size=30)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["L-1", "L-2", "L-3"]),
            _seat,
            st.sampled_from(list(votes.VOTE_CHOICES)),
            _text,
            _text,
            st.integers(1, 7),
            st.sampled_from(list(votes.MARK_CHOICES)),
        ),
        max_size=25,
    ),
    st.booleans(),
    st.sampled_from(list(Category)),
)
def test_any_votes_round_trip_through_the_plan(
    cast: list[tuple[str, str, Category, str, str, int, Mark]],
    named: bool,
    decided: Category,
) -> None:
    session = Session(make_backlog())
    sent = {"L-1": {}, "L-2": {}, "L-3": {}}  # type: dict[str, dict[str, Category]]
    for item_id, seat, choice, reason, name, criterion, mark in cast:
        votes.cast_vote(session, item_id, seat, choice, reason, name)
        votes.cast_readiness_vote(session, item_id, seat, criterion, mark, name)
        sent[item_id][seat] = choice
    votes.set_names_shown(session, named)
    session.decide("L-1", decided)
    text = dumps_plan(session, created=CREATED)
    plan = tomllib.loads(text)
    for entry in plan["items"]:
        expected = sent[entry["id"]]
        if not expected:
            assert "votes" not in entry
            continue
        for choice in votes.VOTE_CHOICES:  # no vote lost: the tally is the votes sent
            assert entry["votes"][choice.value] == sum(v is choice for v in expected.values())
    reopened = loads_plan(text, "p.plan.toml")
    assert dumps_plan(reopened, created=CREATED) == text


def test_the_brief_shows_where_the_room_disagreed() -> None:
    from triage_tui.formats.brief import render_brief

    session = Session(make_backlog())
    room(session)
    session.decide("L-1", Category.HIRING)
    votes.cast_vote(session, "L-3", "s1", Category.PARKED)  # one voice: no disagreement
    session.decide("L-2", Category.PROJECT)
    votes.cast_readiness_vote(session, "L-2", "a", 4, Mark.MET)
    votes.cast_readiness_vote(session, "L-2", "b", 4, Mark.MISSING, "<b>x</b>")
    brief = render_brief(session)
    section = brief.split("## Where the room disagreed", 1)[1].split("\n## ", 1)[0]
    assert (
        "- **L-1: Own the ledger**: 3 of 4 said project; one said hiring: 'the ledger needs "
        "an owner'; the room decided hiring, against the majority." in section
    )
    assert "L-2" in section and ": 1 met, 1 missing" in section
    assert "L-3" not in section
    # Without votes, no section at all.
    assert "Where the room disagreed" not in render_brief(Session(make_backlog()))


def test_hostile_reason_reaches_the_brief_escaped() -> None:
    from triage_tui.formats.brief import render_brief

    session = Session(make_backlog())
    votes.cast_vote(session, "L-1", "a", Category.HIRING, "<img src=x onerror=alert(1)> [x](y)")
    votes.cast_vote(session, "L-1", "b", Category.PROJECT)
    brief = render_brief(session)
    assert "<img" not in brief and "&lt;img" in brief and "\\[x\\](y)" in brief


def test_diff_shows_the_votes_that_moved() -> None:
    from triage_tui.core.diff import compare
    from triage_tui.formats.diff import render_json, render_markdown

    old = Session(make_backlog())
    votes.cast_vote(old, "L-1", "a", Category.PROJECT)
    old.decide("L-1", Category.PROJECT)
    new = Session(make_backlog())
    room(new)
    new.decide("L-1", Category.HIRING)
    result = compare(old, new)
    assert len(result.votes) == 1
    change = result.votes[0]
    assert change.old == {"hiring": 0, "project": 1, "parked": 0}
    assert change.new == {"hiring": 1, "project": 3, "parked": 0}
    assert change.against_majority and not change.was_against_majority
    text = render_markdown(result, "old.plan.toml", "new.plan.toml")
    assert "### The room's votes changed (1)" in text
    assert (
        "| 0 hiring · 1 project · 0 parked | **1 hiring · 3 project · 0 parked** | **yes** |"
        in (text)
    )
    assert '"votes": [{"id": "L-1"' in render_json(result, "a", "b")
    assert compare(new, new).votes == []


# -- the room's link and seats, kept with the session ----------------------------------------
KEY = "5e" * 32  # a seat key: the SHA-256 of its token, in hex


def test_the_room_link_and_seats_are_steps_the_autosave_keeps(tmp_path: Path) -> None:
    source = make_backlog(tmp_path)
    journals = tmp_path / "sessions"
    session = Session(source)
    autosave = Autosave.for_backlog(source, journals)
    autosave.attach(session)
    session.decide("L-2", Category.PARKED)
    assert votes.keep_room_link(session, "S3cret-link", 8765) is not None
    assert votes.keep_room_link(session, "S3cret-link", 8765) is None  # unchanged: no step
    votes.record_seat(session, KEY, "a1b2c3d4", "Ana\x1b[31m", spectator=False)
    votes.record_seat(session, "cd" * 32, "e5f6a7b8", "", spectator=True)
    assert votes.record_seat(session, KEY, "a1b2c3d4", "Ana\x1b[31m") is None  # the same
    assert session.room == {"secret": "S3cret-link", "port": 8765}
    assert session.room_seats[KEY] == {"id": "a1b2c3d4", "name": "Ana␛[31m", "spectator": ""}
    assert session.room_seats["cd" * 32]["spectator"] == "1"
    # ctrl+z undoes the facilitator's decision, never the room's link or seats.
    undone = session.undo()
    assert undone is not None and undone.label == "parked L-2"
    assert session.undo() is None and len(session.room_seats) == 2
    # A crash, then a clean exit (compacted): both give the link and the seats back.
    crashed = Session(source)
    Autosave.for_backlog(source, journals).resume(crashed)
    assert (crashed.room, crashed.room_seats) == (session.room, session.room_seats)
    autosave.close(session)
    reopened = Session(source)
    Autosave.for_backlog(source, journals).resume(reopened)
    assert (reopened.room, reopened.room_seats) == (session.room, session.room_seats)
    # Neither is written to the plan.
    plan = dumps_plan(reopened, created=CREATED)
    assert "S3cret-link" not in plan and KEY not in plan and "a1b2c3d4" not in plan


@pytest.mark.parametrize("key", ["", "not hex!", "x" * 65, "../etc"])
def test_a_seat_key_that_is_not_one_is_refused(key: str) -> None:
    session = Session(make_backlog())
    with pytest.raises(ValueError):
        votes.record_seat(session, key, "a1b2c3d4")
    assert session.room_seats == {}


def test_a_vote_or_a_seat_redraws_no_screen_a_reveal_does() -> None:
    from triage_tui.tui.follow import changes_view

    session = Session(make_backlog())
    steps = [
        votes.cast_vote(session, "L-1", "s1", Category.PROJECT, "why"),
        votes.cast_readiness_vote(session, "L-1", "s1", 1, Mark.MET),
        votes.record_seat(session, KEY, "s1", "Ana"),
        votes.keep_room_link(session, "secret", 1),
    ]
    assert all(step is not None and not changes_view(step) for step in steps)
    revealed = votes.reveal(session, "L-1")
    again = votes.revote(session, "L-1")
    assert revealed is not None and changes_view(revealed)
    assert again is not None and changes_view(again)
    decided = session.decide("L-1", Category.PROJECT)
    assert decided is not None and changes_view(decided)
