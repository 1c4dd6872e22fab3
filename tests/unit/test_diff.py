"""`triage-tui diff OLD NEW`: what moved between two plans, or since a plan in a fresh export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import SAMPLES
from triage_tui.cli import main
from triage_tui.core.diff import compare
from triage_tui.core.model import Backlog, Item
from triage_tui.core.session import Category, Mark, Session
from triage_tui.formats import loaders
from triage_tui.formats.diff import code, render_markdown
from triage_tui.formats.plan import read_plan, write_plan

EXPORTS = Path(__file__).parent.parent / "fixtures" / "exports"
NEXT_QUARTER = EXPORTS / "jira-next-quarter.csv"  # ACME-198 gone, 220 and 236 edited, 2 new


def quarter_one(tmp_path: Path) -> Path:
    """The Jira sample's plan after a room: a third each, project items half scored."""
    session = Session(loaders.load(SAMPLES / "jira-export.csv"))
    cycle = (Category.HIRING, Category.PROJECT, Category.PARKED)
    for index, item in enumerate(session.backlog.items):
        session.decide(item.id, cycle[index % 3], at="2026-03-02T09:00:00Z")
        if index % 3 == 1:
            for number in range(1, 8):
                session.set_mark(item.id, number, Mark.MET if index % 2 else Mark.PARTIAL)
        if index % 3 == 2:
            question = f"Who owns this, question {index}?"  # the parked item's (S)
            session.change("park", (item.id, "rationale", question))
    path = tmp_path / "q1.plan.toml"
    write_plan(session, path)
    return path


def quarter_one_later(q1: Path, tmp_path: Path) -> Path:
    """The same plan a month on: one hire became a project, a parked question answered,
    a needs-work item scored ready."""
    session = read_plan(q1)
    ids = [item.id for item in session.backlog.items]
    session.decide(ids[0], Category.PROJECT)
    session.set_note(ids[0], "A contractor can run the on-call tooling project.")
    session.decide(ids[2], Category.HIRING)
    session.set_note(ids[2], "Answered: it needs an owner for good.")
    needs_work = next(
        i
        for i in ids
        if session.decisions[i].marks and Mark.PARTIAL in session.decisions[i].marks.values()
    )
    for number in range(1, 8):
        session.set_mark(needs_work, number, Mark.MET)
    # Ready as the plan counts it: criteria, a definition of done and a named reviewer.
    session.set_handoff(needs_work, "acceptance_criteria", ["Answers within 2 s"])
    session.set_handoff(needs_work, "definition_of_done", "Merged and deployed.")
    session.set_handoff(needs_work, "reviewer", "Dana")
    path = tmp_path / "q1-later.plan.toml"
    write_plan(session, path)
    return path


