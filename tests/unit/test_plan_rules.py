"""The Plan screen's rules, now in core: which items can be handed off, the assumptions' limits."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLES
from triage_tui.core.handoff import ASKS, READY_NEEDS, handoff_status
from triage_tui.core.roadmap import check_assumptions, read_assumptions
from triage_tui.core.session import Category, Mark, Session
from triage_tui.core.workshop import Workshop
from triage_tui.formats.loaders import load


@pytest.fixture
def workshop() -> Workshop:
    return Workshop(Session(load(SAMPLES / "acme.toml")))


def test_handoff_items_are_ready_or_ready_once_the_handoff_is_written(workshop: Workshop) -> None:
    session = workshop.session
    for item_id in ("PAY-114", "API-88", "INT-7"):
        session.decide(item_id, Category.PROJECT)
    for item_id in ("PAY-114", "API-88"):
        for number in range(1, 8):
            session.set_mark(item_id, number, Mark.MET)
    session.set_handoff("PAY-114", "reviewer", "@priya")
    # PAY-114 ready; API-88 ready once a reviewer is named; INT-7 unscored: not listed.
    assert [item.id for item in workshop.handoff_items()] == ["PAY-114", "API-88"]
    session.decide("PAY-114", Category.HIRING)
    assert [item.id for item in workshop.handoff_items()] == ["API-88"]


@pytest.mark.parametrize(("months", "days"), [(0, 0), (4.5, 5), (36, 365)])
def test_assumptions_within_limits_are_set_as_one_undoable_step(
    workshop: Workshop, months: float, days: int
) -> None:
    check_assumptions(months, days)
    step = workshop.set_assumptions(months, days)
    session = workshop.session
    assert (session.search_months, session.contractor_start_days) == (months, days)
    if step is not None:
        workshop.undo()
        assert (session.search_months, session.contractor_start_days) == (4, 5)


@pytest.mark.parametrize(("months", "days"), [(-1, 5), (37, 5), (4, -1), (4, 366)])
def test_assumptions_out_of_limits_are_refused_unchanged(
    workshop: Workshop, months: float, days: int
) -> None:
    with pytest.raises(ValueError, match="Months 0-36 and days 0-365"):
        workshop.set_assumptions(months, days)
    assert (workshop.session.search_months, workshop.session.contractor_start_days) == (4, 5)


def test_a_plans_updated_is_never_before_its_created(workshop: Workshop) -> None:
    from triage_tui.formats.plan import build_plan

    session = workshop.session
    session.decide("PAY-114", Category.PROJECT, at="2026-01-01T09:00:00Z")
    session.updated = "2026-01-01T09:00:00Z"  # the room's last change
    meta = build_plan(session, created="2026-01-01T10:00:00Z")["meta"]  # first written later
    assert meta["created"] == "2026-01-01T10:00:00Z"
    assert meta["updated"] >= meta["created"]
    session.updated = "2026-01-01T11:00:00Z"  # a change after the first write
    assert build_plan(session, created="2026-01-01T10:00:00Z")["meta"]["updated"] == (
        "2026-01-01T11:00:00Z"
    )


@pytest.mark.parametrize(
    ("months", "days", "expected"),
    [("4", "5", (4.0, 5)), ("4.5", " 10 ", (4.5, 10)), ("0", "365", (0.0, 365))],
)
def test_typed_assumptions_are_read_in_core(
    months: str, days: str, expected: tuple[float, int]
) -> None:
    assert read_assumptions(months, days) == expected


@pytest.mark.parametrize(
    ("months", "days", "message"),
    [
        ("four", "5", "Both need a number"),
        ("4", "5.5", "Both need a number"),
        ("", "5", "Both need a number"),
        ("inf", "5", "Months 0-36 and days 0-365"),
        ("nan", "5", "Months 0-36 and days 0-365"),
        ("37", "5", "Months 0-36 and days 0-365"),
        ("4", "400", "Months 0-36 and days 0-365"),
    ],
)
def test_typed_assumptions_out_of_reason_say_why(months: str, days: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_assumptions(months, days)


def test_the_handoff_status_and_what_the_editor_asks_come_from_one_list(
    workshop: Workshop,
) -> None:
    session = workshop.session
    session.decide("API-88", Category.PROJECT)
    for number in range(1, 8):
        session.set_mark("API-88", number, Mark.MET)
    item = session.backlog.by_id()["API-88"]
    assert handoff_status(workshop.assessment(item)) == "ready once: name a reviewer"
    session.set_handoff("API-88", "reviewer", "@priya")
    assert handoff_status(workshop.assessment(item)) == "✓ ready"
    for number in (1, 2, 3):
        session.set_mark("API-88", number, Mark.MISSING)
    assert handoff_status(workshop.assessment(item)) == "◐ needs work"
    # Every part a handoff needs has what the editor asks for, and nothing else has.
    assert list(ASKS) == [name for name, _ in READY_NEEDS]
    assert all(ask.startswith("needed: ") for ask in ASKS.values())
