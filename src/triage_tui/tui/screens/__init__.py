"""The five phase screens, one Textual mode each, imported when first shown (fast first paint)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from textual.screen import Screen

#: mode -> (module, class) of its screen.
SCREENS = {
    "start": ("start", "StartScreen"),
    "categorize": ("categorize", "CategorizeScreen"),
    "readiness": ("readiness", "ReadinessScreen"),
    "plan": ("plan", "PlanScreen"),
    "export": ("export", "ExportScreen"),
}


def screen_class(mode: str) -> type[Screen[Any]]:
    """The screen class of a mode (imports its module)."""
    module, name = SCREENS[mode]
    cls: type[Screen[Any]] = getattr(import_module(f"triage_tui.tui.screens.{module}"), name)
    return cls


def _factory(mode: str) -> Callable[[], Screen[Any]]:
    return lambda: screen_class(mode)()


MODES: dict[str, str | Callable[[], Screen[Any]]] = {mode: _factory(mode) for mode in SCREENS}
