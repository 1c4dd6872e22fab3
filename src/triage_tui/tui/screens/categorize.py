"""Categorize: one item at a time, big; the questions beside it; h / p / s decide."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Input

from triage_tui.core.carry import describe_previous
from triage_tui.core.model import Item
from triage_tui.core.pacing import format_clock
from triage_tui.core.session import Category
from triage_tui.tui.safe_text import CONTROL_PICTURES
from triage_tui.tui.screens.item_screen import ItemScreen, Pace, item_heading, item_meta
from triage_tui.tui.widgets.changed import changed_text
from triage_tui.tui.widgets.clamped import ClampedText
from triage_tui.tui.widgets.description import Description
from triage_tui.tui.widgets.item_list import CATEGORY_TAGS, ItemList
from triage_tui.tui.widgets.pace_bar import PaceBar
from triage_tui.tui.widgets.row_text import RowText

if TYPE_CHECKING:
    from triage_tui.core.workshop import Workshop

#: Seconds the cursor rests on an item before its description and suggestion are drawn.
SETTLE_SECONDS = 0.08
#: Items after the one the cursor rests on whose Jira markup is converted meanwhile (and
#: the one before it).
CONVERT_AHEAD = 3

CATEGORY_WORDS = {
    Category.HIRING: "HIRING: needs long-term ownership",
    Category.PROJECT: "PROJECT: a defined scope and a finish line",
    Category.PARKED: "PARKED: an open question to answer first",
    Category.UNDECIDED: "undecided",
}


#: What the note line says while an item has none.
NOTE_HINT = "n: note (S: park with a question)"
#: The toast once every item in scope is decided: Categorize's news, taken down as the
#: room leaves (it sat over Readiness' first criteria).
ALL_DECIDED = "Every item in scope is decided. ] goes on to readiness."


@functools.lru_cache(maxsize=64)
def questions_text(ticked: frozenset[str]) -> Text:
    """The six signal questions, those in `ticked` checked (one Text a set: the panel
    keeps the rows it rendered for each, so ticking back and forth renders nothing)."""
    from triage_tui.core.categorize import OWNERSHIP_QUESTIONS, SCOPE_QUESTIONS

    questions = Text()
    number = 0
    for heading, group in (
        ("Needs ownership? (hiring)", OWNERSHIP_QUESTIONS),
        ("Has a finish line? (project)", SCOPE_QUESTIONS),
    ):
        questions.append(f"{heading}\n", style="bold")
        for question in group:
            number += 1
            mark = "☑" if question.key in ticked else "☐"
            questions.append(f" {number} {mark} ", style="bold")
            questions.append(f"{question.text}\n")
    questions.rstrip()
    return questions


class CategorizeScreen(ItemScreen):
    """The heart of the hour."""

    PHASE = "categorize"

    BINDINGS = [
        Binding("h", "decide('hiring')", "Hiring", id="triage.decide-hiring"),
        Binding("p", "decide('project')", "Project", id="triage.decide-project"),
        Binding("s", "decide('parked')", "Park", id="triage.decide-park"),
        # S and v: help and the palette list them; the Footer (full at 120 columns) keeps
        # its room for R and, while the room is open, r and ctrl+r.
        Binding("S", "park_ask", "Park + ask", show=False, id="triage.park-ask"),
        Binding("1", "signal(1)", "Signal 1", show=False, id="triage.signal-1"),
        Binding("2", "signal(2)", "Signal 2", show=False, id="triage.signal-2"),
        Binding("3", "signal(3)", "Signal 3", show=False, id="triage.signal-3"),
        Binding("4", "signal(4)", "Signal 4", show=False, id="triage.signal-4"),
        Binding("5", "signal(5)", "Signal 5", show=False, id="triage.signal-5"),
        Binding("6", "signal(6)", "Signal 6", show=False, id="triage.signal-6"),
        Binding("q", "questions", "Questions", id="triage.questions"),
        Binding("n", "note", "Note", id="triage.note"),
        Binding("v", "presenter", "Presenter", show=False, id="triage.presenter"),
        Binding("escape", "leave_note", "Done with the note"),
        Binding("R", "room_toggle", "Room", id="triage.room"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Horizontal(id="cat-body"):
            yield ItemList(self._category_of, self._moved, id="items")
            with Vertical(id="item-pane"):
                yield ClampedText(id="item-title")
                yield ClampedText(id="item-meta")
                yield ClampedText(id="item-suggest")
                yield Description(id="desc")
                yield ClampedText(id="decision")
                yield ClampedText(id="note-shown")
                yield Input(
                    placeholder=NOTE_HINT,
                    id="note",
                    compact=True,
                    select_on_focus=False,  # typing adds to the note, never replaces it
                    highlighter=CONTROL_PICTURES,
                )
            with VerticalScroll(id="side"):
                # Row by row: a signal ticked repaints its own row and the suggestion's
                # changed rows, not the side panel's 33 (bench/room_load.py's key).
                yield RowText(id="suggestion", classes="panel")
                yield RowText(id="questions", classes="panel")
        yield PaceBar()
        yield from self.compose_footer()

    def _category_of(self, item: Item) -> Category:
        workshop = self.workshop
        return Category.UNDECIDED if workshop is None else workshop.category(item)

    def start_index(self, workshop: Workshop) -> int:
        return workshop.next_undecided(-1) or 0

    def listed(self, workshop: Workshop) -> Sequence[Item]:
        return workshop.in_scope

    def pace(self, workshop: Workshop) -> Pace:
        decided, total = workshop.decided_count(), len(workshop.in_scope)
        return Pace(
            decided,
            total,
            f"{decided} of {total} decided",
            workshop.categorize_pace(),
            "over its timebox: decide or park it",
            "all decided: ] goes on to readiness",
        )

    def _show_item(self) -> None:
        workshop = self.workshop
        item = self.current
        if workshop is None or item is None:
            return
        workshop.open_item(item)
        decision = workshop.session.decisions[item.id]
        title = self.query_one("#item-title", ClampedText)
        title.update(item_heading(item))
        if self.has_class("-presenter"):
            title.refresh(layout=True)  # its height follows the title there
        self.query_one("#item-meta", ClampedText).update(item_meta(item))
        category = decision.category
        spent = format_clock(decision.seconds_spent) if decision.seconds_spent else ""
        decision_widget = self.query_one("#decision", ClampedText)
        # --from: a changed item's last quarter, or a decision carried over unchanged.
        previous = describe_previous(workshop.session, item.id) or (
            "carried from last quarter" if decision.carried else ""
        )
        if self._verdict_shown != (category, spent, previous):
            # Most moves go from one undecided, unopened item to the next: the same line.
            self._verdict_shown = (category, spent, previous)
            verdict = Text()
            verdict.append(f" {CATEGORY_TAGS[category]} ", style="bold reverse")
            verdict.append(f" {CATEGORY_WORDS[category]}")
            if spent:
                verdict.append(f"   ({spent} spent)", style="dim")
            if previous:
                verdict.append(f"   {previous}", style="italic")
            decision_widget.update(verdict)
        wanted = f"-{category.value}"
        if not decision_widget.has_class(wanted):  # a class change restyles: only when needed
            decision_widget.remove_class(*(f"-{other.value}" for other in Category))
            decision_widget.add_class(wanted)
        if not self._editing:
            shown = self.query_one("#note-shown", ClampedText)
            question = decision.rationale if category is Category.PARKED else ""
            if question or decision.note:
                line = Text(question)
                if decision.note:  # the note after a parked item's question, told apart
                    line.append("  ·  note: " if question else "")
                    line.append(decision.note)
                shown.update(line)
            else:
                shown.update(Text(NOTE_HINT, style="dim"))
        self._details_when_rested(item)

    _verdict_shown: tuple[Category, str, str] | None = None
    _details_for: Item | None = None  # the item itself: a reopened file may reuse ids
    _details_timer: Timer | None = None

    def _details_when_rested(self, item: Item) -> None:
        """Draw the description and the suggestion once the cursor rests on `item`.

        They cost more than the rest of a move put together, and nobody reads them while
        the cursor runs down the list (a held arrow key repeats every ~33 ms). The first
        item a screen shows is drawn at once.
        """
        if self._details_for is item:
            self._show_side(item)  # same item (a decision, an undo): ticks may have changed
            return
        if self._details_timer is not None:
            self._details_timer.stop()
        if self._details_for is None:
            self._show_details(item)
        else:
            self._details_timer = self.set_timer(SETTLE_SECONDS, lambda: self._show_details(item))

    def _show_details(self, item: Item) -> None:
        self._details_timer = None
        if self.current is not item:
            return
        self._details_for = item
        # The suggestion is drawn with the description, in one repaint (a Jira one when
        # its conversion is ready).
        description = self.query_one(Description)
        description.show(item, then=lambda: self._show_side(item))
        # The items next to it, for when the room moves on (lists and tables of Jira
        # markup take milliseconds to convert: then they are drawn at once).
        item_list = self.query_one(ItemList)
        items, cursor = item_list.items, item_list.cursor
        description.convert_ahead(
            [*items[cursor + 1 : cursor + 1 + CONVERT_AHEAD], *items[max(0, cursor - 1) : cursor]]
        )

    _questions_drawn: frozenset[str] | None = None

    def room_changed(self) -> None:
        """The room's votes moved (tui/vote_room.py): the suggestion follows a reveal."""
        item = self.current
        if item is not None and self._details_for is item:
            self._show_side(item)

    def _show_side(self, item: Item) -> None:
        workshop = self.workshop
        assert workshop is not None
        suggestion = workshop.suggestion(item)
        text = Text()
        text.append("Suggestion: ", style="bold")
        text.append(f"{suggestion.category.value.upper()}", style="bold reverse")
        text.append(f"\n{suggestion.reason}")
        if suggestion.open_question:
            # Drafted for a parked or conflicting item: the question the room writes down.
            text.append("\nOpen question: ", style="bold")
            text.append(suggestion.open_question)
        changed_text(workshop.session, item.id, text)  # --from: what changed since
        short = Text()
        short.append(f"Suggestion: {suggestion.category.value.upper()}", style="bold")
        short.append(f"  {suggestion.reason}")
        from triage_tui.tui.vote_room import room_suggestion_line

        room_line = room_suggestion_line(self.triage, item.id)
        if room_line is not None:  # revealed votes: the room's majority is the suggestion
            text = room_line + Text("\n\n") + text
            short = room_line
        self.query_one("#suggestion", RowText).update(text)
        self.query_one("#item-suggest", ClampedText).update(short)
        ticked = frozenset(workshop.session.decisions[item.id].signals)
        if self._questions_drawn == ticked:
            return  # most items tick nothing: the panel is unchanged, skip the repaint
        self._questions_drawn = ticked
        self.query_one("#questions", RowText).update(questions_text(ticked))

    # -- acting ------------------------------------------------------------------
    def action_decide(self, category: str) -> None:
        workshop = self.workshop
        item = self.current
        if workshop is None or item is None:
            return
        self._store_note()
        workshop.decide(item, Category(category))
        if category == Category.PARKED and not workshop.session.decisions[item.id].rationale:
            # DOMAIN.md: a parked item keeps its open question; nothing is silently dropped.
            self.notify(
                f"{item.id} parked with no open question yet (S parks and asks for one).",
                severity="warning",
                timeout=5,
            )
        self._next_undecided()

    def action_park_ask(self) -> None:
        """`S`: park and write the open question in one step (PRODUCT.md)."""
        workshop = self.workshop
        item = self.current
        if workshop is None or item is None:
            return
        from triage_tui.tui.screens.park_prompt import ParkPrompt

        self._store_note()
        rationale = workshop.session.decisions[item.id].rationale
        drafted = workshop.suggestion(item).open_question
        prompt = ParkPrompt(item.id, item.title, rationale or drafted, drafted=not rationale)

        def parked(question: str | None) -> None:
            if self.current is not item:
                return  # the list changed under the prompt (an undo): nothing to park
            if question is None:  # escape: parked as `s` parks
                self.action_decide(Category.PARKED.value)
                return
            workshop.park(item, question)
            if not question:
                self.notify(f"{item.id} parked with no open question yet.", severity="warning")
            self._next_undecided()

        self.app.clear_notifications()  # nothing covers the prompt (a toast sat on it)
        self.app.push_screen(prompt, parked)

    def on_screen_suspend(self) -> None:
        from triage_tui.tui._textual_internals import drop_toasts

        drop_toasts(self.app, ALL_DECIDED)  # not over the next phase's screen

    def _next_undecided(self) -> None:
        """After a decision: on to the next undecided item (or say all done). The decision
        itself (its row, the pace) is drawn from the session's step (`session_changed`)."""
        workshop = self.workshop
        assert workshop is not None
        item_list = self.query_one(ItemList)
        following = workshop.next_undecided(item_list.cursor)
        if following is None:
            self.notify(ALL_DECIDED, timeout=6)
        else:
            item_list.set_cursor(following, announce=False)
            self._show_item()

    def action_signal(self, number: int) -> None:
        workshop = self.workshop
        item = self.current
        if workshop is None or item is None:
            return
        workshop.toggle_signal(item, number)  # drawn from the step (session_changed)

    def action_note(self) -> None:
        """`n`: edit the room's note on the item, starting from its text (a parked item's
        open question is `S`'s)."""
        workshop = self.workshop
        item = self.current
        note = self.query_one("#note", Input)
        if workshop is not None and item is not None:
            note.value = workshop.session.decisions[item.id].note
        self.add_class("-editing")  # the editor takes the note line's place, visibly
        note.focus()
        note.cursor_position = len(note.value)

    @property
    def _editing(self) -> bool:
        return self.has_class("-editing")

    def action_leave_note(self) -> None:
        self._store_note()
        self._focus_list()

    def action_presenter(self) -> None:
        self.toggle_class("-presenter")
        self._focus_list()
        workshop = self.workshop
        if workshop is not None:
            self._show_item()

    def action_questions(self) -> None:
        """`q` at 80 columns: the six signal questions in place of the list, and back."""
        self.toggle_class("-questions")
        self._focus_list()

    def _focus_list(self) -> None:
        """Focus the list if it is shown; else nothing (the screen's keys still move it)."""
        item_list = self.query_one(ItemList)
        if item_list.display and not self.has_class("-presenter") and not self._questions_up:
            item_list.focus()
        else:
            self.set_focus(None)

    @property
    def _questions_up(self) -> bool:
        return self.has_class("-questions") and self.has_class("-narrow")

    @on(Input.Submitted, "#note")
    def _note_done(self, event: Input.Submitted) -> None:
        self._store_note()
        self._focus_list()

    @on(Input.Blurred, "#note")
    def _note_blurred(self, event: Input.Blurred) -> None:
        self._store_note()

    def _store_note(self) -> None:
        """Keep what the editor says, if it is open, and close it."""
        if not self._editing:
            return  # the editor is closed: its text is not the room's
        self.remove_class("-editing")
        workshop = self.workshop
        item = self.current
        if workshop is None or item is None:
            return
        value = self.query_one("#note", Input).value.strip()
        workshop.session.set_note(item.id, value)  # drawn from the step (session_changed)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The note's editor has the keys while it is focused (asked of the focus, not by
        # a query: the Footer asks for every key, even while the screen is still composing).
        focused = self.focused
        if (
            focused is not None
            and focused.id == "note"
            and action
            in (
                "decide",
                "park_ask",
                "signal",
                "note",
                "presenter",
                "questions",
                "list",
                "room_toggle",
                "room_reveal",
                "room_revote",
            )
        ):
            return False
        if action == "leave_note":
            return self._editing  # shown (and acting) only while the note is being edited
        if action == "questions":
            # Beside the item from 110 columns; below that, this key brings them up.
            return self.has_class("-narrow") and not self.has_class("-presenter")
        return super().check_action(action, parameters)
