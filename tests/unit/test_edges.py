"""Issue 21: bad files are refused, hostile names stay inert, every count tells the truth.

Each test here was written to fail on the code before the fix (one per cause).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from triage_tui.cli import main
from triage_tui.core.errors import InputError
from triage_tui.core.model import Backlog, Item
from triage_tui.core.session import Category, Session
from triage_tui.formats.loaders import load
from triage_tui.formats.plan import dumps_plan, loads_plan, read_plan

HOSTILE = "e\x1b]52;c;aGk=\x07\u202e.toml"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f]")


def three_item_plan(tmp_path: Path) -> str:
    items = tuple(Item(f"A-{n}", f"Item {n}", f"Text {n}.") for n in (1, 2, 3))
    session = Session(Backlog(items, source=tmp_path / "b.toml", title="B"))
    for item in items:
        session.change("park", (item.id, "category", Category.PARKED))
    return dumps_plan(session, created="2026-03-02T09:30:00Z", plan_path=tmp_path / "p.toml")


# -- a hostile file name --------------------------------------------------------------
def test_an_error_line_shows_a_hostile_file_name_visibly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / HOSTILE
    path.write_bytes(b"")
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert not RAW.search(err), repr(err)
    assert "\u241b]52;c;aGk=\u2407\\u202e.toml: the file is empty" in err


def test_check_json_and_text_show_a_hostile_file_name_visibly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / ("b\x9b31m\u202e\u200b.toml")
    path.write_text('title = "B"\n[[items]]\ntitle = "one"\n', encoding="utf-8")
    assert main(["check", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert not RAW.search(out)
    assert json.loads(out)["file"].endswith("b\\x9b31m\\u202e\\u200b.toml")
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert not RAW.search(out)
    assert "b\\x9b31m\\u202e\\u200b.toml: toml, 1 items" in out


def test_the_error_the_app_shows_is_visible_text() -> None:
    # The app shows str(error) (notification, start screen, stderr on exit 1).
    error = InputError(f"/tmp/{HOSTILE}", "bad \x1b[2J thing", 3)
    assert not RAW.search(str(error))
    assert str(error).startswith("/tmp/e\u241b]52;c;aGk=\u2407\\u202e.toml:3: bad \u241b[2J")


def test_the_plan_writes_the_backlog_name_visibly(tmp_path: Path) -> None:
    source = tmp_path / "rep\u202eort\x1b.toml"
    session = Session(Backlog((Item("A-1", "one"),), source=source, title="B"))
    text = dumps_plan(session, created="2026-03-02T09:30:00Z", plan_path=tmp_path / "p.toml")
    assert not RAW.search(text)
    assert 'backlog = "rep\\\\u202eort\u241b.toml"' in text
    assert loads_plan(text).plan_meta["backlog"] == "rep\\u202eort\u241b.toml"


def test_shown_is_idempotent_and_the_identity_on_plain_text() -> None:
    from triage_tui.core.sanitize import shown

    assert shown("PAY-101 Ünïcode ✓") == "PAY-101 Ünïcode ✓"
    once = shown("a\u202eb\x9bc\x1bd\u2028e")
    assert once == "a\\u202eb\\x9bc\u241bd\\u2028e"
    assert shown(once) == once


# -- plan validation -----------------------------------------------------------------
def test_a_plan_cut_short_between_two_items_is_refused(tmp_path: Path) -> None:
    text = three_item_plan(tmp_path)
    second = text.index("[[items]]", text.index("[[items]]") + 1)
    cut = text[:second]
    with pytest.raises(InputError) as caught:
        loads_plan(cut, "p.plan.toml")
    assert "holds 1 item but" in caught.value.message
    assert "cut short" in caught.value.message
    assert caught.value.line is not None
    assert cut.splitlines()[caught.value.line - 1].lstrip().startswith(("items", "items_total"))


def test_a_plan_cut_short_is_refused_by_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = three_item_plan(tmp_path)
    second = text.index("[[items]]", text.index("[[items]]") + 1)
    plan = tmp_path / "cut.plan.toml"
    plan.write_text(text[:second], encoding="utf-8")
    for command in (["check", str(plan)], ["brief", str(plan)], ["diff", str(plan), str(plan)]):
        assert main(command) == 1
        assert "cut short" in capsys.readouterr().err


def test_a_whole_plan_still_opens(tmp_path: Path) -> None:
    assert len(loads_plan(three_item_plan(tmp_path)).backlog.items) == 3


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('schema = "triage-tui/plan/2"\nmeta = "x"\n\n[[items]]\nid = "A"\ntitle = "a"\n', 2),
        (
            'schema = "triage-tui/plan/2"\n\n[meta]\nminutes = 60\n\n'
            '[first_engagement]\nwhy = ""\nid = 5\n',
            8,
        ),
        ('schema = "triage-tui/plan/2"\nitems = "x"\n\n[meta]\nminutes = 60\n', 2),
    ],
)
def test_a_value_that_must_be_a_table_or_text_names_its_line(text: str, line: int) -> None:
    with pytest.raises(InputError) as caught:
        loads_plan(text, "p.plan.toml")
    assert caught.value.line == line


def test_a_plan_without_meta_opens_with_a_word(tmp_path: Path) -> None:
    text = 'schema = "triage-tui/plan/2"\n\n[[items]]\nid = "A"\ntitle = "a"\n'
    warnings = loads_plan(text, "p.plan.toml").backlog.warnings
    assert any("no [meta] table" in warning for warning in warnings)
    assert not loads_plan(three_item_plan(tmp_path)).backlog.warnings


def test_a_schema_that_is_a_number_is_refused_not_opened_as_a_backlog(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        'schema = 2\n\n[meta]\nminutes = 60\n\n[[items]]\nid = "A"\ntitle = "a"\n'
        'category = "hiring"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load(path)
    assert "schema must be" in caught.value.message
    assert caught.value.line == 1


# -- merge conflicts -------------------------------------------------------------------
CONFLICT = "<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> branch\n"


def test_conflict_markers_inside_a_toml_string_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "b.toml"
    path.write_text(
        f'title = "B"\n\n[[items]]\ntitle = "a"\ndescription = """\nSpec:\n{CONFLICT}"""\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load(path)
    assert "merge conflict" in caught.value.message
    assert caught.value.line == 7


def test_conflict_markers_in_a_csv_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text(
        "Key,Summary\nA-1,one\n<<<<<<< HEAD\nA-2,two\n=======\nA-2,deux\n>>>>>>> x\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load(path)
    assert "merge conflict" in caught.value.message
    assert caught.value.line == 3


def test_conflict_markers_inside_a_plan_are_refused(tmp_path: Path) -> None:
    text = three_item_plan(tmp_path).replace(
        'description = "Text 2."', f'description = """\n{CONFLICT}"""', 1
    )
    assert CONFLICT in text
    plan = tmp_path / "p.plan.toml"
    plan.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_plan(plan)
    assert "merge conflict" in caught.value.message
    assert text.splitlines()[caught.value.line - 1] == "<<<<<<< HEAD"  # type: ignore[operator]


def test_a_markdown_underline_is_no_conflict(tmp_path: Path) -> None:
    path = tmp_path / "b.toml"
    path.write_text(
        'title = "B"\n\n[[items]]\ntitle = "a"\ndescription = """\nSpec\n=======\n"""\n',
        encoding="utf-8",
    )
    assert load(path).items[0].description == "Spec\n======="


# -- deep nesting ----------------------------------------------------------------------
def test_deep_nesting_is_one_line_in_plain_words(tmp_path: Path) -> None:
    path = tmp_path / "b.toml"
    path.write_text(
        'title = "B"\n\n[[items]]\ntitle = "a"\nx = ' + "[" * 5000 + "]" * 5000 + "\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load(path)
    assert "RecursionError" not in str(caught.value)
    assert "nested too deeply" in caught.value.message
    assert caught.value.line == 5


# -- nothing written before every input is accepted ------------------------------------
def test_a_bad_from_plan_leaves_no_lock_and_no_session_database(tmp_path: Path) -> None:
    from triage_tui.services import LaunchOptions, open_workshop
    from triage_tui.store.paths import state_dir

    backlog = tmp_path / "b.toml"
    backlog.write_text('title = "B"\n[[items]]\ntitle = "one"\n', encoding="utf-8")
    bad = tmp_path / "old.plan.toml"
    bad.write_text('schema = "triage-tui/plan/2"\nitems = "x"\n', encoding="utf-8")
    before = sorted(p for p in state_dir().rglob("*")) if state_dir().exists() else []
    with pytest.raises(InputError):
        open_workshop(backlog, LaunchOptions(file=backlog, carry_from=bad))
    after = sorted(p for p in state_dir().rglob("*")) if state_dir().exists() else []
    assert after == before


# -- one count after a take-over ---------------------------------------------------------
def test_the_pace_counts_from_the_session_after_a_take_over(tmp_path: Path) -> None:
    from triage_tui.services import LaunchOptions, open_workshop
    from triage_tui.store.autosave import Autosave
    from triage_tui.store.lock import SessionLock

    backlog = tmp_path / "b.toml"
    backlog.write_text(
        'title = "B"\n' + "".join(f'[[items]]\nid = "A-{n}"\ntitle = "t {n}"\n' for n in range(30)),
        encoding="utf-8",
    )
    # Window A owns the session; window B opens (held, read-only) before A decides.
    a = Session(load(backlog))
    a_save = Autosave.for_backlog(a.backlog)
    a_lock = SessionLock(a_save.lock_path)
    assert a_lock.acquire().ok
    a_save.start_fresh()
    a_save.attach(a, lock=a_lock)
    b = open_workshop(backlog, LaunchOptions(file=backlog))
    assert b.held_by
    assert b.workshop.decided_count() == 0
    for n in range(3):
        a.decide(f"A-{n}", Category.HIRING)
    message = b.take_over()
    workshop = b.workshop
    assert workshop.session.decisions["A-0"].category is Category.HIRING
    assert workshop.decided_count() == 3
    assert workshop.undecided_count() == 27
    assert workshop.categorize_pace().items == 27
    assert "3 of 30 decided" in message
    workshop.decide(workshop.in_scope[5], Category.PARKED)
    assert workshop.decided_count() == 4
    workshop.session.undo()
    assert workshop.decided_count() == 3
    b.close()
    a_save.close(a)
    a_lock.release()


# -- Markdown: one allowlist for link targets, one-line fields stay one line -------------
JIRA_SPEC = """\
h3. Context
The ledger needs [the docs|javascript:alert(2)] and [ok|https://example.com/a].

h3. Acceptance criteria
# Every entry gets a currency [x](data:text/html,boom)

*DoD:* run in production.
Reviewer: [~dokafor]
"""
HOSTILE_TITLE = "# Pay [me](javascript:alert(1))"


def rendered_links(markdown: str) -> tuple[list[str], list[str]]:
    """(every link or image target, every heading's text) as a renderer sees them: one
    that does not refuse dangerous schemes itself (markdown-it's default does)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    targets: list[str] = []
    headings: list[str] = []
    tokens = md.parse(markdown)
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            headings.append(tokens[index + 1].content)
        for child in token.children or ():
            if child.type == "link_open":
                targets.append(str(child.attrs.get("href", "")))
            if child.type == "image":
                targets.append(str(child.attrs.get("src", "")))
    return targets, headings


def live(target: str) -> bool:
    """A target outside the allowlist (http, https, mailto, relative)."""
    from urllib.parse import unquote

    url = re.sub("[\x00-\x20]", "", unquote(target)).lower()
    scheme = re.match(r"([a-z][a-z0-9+.-]*):", url)
    return scheme is not None and scheme.group(1) not in ("http", "https", "mailto")


def hostile_session() -> Session:
    from triage_tui.core.session import Mark

    items = (
        Item("PAY-1", HOSTILE_TITLE, JIRA_SPEC, estimate=3),
        Item("PAY-2", "Refund [flow](vbscript:x) for <b>cards</b>", "Plain text.", estimate=2),
    )
    session = Session(Backlog(items, title="B"), facilitator="Ana", team="Core")
    for item in items:
        session.decide(item.id, Category.PROJECT)
        for criterion in range(1, 8):
            session.set_mark(item.id, criterion, Mark.MET)
    session.change("why", ("PAY-2", "rationale", "see [here](javascript:alert(3))"))
    return session


def test_the_brief_shows_a_javascript_link_as_text() -> None:
    from triage_tui.formats.brief import render_brief

    text = render_brief(hostile_session())
    targets, headings = rendered_links(text)
    assert targets, "the brief's own links (to the handoffs) are still links"
    assert not [t for t in targets if live(t)], targets
    assert "javascript:alert(1)" in text  # shown, as text
    assert not [h for h in headings if "Pay" in h and not h.startswith(("PAY-1", "Handoff"))]


def test_a_handoff_shows_every_foreign_link_as_text_and_no_title_heading() -> None:
    from triage_tui.formats.handoff_doc import handoff_documents

    docs = handoff_documents(hostile_session(), ids=["PAY-1", "PAY-2"])
    assert len(docs) == 2
    for doc in docs:
        targets, headings = rendered_links(doc.text)
        assert not [t for t in targets if live(t)], (doc.item.id, targets)
        # The title is in the document's own heading; never a heading of its own.
        assert not [h for h in headings if h.startswith("Pay")], headings
    first = docs[0].text
    assert "https://example.com/a" in first  # an allowed link stays a link
    assert "javascript:alert(2)" in first  # the Jira link, as text
    assert "javascript:alert(1)" in first  # the title's, in the Deliverable, as text


def test_diff_tables_show_a_javascript_link_as_text() -> None:
    from triage_tui.core.diff import compare
    from triage_tui.formats.diff import render_markdown

    new = hostile_session()
    old = Session(Backlog((*new.backlog.items[:1], Item("PAY-3", "[x](javascript:y)"))))
    text = render_markdown(compare(old, new), "old.plan.toml", "new.plan.toml")
    targets, _ = rendered_links(text)
    assert not [t for t in targets if live(t)], targets
    assert "javascript:alert(1)" in text and "vbscript:x" in text


def test_the_allowlist_is_one_function_in_core_sanitize() -> None:
    from triage_tui.core.sanitize import md_line, md_link_allowed, md_text

    for target in ("https://a.b/c", "http://a", "mailto:a@b.c", "../x.md", "#anchor", "x.md"):
        assert md_link_allowed(target), target
    for target in (
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,x",
        "vbscript:x",
        "file:///etc/passwd",
        "javascript\\:alert(1)",
        " java\tscript:alert(1)",
    ):
        assert not md_link_allowed(target), target
    assert md_text("[a](javascript:x)") == "[a]\\(javascript:x)"
    assert md_text("[a]: javascript:x") == "\\[a]: javascript:x"
    assert md_text("[a](https://x.y)") == "[a](https://x.y)"
    for line in ("# h", "> q", "- l", "+ l", "* l", "1. n", "3) n", "~~~", "```", "| t |"):
        assert not rendered_links(md_line(line))[1]
        assert md_line(line) != line, line


# -- handoff file names ------------------------------------------------------------------
@pytest.mark.parametrize(
    "item_id", ["CON", "nul", "Com1", "LPT9", "con.txt", "AUX", "prn", "COM\u00b9", "Nul.tar"]
)
def test_a_handoff_file_is_never_named_as_a_windows_device(item_id: str) -> None:
    from triage_tui.formats.handoff_doc import handoff_filename

    name = handoff_filename(item_id)
    assert name.split(".")[0].upper() not in {
        "CON",
        "PRN",
        "AUX",
        "NUL",
        "COM1",
        "LPT9",
        "COM\u00b9",
    }
    assert item_id.split(".")[0] in name


def test_a_long_id_gives_a_name_of_at_most_255_bytes_kept_unique() -> None:
    from triage_tui.formats.handoff_doc import handoff_filename, handoff_filenames

    long_a = "\U0001d400" * 100  # four bytes each in UTF-8
    long_b = "\U0001d400" * 99 + "\U0001d401"
    for item_id in (long_a, "a" * 300, "\u00e9" * 200):
        name = handoff_filename(item_id)
        assert len(name.encode()) <= 255
        name.encode().decode()  # cut on a character boundary
    session = Session(Backlog((Item(long_a, "a"), Item(long_b, "b"))))
    names = handoff_filenames(session)
    assert names[long_a] != names[long_b]
    assert all(len(name.encode()) <= 255 for name in names.values())


def test_handoff_all_writes_every_other_file_and_names_the_one_it_could_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from triage_tui.core.session import Mark
    from triage_tui.formats.plan import write_plan

    ids = [f"CORE-{n}" for n in range(1, 6)]
    spec = (
        "## Acceptance criteria\n- [ ] A replay returns the first response\n\n"
        "## Definition of done\nMerged, deployed to staging.\n\nReviewer: @mchen\n"
    )
    items = tuple(Item(i, f"Build thing {i}", spec, estimate=2) for i in ids)
    session = Session(Backlog(items, title="B"))
    for item in items:
        session.decide(item.id, Category.PROJECT)
        for criterion in range(1, 8):
            session.set_mark(item.id, criterion, Mark.MET)
    plan = write_plan(session, tmp_path / "p.plan.toml")
    out = tmp_path / "handoffs"
    (out / "CORE-2.md").mkdir(parents=True)  # this one cannot be written
    assert main(["handoff", str(plan), "--all", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    written = sorted(p.name for p in out.iterdir() if p.is_file())
    assert written == ["CORE-1.md", "CORE-3.md", "CORE-4.md", "CORE-5.md"]
    assert "CORE-2.md" in err
    assert "4 of 5 written" in err


# -- CSV: inert under every separator a spreadsheet may apply -----------------------------
@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_a_csv_cell_is_inert_under_every_separator(separator: str) -> None:
    import csv
    import io

    from triage_tui.formats.brief import render_csv_summary

    titles = ["Invoices;=1+1;", "Pay,@SUM(A1),x", "Tab\t-2+3", "a; +cmd|' /C calc'!A0", "ok; -3"]
    items = tuple(Item(f"A-{n}", title) for n, title in enumerate(titles))
    text = render_csv_summary(Session(Backlog(items)))
    for row in csv.reader(io.StringIO(text), delimiter=separator):
        for cell in row:
            stripped = cell.strip(' "')
            if re.fullmatch(r"[+-]?\d+(\.\d+)?", stripped):
                continue
            assert not stripped.startswith(("=", "+", "-", "@")), (separator, cell)


# -- look-alike ids ---------------------------------------------------------------------
def test_ids_that_read_the_same_are_a_duplicate_id_warning_naming_both_lines(
    tmp_path: Path,
) -> None:
    path = tmp_path / "b.toml"
    path.write_text(
        'title = "B"\n\n[[items]]\nid = "A-1"\ntitle = "one"\n\n'
        '[[items]]\nid = "A\\u200b-1"\ntitle = "two"\n\n'
        '[[items]]\nid = "A\\u2060-1"\ntitle = "three"\n\n'
        '[[items]]\nid = "\\uff21-2"\ntitle = "four"\n\n'
        '[[items]]\nid = "A-2"\ntitle = "five"\n',
        encoding="utf-8",
    )
    warnings = [w for w in load(path).warnings if "duplicate id" in w]
    assert len(warnings) == 3
    assert "'A-1' and 'A\\u200b-1'" in warnings[0] and "lines 3 and 7" in warnings[0]
    assert "'A-1' and 'A\\u2060-1'" in warnings[1] and "lines 3 and 11" in warnings[1]
    assert "lines 15 and 19" in warnings[2]


def test_look_alike_ids_in_a_csv_are_warned_about_too(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("Key,Summary\nA-1,one\nA\u200b-1,two\n", encoding="utf-8")
    warnings = [w for w in load(path).warnings if "duplicate id" in w]
    assert len(warnings) == 1 and "lines 2 and 3" in warnings[0]


def test_md_link_is_the_one_way_a_new_sink_writes_a_link() -> None:
    from triage_tui.core.sanitize import md_link

    assert md_link("spec.pdf", "https://x.example/a b (1).pdf") == (
        "[spec.pdf](<https://x.example/a%20b%20(1).pdf>)"
    )
    assert md_link("", "https://x.example/") == "[https://x.example/](<https://x.example/>)"
    for url in ("javascript:alert(1)", "JAVASCRIPT:x", "data:text/html,x", "java&#115;cript:x"):
        text = md_link("# evil [x](y)", url)
        targets, headings = rendered_links(text)
        assert not [t for t in targets if live(t)], (url, targets)
        assert not headings
    targets, _ = rendered_links(md_link("ok", "../handoffs/A-1.md"))
    assert targets == ["../handoffs/A-1.md"]


def test_the_resume_notice_counts_what_the_pace_line_counts(tmp_path: Path) -> None:
    from triage_tui.core.scope import Scope
    from triage_tui.services import LaunchOptions, open_workshop

    backlog = tmp_path / "b.toml"
    backlog.write_text(
        'title = "B"\n'
        + "".join(
            f'[[items]]\nid = "A-{n}"\ntitle = "{"pay" if n < 10 else "ops"} {n}"\n'
            for n in range(30)
        ),
        encoding="utf-8",
    )
    first = open_workshop(backlog, LaunchOptions(file=backlog))
    first.workshop.decide(first.workshop.in_scope[20], Category.PARKED)  # out of scope later
    first.workshop.set_scope(Scope(text="pay"))
    for item in first.workshop.in_scope[:2]:
        first.workshop.decide(item, Category.HIRING)
    first.close()
    again = open_workshop(backlog, LaunchOptions(file=backlog))
    workshop = again.workshop
    assert (workshop.decided_count(), len(workshop.in_scope)) == (2, 10)
    assert again.resume_info.startswith("Resumed the autosaved session: 2 of 10 items decided")
    again.close()


def test_diff_names_hostile_files_visibly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = three_item_plan(tmp_path)
    old = tmp_path / "old\u202e\x9b.plan.toml"
    old.write_text(text, encoding="utf-8")
    for command in (["diff", str(old), str(old)], ["diff", "--json", str(old), str(old)]):
        assert main(command) == 0
        out = capsys.readouterr().out
        assert not RAW.search(out)
        shown = json.loads(out)["old"] if "--json" in command else out
        assert "old\\u202e\\x9b.plan.toml" in shown


def test_a_cell_starting_with_blanks_then_a_formula_is_guarded() -> None:
    from triage_tui.core.sanitize import csv_cell

    assert csv_cell(" ===") == " '==="  # an importer that trims blanks reads '=== as text
    assert csv_cell("  +cmd") == "  '+cmd"
    assert csv_cell("-3") == "-3" and csv_cell("-3", leading=True) == "'-3"
