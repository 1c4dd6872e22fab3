"""Hostile backlogs (issue 12): every payload through every sink that is not the TUI.

Text from a backlog or a plan is data, never instructions (PRODUCT.md "Backlog input"):
no control character reaches a terminal (`check`, `brief` on stdout), no raw HTML a
Markdown brief, no formula a spreadsheet. The payloads go in through the real loaders
(TOML escapes, raw CSV cells, a plan edited by hand) and the assertions look at what
comes out, whole. tests/functional/test_security_pty.py does the same for the TUI, in
a real pseudo-terminal.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time
from pathlib import Path

import pytest

from triage_tui.cli import main
from triage_tui.core.errors import InputError
from triage_tui.core.model import Backlog, Item
from triage_tui.core.sanitize import (
    clean_document,
    clean_source,
    clean_text,
    csv_cell,
    md_text,
    same_length_pictures,
)
from triage_tui.core.session import Category, Mark, Session
from triage_tui.formats.brief import CSV_COLUMNS, render_brief, render_csv_summary
from triage_tui.formats.handoff_doc import handoff_documents
from triage_tui.formats.loaders import load, scan
from triage_tui.formats.plan import dumps_plan, loads_plan, read_plan
from triage_tui.store.fsutil import (
    WriteRefused,
    check_inside,
    describe_write_error,
    inside,
    remove_stale_temp_files,
    sweep_temp_files,
)

#: name -> payload. Terminal ones first, then what spreadsheets and Markdown act on.
TERMINAL = {
    "OSC 52 clipboard write": "\x1b]52;c;UFdORUQ=\x07",
    "OSC 8 hyperlink": "\x1b]8;;https://evil.example\x1b\\click me\x1b]8;;\x1b\\",
    "CSI 2J clear screen": "\x1b[2J\x1b[H",
    "leave alternate screen": "\x1b[?1049l",
    "8-bit CSI U+009B": "\x9b31m",
    "8-bit OSC U+009D ST U+009C": "\x9d52;c;QUFB\x9c",
    "BEL": "\x07",
    "NUL": "\x00",
    "bidi override U+202E": "\u202etxt.exe",
    "bidi isolate U+2066": "\u2066hidden\u2069",
    "DCS request": "\x1bP+q544e\x1b\\",
    "APC (kitty graphics)": "\x1b_Ga=T;AAAA\x1b\\",
    "CR overwrite": "harmless\rEVIL",
    "backspace overwrite": "ok\x08\x08XX",
    "DEL": "a\x7fb",
    "form feed / vertical tab": "a\x0cb\x0bc",
    "line separator U+2028": "a\u2028b",
}
FORMULAS = {
    "=HYPERLINK": '=HYPERLINK("https://evil.example","click")',
    "DDE cmd": "-2+3+cmd|' /C calc'!A0",
    "@SUM": "@SUM(1+1)*cmd|' /C calc'!A0",
    "+formula": "+A1+1",
    "leading tab then =": "\t=1+1",
    "full-width =": "\uff1d1+1",
}
HTML = {
    "script": "<script>alert(1)</script>",
    "img onerror": '<img src=x onerror="alert(1)">',
    "close details": "</details><script>alert(2)</script>",
    "entity smuggling": "&lt;b&gt; and a bare < here",
}
ALL = {**TERMINAL, **FORMULAS, **HTML}

#: What must never reach a terminal: C0 but tab/newline, DEL, C1, bidi controls.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def assert_clean(text: str, where: str) -> None:
    found = FORBIDDEN.search(text)
    assert found is None, (
        f"{where}: {found.group()!r} at {found.start()}: {text[max(0, found.start() - 40) : found.start() + 40]!r}"
    )


def toml_string(value: str) -> str:
    """A TOML basic string holding `value`, controls as \\uXXXX escapes."""
    return json.dumps(value)  # \uXXXX escapes are TOML too (every payload is in the BMP)


def hostile_toml(tmp_path: Path) -> Path:
    lines = [f"title = {toml_string('Backlog ' + TERMINAL['OSC 52 clipboard write'])}", ""]
    for number, (name, payload) in enumerate(ALL.items(), start=1):
        lines += [
            "[[items]]",
            f"id = {toml_string(f'X-{number}' + (payload if number % 3 == 0 else ''))}",
            f"title = {toml_string(payload + ' ' + name)}",
            f"description = {toml_string('Spec: ' + payload + chr(10) + 'acceptance criteria: ' + payload)}",
            f"labels = [{toml_string('lab' + payload)}]",
            f"estimate = {toml_string(payload)}",
            f"status = {toml_string(payload)}",
            f"type = {toml_string(payload)}",
            f"{toml_string('custom' + payload)} = {toml_string(payload)}",
            f"nested = {{ deep = [{toml_string(payload)}] }}",
            "",
        ]
    path = tmp_path / "hostile.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def hostile_csv(tmp_path: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Issue key", "Summary", "Description", "Labels", "Status", "Custom\x1b[2J"])
    # Raw control bytes in the file itself. Ordinary rows around them keep the file
    # below the share of controls that reads as binary junk (text.py).
    filler = "An ordinary line of a description. " * 20
    for number, (name, payload) in enumerate(ALL.items(), start=1):
        writer.writerow(
            [
                f"C-{number}{payload if number % 4 == 0 else ''}",
                payload + " " + name,
                f"{filler}\n{payload}\r\nmore",
                f"a{payload},b",
                payload,
                payload,
            ]
        )
    path = tmp_path / "hostile\x1b[2J.csv"  # a file name is text from someone else too
    path.write_text(buffer.getvalue().replace("\x00", "0"), encoding="utf-8", newline="")
    return path


def every_string(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in (*every_string(key), *every_string(item))]
    if isinstance(value, list | tuple):
        return [s for item in value for s in every_string(item)]
    return []


def item_strings(item: Item) -> list[str]:
    return [
        item.id,
        item.title,
        item.description,
        *item.labels,
        *every_string(item.estimate),
        item.status,
        item.type,
        *every_string(dict(item.extra)),
    ]


@pytest.mark.parametrize("maker", [hostile_toml, hostile_csv])
def test_loaders_let_no_control_character_through(tmp_path: Path, maker) -> None:  # type: ignore[no-untyped-def]
    backlog = load(maker(tmp_path))
    assert len(backlog.items) == len(ALL)
    assert_clean(backlog.title, "backlog title")
    for column in backlog.columns.values():
        assert_clean(column, "column name")
    for item in backlog.items:
        for text in item_strings(item):
            assert_clean(text, item.id)
    # Shown, not dropped: the room sees that something was there.
    first = backlog.items[0]
    assert first.title.startswith("\u241b]52;c;UFdORUQ=\u2407")
    # The same rules for `check`'s records as for the app's items.
    found = scan(maker(tmp_path))
    assert [record[:2] for record in found.records] == [
        (item.id, item.title) for item in backlog.items
    ]


def test_a_leading_tab_before_a_formula_is_not_lost_into_a_formula(tmp_path: Path) -> None:
    backlog = load(hostile_csv(tmp_path))
    by_name = {item.title.split(" ", 1)[-1]: item for item in backlog.items}
    # The loader trims the title ("\t=1+1" reads "=1+1")...
    assert by_name["leading tab then ="].title.startswith("=1+1")
    # ...and the CSV summary still never starts a formula (below).


def decided_session(backlog: Backlog) -> Session:
    """Every third item project and ready, the others hiring / parked, notes with payloads."""
    session = Session(backlog)
    for index, item in enumerate(backlog.items):
        category = (Category.PROJECT, Category.HIRING, Category.PARKED)[index % 3]
        session.decide(item.id, category, seconds=3, at="2026-01-01T00:00:00+00:00")
        if category is Category.PROJECT:
            for number in range(1, 8):
                session.set_mark(item.id, number, Mark.MET)
        # Typed into the app (a paste can carry anything): no loader sees it.
        session.set_note(item.id, "note " + list(ALL.values())[index])
    return session


@pytest.mark.parametrize("maker", [hostile_toml, hostile_csv])
def test_brief_passes_no_html_and_no_control(tmp_path: Path, maker) -> None:  # type: ignore[no-untyped-def]
    session = decided_session(load(maker(tmp_path)))
    brief = render_brief(session)
    assert "## Ready to hand off" in brief and "## Parked: open questions" in brief
    assert_clean(brief, "brief")
    lowered = brief.lower()
    assert "<script" not in lowered and "<img" not in lowered and "</details>" not in lowered
    # The payloads are there, as text: escaped, `&` too ("&lt;b&gt;" shows as typed).
    assert "&lt;/details&gt;&lt;script&gt;" in brief
    assert "&amp;lt;b&amp;gt;" in brief


def outside_fences(markdown: str) -> str:
    """The Markdown a renderer renders: fenced code blocks (shown verbatim) left out."""
    kept: list[str] = []
    fence = ""
    for line in markdown.split("\n"):
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = ""
            continue
        opening = re.match(r"(`{3,}|~{3,})", stripped)
        if opening:
            fence = opening.group(1)
            continue
        kept.append(line)
    assert not fence, "a fence is never closed: everything after it would be code"
    return "\n".join(kept)


@pytest.mark.parametrize("maker", [hostile_toml, hostile_csv])
def test_every_handoff_passes_no_html_and_no_control(tmp_path: Path, maker) -> None:  # type: ignore[no-untyped-def]
    """The contractor's handoff quotes the spec at length: every item's, ready or not."""
    session = decided_session(load(maker(tmp_path)))
    docs = handoff_documents(session, ids=[item.id for item in session.backlog.items])
    assert len(docs) == len(ALL)
    for doc in docs:
        assert_clean(doc.text, doc.filename)
        assert_clean(doc.filename, "handoff file name")
        assert "/" not in doc.filename and not doc.filename.startswith(".")
        # Outside its code blocks (a spec quoted as written, verbatim) no raw HTML.
        rendered = outside_fences(doc.text).lower()
        assert "<script" not in rendered and "<img" not in rendered, doc.filename
        assert "</details>" not in rendered, doc.filename
    texts = "\n".join(outside_fences(doc.text) for doc in docs)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in texts  # as text where it renders


@pytest.mark.parametrize("maker", [hostile_toml, hostile_csv])
def test_csv_summary_never_starts_a_formula(tmp_path: Path, maker) -> None:  # type: ignore[no-untyped-def]
    session = decided_session(load(maker(tmp_path)))
    text = render_csv_summary(session)
    assert_clean(text.replace("\r", ""), "csv summary")  # the writer ends rows with \n
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(CSV_COLUMNS) and rows[0][1] == "title"
    assert len(rows) == len(ALL) + 1
    for row in rows[1:]:
        for cell in row:
            number = re.fullmatch(r"[+-]?\d+(\.\d+)?", cell)
            assert number or not cell.startswith(
                ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d")
            ), cell
    titles = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("https://evil.example","click") =HYPERLINK' in titles
    assert "'-2+3+cmd|' /C calc'!A0 DDE cmd" in titles
    assert "'@SUM(1+1)*cmd|' /C calc'!A0 @SUM" in titles
    assert "'=1+1 leading tab then =" in titles


def test_check_text_output_and_json_carry_no_control(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in (hostile_toml(tmp_path), hostile_csv(tmp_path)):
        assert main(["check", str(path)]) == 0
        out = capsys.readouterr().out
        assert_clean(out, f"check {path.name}")
        if path.suffix == ".toml":
            assert "title: Backlog \u241b]52;c;UFdORUQ=\u2407" in out
        else:
            assert "hostile\u241b[2J.csv: jira-csv, " in out  # the name, shown harmless
        assert main(["check", "--json", str(path)]) == 0
        raw = capsys.readouterr().out
        assert_clean(raw, "check --json output")  # JSON escapes C0; C1 and bidi are gone
        report = json.loads(raw)
        # The data itself is clean (the file name is the file's true name, JSON-escaped).
        for text in every_string([report["title"], report["columns"], report["records"]]):
            assert_clean(text, "check --json")


def test_brief_command_on_a_hand_edited_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A plan is text from anyone with commit access: read through the same boundary."""
    session = decided_session(load(hostile_toml(tmp_path)))
    text = dumps_plan(session)
    # tomli-w escapes what the in-memory session held; a hand edit adds raw C1/bidi.
    text = text.replace('note = "note', 'note = "\u202e\u009b note', 1)
    plan = tmp_path / "hostile.plan.toml"
    plan.write_text(text, encoding="utf-8")
    reopened = read_plan(plan)
    for item in reopened.backlog.items:
        for value in item_strings(item):
            assert_clean(value, item.id)
    for decision in reopened.decisions.values():
        assert_clean(decision.rationale, "rationale")
        assert_clean(decision.note, "note")
    assert main(["brief", str(plan)]) == 0
    out = capsys.readouterr().out
    assert_clean(out, "brief stdout")
    assert "<script" not in out.lower()


