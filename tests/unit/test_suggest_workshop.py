"""The room's ticks move the workshop's suggestion live (Workshop.suggestion)."""

from __future__ import annotations

from pathlib import Path

from triage_tui.core.model import Backlog, Item
from triage_tui.core.session import Category, Session
from triage_tui.core.workshop import Workshop


def make() -> Workshop:
    backlog = Backlog(
        items=(Item("A", "Search relevance"), Item("B", "Build Stripe webhook ingestion")),
        source=Path("/tmp/backlog.toml"),
    )
    return Workshop(Session(backlog), now=lambda: 0.0)


def test_ticking_signal_questions_updates_the_suggestion_and_undo_restores_it() -> None:
    workshop = make()
    vague, webhook = workshop.in_scope
    before = workshop.suggestion(vague)
    assert before.category is Category.PARKED
    assert before.open_question
    workshop.toggle_signal(vague, 4)  # "Does it have a beginning, a middle and an end?"
    ticked = workshop.suggestion(vague)
    assert ticked.category is Category.PROJECT
    assert ticked.reason.startswith("The room ticked: 'a beginning, middle and end'")
    workshop.toggle_signal(vague, 3)  # "... accountable for its production behaviour ..."
    assert workshop.suggestion(vague).category is Category.UNDECIDED
    assert "both ways" in workshop.suggestion(vague).reason
    workshop.undo()
    workshop.undo()
    assert workshop.suggestion(vague) == before
    # Another item's ticks leave this one alone.
    workshop.toggle_signal(webhook, 1)
    workshop.toggle_signal(webhook, 2)
    assert workshop.suggestion(webhook).category is Category.HIRING
    assert workshop.suggestion(vague) == before


def test_the_suggestion_is_cached_until_the_ticks_change() -> None:
    workshop = make()
    item = workshop.in_scope[1]
    first = workshop.suggestion(item)
    assert workshop.suggestion(item) is first
    workshop.toggle_signal(item, 6)
    assert workshop.suggestion(item) is not first
