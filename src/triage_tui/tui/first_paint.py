"""What waits until the app is mounted or its first frame is drawn (issue 24: the first
frame imports only what it shows; tests/unit/test_import_hygiene.py pins that).

At the mount, the garbage collector comes back on (tui/launch.py keeps it off while
Textual is imported and Start composed). After the first frame: the theme files are checked and registered (tui/themes.py), and the modules
the next key is likely to need (Categorize, which `enter` opens; saving, for ctrl+s and
quitting) are imported in a worker thread, so the first `enter` does not pay for them
(~55 ms of imports, Markdown and the suggestion engine included).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from textual.app import App

from triage_tui.tui import themes

#: Imported in a thread once the first frame is drawn, in this order.
PRELOAD = ("triage_tui.tui.screens.categorize", "triage_tui.tui.saving")


def mounted(app: App[Any]) -> None:
    """The app is mounted (Start composed, the first frame next): the garbage collector
    back on (`launch.resume_collector`), and `after_first_frame` scheduled."""
    from triage_tui.tui.launch import resume_collector

    resume_collector()
    app.call_after_refresh(after_first_frame, app)


def after_first_frame(app: App[Any]) -> None:
    """Register the themes left for later, and preload the next screen's modules (not
    in a headless app: tests and Pilot import what they use)."""
    themes.register_later(app)
    if not app.is_headless:
        app.run_worker(preload, thread=True, group="preload", exit_on_error=False)


def preload() -> None:
    """Import `PRELOAD` (a failure is left for the real import to report)."""
    for name in PRELOAD:
        try:
            import_module(name)
        except Exception:  # the import on first use says what is wrong
            return
