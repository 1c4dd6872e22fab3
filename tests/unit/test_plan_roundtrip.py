"""Plan/2 keeps the room's state: every kind of change survives a plan and an autosave;
the file is quiet in a pull request; plan/1 files still open."""

from __future__ import annotations

import difflib
import hashlib
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLES
from triage_tui.core.errors import InputError
from triage_tui.core.model import Backlog, Item
from triage_tui.core.session import Category, Decision, Mark, Session
from triage_tui.core.workshop import Workshop
from triage_tui.formats import loaders
from triage_tui.formats.plan import SCHEMA, dumps_plan, loads_plan, read_plan, write_plan
from triage_tui.store.autosave import Autosave

FIXTURES = Path(__file__).parent.parent / "fixtures" / "plans"
CREATED = "2026-03-02T09:30:00Z"

#: The fields of a session the room can change, compared one by one.
SESSION_STATE = (
    "facilitator",
    "team",
    "minutes",
    "first_engagement",
    "scope",
    "phase",
    "seconds_used",
    "search_months",
    "contractor_start_days",
    "carried_from",
)
DECISION_STATE = (
    "category",
    "rationale",
    "signals",
    "marks",
    "handoff",
    "seconds_spent",
    "decided_at",
    "carried",
)


def backlog(folder: Path | None = None) -> Backlog:
    items = (
        Item("P-1", "Own the payments platform", "Incidents page whoever is awake.", ("pay",)),
        Item(
            "P-2",
            "Build the webhook ingestion service",
            "## Acceptance criteria\n- stored once\n\n## Definition of done\nDeployed.",
            ("pay",),
            "2w",
            status="To Do",
        ),
        Item("P-3", "Invoice CSV export endpoint", "Accountants ask for CSV.", (), 3),
        Item("P-4", "Make search fast again", status="In Progress"),
        Item("P-5", "Fix flaky tests", estimate="1d", extra={"Priority": "Low"}),
    )
    if folder is None:
        return Backlog(items, title="Round trip", sha256="cd" * 32)
    path = folder / "backlog.toml"
    text = "".join(f'[[items]]\nid = "{i.id}"\ntitle = "{i.title}"\n' for i in items)
    path.write_text(text, encoding="utf-8")
    digest = hashlib.sha256(text.encode()).hexdigest()
    return Backlog(items, source=path, title="Round trip", sha256=digest)


def every_kind_of_change(session: Session) -> None:
    """Decisions, notes, signals, all four mark states, handoff edits, the first
    engagement, scope, names, minutes, assumptions, phase, time and the clock, an undo."""
    session.set_field("facilitator", "Ana")
    session.set_field("team", "Payments")
    session.set_field("minutes", 45)
    session.set_field("search_months", 4.5)
    session.set_field("contractor_start_days", 3)
    session.set_field("scope", {"hide_closed": True, "text": ""})
    session.set_phase("categorize")
    session.add_time("P-1", 41, clock=50)
    session.decide("P-1", Category.HIRING, at="2026-03-02T09:05:00Z")
    session.set_note("P-1", "Needs an owner for the pager.")
    session.set_signals("P-1", ["production_accountability", "compounding_architecture"])
    session.add_time("P-2", 95, clock=150)
    session.decide("P-2", Category.PROJECT, at="2026-03-02T09:07:00Z")
    session.decide("P-3", Category.PROJECT, at="2026-03-02T09:08:00Z")
    session.decide("P-4", Category.PARKED, at="2026-03-02T09:09:00Z")
    session.set_note("P-4", "Which search: admin or customer-facing?")
    session.decide("P-5", Category.HIRING, at="2026-03-02T09:10:00Z")
    session.undo()  # P-5 back to undecided
    session.add_time("P-5", 12, clock=170)
    session.set_phase("readiness")
    for number in range(1, 8):
        session.set_mark("P-2", number, Mark.MET)
    session.set_mark("P-3", 3, Mark.MISSING)  # said missing: not the same as unanswered
    session.set_mark("P-3", 4, Mark.PARTIAL)
    session.set_mark("P-3", 5, Mark.MET)
    session.set_handoff("P-2", "reviewer", "Dana")
    session.set_handoff("P-2", "acceptance_criteria", ["stored once", "400 on a bad signature"])
    session.set_handoff("P-2", "access", ["read access to the ingest schema"])
    session.set_handoff("P-3", "channel", "Slack #billing")  # not ready, kept
    session.set_phase("plan")
    session.set_field("first_engagement", "P-2")
    session.add_time("", 0, clock=305)  # time on the Plan screen: the clock only


