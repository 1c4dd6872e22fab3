"""What happens before the first paint: the loaded backlog in the first frame, no CSS reparse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.css.stylesheet import Stylesheet
from textual.screen import Screen

from tests.functional.conftest import FrozenClock
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app


async def test_first_frame_shows_the_loaded_backlog_without_a_css_reparse(
    acme: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    reparses: list[str] = []
    frames: list[tuple[str, bool]] = []
    real_reparse = Stylesheet.reparse
    real_refresh = Screen._compositor_refresh

    def counting_reparse(self: Stylesheet) -> None:
        reparses.append("reparse")
        real_reparse(self)

    def recording_refresh(self: Screen) -> None:  # type: ignore[type-arg]
        frames.append((type(self).__name__, self.app.workshop is not None))  # type: ignore[attr-defined]
        real_refresh(self)

    monkeypatch.setattr(Stylesheet, "reparse", counting_reparse)
    monkeypatch.setattr(Screen, "_compositor_refresh", recording_refresh)
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.workshop is not None
        start_frames = [loaded for name, loaded in frames if name == "StartScreen"]
        assert start_frames and all(start_frames), frames  # never a "nothing loaded" frame
        assert reparses == []  # a reparse re-reads every stylesheet: ~20 ms per mode
        # ... and yet the text is readable: "auto" colours were worked out against the
        # app's background, not the nothing there was when the screen was composed.
        svg = app.export_screenshot()
        for text in ("Facilitator", "toml,&#160;25&#160;items"):
            found = re.search(rf'<text class="([^"]*)"[^>]*>{text}', svg)
            assert found, text
            fill = re.search(rf"\.{found.group(1)} {{ fill: (#[0-9a-f]+)", svg)
            assert fill and fill.group(1) not in ("#1e1e1e", "#121212", "#000000"), text

        # The first visit to another phase does not reparse either, and is styled.
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "categorize"
        assert reparses == []
        assert app.screen.query_one("#phase-bar").styles.height is not None

        # A theme change still restyles everything (that one must reparse).
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        assert reparses


async def test_a_screen_is_styled_once_when_first_shown_and_again_after_a_theme_change(
    acme: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Textual restyles a screen on every resume; until a screen has been away (suspended)
    # there is nothing to redo, so those restyles are skipped (~8 ms of first paint).
    # After it has been away it is restyled: a theme picked on another phase reaches it.
    from textual import events

    restyled: list[str] = []
    real_resume = Screen._on_screen_resume

    def recording_resume(self: Screen, event: events.ScreenResume) -> None:  # type: ignore[type-arg]
        if event.refresh_styles:
            restyled.append(type(self).__name__)
        real_resume(self, event)

    monkeypatch.setattr(Screen, "_on_screen_resume", recording_resume)
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        old_surface = app.screen.query_one("#loaded").styles.background.hex
        await pilot.press("enter")  # Categorize, first shown
        await pilot.pause()
        assert app.current_mode == "categorize"
        assert restyled == []
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        await pilot.press("f2")  # back to Start, styled for the old theme while away
        await pilot.pause()
        assert restyled == ["StartScreen"]
        surface = app.get_css_variables()["surface"]
        assert app.screen.query_one("#loaded").styles.background.hex == surface != old_surface
