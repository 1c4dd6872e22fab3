"""The app's own command palette entries: go to a phase, jump to an item, export, theme."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from triage_tui.core.workshop import PHASES
from triage_tui.tui.widgets.phase_bar import PHASE_TITLES

if TYPE_CHECKING:
    from triage_tui.tui.app import TriageApp

#: Items offered as "jump to" entries; the palette fuzzy-searches them all.
MAX_JUMP_ITEMS = 2000


def workshop_commands(app: TriageApp) -> Iterator[SystemCommand]:
    """Commands for the palette (ctrl+p)."""
    for phase in PHASES:
        yield SystemCommand(
            f"Go to {PHASE_TITLES[phase]}",
            f"Switch to the {phase} phase",
            partial(app.action_phase, phase),
        )
    yield SystemCommand("Save plan", "Write the plan TOML now (ctrl+s)", app.action_save_plan)
    yield SystemCommand(
        "Export",
        "Write the plan, the brief and the CSV summary",
        partial(app.action_phase, "export"),
    )
    yield SystemCommand("Undo", "Undo the last decision or toggle (ctrl+z)", app.action_undo)
    yield SystemCommand("Help", "Every key, and what each phase is for (?)", app.action_help)
    workshop = app.workshop
    if workshop is None:
        return
    for item in workshop.in_scope[:MAX_JUMP_ITEMS]:
        yield SystemCommand(
            # The palette reads titles as markup: "\[" keeps "[link=...]" text (Textual's
            # escape() doubles a trailing backslash, which the palette then shows).
            f"Jump to {item.id}: {item.title}"[:90].replace("[", "\\["),
            "Open this item in Categorize",
            partial(app.jump_to, item.id),
        )
