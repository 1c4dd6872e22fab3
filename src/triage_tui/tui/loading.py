"""Opening a file in the app: small files before the first paint, big ones in a worker.

The work itself is `services.open_workshop`; this module only moves it off the UI thread,
reports progress to the start screen, and tells the room what was opened (resumed, held
by another window, autosave off).
"""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from triage_tui import services
from triage_tui.core.errors import InputError
from triage_tui.services import LaunchOptions, Room, ServiceError

if TYPE_CHECKING:
    from triage_tui.tui.host import Host

#: Files up to this size load before the first paint; larger ones in a worker, with progress.
SMALL_FILE_BYTES = 1_000_000

#: Longest the load waits, once its rows are read, for the count to be on screen.
COUNT_DRAWN_WAIT = 0.25


def unexpected(path: Path, error: Exception) -> InputError:
    """A failure no loader foresaw (a bug), as the one line the user sees."""
    return InputError(path, f"could not be opened ({type(error).__name__}: {error})")


def is_small(path: Path) -> bool:
    """Whether `path` loads before the first paint."""
    try:
        return path.stat().st_size <= SMALL_FILE_BYTES
    except OSError:
        return True  # let the loader report what is wrong, at once


def open_now(app: Host, path: Path) -> Room | None:
    """Open a small file on the UI thread (before the first paint); None if it failed.

    A new autosave is made in a thread meanwhile: call `settle(app, room)` before the
    room can change anything (the app's mount, before the first frame and any key).
    """
    try:
        return services.open_workshop(path, app.options, app.now, early=True)
    except InputError as error:
        failed(app, error)
    except Exception as error:  # one clear line, never a traceback
        failed(app, unexpected(path, error))
    return None


def settle(app: Host, room: Room) -> bool:
    """Wait for and attach an autosave `open_now` started in a thread (on the UI thread);
    False when the file could not be opened after all (`failed` was called)."""
    try:
        if room.settle_autosave():
            app.refresh_screen()  # another window's session appeared meanwhile: resumed
    except Exception as error:  # as open_now would have failed, had it not raced
        room.close()
        app.room, app.opened_any = None, False
        source = room.session.backlog.source or Path("backlog")
        failed(app, error if isinstance(error, InputError) else unexpected(source, error))
        return False
    autosave = room.autosave
    if autosave is not None:  # as the app's adopt() does for one made at once
        autosave.on_error = lambda error: autosave_failed(app, room, error)
    return True


def open_in_worker(app: Host, path: Path, *, fresh: bool = False) -> None:
    """Load `path` off the UI thread (`fresh`: start afresh); the start screen shows progress."""
    options = app.options
    app.load_status = f"Loading {path} …"
    app.load_started = app.now()
    app.refresh_screen()
    app.screen.refresh_bindings()
    app.run_worker(
        partial(_load, app, path, options, fresh),
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="load",
    )


def _load(app: Host, path: Path, options: LaunchOptions, fresh: bool) -> None:
    def progress(stage: str, count: int) -> None:
        drawn = threading.Event() if stage == "read" else None
        app.call_from_thread(_progress, app, path, stage, count, drawn)
        if drawn is not None:
            # The rows are read: the count goes on screen before the items are built.
            # Drawing it needs the interpreter, which the build would hold but for a
            # 5 ms slice at a time (the count came up to ~2x later on a busy machine).
            # Bounded: a busy screen never holds the load up for long.
            drawn.wait(COUNT_DRAWN_WAIT)

    use_case = services.start_afresh if fresh else services.open_workshop
    try:
        room = use_case(path, options, app.now, progress)
    except InputError as error:
        app.call_from_thread(failed, app, error)
        return
    except Exception as error:  # a bug must not leave "Loading …" on screen forever
        app.call_from_thread(failed, app, unexpected(path, error))
        return
    app.call_from_thread(opened, app, room)


def _progress(
    app: Host, path: Path, stage: str, count: int, drawn: threading.Event | None = None
) -> None:
    """The start screen says how far a big load got (parsed, then items built); `drawn`
    is set once the screen showing it has been drawn."""
    if stage == "read":
        app.load_status = f"{path.name}: {count} items read; preparing the workshop …"
    else:
        app.load_status = f"{path.name}: {count} items ready; resuming the session …"
    app.refresh_screen()
    if drawn is not None:
        app.call_after_refresh(drawn.set)


def failed(app: Host, error: InputError) -> None:
    """The file could not be opened: exit 1 for the command line's file, else say so."""
    app.load_error = error
    app.load_status = ""
    app.begin_when_loaded = False
    if app.options.file is not None and app.room is None and not app.opened_any:
        # Bad input on the command line: one line on stderr and exit 1 (PRODUCT.md).
        app.exit(return_code=1)
        return
    app.notify(str(error), title="Cannot open", severity="error", timeout=15)
    app.refresh_screen()


def opened(app: Host, room: Room, *, adopted: bool = False) -> None:
    """A backlog is open: adopt it (unless done already), show it, and say what happened."""
    if not adopted:
        app.adopt(room)
        # The backlog just loaded lives as long as the workshop: frozen (launch.py).
        from triage_tui.tui.launch import freeze_adopted

        freeze_adopted()
        # What the keys can do changed (a backlog is open): redraw the Footer once.
        app.call_after_refresh(app.screen.refresh_bindings)
        app.refresh_screen()
    if room.autosave_error:
        app.notify(
            f"{room.autosave_error} Working without autosave: ctrl+s often.",
            title="Autosave off",
            severity="error",
            timeout=20,
        )
    phase = room.resumed_phase
    if phase and phase != "start":
        # Back where the room was (PRODUCT.md); the start screen's notice says when.
        said = room.resume_info or f"Reopened the plan {room.session.backlog.source}"
        app.notify(f"{said}. Back at: {phase}.", timeout=8)
        app.action_phase(phase)
    elif app.begin_when_loaded:
        begin = getattr(app.screen, "action_begin", None)
        if begin is not None:
            begin()
    app.begin_when_loaded = False
    if room.held_by:
        from triage_tui.tui.screens.held import HeldScreen

        app.push_screen(HeldScreen(room.held_by), partial(held_choice, app, room))


def held_choice(app: Host, room: Room, take_over: bool | None) -> None:
    """The session is open elsewhere: take it over, or stay read-only."""
    if app.room is not room:
        return  # another file was opened meanwhile
    if not take_over:
        app.notify(
            "Read-only: changes here are not autosaved (ctrl+s still writes a plan).",
            title="Read-only",
            severity="warning",
            timeout=10,
        )
    else:
        try:
            message = room.take_over()
        except ServiceError as error:
            app.notify(str(error), title="Could not take over", severity="error", timeout=15)
            return
        app.notify(message, timeout=6)
    app.refresh_screen()


def autosave_failed(app: Host, room: Room, error: OSError) -> None:
    """A step could not be autosaved (called on the thread that applied it: the UI's)."""
    app.notify(room.autosave_failed(error), title="Autosave", severity="error", timeout=15)
