"""The workshop in progress: session + scope + clock + caches, the API the screens call.

Kept free of Textual so the whole hour can be driven (and tested) without a terminal.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage_tui.core.model import Item
from triage_tui.core.pacing import (
    Clock,
    ItemPace,
    ItemTimer,
    clock_deadline,
    item_pace,
    per_item_seconds,
    phase_minutes,
)
from triage_tui.core.sanitize import clean_line, clean_text
from triage_tui.core.scope import Scope, apply_scope
from triage_tui.core.session import PHASES, Category, Mark, Session, Step, now_iso

if TYPE_CHECKING:
    from triage_tui.core.categorize import Suggestion
    from triage_tui.core.handoff import FirstEngagement
    from triage_tui.core.readiness import Assessment, Evidence

__all__ = ["PHASES", "Workshop", "default_plan_path"]

#: What the Readiness screen quotes for a mark suggested from last quarter's plan.
LAST_QUARTER_MARK = "last quarter's mark"

#: Step fields that are not the room's doing: time booked, the screen shown.
_BOOKKEEPING = frozenset({"seconds_spent", "seconds_used", "phase"})


def default_plan_path(backlog_source: Path | None) -> Path:
    """`<backlog stem>.plan.toml` beside the backlog (a plan reopened is written in place)."""
    if backlog_source is None:
        return Path.cwd() / "triage.plan.toml"
    if backlog_source.name.endswith(".plan.toml"):
        return backlog_source
    return backlog_source.with_name(f"{backlog_source.stem}.plan.toml")


class Workshop:
    """One room's hour over one backlog.

    Args:
        session: the decisions (possibly resumed).
        plan_path: where ctrl+s writes the plan.
        now: monotonic time source (tests freeze it).
    """

    def __init__(
        self,
        session: Session,
        *,
        plan_path: Path | None = None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.plan_path = plan_path or default_plan_path(session.backlog.source)
        # The clock as booked (a resumed session or a reopened plan); sessions journaled
        # before the clock was booked fall back to the time spent on items.
        elapsed = session.seconds_used or sum(d.seconds_spent for d in session.decisions.values())
        self.clock = Clock(now, elapsed=elapsed)
        self.timer = ItemTimer(now)
        self._suggestions: dict[str, tuple[tuple[str, ...], Suggestion]] = {}
        self._evidence: dict[str, dict[int, Evidence]] = {}
        self._in_scope: list[Item] = []
        self._plan_items: list[Item] | None = None  # computed when first asked
        self._in_scope_ids: set[str] = set()
        self._undecided = 0
        self._counted = -1  # the session's revision the in-scope list and count are of
        #: The room did something (a decision, an edit, a move to another item or phase)
        #: since the hour was opened or the plan last written. Until it does, no time is
        #: booked: a plan reopened and saved at once is the same file, byte for byte.
        self.acted = False
        self.refresh_scope()
        # Kept current from each step, so pacing costs O(1) per key at any backlog size.
        session.listeners.append(self._on_step)

    # -- scope -------------------------------------------------------------------
    @property
    def scope(self) -> Scope:
        """The current scope filter."""
        return Scope.from_dict(self.session.scope)

    @property
    def in_scope(self) -> list[Item]:
        """Items the workshop covers, in backlog order."""
        if self._counted != self.session.revision:
            self.refresh_scope()
        return self._in_scope

    @property
    def plan_items(self) -> list[Item]:
        """Items the plan holds: the scope's filters, but every item of them when `--from`
        narrowed the hour to the new and changed ones (carried items stay in the plan)."""
        if self._counted != self.session.revision:
            self.refresh_scope()  # steps applied unannounced: the cache is stale too
        if self._plan_items is None:
            scope = self.scope
            if not scope.ids:
                return self._in_scope
            self._plan_items = apply_scope(self.session.backlog.items, scope.for_plan())
        return self._plan_items

    def preview_scope(self, scope: Scope) -> list[Item]:
        """The items `scope` would keep (the start screen shows the count live)."""
        return apply_scope(self.session.backlog.items, scope)

    def set_scope(self, scope: Scope) -> Step | None:
        """Narrow (or widen) the workshop; undoable like any decision."""
        # The filter is typed text: it passes the boundary like a note does.
        return self.session.set_field(
            "scope", replace(scope, text=clean_line(scope.text)).to_dict()
        )

    def widen_scope(self) -> Step | None:
        """Drop a `--from` list of ids from the scope (its filters stay); undoable."""
        return self.set_scope(self.scope.for_plan())

    def refresh_scope(self) -> None:
        """Recompute the in-scope list and its undecided count."""
        self._in_scope = apply_scope(self.session.backlog.items, self.scope)
        self._plan_items = None
        self._in_scope_ids = {item.id for item in self._in_scope}
        # Counted without creating a Decision per item (they are made lazily, on first use).
        self._undecided = self.session.counts(self._in_scope)[Category.UNDECIDED]
        self._counted = self.session.revision

    def _on_step(self, step: Step) -> None:
        if not self.acted and any(op.name not in _BOOKKEEPING for op in step.ops):
            self.acted = True
        if self._counted != self.session.revision - 1:
            # Steps were applied without a word (a take-over catching up, a replay): the
            # kept count is stale, so count again, this step included.
            self.refresh_scope()
            return
        for op in step.ops:
            if op.name == "scope":
                self.refresh_scope()
                return
            if op.name == "category" and op.target in self._in_scope_ids:
                self._undecided += (op.new == Category.UNDECIDED) - (op.old == Category.UNDECIDED)
        self._counted = self.session.revision

    # -- reading -----------------------------------------------------------------
    def category(self, item: Item) -> Category:
        """The room's category for `item`."""
        return self.session.decisions[item.id].category

    def project_items(self, *, plan: bool = False) -> list[Item]:
        """In-scope items decided as project delivery (`plan`: over the plan's items, the
        carried ones of a `--from` hour included)."""
        items = self.plan_items if plan else self.in_scope
        return [item for item in items if self.category(item) is Category.PROJECT]

    def undecided_count(self) -> int:
        """In-scope items not yet decided: the one count the pace line, the toasts and
        the time per item read, current after a take-over, a resume or an undo."""
        if self._counted != self.session.revision:
            self.refresh_scope()
        return self._undecided

    def decided_count(self) -> int:
        """In-scope items decided (parked counts as decided)."""
        undecided = self.undecided_count()  # first: it recounts a stale scope
        return len(self._in_scope) - undecided

    def next_undecided(self, after: int) -> int | None:
        """Index of the next undecided in-scope item after `after`, wrapping; None if all done."""
        items = self.in_scope
        decisions = self.session.decisions
        count = len(items)
        for offset in range(1, count + 1):
            index = (after + offset) % count
            decision = decisions.get(items[index].id)
            if decision is None or decision.category is Category.UNDECIDED:
                return index
        return None

    def suggestion(self, item: Item) -> Suggestion:
        """The suggestion engine's advice for `item`, with the signals the room ticked.

        Computed when first shown and again only when the ticks change, so ticking a
        signal question moves the suggestion live.
        """
        decision = self.session.decisions.get(item.id)
        ticked = tuple(sorted(decision.signals)) if decision is not None else ()
        cached = self._suggestions.get(item.id)
        if cached is None or cached[0] != ticked:
            from triage_tui.core.categorize import suggest

            cached = self._suggestions[item.id] = (ticked, suggest(item, ticked))
        return cached[1]

    def evidence(self, item: Item) -> dict[int, Evidence]:
        """Readiness evidence found in `item`'s description (computed once); for an item
        changed since last quarter (`--from`), last quarter's marks first: a draft the
        room confirms (`a`, or a criterion's key)."""
        cached = self._evidence.get(item.id)
        if cached is None:
            from triage_tui.core.carry import draft_marks
            from triage_tui.core.readiness import Evidence, detect_evidence

            cached = dict(detect_evidence(item))
            for number, mark in draft_marks(self.session, item.id).items():
                cached[number] = Evidence(number, mark, LAST_QUARTER_MARK)
            self._evidence[item.id] = cached
        return cached

    def suggested_mark(self, item: Item, criterion: int) -> Mark | None:
        """The mark the evidence suggests for `criterion`, if any."""
        found = self.evidence(item).get(criterion)
        return None if found is None else found.mark

    def assessment(self, item: Item) -> Assessment:
        """Score, level and gaps from the room's confirmed marks."""
        from triage_tui.core.handoff import assess_item

        return assess_item(item, self.session.decisions[item.id])

    def waits_on(self, item: Item) -> str:
        """For a ready project item that depends on a parked, hiring or not-ready item,
        the sentence saying so (`core.tracker.dependency_warning`); "" otherwise."""
        if not item.links:
            return ""
        from triage_tui.core.tracker import dependency_warning

        return dependency_warning(self.session, item, assess=self.assessment)

    def set_team_info(self, fields: dict[str, str]) -> Step | None:
        """What every handoff says about the team ([meta.team]), as one undoable step."""
        return self.session.set_team_info(fields)

    def ready_items(self) -> list[Item]:
        """The plan's project items whose spec is ready to hand off (after `--from`, the
        carried ones too: the first engagement is chosen among them, as in the plan)."""
        return [
            item for item in self.project_items(plan=True) if self.assessment(item).level == "ready"
        ]

    def handoff_needs(self, item: Item) -> tuple[str, ...]:
        """What `item`'s handoff lacks to be handed off ("name a reviewer"), whatever its marks."""
        from triage_tui.core.handoff import handoff_blockers, handoff_fields

        return handoff_blockers(handoff_fields(item, self.session.decisions[item.id]))

    def reviewer_missing(self, item: Item) -> bool:
        """Whether `item`'s handoff names no reviewer yet (criterion 6 may still be met)."""
        from triage_tui.core.handoff import REVIEWER_NEED

        return REVIEWER_NEED in self.handoff_needs(item)

    def handoff_items(self) -> list[Item]:
        """The plan's project items (after `--from`, the carried ones too) whose handoff
        can be written now: ready, or ready once the handoff names what it lacks
        (acceptance criteria, definition of done, a reviewer): the rows of the Plan
        screen's handoff table."""
        return [
            item
            for item in self.project_items(plan=True)
            if (assessment := self.assessment(item)).level.value == "ready" or assessment.blockers
        ]

    def readiness_spread(self) -> dict[str, int]:
        """How many of the plan's project items are ready / needs_work / not_ready."""
        spread = {"ready": 0, "needs_work": 0, "not_ready": 0}
        for item in self.project_items(plan=True):
            spread[self.assessment(item).level.value] += 1
        return spread

    def fully_scored_count(self) -> int:
        """In-scope project items with all seven criteria answered."""
        decisions = self.session.decisions
        return sum(1 for item in self.project_items() if len(decisions[item.id].marks) == 7)

    def longest_discussions(self, count: int = 3) -> list[tuple[Item, float]]:
        """The in-scope items that took longest (DOMAIN: overruns flag under-specified items)."""
        decisions = self.session.decisions
        timed: list[tuple[Item, float]] = []
        for item in self.in_scope:
            decision = decisions.get(item.id)  # .get: no Decision made for untouched items
            if decision is not None and decision.seconds_spent >= 1:
                timed.append((item, decision.seconds_spent))
        timed.sort(key=lambda pair: -pair[1])
        return timed[:count]

    def discussion_target(self) -> float:
        """Seconds each in-scope item may take in Categorize, by the agenda."""
        return per_item_seconds(
            phase_minutes(self.session.minutes, "categorize"), len(self.in_scope)
        )

    def overran(self, seconds: float) -> bool:
        """A discussion past twice its target: DOMAIN's sign of an under-specified item."""
        return seconds > 2 * self.discussion_target()

    def first_engagement(self) -> FirstEngagement | None:
        """(item id, why, before) of the recommended first engagement, over the plan's items.

        The same call the plan export makes, so the screen and the file agree.
        """
        from triage_tui.core.handoff import recommend_first_engagement

        return recommend_first_engagement(self.session, self.plan_items)

    # -- the clock ---------------------------------------------------------------
    def remaining_seconds(self) -> float:
        """Time left in the whole workshop (negative when over)."""
        return self.session.minutes * 60 - self.clock.elapsed()

    def categorize_pace(self, items: Sequence[Item] | None = None) -> ItemPace:
        """Categorize's time left over its undecided items: the timebox each one gets.

        Args:
            items: the items to count (Start previews a scope being typed); default the
                workshop's scope.
        """
        if items is None:
            undecided = self.undecided_count()
        else:
            undecided = self.session.counts(items)[Category.UNDECIDED]
        deadline = clock_deadline(self.session.minutes, "categorize")
        return item_pace(deadline - self.clock.elapsed(), undecided)

    def readiness_pace(self) -> ItemPace:
        """Readiness' time left over the project items not yet fully scored."""
        decisions = self.session.decisions
        unscored = sum(1 for item in self.project_items() if len(decisions[item.id].marks) < 7)
        deadline = clock_deadline(self.session.minutes, "readiness")
        return item_pace(deadline - self.clock.elapsed(), unscored)

    # -- changing ----------------------------------------------------------------
    def _book(self, item_id: str, spent: float) -> Step | None:
        # Time and the clock are journaled (Session.add_time), never undone.
        if not (item_id and item_id in self.session.decisions):
            item_id = ""
        return self.session.add_time(item_id, round(spent), clock=int(self.clock.elapsed()))

    def open_item(self, item: Item | None) -> None:
        """The screen shows `item` now: book the time the previous one was open.

        The same item shown again (a criterion pressed, a note saved, an undo) keeps its
        timer running: restarting it lost the time under half a second a press and
        reset "this item m:ss", so an item scored key by key never showed as over.
        """
        if item is not None and item.id == self.timer.current:
            return
        if item is not None and self.timer.current:
            self.acted = True  # the room moved from one item to another
        previous, spent = self.timer.switch(item.id if item else "")
        self._book(previous, spent)

    def book_time(self) -> Step | None:
        """Book the time the current item has been open so far, and the clock (before a
        plan is written, on quitting): only once the room did something (`acted`); the
        time runs on meanwhile and is booked with the room's next act."""
        if not self.acted:
            return None
        return self._book(self.timer.current, self.timer.lap())

    def set_phase(self, phase: str) -> Step | None:
        """The room moves to `phase`: the time so far is booked, then the move journaled.

        No item is open after a move until the phase's screen opens one, so time on
        Plan or Export is the clock's, not the last item's.
        """
        if phase != self.session.phase:
            self.acted = True  # the room moved on (a resume going back is not a move)
        self.book_time()
        self.timer.switch("")
        return self.session.set_phase(phase)

    def decide(self, item: Item, category: Category) -> Step | None:
        """Record the room's category for `item`, with the time it took.

        An item changed since last quarter (`--from`) decided project gets last quarter's
        handoff edits back (reviewer, definition of done...) in the same undoable step.
        """
        self.acted = True
        if self.timer.current == item.id:
            self.book_time()
        if category is Category.PROJECT and self.session.carry.get("changed"):
            from triage_tui.core.carry import draft_handoff

            drafted = draft_handoff(self.session, item)
            if drafted:
                return self.session.change(
                    f"{category.value} {item.id}",
                    (item.id, "category", category),
                    (item.id, "decided_at", now_iso()),
                    (item.id, "carried", False),
                    *drafted,
                )
        return self.session.decide(item.id, category)

    def park(self, item: Item, question: str) -> Step | None:
        """Park `item` with its open question (S on Categorize), as one undoable step."""
        self.acted = True
        if self.timer.current == item.id:
            self.book_time()  # journaled on its own: undoing the park keeps the time
        return self.session.change(
            f"parked {item.id}",
            (item.id, "category", Category.PARKED),
            (item.id, "decided_at", now_iso()),
            (item.id, "carried", False),
            # Typed text passes the same boundary as Session.set_note's (core.sanitize).
            (item.id, "rationale", clean_text(question.strip())),
        )

    def cycle(self, item: Item, criterion: int) -> Step | None:
        """Cycle one readiness criterion: missing -> partial -> met -> missing (PRODUCT.md).

        An unanswered criterion counts as missing whatever the evidence suggests, so its
        first press gives partial; `accept_suggestions` is how a suggestion is taken.
        """
        return self.session.cycle_mark(item.id, criterion)

    def toggle_signal(self, item: Item, number: int) -> Step | None:
        """Tick or untick signal question `number` (1-6: ownership first, then scope)."""
        from triage_tui.core.categorize import OWNERSHIP_QUESTIONS, SCOPE_QUESTIONS

        questions = (*OWNERSHIP_QUESTIONS, *SCOPE_QUESTIONS)
        if not 1 <= number <= len(questions):
            return None
        ticked = set(self.session.decisions[item.id].signals) ^ {questions[number - 1].key}
        return self.session.set_signals(item.id, ticked)

    def next_first_engagement(self) -> Step | None:
        """The room picks the next ready item as the first engagement (cycling)."""
        ids = [item.id for item in self.ready_items()]
        if not ids:
            return None
        current = self.first_engagement()
        index = ids.index(current[0]) if current and current[0] in ids else -1
        return self.session.set_field("first_engagement", ids[(index + 1) % len(ids)])

    def set_handoff(self, item: Item, fields: dict[str, str | list[str]]) -> Step | None:
        """The room's edits of `item`'s handoff brief, as one undoable step."""
        from triage_tui.core.handoff import handoff_fields

        shown = handoff_fields(item, self.session.decisions[item.id])
        changed = {name: value for name, value in fields.items() if value != shown.get(name, "")}
        return self.session.set_handoff_fields(item.id, changed)

    def set_assumptions(self, search_months: float, contractor_start_days: int) -> Step | None:
        """The roadmap's two assumptions, as one undoable step.

        Raises:
            ValueError: a figure outside `roadmap.check_assumptions`' limits (the sentence
                the room reads).
        """
        from triage_tui.core.roadmap import check_assumptions

        check_assumptions(search_months, contractor_start_days)
        return self.session.change(
            "assumptions",
            ("", "search_months", search_months),
            ("", "contractor_start_days", contractor_start_days),
        )

    def accept_suggestions(self, item: Item) -> Step | None:
        """Confirm every evidence suggestion not yet answered, as one undoable step."""
        marks = self.session.decisions[item.id].marks
        changes: list[tuple[str, str, Any]] = [
            (item.id, f"mark.{number}", found.mark)
            for number, found in sorted(self.evidence(item).items())
            if number not in marks
        ]
        return self.session.change(f"accept suggestions {item.id}", *changes)

    def undo(self) -> Step | None:
        """Undo the room's last change (a scope change included: the listener recomputes)."""
        return self.session.undo()
