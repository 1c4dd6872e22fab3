"""Roadmap impact: when each item could start, hiring for everything or contracting projects.

DOMAIN.md "Roadmap impact": a senior backend search takes months (four is typical),
a scoped project handed to an async contractor starts in days. Two assumptions the
room can change (`search_months`, `contractor_start_days`) give, for every hiring and
project item, the day work could start under "hire for everything" and under "hire
for ownership, contract the projects". Hiring items keep their honest search timeline;
the project items no longer wait for it. Pure: no I/O, no UI.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from triage_tui.core.model import Item
from triage_tui.core.readiness import Assessment, Level
from triage_tui.core.session import Category, Session

#: The seeds' "four-month search".
DEFAULT_SEARCH_MONTHS = 4
#: A scoped project handed to an async contractor "starts in days".
DEFAULT_CONTRACTOR_START_DAYS = 5
#: Calendar days in a month, for turning the search into days.
DAYS_PER_MONTH = 30


@dataclass(frozen=True, slots=True)
class Assumptions:
    """The two figures the roadmap rests on ([meta.assumptions] in the plan).

    Attributes:
        search_months: months a senior backend search takes until the hire starts.
        contractor_start_days: days until a contractor starts on a ready spec.
    """

    search_months: float = DEFAULT_SEARCH_MONTHS
    contractor_start_days: int = DEFAULT_CONTRACTOR_START_DAYS

    @property
    def search_days(self) -> int:
        """The search in calendar days."""
        return round(self.search_months * DAYS_PER_MONTH)

    @classmethod
    def of(cls, session: Any) -> Assumptions:
        """The session's assumptions, or the defaults where it has none (yet).

        Read with getattr: sessions made before these fields existed have neither.
        """
        months = getattr(session, "search_months", None)
        days = getattr(session, "contractor_start_days", None)
        return cls(
            search_months=_number(months, DEFAULT_SEARCH_MONTHS),
            contractor_start_days=int(_number(days, DEFAULT_CONTRACTOR_START_DAYS)),
        )


#: What a room may set the assumptions to: months of a search, days until a contractor starts.
MAX_SEARCH_MONTHS = 36
MAX_CONTRACTOR_START_DAYS = 365


def check_assumptions(search_months: float, contractor_start_days: int) -> None:
    """Refuse assumptions no roadmap can rest on.

    Raises:
        ValueError: the sentence to show ("Months 0-36 and days 0-365.").
    """
    if not (
        0 <= search_months <= MAX_SEARCH_MONTHS
        and 0 <= contractor_start_days <= MAX_CONTRACTOR_START_DAYS
    ):
        raise ValueError(f"Months 0-{MAX_SEARCH_MONTHS} and days 0-{MAX_CONTRACTOR_START_DAYS}.")


def read_assumptions(search_months: str, contractor_start_days: str) -> tuple[float, int]:
    """The two assumptions as the room typed them: months (4, 4.5), whole days.

    Raises:
        ValueError: the sentence to show ("Both need a number.", or the limits).
    """
    try:
        months = float(search_months)
        days = int(contractor_start_days)
    except ValueError:
        raise ValueError("Both need a number: months (4 or 4.5) and whole days.") from None
    check_assumptions(months, days)
    return months, days


def _number(value: object, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return value if math.isfinite(value) and value >= 0 else default


@dataclass(frozen=True, slots=True)
class Start:
    """When one item could start under each strategy, in days from today.

    Attributes:
        item: the item.
        category: hiring or project.
        level: the project item's readiness level (None for hiring items).
        hire_all: day work starts when a hire does everything (after the search).
        contract: day work starts when projects go to contractors (hiring items:
            still after the search; a project item that is not ready: once its gaps
            are closed, so the figure is the earliest).
    """

    item: Item
    category: Category
    level: Level | None
    hire_all: int
    contract: int


@dataclass(frozen=True, slots=True)
class Roadmap:
    """Every hiring and project item's start under both strategies.

    Attributes:
        assumptions: the figures used.
        starts: one per hiring or project item, in backlog order.
    """

    assumptions: Assumptions
    starts: tuple[Start, ...]

    def of(self, category: Category, *, ready: bool | None = None) -> list[Start]:
        """The starts of one category (project: only ready / only not ready, if asked)."""
        return [
            start
            for start in self.starts
            if start.category is category
            and (ready is None or (start.level is Level.READY) == ready)
        ]

    def summary(self) -> str:
        """One paragraph: what contracting the projects changes, in the room's figures."""
        figures = self.assumptions
        search = days_words(figures.search_days)
        hiring = self.of(Category.HIRING)
        projects = self.of(Category.PROJECT)
        ready = self.of(Category.PROJECT, ready=True)
        if not projects and not hiring:
            return "No item is categorized yet: the roadmap impact follows the decisions."
        parts = []
        if projects:
            others = len(projects) - len(ready)
            start = days_words(figures.contractor_start_days)
            sentence = (
                f"Hiring for everything, all {_count(len(projects), 'project item')} wait for "
                f"the {_months(figures.search_months)} search: work starts in {search}. "
            )
            if ready:
                sentence += (
                    f"Contracting them, {len(ready)} ready "
                    f"{'one starts' if len(ready) == 1 else 'ones start'} in {start}"
                )
                if others:
                    sentence += (
                        f", and the other {others} as soon as "
                        f"{'its' if others == 1 else 'their'} gaps are closed"
                    )
            else:
                sentence += (
                    f"Contracting them, none is ready yet: each starts {start} after its "
                    "gaps are closed"
                )
            saved = days_words(max(0, figures.search_days - figures.contractor_start_days))
            parts.append(f"{sentence}: up to {saved} sooner.")
        if hiring:
            parts.append(
                f"The {_count(len(hiring), 'hiring item')} "
                f"{'keeps its' if len(hiring) == 1 else 'keep their'} honest search timeline "
                f"either way: the owner starts in {search}."
            )
        return " ".join(parts)


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _months(months: float) -> str:
    return f"{months:g}-month"


def days_words(days: int) -> str:
    """A number of days as a reader says it: "5 days", "3 weeks", "about 4 months"."""
    if days < 14:
        return _count(days, "day")
    if days < 60:
        return _count(round(days / 7), "week")
    return f"about {_count(round(days / DAYS_PER_MONTH), 'month')}"


def roadmap(
    session: Session,
    items: Sequence[Item],
    assess: Callable[[Item], Assessment],
    assumptions: Assumptions | None = None,
) -> Roadmap:
    """When each hiring and project item of `items` could start, under both strategies.

    Args:
        session: the decisions.
        items: the items in scope, in backlog order.
        assess: item -> its assessment (the caller's, usually cached).
        assumptions: the figures (default: the session's, else the defaults).

    Returns:
        The roadmap.
    """
    figures = assumptions or Assumptions.of(session)
    search = figures.search_days
    starts: list[Start] = []
    get = session.decisions.get
    for item in items:
        decision = get(item.id)
        category = Category.UNDECIDED if decision is None else decision.category
        if category is Category.HIRING:
            starts.append(Start(item, category, None, search, search))
        elif category is Category.PROJECT:
            level = assess(item).level
            starts.append(Start(item, category, level, search, figures.contractor_start_days))
    return Roadmap(figures, tuple(starts))
