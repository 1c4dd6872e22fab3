"""First paint (issue 24): what moved out of the way of the first frame still arrives in time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from textual.screen import Screen

from tests.functional.conftest import FrozenClock
from triage_tui.core.session import Category, Session
from triage_tui.store.autosave import Autosave
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app


async def test_the_autosave_made_in_a_thread_is_attached_before_the_first_frame(
    acme: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    frames: list[bool] = []
    real_refresh = Screen._compositor_refresh

    def recording_refresh(self: Screen) -> None:  # type: ignore[type-arg]
        if not self.app._batch_count:  # inside the start-up batch nothing is drawn
            room = self.app.room  # type: ignore[attr-defined]
            frames.append(room is not None and room.autosaving)
        real_refresh(self)

    monkeypatch.setattr(Screen, "_compositor_refresh", recording_refresh)
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        # Keys typed at once (before anything was drawn) are handled after the attach.
        await pilot.press("enter", "h")
        await pilot.pause()
        assert frames and all(frames), frames  # no frame, hence no key, before it
        room = app.room
        assert room is not None and room.autosave is not None
        decided = [i.id for i in room.workshop.in_scope if room.session.decisions[i.id].category]
        assert decided
        backlog = room.session.backlog
    # The decision is in the journal.
    stored = Autosave.for_backlog(backlog)
    replayed = Session(backlog)
    stored.resume(replayed)
    assert replayed.decisions[decided[0]].category is Category.HIRING


async def test_after_the_first_frame_the_theme_files_are_registered(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert {"projector", "daylight", "colorblind"} <= set(app.available_themes)
        # Headless (tests, Pilot): nothing is preloaded in a thread.
        assert not [worker for worker in app.workers if worker.group == "preload"]


def test_a_terminal_app_preloads_the_next_screen_in_a_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from triage_tui.tui import first_paint

    started: list[dict[str, object]] = []

    class Terminal:
        is_headless = False

        def run_worker(self, work: object, **options: object) -> None:
            started.append({"work": work, **options})

    monkeypatch.setattr(first_paint.themes, "register_later", lambda app: None)
    first_paint.after_first_frame(Terminal())  # type: ignore[arg-type]
    assert started == [
        {"work": first_paint.preload, "thread": True, "group": "preload", "exit_on_error": False}
    ]


def test_preload_imports_categorize_and_saving() -> None:
    code = (
        "import sys; from triage_tui.tui import first_paint; first_paint.preload(); "
        "print(all(name in sys.modules for name in first_paint.PRELOAD))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "True", result.stderr


def test_the_collector_is_off_while_the_app_starts_and_back_on_from_its_mount(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    from triage_tui.tui import launch

    seen: list[tuple[str, bool]] = []

    class Started:
        return_code, load_error, exit_message = 0, None, ""

        def run(self) -> None:
            seen.append(("imports and compose", gc.isenabled()))
            launch.resume_collector()  # what the app's mount does (first_paint.mounted)
            seen.append(("after the mount", gc.isenabled()))

    monkeypatch.setattr(launch, "create_app", lambda options: Started())
    monkeypatch.setattr(launch, "_resumed", [])
    frozen = gc.get_freeze_count()
    try:
        assert launch.run_app(LaunchOptions()) == 0
        assert seen == [("imports and compose", False), ("after the mount", True)]
        assert gc.get_freeze_count() > frozen  # what lived by then is frozen
    finally:
        gc.enable()
        gc.unfreeze()


async def test_the_app_turns_the_collector_back_on_at_its_mount(
    acme: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage_tui.tui import launch

    calls: list[bool] = []
    monkeypatch.setattr(launch, "resume_collector", lambda: calls.append(True))
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert calls == [True]


async def test_the_other_screens_rules_and_starts_fields_come_after_the_first_frame(
    acme: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import textual.css.stylesheet as stylesheet_module
    from textual.widgets import Input

    from triage_tui.tui.app import PHASE_CSS

    parsed: list[str] = []
    real_parse = stylesheet_module.parse

    def recording_parse(scope: str, css: str, read_from: tuple[str, str], **kwargs: object):  # type: ignore[no-untyped-def]
        parsed.append(Path(read_from[0]).name)
        return real_parse(scope, css, read_from, **kwargs)  # type: ignore[arg-type]

    from triage_tui.tui.screens.start import FieldText

    frames: list[tuple[bool, int]] = []
    real_refresh = Screen._compositor_refresh

    def recording_refresh(self: Screen) -> None:  # type: ignore[type-arg]
        if not self.app._batch_count:
            parsed_then = self.app.stylesheet.has_source(str(PHASE_CSS))
            frames.append((parsed_then, len(self.query(FieldText))))
        real_refresh(self)

    monkeypatch.setattr(stylesheet_module, "parse", recording_parse)
    monkeypatch.setattr(Screen, "_compositor_refresh", recording_refresh)
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        # The first frame: Start's rules only, its four fields drawn as text.
        assert frames and frames[0] == (False, 4)
        assert app.phase_css_loaded and app.stylesheet.has_source(str(PHASE_CSS))
        assert not app.screen.query(FieldText)  # then made (the real fields)
        assert app.screen.query_one("#scope-text", Input)
        # Parsed once, alone: the sheets parsed before it were not parsed again.
        assert parsed.count(PHASE_CSS.name) == 1
        assert parsed.count("app.tcss") == 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "categorize"
        assert app.screen.query_one("#items").styles.width.value == 46  # (phases.tcss)
        assert parsed.count(PHASE_CSS.name) == 1


@pytest.mark.parametrize("key", ["enter", "question_mark"])
async def test_a_screen_made_before_the_other_rules_were_parsed_is_styled_by_them(
    acme: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    # A key handled before the after-first-frame load: switching to a phase or pushing a
    # modal parses phases.tcss first, so the new screen is styled with it.
    from triage_tui.tui.app import TriageApp

    monkeypatch.setattr(TriageApp, "after_first_frame", lambda self: None)
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert not app.phase_css_loaded
        await pilot.press(key)
        await pilot.pause()
        assert app.phase_css_loaded
        if key == "enter":
            assert app.current_mode == "categorize"
            assert app.screen.query_one("#items").styles.width.value == 46
        else:
            assert type(app.screen).__name__ == "HelpScreen"
            assert app.screen.styles.align == ("center", "middle")  # (phases.tcss)


def _screen_svg(app: object) -> str:
    """The screen as SVG, its per-export class names made comparable."""
    import re

    svg = app.export_screenshot()  # type: ignore[attr-defined]
    return re.sub(r"terminal-\d+-", "terminal-", svg)


@pytest.mark.parametrize(
    ("size", "theme", "fields"),
    [
        ((120, 36), None, {}),
        ((80, 24), None, {}),
        ((120, 36), "textual-light", {}),
        ((120, 36), "textual-ansi", {"team": "Payments"}),
        (
            (120, 36),
            None,
            {
                "facilitator": "Dana\x1b[31m",  # a control character: drawn as a picture
                "team": "Payments",
                "minutes": "90",
                "scope-text": "status:todo label:api " + "very long words " * 6,
            },
        ),
    ],
)
async def test_starts_fields_are_drawn_as_text_first_exactly_as_the_fields_draw(
    acme: Path,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
    theme: str | None,
    fields: dict[str, str],
) -> None:
    from dataclasses import replace as replaced

    from textual.widgets import Input

    from triage_tui.tui.screens.start import FieldText, StartScreen

    real_make = StartScreen.make_fields
    monkeypatch.setattr(StartScreen, "make_fields", lambda self: {})
    app = create_app(LaunchOptions(file=acme, theme=theme), now=clock)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StartScreen)
        workshop = app.workshop
        assert workshop is not None
        for name, value in fields.items():
            if name == "scope-text":
                workshop.set_scope(replaced(workshop.scope, text=value))
            else:
                workshop.session.set_field(name, int(value) if name == "minutes" else value)
        await pilot.pause()
        assert len(screen.query(FieldText)) == 4 and not screen.query(Input)
        as_text = _screen_svg(app)
        made = real_make(screen)
        await pilot.pause()
        assert not screen.query(FieldText)
        assert [field.id for field in screen.query(Input)] == list(made)
        assert list(made) == ["scope-text", "facilitator", "team", "minutes"]
        as_fields = _screen_svg(app)
    assert as_text == as_fields


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["tab", "tab"], "scope-text"),  # (the first tab: the scrolling body, as before)
        (["slash"], "scope-text"),
        (["tab", "tab", "tab", "x"], "facilitator"),
    ],
)
async def test_a_key_that_reaches_a_field_drawn_as_text_makes_the_fields_and_goes_on(
    acme: Path, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, keys: list[str], expected: str
) -> None:
    # Before the fields are made (a key pressed with the first frame): tab, / or a
    # character typed reach the Field in that place, as they would have reached it.
    from textual.widgets import Input

    from triage_tui.tui.screens.start import FieldText, StartScreen

    monkeypatch.setattr(StartScreen, "make_fields_later", lambda self: None)
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert len(app.screen.query(FieldText)) == 4
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        focused = app.focused
        assert isinstance(focused, Input)
        assert focused.id == expected
        assert not app.screen.query(FieldText)
        if keys[-1] == "x":
            assert focused.value == "x"  # typed into the field, not taken as a key binding
