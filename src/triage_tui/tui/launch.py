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
    app = create_app(options)
    # Everything imported so far lives as long as the process. Frozen, the cyclic
    # collector stops walking it: the first full collection (12-15 ms, which landed in
    # the middle of the first frame) has nothing to do. Objects are still freed by
    # reference counting as usual.
    gc.freeze()
    app.run()
    return exit_code(app)


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
