"""The phase screens' Footer: one widget drawing every key hint (issue 24)."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from textual.command import CommandPalette
from textual.widgets._footer import FooterKey

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app
from triage_tui.tui.screens.help import HelpScreen
from triage_tui.tui.widgets.compact_footer import CompactFooter


def footer_of(app) -> CompactFooter:  # type: ignore[no-untyped-def]
    return app.screen.query_one(CompactFooter)


def offset_of(footer: CompactFooter, action: str) -> int:
    """The footer column where the hint for `action` starts."""
    for hint, region in footer.hint_regions():
        if hint.action == action:
            return region.x - footer.region.x + (hint is footer.palette)
    raise AssertionError((action, [hint.action for hint in footer.hints]))


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])
async def test_one_widget_draws_the_keys_cut_at_the_palette_key(
    acme: Path, clock: FrozenClock, size: tuple[int, int]
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=size) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")  # Categorize
        await pilot.pause()
        footer = footer_of(app)
        assert not app.screen.query(FooterKey)
        assert footer.hints[0].key_display == "?"
        assert len(footer.hints) == len({hint.action for hint in footer.hints})
        line = footer.render().plain
        width = size[0]
        assert len(line) == width
        # The palette key on the right, one blank after it; only whole hints before it
        # (a hint that does not fit is left out, never cut or shown in the margin).
        assert line.endswith("▏^p palette ")
        room = width - len("▏^p palette") - 1
        shown, fitted = "", 0
        for hint in footer.hints:
            text = (
                f"{hint.key_display} {hint.description}" if hint.description else hint.key_display
            )
            if len(shown) + len(text) > room:
                break
            shown += text + " "
            fitted += 1
        assert line[:room] == shown.ljust(room)
        assert fitted < len(footer.hints) if size == (80, 24) else fitted == len(footer.hints)


async def test_a_click_on_a_hint_presses_its_key(acme: Path, clock: FrozenClock) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        footer = footer_of(app)
        x = offset_of(footer, "app.help")
        await pilot.click(CompactFooter, offset=(x + 2, 0))  # on its description
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        footer = footer_of(app)
        assert footer.palette is not None
        await pilot.click(CompactFooter, offset=(offset_of(footer, footer.palette.action), 0))
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_a_click_between_hints_does_nothing(acme: Path, clock: FrozenClock) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        footer = footer_of(app)
        first = footer.hints[0]
        assert footer.hint_at(first.width) is None  # the blank after the first key
        assert footer.hint_at(0) is first
        screen = app.screen
        with mock.patch.object(app, "simulate_key") as simulate:
            await pilot.click(CompactFooter, offset=(first.width, 0))
            await pilot.pause()
        assert simulate.call_count == 0
        assert app.screen is screen


async def test_a_key_that_changes_no_binding_does_not_redraw_the_footer(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        footer = footer_of(app)
        hints = footer.hints
        with mock.patch.object(footer, "refresh", wraps=footer.refresh) as refresh:
            await pilot.press("down")
            await pilot.pause()
        assert footer.hints == hints
        assert refresh.call_count == 0


async def test_the_hints_follow_the_bindings(acme: Path, clock: FrozenClock) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_loaded(pilot, app)
        start = [hint.action for hint in footer_of(app).hints]
        await pilot.press("enter")
        await pilot.pause()
        categorize = [hint.action for hint in footer_of(app).hints]
        assert categorize != start
        assert any(action.startswith("decide") for action in categorize), categorize
