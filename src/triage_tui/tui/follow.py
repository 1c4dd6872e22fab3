"""The screens follow the session: every change reaches the screen in view one way.

A decision, a mark, a note, an undo, a carry-over, and later a vote from the network:
each is a session `Step`, and each is drawn because the session said so, never by the
key handler that caused it (a change with no key behind it would otherwise stay unseen).
The session calls `Follower` with every step (on any thread); steps that change what a
screen shows are gathered and one `SessionChanged` message asks the app to redraw.
"""

from __future__ import annotations

import threading
from typing import Protocol

from textual.message import Message

from triage_tui.core.session import READINESS_VOTE_PREFIX, SEAT_PREFIX, VOTE_PREFIX, Step

#: Fields that only book time or record the phase: moving through items books the time of
#: the item left, so redrawing for these would double the cost of every move. The room's
#: own record (its link and seats) is not on any screen either.
QUIET_FIELDS = frozenset({"seconds_spent", "seconds_used", "phase", "room"})
#: Field prefixes no screen draws: a seat's vote stays hidden until the reveal (whose
#: "revealed" field is drawn), and only the room's panel counts votes (tui/vote_room.py
#: redraws it a few times a second from the vote server). Fifty votes a minute used to
#: redraw Categorize's item fifty times, each with a relayout (bench/room_load.py).
QUIET_PREFIXES = (VOTE_PREFIX, READINESS_VOTE_PREFIX, SEAT_PREFIX)


def changes_view(step: Step) -> bool:
    """Whether `step` changes something a screen shows (not only time, the phase, or the
    room's hidden votes and seats)."""
    return any(
        op.name not in QUIET_FIELDS and not op.name.startswith(QUIET_PREFIXES) for op in step.ops
    )


class SessionChanged(Message):
    """The session changed: the screen in view redraws from `Follower.take()`."""


class _Poster(Protocol):
    def post_message(self, message: Message) -> bool: ...


class Follower:
    """A session listener gathering the steps to draw, and asking once for a redraw."""

    def __init__(self, target: _Poster) -> None:
        self._target = target
        self._steps: list[Step] = []
        self._lock = threading.Lock()  # a step may come from another thread (the network)

    def __call__(self, step: Step) -> None:
        if not changes_view(step):
            return
        with self._lock:
            first = not self._steps
            self._steps.append(step)
        if first:
            self._target.post_message(SessionChanged())  # thread-safe in Textual

    def take(self) -> tuple[Step, ...]:
        """The steps gathered since the last redraw (and forget them)."""
        with self._lock:
            steps = tuple(self._steps)
            self._steps.clear()
        return steps
