"""The contractor's handoff document and `triage-tui handoff`."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage_tui.cli import main
from triage_tui.core.model import Backlog, Item
from triage_tui.core.session import Category, Mark, Session
from triage_tui.formats.handoff_doc import (
    handoff_documents,
    handoff_filename,
    inline,
    render_handoff,
    safe_markdown,
)
from triage_tui.formats.plan import write_plan

SMALL = """\
h3. Context
The ledger misses currencies for March entries in {{ledger/entries.py}}.

h3. Acceptance criteria
# Every March entry gets its invoice's currency
# A second run changes nothing

*DoD:* run in production, counts posted.
Reviewer: [~dokafor]
"""

BIG = """\
## Acceptance criteria
- [ ] A replay with the same key returns the first response

## Definition of done
Merged, deployed to staging.

Reviewer: @mchen
"""


def _session() -> Session:
    items = (
        Item("CORE-137", "Backfill ledger currencies", SMALL, estimate=3),
        Item("CORE-103", "Implement idempotency keys <script>x</script>", BIG, estimate=13),
        Item("CORE-150", "Sync Salesforce accounts", "Sales ops copies by hand.", estimate=5),
        Item("CORE-160", "Own the ledger"),
    )
    session = Session(Backlog(items, title="Core backlog"), facilitator="Ana", team="Core")
    for item_id in ("CORE-137", "CORE-103", "CORE-150"):
        session.decide(item_id, Category.PROJECT)
    session.decide("CORE-160", Category.HIRING)
    for item_id in ("CORE-137", "CORE-103"):
        for criterion in range(1, 8):
            session.set_mark(item_id, criterion, Mark.MET)
    return session


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "core.plan.toml"
    write_plan(_session(), path)
    return path


def test_a_ready_items_document_has_every_part_and_no_raw_markup() -> None:
    session = _session()
    item = session.backlog.by_id()["CORE-137"]
    text = render_handoff(session, item)
    assert text.startswith("# Handoff: CORE-137, Backfill ledger currencies\n\n")
    assert "Not ready yet" not in text
    assert "The ledger misses currencies for March entries in `ledger/entries.py`." in text
    assert (
        "## Acceptance criteria\n\n- [ ] Every March entry gets its invoice's currency\n"
        "- [ ] A second run changes nothing\n" in text
    )
    assert "## Definition of done\n\nrun in production, counts posted." in text
    assert "- Reviewer: **@dokafor**" in text
    assert "Ledger currencies, backfilled and working: ships when" in text
    assert "{{" not in text and "h3." not in text and "[~" not in text
    assert "```markdown\n### Context" in text  # the spec as written, converted, fenced


def test_a_not_ready_item_opens_with_its_gaps() -> None:
    session = _session()
    text = render_handoff(session, session.backlog.by_id()["CORE-150"])
    lines = text.splitlines()
    assert lines[2] == "> **Not ready yet.** Close these gaps before handing it off:"
    assert any(line.startswith("> - Write acceptance criteria for") for line in lines)
    assert "None written yet: the gaps above say what is missing." in text


def test_backlog_text_cannot_inject_html_or_markup() -> None:
    assert inline("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert inline("# not a heading") == "\\# not a heading"
    assert inline("a | b *c* [d](e)") == "a \\| b \\*c\\* \\[d\\](e)"
    assert safe_markdown("x <b>\n```\n<api key> ```` \n```") == (
        "x &lt;b&gt;\n`````\n<api key> ```` \n`````"
    )
    session = _session()
    text = render_handoff(session, session.backlog.by_id()["CORE-103"])
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert handoff_filename("../../etc/passwd") == "etc-passwd.md"
    assert handoff_filename("CORE-103") == "CORE-103.md"


def test_the_first_engagement_says_what_it_prepares_for() -> None:
    session = _session()
    (doc,) = handoff_documents(session)
    assert doc.item.id == "CORE-137" and doc.ready
    assert "**The first engagement.**" in doc.text
    assert "Start with CORE-137 (3 points) before CORE-103 (13 points" in doc.text


def test_handoff_default_prints_the_first_engagement(
    plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["handoff", str(plan)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Handoff: CORE-137, Backfill ledger currencies\n")


def test_handoff_one_item_to_a_file_even_when_not_ready(
    plan: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "salesforce.md"
    assert main(["handoff", str(plan), "CORE-150", "-o", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Handoff: CORE-150, Sync Salesforce accounts\n\n> **Not ready yet.**")
    assert "not ready yet" in capsys.readouterr().err


def test_handoff_all_writes_one_file_per_ready_item(
    plan: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "handoffs"
    assert main(["handoff", str(plan), "--all", "-o", str(folder)]) == 0
    assert sorted(path.name for path in folder.iterdir()) == ["CORE-103.md", "CORE-137.md"]
    assert (
        (folder / "CORE-103.md")
        .read_text(encoding="utf-8")
        .startswith("# Handoff: CORE-103, Implement idempotency keys &lt;script&gt;")
    )
    assert len(capsys.readouterr().err.splitlines()) == 2


def test_handoff_usage_and_input_errors(
    plan: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["handoff", str(plan), "--all"]) == 2  # several files need a folder
    assert main(["handoff", str(plan), "CORE-137", "--all", "-o", str(tmp_path)]) == 2
    assert main(["handoff", str(plan), "CORE-137", "CORE-103"]) == 2
    capsys.readouterr()
    assert main(["handoff", str(plan), "NOPE-1", "-o", str(tmp_path / "x.md")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [f"{plan}: no item 'NOPE-1' in this plan"]
    assert not (tmp_path / "x.md").exists()
    assert main(["handoff", str(tmp_path / "missing.plan.toml")]) == 1


def test_ids_that_read_alike_get_handoff_files_of_their_own() -> None:
    from triage_tui.formats.handoff_doc import handoff_filenames

    ids = ("A/B", "A B", "A-B", "core-1", "CORE-1")
    session = Session(Backlog(items=tuple(Item(i, f"Build {i}") for i in ids)))
    names = handoff_filenames(session)
    assert names == {
        "A/B": "A-B.md",
        "A B": "A-B-2.md",
        "A-B": "A-B-3.md",
        "core-1": "core-1.md",
        "CORE-1": "CORE-1-2.md",  # a case-blind disk (macOS, Windows) would overwrite
    }