def test_two_plans(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    q1 = quarter_one(tmp_path)
    later = quarter_one_later(q1, tmp_path)
    old, new = read_plan(q1), read_plan(later)
    found = compare(old, new)
    ids = [item.id for item in old.backlog.items]
    assert [(c.id, c.old, c.new) for c in found.decisions] == [
        (ids[0], "hiring", "project"),
        (ids[2], "parked", "hiring"),
    ]
    assert found.decisions[0].rationale == "A contractor can run the on-call tooling project."
    assert [(a.id, a.question, a.now) for a in found.answered] == [
        (ids[2], "Who owns this, question 2?", "hiring")
    ]
    moves = {(m.id, m.old, m.new) for m in found.levels}
    assert (ids[0], "", "not_ready") in moves  # a project now, nothing scored yet
    assert any(
        old_level == "needs_work" and new_level == "ready" for _, old_level, new_level in moves
    )
    assert not found.added and not found.removed and not found.changed
    assert all(h.id != ids[0] for h in found.hiring_open) and ids[2] in {
        h.id for h in found.hiring_open
    }

    assert main(["diff", str(q1), str(later)]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("## Triage plan changes: `q1.plan.toml` → `q1-later.plan.toml`")
    assert "### Decisions changed (2)" in markdown
    assert f"| `{ids[0]}` " in markdown and "| hiring | **project** |" in markdown
    assert "### Readiness moved" in markdown and "| needs work | **ready** |" in markdown
    assert "### Parked questions answered (1)" in markdown
    assert "### Hiring still open" in markdown
    assert "hiring 8 → 8" not in markdown  # an unchanged count is not repeated

    assert main(["diff", str(q1), str(later), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["new_is_plan"] is True
    assert [d["id"] for d in data["decisions"]] == [ids[0], ids[2]]
    assert data["answered"][0]["question"] == "Who owns this, question 2?"


def test_a_fresh_export_against_the_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    q1 = quarter_one(tmp_path)
    assert main(["diff", str(q1), str(NEXT_QUARTER), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["new_is_plan"] is False
    assert [a["id"] for a in data["added"]] == ["ACME-250", "ACME-251"]
    assert [r["id"] for r in data["removed"]] == ["ACME-198"]
    assert [(c["id"], c["fields"]) for c in data["changed"]] == [
        ("ACME-220", ["description"]),
        ("ACME-236", ["title"]),
    ]
    assert data["unchanged"] == 21
    assert data["decisions"] == [] and data["levels"] == [] and data["answered"] == []
    # The old plan's hiring items the export still lists as open.
    assert "ACME-212" in {h["id"] for h in data["hiring_open"]}
    assert main(["diff", str(q1), str(NEXT_QUARTER)]) == 0
    markdown = capsys.readouterr().out
    assert "what is new or changed since the plan" in markdown
    assert "items 24 → 25 (21 unchanged)" in markdown
    assert "- `ACME-236` Per-API-key and per-IP rate limiting: title changed" in markdown
    assert (
        "- `ACME-220` Stripe webhook ingestion service: description (+3 lines) changed" in markdown
    )


def test_backlog_text_cannot_break_the_markdown() -> None:
    hostile = Item("X-`1`", "<script>alert(1)</script> | pipes\nand lines", "d")
    old = Session(Backlog((hostile,)))
    old.decide(hostile.id, Category.PARKED)
    old.set_note(hostile.id, "<img src=x onerror=alert(1)> really?")
    new = Session(Backlog((hostile,)))
    new.decide(hostile.id, Category.PROJECT)
    new.set_note(hostile.id, "a | b\n<b>bold</b>")
    markdown = render_markdown(compare(old, new), "a.plan.toml", "b.plan.toml")
    assert "<script>" not in markdown and "<img" not in markdown and "<b>" not in markdown
    assert "&lt;script&gt;" in markdown
    assert "a \\| b &lt;b&gt;bold&lt;/b&gt;" in markdown  # one line, the pipe escaped
    # The id's backticks cannot close its code span.
    assert code("X-`1`") == "`` X-`1` ``"
    assert "`` X-`1` ``" in markdown


def test_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    q1 = quarter_one(tmp_path)
    assert main(["diff", str(q1)]) == 2  # usage
    assert main(["diff", str(tmp_path / "nope.plan.toml"), str(q1)]) == 1
    assert capsys.readouterr().err.strip().endswith("nope.plan.toml: no such file")
    assert main(["diff", str(SAMPLES / "jira-export.csv"), str(q1)]) == 1
    assert "OLD must be a triage-tui plan" in capsys.readouterr().err
    broken = tmp_path / "broken.plan.toml"
    broken.write_text('schema = "triage-tui/plan/2"\n[[items]]\nid = "A"\ntitle = 3\n')
    assert main(["diff", str(q1), str(broken)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{broken}:") and "title must be a string" in err
    assert len(err.splitlines()) == 1


def test_what_changed_in_words() -> None:
    from triage_tui.core.diff import describe_text_change

    old = Item("A", "Old title", "one\ntwo\nthree")
    assert describe_text_change(old, old) == ""
    assert describe_text_change(old, Item("A", "New title", old.description)) == "title"
    grown = Item("A", "Old title", "one\ntwo\nthree\nfour")
    assert describe_text_change(old, grown) == "description (+1 line)"
    edited = Item("A", "New title", "one\n2\nthree\nfour")
    assert describe_text_change(old, edited) == "title and description (+2 −1 lines)"


def test_an_id_with_a_pipe_keeps_the_diff_tables_columns() -> None:
    from triage_tui.formats.diff import render_markdown

    items = (Item("A|B", "Build thing"),)
    old = Session(Backlog(items=items))
    new = Session(Backlog(items=items))
    new.decide("A|B", Category.PROJECT)
    text = render_markdown(compare(old, new), "old", "new")
    rows = [line for line in text.splitlines() if "A" in line and line.startswith("| ")]
    assert rows
    for row in rows:  # 4 columns: 5 unescaped pipes
        assert len(re.findall(r"(?<!\\)\|", row)) == 5
