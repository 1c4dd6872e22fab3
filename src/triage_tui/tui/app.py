"""The Textual app: wires the workshop, the screens (one mode per phase) and app-wide keys."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from triage_tui.core.errors import InputError
from triage_tui.core.workshop import PHASES, Workshop
from triage_tui.tui.launch import Opened
from triage_tui.tui.screens import MODES as PHASE_MODES


@dataclass
class LaunchOptions:
    """What the command line asked for (see cli.py)."""

    file: Path | None = None
    plan: Path | None = None
    minutes: int | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    fresh: bool = False
    theme: str | None = None
    out: Path | None = None  # --out: every file the app writes stays inside this folder
    autosave: bool = True
    default_minutes: int = 60  # from the config file; a resumed session or --minutes wins


#: Files up to this size load before the first paint; larger ones in a worker, with progress.
SMALL_FILE_BYTES = 1_000_000


def _unexpected(path: Path, error: Exception) -> InputError:
    """A failure no loader foresaw (a bug), as the one line the user sees."""
    return InputError(path, f"could not be opened ({type(error).__name__}: {error})")


def _small(path: Path) -> bool:
    try:
        return path.stat().st_size <= SMALL_FILE_BYTES
    except OSError:
        return True  # let the loader report what is wrong, at once


class TriageApp(App[int]):
    """triage-tui: the one-hour backlog categorization workshop."""

    TITLE = "triage-tui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    # Narrow terminals (80 columns, a split screen) drop the side panels: see app.tcss.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-normal")]
    # One mode per phase. Start is the default mode: Textual makes it at compose time,
    # with no blank default screen and no switch (each costs a restyle before the
    # first paint).
    MODES = PHASE_MODES
    DEFAULT_MODE = "start"

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
        self,
        options: LaunchOptions | None = None,
        *,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.options = options or LaunchOptions()
        self.now = now
        self.workshop: Workshop | None = None
        self.autosave: Any = None
        self.lock: Any = None
        self.read_only = False
        self.load_error: InputError | None = None
        self.resume_info: str = ""
        self.load_status: str = ""
        self.load_started = 0.0  # self.now() when the current load began
        self.begin_when_loaded = False
        self.settings_messages: list[str] = []
        self._apply_settings()

    def _apply_settings(self) -> None:
        """Config file, themes and keymap, before the first paint (no restyle after it)."""
        from triage_tui.config import config_path, load_config
        from triage_tui.tui.themes import choose_theme, format_theme_errors, register_all

        self.config, config_message = load_config()
        self.options.default_minutes = self.config.minutes
        if config_message:
            self.settings_messages.append(config_message)
        errors = register_all(self)
        if errors:
            self.settings_messages.append(format_theme_errors(errors))
        theme, theme_message = choose_theme(self, self.options.theme or self.config.theme)
        self.theme = theme
        if theme_message:
            self.settings_messages.append(theme_message)
        if self.config.keymap:
            unknown = sorted(set(self.config.keymap) - binding_ids())
            if unknown:
                self.settings_messages.append(
                    f"{config_path()}: unknown key binding id(s) {', '.join(unknown)}; "
                    "see ? help for the ids."
                )
            self.set_keymap(self.config.keymap)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Textual's notify, with markup off by default and control characters cleaned:
        messages quote backlog text and file names, and "[link=...]" or an ESC there
        must stay text."""
        from triage_tui.core.sanitize import clean_text

        super().notify(
            clean_text(message),
            title=clean_text(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    # -- wiring ------------------------------------------------------------------
    def get_theme_variable_defaults(self) -> dict[str, str]:
        from triage_tui.tui.themes import APP_VARIABLE_DEFAULTS

        return dict(APP_VARIABLE_DEFAULTS)

    _opened_early: Opened | None = None

    def on_load(self) -> None:
        """Before the start screen is made: a small file is opened here, so the screen's
        first frame is the loaded one (big files load in a worker once mounted)."""
        # Textual styles the app itself only after composing the first screen; that
        # screen's widgets would work out their "auto" text colours against no
        # background and cache them (text as dark as the panels, until a restyle).
        # Styled now, the first frame is right (tests/functional/test_startup.py).
        self.stylesheet.apply(self)
        path = self.options.file
        if path is not None:
            self.load_status = f"Loading {path} …"  # not the chooser, even for a frame
            self.load_started = self.now()
        if path is None or not _small(path):
            return
        from triage_tui.tui.launch import build_workshop

        try:
            opened = build_workshop(path, self.options, self.now)
        except InputError as error:
            self._load_failed(error)
            return
        except Exception as error:  # one clear line, never a traceback
            self._load_failed(_unexpected(path, error))
            return
        self._adopt(opened)
        self._opened_early = opened

    def on_mount(self) -> None:
        if self.settings_messages:
            self.notify(
                "\n".join(self.settings_messages), title="Settings", severity="warning", timeout=12
            )
        path = self.options.file
        if self._opened_early is not None:
            self._loaded(self._opened_early, adopted=True)
            self._opened_early = None
        elif path is not None and self.load_error is None:
            self.open_file(path)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Before a backlog is open these keys have nothing to act on: shown dimmed.
        if action in ("save_plan", "undo", "step_phase", "phase") and self.workshop is None:
            return None if action != "phase" or parameters != ("start",) else True
        return True

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        from triage_tui.tui.commands import workshop_commands

        yield from workshop_commands(self)

    # -- loading -----------------------------------------------------------------
    def open_file(self, path: Path, *, fresh: bool = False) -> None:
        """Load a backlog or plan off the UI thread; the start screen shows progress.

        `fresh` sets the file's autosave aside instead of resuming it (ctrl+n).
        """
        # The open session lets go first: its lock would make this window look like a
        # second one, read-only, when it reopens the same backlog.
        self._close_autosave()
        self.workshop = None
        self.load_status = f"Loading {path} …"
        self.load_started = self.now()
        self._refresh_screen()
        self.screen.refresh_bindings()
        self._load(path, replace(self.options, fresh=fresh or self.options.fresh))

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def _load(self, path: Path, options: LaunchOptions) -> None:
        from triage_tui.tui.launch import build_workshop

        def progress(stage: str, count: int) -> None:
            self.call_from_thread(self._load_progress, path, stage, count)

        try:
            opened = build_workshop(path, options, self.now, progress)
        except InputError as error:
            self.call_from_thread(self._load_failed, error)
            return
        except Exception as error:  # a bug must not leave "Loading …" on screen forever
            self.call_from_thread(self._load_failed, _unexpected(path, error))
            return
        self.call_from_thread(self._loaded, opened)

    def _load_progress(self, path: Path, stage: str, count: int) -> None:
        """The start screen says how far a big load got (parsed, then items built)."""
        if stage == "read":
            self.load_status = f"{path.name}: {count} items read; preparing the workshop …"
        else:
            self.load_status = f"{path.name}: {count} items ready; resuming the session …"
        self._refresh_screen()

    def _load_failed(self, error: InputError) -> None:
        self.load_error = error
        self.load_status = ""
        self.begin_when_loaded = False
        if self.options.file is not None and self.workshop is None and not self.opened_any:
            # Bad input on the command line: one line on stderr and exit 1 (PRODUCT.md).
            self.exit(return_code=1)
            return
        self.notify(str(error), title="Cannot open", severity="error", timeout=15)
        self._refresh_screen()

    opened_any = False

    def _adopt(self, opened: Opened) -> None:
        """Take over what `build_workshop` opened (no drawing)."""
        self._close_autosave()
        workshop = opened.workshop
        assert workshop is not None
        self.workshop = workshop
        self.autosave = opened.autosave
        self.lock = opened.lock
        self.read_only = bool(opened.held_by)
        self.resume_info = opened.resume_info
        self.load_error = None
        self.load_status = ""
        self.opened_any = True
        if self.autosave is not None:
            self.autosave.on_error = self._autosave_failed

    def _loaded(self, opened: Opened, *, adopted: bool = False) -> None:
        """A backlog is open: adopt it (unless done already) and show it."""
        if not adopted:
            self._adopt(opened)
            # What the keys can do changed (a backlog is open): redraw the Footer once.
            self.call_after_refresh(self.screen.refresh_bindings)
            self._refresh_screen()
        workshop = opened.workshop
        assert workshop is not None
        if opened.autosave_error:
            self.notify(
                f"{opened.autosave_error} Working without autosave: ctrl+s often.",
                title="Autosave off",
                severity="error",
                timeout=20,
            )
        if self.begin_when_loaded:
            self.begin_when_loaded = False
            begin = getattr(self.screen, "action_begin", None)
            if begin is not None:
                begin()
        if opened.held_by:
            from triage_tui.tui.screens.held import HeldScreen

            self.push_screen(HeldScreen(opened.held_by), self._held_choice)
        phase = workshop.session.phase
        if opened.resume_info and phase in PHASES and phase != "start":
            self.notify(f"{opened.resume_info}. The room was at: {phase}.", timeout=8)

    def _held_choice(self, take_over: bool | None) -> None:
        """The session is open elsewhere: take it over, or stay read-only."""
        workshop = self.workshop
        if workshop is None or self.autosave is None or self.lock is None:
            return
        if not take_over:
            self.notify(
                "Read-only: changes here are not autosaved (ctrl+s still writes a plan).",
                title="Read-only",
                severity="warning",
                timeout=10,
            )
            self._refresh_screen()
            return
        from triage_tui.store.fsutil import describe_write_error

        try:
            result = self.lock.take_over()
            self.autosave.attach(workshop.session, lock=self.lock)
        except (OSError, RuntimeError, InputError) as error:
            message = (
                describe_write_error(self.autosave.path, error)
                if isinstance(error, OSError)
                else str(error)
            )
            self.notify(message, title="Could not take over", severity="error", timeout=15)
            return
        self.read_only = False
        self.notify(result.describe(), timeout=6)
        self._refresh_screen()

    def _autosave_failed(self, error: OSError) -> None:
        from triage_tui.store.autosave import SessionTakenOver
        from triage_tui.store.fsutil import describe_write_error

        if isinstance(error, SessionTakenOver):
            message = "Another triage-tui took this session over: this window no longer autosaves."
        else:
            message = (
                describe_write_error(self.autosave.path, error)
                + " Decisions are kept in memory and retried."
            )
        # Called from the thread that applied the step: the UI thread.
        self.notify(message, title="Autosave", severity="error", timeout=15)

    def _close_autosave(self) -> None:
        if self.autosave is not None:
            # Closing (compaction) must never hide the room's work: the journal stays as is.
            with contextlib.suppress(Exception):
                self.autosave.close(self.workshop.session if self.workshop else None)
        if self.lock is not None:
            with contextlib.suppress(Exception):
                self.lock.release()
        self.autosave = None
        self.lock = None

    def _refresh_screen(self) -> None:
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
        """Go to a phase's screen (free movement back and forth)."""
        if phase != "start" and self.require_workshop() is None:
            return
        if self.workshop is not None:
            self.workshop.session.phase = phase
        self.switch_mode(phase)

    def action_step_phase(self, delta: int) -> None:
        current = self.current_mode if self.current_mode in PHASES else "start"
        index = max(0, min(len(PHASES) - 1, PHASES.index(current) + delta))
        self.action_phase(PHASES[index])

    def action_undo(self) -> None:
        workshop = self.require_workshop()
        if workshop is None:
            return
        step = workshop.undo()
        if step is None:
            self.notify("Nothing to undo.")
        else:
            self.notify(f"Undone: {step.label}", timeout=3)
        self._refresh_screen()

    def action_help(self) -> None:
        from triage_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.current_mode, self.screen))

    def jump_to(self, item_id: str) -> None:
        """Open one item in Categorize (from the command palette)."""
        workshop = self.require_workshop()
        if workshop is None:
            return
        ids = [item.id for item in workshop.in_scope]
        if item_id not in ids:
            return
        self.action_phase("categorize")
        from triage_tui.tui.widgets.item_list import ItemList

        self.call_after_refresh(
            lambda: self.screen.query_one(ItemList).set_cursor(ids.index(item_id))
        )

    def action_cycle_theme(self) -> None:
        names = sorted(self.available_themes)
        index = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(index + 1) % len(names)]
        self.notify(f"Theme: {self.theme}", timeout=2)

    def action_save_plan(self) -> None:
        workshop = self.require_workshop()
        if workshop is not None:
            self.write_plan(workshop.plan_path)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def write_plan(self, path: Path) -> None:
        """Write the plan TOML off the UI thread; report the result as a notification."""
        from triage_tui.tui.launch import export_files

        workshop = self.workshop
        if workshop is None:
            return
        messages, ok = export_files(workshop, plan=path, out=self.options.out)
        self.call_from_thread(self._report_export, messages, ok)

    def _report_export(self, messages: list[str], ok: bool) -> None:
        self.notify(
            "\n".join(messages),
            title="Saved" if ok else "Not saved",
            severity="information" if ok else "error",
            timeout=6 if ok else 15,
        )
        self._refresh_screen()

    def on_unmount(self) -> None:
        self._close_autosave()


def binding_ids() -> set[str]:
    """Every binding id the app declares (what a config keymap may remap)."""
    from triage_tui.tui.screens import SCREENS, screen_class

    ids: set[str] = set()
    for owner in (TriageApp, *(screen_class(mode) for mode in SCREENS)):
        for binding in getattr(owner, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids
