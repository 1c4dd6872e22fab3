"""In front of the room (issue 17): presenter keys and note, S, 1-7, one pace figure, layout."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from tests.functional.conftest import FrozenClock, wait_loaded
from triage_tui.core.session import Category, Mark
from triage_tui.tui.app import LaunchOptions, TriageApp
from triage_tui.tui.launch import create_app
from triage_tui.tui.screens.park_prompt import ParkPrompt
from triage_tui.tui.widgets.clamped import ClampedText
from triage_tui.tui.widgets.item_list import ItemList
from triage_tui.tui.widgets.pace_bar import PaceBar
from triage_tui.tui.widgets.panel_text import PanelText
from triage_tui.tui.widgets.phase_bar import PhaseBar
from triage_tui.tui.widgets.row_text import RowText

WIDE = (120, 36)
NARROW = (80, 24)


def current_id(app: TriageApp) -> str:
    item_list = app.screen.query_one(ItemList)
    return item_list.items[item_list.cursor].id


def decision(app: TriageApp, item_id: str):  # type: ignore[no-untyped-def]
    assert app.workshop is not None
    return app.workshop.session.decisions[item_id]


def pace_text(app: TriageApp) -> str:
    return app.screen.query_one(PaceBar).text


async def begin(pilot, app: TriageApp) -> None:  # type: ignore[no-untyped-def]
    await wait_loaded(pilot, app)
    await pilot.press("enter")
    await pilot.pause()
    assert app.current_mode == "categorize"


# -- presenter view ------------------------------------------------------------------


async def test_presenter_view_moves_with_the_arrows_and_j_k(acme: Path, clock: FrozenClock) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot, app)
        await pilot.press("v")
        await pilot.pause()
        assert app.screen.has_class("-presenter")
        assert not app.screen.query_one(ItemList).display
        ids = [item.id for item in app.screen.query_one(ItemList).items]
        assert current_id(app) == ids[0]
        await pilot.press("down")
        assert current_id(app) == ids[1]
        await pilot.press("j", "j")
        assert current_id(app) == ids[3]
        await pilot.press("up")
        assert current_id(app) == ids[2]
        await pilot.press("k")
        assert current_id(app) == ids[1]
        await pilot.press("end")
        assert current_id(app) == ids[-1]
        await pilot.press("home", "pagedown")
        assert current_id(app) != ids[0]
        await pilot.pause()
        # The item shown follows the cursor (the title is what the room reads).
        title = app.screen.query_one("#item-title", ClampedText).text.plain
        assert current_id(app) in title
        # And back out of presenter view: the list has the keys again.
        await pilot.press("v", "home", "down")
        assert not app.screen.has_class("-presenter")
        assert current_id(app) == ids[1]


async def test_presenter_note_is_visible_and_starts_with_the_open_question(
    acme: Path, clock: FrozenClock
) -> None:
    # Issue 17: `n` in presenter view opened an invisible, empty editor, and " Y" + enter
    # replaced a parked item's open question with "Y".
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot, app)
        item_id = current_id(app)
        question = "Which customers still call v1, and what sunset date?"
        assert app.workshop is not None
        app.workshop.session.set_note(item_id, question)
        await pilot.press("v")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        note = app.screen.query_one("#note", Input)
        assert note.has_focus
        assert note.display and note.region.width > 20 and note.region.height >= 1
        assert note.value == question
        await pilot.press(*" Y", "enter")
        await pilot.pause()
        assert decision(app, item_id).note == question + " Y"
        assert not note.has_focus
        # Keys are the room's again: down moves on.
        await pilot.press("down")
        assert current_id(app) != item_id


# -- S: park and ask -----------------------------------------------------------------


async def test_capital_s_parks_with_its_question_and_moves_on(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot, app)
        first = current_id(app)
        clock.advance(9)
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, ParkPrompt)
        await pilot.press(*"Who owns v1?", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, ParkPrompt)
        parked = decision(app, first)
        assert parked.category is Category.PARKED
        assert parked.rationale == "Who owns v1?"
        assert parked.seconds_spent == 9
        assert current_id(app) != first  # moved on to the next undecided item
        # One step: one undo brings the item back undecided, without its question.
        await pilot.press("ctrl+z")
        assert decision(app, first).category is Category.UNDECIDED
        assert decision(app, first).rationale == ""


async def test_the_note_and_a_parked_items_question_are_two_fields(
    acme: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot, app)
        first = current_id(app)
        await pilot.press("n", *"Sales asked twice", "enter")  # a note before deciding
        await pilot.pause()
        await pilot.press("S")
        await pilot.pause()
        await pilot.press(*"Who owns v1?", "enter")
        await pilot.pause()
        parked = decision(app, first)
        assert (parked.category, parked.rationale, parked.note) == (
            Category.PARKED,
            "Who owns v1?",
            "Sales asked twice",  # the park prompt never touches the note
        )
        await pilot.press("up")
        assert current_id(app) == first
        shown = str(app.screen.query_one("#note-shown", ClampedText).render())
        assert "Who owns v1?" in shown and "note: Sales asked twice" in shown
        # `n` on the parked item edits its note, starting from the note, not the question.
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.query_one("#note", Input).value == "Sales asked twice"
        await pilot.press(*"; and support", "enter")
        await pilot.pause()
        assert decision(app, first).rationale == "Who owns v1?"
        assert decision(app, first).note == "Sales asked twice; and support"
        await pilot.press("ctrl+z")  # undo takes back the note's edit only
        assert decision(app, first).note == "Sales asked twice"
        assert decision(app, first).rationale == "Who owns v1?"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    plan = tomllib.loads(acme.with_name("acme.plan.toml").read_text(encoding="utf-8"))
    entry = next(entry for entry in plan["items"] if entry["id"] == first)
    assert (entry["rationale"], entry["note"]) == ("Who owns v1?", "Sales asked twice")


async def test_capital_s_then_escape_parks_without_a_question(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot, app)
        first = current_id(app)
        await pilot.press("S")
        await pilot.pause()
        await pilot.press(*"half typed", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, ParkPrompt)
        assert decision(app, first).category is Category.PARKED
        assert decision(app, first).rationale == ""
        assert current_id(app) != first


async def test_capital_s_prefills_the_question_and_never_wipes_one(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot, app)
        assert app.workshop is not None
        workshop = app.workshop
        item_list = app.screen.query_one(ItemList)
        index = next(i for i, item in enumerate(item_list.items) if item.id == "PLAT-47")
        await pilot.press(*["down"] * index)
        item = item_list.items[index]
        drafted = workshop.suggestion(item).open_question
        assert drafted  # "Make search fast again": the engine drafts what to ask
        await pilot.press("S")
        await pilot.pause()
        field = app.screen.query_one("#park-question", Input)
        assert field.value == drafted
        # The draft starts selected: the room's own words replace it...
        await pilot.press(*"Who owns search?")
        assert field.value == "Who owns search?"
        await pilot.press("escape")  # parked without a question; back to the item
        await pilot.pause()
        await pilot.press("up")
        assert current_id(app) == "PLAT-47"
        await pilot.press("S")
        await pilot.pause()
        field = app.screen.query_one("#park-question", Input)
        assert field.value == drafted
        # ...and `end` keeps the draft to add to it.
        await pilot.press("end", *" Ask support.", "enter")
        await pilot.pause()
        assert decision(app, "PLAT-47").rationale == drafted + " Ask support."
        # An item with a question already: S starts from it, not from the draft.
        await pilot.press("up")
        assert current_id(app) == "PLAT-47"
        await pilot.press("S")
        await pilot.pause()
        assert app.screen.query_one("#park-question", Input).value == drafted + " Ask support."
        await pilot.press("enter")
        await pilot.pause()
        assert decision(app, "PLAT-47").rationale == drafted + " Ask support."


@pytest.mark.parametrize(
    ("key", "category"),
    [("h", Category.HIRING), ("p", Category.PROJECT), ("s", Category.PARKED)],
)
async def test_h_p_s_decide_in_one_key_and_never_open_a_prompt(
    acme: Path, clock: FrozenClock, key: str, category: Category
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot, app)
        first = current_id(app)
        screen = app.screen
        await pilot.press(key)
        await pilot.pause()
        assert app.screen is screen
        assert not screen.query_one("#note", Input).has_focus
        assert decision(app, first).category is category
        assert current_id(app) != first


async def test_n_is_note_on_categorize_and_nothing_else_on_readiness(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot, app)
        await pilot.press("p", "p", "p", "f4")
        await pilot.pause()
        assert app.current_mode == "readiness"
        first = current_id(app)
        await pilot.press("n")
        assert current_id(app) == first  # n no longer means "next item" here
        await pilot.press("down")
        assert current_id(app) != first
        keys = {b.binding.key for b in app.screen.active_bindings.values()}
        assert "n" not in keys and "down" in keys


# -- 1..7 on Readiness -------------------------------------------------------------


async def test_number_keys_cycle_missing_partial_met_from_every_state(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        workshop = app.workshop
        workshop.session.decide("PAY-114", Category.PROJECT)
        item = next(i for i in workshop.in_scope if i.id == "PAY-114")
        suggested = [n for n in range(1, 8) if workshop.suggested_mark(item, n) is Mark.MET]
        assert suggested  # the demo's webhook item has evidence: it must not lead
        await pilot.press("f4")
        await pilot.pause()
        assert current_id(app) == "PAY-114"
        for number in range(1, 8):
            seen = []
            for _ in range(4):
                await pilot.press(str(number))
                seen.append(decision(app, "PAY-114").marks[number])
            # Unanswered counts as missing, whatever is suggested: partial first.
            assert seen == [Mark.PARTIAL, Mark.MET, Mark.MISSING, Mark.PARTIAL], number
        # `a` accepts the suggestions of criteria not yet answered.
        for number in suggested:
            workshop.session.set_mark("PAY-114", number, None)
        await pilot.press("a")
        marks = decision(app, "PAY-114").marks
        assert all(marks[number] is Mark.MET for number in suggested)
        # The Footer and help say the same as the keys do (the Footer short: the criteria
        # panel spells the cycle out, "1-7: missing → partial → met").
        descriptions = [b.binding.description for b in app.screen.active_bindings.values()]
        assert "Cycle mark" in descriptions
        assert (
            "1-7: missing → partial → met"
            in app.screen.query_one("#criteria", PanelText).text.plain
        )
        await pilot.press("question_mark")
        await pilot.pause()
        from textual.widgets import Markdown

        help_text = app.screen.query_one(Markdown).source
        assert "missing → partial → met → missing" in help_text
        assert "counts as missing whatever is suggested" in help_text


# -- one pace figure -----------------------------------------------------------------


async def test_one_pace_figure_at_start_middle_and_end(acme: Path, clock: FrozenClock) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        total = len(app.workshop.in_scope)
        each = round(30 * 60 / total)
        figure = f"{total} items in 30 min: {each} s each"
        start = str(app.screen.query_one("#scope-summary", Static).render())
        assert figure in start
        await pilot.press("enter")
        await pilot.pause()
        assert figure in pace_text(app)  # the same words on Categorize
        # Middle: ten minutes and five decisions later, time left over items left.
        clock.advance(600)
        await pilot.press(*"hpphp")
        await pilot.pause()
        left = total - 5
        assert f"5 of {total} decided" in pace_text(app)
        assert f"{left} items in 20 min: {round(20 * 60 / left)} s each" in pace_text(app)
        # Start says the same figure for the same scope.
        await pilot.press("f2")
        await pilot.pause()
        start = str(app.screen.query_one("#scope-summary", Static).render())
        assert f"{left} items in 20 min" in start and "5 more already decided" in start
        await pilot.press("f3")
        await pilot.pause()
        # End: nothing remains, so no timebox to meet.
        await pilot.press(*"h" * left)
        await pilot.pause()
        text = pace_text(app)
        assert f"{total} of {total} decided" in text and "all decided" in text
        assert "per item" not in text and "this item" not in text
        await pilot.press("f2")
        await pilot.pause()
        start = str(app.screen.query_one("#scope-summary", Static).render())
        assert f"all decided ({total} items)" in start


async def test_labels_that_differ_only_in_case_are_one_on_start(
    tmp_path: Path, clock: FrozenClock
) -> None:
    backlog = tmp_path / "labels.toml"
    backlog.write_text(
        "[[items]]\ntitle = 'One'\nlabels = ['api', 'billing']\n"
        "[[items]]\ntitle = 'Two'\nlabels = ['API']\n"
        "[[items]]\ntitle = 'Three'\nlabels = ['Api', 'Billing']\n",
        encoding="utf-8",
    )
    app = create_app(LaunchOptions(file=backlog), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await wait_loaded(pilot, app)
        facets = str(app.screen.query_one("#facets", Static).render())
        assert "label: api (3), billing (2)" in facets
        assert "API" not in facets and "Billing" not in facets


# -- start: enter begins -------------------------------------------------------------


async def test_enter_begins_from_an_untouched_field_and_saves_an_edited_one(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        app.screen.query_one("#facilitator", Input).focus()
        await pilot.pause()
        await pilot.press(*"Dana", "enter")
        await pilot.pause()
        # Typed text: enter keeps it and leaves the field, the room sees it was taken.
        assert app.workshop.session.facilitator == "Dana"
        assert app.current_mode == "start"
        assert app.screen.focused is None
        # A field focused but not edited (the minutes say 60): enter begins.
        app.screen.query_one("#minutes", Input).focus()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "categorize"


async def test_enter_begins_from_an_empty_field_but_not_one_just_cleared(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await wait_loaded(pilot, app)
        assert app.workshop is not None
        await pilot.press("slash", *"label:api", "enter")  # a filter typed: applied, shown
        await pilot.pause()
        assert app.current_mode == "start" and app.workshop.scope.text == "label:api"
        await pilot.press("slash", *["backspace"] * 9, "enter")  # cleared: shown again
        await pilot.pause()
        assert app.current_mode == "start" and app.workshop.scope.text == ""
        await pilot.press("slash")  # the scope filter, empty and untouched
        await pilot.pause()
        assert isinstance(app.screen.focused, Input)
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "categorize"


# -- layout ----------------------------------------------------------------------------


def row_text(item_list: ItemList, y: int) -> str:
    return item_list.render_line(y).text


async def test_list_titles_get_28_characters_at_120_columns_and_cuts_show(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot, app)
        item_list = app.screen.query_one(ItemList)
        for y, item in enumerate(item_list.items[:20]):
            row = row_text(item_list, y)
            room = row.split(f"{item.id} ", 1)[1]
            assert len(room) >= 29, row  # 28 characters of the title, then … if cut
            shown = room.rstrip()
            if shown.endswith("…"):
                assert item.title.startswith(shown[:-1])
                assert len(shown) >= 28  # 27+ title characters (a space at the cut is dropped), …
            else:
                assert shown == item.title
        assert any(row_text(item_list, y).rstrip().endswith("…") for y in range(20))
        # The facts line: cut with …, never silently.
        meta = app.screen.query_one("#item-meta", ClampedText)
        meta.update(meta.text.copy().append(" · labels: " + "x" * 300))
        await pilot.pause()
        rendered = str(meta.render())
        assert rendered.rstrip().endswith("…")


async def test_at_80_columns_the_questions_are_one_key_away_and_phases_read_whole(
    acme: Path, clock: FrozenClock
) -> None:
    app = create_app(LaunchOptions(file=acme), now=clock)
    async with app.run_test(size=NARROW) as pilot:
        await begin(pilot, app)
        bar = str(app.screen.query_one(PhaseBar).render())
        for name in ("Start", "Categorize", "Readiness", "Plan", "Export"):
            assert name in bar
        side = app.screen.query_one("#side")
        assert side.region.width == 0  # hidden: the item takes the width
        await pilot.press("q")
        await pilot.pause()
        assert side.region.width > 30
        questions = "\n".join(app.screen.query_one("#questions", RowText).text_lines)
        assert "1 ☐" in questions and "6 ☐" in questions
        before = current_id(app)
        await pilot.press("1")
        assert decision(app, before).signals  # ticking works while they are up
        await pilot.press("down")
        assert current_id(app) != before  # and the items still move
        await pilot.press("q")
        await pilot.pause()
        assert side.region.width == 0
        assert app.screen.query_one(ItemList).has_focus
