"""tui/widgets/field.py: a compact Input styled once, when it is mounted (issue 24)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input

from triage_tui.tui.widgets.field import Field


def _restyles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the nodes Textual restyles because a class changed."""
    restyled: list[str] = []
    real = App.update_styles

    def update_styles(self: App[Any], node: Any, animate: bool = True) -> None:
        restyled.append(str(node.id))
        real(self, node, animate=animate)

    monkeypatch.setattr(App, "update_styles", update_styles)
    return restyled


class Fields(App[None]):
    def compose(self) -> ComposeResult:
        yield Input(id="plain", compact=True)
        yield Field(id="field")
        yield Field(id="minutes", type="integer", valid=True, highlighter=None)


async def test_a_field_is_not_restyled_before_it_is_mounted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    restyled = _restyles(monkeypatch)
    app = Fields()
    async with app.run_test() as pilot:
        # Textual's compact Input restyles itself in __init__, before it is in the app.
        assert "plain" in restyled
        assert "field" not in restyled
        field = app.query_one("#field", Field)
        plain = app.query_one("#plain", Input)
        # ... and a Field is styled as the compact Input all the same, once mounted.
        assert field.has_class("-textual-compact") and field.compact
        assert field.styles.height == plain.styles.height
        assert field.styles.border == plain.styles.border
        # Mounted, a class change restyles it as usual.
        restyled.clear()
        minutes = app.query_one("#minutes", Field)
        minutes.value = "60"  # valid, as the class it started with says: no change
        await pilot.pause()
        assert "minutes" not in restyled and minutes.has_class("-valid")
        minutes.value = "x"
        await pilot.pause()
        assert "minutes" in restyled and minutes.has_class("-invalid")


async def test_a_field_draws_a_control_character_as_a_picture() -> None:
    app = Fields()
    async with app.run_test() as pilot:
        field = app.query_one("#field", Field)
        field.value = "a\x1bb"
        await pilot.pause()
        drawn = "".join(segment.text for segment in field.render_line(0))
        assert "a\u241bb" in drawn and "\x1b" not in drawn
