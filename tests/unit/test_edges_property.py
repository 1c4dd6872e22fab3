"""Issue 21, the property: titles, descriptions, ids and file names drawn from control
characters, bidi marks, Markdown and Jira link syntax and formula starts pass every sink
(terminal text, plan, brief, handoffs, diff, CSV): nothing raw, nothing live."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.test_edges import live, rendered_links
from triage_tui.cli import main
from triage_tui.core.diff import compare
from triage_tui.core.errors import InputError
from triage_tui.core.model import Backlog, Item
from triage_tui.core.session import Category, Mark, Session
from triage_tui.formats.brief import render_brief, render_csv_summary
from triage_tui.formats.diff import render_markdown
from triage_tui.formats.handoff_doc import handoff_documents, handoff_filename
from triage_tui.formats.loaders import load
from triage_tui.formats.plan import dumps_plan, loads_plan

PIECES = [
    *"\x00\x07\x08\x1b\x7f\x85\x9b\u202a\u202e\u2066\u2069\u200b\u200e\u200f\u2060\u061c\ufeff",
    "\n",
    "\r",
    "\t",
    " ",
    "\u2028",
    "\x1b]52;c;aGk=\x07",
    "\x1b[2J",
    "# ",
    "## ",
    "> ",
    "- ",
    "* ",
    "+ ",
    "1. ",
    "2) ",
    "~~~",
    "```",
    "===",
    "|",
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
    "&",
    "&#58;",
    "\\",
    "!",
    "*",
    "_",
    "=",
    "+",
    "-",
    "@",
    ";",
    ",",
    "=1+1",
    "+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "\uff1dHYPERLINK(1)",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,x",
    "vbscript:x",
    "[x](javascript:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](java\\script:1)",
    "[x](data:text/html,boom)",
    "[x|javascript:alert(1)]",
    "[x|https://ok.example]",
    "[r]: javascript:alert(1)",
    "[r]",
    "![i](http://t.example/p.png)",
    "<a href='javascript:x'>a</a>",
    "<script>x</script>",
    "<javascript:alert(1)>",
    "h3. ",
    "{code}",
    "https://ok.example/a_(b)",
    "mailto:a@b.example",
    "CON",
    "nul",
    "Com1",
    "a",
    "B",
    "\u00e9",
    "\U0001d400",
    "7",
]
TEXT = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
NAME_PIECES = [p for p in PIECES if "/" not in p and "\x00" not in p]
NAMES = st.lists(st.sampled_from(NAME_PIECES), max_size=8).map(lambda parts: "f" + "".join(parts))

# What a terminal acts on, or what reorders text: never in any output. (Tab and newline
# are kept where a file has lines and cells; each sink is read for what it is.)
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SPEC = (
    "## Acceptance criteria\n- [ ] A replay returns the first response\n\n"
    "## Definition of done\nMerged, deployed to staging.\n\nReviewer: @mchen\n"
)
DEVICES = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(10)}
_counter = itertools.count()


def loaded(items: tuple[Item, ...]) -> Backlog:
    """`items` as a backlog reads them: through a TOML file and the loader (the boundary
    every id, title and description passes in the app)."""
    import tempfile

    document = {
        "title": "B",
        "items": [
            {"id": i.id, "title": i.title, "description": i.description, "estimate": 2}
            for i in items
        ],
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "b.toml"
        path.write_text(tomli_w.dumps(document), encoding="utf-8")
        return load(path)


def ready_session(items: tuple[Item, ...]) -> Session:
    session = Session(loaded(items), facilitator="Ana", team="Core")
    for item in session.backlog.items:
        session.decide(item.id, Category.PROJECT)
        for criterion in range(1, 8):
            session.set_mark(item.id, criterion, Mark.MET)
    return session


def structure(markdown: str) -> tuple[int, int, int, int]:
    """Headings, list items, quotes and fences a renderer finds."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    kinds = ("heading_open", "list_item_open", "blockquote_open", "fence")
    counts = [sum(1 for t in tokens if t.type == kind) for kind in kinds]
    return counts[0], counts[1], counts[2], counts[3]


def no_raw_html(markdown: str) -> bool:
    from markdown_it import MarkdownIt

    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type == "html_block":
            return False
        if any(child.type == "html_inline" for child in token.children or ()):
            return False
    return True


def assert_inert_markdown(markdown: str) -> None:
    assert not RAW.search(markdown.replace("\t", "")), repr(markdown)
    targets, _ = rendered_links(markdown)
    assert not [t for t in targets if live(t)], targets
    assert no_raw_html(markdown)


def assert_inert_csv(text: str) -> None:
    assert not RAW.search(text.replace("\t", ""))
    for separator in (",", ";", "\t"):
        for row in csv.reader(io.StringIO(text), delimiter=separator):
            for cell in row:
                stripped = cell.strip(' "')
                if re.fullmatch(r"[+-]?\d+(\.\d+)?", stripped):
                    continue
                assert not stripped.startswith(
                    ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
                ), (separator, cell)


