"""Export: the plan TOML, the team's brief, the CSV summary and the contractors' handoffs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, ProgressBar, Static

from triage_tui.core.errors import InputError
from triage_tui.services import ExportResult, PlanSave, Room
from triage_tui.store.paths import user_path
from triage_tui.tui.screens.base import PhaseScreen
from triage_tui.tui.widgets.field import Field

if TYPE_CHECKING:
    from triage_tui.push import Prepared


class ExportScreen(PhaseScreen):
    """Write the outcome of the hour; works at any point, mid-session too."""

    PHASE = "export"
    AUTO_FOCUS = ""  # keys (x) act at once; the paths are edited by clicking or tab

    DEFAULT_CSS = """
    ExportScreen #export-progress { display: none; margin-top: 1; }
    ExportScreen #export-progress.-running { display: block; }
    """

    BINDINGS = [
        Binding("x", "export", "Export all", id="triage.export"),
        Binding("t", "push", "Push to tracker", id="triage.push"),
        Binding("escape", "blur", "Done typing", show=False),
        Binding("tab", "app.focus_next", "Edit paths", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Vertical(id="export-body", classes="panel"):
            yield Label("Export the plan", classes="panel-title")
            yield Label("Plan (TOML, for git)")
            yield Field(id="plan-path")
            yield Label("Brief (Markdown, the team's document)")
            yield Field(id="brief-path")
            yield Label("Summary (CSV, one row per item)")
            yield Field(id="csv-path")
            yield Label("Handoffs (a folder: one Markdown document per ready project item)")
            yield Field(id="handoffs-path")
            # Shown while writing: a 100,000-item export takes seconds.
            yield ProgressBar(total=100, show_eta=False, id="export-progress")
            yield Static(id="export-status")
            yield Label("Back into the tracker", id="push-title", classes="panel-title")
            yield Static(id="push-hint")
        yield from self.compose_footer()

    def refresh_view(self) -> None:
        super().refresh_view()
        workshop = self.workshop
        if workshop is None:
            return
        plan = workshop.plan_path
        base = plan.name.removesuffix(".plan.toml").removesuffix(".toml")
        defaults = {
            "plan-path": plan,
            "brief-path": plan.with_name(f"{base}.brief.md"),
            "csv-path": plan.with_name(f"{base}.summary.csv"),
            "handoffs-path": plan.with_name(f"{base}.handoffs"),
        }
        for widget_id, path in defaults.items():
            widget = self.query_one(f"#{widget_id}", Input)
            if not widget.value:
                widget.value = str(path)
        self.query_one("#push-hint", Static).update(Text(self._push_hint(), style="dim"))
        if not self._result_shown:  # the hint counts decisions: redrawn on every visit
            decided = workshop.decided_count()
            self.query_one("#export-status", Static).update(
                Text(
                    f"{decided} of {len(workshop.in_scope)} items decided. tab edits a path; x writes all four "
                    "(the previous plan is kept beside the autosave); ctrl+s writes the plan alone.",
                    style="dim",
                )
            )

    def _push_hint(self) -> str:
        from triage_tui.formats.push import TRACKER_NAMES
        from triage_tui.push import tracker_of_session

        workshop = self.workshop
        tracker = tracker_of_session(workshop.session) if workshop is not None else ""
        if not tracker:
            return (
                "This backlog did not come from GitHub, Jira or Linear: there is no tracker "
                "to write the decisions back to."
            )
        return (
            f"t writes the plan, then shows what goes back into {TRACKER_NAMES[tracker]}: "
            "a label per decision and one comment per item. Nothing is sent until you "
            "apply it and confirm."
        )

    def action_push(self) -> None:
        from triage_tui.push import tracker_of_session

        workshop = self.triage.require_workshop()
        if workshop is None:
            return
        tracker = tracker_of_session(workshop.session)
        if not tracker:
            self.notify(self._push_hint(), severity="warning")
            return
        value = self.query_one("#plan-path", Input).value.strip()
        plan = user_path(value) if value else workshop.plan_path
        workshop.book_time()  # on the UI thread, before the plan is built
        room = self.triage.room
        if room is not None:  # the plan as it is now (written in the worker)
            self._prepare_push(room, room.snapshot_plan(plan), tracker)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def _prepare_push(self, room: Room, save: PlanSave, tracker: str) -> None:
        from triage_tui.config import load_config
        from triage_tui.push import PushRefused, prepare

        plan = save.path
        result = room.write_plan(save)  # the plan on disk is what gets pushed
        self.app.call_from_thread(room.plan_written, save, result)
        if not result.ok:
            self.app.call_from_thread(self._done, list(result.messages), False)
            return
        try:
            prepared = prepare(plan, tracker, prefix=load_config()[0].label_prefix)
        except (InputError, PushRefused) as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self._show_push, prepared)

    def _show_push(self, prepared: Prepared) -> None:
        from triage_tui.tui.screens.push import PushScreen

        self.app.push_screen(PushScreen(prepared))

    def action_blur(self) -> None:
        self.set_focus(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.set_focus(None)
        self.action_export()

    def action_export(self) -> None:
        workshop = self.triage.require_workshop()
        if workshop is None:
            return
        paths = {
            name: user_path(self.query_one(f"#{name}-path", Input).value)
            for name in ("plan", "brief", "csv", "handoffs")
            if self.query_one(f"#{name}-path", Input).value.strip()
        }
        self.query_one("#export-status", Static).update(Text("Writing …", style="bold"))
        bar = self.query_one("#export-progress", ProgressBar)
        bar.update(progress=0)
        bar.add_class("-running")
        if self.workshop is not None:
            self.workshop.book_time()  # on the UI thread, before the plan is built
        room = self.triage.room  # the room now, rendered in the worker (services.Room.export)
        self._export(paths, room.snapshot_plan() if room is not None else None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def _export(self, paths: dict[str, Path], taken: PlanSave | None) -> None:
        # Through the app's guarded writer (services.Room.export).
        shown = [-1]  # the last whole percent posted: no more than 100 updates

        def progress(fraction: float, what: str) -> None:
            percent = int(fraction * 100)
            if percent != shown[0]:
                shown[0] = percent
                self.app.call_from_thread(self._progress, percent, what)

        room = self.triage.room
        if room is None or taken is None:
            result = ExportResult(("Open a backlog first.",), False)
        else:  # the app's export, with the progress bar fed from this thread
            result = room.export(
                plan=paths.get("plan"),
                brief=paths.get("brief"),
                csv=paths.get("csv"),
                handoffs=paths.get("handoffs"),
                progress=progress,
                taken=taken,
            )
            # The unsaved count settles on the UI thread, as ctrl+s and push settle it.
            self.app.call_from_thread(room.exported, taken, result)
        self.app.call_from_thread(self._done, list(result.messages), result.ok)

    def _progress(self, percent: int, what: str) -> None:
        self.query_one("#export-progress", ProgressBar).update(progress=percent)
        if what:
            self.query_one("#export-status", Static).update(Text(f"Writing {what} …", style="bold"))

    _result_shown = False  # the status shows the last export's outcome, not the hint

    def _done(self, messages: list[str], ok: bool) -> None:
        self._result_shown = True
        self.query_one("#export-progress", ProgressBar).remove_class("-running")
        text = Text()
        for message in messages:
            text.append(
                ("✓ " if message.startswith("Wrote") else "✗ ") + message + "\n", style="bold"
            )
        if not ok:
            text.append(
                "Nothing is lost: every decision is still here and autosaved. Pick another path.\n"
            )
        self.query_one("#export-status", Static).update(text)
        self.notify(
            "Exported." if ok else "Some files were not written.",
            severity="information" if ok else "error",
        )
