"""The plan TOML: layout, byte-identical round trips, validation errors, atomic writes."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLES
from triage_tui.core.categorize import suggest
from triage_tui.core.errors import InputError
from triage_tui.core.model import Backlog, Item
from triage_tui.core.sanitize import clean_text
from triage_tui.core.session import HANDOFF_FIELDS, Category, Mark, Session
from triage_tui.formats.plan import (
    SCHEMA,
    build_plan,
    dumps_plan,
    loads_plan,
    read_plan,
    write_plan,
)
from triage_tui.store.paths import backup_path

CREATED = "2026-03-02T09:30:00Z"
READY = dict.fromkeys(range(1, 8), Mark.MET)


def acme_backlog(source: Path | None = None) -> Backlog:
    items = (
        Item(
            "PAY-101",
            "Own the payments platform's on-call and reliability",
            "Incidents page whoever is awake.",
            ("payments", "reliability"),
            status="To Do",
            extra={"priority": "P0"},
        ),
        Item(
            "PAY-114",
            "Build Stripe webhook ingestion service",
            "## Acceptance criteria\n- [ ] stored once\n\n## Definition of done\nDeployed.",
            ("payments",),
            "2w",
            type="Story",
        ),
        Item("API-88", "Invoice CSV export endpoint", "Accountants ask for CSV.", (), 3),
        Item("SEC-4", "SSO via SAML 2.0", "Okta first.", ("security",), 2.5),
        Item("PLAT-47", "Make search fast again"),
        Item("PLAT-48", "Fix flaky tests in CI", estimate="1d"),
    )
    return Backlog(items, source=source, title="Acme backlog, Q1", sha256="ab" * 32)


def decided(backlog: Backlog) -> Session:
    session = Session(backlog, facilitator="Ana", team="Payments", minutes=45)
    ids = [item.id for item in backlog.items]
    session.decide(ids[0], Category.HIRING, seconds=61.26, at="2026-03-02T09:05:00Z")
    session.set_note(ids[0], "Needs an owner for the pager.")
    session.set_signals(ids[0], ["production_accountability", "compounding_architecture"])
    session.decide(ids[1], Category.PROJECT, seconds=95, at="2026-03-02T09:07:00Z")
    for number, mark in READY.items():
        session.set_mark(ids[1], number, mark)
    session.set_handoff(ids[1], "reviewer", "Dana")
    session.decide(ids[2], Category.PROJECT, seconds=30, at="2026-03-02T09:08:00Z")
    session.set_mark(ids[2], 4, Mark.PARTIAL)
    session.set_mark(ids[2], 5, Mark.MET)
    session.set_mark(ids[2], 3, Mark.MISSING)
    session.set_handoff(ids[2], "channel", "Slack #billing")  # not ready, but kept
    session.decide(ids[3], Category.PROJECT, seconds=20, at="2026-03-02T09:09:00Z")
    session.decide(ids[4], Category.PARKED, seconds=40, at="2026-03-02T09:10:00Z")
    # A parked item's open question (S on Categorize: Workshop.park).
    session.change("park", (ids[4], "rationale", "Which search: admin or customer-facing?"))
    return session


# -- layout ---------------------------------------------------------------------------
def test_top_level_and_meta_key_order() -> None:
    plan = build_plan(decided(acme_backlog(Path("acme.toml"))), created=CREATED)
    assert list(plan) == ["schema", "meta", "summary", "first_engagement", "items"]
    assert plan["schema"] == SCHEMA == "triage-tui/plan/2"
    assert list(plan["meta"]) == [
        "generated_by",
        "created",
        "updated",
        "backlog",
        "backlog_title",
        "backlog_sha256",
        "backlog_format",
        "facilitator",
        "minutes",
        "minutes_used",
        "seconds_used",
        "phase",
        "items_total",
        "items_left_out",
        "carried_from",
        "source_columns_left_out",
        "scope",
        "assumptions",
        "team",
    ]
    meta = plan["meta"]
    assert meta["generated_by"].startswith("triage-tui ")
    assert meta["created"] == CREATED
    assert meta["backlog"] == "acme.toml"
    assert meta["backlog_sha256"] == "ab" * 32
    assert meta["backlog_format"] == "toml"  # where the ids came from (push checks it)
    assert (meta["facilitator"], meta["minutes"]) == ("Ana", 45)
    # [meta.team]: the team's name, and what every handoff says about the team.
    assert meta["team"] == {
        "name": "Payments",
        "repository": "",
        "stack": "",
        "reviewer_hours": "",
        "access": "",
    }
    # The clock, not the items' sum (no workshop ran it here).
    assert (meta["minutes_used"], meta["seconds_used"]) == (0, 0)
    assert meta["updated"] > CREATED  # the room's last change: the set_handoff just made
    assert (meta["items_total"], meta["items_left_out"]) == (6, 0)
    assert (meta["carried_from"], meta["source_columns_left_out"]) == ("", [])
    assert meta["assumptions"] == {"search_months": 4, "contractor_start_days": 5}


def test_summary_counts() -> None:
    plan = build_plan(decided(acme_backlog()), created=CREATED)
    assert plan["summary"] == {
        "items": 6,
        "hiring": 1,
        "project": 3,
        "parked": 1,
        "undecided": 1,
        "ready": 1,
        "needs_work": 0,
        "not_ready": 2,
    }
    assert plan["first_engagement"]["id"] == "PAY-114"
    assert plan["first_engagement"]["chosen_by"] == "recommendation"
    assert "smaller than the one you actually need" in plan["first_engagement"]["why"]


def test_item_entries() -> None:
    items = {
        entry["id"]: entry
        for entry in build_plan(decided(acme_backlog()), created=CREATED)["items"]
    }
    assert [*items] == ["PAY-101", "PAY-114", "API-88", "SEC-4", "PLAT-47", "PLAT-48"]
    hiring = items["PAY-101"]
    assert list(hiring) == [
        "id",
        "title",
        "description",
        "labels",
        "status",
        "category",
        "rationale",
        "signals",
        "seconds_spent",
        "decided_at",
        "carried",
        "note",
        "extra",
    ]
    assert "estimate" not in hiring  # TOML has no null
    assert hiring["status"] == "To Do"
    assert hiring["extra"] == {"priority": "P0"}
    assert hiring["signals"] == ["compounding_architecture", "production_accountability"]
    assert hiring["seconds_spent"] == 61 and isinstance(hiring["seconds_spent"], int)
    assert hiring["carried"] is False
    ready = items["PAY-114"]
    assert ready["type"] == "Story"
    assert "extra" not in ready
    assert ready["readiness"] == {
        "score": 100,
        "level": "ready",
        "marks": {
            "coherent_scope": "met",
            "system_context": "met",
            "io_contracts": "met",
            "acceptance_criteria": "met",
            "definition_of_done": "met",
            "review_workflow": "met",
            "no_tribal_knowledge": "met",
        },
    }
    assert list(ready["handoff"]) == list(HANDOFF_FIELDS)
    assert ready["handoff"]["reviewer"] == "Dana"
    assert ready["handoff"]["acceptance_criteria"] == ["stored once"]  # a list of strings
    not_ready = items["API-88"]
    assert not_ready["estimate"] == 3
    assert not_ready["readiness"]["level"] == "not_ready"
    # All seven, "missing" (the room said so) distinct from "unanswered".
    assert not_ready["readiness"]["marks"] == {
        "coherent_scope": "unanswered",
        "system_context": "unanswered",
        "io_contracts": "missing",
        "acceptance_criteria": "partial",
        "definition_of_done": "met",
        "review_workflow": "unanswered",
        "no_tribal_knowledge": "unanswered",
    }
    assert not_ready["handoff"]["channel"] == "Slack #billing"
    assert "handoff" not in items["SEC-4"]
    assert "readiness" not in items["PLAT-47"]
    assert items["PLAT-47"]["rationale"] == "Which search: admin or customer-facing?"
    assert items["PLAT-48"]["category"] == "undecided"
    assert items["PLAT-48"]["decided_at"] == ""


def test_toml_sections_in_order_one_table_per_item() -> None:
    text = dumps_plan(decided(acme_backlog()), created=CREATED)
    headers = [
        line for line in text.splitlines() if line.startswith("[") or line.startswith("schema")
    ]
    assert headers[:6] == [
        'schema = "triage-tui/plan/2"',
        "[meta]",
        "[meta.scope]",
        "[meta.assumptions]",
        "[meta.team]",
        "[summary]",
    ]
    assert text.count("[[items]]") == 6
    assert "[items.readiness]" in text and "[items.handoff]" in text
    assert "[items.readiness.marks]" in text
    assert 'description = """\n## Acceptance criteria' in text  # diffs well
    tomllib.loads(text)


