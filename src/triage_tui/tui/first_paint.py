"""What waits until the app is mounted or its first frame is drawn (issue 24: the first
frame imports only what it shows; tests/unit/test_import_hygiene.py pins that).

At the mount, the garbage collector comes back on (tui/launch.py keeps it off while
Textual is imported and Start composed). After the first frame: the other screens' CSS
is parsed and Start's real fields made (`DeferredStyles`, mixed into the app), the theme
files are checked and registered (tui/themes.py), and the modules
the next key is likely to need (Categorize, which `enter` opens; saving, for ctrl+s and
quitting) are imported in a worker thread, so the first `enter` does not pay for them
(~55 ms of imports, Markdown and the suggestion engine included).
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.widget import AwaitMount

from triage_tui.tui import themes

#: Imported in a thread once the first frame is drawn, in this order.
PRELOAD = ("triage_tui.tui.screens.categorize", "triage_tui.tui.saving")


#: The other screens' rules (app.tcss has Start's): parsed after the first frame.
PHASE_CSS = Path(__file__).with_name("phases.tcss")


class DeferredStyles(App[int]):
    """The app's part that waits for the first frame: the other screens' CSS and Start's
    real fields (mixed into `TriageApp`)."""

    phase_css_loaded = False  # phases.tcss in the stylesheet (load_phase_css)

    def load_phase_css(self) -> None:
        """Add phases.tcss (every screen's rules but Start's) to the stylesheet, once.

        Done after the first frame, or before a screen other than Start is made
        (`switch_mode`, `push_screen`) if that comes first. Only the new sheet is parsed
        (the stylesheet keeps the others' rules, parsed); no widget shown yet matches
        its rules (they name the other screens' widgets), so nothing is restyled.
        """
        if self.phase_css_loaded:
            return
        self.phase_css_loaded = True
        self.stylesheet.read(PHASE_CSS)
        self.stylesheet.parse()  # (also forgets the rules map made without it)

    def after_first_frame(self) -> None:
        """Once the first frame is drawn (`on_mount`; a screen's own after-refresh call
        would come before it, inside Textual's start-up batch): the other screens' CSS,
        and Start's real fields (screens/start.py)."""
        self.load_phase_css()
        for screen in self.screen_stack:
            make_fields = getattr(screen, "make_fields_later", None)
            if make_fields is not None:
                make_fields()

    def switch_mode(self, mode: str) -> AwaitMount:
        if mode != "start":
            self.load_phase_css()
        return super().switch_mode(mode)

    if not TYPE_CHECKING:  # (mypy: Textual's own overloads stand)

        def push_screen(self, *args, **kwargs):
            self.load_phase_css()  # before the screen is registered (styled)
            return super().push_screen(*args, **kwargs)


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
