"""Plan: the board, readiness, the roadmap impact, the first engagement, and each handoff."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Label, Static, TextArea

from triage_tui.core.model import Item
from triage_tui.core.pacing import format_clock
from triage_tui.core.session import HANDOFF_FIELDS, HANDOFF_LIST_FIELDS, Category
from triage_tui.tui.screens.base import PhaseScreen

if TYPE_CHECKING:
    from triage_tui.core.roadmap import Assumptions, Roadmap
    from triage_tui.core.workshop import Workshop

FIELD_TITLES = {
    "deliverable": "Deliverable",
    "context": "System context",
    "contract": "Contract",
    "acceptance_criteria": "Acceptance criteria",
    "definition_of_done": "Definition of done",
    "out_of_scope": "Out of scope",
    "timeline": "Timeline",
    "reviewer": "Reviewer",
    "channel": "Channel",
    "cadence": "Update cadence",
    "access": "Before day one",
}

#: The Plan screen's order: what a room checks first (criteria, done, reviewer) on top.
SHOWN_ORDER = (
    # The short parts first, so who reviews and where the contractor writes are seen
    # without scrolling at 120x36 (a facilitator checks them in front of the room).
    "reviewer",
    "channel",
    "cadence",
    "deliverable",
    "acceptance_criteria",
    "definition_of_done",
    "timeline",
    "out_of_scope",
    "context",
    "contract",
    "access",
)
#: Characters of one part shown on the screen before "…" (the editor shows all).
SHOWN_CHARACTERS = 140
#: Long parts cut to a few lines on the screen (the editor and the export show all).
LONG_FIELDS = frozenset({"context", "contract", "access", "out_of_scope"})


def bar(count: int, total: int, width: int = 30) -> str:
    """A proportional bar of block characters."""
    filled = 0 if total <= 0 else round(width * count / total)
    return "█" * filled + "·" * (width - filled)


#: Characters of a title in the handoff table's "project" column.
PROJECT_WIDTH = 26


def short_days(days: int) -> str:
    """Days as a chart label: "5 d", "3 wk", "4 mo"."""
    if days < 14:
        return f"{days} d"
    if days < 60:
        return f"{round(days / 7)} wk"
    return f"{round(days / 30)} mo"


def roadmap_chart(roadmap: Roadmap, palette: Mapping[str, str], width: int = 20) -> Text:
    """The roadmap impact as bars: when work starts per group, under both strategies.

    Each row's bar is the wait (·) up to the start (▶), on one scale from today to the
    end of the search; a colour always comes with a word or a symbol beside it.
    """
    figures = roadmap.assumptions
    scale = max(figures.search_days, figures.contractor_start_days, 1)
    text = Text()
    text.append("Roadmap impact: when work starts\n", style="bold")
    text.append(
        f"search {figures.search_months:g} months · contractor in "
        f"{figures.contractor_start_days} days\n",
        style="dim",
    )
    groups = (
        ("Hiring", roadmap.of(Category.HIRING), "hiring"),
        ("Ready projects", roadmap.of(Category.PROJECT, ready=True), "ready"),
        ("Other projects", roadmap.of(Category.PROJECT, ready=False), "needs-work"),
    )
    for name, starts, colour in groups:
        if not starts:
            continue
        text.append(f"{name} ({len(starts)})\n", style="bold")
        for label, day in (
            ("hire all", max(start.hire_all for start in starts)),
            ("contract", max(start.contract for start in starts)),
        ):
            filled = max(0, min(width - 1, round((width - 1) * day / scale)))
            text.append(f"  {label:<9}")
            text.append("·" * filled, style="dim")
            text.append("▶", style=f"bold {palette.get(colour, '')}")
            text.append(" " * (width - 1 - filled))
            waits = colour == "needs-work" and label == "contract"
            text.append(f" {short_days(day)}{' +gaps' if waits else ''}\n")
    if not roadmap.starts:
        text.append("No hiring or project item yet: the chart follows the decisions.\n")
    text.append("a: change the assumptions", style="dim")
    return text


class PlanScreen(PhaseScreen):
    """What the hour produced, before it is exported."""

    PHASE = "plan"

    BINDINGS = [
        Binding("f", "cycle_first", "First engagement", id="triage.first-engagement"),
        Binding("e", "edit", "Edit handoff", id="triage.edit-handoff"),
        Binding("a", "assumptions", "Assumptions", id="triage.assumptions"),
        # Not in the Footer (full at 120 columns): the first engagement's hint line and
        # the handoff panel's Team row name it, and ? help lists it.
        Binding("t", "team", "Team", id="triage.team", show=False),
        Binding("R", "room_toggle", "Room", id="triage.room"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Horizontal(id="plan-top"):
            with Vertical(id="plan-left"):
                yield Static(id="board", classes="panel")
                yield Static(id="spread", classes="panel")
            yield Static(id="roadmap", classes="panel")
        yield Static(id="first", classes="panel")
        with Horizontal(id="plan-bottom"):
            yield DataTable(id="handoffs", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="handoff-detail-scroll"):
                yield Static(id="handoff-detail", classes="panel")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one(DataTable)
        table.add_columns("id", "project", "score", "handoff")

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        table = self.query_one(DataTable)
        table.focus()
        if self.has_class("-narrow"):
            # 80x24 cannot show the board and the handoffs at once: the screen scrolls
            # to the handoffs the keys act on (the board is above; the mouse wheel and
            # F5 from the top show it).
            self._to_handoffs = True
            self.call_after_refresh(self._scroll_to_handoffs)

    _to_handoffs = False
    """Scroll to the end again when the layout grows, until the table is laid out."""

    def watch_virtual_size(self) -> None:
        # The table takes its rows' height a layout after the switch to this screen (the
        # old Footer's rebuild used to delay the scroll past it): follow the end till then.
        self._scroll_to_handoffs()

    def _scroll_to_handoffs(self) -> None:
        if not self._to_handoffs:
            return
        self.scroll_end(animate=False)
        table = self.query_one(DataTable)
        if table.size.height >= min(8, table.row_count + int(table.show_header)):
            self._to_handoffs = False

    def handoff_items(self) -> list[Item]:
        """The handoff table's rows (`Workshop.handoff_items`)."""
        workshop = self.workshop
        return [] if workshop is None else workshop.handoff_items()

    def refresh_view(self) -> None:
        super().refresh_view()
        workshop = self.workshop
        if workshop is None:
            return
        from triage_tui.core.handoff import handoff_status
        from triage_tui.core.sanitize import clip

        self._draw_board(workshop)
        self._draw_roadmap(workshop)
        self._draw_first(workshop)
        table = self.query_one(DataTable)
        items = self.handoff_items()
        keep = table.cursor_row
        table.clear()
        # The handoff column gets what the table's width leaves (each column pads 1+1),
        # less two for a scroll bar that may come once the rows are in.
        width = (table.scrollable_content_region.width or self._table_width()) - 2
        id_width = max((len(item.id) for item in items), default=2)
        status_width = max(12, width - id_width - PROJECT_WIDTH - len("score") - 8)
        for item in items:
            assessment = workshop.assessment(item)
            status = handoff_status(assessment)
            if workshop.waits_on(item):
                status += " ⚠ waits"  # on parked, hiring or not-ready work (the detail says)
            table.add_row(
                Text(item.id),  # Text, not str: a DataTable reads a str as markup
                Text(clip(item.title, PROJECT_WIDTH)),
                str(assessment.score),
                Text(clip(status, status_width)),
                key=item.id,
            )
        if items:
            table.move_cursor(row=min(keep, len(items) - 1))
        self._show_detail()

    def _table_width(self) -> int:
        """The handoff table's width before its first layout (see app.tcss)."""
        return self.app.size.width - 2 if self.has_class("-narrow") else 74

    def _draw_board(self, workshop: Workshop) -> None:
        session = workshop.session
        items = workshop.plan_items  # after --from: the carried items too
        counts = session.counts(items)
        total = len(items)
        palette = self.app.get_css_variables()
        board = Text()
        hour = len(workshop.in_scope)
        this_hour = f", {hour} new or changed this hour" if hour != total else ""
        board.append(f"The board: {total} items in scope{this_hour}\n", style="bold")
        for category, word in (
            (Category.HIRING, "HIRE hiring"),
            (Category.PROJECT, "PROJ project"),
            (Category.PARKED, "PARK parked"),
            (Category.UNDECIDED, " ··  undecided"),
        ):
            board.append(f" {word:<15}{counts[category]:>5} ")
            board.append(
                bar(counts[category], total, 20),
                style=f"bold {palette.get(category.value, '')}",
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
                bar(levels[level], projects, 20),
                style=f"bold {palette.get(level.replace('_', '-'), '')}",
            )
            spread.append("\n")
        self.query_one("#spread", Static).update(spread)

    def _draw_roadmap(self, workshop: Workshop) -> None:
        from triage_tui.core.roadmap import roadmap

        plan = roadmap(workshop.session, workshop.plan_items, workshop.assessment)
        chart = roadmap_chart(plan, self.app.get_css_variables())
        self.query_one("#roadmap", Static).update(chart)

    def _draw_first(self, workshop: Workshop) -> None:
        session = workshop.session
        first = workshop.first_engagement()
        first_text = Text()
        first_text.append("Recommended first engagement  ", style="bold")
        if first is None:
            first_text.append(
                "none yet: no project item is ready. Close the gaps of the closest one first."
            )
        else:
            chosen = session.backlog.by_id().get(first.id)
            first_text.append(f"{first.id}  {chosen.title if chosen else ''}", style="bold reverse")
            if first.before:
                first_text.append(f"  before {first.before}", style="bold")
            first_text.append(f"\n{first.why}")
            first_text.append(
                "\nf: choose another ready item · t: the team section every handoff uses",
                style="dim",
            )
        self.query_one("#first", Static).update(first_text)

    def _current(self) -> Item | None:
        table = self.query_one(DataTable)
        items = self.handoff_items()
        if not items or not 0 <= table.cursor_row < len(items):
            return None
        return items[table.cursor_row]

    def _show_detail(self) -> None:
        from triage_tui.core.handoff import ASKS, field_text, handoff_fields, handoff_status
        from triage_tui.core.spec import dialect
        from triage_tui.formats.markup import part_markdown

        workshop = self.workshop
        item = self._current()
        detail = self.query_one("#handoff-detail", Static)
        if workshop is None or item is None:
            detail.update(
                Text(
                    "No project item is ready to hand off yet. Readiness (f4) shows the "
                    "gaps to close.",
                    style="dim",
                )
            )
            return
        fields = handoff_fields(item, workshop.session.decisions[item.id])
        markup = dialect(item.description, item.markup)
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        status = handoff_status(workshop.assessment(item))
        grid.add_row("Handoff", Text(status, style="bold"))
        waits = workshop.waits_on(item)
        if waits:
            grid.add_row("⚠ Waits on", Text(waits, style="bold"))
        for name in SHOWN_ORDER:
            value = fields.get(name, "")
            if isinstance(value, list):
                shown = "\n".join(f"☐ {part_markdown(part, markup=markup)}" for part in value)
            else:
                shown = part_markdown(field_text(value), markup=markup)
            lines = shown.splitlines()
            if name in LONG_FIELDS and len(lines) > 4:
                shown = "\n".join([*lines[:4], "… (e shows all)"])
            elif not isinstance(value, list) and len(shown) > SHOWN_CHARACTERS:
                shown = shown[: SHOWN_CHARACTERS - 1].rstrip() + "… (e shows all)"
            if not shown.strip() and name in ASKS:
                grid.add_row(FIELD_TITLES[name], Text(f"✗ {ASKS[name]} (e)", style="bold"))
            else:
                grid.add_row(FIELD_TITLES[name], Text(shown))
        # Last: the team section every handoff uses (asked once, t edits it).
        team = workshop.session.team_info
        grid.add_row(
            "Team",
            Text(" · ".join(team[key] for key in team) if team else "not set yet (t)"),
        )
        detail.update(grid)

    @on(DataTable.RowHighlighted)
    def _row(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def action_cycle_first(self) -> None:
        workshop = self.workshop
        if workshop is None or workshop.next_first_engagement() is None:
            self.notify("No ready project item to choose.", severity="warning")
        # else drawn from the step (session_changed)

    def action_edit(self) -> None:
        workshop = self.workshop
        item = self._current()
        if workshop is None or item is None:
            self.notify("Pick a project item whose readiness is met first.", severity="warning")
            return
        from triage_tui.core.handoff import handoff_fields

        fields = handoff_fields(item, workshop.session.decisions[item.id])

        def save(result: dict[str, str | list[str]] | None) -> None:
            if result is not None:
                workshop.set_handoff(item, result)  # drawn from the step

        self.app.push_screen(HandoffEditor(item, fields), save)

    def action_team(self) -> None:
        """The team section every handoff uses: edited once, saved through the session."""
        workshop = self.workshop
        if workshop is None:
            return
        from triage_tui.tui.screens.team import TeamEditor

        def save(result: dict[str, str] | None) -> None:
            if result is not None:
                workshop.set_team_info(result)
                self.refresh_view()

        self.app.push_screen(TeamEditor(workshop.session.team_info), save)

    def action_assumptions(self) -> None:
        workshop = self.workshop
        if workshop is None:
            return
        from triage_tui.core.roadmap import Assumptions

        session = workshop.session
        figures = Assumptions.of(session)

        def save(result: tuple[float, int] | None) -> None:
            if result is not None:
                workshop.set_assumptions(*result)  # drawn from the step

        self.app.push_screen(AssumptionsEditor(figures), save)


#: Fields of one line: edited in an Input.
ONE_LINE_FIELDS = frozenset({"timeline", "reviewer", "channel", "cadence"})
#: Fields of several lines: edited in a TextArea (list fields one entry a line).
MULTILINE_FIELDS = frozenset(HANDOFF_FIELDS) - ONE_LINE_FIELDS


class HandoffEditor(ModalScreen[dict[str, str | list[str]] | None]):
    """Edit one project item's handoff (f10 saves, escape cancels).

    A part the handoff needs (acceptance criteria, definition of done, a named
    reviewer) that is still empty says so on its label, and the first of them has the
    focus when the editor opens.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("f10", "save", "Save", priority=True),
    ]

    def __init__(self, item: Item, fields: dict[str, str | list[str]]) -> None:
        super().__init__()
        self.item = item
        self.fields = fields
        #: Each field as the editor shows it: Markdown, as the panel beside it (a Jira
        #: export's `{{code}}` and `#` lists converted); a field left as shown is no edit.
        self.shown = {name: shown_markdown(item, fields.get(name, "")) for name in HANDOFF_FIELDS}

    def compose(self) -> ComposeResult:
        from triage_tui.core.handoff import ASKS, field_text

        with VerticalScroll(id="editor", classes="panel"):
            yield Label(Text(f"Handoff: {self.item.id} {self.item.title}"), classes="panel-title")
            for name in HANDOFF_FIELDS:
                value = field_text(self.shown[name])
                title = FIELD_TITLES[name]
                if name in HANDOFF_LIST_FIELDS:
                    title += " (one a line)"
                if not value.strip() and name in ASKS:
                    yield Label(f"{title} ✗ {ASKS[name]}", classes="ask")
                else:
                    yield Label(title)
                if name in MULTILINE_FIELDS:
                    yield TextArea(
                        value, id=f"field-{name}", soft_wrap=True, show_line_numbers=False
                    )
                else:
                    yield Input(
                        value,
                        id=f"field-{name}",
                        compact=True,
                        placeholder=ASKS.get(name, ""),
                        select_on_focus=False,  # tab in, type: added to, never replaced
                    )
            yield Label("tab moves between fields · f10 saves · escape cancels", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        from triage_tui.core.handoff import READY_NEEDS, field_text

        for name, _ in READY_NEEDS:
            if not field_text(self.fields.get(name, "")).strip():
                self.query_one(f"#field-{name}").focus()
                return

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Tab into a filled text box: typing goes after its text, as in the one-line
        # fields, not before its first word.
        widget = event.widget
        if isinstance(widget, TextArea) and widget.cursor_location == (0, 0):
            widget.move_cursor(widget.document.end)

    def action_cancel(self) -> None:
        """Escape: close, but ask first when a field was edited (never drop them unseen)."""
        if not self.edited():
            self.dismiss(None)
            return

        def answer(drop: bool | None) -> None:
            if drop:
                self.dismiss(None)

        self.app.push_screen(DropEdits(), answer)

    def edited(self) -> dict[str, str | list[str]]:
        """The fields whose text differs from what the editor showed at first."""
        from triage_tui.core.handoff import field_text

        values = {name: self._value(name) for name in HANDOFF_FIELDS}
        return {
            name: value
            for name, value in values.items()
            if field_text(value).strip() != field_text(self._normal(name)).strip()
        }

    def _normal(self, name: str) -> str | list[str]:
        """What `_value` reads from the field as first shown."""
        from triage_tui.core.handoff import field_text, list_entries

        text = field_text(self.shown[name])
        return list_entries(text) if name in HANDOFF_LIST_FIELDS else text.strip()

    def _value(self, name: str) -> str | list[str]:
        widget = self.query_one(f"#field-{name}")
        text = widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]
        if name in HANDOFF_LIST_FIELDS:
            from triage_tui.core.handoff import list_entries

            return list_entries(str(text))
        return str(text).strip()

    def action_save(self) -> None:
        self.dismiss(self.edited())  # only what the room changed: the rest stays the spec's

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == f"field-{HANDOFF_FIELDS[-1]}":
            self.action_save()
        else:
            self.focus_next()


def shown_markdown(item: Item, value: str | list[str]) -> str | list[str]:
    """A handoff field as the Plan screen and the editor show it: Markdown in the item's
    dialect (each entry of a list field on its own)."""
    from triage_tui.core.spec import dialect
    from triage_tui.formats.markup import part_markdown

    markup = dialect(item.description, item.markup)
    if isinstance(value, list):
        return [part_markdown(part, markup=markup) for part in value]
    return part_markdown(value, markup=markup)


class DropEdits(ModalScreen[bool]):
    """Escape in the handoff editor with edits: drop them, or keep editing."""

    BINDINGS = [
        Binding("y", "answer(True)", "Drop the edits"),
        Binding("n,escape", "answer(False)", "Keep editing"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="drop-edits", classes="panel"):
            yield Label("Drop the edits to this handoff?", classes="panel-title")
            yield Label(
                "y: drop them · n or escape: keep editing (f10 there saves)", classes="hint"
            )

    def action_answer(self, drop: bool) -> None:
        self.dismiss(drop)


class AssumptionsEditor(ModalScreen[tuple[float, int] | None]):
    """The roadmap's two assumptions: search months, contractor start days."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("f10", "save", "Save", priority=True),
    ]

    def __init__(self, figures: Assumptions) -> None:
        super().__init__()
        self.figures = figures

    def compose(self) -> ComposeResult:
        months, days = self.figures.search_months, self.figures.contractor_start_days
        with Vertical(id="assumptions", classes="panel"):
            yield Label("Roadmap assumptions", classes="panel-title")
            yield Label("Months a senior backend search takes")
            yield Input(f"{months:g}", id="search-months", compact=True, type="number")
            yield Label("Days until a contractor starts on a ready spec")
            yield Input(str(days), id="contractor-days", compact=True, type="integer")
            yield Label("enter or f10 saves · escape cancels", classes="hint")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        from triage_tui.core.roadmap import read_assumptions

        try:  # the limits are the domain's (core.roadmap), checked again by the step
            figures = read_assumptions(
                self.query_one("#search-months", Input).value,
                self.query_one("#contractor-days", Input).value,
            )
        except ValueError as error:
            self.notify(str(error), severity="warning")
            return
        self.dismiss(figures)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.action_save()