def assert_same_state(actual: Session, expected: Session) -> None:
    for name in SESSION_STATE:
        assert getattr(actual, name) == getattr(expected, name), name
    for item in expected.backlog.items:
        before, after = expected.decision(item.id), actual.decision(item.id)
        for name in DECISION_STATE:
            assert getattr(after, name) == getattr(before, name), (item.id, name)


def test_every_change_survives_writing_and_reopening_the_plan(tmp_path: Path) -> None:
    session = Session(backlog())
    every_kind_of_change(session)
    assert session.decision("P-3").marks == {3: Mark.MISSING, 4: Mark.PARTIAL, 5: Mark.MET}
    plan_file = tmp_path / "round.plan.toml"
    write_plan(session, plan_file, created=CREATED)
    reopened = read_plan(plan_file)
    assert_same_state(reopened, session)
    assert reopened.updated == session.updated
    # And the reopened session writes the same plan.
    assert dumps_plan(reopened, plan_path=plan_file) == plan_file.read_text(encoding="utf-8")


def test_every_change_survives_a_crash_through_the_autosave(tmp_path: Path) -> None:
    source = backlog(tmp_path)
    journals = tmp_path / "sessions"
    session = Session(source)
    autosave = Autosave.for_backlog(source, journals)
    autosave.attach(session)
    every_kind_of_change(session)
    # A crash: the process dies, nothing closes or compacts the autosave.
    resumed = Session(source)
    again = Autosave.for_backlog(source, journals)
    assert again.resume(resumed) > 0
    assert_same_state(resumed, session)
    assert resumed.undo_depth == session.undo_depth
    # ctrl+z after the resume still undoes the room's last change, not the time or phase.
    undone = resumed.undo()
    assert undone is not None and undone.label == session.undo().label  # type: ignore[union-attr]
    assert_same_state(resumed, session)


def test_the_marks_the_room_gave_come_back_as_given() -> None:
    session = Session(backlog())
    session.decide("P-3", Category.PROJECT)
    for number, mark in ((1, Mark.MISSING), (2, Mark.PARTIAL), (3, Mark.MET)):
        session.set_mark("P-3", number, mark)
    text = dumps_plan(session, created=CREATED)
    assert 'coherent_scope = "missing"' in text
    assert 'system_context = "partial"' in text
    assert 'io_contracts = "met"' in text
    assert text.count('= "unanswered"') == 4
    assert loads_plan(text).decision("P-3").marks == session.decision("P-3").marks


# -- quiet in a pull request ----------------------------------------------------------
def _item_lines(text: str) -> list[str]:
    return text[text.index("[[items]]") :].splitlines()


def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end)]


@pytest.mark.parametrize("sample", ["jira-export.csv", "acme.toml", "linear-export.csv"])
def test_reopening_and_saving_at_once_rewrites_no_item_line(sample: str, tmp_path: Path) -> None:
    session = Session(loaders.load(SAMPLES / sample))
    finished_room(session)
    plan_file = tmp_path / "q1.plan.toml"
    write_plan(session, plan_file)
    first = plan_file.read_text(encoding="utf-8")
    write_plan(read_plan(plan_file), plan_file)
    second = plan_file.read_text(encoding="utf-8")
    assert _item_lines(second) == _item_lines(first)  # byte for byte, every item line
    assert _section(second, "[summary]", "[[items]]") == _section(first, "[summary]", "[[items]]")
    assert second == first  # [meta] too: created kept, updated is the room's, not the write's


