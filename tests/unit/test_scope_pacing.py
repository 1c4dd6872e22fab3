"""The scope filter and the clock that paces the room."""

from __future__ import annotations

import pytest

from triage_tui.core.model import Item
from triage_tui.core.pacing import (
    Clock,
    ItemTimer,
    agenda,
    clock_deadline,
    format_clock,
    item_pace,
    phase_minutes,
)
from triage_tui.core.scope import Scope, apply_scope, facet_counts, is_closed

ITEMS = [
    Item("J-1", "Migrate Postgres", labels=("db",), status="To Do", type="Story"),
    Item("J-2", "Own on-call", labels=("ops", "db"), status="Done", type="Epic"),
    Item("J-3", "Stripe webhooks", description="POST /webhooks", status="Won't Do", type="Bug"),
    Item("J-4", "Invoice export", labels=("api",), status="In Progress", type="Story"),
]


def ids(items: list[Item]) -> list[str]:
    return [item.id for item in items]


def test_default_scope_keeps_everything_in_order() -> None:
    assert Scope().is_everything
    assert ids(apply_scope(ITEMS, Scope())) == ["J-1", "J-2", "J-3", "J-4"]


def test_hide_closed_leaves_out_done_and_cancelled() -> None:
    assert is_closed(ITEMS[1]) and is_closed(ITEMS[2])
    assert ids(apply_scope(ITEMS, Scope(hide_closed=True))) == ["J-1", "J-4"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("label:db", ["J-1", "J-2"]),
        ("-label:db", ["J-3", "J-4"]),
        ("type:story status:progress", ["J-4"]),
        ("webhooks", ["J-3"]),
        ("POSTGRES", ["J-1"]),
        ("-type:bug -status:done", ["J-1", "J-4"]),
    ],
)
def test_text_filters(text: str, expected: list[str]) -> None:
    assert ids(apply_scope(ITEMS, Scope(text=text))) == expected


def test_scope_round_trips_and_describes_itself() -> None:
    scope = Scope(hide_closed=True, text="label:db")
    assert Scope.from_dict(scope.to_dict()) == scope
    assert scope.describe() == "done and cancelled items left out; filter “label:db”"
    assert Scope.from_dict(None).describe() == "every item"


def test_facets_count_most_common_first() -> None:
    assert facet_counts(ITEMS, "labels") == [("db", 2), ("api", 1), ("ops", 1)]
    assert facet_counts(ITEMS, "type")[0] == ("Story", 2)


def test_facets_that_differ_only_in_case_are_one_keeping_the_first_spelling() -> None:
    items = [
        Item("A", "a", labels=("api", "Payments")),
        Item("B", "b", labels=("API",)),
        Item("C", "c", labels=("payments", "Api"), status="To do", type="story"),
        Item("D", "d", status="To Do", type="Story"),
    ]
    assert facet_counts(items, "labels") == [("api", 3), ("Payments", 2)]
    assert facet_counts(items, "status") == [("To do", 2)]
    assert facet_counts(items, "type") == [("story", 2)]


def test_agenda_scales_and_sums_to_the_total() -> None:
    assert [(p.name, p.minutes, p.starts_at) for p in agenda(60)] == [
        ("setup", 5, 0),
        ("categorize", 30, 5),
        ("readiness", 15, 35),
        ("plan", 10, 50),
    ]
    for total in (5, 17, 45, 90, 600):
        phases = agenda(total)
        assert sum(p.minutes for p in phases) == total
        assert all(p.minutes >= 1 for p in phases)


def test_pace_sentence_matches_the_brief() -> None:
    def pace(items: int) -> str:
        return item_pace(30 * 60, items).describe("no items in 30 min")

    assert pace(140) == "140 items in 30 min: 13 s each"
    assert pace(4) == "4 items in 30 min: 7.5 min each"
    assert pace(0) == "no items in 30 min"
    assert pace(50_000) == "50000 items in 30 min: 0.036 s each"
    assert pace(200) == "200 items in 30 min: 9 s each"
    assert pace(35) == "35 items in 30 min: 51 s each"


def test_clock_deadlines_start_when_the_room_begins() -> None:
    # Setup is done before the clock runs: categorize's 30 minutes end at 30:00.
    assert clock_deadline(60, "categorize") == 30 * 60
    assert clock_deadline(60, "readiness") == 45 * 60
    assert clock_deadline(60, "plan") == 55 * 60
    assert clock_deadline(90, "categorize") == phase_minutes(90, "categorize") * 60


def test_item_pace_reads_well_at_start_middle_and_end() -> None:
    assert item_pace(30 * 60, 35).describe() == "35 items in 30 min: 51 s each"
    assert item_pace(29.9 * 60, 24).describe() == "24 items in 30 min: 75 s each"
    assert item_pace(18.4 * 60, 23).describe() == "23 items in 18 min: 48 s each"
    assert item_pace(7.5 * 60, 5).describe() == "5 items in 7.5 min: 90 s each"
    assert item_pace(600, 0).describe() == "all decided"
    assert item_pace(600, 0).describe("all scored") == "all scored"
    assert item_pace(-5, 2).each == 0


def test_format_clock() -> None:
    assert format_clock(0) == "0:00"
    assert format_clock(83.9) == "1:23"
    assert format_clock(3600) == "60:00"
    assert format_clock(-5) == "-0:05"


def test_clock_resumes_from_elapsed_once_started() -> None:
    now = [100.0]
    clock = Clock(lambda: now[0], elapsed=30)
    now[0] += 50
    assert clock.elapsed() == 30 and not clock.running  # not started: the time used so far
    clock.start()
    assert clock.running
    now[0] += 10
    assert clock.elapsed() == 40
    clock.start()  # started again: no restart
    now[0] += 5
    assert clock.elapsed() == 45


def test_item_timer_books_time_to_the_item_that_was_open() -> None:
    now = [0.0]
    timer = ItemTimer(lambda: now[0])
    timer.switch("A")
    now[0] += 12
    assert timer.switch("B") == ("A", 12)
    now[0] += 3
    assert timer.current == "B" and timer.peek() == 3
    assert timer.lap() == 3 and timer.peek() == 0
