"""The contractor's handoff document and `triage-tui handoff`."""

from __future__ import annotations

import re
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


# -- the contract where the readiness evidence found it -----------------------------------
LINEAR_CONTEXT_CONTRACT = """\
## Context

Finance closes the month from a spreadsheet. The billing service exposes `GET /invoices.csv?month=` for it; the export reads the same data.

## Acceptance criteria

- [ ] A month's CSV matches the ledger to the cent
- [ ] An empty month gives the header row only

Done when finance closes January from it.
"""

JIRA_CONTEXT_CONTRACT = """\
h2. Context
Finance closes the month from a spreadsheet. The billing service exposes {{GET /invoices.csv?month=}} for it.

h2. Acceptance criteria
# A month's CSV matches the ledger to the cent
# An empty month gives the header row only

*Done when* finance closes January from it.
"""


@pytest.mark.parametrize(
    ("description", "markup"),
    [(LINEAR_CONTEXT_CONTRACT, "markdown"), (JIRA_CONTEXT_CONTRACT, "jira")],
    ids=["linear", "jira"],
)
def test_a_contract_only_in_the_context_is_the_handoffs_contract(
    description: str, markup: str
) -> None:
    from triage_tui.core.readiness import detect_evidence
    from triage_tui.core.spec import find_spec

    item = Item("FIN-7", "Monthly invoice export", description, markup=markup)
    evidence = detect_evidence(item)[3]
    assert evidence.mark is Mark.MET and "GET /invoices.csv?month=" in evidence.found
    spec = find_spec(description, markup)
    assert "GET /invoices.csv?month=" in spec.contract
    assert "spreadsheet" not in spec.contract  # the sentence that states it, not the prose
    assert "spreadsheet" in spec.context  # the context keeps its paragraph
    session = Session(Backlog((item,)))
    session.decide(item.id, Category.PROJECT)
    for number in range(1, 8):
        session.set_mark(item.id, number, Mark.MET)  # the room: "API contracts" met
    text = render_handoff(session, item)
    contract = text.split("## Contract (inputs and outputs)")[1].split("\n## ")[0]
    assert "Not in the spec" not in contract
    assert "`GET /invoices.csv?month=`" in contract  # Jira's {{...}} as Markdown code


def test_no_contract_anywhere_still_says_so() -> None:
    from triage_tui.core.spec import find_spec

    description = "## Context\nFinance closes the month from a spreadsheet.\n"
    assert find_spec(description, "markdown").contract == ""
    item = Item("FIN-8", "Monthly export", description, markup="markdown")
    session = Session(Backlog((item,)))
    session.decide(item.id, Category.PROJECT)
    text = render_handoff(session, item)
    contract = text.split("## Contract (inputs and outputs)")[1].split("\n## ")[0]
    assert "Not in the spec" in contract


# -- a parent's sub-items, a child's parent ----------------------------------------------
def test_a_parent_lists_its_children_and_a_child_names_its_parent_as_plain_text() -> None:
    from triage_tui.core.model import Link

    parent = Item(
        "CORE-100",
        "Invoices [click](javascript:alert(1)) <b>v2</b>",
        "Acceptance criteria:\n- exports work\n\nDone when finance signs off.",
    )
    child = Item(
        "CORE-101",
        "Monthly CSV export",
        "See [runbook](javascript:alert(2)) first.",
        links=(Link("parent", "CORE-100"), Link("relates", "javascript:alert(3)")),
    )
    other = Item("CORE-102", "PDF <script>x</script> export", links=(Link("parent", "CORE-100"),))
    unrelated = Item("CORE-103", "Dunning emails", links=(Link("parent", "CORE-999"),))
    session = Session(Backlog((parent, child, other, unrelated)))
    for item, category in ((parent, Category.PROJECT), (child, Category.PROJECT)):
        session.decide(item.id, category)
    session.decide(other.id, Category.PARKED)
    session.change("ask", (other.id, "rationale", "Which [PDF](javascript:x) library?"))

    text = render_handoff(session, parent)
    said = text.split("## What the tracker already says")[1].split("\n## ")[0]
    lines = [line for line in said.splitlines() if line.startswith("- ")]
    assert any(
        line.startswith("- has the sub-item CORE-101 “Monthly CSV export”, project")
        for line in lines
    ), said
    assert any(
        line.startswith("- has the sub-item CORE-102 “PDF") and "parked: 'Which" in line
        for line in lines
    ), said
    assert "CORE-103" not in said  # its parent is another item
    # The child names its parent, with the parent's title, escaped.
    child_text = render_handoff(session, child)
    said = child_text.split("## What the tracker already says")[1].split("\n## ")[0]
    assert "- part of CORE-100 “Invoices" in said
    # No link target from the backlog is a live link, anywhere in either document.
    for document in (text, child_text):
        # (The spec as written, at the end, is a code block: shown, never rendered.)
        outside_code = re.sub(r"(?ms)^(`{3,}).*?^\1", "", document)
        assert "](javascript:" not in outside_code
        assert "<script" not in document and "<b>" not in document
    # Shown as text: its brackets escaped, so no renderer makes a link of them.
    assert "Invoices \\[click\\]\\(javascript:alert(1))" in text
    assert "part of CORE-100 “Invoices \\[click\\]\\(javascript:" in child_text


def test_sub_items_are_found_once_for_the_whole_backlog() -> None:
    from triage_tui.core.handoff import sub_items
    from triage_tui.core.model import Link

    children = [
        Item(f"C-{n}", f"child {n}", links=(Link("parent", f"P-{n % 3}"),)) for n in range(9)
    ]
    itself = Item("P-0", "parent", links=(Link("parent", "P-0"),))  # not its own child
    items = (*children, itself)
    assert sub_items(items, "P-0") == ("C-0", "C-3", "C-6")
    assert sub_items(items, "P-1") == ("C-1", "C-4", "C-7")
    assert sub_items(items, "C-0") == ()
    other = (Item("X", "x", links=(Link("parent", "P-0"),)),)
    assert sub_items(other, "P-0") == ("X",)  # another backlog: its own index
