"""Plan: the board at a glance, the first engagement, and the handoff brief of each ready item."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Label, Static, TextArea

from triage_tui.core.model import Item
from triage_tui.core.pacing import format_clock
from triage_tui.core.session import HANDOFF_FIELDS, Category
from triage_tui.tui.screens.base import PhaseScreen

FIELD_TITLES = {
    "deliverable": "Deliverable",
    "acceptance_criteria": "Acceptance criteria",
    "timeline": "Timeline",
    "reviewer": "Reviewer",
    "channel": "Channel",
    "cadence": "Update cadence",
}


def bar(count: int, total: int, width: int = 30) -> str:
    """A proportional bar of block characters."""
    filled = 0 if total <= 0 else round(width * count / total)
    return "█" * filled + "·" * (width - filled)


class PlanScreen(PhaseScreen):
    """What the hour produced, before it is exported."""

    PHASE = "plan"

    BINDINGS = [
        Binding("f", "cycle_first", "First engagement", id="triage.first-engagement"),
        Binding("e", "edit", "Edit handoff", id="triage.edit-handoff"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Horizontal(id="plan-top"):
            yield Static(id="board", classes="panel")
            yield Static(id="spread", classes="panel")
        yield Static(id="first", classes="panel")
        with Horizontal(id="plan-bottom"):
            yield DataTable(id="handoffs", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="handoff-detail-scroll"):
                yield Static(id="handoff-detail", classes="panel")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one(DataTable)
        table.add_columns("id", "ready project", "score")

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self.query_one(DataTable).focus()

    def ready_items(self) -> list[Item]:
        """Ready project items, in backlog order."""
        workshop = self.workshop
        return [] if workshop is None else workshop.ready_items()

    def refresh_view(self) -> None:
        super().refresh_view()
        workshop = self.workshop
        if workshop is None:
            return
        session = workshop.session
        counts = session.counts(workshop.in_scope)
        total = len(workshop.in_scope)
        palette = self.app.get_css_variables()
        board = Text()
        board.append(f"The board: {total} items in scope\n", style="bold")
        for category, word in (
            (Category.HIRING, "HIRE hiring"),
            (Category.PROJECT, "PROJ project"),
            (Category.PARKED, "PARK parked"),
            (Category.UNDECIDED, " ··  undecided"),
        ):
            board.append(f" {word:<15}{counts[category]:>5} ")
            board.append(
                bar(counts[category], total), style=f"bold {palette.get(category.value, '')}"
            )
            board.append("\n")
        slowest = workshop.longest_discussions(3)
        if slowest:
            target = workshop.discussion_target()
            board.append(
                f"Longest discussions (target {format_clock(target)} each):\n", style="bold"
            )
            for item, spent in slowest:
                # The mark comes before the title: a long title is cut, the mark is not.
                over = workshop.overran(spent)
                mark = "⚠" if over else " "
                why = "  (under-specified?)" if over else ""
                board.append(f" {format_clock(spent):>6} {mark} {item.id}  {item.title}{why}\n")
        self.query_one("#board", Static).update(board)
        levels = workshop.readiness_spread()
        projects = sum(levels.values())
        spread = Text()
        spread.append(
            f"Readiness of {projects} project item{'s' if projects != 1 else ''}\n", style="bold"
        )
        for level, word in (
            ("ready", "✓ ready"),
            ("needs_work", "◐ needs work"),
            ("not_ready", "✗ not ready"),
        ):
            spread.append(f" {word:<13}{levels[level]:>5} ")
            spread.append(
                bar(levels[level], projects),
                style=f"bold {palette.get(level.replace('_', '-'), '')}",
            )
            spread.append("\n")
        self.query_one("#spread", Static).update(spread)
        first = workshop.first_engagement()
        first_text = Text()
        first_text.append("Recommended first engagement  ", style="bold")
        if first is None:
            first_text.append(
                "none yet: no project item is ready. Close the gaps of the closest one first."
            )
        else:
            item_id, why = first
            chosen = session.backlog.by_id().get(item_id)
            first_text.append(f"{item_id}  {chosen.title if chosen else ''}", style="bold reverse")
            first_text.append(f"\n{why}")
            first_text.append("\nf: choose another ready item", style="dim")
        self.query_one("#first", Static).update(first_text)
        table = self.query_one(DataTable)
        ready = self.ready_items()
        keep = table.cursor_row
        table.clear()
        for item in ready:
            table.add_row(
                Text(item.id),  # Text, not str: a DataTable reads a str as markup
                Text(item.title[:48]),
                str(workshop.assessment(item).score),
                key=item.id,
            )
        if ready:
            table.move_cursor(row=min(keep, len(ready) - 1))
        self._show_detail()

    def _current(self) -> Item | None:
        table = self.query_one(DataTable)
        ready = self.ready_items()
        if not ready or not 0 <= table.cursor_row < len(ready):
            return None
        return ready[table.cursor_row]

    def _show_detail(self) -> None:
        from triage_tui.core.handoff import handoff_fields

        workshop = self.workshop
        item = self._current()
        detail = self.query_one("#handoff-detail", Static)
        if workshop is None or item is None:
            detail.update(
                Text(
                    "No ready project items yet. Readiness (f4) shows the gaps to close.",
                    style="dim",
                )
            )
            return
        fields = handoff_fields(item, workshop.session.decisions[item.id])
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        for name in HANDOFF_FIELDS:
            grid.add_row(FIELD_TITLES[name], Text(fields.get(name, "")))  # never markup
        detail.update(grid)

    @on(DataTable.RowHighlighted)
    def _row(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def action_cycle_first(self) -> None:
        workshop = self.workshop
        if workshop is None or workshop.next_first_engagement() is None:
            self.notify("No ready project item to choose.", severity="warning")
            return
        self.refresh_view()

    def action_edit(self) -> None:
        workshop = self.workshop
        item = self._current()
        if workshop is None or item is None:
            self.notify("Pick a ready project item first.", severity="warning")
            return
        from triage_tui.core.handoff import handoff_fields

        fields = handoff_fields(item, workshop.session.decisions[item.id])

        def save(result: dict[str, str] | None) -> None:
            if result is not None:
                workshop.set_handoff(item, result)
                self.refresh_view()

        self.app.push_screen(HandoffEditor(item, fields), save)


#: Fields that hold several lines (a checklist): edited in a TextArea.
MULTILINE_FIELDS = frozenset({"acceptance_criteria", "deliverable"})


class HandoffEditor(ModalScreen[dict[str, str] | None]):
    """Edit the handoff brief fields of one ready item (f10 saves, escape cancels)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("f10", "save", "Save", priority=True),
    ]

    def __init__(self, item: Item, fields: dict[str, str]) -> None:
        super().__init__()
        self.item = item
        self.fields = fields

    def compose(self) -> ComposeResult:
        with Vertical(id="editor", classes="panel"):
            yield Label(
                Text(f"Handoff brief: {self.item.id} {self.item.title}"), classes="panel-title"
            )
            for name in HANDOFF_FIELDS:
                yield Label(FIELD_TITLES[name])
                value = self.fields.get(name, "")
                if name in MULTILINE_FIELDS:
                    yield TextArea(
                        value, id=f"field-{name}", soft_wrap=True, show_line_numbers=False
                    )
                else:
                    yield Input(value, id=f"field-{name}", compact=True)
            yield Label("tab moves between fields · f10 saves · escape cancels", classes="hint")
        yield Footer()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _value(self, name: str) -> str:
        widget = self.query_one(f"#field-{name}")
        text = widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]
        return str(text).strip()

    def action_save(self) -> None:
        self.dismiss({name: self._value(name) for name in HANDOFF_FIELDS})

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == f"field-{HANDOFF_FIELDS[-1]}":
            self.action_save()
        else:
            self.focus_next()
