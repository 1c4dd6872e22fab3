"""Snapshots of every screen at 120x36 (Categorize, presenter and Readiness at 80x24 too), in each bundled theme.

State is set through the workshop's own methods, not long key sequences, so a snapshot
changes only when what the screen draws changes. Regenerate after a deliberate UI change:
``.venv/bin/python -m pytest tests/snapshots --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import pytest
from tests.functional.conftest import FrozenClock, wait_loaded
from textual.pilot import Pilot

from triage_tui.core.session import Category, Mark
from triage_tui.tui.app import LaunchOptions, TriageApp
from triage_tui.tui.launch import create_app

SIZE = (120, 36)
NARROW = (80, 24)
THEMES = ("projector", "daylight", "colorblind")
DEFAULT_THEME = "textual-dark"

SnapCompare = Callable[..., bool]
RunBefore = Callable[[Pilot[int]], Awaitable[None]]

#: Decisions for a board with something in every column (the rest stay undecided).
DECISIONS = {
    "PAY-101": Category.HIRING,
    "ARCH-12": Category.HIRING,
    "PAY-114": Category.PROJECT,
    "INFRA-31": Category.PROJECT,
    "INT-7": Category.PROJECT,
    "SEC-4": Category.PROJECT,
    "API-88": Category.PROJECT,
    "PLAT-40": Category.HIRING,
    "BILL-23": Category.PARKED,
}
#: Project items made ready (every criterion met) for the plan screen.
READY = ("PAY-114", "INFRA-31", "API-88")


def make_app(path: Path | None) -> TriageApp:
    app: TriageApp = create_app(LaunchOptions(file=path), now=FrozenClock())
    return app


def workshop_of(app: TriageApp):  # type: ignore[no-untyped-def]
    assert app.workshop is not None, app.load_error
    return app.workshop


async def settle(pilot: Pilot[int]) -> None:
    """Let workers and redraws finish; drop toasts whose timeouts would race the screenshot."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    errors = [n.message for n in pilot.app._notifications if n.severity == "error"]
    assert not errors  # an error toast would be cleared unseen: fail instead
    pilot.app.clear_notifications()
    await pilot.pause()


def decide_some(app: TriageApp) -> None:
    session = workshop_of(app).session
    for item_id, category in DECISIONS.items():
        session.decide(item_id, category)


def make_ready(app: TriageApp) -> None:
    session = workshop_of(app).session
    for item_id in READY:
        for criterion in range(1, 8):
            session.set_mark(item_id, criterion, Mark.MET)
    # Ready means a named reviewer too: INFRA-31 is left "ready once: name a reviewer".
    session.set_handoff("PAY-114", "reviewer", "Priya")
    session.set_handoff("API-88", "reviewer", "@mo")


def go(
    *keys: str, setup: Sequence[Callable[[TriageApp], None]] = (), theme: str | None = None
) -> RunBefore:
    """A run_before: wait for the load, set state via the domain, pick a theme, press keys."""

    async def run_before(pilot: Pilot[int]) -> None:
        app = pilot.app
        assert isinstance(app, TriageApp)
        await wait_loaded(pilot, app)
        for step in setup:
            step(app)
        # Named even for the default: TEXTUAL_THEME in the environment must not leak in.
        app.theme = theme or DEFAULT_THEME
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await settle(pilot)

    return run_before


# -- start -------------------------------------------------------------------------


def test_start_loaded(snap_compare: SnapCompare, acme: Path) -> None:
    """Start after loading the demo: source, scope, agenda, names, the begin hint."""
    assert snap_compare(make_app(acme), terminal_size=SIZE, run_before=go())


def test_start_chooser_without_a_file(snap_compare: SnapCompare) -> None:
    """No file given: the chooser offers the demo (by name only) and a path input."""

    async def run_before(pilot: Pilot[int]) -> None:
        pilot.app.theme = DEFAULT_THEME
        await pilot.pause()
        await settle(pilot)

    assert snap_compare(make_app(None), terminal_size=SIZE, run_before=run_before)


