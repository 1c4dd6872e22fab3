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

from triage_tui.core.session import Step

#: Fields that only book time or record the phase: moving through items books the time of
#: the item left, so redrawing for these would double the cost of every move.
QUIET_FIELDS = frozenset({"seconds_spent", "seconds_used", "phase"})


def changes_view(step: Step) -> bool:
    """Whether `step` changes something a screen shows (not only time or the phase)."""
    return any(op.name not in QUIET_FIELDS for op in step.ops)


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