def test_text_typed_into_the_app_passes_the_same_boundary() -> None:
    """A note, a handoff field or a name pasted from a web page can carry anything."""
    session = Session(Backlog((Item("A-1", "One"),)))
    paste = TERMINAL["OSC 52 clipboard write"] + TERMINAL["bidi override U+202E"]
    session.set_note("A-1", "why " + paste)
    session.decide("A-1", Category.PROJECT)
    session.set_handoff("A-1", "deliverable", "ship " + paste)
    session.set_field("facilitator", "Ana " + paste)
    assert session.decisions["A-1"].note == "why \u241b]52;c;UFdORUQ=\u2407txt.exe"
    assert session.decisions["A-1"].handoff["deliverable"].startswith("ship \u241b]52;")
    assert_clean(session.facilitator, "facilitator")


def test_clean_document_walks_only_when_the_source_can_hold_a_control() -> None:
    document = {"title": "plain", "items": [{"id": "A", "x": ["y"]}]}
    assert clean_document(document, 'title = "plain"') is document
    dirty = {"k\x1b": ["\x9b", {"n": 1}]}
    assert clean_document(dirty, 'k = "\\u001b"') == {"k\u241b": ["\ufffd", {"n": 1}]}
    # A raw C1 character in the source (TOML allows it) also counts.
    assert clean_document({"a": "\x85"}, 'a = "\x85"') == {"a": "\ufffd"}


