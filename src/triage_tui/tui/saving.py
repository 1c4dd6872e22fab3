"""Writing the plan from the app (ctrl+s: taken on the UI thread, written off it) and quitting
without losing work."""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage_tui.services import ExportResult, PlanSave, Room
from triage_tui.tui.screens.unsaved import Choice, UnsavedScreen

if TYPE_CHECKING:
    from triage_tui.tui.host import Host


def save_plan_in_worker(app: Host) -> None:
    """ctrl+s: the plan taken here, on the UI thread, and written off it; the result is a
    notification.

    The worker reads only the copy (`Room.snapshot_plan`): the room keeps deciding while
    it writes, and what it decides meanwhile goes to the autosave and the next save,
    never half into this one.
    """
    room = app.room
    if room is None:
        return
    room.book_time()  # on the UI thread: the step reaches the autosave here
    save = room.snapshot_plan()

    def work() -> None:
        result = room.write_plan(save)
        app.call_from_thread(written, app, room, save, result)

    app.run_worker(work, thread=True, group="save", exit_on_error=False)


def written(app: Host, room: Room, save: PlanSave, result: ExportResult) -> None:
    """Back on the UI thread: the room's count of unsaved changes, then the notification."""
    room.plan_written(save, result)
    report(app, result)


def report(app: Host, result: ExportResult) -> None:
    """One notification for a write: every file's line, saved or not."""
    text = "\n".join(result.messages)
    if result.ok:
        app.notify(text, title="Saved", severity="information", timeout=6)
    else:
        app.notify(text, title="Not saved", severity="error", timeout=15)
    app.refresh_screen()


def request_quit(app: Host) -> None:
    """ctrl+q: exit, unless changes exist only in memory (the autosave failing, off, or
    read-only): then say so and offer to write the plan elsewhere first."""
    if isinstance(app.screen, UnsavedScreen):
        app.screen.action_quit_anyway()  # ctrl+q again: the user insists
        return
    room = app.room
    state = room.save_state() if room is not None else None
    if room is None or state is None or state.saved:
        app.exit(0)
        return
    app.clear_notifications()  # the dialog says it all; old toasts would cover it
    app.push_screen(UnsavedScreen(state, room.workshop.plan_path), lambda c: quit_choice(app, c))


def quit_choice(app: Host, choice: Choice) -> None:
    """What the user chose in the dialog: write the plan there and quit, quit anyway, stay."""
    room = app.room
    if choice is None or room is None:
        return
    action, path = choice
    if action == "write" and path is not None:
        result = room.export(plan=path)
        if not result.ok:  # ask again, saying why
            screen = UnsavedScreen(room.save_state(), path, "\n".join(result.messages))
            app.push_screen(screen, lambda again: quit_choice(app, again))
            return
    state = room.save_state()
    if state.saved:
        app.exit(0)
        return
    noun = "change" if state.unsaved == 1 else "changes"
    # Printed on stderr once the terminal is back (launch.exit_code); never exit 0.
    app.exit_message = f"triage-tui: quit with {state.unsaved} {noun} not saved. {state.reason}"
    app.exit(return_code=1)