def test_scope_narrows_the_plan_and_is_recorded() -> None:
    session = decided(acme_backlog())
    session.set_field("scope", {"hide_closed": False, "text": "payments"})
    plan = build_plan(session, created=CREATED)
    assert [entry["id"] for entry in plan["items"]] == ["PAY-101", "PAY-114"]
    assert plan["meta"]["scope"] == {"hide_closed": False, "text": "payments"}
    assert (plan["meta"]["items_total"], plan["meta"]["items_left_out"]) == (6, 4)
    again = dumps_plan(loads_plan(dumps_plan(session, created=CREATED)))
    assert again == dumps_plan(session, created=CREATED)
    explicit = build_plan(session, in_scope=acme_backlog().items[:1], created=CREATED)
    assert [entry["id"] for entry in explicit["items"]] == ["PAY-101"]


# -- round trips ----------------------------------------------------------------------
def test_round_trip_is_byte_identical_and_restores_decisions() -> None:
    session = decided(acme_backlog(Path("/nowhere/acme.toml")))
    session.set_field("first_engagement", "API-88")
    first = dumps_plan(session, created=CREATED)
    reopened = loads_plan(first, "acme.plan.toml")
    assert dumps_plan(reopened) == first
    assert reopened.backlog.format == "plan"
    assert reopened.backlog.title == "Acme backlog, Q1"
    assert reopened.backlog.sha256 == "ab" * 32
    assert reopened.first_engagement == "API-88"
    assert (reopened.facilitator, reopened.team, reopened.minutes) == ("Ana", "Payments", 45)
    for original in session.backlog.items:
        item = reopened.backlog.by_id()[original.id]
        for name in ("id", "title", "description", "labels", "estimate", "status", "type", "extra"):
            assert getattr(item, name) == getattr(original, name), name
        before, after = session.decisions[original.id], reopened.decisions[original.id]
        assert after.category is before.category
        assert after.rationale == before.rationale
        assert after.note == before.note
        assert after.signals == before.signals
        assert after.decided_at == before.decided_at
        assert after.seconds_spent == before.seconds_spent
        assert after.handoff == before.handoff  # only the room's edits, not the defaults
        assert after.marks == (before.marks if before.category is Category.PROJECT else {})


