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
    from triage_tui.tui.vote_room import room_of

    if app.current_mode in ("categorize", "readiness", "plan"):
        is_open = room_of(app) is not None
        yield SystemCommand(
            "Close the room" if is_open else "Open the room",
            "The room votes from its phones: the join link and its QR code (R)",
            partial(_room_toggle, app),
        )
    named = workshop.session.votes_named
    yield SystemCommand(
        "Room: keep votes anonymous in the plan" if named else "Room: name the voters in the plan",
        "Whether the plan and the room's tally name who voted what",
        partial(_room_names, app, not named),
    )
    if workshop.scope.ids:
        yield SystemCommand(
            "Scope: every item",
            "Not only the new and changed items --from left to decide (ctrl+z narrows again)",
            partial(_widen_scope, app),
        )
    for item in workshop.in_scope[:MAX_JUMP_ITEMS]:
        yield SystemCommand(
            # The palette reads titles as markup: "\[" keeps "[link=...]" text (Textual's
            # escape() doubles a trailing backslash, which the palette then shows).
            f"Jump to {item.id}: {item.title}"[:90].replace("[", "\\["),
            "Open this item in Categorize",
            partial(jump_to, app, item.id),
        )


async def _room_toggle(app: TriageApp) -> None:
    action = getattr(app.screen, "action_room_toggle", None)
    if action is not None:
        await action()


def _room_names(app: TriageApp, shown: bool) -> None:
    from triage_tui.core.votes import set_names_shown
    from triage_tui.tui.vote_room import room_of

    workshop = app.workshop
    if workshop is not None:
        set_names_shown(workshop.session, shown)
        room = room_of(app)
        if room is not None:
            room.changed()
        app.notify("The plan names the voters." if shown else "Votes stay anonymous.", timeout=3)


def _widen_scope(app: TriageApp) -> None:
    workshop = app.workshop
    if workshop is not None and workshop.widen_scope() is not None:  # redrawn from the step
        app.notify(f"Scope: every item ({len(workshop.in_scope)})", timeout=3)


def jump_to(app: TriageApp, item_id: str) -> None:
    """Open one item in Categorize (the palette's "Jump to")."""
    workshop = app.require_workshop()
    ids = [item.id for item in workshop.in_scope] if workshop is not None else []
    if item_id in ids:
        app.action_phase("categorize")
        from triage_tui.tui.widgets.item_list import ItemList

        index = ids.index(item_id)
        app.call_after_refresh(lambda: app.screen.query_one(ItemList).set_cursor(index))
