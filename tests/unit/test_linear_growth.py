"""Nothing quadratic (issue 24): the brief, the CSV summary, the handoffs, `diff`,
`--from`, the plan writer and reader do work linear in the items.

Pinned without timing: the number of Python function calls (cProfile's count) at 1,000
and at 10,000 items. That count includes every `Item.__eq__` a list membership test
makes and, because the items' ids are a `str` subclass whose `__eq__` is Python code,
every id compared in a search such as `next(s for s in starts if s.item.id == item.id)`
(a dict lookup by id compares once, or not at all when it is the same object). Linear work grows 10x (a little
less: the fixed part does not grow); a quadratic part grows 100x and pushes the ratio
well past 11 even when it is a small share at 1,000 items.
"""

from __future__ import annotations

import cProfile
import itertools
import pstats
from collections.abc import Callable

import pytest

from triage_tui.core.carry import carry_over
from triage_tui.core.diff import compare
from triage_tui.core.model import Backlog, Item
from triage_tui.core.session import Category, Decision, Mark, Session
from triage_tui.formats.brief import render_brief, render_csv_summary
from triage_tui.formats.handoff_doc import handoff_documents
from triage_tui.formats.plan import dumps_plan, loads_plan

SMALL, BIG = 1_000, 10_000
#: Most a linear job may grow from SMALL to BIG items (10x, plus slack).
LINEAR = 11.0
READY = dict.fromkeys(range(1, 8), Mark.MET)
HANDOFF: dict[str, str | list[str]] = {
    "acceptance_criteria": ["Every row has exactly one ledger entry."],
    "definition_of_done": "The old path is deleted.",
    "reviewer": "Dana",
}


class _Id(str):
    """An id whose comparisons cProfile counts (a str subclass with a Python `__eq__`)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return str.__eq__(self, other)  # type: ignore[no-any-return]

    def __ne__(self, other: object) -> bool:
        return str.__ne__(self, other)  # type: ignore[no-any-return]

    __hash__ = str.__hash__


_RUNS = itertools.count()


def _backlog(count: int, *, edited: bool = False, run: int = 0) -> Backlog:
    """`count` items; `run` goes into every title, so caches keyed by text (markup,
    titles) never carry over from one measurement to the next and skew the ratio."""
    items = tuple(
        Item(
            _Id(f"BEN-{number}"),
            f"Migrate the ledger export ({number}, run {run}){' again' if edited and number % 5 == 0 else ''}",
            "h3. Problem\nThe job runs nightly.\nh3. Acceptance\n* one row each",
            labels=("billing", "api") if number % 2 else ("infra",),
            estimate=(1, 2, 3, 5, None)[number % 5],
            status=("To Do", "Done", "In Progress")[number % 3],
        )
        for number in range(1, count + 1)
    )
    return Backlog(items, format="jira-csv", title="Bench ledger")


def _session(count: int, *, edited: bool = False, run: int | None = None) -> Session:
    """Every kind of decision: hiring, ready and not-ready project items, parked, undecided."""
    backlog = _backlog(count, edited=edited, run=next(_RUNS) if run is None else run)
    decisions: dict[str, Decision] = {}
    for index, item in enumerate(backlog.items):
        kind = index % 5
        if kind == 0:
            decisions[item.id] = Decision(Category.HIRING, "", ["ongoing"], note="needs an owner")
        elif kind == 1:
            decisions[item.id] = Decision(
                Category.PROJECT, "scoped", marks=dict(READY), handoff=dict(HANDOFF)
            )
        elif kind == 2:
            decisions[item.id] = Decision(Category.PROJECT, marks={1: Mark.MET, 2: Mark.PARTIAL})
        elif kind == 3:
            decisions[item.id] = Decision(Category.PARKED, "who uses it?")
    return Session(backlog, decisions)


def _calls(job: Callable[[], object]) -> int:
    profile = cProfile.Profile()
    profile.enable()
    job()
    profile.disable()
    return pstats.Stats(profile).total_calls  # type: ignore[attr-defined, no-any-return]


def _growth(make_job: Callable[[int], Callable[[], object]]) -> float:
    make_job(20)()  # one-time work (lazy imports, a parser built on first use) first
    small = _calls(make_job(SMALL))
    return _calls(make_job(BIG)) / small


JOBS: dict[str, Callable[[int], Callable[[], object]]] = {
    "brief": lambda n: (lambda s: lambda: render_brief(s))(_session(n)),
    "csv summary": lambda n: (lambda s: lambda: render_csv_summary(s))(_session(n)),
    "handoffs": lambda n: (lambda s: lambda: handoff_documents(s, every_ready=True))(_session(n)),
    "plan writer": lambda n: (lambda s: lambda: dumps_plan(s))(_session(n)),
    # Reopening: the reader's own checks and line lookups (tomllib itself is C and
    # counts no calls), so a per-item search of the text would show.
    "plan reader": lambda n: (lambda text: lambda: loads_plan(text))(dumps_plan(_session(n))),
    "diff": lambda n: (
        lambda run: (lambda a, b: lambda: compare(a, b))(
            _session(n, run=run), _session(n, edited=True, run=run)
        )
    )(next(_RUNS)),
    "--from": lambda n: (
        lambda run: (lambda old, new: lambda: carry_over(new, old, "old.toml"))(
            _session(n, run=run), Session(_backlog(n, edited=True, run=run))
        )
    )(next(_RUNS)),
}


@pytest.mark.parametrize("name", list(JOBS))
def test_work_grows_linearly_with_the_items(name: str) -> None:
    growth = _growth(JOBS[name])
    assert growth <= LINEAR, f"{name}: {growth:.1f}x the calls for 10x the items"


def test_the_session_has_every_kind_of_item() -> None:
    """The growth tests mean something only if each section of the brief has items."""
    text = render_brief(_session(50))
    assert "### BEN-1:" in text  # a hiring item, with its search timeline
    assert "Search timeline" in text
    assert "**[BEN-2: " in text  # a ready handoff
    assert "### BEN-3:" in text  # a gap to close
    assert "- **BEN-4: " in text  # parked
    assert "## Not reached in the timebox" in text


def test_a_quadratic_job_is_caught() -> None:
    """The yardstick itself: a `next(...)` search by id per item, over a tenth of the
    items, grows far past LINEAR."""

    def make(count: int) -> Callable[[], object]:
        ids = [_Id(f"BEN-{number}") for number in range(count // 10)]
        return lambda: [next(x for x in ids if x == wanted) for wanted in ids]

    assert _growth(make) > LINEAR * 3


def _lines_run(job: Callable[[], object]) -> int:
    """Python lines executed by `job` (a loop inside a generator or a `while` makes no
    call cProfile counts, but runs lines)."""
    import sys

    count = 0

    def tracer(frame: object, event: str, arg: object) -> object:
        nonlocal count
        count += event == "line"
        return tracer

    sys.settrace(tracer)  # type: ignore[arg-type]
    try:
        job()
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize(
    "head",
    ["Acceptance criteria:\n- a\n", "Definition of done: all of\n- a\n", "## Done\n- a\n"],
)
def test_a_spec_with_a_long_run_of_blank_lines_is_read_in_linear_work(head: str) -> None:
    # Review (session 8): each blank line of a run inside a list looked ahead over the
    # whole run (20,000 blank lines: 31-40 s); a run is now looked over once.
    from triage_tui.core.spec import find_spec

    def lines_for(count: int) -> int:
        text = head + "\n" * count + "- b\n\n| x | y |\n"
        return _lines_run(lambda: find_spec(text))

    lines_for(20)  # one-time work first
    assert lines_for(3000) / lines_for(300) <= LINEAR