def test_reopens_without_the_backlog(tmp_path: Path) -> None:
    backlog_file = tmp_path / "acme.toml"
    backlog_file.write_text('[[items]]\ntitle = "x"\n', encoding="utf-8")
    plan_file = tmp_path / "plans" / "acme.plan.toml"
    plan_file.parent.mkdir()
    session = decided(acme_backlog(backlog_file))
    write_plan(session, plan_file, created=CREATED)
    assert backlog_file.read_text(encoding="utf-8") == '[[items]]\ntitle = "x"\n'
    backlog_file.unlink()
    reopened = read_plan(plan_file)
    assert reopened.backlog.source == plan_file
    assert reopened.plan_meta["backlog"] == "../acme.toml"  # relative to the plan
    assert len(reopened.backlog.items) == 6
    write_plan(reopened, plan_file)
    assert plan_file.read_text(encoding="utf-8") == dumps_plan(
        session, created=CREATED, plan_path=plan_file
    )


def _sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("*") if p.suffix in (".toml", ".csv", ".tsv"))


@pytest.mark.parametrize("sample", _sample_files(), ids=lambda p: p.name)
def test_every_sample_backlog_round_trips(sample: Path, tmp_path: Path) -> None:
    from triage_tui.formats import loaders

    backlog = loaders.load(sample)
    before = sample.read_bytes()
    session = Session(backlog)
    for index, item in enumerate(backlog.items):
        suggestion = suggest(item)
        category = (
            suggestion.category
            if suggestion.category is not Category.UNDECIDED
            else Category.PARKED
        )
        if index % 5 == 4:
            continue  # some items not reached
        session.decide(item.id, category, seconds=index * 7.25, at=CREATED)
        session.set_note(item.id, suggestion.reason)
        if category is Category.PROJECT:
            for number in range(1, 8):
                session.set_mark(
                    item.id, number, (Mark.MET, Mark.PARTIAL, Mark.MET)[(number + index) % 3]
                )
    plan_file = tmp_path / f"{sample.stem}.plan.toml"
    write_plan(session, plan_file, created=CREATED)
    first = plan_file.read_bytes()
    reopened = read_plan(plan_file)
    assert dumps_plan(reopened).encode("utf-8") == first
    # And once more through a write: still identical, and the backlog untouched.
    write_plan(reopened, plan_file)
    assert plan_file.read_bytes() == first
    assert sample.read_bytes() == before
    assert loaders.load(plan_file).format == "plan"


