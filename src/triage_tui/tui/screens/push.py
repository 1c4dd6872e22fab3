"""The push from the Export screen: the dry run to read, then (on the facilitator's word)
the changes, with progress. The work is `triage_tui.push`'s, the same as the command line."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, ProgressBar, Static

from triage_tui.formats.push import TRACKER_NAMES

if TYPE_CHECKING:
    from triage_tui.formats.push import Change, PushItem
    from triage_tui.push import Prepared


class ConfirmPush(ModalScreen[bool]):
    """ "Write to the tracker?": y applies, n or escape does not."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes, write it"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    DEFAULT_CSS = """
    ConfirmPush { align: center middle; }
    ConfirmPush > Vertical { width: 72; height: auto; border: thick $warning; padding: 1 2; background: $surface; }
    """

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Write to the tracker?", classes="panel-title")
            yield Static(Text(self.question))
            yield Static("\n y  yes, write it     n  no, back to the dry run")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class PushScreen(ModalScreen[None]):
    """The dry run of a push; `a` applies it after a confirmation."""

    BINDINGS = [
        Binding("a", "apply", "Apply to the tracker", id="triage.push-apply"),
        Binding("escape", "close", "Close"),
    ]

    DEFAULT_CSS = """
    PushScreen { align: center middle; }
    PushScreen > Vertical { width: 96%; height: 92%; border: thick $primary; background: $surface; padding: 0 1; }
    PushScreen #push-dry-run { height: 1fr; }
    PushScreen ProgressBar { margin: 1 0 0 0; }
    PushScreen #push-status { height: auto; min-height: 1; }
    """

    def __init__(self, prepared: Prepared) -> None:
        super().__init__()
        self.prepared = prepared
        self.running = False
        self.finished = False
        self.status_text = ""

    @property
    def tracker_name(self) -> str:
        return TRACKER_NAMES[self.prepared.tracker]

    def compose(self) -> ComposeResult:
        selection = self.prepared.selection
        with Vertical():
            yield Label(
                f"Push to {self.tracker_name}: the dry run ({len(selection.items)} items)",
                classes="panel-title",
            )
            with VerticalScroll(id="push-dry-run"):
                # Text, not markup: everything here came from the backlog or the plan.
                yield Static(Text(self.prepared.dry_run()), id="push-text")
            yield ProgressBar(total=max(len(selection.items), 1), id="push-progress")
            yield Static(
                Text(
                    "Nothing is sent yet. a applies it (you confirm first); escape closes.",
                    style="dim",
                ),
                id="push-status",
            )
        yield Footer()

    def set_status(self, text: str, style: str = "") -> None:
        self.status_text = text
        self.query_one("#push-status", Static).update(Text(text, style=style))

    def action_close(self) -> None:
        if self.running:
            self.notify("The push is running; it stops safely at the next item if you quit.")
            return
        self.dismiss(None)

    def action_apply(self) -> None:
        if self.running:
            return
        items = len(self.prepared.selection.items)
        if not items:
            self.set_status("Nothing to push: no decided item has an id from this tracker.")
            return
        from triage_tui.push import destination

        where = destination(self.prepared)
        undecided = len(self.prepared.selection.undecided)
        decided = items - undecided
        question = (
            f"Add and remove triage labels and write one comment on {decided} "
            f"{self.tracker_name} issue{'s' if decided != 1 else ''}"
            + (f" at {where}" if where else "")
            + (
                f", and take the triage labels off {undecided} undecided one"
                f"{'s' if undecided != 1 else ''} where present"
                if undecided
                else ""
            )
            + ". Issues already up to date are left alone."
        )
        self.app.push_screen(ConfirmPush(question), self._confirmed)

    def _confirmed(self, yes: bool | None) -> None:
        if yes:
            self.running = True
            self.query_one("#push-progress", ProgressBar).update(progress=0)
            self.set_status(f"Writing to {self.tracker_name} …", "bold")
            self._apply()

    @work(thread=True, exclusive=True, exit_on_error=False, group="push")
    def _apply(self) -> None:
        import asyncio

        from triage_tui.push import PushRefused, TrackerError, apply, client_for

        def progress(index: int, count: int, item: PushItem, change: Change) -> None:
            self.app.call_from_thread(self._progressed, index, count, str(item.ref))

        try:
            client = client_for(self.prepared.tracker, os.environ)
            summary = asyncio.run(apply(self.prepared, client, progress))
        except (PushRefused, TrackerError) as error:
            self.app.call_from_thread(self._done, str(error), False)
            return
        line = summary.line(self.prepared.tracker, self.prepared.selection)
        self.app.call_from_thread(self._done, line, True)

    def _progressed(self, index: int, count: int, ref: str) -> None:
        self.query_one("#push-progress", ProgressBar).update(progress=index)
        self.set_status(f"{index} of {count}: {ref}")

    def _done(self, line: str, ok: bool) -> None:
        from triage_tui.core.sanitize import clean_line

        self.running = False
        self.finished = ok
        self.set_status(
            clean_line(line) + ("" if ok else "  (run it again to resume)"),
            "bold" if ok else "bold red",
        )
        self.notify(clean_line(line), severity="information" if ok else "error")