def test_one_changed_decision_changes_a_handful_of_lines(tmp_path: Path) -> None:
    session = Session(loaders.load(SAMPLES / "jira-export.csv"))
    finished_room(session)
    plan_file = tmp_path / "q1.plan.toml"
    write_plan(session, plan_file)
    before = plan_file.read_text(encoding="utf-8").splitlines()
    reopened = read_plan(plan_file)
    hiring = next(reopened.items_in(Category.HIRING))
    reopened.decide(hiring.id, Category.PARKED, at="2026-03-02T10:00:00Z")
    write_plan(reopened, plan_file)
    after = plan_file.read_text(encoding="utf-8").splitlines()
    changed = [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    # [meta] updated (unless within the same second), [summary] hiring and parked, the
    # item's category and decided_at: at most five lines out, five in.
    assert len(changed) <= 10, changed
    assert '+category = "parked"' in changed
    assert {line[1:].split(" = ")[0] for line in changed} <= {
        "updated",
        "hiring",
        "parked",
        "category",
        "decided_at",
    }, changed


def finished_room(session: Session) -> None:
    """A room that decided every item (a third each) and scored the project items."""
    cycle = (Category.HIRING, Category.PROJECT, Category.PARKED)
    for index, item in enumerate(session.backlog.items):
        session.add_time(item.id, 20 + index, clock=30 * (index + 1))
        session.decide(item.id, cycle[index % 3], at=f"2026-03-02T09:{index % 60:02d}:00Z")
        if index % 3 == 1:
            for number in range(1, 8):
                session.set_mark(item.id, number, (Mark.MET, Mark.PARTIAL)[number % 2])
        if index % 3 == 2:
            session.set_note(item.id, f"Open question {index}?")
    session.set_phase("plan")


def test_the_jira_sample_plan_is_at_most_two_thirds_of_plan_1s() -> None:
    # plan-1/jira-plan1.plan.toml was written by the plan/1 writer (before plan/2) for
    # the Jira sample, every item decided (a third each, project items all met, 30 s
    # each): 36,320 bytes, 1,272 lines, mostly Jira bookkeeping in `extra`.
    old_file = FIXTURES / "jira-plan1.plan.toml"
    old = old_file.read_bytes()
    assert len(old) == 36_320
    session = Session(loaders.load(SAMPLES / "jira-export.csv"))
    cycle = (Category.HIRING, Category.PROJECT, Category.PARKED)
    for index, item in enumerate(session.backlog.items):
        session.decide(item.id, cycle[index % 3], seconds=30, at="2026-03-02T09:00:00Z")
        if index % 3 == 1:
            for number in range(1, 8):
                session.set_mark(item.id, number, Mark.MET)
    new = dumps_plan(session, created=CREATED).encode("utf-8")
    assert len(new) <= len(old) * 2 // 3, (len(new), len(old))
    text = new.decode("utf-8")
    for noise in ("Custom field (Rank)", "Watchers", "Last Viewed", "Σ ", "accountid"):
        assert f'"{noise}' not in text.split("[[items]]", 1)[1], noise
    assert '"Custom field (Rank)",' in text  # named once, in [meta]
    assert text.count("Custom field (Rank)") == 1
    assert "Priority = " in text  # what a reader needs stays


# -- plan/1 still opens -----------------------------------------------------------------
def test_a_plan_1_file_written_by_the_old_writer_opens() -> None:
    old_file = FIXTURES / "acme-plan1.plan.toml"
    assert 'schema = "triage-tui/plan/1"' in old_file.read_text(encoding="utf-8")
    session = read_plan(old_file)
    decisions = session.decisions
    assert decisions["PAY-101"].category is Category.HIRING
    assert decisions["PAY-101"].seconds_spent == 61  # 61.3 in plan/1: whole seconds now
    # plan/1 kept the room's note in `rationale`: a hiring item's reads as its note, a
    # parked item's stays its open question.
    assert decisions["PAY-101"].note == "Needs an owner for the pager."
    assert decisions["PAY-101"].rationale == ""
    assert decisions["PLAT-47"].rationale == "Which search: admin or customer-facing?"
    assert decisions["PLAT-47"].note == ""
    assert decisions["PAY-114"].marks == dict.fromkeys(range(1, 8), Mark.MET)
    # plan/1 kept met and partial only: the missing mark it had is unanswered now.
    assert decisions["API-88"].marks == {4: Mark.PARTIAL, 5: Mark.MET}
    # What the file says is kept: the room's reviewer, and where today's defaults differ
    # from plan/1's (the deliverable is an outcome now), plan/1's words.
    assert decisions["PAY-114"].handoff["reviewer"] == "Dana"
    assert decisions["PAY-114"].handoff.get("acceptance_criteria", ["stored once"]) == [
        "stored once"
    ]  # plan/1's "- [ ] stored once" text reads as a list
    assert decisions["API-88"].handoff["channel"] == "Slack #billing"
    assert session.seconds_used == round(4.3 * 60)  # plan/1's clock: the items' time
    assert (session.facilitator, session.team, session.minutes) == ("Ana", "Payments", 45)
    # Written back as plan/2, and that reopens to the same decisions.
    text = dumps_plan(session)
    assert text.startswith(f'schema = "{SCHEMA}"')
    assert 'created = "2026-03-02T09:30:00Z"' in text
    assert loads_plan(text).decisions == session.decisions


def test_the_jira_plan_1_fixture_opens_too() -> None:
    session = read_plan(FIXTURES / "jira-plan1.plan.toml")
    assert len(session.backlog.items) == 24
    counts = session.counts()
    assert (counts[Category.HIRING], counts[Category.PROJECT], counts[Category.PARKED]) == (
        8,
        8,
        8,
    )


def _meta(text: str) -> dict[str, Any]:
    import tomllib

    meta: dict[str, Any] = tomllib.loads(text)["meta"]
    return meta


def test_created_is_the_first_write_and_kept(tmp_path: Path) -> None:
    session = Session(backlog(tmp_path))
    plan_file = tmp_path / "backlog.plan.toml"
    session.decide("P-1", Category.HIRING)
    write_plan(session, plan_file)
    first = _meta(plan_file.read_text(encoding="utf-8"))
    # Another run over the same backlog (no plan_meta) writes the same plan file again.
    again = Session(session.backlog, decisions=session.decisions, updated=session.updated)
    write_plan(again, plan_file)
    second = _meta(plan_file.read_text(encoding="utf-8"))
    assert second["created"] == first["created"]
    assert second["updated"] == first["updated"] == session.updated


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_workshop_books_time_and_the_clock_through_the_session(tmp_path: Path) -> None:
    ticks = Ticks()
    session = Session(backlog())
    journal: list[Any] = []
    session.listeners.append(journal.append)
    workshop = Workshop(session, now=ticks)
    items = {item.id: item for item in session.backlog.items}
    workshop.set_phase("categorize")
    workshop.clock.start()
    workshop.open_item(items["P-1"])
    ticks.now += 40.4
    workshop.open_item(items["P-2"])  # P-1 was open 40 s, undecided: still booked
    ticks.now += 25
    workshop.decide(items["P-2"], Category.PROJECT)
    ticks.now += 5
    workshop.set_phase("plan")  # the 5 s on P-2 after deciding, and the clock
    ticks.now += 30  # on the Plan screen, no item open
    workshop.book_time()  # what ctrl+s and quitting do
    assert session.decision("P-1").seconds_spent == 40
    assert session.decision("P-2").seconds_spent == 30
    assert session.seconds_used == 100  # the clock, not the items' sum
    assert session.phase == "plan"
    assert [step.undoable for step in journal].count(True) == 1  # only the decision
    assert session.undo() is not None and session.undo() is None
    assert session.decision("P-2").seconds_spent == 30  # time stays after the undo

    # The clock and the time per item come back exactly from the plan.
    plan_file = tmp_path / "t.plan.toml"
    write_plan(session, plan_file, created=CREATED)
    reopened = read_plan(plan_file)
    assert Workshop(reopened, now=ticks).clock.elapsed() == 100
    assert reopened.decision("P-1").seconds_spent == 40
    assert reopened.phase == "plan"
    assert "minutes_used = 1.7" in plan_file.read_text(encoding="utf-8")


def test_first_engagement_before_is_written_and_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from triage_tui.formats import plan as plan_module

    session = Session(backlog())
    every_kind_of_change(session)
    text = dumps_plan(session, created=CREATED)
    assert 'before = ""' in text  # core.handoff names no larger need yet: empty, not absent
    # When core.handoff names the larger need it prepares for (a third value):
    monkeypatch.setattr(
        plan_module,
        "recommend_first_engagement",
        lambda *args, **kwargs: ("P-2", "Start small.", "P-3"),
    )
    text = dumps_plan(session, created=CREATED)
    assert (
        '[first_engagement]\nid = "P-2"\nwhy = "Start small."\nchosen_by = "room"\nbefore = "P-3"\n'
        in text
    )
    assert loads_plan(text).first_engagement == "P-2"
    broken = text.replace('before = "P-3"', "before = 3")
    with pytest.raises(InputError, match=r"\[first_engagement\]: before must be a string"):
        loads_plan(broken)


def test_list_handoff_fields_are_arrays_and_come_back_as_written() -> None:
    session = Session(backlog())
    session.decide("P-2", Category.PROJECT)
    for number in range(1, 8):
        session.set_mark("P-2", number, Mark.MET)
    criteria = ["stored once", "400 on a bad signature | logged", ""]
    session.set_handoff("P-2", "acceptance_criteria", criteria)
    text = dumps_plan(session, created=CREATED)
    assert (
        'acceptance_criteria = [\n    "stored once",\n'
        '    "400 on a bad signature | logged",\n    "",\n]'
    ) in text
    assert loads_plan(text).decision("P-2").handoff["acceptance_criteria"] == criteria


# -- the room's note, a field of its own -------------------------------------------------
LEGACY = Path(__file__).resolve().parents[1] / "fixtures" / "legacy"


def test_a_plan_2_from_before_the_note_field_opens_with_nothing_lost() -> None:
    # Written by main at df1431a (the plan/2 writer that kept the room's note in
    # `rationale` and wrote no `note` key).
    old_file = LEGACY / "acme-plan2-note-in-rationale.plan.toml"
    text = old_file.read_text(encoding="utf-8")
    assert 'schema = "triage-tui/plan/2"' in text and "\nnote = " not in text
    session = read_plan(old_file)
    decisions = session.decisions
    assert (decisions["PAY-101"].category, decisions["PAY-101"].note) == (
        Category.HIRING,
        "Needs an owner for the pager.",
    )
    assert decisions["ARCH-12"].note == "Stripe retries cover the gap; Dana reviews."
    assert decisions["PAY-101"].rationale == decisions["ARCH-12"].rationale == ""
    assert decisions["PAY-114"].category is Category.PARKED
    assert decisions["PAY-114"].rationale == "Which search: admin or customer-facing?"
    assert decisions["PAY-114"].note == ""
    # Saved again: `note` is written where there is one, and the file reopens exactly.
    again = dumps_plan(session)
    items = {entry["id"]: entry for entry in tomllib.loads(again)["items"]}
    assert "note" not in items["PAY-114"] and "note" not in items["INFRA-31"]
    assert items["ARCH-12"]["note"] == "Stripe retries cover the gap; Dana reviews."
    assert items["ARCH-12"]["rationale"] == ""
    assert items["PAY-114"]["rationale"] == "Which search: admin or customer-facing?"
    reopened = loads_plan(again)
    assert reopened.decisions == session.decisions
    assert dumps_plan(reopened) == again


def test_note_and_question_are_kept_apart_through_a_plan() -> None:
    session = Session(loaders.load(SAMPLES / "acme.toml"))
    first, second, third = (item.id for item in session.backlog.items[:3])
    session.decide(first, Category.PARKED)
    session.set_note(first, "Sales asked twice")
    session.change("park", (first, "rationale", "Admin search or customer search?"))
    session.decide(second, Category.PROJECT)
    session.set_note(second, "Dana reviews")
    # A question asked while it was parked stays when the item is decided later.
    session.change("park", (third, "category", "parked"), (third, "rationale", "Who owns it?"))
    session.decide(third, Category.HIRING)
    text = dumps_plan(session)
    items = {entry["id"]: entry for entry in tomllib.loads(text)["items"]}
    assert (items[first]["rationale"], items[first]["note"]) == (
        "Admin search or customer search?",
        "Sales asked twice",
    )
    assert (items[second]["rationale"], items[second]["note"]) == ("", "Dana reviews")
    # Written though empty: without it, an older plan's rule would read the question as
    # this hiring item's note.
    assert (items[third]["rationale"], items[third]["note"]) == ("Who owns it?", "")
    assert "note" not in items[session.backlog.items[3].id]  # nothing said: no key
    reopened = loads_plan(text)
    assert reopened.decisions == session.decisions
    assert dumps_plan(reopened) == text


def test_a_hand_written_note_key_reads_as_the_note() -> None:
    text = (
        'schema = "triage-tui/plan/2"\n[[items]]\nid = "A-1"\ntitle = "Audit log"\n'
        'category = "hiring"\nnote = "Needs an owner"\n'
        '[[items]]\nid = "A-2"\ntitle = "Search"\ncategory = "parked"\n'
        'rationale = "Which search?"\nnote = ""\n'
    )
    session = loads_plan(text)
    assert (session.decisions["A-1"].rationale, session.decisions["A-1"].note) == (
        "",
        "Needs an owner",
    )
    assert (session.decisions["A-2"].rationale, session.decisions["A-2"].note) == (
        "Which search?",
        "",
    )


# -- the text boundary, found cheaper (issue 24) -----------------------------------------
_RISKY = '\\bfrUu\x7f\x80\x9f\u202a\u202e\u2066\u2069\u2028\u2029“é\n"ax'


@given(st.text(alphabet=st.sampled_from(_RISKY) | st.characters(), max_size=60))
@settings(max_examples=600, deadline=None)
def test_the_plan_readers_boundary_check_is_clean_documents(text: str) -> None:
    """`_clean` asks clean_document's question (can this TOML source decode to a control
    or bidi character?) in two cheap scans: on any text, the answer is clean_document's:
    the document comes back as it is exactly when clean_document gives it back as it is."""
    from triage_tui.core.sanitize import clean_document
    from triage_tui.formats.plan import _clean

    document = {"title": "a\x1bb", "items": [{"note": "\u202e"}]}  # would be cleaned
    assert (_clean(document, text) is document) == (clean_document(document, text) is document)
    assert _clean(document, text) == clean_document(document, text)


def test_a_plan_with_an_escaped_control_is_cleaned_on_reopening() -> None:
    """Both of `_clean`'s scans lead to the cleaning walk: an escape (\\u001b) and a raw
    bidi control in a plan's text reach no item."""
    session = Session(Backlog(items=(Item("A-1", "Ledger"), Item("A-2", "Vault"))))
    text = dumps_plan(session)
    escaped = text.replace('title = "Ledger"', 'title = "Led\\u001b[2Jger"')
    raw = text.replace('title = "Vault"', 'title = "Va\u202eult"')
    for hostile in (escaped, raw):
        assert hostile != text
        titles = [item.title for item in loads_plan(hostile).backlog.items]
        assert not any("\x1b" in title or "\u202e" in title for title in titles), titles


# -- an empty contract is no edit (plans written before the spec finder found contracts) --
LEGACY_EMPTY_CONTRACT = LEGACY / "fin-plan2-empty-contract.plan.toml"  # written by df1431a


def _contract_section(session: Session, item_id: str) -> str:
    from triage_tui.formats.handoff_doc import render_handoff

    item = session.backlog.by_id()[item_id]
    text = render_handoff(session, item)
    return text.split("## Contract (inputs and outputs)")[1].split("\n## ")[0]


def test_an_old_plans_empty_contract_is_the_specs(tmp_path: Path) -> None:
    """df1431a wrote `contract = ""` for every ready item whose spec states its contract
    outside a section of its own (the fixture: FIN-7 in its context paragraph, FIN-8 in a
    list under "Background").
    Reopened, that empty contract is no edit: the handoff takes the spec's, as a fresh
    item's would; the room's own contract (FIN-9) still wins. Saved again, the plan
    writes the spec's contract, and reopens with no edit."""
    text = LEGACY_EMPTY_CONTRACT.read_text(encoding="utf-8")
    assert text.count('contract = ""') == 2  # as the old writer wrote it
    session = read_plan(LEGACY_EMPTY_CONTRACT)
    for item_id, endpoint in (("FIN-7", "GET /invoices.csv?month="), ("FIN-8", "GET /payouts.csv")):
        assert "contract" not in session.decision(item_id).handoff
        section = _contract_section(session, item_id)
        assert "Not in the spec" not in section
        assert endpoint in section
    assert session.decision("FIN-9").handoff["contract"] == (
        "GET /ledger/balances?at=YYYY-MM-DD returns {account: cents}"
    )
    assert "GET /ledger/balances?at=YYYY-MM-DD" in _contract_section(session, "FIN-9")
    saved = write_plan(session, tmp_path / "fin.plan.toml", backup=False)
    document = tomllib.loads(saved.read_text(encoding="utf-8"))
    contracts = {entry["id"]: entry["handoff"]["contract"] for entry in document["items"]}
    assert "GET /invoices.csv?month=" in contracts["FIN-7"]
    assert "GET /payouts.csv?month=" in contracts["FIN-8"]
    assert contracts["FIN-9"].startswith("GET /ledger/balances?at=")
    again = read_plan(saved)
    assert "contract" not in again.decision("FIN-7").handoff
    assert again.decision("FIN-9").handoff["contract"] == contracts["FIN-9"]


def test_an_empty_contract_edit_is_no_edit_whatever_wrote_it() -> None:
    """The rule is the handoff's, not only the reader's: an empty (or blank) contract in a
    decision (an old autosave, the editor cleared) gives the spec's contract; any other
    field's empty edit still empties it."""
    from triage_tui.core.handoff import handoff_fields

    item = Item(
        "FIN-7",
        "Monthly invoice export",
        "## Context\n\nThe billing service exposes `GET /invoices.csv?month=` for it.\n",
        markup="markdown",
    )
    fresh = handoff_fields(item, Decision(Category.PROJECT))
    assert "GET /invoices.csv?month=" in str(fresh["contract"])
    for empty in ("", "  \n", [], ["  "]):
        decision = Decision(Category.PROJECT, handoff={"contract": empty, "context": ""})
        fields = handoff_fields(item, decision)
        assert fields["contract"] == fresh["contract"]
        assert fields["context"] == ""  # an empty context is still the room's edit
    edited = Decision(Category.PROJECT, handoff={"contract": "POST /close"})
    assert handoff_fields(item, edited)["contract"] == "POST /close"
