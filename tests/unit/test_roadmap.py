"""core.roadmap: when each item could start, hiring for everything or contracting."""

from __future__ import annotations

from types import SimpleNamespace

from triage_tui.core.handoff import assess_item
from triage_tui.core.model import Backlog, Item
from triage_tui.core.readiness import Level
from triage_tui.core.roadmap import Assumptions, days_words, roadmap
from triage_tui.core.session import Category, Mark, Session

WRITTEN = "## Acceptance criteria\n- it works\n\nDefinition of done: merged.\nReviewer: @dana"


def _session() -> Session:
    items = (
        Item("OWN", "Own the ledger"),
        Item("READY", "Build the export", WRITTEN, estimate=3),
        Item("GAPS", "Sync Salesforce", "Sales ops copies accounts by hand."),
        Item("PARK", "Look into flaky CI"),
    )
    session = Session(Backlog(items))
    session.decide("OWN", Category.HIRING)
    session.decide("READY", Category.PROJECT)
    session.decide("GAPS", Category.PROJECT)
    session.decide("PARK", Category.PARKED)
    for criterion in range(1, 8):
        session.set_mark("READY", criterion, Mark.MET)
    return session


def _plan(session: Session, figures: Assumptions | None = None):  # type: ignore[no-untyped-def]
    def assess(item: Item):  # type: ignore[no-untyped-def]
        return assess_item(item, session.decision(item.id))

    return roadmap(session, session.backlog.items, assess, figures)


def test_projects_no_longer_wait_for_the_search() -> None:
    plan = _plan(_session())
    by_id = {start.item.id: start for start in plan.starts}
    assert list(by_id) == ["OWN", "READY", "GAPS"]  # parked items are not on the roadmap
    assert (by_id["OWN"].hire_all, by_id["OWN"].contract) == (120, 120)
    assert (by_id["READY"].hire_all, by_id["READY"].contract) == (120, 5)
    assert (by_id["GAPS"].level, by_id["GAPS"].contract) == (Level.NOT_READY, 5)
    summary = plan.summary()
    assert "all 2 project items wait for the 4-month search: work starts in about 4 months" in (
        summary
    )
    assert "1 ready one starts in 5 days, and the other 1 as soon as its gaps are closed" in (
        summary
    )
    assert "The 1 hiring item keeps its honest search timeline" in summary


def test_the_rooms_assumptions_change_the_figures() -> None:
    session = _session()
    plan = _plan(session, Assumptions(search_months=6, contractor_start_days=10))
    ready = plan.of(Category.PROJECT, ready=True)[0]
    assert (ready.hire_all, ready.contract) == (180, 10)
    # A session without the fields (before plan/2) reads the defaults; one with them wins.
    assert Assumptions.of(session) == Assumptions(4, 5)
    assert Assumptions.of(SimpleNamespace(search_months=2.5, contractor_start_days=3)) == (
        Assumptions(2.5, 3)
    )
    assert Assumptions.of(SimpleNamespace(search_months="x", contractor_start_days=-1)) == (
        Assumptions(4, 5)
    )


def test_days_read_as_people_say_them() -> None:
    assert days_words(1) == "1 day"
    assert days_words(5) == "5 days"
    assert days_words(21) == "3 weeks"
    assert days_words(120) == "about 4 months"
