"""Readiness: each project item against the seven criteria; 1..7 cycle; score, level and gaps live."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll

from triage_tui.core.model import Item
from triage_tui.core.pacing import clock_deadline, item_pace
from triage_tui.core.session import SESSION, Category, Mark, Step
from triage_tui.tui.screens.item_screen import ItemScreen, Pace, item_heading, item_meta
from triage_tui.tui.widgets.changed import changed_text
from triage_tui.tui.widgets.clamped import ClampedText
from triage_tui.tui.widgets.description import Description
from triage_tui.tui.widgets.item_list import ItemList
from triage_tui.tui.widgets.pace_bar import PaceBar
from triage_tui.tui.widgets.panel_text import PanelText

if TYPE_CHECKING:
    from triage_tui.core.workshop import Workshop

#: A Jira ("h3. ") or Markdown ("### ") heading marker at the start of a quoted snippet.
HEADING_MARK = re.compile(r"^(?:h[1-6]\.\s+|#{1,6}\s+)")
MARK_SYMBOLS = {Mark.MISSING: "✗ missing", Mark.PARTIAL: "◐ partial", Mark.MET: "✓ met"}
#: The criterion a named reviewer answers (the handoff's "name a reviewer").
REVIEW_CRITERION = 6
LEVEL_WORDS = {"ready": "✓ READY", "needs_work": "◐ NEEDS WORK", "not_ready": "✗ NOT READY"}


def evidence_snippet(found: str, item: Item) -> str:
    """A line of the description, quoted as evidence: its markup (the item's dialect)
    read as plain words, no heading marker, code marks or bold, at most 60 characters
    (cut with "…")."""
    from triage_tui.core.readiness import SNIPPET_CHARACTERS, clip
    from triage_tui.core.spec import dialect
    from triage_tui.formats.markup import part_markdown

    line = found.replace("\n", " ").strip()
    line = part_markdown(line, markup=dialect(item.description, item.markup)).strip()
    line = HEADING_MARK.sub("", " ".join(line.split()))
    line = re.sub(r"^(?:\d{1,3}[.)]|[-*+])[ \t]+(?:\[[ xX]\][ \t]+)?", "", line)  # a list marker
    line = re.sub(r"`|\*\*|__", "", line)  # code and bold marks read as noise here
    return clip(line, SNIPPET_CHARACTERS)


#: Items whose panels (criteria, score, gaps) a Readiness screen keeps (`_panels_of`).
CACHED_PANELS = 256


class Panels(NamedTuple):
    """What Readiness' three panels say of one item."""

    criteria: Text
    score: Text
    gaps: Text


def readiness_panels(workshop: Workshop, item: Item) -> Panels:
    """The criteria (marks, suggestions quoted from the description), the score and the
    gaps of `item` as the room has marked it."""
    from triage_tui.core.readiness import CRITERIA, level_reason

    marks = workshop.session.decisions[item.id].marks
    evidence = workshop.evidence(item)
    table = Text()
    table.append(f"{item.id}: can an outsider build it from the spec alone?\n", style="bold")
    table.append("1-7: missing → partial → met · a: accept all\n", style="dim")
    changed_text(workshop.session, item.id, table, draft=True, suffix="\n")  # --from
    for criterion in CRITERIA:
        number = criterion.number
        mark = marks.get(number)
        table.append(f" {number} ", style="bold reverse")
        if mark is None:
            table.append(f" {'? unanswered':<12}", style="dim")
        else:
            table.append(f" {MARK_SYMBOLS[mark]:<12}", style="bold")
        table.append(f" {criterion.name}\n")
        if number == REVIEW_CRITERION and mark is Mark.MET and workshop.reviewer_missing(item):
            # Met, says the room, but the handoff names nobody yet: say so here (asked
            # only then: it reads the whole handoff).
            table.append("      no reviewer yet: e on Plan (F5) names one\n", style="italic")
        found = evidence.get(number)
        if found is not None and mark is None:
            # Quoted as the room reads it: in Markdown (no raw "{{X-Limit}}" or "*DoD:*"
            # of a Jira item), no "h3." or "##" heading marker in front,
            snippet = evidence_snippet(found.found, item)
            table.append(f"      suggested {found.mark.value}: “{snippet}”\n", style="italic")
    assessment = workshop.assessment(item)
    score = Text(no_wrap=True, overflow="ellipsis")  # three lines: the why ends in …
    score.append(f"Score {assessment.score}/100  ", style="bold")
    score.append(
        f" {LEVEL_WORDS.get(str(assessment.level.value), assessment.level.value)} ",
        style="bold reverse",
    )
    filled = assessment.score // 5
    score.append("\n" + "█" * filled + "░" * (20 - filled))
    score.append("\n" + level_reason(assessment), style="italic")  # the why, or nothing
    gaps = Text()
    gaps.append("Gaps to close before handoff\n", style="bold")
    for gap in assessment.gaps:
        gaps.append(f" • {gap}\n")
    if not assessment.gaps:
        gaps.append(" none: ready to hand off\n")
    waits = workshop.waits_on(item)
    if waits:
        gaps.append(f"⚠ {waits}\n", style="bold")
    return Panels(table, score, gaps)


class ProjectList(ItemList):
    """The project items; `down` is Readiness' next item, so the Footer shows it."""

    BINDINGS = [Binding("down", "move(1)", "Next item", key_display="↓")]

    def refresh_row(self, index: int) -> None:
        """Nothing: a project row shows its id, title and PROJ, which no step changes (a
        category step refills the list). Repainting the marked item's row took the
        repaint across the screen, to the list: every widget between was composed again
        on each mark."""


class ReadinessScreen(ItemScreen):
    """Spec readiness of every project item."""

    PHASE = "readiness"

    BINDINGS = [
        # Below 110 columns the criteria take the item's place: v shows its spec instead.
        Binding("v", "spec", "Spec ⇄ criteria", id="triage.readiness-spec"),
        *(
            Binding(
                str(n),
                f"cycle({n})",
                # Short: the criteria panel spells out "1-7: missing → partial → met"
                # (the Footer keeps its room for r, ctrl+r and R while the room is open).
                "Cycle mark" if n == 1 else f"Criterion {n}",
                show=n == 1,
                key_display="1-7" if n == 1 else None,
                id=f"triage.criterion-{n}",
            )
            for n in range(1, 8)
        ),
        # The criteria panel says "a: accept all"; help and the palette list it too.
        Binding("a", "accept", "Accept all", show=False, id="triage.accept-suggestions"),
        Binding("R", "room_toggle", "Room", id="triage.room"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Horizontal(id="ready-body"):
            # The project items are few: listed above the item, the titles get the width.
            with Vertical(id="ready-left"):
                yield ProjectList(self._category_of, self._moved, id="projects")
                with Vertical(id="ready-item"):
                    yield ClampedText(id="ready-title")
                    yield ClampedText(id="ready-meta")
                    yield Description(id="ready-desc")
            with VerticalScroll(id="criteria-pane"):
                # Heights that do not follow the item (the criteria's fits three
                # suggestions, the score's is 3 lines, the gaps take the rest): a mark or
                # a move redraws the changed lines without laying the screen out
                # (widgets/panel_text.py; a Static score repainted its 5 rows a mark).
                yield PanelText(id="criteria", classes="panel")
                yield PanelText(id="score", classes="panel")
                yield PanelText(id="gaps", classes="panel")
        yield PaceBar()
        yield from self.compose_footer()

    def _category_of(self, item: Item) -> Category:
        return Category.PROJECT

    # The project items, kept until a step changes a category or the session (the scope):
    # finding them walks the whole backlog (milliseconds at 10,000 items, tens at
    # 100,000), and a key press asked four times (the list, the count, the pace).
    _projects: list[Item] | None = None
    _projects_of: Workshop | None = None

    def listed(self, workshop: Workshop) -> Sequence[Item]:
        if self._projects is None or self._projects_of is not workshop:
            self._projects, self._projects_of = workshop.project_items(), workshop
        return self._projects

    def _forget_projects(self) -> None:
        self._projects = None

    def session_changed(self, steps: Sequence[Step]) -> None:
        # Only steps that change what a screen shows reach here (tui/follow.py): not the
        # time a move books.
        self._forget_panels()
        if any(op.name == "category" or op.target == SESSION for s in steps for op in s.ops):
            self._forget_projects()
        super().session_changed(steps)

    def on_screen_resume(self) -> None:
        # Steps while away reached the screen in view, not this one. (Textual then runs
        # ItemScreen's and PhaseScreen's own on_screen_resume: no super() here.)
        self._forget_projects()
        self._forget_panels()

    def refresh_view(self) -> None:
        self._forget_projects()  # a load, a take-over, an undo: ask the workshop again
        self._forget_panels()
        super().refresh_view()

    def pace(self, workshop: Workshop) -> Pace:
        # Workshop.fully_scored_count and readiness_pace, over the kept project items.
        projects = self.listed(workshop)
        decisions = workshop.session.decisions
        answered = sum(1 for item in projects if len(decisions[item.id].marks) == 7)
        left = clock_deadline(workshop.session.minutes, "readiness") - workshop.clock.elapsed()
        total = len(projects)
        return Pace(
            answered,
            total,
            f"{answered} of {total} project item{'s' if total != 1 else ''} fully scored",
            item_pace(left, total - answered),
            "over its timebox",
            "all scored: ] goes on to the plan" if total else "no project items to score",
        )

    def _show_item(self) -> None:
        workshop = self.workshop
        item = self.current
        title = self.query_one("#ready-title", ClampedText)
        if workshop is None:
            return
        if item is None:
            title.update(
                Text(
                    "No project items yet: decide some items as project (p) in Categorize (f3).",
                    style="bold",
                )
            )
            self.query_one("#ready-meta", ClampedText).update(Text())
            for widget_id in ("#criteria", "#score", "#gaps"):
                self.query_one(widget_id, PanelText).update(Text())
            self.query_one(Description).show(None)
            return
        workshop.open_item(item)
        title.update(item_heading(item))
        self.query_one("#ready-meta", ClampedText).update(item_meta(item))
        self.query_one(Description).show(item)
        panels = self._panels_of(workshop, item)
        self.query_one("#criteria", PanelText).update(panels.criteria)
        self.query_one("#score", PanelText).update(panels.score)
        self.query_one("#gaps", PanelText).update(panels.gaps)

    # What the three panels say of an item, kept until a step changes what a screen shows
    # (a mark, a decision, an edit, an undo, a load: `session_changed`, `refresh_view`):
    # moving back and forth over the project items finds no evidence, quotes no snippet,
    # scores nothing and asks no handoff again. Any such step forgets them all: an item's
    # gaps also say what it waits on (other items' decisions).
    _panels: OrderedDict[str, tuple[Item, Panels]] | None = None
    _panels_from: Workshop | None = None

    def _panels_of(self, workshop: Workshop, item: Item) -> Panels:
        if self._panels is None or self._panels_from is not workshop:
            self._panels, self._panels_from = OrderedDict(), workshop
        kept = self._panels.get(item.id)
        if kept is not None and kept[0] is item:  # the item itself: a reopened file may reuse ids
            self._panels.move_to_end(item.id)
            return kept[1]
        panels = readiness_panels(workshop, item)
        self._panels[item.id] = (item, panels)
        while len(self._panels) > CACHED_PANELS:
            self._panels.popitem(last=False)
        return panels

    def _forget_panels(self) -> None:
        self._panels = None

    def action_spec(self) -> None:
        """`v` below 110 columns: the item's spec in the criteria's place, and back."""
        self.toggle_class("-spec")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "spec":
            return self.has_class("-narrow")  # from 110 columns the spec is always shown
        return super().check_action(action, parameters)

    def action_cycle(self, number: int) -> None:
        workshop = self.workshop
        item = self.current
        if workshop is None or item is None:
            return
        workshop.cycle(item, number)  # drawn from the step (session_changed)

    def action_accept(self) -> None:
        workshop = self.workshop
        item = self.current
        if workshop is None or item is None:
            return
        if workshop.accept_suggestions(item) is None:  # else drawn from the step
            self.notify("No suggestions left to accept for this item.")
