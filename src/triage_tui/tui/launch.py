"""Building the app from the command line, and what its exit leaves on the terminal."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from triage_tui.services import LaunchOptions

if TYPE_CHECKING:
    from triage_tui.tui.app import TriageApp


def create_app(
    options: LaunchOptions | None = None, *, now: Callable[[], float] = time.monotonic
) -> TriageApp:
    """The factory the command line and the tests share."""
    from triage_tui.tui.app import TriageApp

    return TriageApp(options, now=now)


def run_app(options: LaunchOptions) -> int:
    """Run the workshop; returns the exit code."""
    # Importing Textual and composing Start make ~300k objects that live as long as the
    # process, with almost no garbage among them: the collector walked them ~140 times
    # before the first frame (~25-30 ms of CPU). It is off until the app is mounted.
    gc.disable()
    thresholds = gc.get_threshold()
    tune_collector()
    try:
        app = create_app(options)
        app.run()
    finally:
        resume_collector()  # (the app may have stopped before it mounted)
        gc.set_threshold(*thresholds)  # the process as it was (an in-process caller)
    return exit_code(app)


#: The collector's thresholds while the app runs (CPython's are 700, 10, 10). The Jira
#: conversion in its thread (pyparsing) leaves ~10^5 short-lived objects an item: at 700
#: allocations a young pass, the collector was about half of a rested item's CPU (issue 24).
#: 20,000 young allocations a pass halves that; what lives long is frozen anyway
#: (`resume_collector`, `freeze_adopted`), and reference counting frees the rest.
APP_THRESHOLDS = (20_000, 20, 20)


def tune_collector() -> None:
    """The app's collector thresholds (`run_app`; the bench's key presses, to measure the
    app as it runs). Process-wide: the library and the tests keep CPython's."""
    gc.set_threshold(*APP_THRESHOLDS)


_resumed: list[bool] = []


def resume_collector() -> None:
    """The collector back on after `run_app` turned it off (once; the app's mount calls
    it, tui/first_paint.py). What lives by then is frozen first: the collector never walks
    it again (the first full collection, 12-15 ms, landed in the first frame before) and
    reference counting still frees it. Does nothing when `run_app` did not pause it."""
    if gc.isenabled() or _resumed:
        return
    _resumed.append(True)
    gc.freeze()
    gc.enable()


def freeze_adopted() -> None:
    """Freeze what lives now, a backlog just adopted among it (tui/loading.py): it lives
    as long as the workshop, and the cyclic collector's full passes stop walking it (with
    10,000 items one landed every ~15 key presses, tens of ms each: issue 24). Reference
    counting still frees it."""
    gc.freeze()


def exit_code(app: TriageApp) -> int:
    """The exit code once the app has stopped; its last words go to stderr."""
    if app.return_code == 1 and app.load_error is not None:
        print(str(app.load_error), file=sys.stderr)
        return 1
    if app.exit_message:
        # Quit with changes only in memory (the autosave failing): never exit 0.
        from triage_tui.core.sanitize import shown

        print(shown(app.exit_message), file=sys.stderr)
        return app.return_code or 1
    return int(app.return_code or 0)