def test_samples_exist() -> None:
    if not _sample_files():
        pytest.skip("no sample backlogs yet")
    assert any(p.name == "acme.toml" for p in _sample_files())


# Text as the loaders let it through (core.sanitize.clean_text): a plan holding a
# control character is cleaned when it is read, so only clean text can round-trip.
text_st = st.text(max_size=300).map(clean_text)
long_text = st.one_of(
    text_st, st.text(min_size=2000, max_size=6000, alphabet=st.characters()).map(clean_text)
)


@settings(
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: CI stays green or red, never flaky
)
@given(
    title=st.text(min_size=1, max_size=200).map(clean_text).filter(lambda s: s.strip() != ""),
    description=long_text,
    labels=st.lists(text_st, max_size=4, unique=True),
    estimate=st.one_of(
        st.none(),
        text_st,
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.floats(allow_nan=False, allow_infinity=False),  # no loader makes inf or nan
    ),
    extra=st.dictionaries(st.text(max_size=20).map(clean_text), text_st, max_size=4),
    rationale=text_st,
    category=st.sampled_from(list(Category)),
    odd_id=st.text(min_size=1, max_size=40).map(clean_text).filter(bool),
    mark=st.sampled_from(list(Mark)),
)
def test_arbitrary_text_round_trips(
    title: str,
    description: str,
    labels: list[str],
    estimate: Any,
    extra: dict[str, str],
    rationale: str,
    category: Category,
    odd_id: str,
    mark: Mark,
) -> None:
    items = (
        Item(odd_id, title, description, tuple(labels), estimate, extra=extra),
        Item(odd_id + "-2", "Build it", 'quotes " \'\'\' """ and \\ backslashes', estimate="2w"),
    )
    session = Session(Backlog(items, title=title))
    session.decide(odd_id, category, seconds=12.5, at=CREATED)
    session.set_note(odd_id, rationale)
    for number in range(1, 8):
        session.set_mark(odd_id, number, mark)
    session.set_handoff(odd_id, "deliverable", description)
    first = dumps_plan(session, created=CREATED)
    reopened = loads_plan(first)
    assert dumps_plan(reopened) == first

    def norm(text: str) -> str:
        # Multi-line strings are written with LF line endings (readable diffs).
        return text.replace("\r\n", "\n")

    item = reopened.backlog.by_id()[norm(odd_id)]

    assert item.title == norm(title)
    assert item.description == norm(description)
    assert list(item.labels) == [norm(label) for label in labels]
    assert item.estimate == (norm(estimate) if isinstance(estimate, str) else estimate)
    assert dict(item.extra) == {k: norm(v) for k, v in extra.items()}
    assert reopened.decisions[odd_id].note == norm(rationale)


# -- errors ---------------------------------------------------------------------------
GOOD = dumps_plan(decided(acme_backlog()), created=CREATED)


def _error(text: str, name: str = "team.plan.toml") -> InputError:
    with pytest.raises(InputError) as info:
        loads_plan(text, name)
    return info.value


def test_wrong_schema() -> None:
    error = _error(GOOD.replace(SCHEMA, "acme/backlog/1"))
    assert str(error) == (
        "team.plan.toml:1: not a triage-tui plan: schema is 'acme/backlog/1', "
        "expected 'triage-tui/plan/2'"
    )


def test_newer_schema_version() -> None:
    error = _error(GOOD.replace(SCHEMA, "triage-tui/plan/3"))
    assert str(error).startswith("team.plan.toml:1: plan schema 'triage-tui/plan/3' is newer")
    assert "upgrade triage-tui" in str(error)


