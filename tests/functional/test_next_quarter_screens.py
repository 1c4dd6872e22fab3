"""`--from` in the app: a changed item shows what changed and last quarter's draft, on
Categorize and on Readiness, and the room confirms the draft with its usual keys."""

from __future__ import annotations

from pathlib import Path

from tests.functional.conftest import FrozenClock, wait_loaded
from tests.unit.test_next_quarter import _q2_rows, _write_export, plan_q1
from triage_tui.tui.app import LaunchOptions
from triage_tui.tui.launch import create_app
from triage_tui.tui.widgets.clamped import ClampedText
from triage_tui.tui.widgets.item_list import ItemList
from triage_tui.tui.widgets.panel_text import PanelText
from triage_tui.tui.widgets.row_text import RowText


async def test_a_changed_item_shows_what_changed_and_keeps_its_draft(
    tmp_path: Path, clock: FrozenClock
) -> None:
    q1 = plan_q1(tmp_path)
    export = _write_export(tmp_path / "jira_q2.csv", _q2_rows())
    app = create_app(LaunchOptions(file=export, carry_from=q1), now=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot, app)
        await pilot.press("enter")
        await pilot.pause(0.3)
        workshop = app.workshop
        assert workshop is not None
        assert workshop.in_scope[0].id == "CORE-111"  # the changed item comes first
        side = app.screen.query_one("#suggestion", RowText).text.plain
        assert "Changed since last quarter: description (+1 −1 lines)" in side
        assert "~ … answers within [2 → 1] s" in side
        verdict = app.screen.query_one("#decision", ClampedText).text.plain
        assert "last quarter: project" in verdict
        await pilot.press("p")  # project again: last quarter's reviewer is back
        assert workshop.session.decision("CORE-111").handoff["reviewer"] == "Dana"
        await pilot.press("f4")
        await pilot.pause(0.3)
        criteria = app.screen.query_one("#criteria", PanelText).text.plain
        assert "Changed since last quarter" in criteria
        assert "suggested met: “last quarter's mark”" in criteria
        await pilot.press("a")  # the room confirms last quarter's marks
        await pilot.pause()
        item = workshop.session.backlog.by_id()["CORE-111"]
        assert workshop.assessment(item).level == "ready"
        # Widened to every item, a carried decision says where it came from.
        workshop.widen_scope()
        await pilot.press("f3")
        await pilot.pause(0.3)
        app.screen.query_one(ItemList).set_cursor(0)  # CORE-101, carried
        await pilot.pause(0.3)
        verdict = app.screen.query_one("#decision", ClampedText).text.plain
        assert "PROJ" in verdict and "carried from last quarter" in verdict
