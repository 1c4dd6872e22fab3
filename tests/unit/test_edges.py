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