def test_clean_source_keeps_rows_whole_and_cleans_big_files() -> None:
    line = "id,title\r\n" + "A-1,fine\r\n" * 1000
    assert clean_source(line) == line.replace("\r\n", "\n")
    assert clean_source("a,b\u2028c\n") == "a,b c\n"  # not a row break
    big = "x" * 10_000 + "\x1b[2J" + "é"
    assert clean_source(big).endswith("\u241b[2J" + "é")
    ascii_big = "y" * 10_000 + "\x07"
    assert clean_text(ascii_big).endswith("\u2407")


def test_same_length_pictures_keep_positions() -> None:
    shown = same_length_pictures("a\x1b[2J\u202e\x9b\tb\n")
    assert shown == "a\u241b[2J\ufffd\ufffd\tb\u240a"
    assert len(shown) == len("a\x1b[2J\u202e\x9b\tb\n")
    assert same_length_pictures("plain") == "plain"


def test_sink_encoders_clean_controls_too() -> None:
    assert csv_cell("\x1b]52;c;x\x07") == "\u241b]52;c;x\u2407"
    assert md_text("<b>\x1b[2J</b>") == "&lt;b&gt;\u241b[2J&lt;/b&gt;"


# -- plan errors -------------------------------------------------------------------------
def _plan_text(tmp_path: Path) -> str:
    session = Session(Backlog((Item("A-1", "One"), Item("A-2", "Two", "Some\ntext"))))
    return dumps_plan(session)


