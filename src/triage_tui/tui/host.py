"""What the app's helpers that open and save (tui/loading.py, tui/saving.py) need of it.

They are given a `Host` instead of importing `TriageApp` back from app.py, which imports
them (a circle): the App implements it, and mypy checks so where the app passes itself.
settings.py and commands.py still take the App: themes register on a Textual App, and
the palette's room commands call tui/vote_room.py, which takes it too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from textual.screen import Screen

    from triage_tui.core.errors import InputError
    from triage_tui.services import LaunchOptions, Room


class Host(Protocol):
    """The app as its helpers see it: the opened room, the load's state, a few actions,
    and the Textual calls they make (typed loosely: Textual overloads them)."""

    options: LaunchOptions
    now: Callable[[], float]
    room: Room | None
    opened_any: bool
    load_error: InputError | None
    load_status: str
    load_started: float
    begin_when_loaded: bool
    exit_message: str

    @property
    def screen(self) -> Screen[Any]: ...

    def adopt(self, room: Room) -> None: ...

    def refresh_screen(self) -> None: ...

    def action_phase(self, phase: str) -> None: ...

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None: ...

    def clear_notifications(self) -> None: ...

    def exit(self, result: Any = None, return_code: int = 0, message: Any = None) -> None: ...

    @property
    def run_worker(self) -> Callable[..., Any]: ...

    @property
    def call_from_thread(self) -> Callable[..., Any]: ...

    @property
    def call_after_refresh(self) -> Callable[..., Any]: ...

    @property
    def push_screen(self) -> Callable[..., Any]: ...
