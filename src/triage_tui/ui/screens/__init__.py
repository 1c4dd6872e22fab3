"""The five phase screens, one Textual mode each."""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen

from triage_tui.ui.screens.categorize import CategorizeScreen
from triage_tui.ui.screens.export import ExportScreen
from triage_tui.ui.screens.plan import PlanScreen
from triage_tui.ui.screens.readiness import ReadinessScreen
from triage_tui.ui.screens.start import StartScreen

MODES: dict[str, Callable[[], Screen[object]]] = {
    "start": StartScreen,
    "categorize": CategorizeScreen,
    "readiness": ReadinessScreen,
    "plan": PlanScreen,
    "export": ExportScreen,
}