def test_a_merge_conflict_in_a_plan_names_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _plan_text(tmp_path).splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith('title = "Two"'))
    lines[at : at + 1] = ["<<<<<<< HEAD\n", lines[at], "=======\n", 'title = "2"\n', ">>>>>>> b\n"]
    plan = tmp_path / "conflict.plan.toml"
    plan.write_text("".join(lines), encoding="utf-8")
    expected = f"{plan}:{at + 1}: unresolved merge conflict (git)"
    with pytest.raises(InputError) as error:
        read_plan(plan)
    assert str(error.value).startswith(expected)
    for command in (["brief", str(plan)], ["check", str(plan)]):
        assert main(command) == 1
        assert capsys.readouterr().err.startswith(expected)


def test_a_merge_conflict_in_a_toml_backlog_names_its_line(tmp_path: Path) -> None:
    backlog = tmp_path / "b.toml"
    backlog.write_text(
        '[[items]]\n<<<<<<< mine\ntitle = "A"\n=======\ntitle = "B"\n>>>>>>> theirs\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as error:
        load(backlog)
    assert str(error.value).startswith(f"{backlog}:2: unresolved merge conflict (git)")


def test_a_setext_underline_in_a_description_is_no_conflict(tmp_path: Path) -> None:
    backlog = tmp_path / "b.toml"
    backlog.write_text('[[items]]\ntitle = "A"\ndescription = """\nHead\n=======\n"""\n')
    assert load(backlog).items[0].description == "Head\n======="


def test_a_truncated_plan_names_its_last_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _plan_text(tmp_path)
    cut = text[: text.index("Some") + 2]  # inside the multi-line description
    plan = tmp_path / "cut.plan.toml"
    plan.write_text(cut, encoding="utf-8")
    last_line = cut.count("\n") + 1
    expected = f"{plan}:{last_line}: not valid TOML: "
    with pytest.raises(InputError) as error:
        loads_plan(cut, plan)
    assert str(error.value).startswith(expected)
    assert "cut short" in str(error.value)
    assert main(["brief", str(plan)]) == 1
    assert capsys.readouterr().err.startswith(expected)
    # The loaders' path (the app, check) names the same line.
    with pytest.raises(InputError) as loaded:
        load(plan)
    assert loaded.value.line == last_line


# -- the write guard (--out) ------------------------------------------------------------
def test_inside_resolves_dots_and_symlinks(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "link").symlink_to(elsewhere)
    (folder / "file-link").symlink_to(tmp_path / "bashrc")
    assert inside(folder / "plan.toml", folder)
    assert inside(folder / "new" / "deeper.md", folder)  # not there yet: still inside
    assert not inside(folder / ".." / "plan.toml", folder)
    assert not inside(folder / "link" / "plan.toml", folder)
    assert not inside(folder / "file-link", folder)
    assert not inside(tmp_path / "out-sibling" / "x", folder)  # a prefix is not a parent
    assert not inside(Path.home() / ".bashrc", folder)
    relative = os.path.relpath(folder / "x.csv")
    assert inside(relative, folder)


def test_write_refused_says_why(tmp_path: Path) -> None:
    with pytest.raises(WriteRefused) as refused:
        check_inside(tmp_path / ".." / "x.toml", tmp_path)
    message = describe_write_error(refused.value.path, refused.value)
    assert message.startswith("Not written: ")
    assert f"is outside {tmp_path}" in message and "--out" in message
    check_inside(tmp_path / "x.toml", tmp_path)
    check_inside("/anywhere", None)  # no --out: no guard


# -- temp files ---------------------------------------------------------------------------
def test_stale_temp_files_are_swept_and_nothing_else(tmp_path: Path) -> None:
    old = time.time() - 3600
    stale = tmp_path / ".b10k.plan.toml.x1y2z3w4.tmp"
    journal_tmp = tmp_path / ".0123abcd.jsonl.ab_9cd0e.tmp"
    young = tmp_path / ".b.plan.toml.abcdefgh.tmp"
    theirs = tmp_path / "notes.tmp"
    plan = tmp_path / "b.plan.toml"
    for path in (stale, journal_tmp, young, theirs, plan):
        path.write_text("x")
    for path in (stale, journal_tmp, theirs, plan):
        os.utime(path, (old, old))
    link = tmp_path / ".evil.toml.qwertyui.tmp"
    link.symlink_to(plan)
    os.utime(link, (old, old), follow_symlinks=False)
    removed = remove_stale_temp_files(tmp_path, older_than=time.time() - 60)
    assert sorted(removed) == sorted([stale, journal_tmp])
    assert young.exists() and theirs.exists() and plan.exists() and link.is_symlink()
    assert remove_stale_temp_files(tmp_path / "missing", time.time()) == []
    # sweep_temp_files: older than this process started, and than a write in flight.
    os.utime(young, (old, old))
    assert sweep_temp_files(tmp_path, tmp_path) == [young]


def test_opening_a_backlog_sweeps_beside_the_plan_and_in_the_state_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage_tui.services import LaunchOptions, open_workshop
    from triage_tui.store.autosave import sessions_dir

    backlog = tmp_path / "b.toml"
    backlog.write_text('[[items]]\ntitle = "One"\n', encoding="utf-8")
    sessions = sessions_dir()
    sessions.mkdir(parents=True, exist_ok=True)
    old = time.time() - 3600
    left = [tmp_path / ".b.plan.toml.k1ll3d00.tmp", sessions / ".abc.jsonl.k1ll3d00.tmp"]
    for path in left:
        path.write_bytes(b"half a write")
        os.utime(path, (old, old))
    opened = open_workshop(backlog, LaunchOptions(file=backlog), time.monotonic)
    try:
        assert not any(path.exists() for path in left)
    finally:
        if opened.autosave is not None:
            opened.autosave.close(None)
        if opened.lock is not None:
            opened.lock.release()


def test_the_sessions_folder_is_private_like_its_files(tmp_path: Path) -> None:
    import stat

    from triage_tui.services import LaunchOptions, open_workshop
    from triage_tui.store.autosave import sessions_dir

    backlog = tmp_path / "b.toml"
    backlog.write_text('[[items]]\ntitle = "One"\n', encoding="utf-8")
    assert not sessions_dir().exists()
    opened = open_workshop(backlog, LaunchOptions(file=backlog), time.monotonic)
    try:
        assert stat.S_IMODE(sessions_dir().stat().st_mode) == 0o700
    finally:
        if opened.autosave is not None:
            opened.autosave.close(None)
        if opened.lock is not None:
            opened.lock.release()