def test_start_from_last_quarter(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """--from: how many decisions were carried, how many items are new and changed (the scope)."""
    from tests.unit.test_carry import NEXT_QUARTER, last_quarter

    last_quarter(tmp_path)  # q1.plan.toml, relative to the test's cwd
    shutil.copy(NEXT_QUARTER, tmp_path / "next-quarter.csv")
    options = LaunchOptions(file=Path("next-quarter.csv"), carry_from=Path("q1.plan.toml"))
    app = create_app(options, now=FrozenClock())
    assert snap_compare(app, terminal_size=SIZE, run_before=go())


# -- categorize --------------------------------------------------------------------


def test_categorize_first_item(snap_compare: SnapCompare, acme: Path) -> None:
    """The first item big, the list, the suggestion and the questions, the pace line."""
    assert snap_compare(make_app(acme), terminal_size=SIZE, run_before=go("enter"))


def test_categorize_mid_session(snap_compare: SnapCompare, acme: Path) -> None:
    """After some decisions: tags in the list, progress, and a note on the current item."""

    def note(app: TriageApp) -> None:
        session = workshop_of(app).session
        session.set_note("SEC-4", "Scoped by the SAML spec; IdP list agreed with sales")
        session.set_signals("SEC-4", ["finish_line", "deliverable_kind"])
        session.decide("SEC-4", Category.UNDECIDED)

    run_before = go("f3", setup=(decide_some, note))
    assert snap_compare(make_app(acme), terminal_size=SIZE, run_before=run_before)


def test_categorize_long_description(snap_compare: SnapCompare, long_backlog: Path) -> None:
    """A 5,000-character description and a two-line title: scrolls, nothing overlaps."""
    assert snap_compare(make_app(long_backlog), terminal_size=SIZE, run_before=go("enter"))


@pytest.mark.parametrize("size", [SIZE, NARROW], ids=["120x36", "80x24"])
def test_categorize_presenter(snap_compare: SnapCompare, acme: Path, size: tuple[int, int]) -> None:
    """`v`: the item, the decision, its note and the pace only, for the projector."""

    def parked(app: TriageApp) -> None:
        workshop_of(app).park(workshop_of(app).in_scope[0], "Who owns the pager after March?")

    run_before = go("enter", "v", "up", setup=(parked,))
    assert snap_compare(make_app(acme), terminal_size=size, run_before=run_before)


def test_categorize_questions_narrow(snap_compare: SnapCompare, acme: Path) -> None:
    """80x24, `q`: the six signal questions in the list's place, one ticked."""
    assert snap_compare(make_app(acme), terminal_size=NARROW, run_before=go("enter", "q", "4"))


def test_categorize_park_prompt(snap_compare: SnapCompare, acme: Path) -> None:
    """`S`: the one-line prompt for the open question, over the item."""
    run_before = go("enter", "S", *"Which SLO")
    assert snap_compare(make_app(acme), terminal_size=SIZE, run_before=run_before)


def test_categorize_narrow(snap_compare: SnapCompare, acme: Path) -> None:
    """80x24: the smallest terminal PRODUCT.md promises to work in."""
    assert snap_compare(make_app(acme), terminal_size=NARROW, run_before=go("enter"))


@pytest.mark.parametrize("size", [SIZE, NARROW], ids=["120x36", "80x24"])
def test_categorize_read_only(snap_compare: SnapCompare, acme: Path, size: tuple[int, int]) -> None:
    """Another window holds the session and this one stays read-only: the phase bar says so."""
    from tests.functional.test_two_windows import held_lock

    other = held_lock(acme)
    assert snap_compare(make_app(acme), terminal_size=size, run_before=go("r", "enter"))
    assert other.is_ours()  # read-only never takes the lock


# -- readiness, plan, export -------------------------------------------------------


@pytest.mark.parametrize("size", [SIZE, NARROW], ids=["120x36", "80x24"])
def test_readiness_marks_and_suggestions(
    snap_compare: SnapCompare, acme: Path, size: tuple[int, int]
) -> None:
    """PAY-114 with some marks confirmed and the rest suggested from its description."""

    def marks(app: TriageApp) -> None:
        session = workshop_of(app).session
        session.set_mark("PAY-114", 1, Mark.MET)
        session.set_mark("PAY-114", 2, Mark.PARTIAL)
        session.set_mark("PAY-114", 6, Mark.MISSING)

    run_before = go("f4", setup=(decide_some, marks))
    assert snap_compare(make_app(acme), terminal_size=size, run_before=run_before)


def test_readiness_spec_narrow(snap_compare: SnapCompare, acme: Path) -> None:
    """`v` at 80x24: the item's spec in the criteria's place (the score's why on the way)."""
    run_before = go("f4", "v", setup=(decide_some,))
    assert snap_compare(make_app(acme), terminal_size=NARROW, run_before=run_before)


def test_readiness_full_score_needing_a_reviewer(snap_compare: SnapCompare, acme: Path) -> None:
    """INFRA-31 all met, no reviewer: the score says why it still needs work, and criterion
    6 says nobody is named yet."""
    run_before = go("f4", "down", setup=(decide_some, make_ready))
    assert snap_compare(make_app(acme), terminal_size=SIZE, run_before=run_before)


def test_plan_with_ready_items(snap_compare: SnapCompare, acme: Path) -> None:
    """The board, the readiness spread, the first engagement and the handoff table."""
    run_before = go("f5", setup=(decide_some, make_ready))
    assert snap_compare(make_app(acme), terminal_size=SIZE, run_before=run_before)


def test_plan_narrow(snap_compare: SnapCompare, acme: Path) -> None:
    """Plan at 80x24, the smallest terminal a facilitator shares."""
    run_before = go("f5", setup=(decide_some, make_ready))
    assert snap_compare(make_app(acme), terminal_size=(80, 24), run_before=run_before)


def test_export(snap_compare: SnapCompare, acme: Path) -> None:
    """Three paths beside the backlog, and the status line."""
    run_before = go("f6", setup=(decide_some,))
    assert snap_compare(make_app(acme), terminal_size=SIZE, run_before=run_before)


# -- modal and palette -------------------------------------------------------------


def test_help(snap_compare: SnapCompare, acme: Path) -> None:
    """`?` over Categorize: the keys in force and the phases."""
    run_before = go("enter", "question_mark")
    assert snap_compare(make_app(acme), terminal_size=SIZE, run_before=run_before)


def test_command_palette(snap_compare: SnapCompare, acme: Path) -> None:
    """ctrl+p over Categorize, nothing typed yet: the commands on offer."""
    run_before = go("enter", "ctrl+p")
    assert snap_compare(make_app(acme), terminal_size=SIZE, run_before=run_before)


def test_command_palette_search(snap_compare: SnapCompare, acme: Path) -> None:
    """ctrl+p, then typing: jump-to-item entries matched by title."""
    run_before = go("enter", "ctrl+p", *"stripe")
    assert snap_compare(make_app(acme), terminal_size=SIZE, run_before=run_before)


def test_handoff_editor(snap_compare: SnapCompare, acme: Path) -> None:
    """`e` on Plan: the six handoff brief fields of the highlighted ready item."""
    run_before = go("f5", "e", setup=(decide_some, make_ready))
    assert snap_compare(make_app(acme), terminal_size=SIZE, run_before=run_before)


def test_handoff_editor_narrow_asks_before_dropping_edits(
    snap_compare: SnapCompare, acme: Path
) -> None:
    """80x24: the whole editor box; a field edited, escape asks before dropping it."""
    run_before = go("f5", "e", "tab", "x", "escape", setup=(decide_some, make_ready))
    assert snap_compare(make_app(acme), terminal_size=NARROW, run_before=run_before)


# -- themes ------------------------------------------------------------------------


@pytest.mark.parametrize("theme", THEMES)
def test_categorize_theme(snap_compare: SnapCompare, acme: Path, theme: str) -> None:
    """Categorize mid-session (every tag colour on screen) in each bundled theme."""
    run_before = go("f3", setup=(decide_some,), theme=theme)
    assert snap_compare(make_app(acme), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("theme", THEMES)
def test_plan_theme(snap_compare: SnapCompare, acme: Path, theme: str) -> None:
    """Plan with ready items in each bundled theme (level and category colours)."""
    run_before = go("f5", setup=(decide_some, make_ready), theme=theme)
    assert snap_compare(make_app(acme), terminal_size=SIZE, run_before=run_before)
