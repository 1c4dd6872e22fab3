"""Autosaves of earlier versions: each run records its steps' format (runs.format), and a
run without it is replayed as a legacy run, so undoing an old park step after resuming
puts the note back where it was instead of copying it into `rationale`.

The fixtures are real autosaves (tests/fixtures/legacy/make_autosave.py): one written by
df1431a, before the room's note had a field of its own, and one by 6117f70, which wrote
the new fields but did not mark its runs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from triage_tui.core.model import Backlog
from triage_tui.core.session import STEPS_FORMAT, Category, Session, Step, legacy_step
from triage_tui.formats.loaders import load
from triage_tui.store.autosave import Autosave

LEGACY = Path(__file__).resolve().parents[1] / "fixtures" / "legacy"
IDS = ("A-0", "A-1", "A-2", "A-3", "A-4")


@pytest.fixture
def backlog() -> Backlog:
    return load(LEGACY / "autosave-backlog.toml")


def copied(tmp_path: Path, version: str) -> Path:
    path = tmp_path / f"{version}.sqlite3"
    shutil.copy(LEGACY / f"autosave-{version}.sqlite3", path)
    return path


def fields(session: Session, item_id: str) -> tuple[str, str, str]:
    decision = session.decision(item_id)
    return decision.category.value, decision.rationale, decision.note


def runs(path: Path) -> list[tuple[int, int | str | None]]:
    """(run, its steps' format), "no column" for a database of an earlier version."""
    db = sqlite3.connect(path)
    try:
        columns = [row[1] for row in db.execute("PRAGMA table_info(runs)")]
        if "format" not in columns:
            return [(run, "no column") for (run,) in db.execute("SELECT run FROM runs")]
        return list(db.execute("SELECT run, format FROM runs ORDER BY run"))
    finally:
        db.close()


def resumed(path: Path, backlog: Backlog) -> tuple[Autosave, Session]:
    autosave = Autosave(path, backlog)
    session = Session(backlog)
    assert autosave.resume(session) == 13
    autosave.attach(session)
    return autosave, session


def test_undoing_an_old_park_step_puts_the_note_back(tmp_path: Path, backlog: Backlog) -> None:
    path = copied(tmp_path, "df1431a")
    assert runs(path) == [(1, "no column")]  # df1431a's runs have no format
    autosave, session = resumed(path, backlog)
    assert fields(session, "A-0") == (
        "parked",
        "who pays for the pager?",
        "owns the pager for years",
    )
    # Parked, then the park undone (in the old run): the note is the note, no question.
    assert fields(session, "A-1") == ("project", "", "needs the webhook spec")
    assert fields(session, "A-2") == ("parked", "which region, EU?", "")
    # Parked with a question written in the note box, then hired with a note.
    assert fields(session, "A-3") == ("hiring", "which team owns it?", "hire for it")
    session.undo()  # the old park step
    assert fields(session, "A-0") == ("hiring", "", "owns the pager for years")
    session.undo()
    session.undo()
    assert fields(session, "A-0") == ("undecided", "", "")
    session.undo()  # a re-park: its question back
    assert fields(session, "A-2") == ("parked", "which region?", "")
    session.undo()  # the note box on a hired item: the note it had (none), the question kept
    assert fields(session, "A-3") == ("hiring", "which team owns it?", "")
    while session.undo() is not None:
        pass
    for item_id in IDS:
        assert fields(session, item_id) == ("undecided", "", ""), item_id
    autosave.close(session)


def test_an_unmarked_run_of_the_new_fields_reads_the_same(tmp_path: Path, backlog: Backlog) -> None:
    """6117f70 wrote `note` and `rationale` apart but did not mark its runs: read as legacy,
    its steps come back unchanged (their old values are the state's already)."""
    path = copied(tmp_path, "6117f70")
    assert runs(path) == [(1, "no column")]
    autosave, session = resumed(path, backlog)
    assert fields(session, "A-0") == (
        "parked",
        "who pays for the pager?",
        "owns the pager for years",
    )
    assert fields(session, "A-1") == ("project", "", "needs the webhook spec")
    assert fields(session, "A-3") == ("hiring", "", "hire for it")
    session.undo()
    assert fields(session, "A-0") == ("hiring", "", "owns the pager for years")
    while session.undo() is not None:
        pass
    for item_id in IDS:
        assert fields(session, item_id) == ("undecided", "", ""), item_id
    autosave.close(session)
    # The same steps, replayed with no legacy reading at all: legacy_step changes none.
    (tmp_path / "again").mkdir()
    with sqlite3.connect(copied(tmp_path / "again", "6117f70")) as db:
        rows = [text for (text,) in db.execute("SELECT step FROM steps ORDER BY seq")]
    db.close()
    plain = Session(backlog)
    for text in rows:
        step = Step.from_json(json.loads(text))
        assert legacy_step(plain, step) is step
        plain.apply(step, notify=False)


def test_new_steps_on_an_old_run_and_a_fresh_run(tmp_path: Path, backlog: Backlog) -> None:
    path = copied(tmp_path, "df1431a")
    autosave, session = resumed(path, backlog)
    # The first write added the column; the old run stays legacy.
    assert runs(path) == [(1, None)]
    session.decide("A-4", Category.HIRING)
    session.set_note("A-4", "a staff role")
    session.change(
        "parked A-4",
        ("A-4", "category", Category.PARKED),
        ("A-4", "rationale", "which budget?"),
    )
    session.undo()  # stored, in the legacy run
    autosave.close(session)  # compacted
    autosave, again = resumed_any(path, backlog)
    assert fields(again, "A-4") == ("hiring", "", "a staff role")
    assert fields(again, "A-0") == ("parked", "who pays for the pager?", "owns the pager for years")
    again.undo()  # the note on A-4
    assert fields(again, "A-4") == ("hiring", "", "")
    again.undo()
    again.undo()  # A-0's old park step, still read as legacy
    assert fields(again, "A-0") == ("hiring", "", "owns the pager for years")
    autosave.close()
    # Starting afresh begins a run in this version's format.
    fresh = Autosave(path, backlog)
    fresh.start_fresh()
    assert runs(path) == [(1, None), (2, STEPS_FORMAT)]
    live = Session(backlog)
    fresh.attach(live)
    live.decide("A-0", Category.HIRING)
    fresh.close(live)
    last = Session(backlog)
    count = Autosave(path, backlog).resume(last)
    assert count == 1 and fields(last, "A-0") == ("hiring", "", "")


def resumed_any(path: Path, backlog: Backlog) -> tuple[Autosave, Session]:
    autosave = Autosave(path, backlog)
    session = Session(backlog)
    assert autosave.resume(session) > 0
    autosave.attach(session)
    return autosave, session


def test_a_new_database_marks_its_run(tmp_path: Path, backlog: Backlog) -> None:
    path = tmp_path / "new.sqlite3"
    autosave = Autosave(path, backlog)
    session = Session(backlog)
    autosave.attach(session)
    session.decide("A-0", Category.PARKED)
    autosave.close(session)
    assert runs(path) == [(1, STEPS_FORMAT)]


def test_an_imported_jsonl_journal_is_a_legacy_run(tmp_path: Path) -> None:
    from tests.unit.test_autosave import make_backlog

    journal = LEGACY / "session-1.jsonl"
    backlog = make_backlog(tmp_path)
    autosave = Autosave(tmp_path / "s.sqlite3", backlog)
    shutil.copy(journal, autosave.legacy_path)
    assert autosave.summary() is not None
    assert runs(autosave.path) == [(1, None)]


KILLED = """
import sys
from pathlib import Path
from triage_tui.core.session import Category, Session
from triage_tui.formats.loaders import load
from triage_tui.store.autosave import Autosave

backlog = load(Path(sys.argv[2]))
autosave = Autosave(Path(sys.argv[1]), backlog)
session = Session(backlog)
autosave.resume(session)
autosave.attach(session)  # the first write: the runs table gets its format column
session.undo()  # A-0's old park, undone and stored in the old run
print("undone", flush=True)
session.decide("A-4", Category.PROJECT)
print("decided", flush=True)
sys.stdin.read()
"""


def test_sigkill_after_undoing_an_old_park_loses_nothing(tmp_path: Path, backlog: Backlog) -> None:
    path = copied(tmp_path, "df1431a")
    root = Path(__file__).resolve().parents[2]
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(path), str(LEGACY / "autosave-backlog.toml")],
        cwd=root,
        env=dict(os.environ, PYTHONPATH=str(root / "src")),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    assert writer.stdout.readline() == "undone\n"
    assert writer.stdout.readline() == "decided\n"
    writer.send_signal(signal.SIGKILL)  # no clean exit: no compaction, no checkpoint
    writer.wait()
    assert runs(path) == [(1, None)]
    session = Session(backlog)
    assert Autosave(path, backlog).resume(session) == 15
    assert fields(session, "A-0") == ("hiring", "", "owns the pager for years")
    assert fields(session, "A-4") == ("project", "", "")
    session.undo()  # A-4's decision
    assert fields(session, "A-4") == ("undecided", "", "")
    session.undo()  # A-0's note, then its decision
    session.undo()
    assert fields(session, "A-0") == ("undecided", "", "")
