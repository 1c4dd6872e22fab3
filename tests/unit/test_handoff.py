"""Handoff brief defaults, estimate parsing and the recommended first engagement."""

from __future__ import annotations

import pytest

from triage_tui.core.handoff import (
    ACCEPTANCE_TO_WRITE,
    DEFAULT_CADENCE,
    DEFAULT_CHANNEL,
    acceptance_section,
    default_handoff,
    estimate_days,
    handoff_fields,
    recommend_first_engagement,
    timeline_for,
)
from triage_tui.core.model import Backlog, Estimate, Item
from triage_tui.core.session import HANDOFF_FIELDS, Category, Decision, Mark, Session

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
    fields = default_handoff(item, Decision())
    assert list(fields) == list(HANDOFF_FIELDS)
    assert fields["deliverable"] == (
        "Build Stripe webhook ingestion service: Stripe events are polled every 10 minutes "
        "by a cron job in the monolith."
    )
    assert fields["acceptance_criteria"] == (
        "- [ ] Duplicate events are stored once.\n- [ ] Invalid signatures get a 400."
    )
    assert fields["timeline"].startswith("about 2 weeks")
    assert fields["reviewer"] == "@dana"
    assert (
        fields["channel"]
        == DEFAULT_CHANNEL
        == "async: pull request comments + written daily update"
    )
    assert fields["cadence"] == DEFAULT_CADENCE
    assert "end of the contractor's day" in DEFAULT_CADENCE


def test_default_handoff_without_a_spec() -> None:
    fields = default_handoff(Item("A", "Xero integration"), Decision())
    assert fields["deliverable"] == "Xero integration"
    assert fields["acceptance_criteria"] == ACCEPTANCE_TO_WRITE
    assert fields["reviewer"] == "to name"
    assert fields["timeline"].startswith("no estimate yet")


def test_acceptance_section_variants() -> None:
    gwt = "Intro.\n- Given 10 invoices\n- when exported\n- then all 10 rows appear\n\nNotes."
    assert (
        acceptance_section(gwt) == "- Given 10 invoices\n- when exported\n- then all 10 rows appear"
    )
    assert acceptance_section("- [ ] a\n- [x] b") == "- [ ] a\n- [x] b"
    assert (
        acceptance_section("Acceptance criteria: rows match the ledger") == "rows match the ledger"
    )
    assert acceptance_section(
        "h3. Acceptance criteria\n* one\n* two\nh3. Definition of done\nx"
    ) == ("* one\n* two")
    assert acceptance_section("nothing here") == ""


def test_room_edits_win() -> None:
    item = Item("A", "Xero integration", estimate="1w")
    decision = Decision(handoff={"reviewer": "Dana (CTO)", "channel": "Slack #xero"})
    fields = handoff_fields(item, decision)
    assert fields["reviewer"] == "Dana (CTO)"
    assert fields["channel"] == "Slack #xero"
    assert fields["timeline"].startswith("about 1 week")
    assert list(fields) == list(HANDOFF_FIELDS)


def _session(*specs: tuple[str, Estimate, Category, dict[int, Mark]]) -> Session:
    items = tuple(Item(item_id, f"Item {item_id}", estimate=est) for item_id, est, _, _ in specs)
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
    item_id, why = result
    assert item_id == "SMALL"
    assert why.startswith(
        "“Item SMALL” is the smallest ready project of 3 (estimate 3d, readiness 100/100)."
    )
    assert "smaller than the one you actually need" in why
    assert "review workflow works, at low risk" in why


def test_unknown_estimates_sort_last_and_ties_go_to_the_better_spec() -> None:
    almost = {**READY, 7: Mark.PARTIAL}  # 94
    session = _session(
        ("NOEST", None, Category.PROJECT, READY),
        ("A", "5 points", Category.PROJECT, almost),
        ("B", "1w", Category.PROJECT, READY),  # 5 days too: tie, higher score wins
    )
    assert recommend_first_engagement(session) == (
        "B",
        recommend_first_engagement(session)[1],  # type: ignore[index]
    )
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
