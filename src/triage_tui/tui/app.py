"""The Textual app: wires the modes (one per phase), the app-wide keys and the opened workshop.

The use cases (open, resume, take over, go to a phase, export, quit) are in
triage_tui.services; loading lives in tui/loading.py, settings in tui/settings.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from triage_tui.core.errors import InputError
from triage_tui.core.workshop import PHASES, Workshop
from triage_tui.services import LaunchOptions, Room
from triage_tui.tui import _textual_internals as internals
from triage_tui.tui import first_paint, loading, themes
from triage_tui.tui.first_paint import PHASE_CSS, DeferredStyles
from triage_tui.tui.follow import Follower, SessionChanged
from triage_tui.tui.loading import SMALL_FILE_BYTES
from triage_tui.tui.notify import CleanNotifyApp
from triage_tui.tui.screens import MODES as PHASE_MODES
from triage_tui.tui.settings import apply_settings, binding_ids, item_jumps

__all__ = ["PHASE_CSS", "SMALL_FILE_BYTES", "LaunchOptions", "TriageApp", "binding_ids"]


class TriageApp(DeferredStyles, CleanNotifyApp):
    """triage-tui: the one-hour backlog categorization workshop."""

    TITLE = "triage-tui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    # Narrow terminals (80 columns, a split screen) drop the side panels: see app.tcss.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-normal")]
    # One mode per phase; Start is the default, made at compose time (no blank default
    # screen, no switch: each costs a restyle before the first paint).
    MODES = PHASE_MODES
    DEFAULT_MODE = "start"
    COMMANDS = CleanNotifyApp.COMMANDS | {item_jumps}  # and the palette's "Jump to" any item

    BINDINGS = [
        Binding("ctrl+s", "save_plan", "Save plan", id="triage.save", priority=True),
        Binding("ctrl+z", "undo", "Undo", id="triage.undo", priority=True),
        Binding("question_mark", "help", "Help", id="triage.help", key_display="?"),
        Binding("ctrl+q", "quit", "Quit", id="triage.quit", priority=True),
        Binding("ctrl+t", "cycle_theme", "Theme", id="triage.theme", show=False),
        Binding("f2", "phase('start')", "Start", id="triage.go-start", show=False),
        Binding("f3", "phase('categorize')", "Categorize", id="triage.go-categorize", show=False),
        Binding("f4", "phase('readiness')", "Readiness", id="triage.go-readiness", show=False),
        Binding("f5", "phase('plan')", "Plan", id="triage.go-plan", show=False),
        Binding("f6", "phase('export')", "Export", id="triage.go-export", show=False),
        Binding(
            "right_square_bracket",
            "step_phase(1)",
            "Next phase",
            id="triage.next-phase",
            key_display="]",
        ),
        Binding(
            "left_square_bracket",
            "step_phase(-1)",
            "Back",
            id="triage.prev-phase",
            key_display="[",
            show=False,
        ),
    ]

    def __init__(
        self, options: LaunchOptions | None = None, *, now: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.options = options or LaunchOptions()
        self.now = now
        self.room: Room | None = None  # the opened backlog (services.Room)
        self.opened_any = False  # a backlog was open at some point in this run
        self.load_error: InputError | None = None
        self.load_status = ""  # "Loading …" while a load runs
        self.load_started = 0.0  # self.now() when the current load began
        self.begin_when_loaded = False  # enter was pressed while loading
        self.exit_message = ""  # printed on stderr after the app exits (launch.run_app)
        self._opened_early: Room | None = None
        self.follower = Follower(self)  # the session's changes, to redraw from
        self.config, self.settings_messages = apply_settings(self)

    @property
    def workshop(self) -> Workshop | None:
        """The loaded workshop, if any."""
        return self.room.workshop if self.room is not None else None

    @property
    def read_only(self) -> bool:
        """The session is open in another window and this one does not autosave it."""
        return self.room is not None and self.room.read_only

    @property
    def resume_info(self) -> str:
        """A sentence about the resumed autosave, or ""."""
        return self.room.resume_info if self.room is not None else ""

    # -- wiring ------------------------------------------------------------------
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(themes.APP_VARIABLE_DEFAULTS)

    def on_load(self) -> None:
        """Before the start screen is made: a small file opens here, so the first frame
        is the loaded one (big files load in a worker once mounted)."""
        internals.style_app_now(self)  # "auto" colours right in the first frame
        path = self.options.file
        if path is not None:
            self.load_status = f"Loading {path} …"  # not the chooser, even for a frame
            self.load_started = self.now()
            if loading.is_small(path):
                self._opened_early = loading.open_now(self, path)
                if self._opened_early is not None:
                    self.adopt(self._opened_early)

    def on_mount(self) -> None:
        first_paint.mounted(self)  # the collector back on; after the first frame: themes…
        self.call_after_refresh(self.after_first_frame)
        if self.settings_messages:
            message = "\n".join(self.settings_messages)
            self.notify(message, title="Settings", severity="warning", timeout=12)
        if self._opened_early is not None:
            # The autosave made in a thread is attached before the first frame and any key.
            room, self._opened_early = self._opened_early, None
            if loading.settle(self, room):
                loading.opened(self, room, adopted=True)
        elif self.options.file is not None and self.load_error is None and self.room is None:
            self.open_file(self.options.file)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Before a backlog is open these keys have nothing to act on: shown dimmed.
        if action in ("save_plan", "undo", "step_phase", "phase") and self.workshop is None:
            return None if action != "phase" or parameters != ("start",) else True
        return True

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        from triage_tui.tui.commands import workshop_commands

        yield from workshop_commands(self)

    def open_file(self, path: Path, *, fresh: bool = False) -> None:
        """Load a file off the UI thread; the open hour stays open until it loads (`adopt`)."""
        if self.room is not None and (fresh or self.room.opens(path)):
            self.close_room()  # its lock would make this window look like a second one
        loading.open_in_worker(self, path, fresh=fresh)

    def adopt(self, room: Room) -> None:
        """Make `room` the open workshop (no drawing)."""
        self.close_room()
        self.room = room
        self.load_error = None
        self.load_status = ""
        self.opened_any = True
        if room.autosave is not None:  # (made in a thread: loading.settle does this)
            room.autosave.on_error = lambda error: loading.autosave_failed(self, room, error)
        room.session.listeners.append(self.follower)  # every change redraws (tui/follow.py)

    def close_room(self) -> None:
        """Let the open workshop go: its autosave closed, its lock released."""
        if self.room is not None:
            self.room.close()
            self.room = None

    def on_session_changed(self, message: SessionChanged) -> None:
        steps = self.follower.take()  # a key, an undo, a vote: the phase screen redraws
        for screen in reversed(self.screen_stack):  # under a modal (help, a prompt) too
            if (redraw := getattr(screen, "session_changed", None)) is not None:
                if screen.is_mounted:  # else it draws all when first shown
                    redraw(steps)
                break

    def refresh_screen(self) -> None:
        """Redraw the screen in view from the workshop."""
        refresh = getattr(self.screen, "refresh_view", None)
        if refresh is not None:
            refresh()

    # -- actions -----------------------------------------------------------------
    def require_workshop(self) -> Workshop | None:
        """The workshop, or a notification saying there is none yet."""
        if self.workshop is None:
            self.notify("Open a backlog first.", severity="warning")
        return self.workshop

    def action_phase(self, phase: str) -> None:
        """Go to a phase's screen (free movement back and forth), through the session."""
        if phase != "start" and self.require_workshop() is None:
            return
        if self.room is not None:
            self.room.go_to_phase(phase)
        self.switch_mode(phase)

    def action_step_phase(self, delta: int) -> None:
        current = self.current_mode if self.current_mode in PHASES else "start"
        index = max(0, min(len(PHASES) - 1, PHASES.index(current) + delta))
        self.action_phase(PHASES[index])

    def action_undo(self) -> None:
        workshop = self.require_workshop()
        if workshop is not None:
            step = workshop.undo()  # the screen redraws from the step (tui/follow.py)
            self.notify("Nothing to undo." if step is None else f"Undone: {step.label}", timeout=3)

    def action_help(self) -> None:
        from triage_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.current_mode, self.screen))

    def action_cycle_theme(self) -> None:
        names = sorted(self.available_themes)
        index = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(index + 1) % len(names)]
        self.notify(f"Theme: {self.theme}", timeout=2)

    def action_save_plan(self) -> None:
        if self.require_workshop() is not None:
            from triage_tui.tui.saving import save_plan_in_worker

            save_plan_in_worker(self)

    async def action_quit(self) -> None:
        """Quit, unless changes exist only in memory: then say so and offer to write the plan."""
        from triage_tui.tui.saving import request_quit

        request_quit(self)

    async def on_unmount(self) -> None:  # quitting with the room open closes it cleanly
        from triage_tui.tui.vote_room import close_room

        await close_room(self, then=self.close_room)