def test_missing_schema_and_not_a_plan() -> None:
    assert "no schema" in str(_error('[[items]]\ntitle = "x"\n'))
    assert "unknown plan schema" in str(_error('schema = "triage-tui/plan/beta"\n'))
    assert "schema must be a string" in str(_error("schema = 1\n"))


def test_toml_syntax_error_names_the_line() -> None:
    lines = GOOD.splitlines()
    lines[5] = "created = 2026-99"
    error = _error("\n".join(lines))
    assert error.line == 6
    assert str(error).startswith("team.plan.toml:6: not valid TOML: ")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'labels = [\n    "payments",\n    "reliability",\n]',
            'labels = "payments"',
            "item 'PAY-101': labels must be a list of strings",
        ),
        (
            'category = "hiring"',
            'category = "maybe"',
            "item 'PAY-101': category must be one of hiring, project, parked, undecided, not 'maybe'",
        ),
        (
            "seconds_spent = 61",
            'seconds_spent = "a minute"',
            "item 'PAY-101': seconds_spent must be a whole number, not a string",
        ),
        (
            "seconds_spent = 61",
            "seconds_spent = 61.5",
            "item 'PAY-101': seconds_spent must be a whole number, not 61.5",
        ),
        (
            'io_contracts = "missing"',
            'io_contracts = "maybe"',
            "item 'API-88': readiness.marks.io_contracts must be one of "
            "missing, partial, met, unanswered, not 'maybe'",
        ),
        (
            "carried = false",
            'carried = "no"',
            "item 'PAY-101': carried must be true or false, not a string",
        ),
        (
            'phase = "start"',
            'phase = "lunch"',
            "[meta]: phase must be one of start, categorize, readiness, plan, export, not 'lunch'",
        ),
        (
            'note = "Needs an owner for the pager."',
            "note = 3",
            "item 'PAY-101': note must be a string, not an integer",
        ),
        (
            'rationale = "Which search: admin or customer-facing?"',
            "rationale = 3",
            "item 'PLAT-47': rationale must be a string, not an integer",
        ),
        ('id = "PAY-101"', 'id = ""', "item #1: id must be a non-empty string"),
        (
            'title = "Own the payments platform\'s on-call and reliability"',
            'title = " "',
            "item 'PAY-101': title is missing or empty",
        ),
        (
            'no_tribal_knowledge = "met"',
            'vibes = "met"',
            "item 'PAY-114': readiness.marks has unknown criterion 'vibes'",
        ),
        ("minutes = 45", "minutes = true", "[meta]: minutes must be a whole number"),
        # Say what is wrong: inf is a number, just not a finite one.
        ("estimate = 3", "estimate = inf", "estimate must be text or a finite number, not inf"),
        ("estimate = 3", "estimate = -inf", "estimate must be text or a finite number, not -inf"),
        ("estimate = 3", "estimate = nan", "estimate must be text or a finite number, not nan"),
        (
            "estimate = 3",
            "estimate = true",
            "estimate must be text or a finite number, not a boolean",
        ),
        ('id = "API-88"', 'id = "PAY-114"', "duplicate item id 'PAY-114'"),
    ],
)
def test_wrong_types_name_the_item_and_field(old: str, new: str, message: str) -> None:
    assert old in GOOD, old
    error = _error(GOOD.replace(old, new, 1))
    assert message in str(error)
    assert "\n" not in str(error)
    if message.startswith(("item", "duplicate")):
        assert error.line is not None
        assert GOOD.replace(old, new, 1).splitlines()[error.line - 1] == "[[items]]"


def test_items_keep_the_line_of_their_header() -> None:
    session = loads_plan(GOOD)
    lines = GOOD.splitlines()
    for item in session.backlog.items:
        assert lines[item.line - 1] == "[[items]]"
        assert lines[item.line] == f"id = {item.id!r}".replace("'", '"')


def test_item_lines_with_indented_headers_and_lookalikes_in_text() -> None:
    text = (
        f'schema = "{SCHEMA}"\n'
        "[meta]\n"
        "\n"
        "  [[ items ]]  # first\n"
        'id = "A"\n'
        'title = "First"\n'
        'description = """\n'
        "not a header: [[items]]\n"
        '"""\n'
        "\t[[items]]\n"
        'id = "B"\n'
        'title = "Second"\n'
    )
    items = loads_plan(text).backlog.items
    assert [(item.id, item.line) for item in items] == [("A", 4), ("B", 10)]