@settings(max_examples=60, deadline=None)
@given(title=TEXT, item_id=TEXT)
def test_one_line_fields_through_every_markdown_and_csv_sink(title: str, item_id: str) -> None:
    """A title and an id: no live link, no HTML, nothing raw, and not one heading, list
    item, quote or fence more than a plain title and id give."""
    plain = (Item("PLAIN-1", "Plain title", SPEC, estimate=2), Item("OK-2", "Other", SPEC))
    hostile_id = item_id.strip() or "X"
    if hostile_id == "OK-2":
        hostile_id = "X"
    hostile = (Item(hostile_id, title, SPEC, estimate=2), plain[1])
    before = ready_session(plain)
    try:
        after = ready_session(hostile)
    except InputError as error:  # an empty title, an id that reads as another: refused
        assert not RAW.search(str(error))
        return
    hostile_id = after.backlog.items[0].id

    for render in (
        lambda s: render_brief(s),
        lambda s: handoff_documents(s, ids=[s.backlog.items[0].id])[0].text,
    ):
        baseline, text = render(before), render(after)
        assert_inert_markdown(text)
        assert structure(text) == structure(baseline)
    diff = render_markdown(compare(before, after), "a.plan.toml", "b.plan.toml")
    assert_inert_markdown(diff)
    assert structure(diff)[0] == structure(
        render_markdown(compare(before, ready_session(plain)), "a.plan.toml", "b.plan.toml")
    )[0] + (2 if hostile_id != "PLAIN-1" else 0)  # Added and Removed: nothing more
    assert_inert_csv(render_csv_summary(after))
    plan = dumps_plan(after, created="2026-03-02T09:30:00Z")
    assert not RAW.search(plan.replace("\t", ""))
    assert loads_plan(plan).backlog.items[0].id == hostile_id

    name = handoff_filename(hostile_id)
    assert len(name.encode()) <= 255
    assert re.fullmatch(r"[\w.-]+\.md", name)
    assert name.split(".")[0].upper() not in DEVICES


@settings(max_examples=40, deadline=None)
@given(description=TEXT, rationale=TEXT)
def test_multi_line_text_through_every_markdown_and_csv_sink(
    description: str, rationale: str
) -> None:
    spec = f"## Context\n{description}\n\n{SPEC}\n## Out of scope\n{description}\n"
    items = (Item("A-1", "Build it", spec), Item("B-2", "Own it"))
    session = ready_session(items)
    session.decide("B-2", Category.PARKED)
    session.change("why", ("B-2", "rationale", rationale))
    assert_inert_markdown(render_brief(session))
    for doc in handoff_documents(session, ids=["A-1"]):
        assert_inert_markdown(doc.text)
    old = Session(Backlog((Item("A-1", "Build it", "was"), Item("B-2", "Own it"))))
    assert_inert_markdown(render_markdown(compare(old, session), "a", "b"))
    assert_inert_csv(render_csv_summary(session))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=NAMES, title=TEXT, item_id=TEXT)
def test_terminal_text_from_a_file_and_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, title: str, item_id: str
) -> None:
    """`check` (text and JSON) and every error line: nothing a terminal acts on, and no
    invisible or reordering character from a file name."""
    folder = tmp_path / str(next(_counter))
    folder.mkdir()
    path = folder / (name[:60] + ".toml")
    document = {"title": title, "items": [{"id": item_id, "title": title}, {"title": "ok"}]}
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    shown_name = re.compile("[\u200b-\u200f\u2060-\u2064\u061c\ufeff]")
    for command in (["check", str(path)], ["check", "--json", str(path)]):
        code = main(command)
        out, err = capsys.readouterr()
        assert code in (0, 1)
        for text in (out, err):
            assert not RAW.search(text.replace("\n", "")), repr(text)
        if code == 1:
            assert len(err.splitlines()) == 1
            assert not shown_name.search(err.split(": ", 1)[0])
        elif "--json" in command:
            report = json.loads(out)
            assert not shown_name.search(report["file"])
            assert not RAW.search(json.dumps(report, ensure_ascii=False))
    try:
        backlog = load(path)
    except InputError:
        pass
    else:  # the plan names its backlog: visibly, never reordered in `git diff`
        plan = dumps_plan(Session(backlog), plan_path=folder / "p.plan.toml")
        meta_backlog = next(line for line in plan.splitlines() if line.startswith("backlog ="))
        assert not RAW.search(plan.replace("\t", ""))
        assert not shown_name.search(meta_backlog)
    empty = folder / (name[:60] + ".csv")
    empty.write_bytes(b"")
    with pytest.raises(InputError) as caught:
        load(empty)
    assert not RAW.search(str(caught.value))
    assert not shown_name.search(str(caught.value))
