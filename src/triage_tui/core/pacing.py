"""The hour's agenda and the clock that paces the room (warns, never blocks)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

#: Default agenda for 60 minutes (PRODUCT.md): phase -> minutes.
DEFAULT_AGENDA = (("setup", 5), ("categorize", 30), ("readiness", 15), ("plan", 10))


@dataclass(frozen=True, slots=True)
class Phase:
    """One agenda slot: its name, length and start offset, in minutes."""

    name: str
    minutes: float
    starts_at: float

    @property
    def ends_at(self) -> float:
        """Minute offset where this phase ends."""
        return self.starts_at + self.minutes


def agenda(total_minutes: int) -> list[Phase]:
    """The default agenda scaled to `total_minutes`, rounded to whole minutes."""
    scale = total_minutes / 60
    phases = []
    start = 0.0
    for index, (name, minutes) in enumerate(DEFAULT_AGENDA):
        if index == len(DEFAULT_AGENDA) - 1:
            length = total_minutes - start  # the last phase absorbs rounding
        else:
            length = float(max(1, round(minutes * scale)))
        phases.append(Phase(name, length, start))
        start += length
    return phases


def phase_minutes(total_minutes: int, name: str) -> float:
    """Minutes the agenda gives phase `name`."""
    return next(phase.minutes for phase in agenda(total_minutes) if phase.name == name)


def per_item_seconds(minutes: float, items: int) -> float:
    """The time each item gets when `items` share `minutes` (inf when there are none)."""
    return float("inf") if items <= 0 else minutes * 60 / items


def clock_deadline(total_minutes: int, name: str) -> float:
    """Seconds on the workshop clock at which phase `name` ends.

    The clock starts when the room begins (enter on Start), so setup is behind it by
    then: a phase ends at its agenda end less the setup minutes (categorize, 30 of a
    60-minute hour, ends at 30:00 on the clock, not 35:00).
    """
    phases = {phase.name: phase for phase in agenda(total_minutes)}
    return (phases[name].ends_at - phases["setup"].ends_at) * 60


def format_span(seconds: float) -> str:
    """A timebox as the room reads it: "7.5 s", "51 s", "2.5 min", "15 min"."""
    if seconds >= 120:
        return format_minutes(seconds)
    if seconds >= 10:
        return f"{seconds:.0f} s"
    return f"{seconds:.2g} s"


def format_minutes(seconds: float) -> str:
    """Time left, in minutes: "30 min", "18 min", "7.5 min" (tenths only under ten minutes)."""
    minutes = max(0.0, seconds) / 60
    if minutes >= 10:
        return f"{minutes:.0f} min"
    rounded = round(minutes, 1)
    return f"{rounded:.0f} min" if rounded.is_integer() else f"{rounded:.1f} min"


@dataclass(frozen=True, slots=True)
class ItemPace:
    """The one pace figure: remaining time over remaining items (each item's timebox).

    Start, Categorize and Readiness all show this, so they never disagree.

    Attributes:
        items: items still to go.
        seconds: time left for them (never negative).
    """

    items: int
    seconds: float

    @property
    def finished(self) -> bool:
        """True when no item remains."""
        return self.items <= 0

    @property
    def each(self) -> float:
        """Seconds each remaining item may take (inf when none remains, 0 when out of time)."""
        return float("inf") if self.items <= 0 else self.seconds / self.items

    def describe(self, nothing_left: str = "all decided") -> str:
        """E.g. "35 items in 30 min: 51 s each"; `nothing_left` when no item remains."""
        if self.items <= 0:
            return nothing_left
        noun = "item" if self.items == 1 else "items"
        if self.seconds <= 0:
            return f"{self.items} {noun} left and no time: decide fast or park"
        return (
            f"{self.items} {noun} in {format_minutes(self.seconds)}: {format_span(self.each)} each"
        )


def item_pace(seconds_left: float, items_left: int) -> ItemPace:
    """The pace when `items_left` items share `seconds_left` (clamped at zero)."""
    return ItemPace(max(0, items_left), max(0.0, seconds_left))


def format_clock(seconds: float) -> str:
    """m:ss (minutes unbounded: a workshop reads "75:00", not "1:15:00"); negative gets a minus."""
    sign = "-" if seconds < 0 else ""
    mins, secs = divmod(int(abs(seconds)), 60)
    return f"{sign}{mins}:{secs:02d}"


class Clock:
    """Elapsed workshop time, with an injectable time source (tests freeze it).

    Args:
        now: a monotonic seconds function; default time.monotonic.
        elapsed: seconds already used (a resumed session).
    """

    def __init__(self, now: Callable[[], float] = time.monotonic, elapsed: float = 0.0) -> None:
        self._now = now
        self._base = elapsed
        self._started: float | None = None

    @property
    def running(self) -> bool:
        """True once the clock was started (the hour runs from the first phase shown)."""
        return self._started is not None

    def start(self) -> None:
        """Start (or resume) the clock."""
        if self._started is None:
            self._started = self._now()

    def elapsed(self) -> float:
        """Seconds used so far."""
        if self._started is None:
            return self._base
        return self._base + self._now() - self._started


class ItemTimer:
    """How long the current item has been open (for seconds_spent and the timebox)."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._item = ""
        self._since = now()

    @property
    def current(self) -> str:
        """The id of the item being timed ("" when none)."""
        return self._item

    def switch(self, item_id: str) -> tuple[str, float]:
        """Start timing `item_id`; returns (previous item id, seconds it was open)."""
        now = self._now()
        previous, spent = self._item, now - self._since
        self._item, self._since = item_id, now
        return previous, spent

    def lap(self) -> float:
        """Seconds the current item has been open, restarting the count."""
        now = self._now()
        spent = now - self._since
        self._since = now
        return spent

    def peek(self) -> float:
        """Seconds the current item has been open."""
        return self._now() - self._since