def test_read_plan_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_plan(tmp_path / "missing.plan.toml")
    binary = tmp_path / "junk.plan.toml"
    binary.write_bytes(b'schema = "triage-tui/plan/1"\n\xff\xfe\x00junk')
    with pytest.raises(InputError) as info:
        read_plan(binary)
    assert str(info.value) == f"{binary}:2: not UTF-8 text (a plan is UTF-8 TOML)"
    bom = tmp_path / "bom.plan.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert len(read_plan(bom).backlog.items) == 6


# -- writing --------------------------------------------------------------------------
def test_atomic_write_failure_keeps_the_old_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_file = tmp_path / "acme.plan.toml"
    session = decided(acme_backlog())
    write_plan(session, plan_file, created=CREATED, backup=False)
    old = plan_file.read_bytes()
    session.decide("PLAT-48", Category.HIRING)

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        write_plan(session, plan_file, created=CREATED, backup=False)
    assert plan_file.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme.plan.toml"]


def test_failure_while_writing_the_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan_file = tmp_path / "acme.plan.toml"
    session = decided(acme_backlog())
    write_plan(session, plan_file, created=CREATED, backup=False)
    old = plan_file.read_bytes()

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        write_plan(session, plan_file, created="2027-01-01T00:00:00Z", backup=False)
    assert plan_file.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme.plan.toml"]


def test_backup_keeps_the_previous_plan(tmp_path: Path) -> None:
    plan_file = tmp_path / "acme.plan.toml"
    session = decided(acme_backlog())
    write_plan(session, plan_file, created=CREATED)
    old = plan_file.read_bytes()
    session.decide("PLAT-48", Category.HIRING)
    write_plan(session, plan_file, created=CREATED)
    assert backup_path(plan_file).read_bytes() == old
    assert plan_file.read_bytes() != old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme.plan.toml"]


def test_never_overwrites_the_backlog(tmp_path: Path) -> None:
    backlog_file = tmp_path / "acme.toml"
    backlog_file.write_text("original", encoding="utf-8")
    session = decided(acme_backlog(backlog_file))
    with pytest.raises(PermissionError):
        write_plan(session, backlog_file)
    assert backlog_file.read_text(encoding="utf-8") == "original"


def test_status_and_type_never_collide_with_a_source_column() -> None:
    """Regression (found by hypothesis): an extra column named "type" used to be read back
    as the item's type when the item had none."""
    item = Item("X-1", "Build it", status="", type="", extra={"type": "0", "status": "raw"})
    typed = Item("X-2", "Own it", status="Done", type="Epic", extra={"type": "0"})
    session = Session(Backlog((item, typed), title="t"))
    text = dumps_plan(session, created=CREATED)
    reopened = loads_plan(text).backlog.by_id()
    assert (reopened["X-1"].type, reopened["X-1"].status) == ("", "")
    assert dict(reopened["X-1"].extra) == {"type": "0", "status": "raw"}
    assert (reopened["X-2"].type, reopened["X-2"].status) == ("Epic", "Done")
    assert dict(reopened["X-2"].extra) == {"type": "0"}
    assert dumps_plan(loads_plan(text)) == text


def test_a_bad_phase_is_refused_with_its_line() -> None:
    from triage_tui.core.errors import InputError
    from triage_tui.formats.loaders import load
    from triage_tui.formats.plan import dumps_plan, loads_plan

    text = dumps_plan(Session(load(SAMPLES / "acme.toml")))
    lines = text.splitlines()
    number = next(n for n, line in enumerate(lines, 1) if line.startswith("phase = "))
    lines[number - 1] = 'phase = "lunch"'
    with pytest.raises(InputError) as refused:
        loads_plan("\n".join(lines) + "\n", "p.plan.toml")
    meta = next(n for n, line in enumerate(lines, 1) if line == "[meta]")
    assert str(refused.value).startswith(f"p.plan.toml:{meta}: [meta]: ")  # FILE:LINE
    assert "phase must be one of" in str(refused.value)
