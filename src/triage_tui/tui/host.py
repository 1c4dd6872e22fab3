"""What the app's helpers need of it: loading and saving (`Host`), the settings applied
before the first paint (`SettingsHost`), the palette's commands (`CommandsHost`).

They are given one of these Protocols instead of importing `TriageApp` back from app.py,
which imports them (a circle): the App implements them, and mypy checks so where the app
passes itself. tests/unit/test_architecture.py keeps it so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from textual.binding import BindingType, Keymap
    from textual.screen import Screen
    from textual.theme import Theme

    from triage_tui.core.errors import InputError
    from triage_tui.core.workshop import Workshop
    from triage_tui.services import LaunchOptions, Room


class AppCalls(Protocol):
    """The Textual calls and the app's actions every helper may make (typed loosely:
    Textual overloads them)."""

    @property
    def screen(self) -> Screen[Any]: ...

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

    @property
    def call_after_refresh(self) -> Callable[..., Any]: ...


class Host(AppCalls, Protocol):
    """The app as loading.py and saving.py see it: the opened room, the load's state, a
    few actions, and the Textual calls they make."""

    options: LaunchOptions
    now: Callable[[], float]
    room: Room | None
    opened_any: bool
    load_error: InputError | None
    load_status: str
    load_started: float
    begin_when_loaded: bool
    exit_message: str

    def adopt(self, room: Room) -> None: ...

    def refresh_screen(self) -> None: ...

    def clear_notifications(self) -> None: ...

    def exit(self, result: Any = None, return_code: int = 0, message: Any = None) -> None: ...

    @property
    def run_worker(self) -> Callable[..., Any]: ...

    @property
    def call_from_thread(self) -> Callable[..., Any]: ...

    @property
    def push_screen(self) -> Callable[..., Any]: ...


class ThemeHost(Protocol):
    """Where tui/themes.py registers and looks up themes (a Textual App)."""

    @property
    def available_themes(self) -> dict[str, Theme]: ...

    def register_theme(self, theme: Theme) -> None: ...


class SettingsHost(ThemeHost, Protocol):
    """The app as tui/settings.py sees it before the first paint: the options the config
    fills in, the theme, the keymap, and its own key bindings (what a keymap may remap)."""

    BINDINGS: ClassVar[list[BindingType]]
    options: LaunchOptions
    theme: str

    def set_keymap(self, keymap: Keymap) -> None: ...


class CommandsHost(AppCalls, Protocol):
    """The app as the palette's commands (tui/commands.py) see it."""

    @property
    def workshop(self) -> Workshop | None: ...

    @property
    def current_mode(self) -> str: ...

    def require_workshop(self) -> Workshop | None: ...

    def action_save_plan(self) -> None: ...

    def action_undo(self) -> None: ...

    def action_help(self) -> None: ...
