"""Start: what was loaded, the scope of the hour, the agenda, the names; enter begins."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from triage_tui.core.pacing import agenda, phase_minutes
from triage_tui.core.sanitize import clean_line, same_length_pictures
from triage_tui.core.scope import Scope, facet_counts
from triage_tui.store.paths import user_path
from triage_tui.tui.screens.base import PhaseScreen
from triage_tui.tui.widgets.field import Field

PHASE_PURPOSE = {
    "setup": "load, scope, names",
    "categorize": "hiring or project, item by item",
    "readiness": "score each project's spec",
    "plan": "first engagement, handoffs",
}


#: The agenda panel's title, drawn as a `.panel-title` Label is (app.tcss).
AGENDA_TITLE = Content.from_markup("[b $accent]Agenda[/]\n")

#: Below this many seconds per item a room cannot really discuss anything.
TOO_FAST_SECONDS = 20


class FieldText(Static, can_focus=True):
    """A Start field drawn as text until the real `Field` replaces it (issue 24).

    A compact `Input` costs the first frame ~3x a `Static` (Textual's per-widget work:
    its styles, component styles, reactives, timer). Start's four fields are drawn by
    these for the first frame, as an unfocused compact `Field` draws (app.tcss gives
    both the same box): the value (its start when too long; control characters as
    pictures), else the placeholder in `$text-disabled` (as a Field wraps it, its first
    line; tests/functional/test_first_paint.py compares the two). Once the first frame
    is drawn, `StartScreen.make_fields` puts each `Field` in its place, in
    the same place in the focus chain. A key that reaches one first (focus, a
    character typed) makes the fields at once and goes on to its `Field`.
    """

    def __init__(self, *, field_id: str, placeholder: str, **options: Any) -> None:
        # `-placeholder` while empty: drawn as Input's input--placeholder (app.tcss).
        super().__init__(classes="field-text -placeholder")
        self.field_id = field_id
        self.placeholder = placeholder
        self.options = options  # the Field's own (type, validity, highlighter)
        self.value = ""

    def make_field(self) -> Field:
        """The `Field` this stands for, with its value."""
        return Field(
            placeholder=self.placeholder, id=self.field_id, value=self.value, **self.options
        )

    def set_value(self, value: str) -> None:
        if value != self.value:
            self.value = value
            self.set_class(not value, "-placeholder", update=self.is_attached)
            self.refresh()

    def render(self) -> Content:
        if not self.value:
            width = self.content_size.width
            if 0 < width < cell_len(self.placeholder):
                # As a Field draws it: wrapped one column wider, its first line.
                text = Text(self.placeholder, end="").wrap(self.app.console, width + 1)[0]
                return Content(text.plain)
            return Content(self.placeholder)
        return Content(same_length_pictures(self.value))

    def on_focus(self) -> None:
        self._start().make_fields()  # (the new Field takes the focus)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character.isprintable()  # as a Field would

    def on_key(self, event: events.Key) -> None:
        if self.check_consume_key(event.key, event.character):
            event.stop()
            field = self._start().make_fields().get(self.field_id)
            if field is not None:
                field.focus()
                field.post_message(events.Key(event.key, event.character))

    def _start(self) -> StartScreen:
        screen = self.screen
        assert isinstance(screen, StartScreen)
        return screen


class StartScreen(PhaseScreen):
    """The first screen: opening a backlog and setting up the hour."""

    PHASE = "start"
    AUTO_FOCUS = ""  # keys act at once; fields are focused by their keys or tab

    BINDINGS = [
        Binding("enter", "begin", "Begin", id="triage.begin"),
        Binding("d", "toggle_closed", "Hide done", id="triage.scope-hide-done"),
        Binding("slash", "focus_filter", "Filter", id="triage.scope-filter", key_display="/"),
        Binding("o", "focus_open", "Open file", id="triage.open"),
        Binding("ctrl+n", "start_fresh", "Start afresh", id="triage.start-fresh", show=False),
        Binding("escape", "blur", "Done typing", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with VerticalScroll(id="start-body"):
            yield Static(id="loaded", classes="panel")
            # The file chooser (#chooser) is made the first time it is shown (see
            # _chooser): a backlog given on the command line is drawn without it.
            with Horizontal(id="setup"):
                with Vertical(id="scope-box", classes="panel"):
                    yield Label("Scope of the hour", classes="panel-title")
                    # (The four fields: text for the first frame, `make_fields`.)
                    yield FieldText(
                        placeholder="filter: words, status:todo, label:api, -type:bug",
                        field_id="scope-text",
                    )
                    yield Static(id="scope-summary")
                    yield Static(id="facets")
                with Vertical(id="agenda-box", classes="panel"):
                    # The panel's title, the agenda and the first field's label: one
                    # widget, drawn as the three were (each widget is Textual work on
                    # the first frame: styling, layout, its own render).
                    yield Static(id="agenda")
                    yield FieldText(placeholder="name (optional)", field_id="facilitator")
                    yield Label("Team")
                    yield FieldText(placeholder="team (optional)", field_id="team")
                    yield Label("Minutes")
                    # (Its value, a number, validates: no class change on the first draw.)
                    yield FieldText(
                        placeholder="60",
                        field_id="minutes",
                        type="integer",
                        highlighter=None,
                        valid=True,
                    )
            yield Static(id="begin-hint")
        yield from self.compose_footer()

    _fields: dict[str, Field] | None = None

    def make_fields_later(self) -> None:
        """Once the first frame is drawn (the app calls it): `make_fields`."""
        self.make_fields()

    def make_fields(self) -> dict[str, Field]:
        """Put the real `Field`s in the place of the `FieldText`s (once); by id. Nothing
        (and {}) while they are not in the app (it closes: a load failed)."""
        if self._fields is None:
            texts = list(self.query(FieldText))
            if not all(text.is_attached for text in texts):
                return {}
            self._fields = {}
            focused = None
            for text in texts:
                field = text.make_field()
                self._fields[text.field_id] = field
                parent = text.parent
                assert isinstance(parent, Widget)
                parent.mount(field, before=text)
                if text.has_focus:
                    focused = field
                text.remove()
            if focused is not None:
                focused.focus()
        return self._fields

    def _set_field(self, field_id: str, value: str) -> None:
        """Show `value` in a field, unless the room is typing in it."""
        if self._fields is None:
            for text in self.query(FieldText):
                if text.field_id == field_id:
                    text.set_value(value)
            return
        widget = self._fields[field_id]
        if not widget.has_focus and widget.value != value:
            widget.value = value

    # -- drawing -----------------------------------------------------------------
    def refresh_view(self) -> None:
        super().refresh_view()
        workshop = self.workshop
        loaded = self.query_one("#loaded", Static)
        chooser = self._made_chooser()
        setup = self.query_one("#setup")
        hint = self.query_one("#begin-hint", Static)
        setup.display = workshop is not None
        if workshop is None:
            loading = bool(self.triage.load_status) and not self.triage.load_error
            if chooser is not None:
                chooser.display = not loading
            loaded.update(self._loading_text())
            if not loading:
                self._fill_choices()
            hint.update("")
            return
        if chooser is not None:
            chooser.display = False
            if self.focused is not None and chooser in self.focused.ancestors_with_self:
                self.set_focus(None)
        backlog = workshop.session.backlog
        text = Text()
        text.append("Loaded ", style="bold")
        text.append(clean_line(str(backlog.source or "(memory)")))  # a file name is text too
        text.append(f"\n{backlog.format}, {len(backlog.items)} items")
        if backlog.columns:
            mapping = ", ".join(f"{name} ← {column}" for name, column in backlog.columns.items())
            text.append(f"\ncolumns: {mapping}", style="dim")
        for warning in backlog.warnings[:5]:
            text.append(f"\n⚠ {warning}", style="bold")
        if len(backlog.warnings) > 5:
            text.append(f"\n⚠ … and {len(backlog.warnings) - 5} more warnings (triage-tui check)")
        if self.triage.resume_info:
            text.append(f"\n↻ {self.triage.resume_info}  (ctrl+n starts afresh)", style="bold")
        if "carried" in workshop.session.carry:  # (core.carry: imported for next quarter only)
            from triage_tui.core.carry import carry_counts

            carried = carry_counts(workshop.session)
            assert carried is not None
            source = clean_line(workshop.session.carried_from)
            text.append(f"\n⇄ {carried.describe(source)}", style="bold")
        text.append(
            f"\nctrl+s writes the plan to {clean_line(str(workshop.plan_path))}", style="dim"
        )
        if self.triage.load_error is not None or self.triage.load_status:
            # `o` on another file: said here, and this hour stays open until it loads.
            text.append("\n")
            text.append_text(self._loading_text())
        loaded.update(text)
        session = workshop.session
        self._set_field("facilitator", session.facilitator)
        self._set_field("team", session.team)
        self._set_field("minutes", str(session.minutes))
        self._set_field("scope-text", workshop.scope.text)
        self._draw_scope(workshop.scope)
        self._draw_agenda()
        hint.update(
            Text(
                "  enter: begin the workshop  ·  d: leave out done/cancelled  ·  /: filter",
                style="bold",
            )
        )

    def _loading_text(self) -> Text:
        error = self.triage.load_error
        if error is not None:
            return Text(clean_line(f"✗ {error}"), style="bold")
        if self.triage.load_status:
            text = Text(clean_line(self.triage.load_status), style="bold")
            waited = self.triage.now() - self.triage.load_started
            if waited >= 2:
                # A 50,000-item plan takes seconds to parse, with no count to report
                # until it is done: the time shows the room it is still working.
                text.append(f"  {int(waited)} s", style="dim")
            return text
        return Text("No backlog loaded yet. Pick one below.", style="bold")

    def tick(self) -> None:
        super().tick()
        if self.workshop is None and self.triage.load_status:
            self.query_one("#loaded", Static).update(self._loading_text())

    def _made_chooser(self) -> Vertical | None:
        """The chooser panel, if it was made."""
        found = self.query("#chooser")
        return found.first(Vertical) if found else None

    def _chooser(self) -> Vertical:
        """The chooser panel (under what was loaded), made the first time it is needed."""
        chooser = self._made_chooser()
        if chooser is None:
            chooser = Vertical(id="chooser", classes="panel")
            self.query_one("#start-body").mount(chooser, after="#loaded")
            chooser.mount(
                Label("Open a backlog", classes="panel-title"),
                OptionList(id="choices"),
                Field(
                    placeholder="path to a backlog (TOML or CSV) or a plan, then enter",
                    id="open-path",
                ),
            )
        return chooser

    def _fill_choices(self) -> None:
        chooser = self._chooser()
        chooser.display = True
        choices = chooser.query_one("#choices", OptionList)
        choices.clear_options()
        from triage_tui.store.autosave import latest_session
        from triage_tui.store.paths import sample_backlog

        latest = latest_session()
        workshop = self.workshop
        current = workshop.session.backlog.source if workshop is not None else None
        if (
            latest is not None
            and latest.backlog is not None
            and Path(latest.backlog).exists()
            and (current is None or Path(latest.backlog).resolve() != current.resolve())
        ):
            choices.add_option(
                Option(
                    Text(f"↻ Resume the last session: {latest.describe()}"),
                    id=f"resume:{latest.backlog}",
                )
            )
        demo = sample_backlog()
        if demo.exists():
            choices.add_option(Option(f"▶ The demo backlog ({demo.name})", id=f"demo:{demo}"))
        choices.add_option(Option("… Open a file (type its path below)", id="open"))
        choices.highlighted = 0
        if not choices.has_focus:
            choices.focus()

    def _draw_scope(self, scope: Scope) -> None:
        workshop = self.workshop
        assert workshop is not None
        # The workshop's own scope: its items and undecided count are kept counted (at
        # 100,000 items, counting them again is tens of ms before the count shows).
        own = scope == workshop.scope
        kept = workshop.in_scope if own else workshop.preview_scope(scope)
        total = len(workshop.session.backlog.items)
        # The figure Categorize shows: the time left over the items left to decide.
        pace = workshop.categorize_pace(None if own else kept)
        summary = Text()
        summary.append(f"[{'x' if scope.hide_closed else ' '}] leave out done and cancelled (d)\n")
        minutes = phase_minutes(workshop.session.minutes, "categorize")
        if kept:
            summary.append(pace.describe("all decided"), style="bold")
        else:
            summary.append(f"no items in {minutes:g} min", style="bold")
        decided = len(kept) - pace.items
        if kept and pace.finished:
            summary.append(f" ({decided} item{'s' if decided != 1 else ''})")
        elif decided:
            summary.append(f" ({decided} more already decided)")
        if not pace.finished and 0 < pace.each < TOO_FAST_SECONDS:
            summary.append("\n⚠ too many for one hour: narrow the scope (d, /)", style="bold")
        if len(kept) < total:
            summary.append(f"\n{total - len(kept)} of {total} items left out ({scope.describe()})")
        self.query_one("#scope-summary", Static).update(summary)
        facets = Text(style="dim")
        for field, title in (("status", "status"), ("type", "type"), ("labels", "label")):
            counts = facet_counts(kept, field)[:6]  # what the scope keeps: `d` changes them
            if counts:
                listed = ", ".join(f"{value} ({count})" for value, count in counts)
                facets.append(f"{title}: {listed}\n")
        self.query_one("#facets", Static).update(facets)

    def _draw_agenda(self) -> None:
        workshop = self.workshop
        assert workshop is not None
        text = Text()
        for phase in agenda(workshop.session.minutes):
            text.append(f"{phase.starts_at:>3.0f}′ ", style="dim")
            text.append(f"{phase.name:<11}", style="bold")
            text.append(f"{phase.minutes:>3.0f} min ", style="bold")
            text.append(f"{PHASE_PURPOSE[phase.name]}\n", style="dim")
        text.append("\nFacilitator")
        # The title as a .panel-title Label draws it: bold, the theme's accent (resolved
        # when drawn, so a theme switch recolours it).
        self.query_one("#agenda", Static).update(AGENDA_TITLE + Content.from_rich_text(text))

    # -- acting ------------------------------------------------------------------
    def action_begin(self) -> None:
        if self.workshop is None and self.triage.load_status:
            # Enter while a big file loads: begin as soon as it is ready (never lose the key).
            self.triage.begin_when_loaded = True
            self.notify("The workshop begins as soon as the backlog is loaded.", timeout=4)
            return
        workshop = self.triage.require_workshop()
        if workshop is None:
            return
        if not workshop.in_scope:
            self.notify("The scope leaves no items: widen the filter first.", severity="warning")
            return
        workshop.clock.start()
        self.triage.action_phase("categorize")

    def action_toggle_closed(self) -> None:
        workshop = self.workshop
        if workshop is None:
            return
        scope = workshop.scope
        workshop.set_scope(replace(scope, hide_closed=not scope.hide_closed))  # drawn from the step

    def action_focus_filter(self) -> None:
        field = self.make_fields().get("scope-text")
        if self.workshop is not None and field is not None:
            field.focus()

    def action_focus_open(self) -> None:
        chooser = self._chooser()
        chooser.display = True
        if self.workshop is not None:
            self._fill_choices()  # the demo, the last session (if not this one), a path
        chooser.query_one("#open-path", Input).focus()

    def action_blur(self) -> None:
        self.set_focus(None)
        if self.workshop is not None:
            self.refresh_view()  # escape out of `o`: the chooser goes, the hour is back

    def action_start_fresh(self) -> None:
        workshop = self.workshop
        if workshop is None or workshop.session.backlog.source is None:
            return
        self.triage.open_file(workshop.session.backlog.source, fresh=True)
        self.notify("Started afresh; the previous autosave was set aside.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "begin":
            return self.workshop is not None or bool(self.triage.load_status)
        if action in ("toggle_closed", "focus_filter", "start_fresh"):
            return self.workshop is not None
        return True

    @on(OptionList.OptionSelected, "#choices")
    def _choice(self, event: OptionList.OptionSelected) -> None:
        kind, _, path = (event.option.id or "").partition(":")
        if kind in ("resume", "demo"):
            self.triage.open_file(Path(path))
        else:
            self.query_one("#open-path", Input).focus()

    @on(Input.Submitted, "#open-path")
    def _open_path(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if value:
            self.triage.open_file(user_path(value))

    _value_at_focus = ""

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, Input):
            self._value_at_focus = event.widget.value

    def _edited(self, widget: Input) -> bool:
        """True when the room changed `widget`'s text since focusing it (cleared it too).

        Enter in such a field saves it and leaves it, so the room sees what it did (the
        count a filter keeps); in an untouched field, empty or not, enter begins the
        workshop, as the hint says (PRODUCT.md: enter begins).
        """
        return widget.value != self._value_at_focus

    @on(Input.Submitted, "#scope-text")
    def _apply_filter(self, event: Input.Submitted) -> None:
        workshop = self.workshop
        if workshop is not None:
            edited = self._edited(event.input)
            workshop.set_scope(replace(workshop.scope, text=event.value.strip()))  # drawn
            self.set_focus(None)  # from the step (session_changed)
            if not edited:
                self.action_begin()

    @on(Input.Blurred, "#scope-text")
    def _filter_left(self, event: Input.Blurred) -> None:
        # Tab (or a click) away keeps what was typed, as enter does: never cleared unseen.
        workshop = self.workshop
        if workshop is not None:  # drawn from the step
            workshop.set_scope(replace(workshop.scope, text=event.value.strip()))

    @on(Input.Changed, "#scope-text")
    def _preview_filter(self, event: Input.Changed) -> None:
        workshop = self.workshop
        if workshop is not None and event.input.has_focus:
            self._draw_scope(replace(workshop.scope, text=event.value.strip()))

    @on(Input.Submitted, "#facilitator, #team, #minutes")
    def _names_done(self, event: Input.Submitted) -> None:
        edited = self._edited(event.input)
        stored = self._store_field(event.input)
        self.set_focus(None)
        if stored and not edited:
            self.action_begin()

    @on(Input.Blurred, "#facilitator, #team, #minutes")
    def _names_blurred(self, event: Input.Blurred) -> None:
        self._store_field(event.input)

    def _store_field(self, widget: Input) -> bool:
        """Keep what a field says; False when it cannot be kept (minutes out of range)."""
        workshop = self.workshop
        if workshop is None or widget.id is None:
            return False
        value = widget.value.strip()
        if widget.id == "minutes":
            if not value:
                return True
            minutes = int(value) if value.isdigit() else 0
            if not 5 <= minutes <= 600:
                self.notify("Minutes: a number from 5 to 600.", severity="warning")
                return False
            workshop.session.set_field("minutes", minutes)  # drawn from the step
        else:
            workshop.session.set_field(widget.id, value)
        return True
