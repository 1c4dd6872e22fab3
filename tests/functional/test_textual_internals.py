"""One test per private Textual use in tui/_textual_internals.py.

Each checks both what Textual does without the trick (so the test fails, and the trick
can go, once Textual stops doing it) and that the trick still works (so the test fails
when Textual renames or changes what it relies on).
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.css.stylesheet import Stylesheet
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from triage_tui.tui import _textual_internals as internals


class Plain(Screen[Any]):
    def compose(self) -> ComposeResult:
        yield Static("plain")


class Adopting(Plain):
    def __init__(self) -> None:
        super().__init__()
        internals.adopt_app_css(self, self.app)


class Skipping(Plain):
    def post_message(self, message: Message) -> bool:
        return super().post_message(internals.skip_restyle_until_away(self, message))


class ModesApp(App[None]):
    CSS = "Static { color: red; }"
    MODES: ClassVar[dict[str, Any]] = {"home": Plain, "plain": Plain, "adopting": Adopting}
    DEFAULT_MODE = "home"


async def test_adopt_app_css_spares_the_reparse_a_new_mode_costs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reparses: list[str] = []
    real = Stylesheet.reparse

    def counting(self: Stylesheet) -> None:
        reparses.append("reparse")
        real(self)

    monkeypatch.setattr(Stylesheet, "reparse", counting)
    app = ModesApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        reparses.clear()
        app.switch_mode("plain")
        await pilot.pause()
        assert reparses, "Textual no longer reparses for a new mode: drop adopt_app_css"
        reparses.clear()
        app.switch_mode("adopting")
        await pilot.pause()
        assert reparses == []
        # ... and the adopted screen is styled all the same.
        assert app.screen.query_one(Static).styles.color.hex.lower() == "#ff0000"


class EarlyApp(App[None]):
    CSS = "App { background: #123456; }"
    style_early = False
    seen: ClassVar[list[str]] = []

    def on_load(self) -> None:
        if self.style_early:
            internals.style_app_now(self)

    def compose(self) -> ComposeResult:
        self.seen.append(self.styles.background.hex.lower())
        yield Static("x")


@pytest.mark.parametrize("early", [False, True])
async def test_style_app_now_styles_the_app_before_the_first_compose(early: bool) -> None:
    EarlyApp.seen.clear()
    app = EarlyApp()
    app.style_early = early
    async with app.run_test() as pilot:
        await pilot.pause()
    if early:
        assert EarlyApp.seen == ["#123456"]
    else:
        # Textual styles the app only after composing: drop style_app_now once it does not.
        assert EarlyApp.seen != ["#123456"]


class Other(Plain):
    pass


@pytest.mark.parametrize("screen_class", [Plain, Skipping])
async def test_skip_restyle_until_away(
    monkeypatch: pytest.MonkeyPatch, screen_class: type[Plain]
) -> None:
    restyles: list[str] = []
    real = Screen._on_screen_resume

    def recording(self: Screen[Any], event: events.ScreenResume) -> None:
        if event.refresh_styles and type(self) is screen_class:
            restyles.append("restyle")
        real(self, event)

    class TwoModes(App[None]):
        MODES: ClassVar[dict[str, Any]] = {"one": screen_class, "two": Other}
        DEFAULT_MODE = "two"

    monkeypatch.setattr(Screen, "_on_screen_resume", recording)
    app = TwoModes()
    async with app.run_test() as pilot:
        await pilot.pause()
        app.switch_mode("one")  # first shown: just composed and styled
        await pilot.pause()
        first = list(restyles)
        app.switch_mode("two")  # "one" is away: a theme may change meanwhile
        await pilot.pause()
        restyles.clear()
        app.switch_mode("one")
        await pilot.pause()
        again = list(restyles)
    if screen_class is Plain:
        assert first, "Textual no longer restyles on a first resume: drop the skip"
    else:
        assert first == []
    assert again == ["restyle"]


# -- drawing_dropped: no layout or frame inside the app's start-up batch ------------------
class Waiting(Plain):
    """A screen deferring its layout and frames as PhaseScreen does (screens/base.py)."""

    def _refresh_layout(self, size: Any = None, scroll: bool = False) -> None:
        if internals.drawing_dropped(self):
            internals.lay_out_after_start(self)
            return
        internals.laid_out(self)
        super()._refresh_layout(size, scroll)

    def _compositor_refresh(self) -> None:
        if not internals.drawing_dropped(self):
            super()._compositor_refresh()


def _startup_work(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[bool]]:
    """Every layout and frame Textual really makes, and whether the app was batching."""
    from textual._compositor import Compositor

    seen: dict[str, list[bool]] = {"layout": [], "frame": []}
    real_reflow, real_render = Compositor.reflow, Compositor.render_update

    def reflow(self: Compositor, parent: Any, size: Any) -> Any:
        seen["layout"].append(bool(parent.app._batch_count))
        return real_reflow(self, parent, size)

    def render_update(self: Compositor, *args: Any, **kwargs: Any) -> Any:
        from textual._context import active_app

        seen["frame"].append(bool(active_app.get()._batch_count))
        return real_render(self, *args, **kwargs)

    monkeypatch.setattr(Compositor, "reflow", reflow)
    monkeypatch.setattr(Compositor, "render_update", render_update)
    return seen


@pytest.mark.parametrize("screen_class", [Plain, Waiting])
async def test_drawing_dropped_defers_the_first_screens_layout_and_frame(
    monkeypatch: pytest.MonkeyPatch, screen_class: type[Plain]
) -> None:
    class FirstMode(App[None]):
        MODES: ClassVar[dict[str, Any]] = {"home": screen_class}
        DEFAULT_MODE = "home"

    seen = _startup_work(monkeypatch)
    app = FirstMode()
    async with app.run_test() as pilot:
        await pilot.pause()
        drawn = app.screen.query_one(Static).render_line(0).text
    in_batch = seen["layout"].count(True) + seen["frame"].count(True)
    if screen_class is Plain:
        # Textual lays the default mode's screen out and renders it inside the batch,
        # where the frame is thrown away: drop drawing_dropped once it does not.
        assert in_batch, "Textual no longer draws inside its start-up batch"
    else:
        assert in_batch == 0
    assert seen["frame"].count(False) >= 1 and drawn.startswith("plain")


async def test_a_layout_owed_at_the_end_of_the_batch_is_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the resize Textual posts as its batch ends, the app's callback lays the
    screen out (the first frame never waits for a key or a timer)."""

    class FirstMode(App[None]):
        MODES: ClassVar[dict[str, Any]] = {"home": Waiting}
        DEFAULT_MODE = "home"

    real = Screen._on_resize

    async def no_resize(self: Screen[Any], event: events.Resize) -> None:
        if not isinstance(self, Waiting):
            await real(self, event)

    monkeypatch.setattr(Screen, "_on_resize", no_resize)
    seen = _startup_work(monkeypatch)
    app = FirstMode()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.screen.query_one(Static).region.width > 0
    assert seen["layout"] and True not in seen["layout"]
    assert False in seen["frame"]
