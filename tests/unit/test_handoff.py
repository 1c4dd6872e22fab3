"""Handoff brief defaults, estimate parsing and the recommended first engagement."""

from __future__ import annotations

import pytest

from triage_tui.core.handoff import (
    DEFAULT_CADENCE,
    DEFAULT_CHANNEL,
    FIRST_ENGAGEMENT_ADVICE,
    assess_item,
    default_handoff,
    deliverable_for,
    estimate_days,
    field_text,
    handoff_blockers,
    handoff_fields,
    recommend_first_engagement,
    timeline_for,
)
from triage_tui.core.model import Backlog, Estimate, Item
from triage_tui.core.readiness import Level
from triage_tui.core.session import HANDOFF_FIELDS, Category, Decision, Mark, Session
from triage_tui.core.spec import find_spec

READY = dict.fromkeys(range(1, 8), Mark.MET)
NEEDS_WORK = {**READY, 1: Mark.MISSING, 6: Mark.MISSING}  # 78


@pytest.mark.parametrize(
    ("estimate", "days"),
    [
        ("2w", 10.0),
        ("3d", 3.0),
        ("1w 2d", 7.0),
        ("4h", 0.5),
        ("2 weeks", 10.0),
        ("2 sprints", 20.0),
        ("5 points", 5.0),
        ("8 sp", 8.0),
        ("3 story points", 3.0),
        ("1,5d", 1.5),
        (5, 5.0),
        (2.5, 2.5),
        ("13", 13.0),
        ("XL", 20.0),
        ("s", 3.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("2 fortnights", None),
        (True, None),
        (float("nan"), None),
        (-3, None),
    ],
)
def test_estimate_days(estimate: Estimate, days: float | None) -> None:
    assert estimate_days(estimate) == days


def test_timeline_sentences() -> None:
    assert timeline_for("2w").startswith("about 2 weeks (estimate 2w); agree the delivery date")
    assert timeline_for("3d").startswith("about 3 working days (estimate 3d)")
    assert timeline_for(5).startswith("5 points (estimate)")
    assert timeline_for(None).startswith("no estimate yet")
    assert timeline_for("ongoing").startswith("estimate ongoing")


SPEC = """\
Stripe events are polled every 10 minutes by a cron job in
the monolith. We lose events when the job crashes.

## Acceptance criteria
- [ ] Duplicate events are stored once.
- [ ] Invalid signatures get a 400.

Definition of done: deployed, runbook written.
Reviewer: @dana
"""


def test_default_handoff_from_the_item() -> None:
    item = Item("PAY-114", "Build Stripe webhook ingestion service", SPEC, estimate="2w")
    fields = default_handoff(item)
    assert list(fields) == list(HANDOFF_FIELDS)
    # An outcome drafted from the title, not the problem statement.
    assert fields["deliverable"] == (
        "Stripe webhook ingestion service, built and working: ships when every acceptance "
        "criterion below passes and the definition of done is met."
    )
    assert fields["context"] == (
        "Stripe events are polled every 10 minutes by a cron job in the monolith. "
        "We lose events when the job crashes."
    )
    # Carried as written, one entry per criterion, as a list.
    assert fields["acceptance_criteria"] == [
        "Duplicate events are stored once.",
        "Invalid signatures get a 400.",
    ]
    assert fields["definition_of_done"] == "deployed, runbook written."
    assert fields["timeline"].startswith("about 2 weeks")
    assert (
        "review points: first pull request by day 2, midpoint review on day 5"
        in (fields["timeline"])
    )
    assert fields["reviewer"] == "@dana"
    assert (
        fields["channel"]
        == DEFAULT_CHANNEL
        == "async: pull request comments + written daily update"
    )
    assert fields["cadence"] == DEFAULT_CADENCE
    assert "end of the contractor's day" in DEFAULT_CADENCE
    access = fields["access"]
    assert isinstance(access, list)
    assert access[0].startswith("repository access")
    assert any("Stripe test-mode keys" in need for need in access)


def test_default_handoff_without_a_spec_has_no_placeholders() -> None:
    fields = default_handoff(Item("A", "Xero integration"))
    assert fields["deliverable"] == (
        "A working Xero integration: ships when the acceptance criteria agreed before work "
        "starts pass."
    )
    assert fields["acceptance_criteria"] == []
    assert fields["definition_of_done"] == ""
    assert fields["reviewer"] == ""
    assert fields["timeline"].startswith("no estimate yet")
    text = " ".join(field_text(value) for value in fields.values())
    assert "to write" not in text and "to name" not in text


@pytest.mark.parametrize(
    ("title", "deliverable"),
    [
        (
            "Implement idempotency keys on POST /v1/payments",
            "Idempotency keys on POST /v1/payments, implemented and working",
        ),
        ("Migrate Postgres 12 to 16 on RDS", "Postgres 12 to 16 on RDS, migrated and working"),
        ("Set up the staging cluster", "The staging cluster, set up and working"),
        ("Invoice CSV export endpoint", "A working Invoice CSV export endpoint"),
        ("Admin audit log", "A working Admin audit log"),
        ("SAML SSO for enterprise orgs", "SAML SSO for enterprise orgs, delivered and working"),
    ],
)
def test_the_deliverable_is_an_outcome(title: str, deliverable: str) -> None:
    assert deliverable_for(title).startswith(deliverable + ": ships when ")


def test_room_edits_win_and_lists_stay_lists() -> None:
    item = Item("A", "Xero integration", estimate="1w")
    decision = Decision(
        handoff={
            "reviewer": "Dana (CTO)",
            "channel": "Slack #xero",
            "acceptance_criteria": ["invoices sync within 5 minutes"],
        }
    )
    fields = handoff_fields(item, decision)
    assert fields["reviewer"] == "Dana (CTO)"
    assert fields["channel"] == "Slack #xero"
    assert fields["acceptance_criteria"] == ["invoices sync within 5 minutes"]
    assert fields["timeline"].startswith("about 1 week")
    assert list(fields) == list(HANDOFF_FIELDS)


def test_ready_means_the_handoff_has_criteria_done_and_a_reviewer() -> None:
    item = Item("A", "Xero integration", "## Acceptance criteria\n- invoices sync", "1w")
    decision = Decision(category=Category.PROJECT, marks=dict(READY))
    assessment = assess_item(item, decision)
    assert assessment.level is Level.NEEDS_WORK
    assert assessment.blockers == ("write the definition of done", "name a reviewer")
    assert assessment.gaps[-1].startswith("Name a reviewer in the handoff of “Xero integration”")
    decision.handoff["reviewer"] = "@dana"
    decision.handoff["definition_of_done"] = "synced in production for a week"
    ready = assess_item(item, decision)
    assert ready.level is Level.READY and ready.blockers == () and ready.gaps == ()
    assert handoff_blockers(handoff_fields(item, decision)) == ()


#: A spec with every part a handoff needs (criteria, done, a named reviewer).
WRITTEN = "## Acceptance criteria\n- it works\n\nDefinition of done: merged.\nReviewer: @dana"


def _session(*specs: tuple[str, Estimate, Category, dict[int, Mark]]) -> Session:
    items = tuple(
        Item(item_id, f"Item {item_id}", WRITTEN, estimate=est) for item_id, est, _, _ in specs
    )
    session = Session(Backlog(items))
    for item_id, _, category, given in specs:
        session.decide(item_id, category)
        for number, mark in given.items():
            session.set_mark(item_id, number, mark)
    return session


def test_recommends_the_smallest_ready_project() -> None:
    session = _session(
        ("BIG", "3w", Category.PROJECT, READY),
        ("SMALL", "3d", Category.PROJECT, READY),
        ("TINY-NOT-READY", "1d", Category.PROJECT, NEEDS_WORK),
        ("HIRE", "1d", Category.HIRING, READY),
        ("NOEST", None, Category.PROJECT, READY),
    )
    result = recommend_first_engagement(session)
    assert result is not None
    item_id, why, before = result
    assert item_id == "SMALL"
    assert why.startswith(
        "“Item SMALL” is the smallest ready project of 3 (estimate 3d, readiness 100/100)."
    )
    # It names the larger need it prepares for: the largest project item, ready or not.
    assert before == "BIG"
    assert "Start with SMALL (3d) before BIG (3w, “Item BIG”): it is smaller on purpose" in why
    assert "review workflow works, at low risk" in why


def test_the_larger_need_is_related_work_and_says_when_its_spec_is_not_ready() -> None:
    items = (
        Item("API-1", "Small export", WRITTEN, estimate="3d", labels=("api", "billing")),
        Item("SEC-9", "Big unrelated", WRITTEN, estimate="5w", labels=("security",)),
        Item("BILL-2", "Billing rework", WRITTEN, estimate="3w", labels=("Billing",)),
    )
    session = Session(Backlog(items))
    for item in items:
        session.decide(item.id, Category.PROJECT)
    for number, mark in READY.items():
        session.set_mark("API-1", number, mark)
    result = recommend_first_engagement(session)
    assert result is not None and result.id == "API-1"
    # BILL-2 shares a label (case aside); SEC-9 is larger but unrelated: never named.
    assert result.before == "BILL-2"
    assert "SEC-9" not in result.why
    assert "before BILL-2 (3w, “Billing rework”; its spec: not ready)" in result.why
    session.decide("BILL-2", Category.HIRING)
    alone = recommend_first_engagement(session)
    assert alone is not None and alone.before == ""
    assert "SEC-9" not in alone.why and "Warning" not in alone.why  # SEC-9 is larger
    assert alone.why.endswith(FIRST_ENGAGEMENT_ADVICE)


def test_unknown_estimates_sort_last_and_ties_go_to_the_better_spec() -> None:
    almost = {**READY, 7: Mark.PARTIAL}  # 94
    session = _session(
        ("NOEST", None, Category.PROJECT, READY),
        ("A", "5 points", Category.PROJECT, almost),
        ("B", "1w", Category.PROJECT, READY),  # 5 days too: tie, higher score wins
    )
    tie = recommend_first_engagement(session)
    assert tie is not None and tie.id == "B"
    assert "Warning" not in tie.why  # as large as another is not the largest
    only_unknown = _session(
        ("N1", None, Category.PROJECT, almost), ("N2", "soon", Category.PROJECT, READY)
    )
    result = recommend_first_engagement(only_unknown)
    assert result is not None and result[0] == "N2"
    assert "no estimates to compare" in result[1]


def test_the_rooms_choice_wins() -> None:
    session = _session(
        ("SMALL", "3d", Category.PROJECT, READY),
        ("BIG", "3w", Category.PROJECT, NEEDS_WORK),
    )
    session.set_field("first_engagement", "BIG")
    result = recommend_first_engagement(session)
    assert result is not None
    assert result[0] == "BIG"
    assert result[1].startswith("Chosen by the room: “Item BIG”.")
    assert "needs work (78/100)" in result[1]
    # A choice outside the items considered falls back to the recommendation.
    assert recommend_first_engagement(session, [session.backlog.items[0]]) is not None
    assert recommend_first_engagement(session, [session.backlog.items[0]])[0] == "SMALL"  # type: ignore[index]


def test_nothing_ready_means_no_recommendation() -> None:
    session = _session(("A", "1d", Category.PROJECT, NEEDS_WORK), ("B", "1d", Category.HIRING, {}))
    assert recommend_first_engagement(session) is None


def test_picking_the_largest_warns_and_cycling_back_keeps_the_reason() -> None:
    session = _session(
        ("SMALL", 3, Category.PROJECT, READY),
        ("BIG", 13, Category.PROJECT, READY),
    )
    session.set_field("first_engagement", "BIG")
    big = recommend_first_engagement(session)
    assert big is not None and big.id == "BIG" and big.before == ""
    assert "Warning: BIG (13 points) is the largest project item" in big.why
    session.set_field("first_engagement", "SMALL")
    small = recommend_first_engagement(session)
    assert small is not None and small.before == "BIG"
    assert "Start with SMALL (3 points) before BIG (13 points" in small.why
    session.set_field("first_engagement", "BIG")
    assert recommend_first_engagement(session) == big  # the same words on every visit


def test_a_plan_1_handoff_text_reopens_as_a_list() -> None:
    from triage_tui.formats.plan import loads_plan

    text = """\
schema = "triage-tui/plan/1"
[[items]]
id = "A"
title = "Xero integration"
category = "project"
[items.handoff]
acceptance_criteria = "- [ ] invoices sync within 5 minutes\\n- [ ] payments too"
reviewer = "Dana"
"""
    decision = loads_plan(text).decision("A")
    assert decision.handoff["acceptance_criteria"] == [
        "invoices sync within 5 minutes",
        "payments too",
    ]
    assert decision.handoff["reviewer"] == "Dana"


def test_the_deliverable_says_what_it_does_in_the_specs_own_words() -> None:
    spec = find_spec(
        "## Context\nEvents are polled. Build a small service that receives Stripe webhooks "
        "and stores them in `ingest.events`.\n"
    )
    assert deliverable_for("Stripe webhook receiver", spec) == (
        "A working Stripe webhook receiver: a small service that receives Stripe webhooks and "
        "stores them in `ingest.events`; ships when the acceptance criteria agreed before work "
        "starts pass."
    )


def test_the_trackers_own_columns_name_the_reviewer_and_the_repository() -> None:
    item = Item(
        "acme-ledger/api#412",
        "Stripe webhook receiver",
        extra={"Repository": "acme-ledger/api", "Reviewers": "priyar, tlindqvist"},
    )
    fields = default_handoff(item)
    assert fields["reviewer"] == "@priyar"  # a GitHub login
    assert fields["access"][0] == (
        "access to the acme-ledger/api repository for the contractor's own account "
        "(clone, branch, pull requests)"
    )
    from_url = Item("#7", "x", extra={"url": "https://github.com/acme/api/issues/7"})
    assert default_handoff(from_url)["access"][0].startswith("access to the acme/api repository")
    # The spec's own reviewer wins over the column.
    named = Item("A", "x", "Reviewer: @dana", extra={"Reviewers": "priyar"})
    assert default_handoff(named)["reviewer"] == "@dana"


@pytest.mark.parametrize(
    "edits",
    [
        {},
        {"reviewer": "Dana"},
        {"acceptance_criteria": "One line"},
        {"acceptance_criteria": ["a", "  "], "definition_of_done": ["x", "y"]},
        {"definition_of_done": "", "reviewer": ""},
    ],
)
def test_the_readiness_check_reads_the_same_fields_as_the_whole_handoff(
    edits: dict[str, str | list[str]],
) -> None:
    """assess_item reads only the fields readiness needs (issue 24: the whole handoff scans
    the description a dozen times); they are the whole handoff's values, every sample item."""
    from tests.unit.suggest_golden import source_files
    from triage_tui.core.handoff import READY_NEEDS, _ready_fields
    from triage_tui.formats.loaders import load

    names = [name for name, _ in READY_NEEDS]
    compared = 0
    for path in source_files():
        for item in load(path, {}).items:
            decision = Decision(Category.PROJECT, handoff=dict(edits))
            whole = handoff_fields(item, decision)
            assert _ready_fields(item, decision) == {name: whole[name] for name in names}
            compared += 1
    assert compared > 300


def test_handoff_reviewer_is_the_handoffs_reviewer() -> None:
    """The CSV summary's reviewer column reads `handoff_reviewer`: the same value as the
    whole handoff's, edited or not, from the description or the tracker."""
    from triage_tui.core.handoff import handoff_reviewer

    described = Item("A-1", "Ledger", "h3. Reviewer\nPriya\n", markup="jira")
    tracked = Item("A-2", "Ledger", "", extra={"Reviewers": "priyar, sam", "Repository": "a/b"})
    plain = Item("A-3", "Ledger", "Nothing here.")
    for item in (described, tracked, plain):
        for handoff in ({}, {"reviewer": "Dana"}, {"reviewer": ["Dana", "Lee"]}):
            decision = Decision(Category.PROJECT, handoff=dict(handoff))
            assert handoff_reviewer(item, decision) == handoff_fields(item, decision)["reviewer"]


def test_assess_item_with_blockers_is_assess_with_blockers() -> None:
    """assess_item reuses the first scoring when the handoff holds a ready score back:
    the same Assessment `assess(..., blockers=...)` gives."""
    from triage_tui.core.handoff import _ready_fields, assess_item, handoff_blockers
    from triage_tui.core.readiness import assess

    item = Item("A-1", "A long title  with   spaces " * 4, "No spec here.")
    for handoff in ({}, {"reviewer": "Dana"}, {"acceptance_criteria": ["one"]}):
        decision = Decision(
            Category.PROJECT, marks=dict.fromkeys(range(1, 8), Mark.MET), handoff=dict(handoff)
        )
        blockers = handoff_blockers(_ready_fields(item, decision))
        assert blockers  # each case still lacks something
        assert assess_item(item, decision) == assess(item, decision.marks, blockers=blockers)


def test_assess_level_is_assess_items_score_level_and_blockers() -> None:
    """The plan writer's `assess_level` (no gap sentences) gives `assess_item`'s score,
    level and blockers for every sample item under every kind of marks and handoff."""
    from tests.unit.suggest_golden import source_files
    from triage_tui.core.handoff import assess_item, assess_level
    from triage_tui.formats.loaders import load

    marks_cases: list[dict[int, Mark]] = [
        {},
        dict.fromkeys(range(1, 8), Mark.MET),
        {**dict.fromkeys(range(1, 8), Mark.MET), 5: Mark.MISSING},
        {n: Mark.MET if n % 3 else Mark.PARTIAL for n in range(1, 8)},
        dict.fromkeys(range(1, 8), Mark.PARTIAL),
    ]
    levels = set()
    compared = 0
    for path in source_files():
        for item in load(path, {}).items:
            for marks in marks_cases:
                for handoff in ({}, {"reviewer": "Dana"}):
                    decision = Decision(Category.PROJECT, marks=dict(marks), handoff=dict(handoff))
                    whole, lean = assess_item(item, decision), assess_level(item, decision)
                    assert (lean.score, lean.level, lean.blockers) == (
                        whole.score,
                        whole.level,
                        whole.blockers,
                    )
                    assert lean.gaps == ()  # never made: the plan does not write them
                    levels.add(whole.level)
                    compared += 1
    assert compared > 1000
    assert levels == set(Level)


def test_a_tracker_column_is_found_by_name_order_then_column_order() -> None:
    """`tracker_repository` asks for "repository" before "repo", case-blind; a blank or
    non-text column is skipped; among columns of one name the first wins."""
    from triage_tui.core.handoff import tracker_repository, tracker_reviewer

    def repo(extra: dict[str, object]) -> str:
        return tracker_repository(Item("A-1", "Ledger", extra=extra))

    assert repo({"Repo": "a/b", "REPOSITORY": "c/d"}) == "c/d"
    assert repo({"Repository": "  ", "repo": " a/b "}) == "a/b"
    assert repo({"repository": 3, "Repo": "a/b"}) == "a/b"
    assert repo({"Repository": "x/y", "repository": "c/d"}) == "x/y"
    assert repo({"Project": "a/b"}) == ""
    item = Item("A-2", "Ledger", extra={"Reviewer": "Sam", "Reviewers": "priyar, lee"})
    assert tracker_reviewer(item) == "priyar"
