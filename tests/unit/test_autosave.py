"""The SQLite session store: resume after a crash, damage, compaction, take-over, import, failures."""

from __future__ import annotations

import copy
import errno
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from triage_tui.core.errors import InputError
from triage_tui.core.model import Backlog, Item
from triage_tui.core.session import Category, Mark, Session, Step
from triage_tui.store.autosave import (
    VERSION,
    Autosave,
    SessionTakenOver,
    iter_sessions,
    latest_session,
    read_info,
    session_key,
    sessions_dir,
)
from triage_tui.store.fsutil import atomic_write_text, describe_write_error
from triage_tui.store.lock import LockResult, SessionLock


def make_backlog(folder: Path, count: int = 6, name: str = "backlog.toml") -> Backlog:
    """A backlog whose source file really exists (latest_session checks its hash)."""
    path = folder / name
    text = "".join(f'[[items]]\nid = "A-{i}"\ntitle = "Item {i}"\n' for i in range(count))
    path.write_text(text)
    items = tuple(Item(f"A-{i}", f"Item {i}") for i in range(count))
    return Backlog(items, source=path, title=name, sha256=hashlib.sha256(text.encode()).hexdigest())


def state(session: Session, *, frozen: bool = True) -> dict[str, Any]:
    """Everything resume must bring back (deep-copied when kept as a snapshot)."""
    snapshot = {
        "decisions": session.decisions,
        "facilitator": session.facilitator,
        "minutes": session.minutes,
        "scope": session.scope,
        "phase": session.phase,
        "history": session.history,
    }
    return copy.deepcopy(snapshot) if frozen else snapshot


def run_workshop(session: Session) -> list[dict[str, Any]]:
    """A little of everything the room does; returns the state after each step."""
    snapshots = [state(session)]

    def snap(_step: object) -> None:
        snapshots.append(state(session))

    session.listeners.append(snap)
    session.set_field("facilitator", "Ada")
    session.set_field("phase", "categorize")
    session.decide("A-0", Category.HIRING, seconds=12.5)
    session.set_note("A-0", "owns billing on-call — « déjà vu » \u2028 line")
    session.decide("A-1", Category.PROJECT, seconds=7)
    session.cycle_mark("A-1", 1)
    session.cycle_mark("A-1", 1)
    session.set_mark("A-1", 4, Mark.MET)
    session.set_handoff("A-1", "reviewer", "Grace")
    session.decide("A-2", Category.PARKED)
    session.undo()
    session.decide("A-2", Category.PROJECT, seconds=3)
    session.set_signals("A-2", ["finish-line", "integration"])
    session.set_field("scope", {"exclude_done": True})
    session.undo()
    session.undo()
    session.decide("A-3", Category.HIRING)
    session.listeners.remove(snap)
    return snapshots


@pytest.fixture
def backlog(tmp_path: Path) -> Backlog:
    return make_backlog(tmp_path)


def recorded(backlog: Backlog) -> tuple[Autosave, Session, list[dict[str, Any]]]:
    """A session written live by a whole workshop, not compacted (as a crash leaves it)."""
    autosave = Autosave.for_backlog(backlog)
    session = Session(backlog)
    autosave.attach(session)
    snapshots = run_workshop(session)
    autosave.close()
    return autosave, session, snapshots


def resumed(backlog: Backlog, **kwargs: Any) -> tuple[Session, int]:
    session = Session(backlog)
    count = Autosave.for_backlog(backlog).resume(session, **kwargs)
    return session, count


def stored(path: Path, where: str = "run = (SELECT max(run) FROM runs)") -> list[dict[str, Any]]:
    """The steps in the database, as the sqlite3 shell would show them."""
    with sqlite3.connect(path) as db:
        rows = db.execute(f"SELECT step FROM steps WHERE {where} ORDER BY run, seq").fetchall()
    db.close()
    return [json.loads(text) for (text,) in rows]


def test_resume_round_trip_gives_identical_decisions_and_undo_history(backlog: Backlog) -> None:
    autosave, live, snapshots = recorded(backlog)
    assert autosave.path.parent == sessions_dir()
    assert len(stored(autosave.path)) == len(snapshots) - 1  # one row per step, undos too

    session, count = resumed(backlog)

    assert count == len(snapshots) - 1
    assert state(session) == state(live)
    assert len(session.history) == len(live.history)
    assert session.decisions["A-0"].note.startswith("owns billing")
    # The resumed undo stack works: undoing goes back exactly like the live one.
    session.undo()
    live.undo()
    assert state(session) == state(live)


def test_the_database_is_wal_versioned_and_holds_steps_as_data(backlog: Backlog) -> None:
    autosave, live, _ = recorded(backlog)
    with sqlite3.connect(autosave.path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (VERSION,)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        meta = db.execute("SELECT backlog, sha256, items, owner FROM meta").fetchall()
        labels = db.execute(
            "SELECT json_extract(step, '$.label') FROM steps ORDER BY seq"
        ).fetchall()
    db.close()
    source = backlog.source.resolve()  # type: ignore[union-attr]
    assert meta == [(str(source), backlog.sha256, 6, "")]  # closed: nobody owns it
    assert labels[0] == ("facilitator",)
    steps = stored(autosave.path)
    assert steps[-1] == live.history[-1].to_json()
    assert sum(1 for step in steps if step.get("undo")) == 3


def test_a_step_this_version_cannot_apply_is_refused_whole(backlog: Backlog) -> None:
    autosave, _live, _ = recorded(backlog)
    bad = {"ops": [["A-0", "category", "undecided", "hiring"], ["A-1", "bogus", 1, 2]]}
    with sqlite3.connect(autosave.path) as db:
        db.execute("UPDATE steps SET step = ? WHERE seq = 3", (json.dumps(bad),))
    db.close()
    session = Session(backlog)
    with pytest.raises(InputError, match="step 3 of the autosave cannot be applied"):
        Autosave.for_backlog(backlog).resume(session)
    assert session.history == []
    assert session.decisions["A-0"].category is Category.UNDECIDED  # nothing half-applied


def test_a_database_from_a_newer_schema_is_refused_whole(backlog: Backlog) -> None:
    autosave, _live, _ = recorded(backlog)
    with sqlite3.connect(autosave.path) as db:
        db.execute(f"PRAGMA user_version = {VERSION + 1}")
    db.close()
    before = autosave.path.read_bytes()
    session = Session(backlog)

    with pytest.raises(InputError) as caught:
        Autosave.for_backlog(backlog).resume(session)

    assert caught.value.path == str(autosave.path)
    assert "newer triage-tui" in str(caught.value)
    assert "--fresh" in str(caught.value)
    assert session.history == []
    with pytest.raises(InputError):
        Autosave.for_backlog(backlog).summary()
    with pytest.raises(InputError):
        Autosave.for_backlog(backlog).attach(Session(backlog))
    # start_fresh sets it aside whole so the room can go on.
    fresh = Autosave.for_backlog(backlog)
    fresh.start_fresh()
    assert autosave.path.with_name(autosave.path.name + ".old").read_bytes() == before
    fresh.attach(live := Session(backlog))
    live.decide("A-0", Category.PARKED)
    fresh.close()
    assert resumed(backlog)[1] == 1


def other_database(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
    db.close()


@pytest.mark.parametrize(
    "content",
    [b"hello world\n", b"SQLite format 3\x00" + b"\xff" * 200, b"\x00" * 4096, "other-db"],
)
def test_a_file_that_is_not_a_session_is_a_clear_line(
    backlog: Backlog, content: bytes | str
) -> None:
    autosave = Autosave.for_backlog(backlog)
    autosave.path.parent.mkdir(parents=True)
    if content == "other-db":
        other_database(autosave.path)
    else:
        assert isinstance(content, bytes)
        autosave.path.write_bytes(content)
    for attempt in (autosave.summary, lambda: autosave.resume(Session(backlog))):
        with pytest.raises(InputError) as caught:
            attempt()
        line = str(caught.value)
        assert line.startswith(f"{autosave.path}: ")
        assert "\n" not in line
        assert "damaged" in line or "not a triage-tui autosave" in line


def test_a_truncated_database_is_a_clear_line_never_a_traceback(backlog: Backlog) -> None:
    autosave, _live, snapshots = recorded(backlog)  # closed: everything is in the file
    data = autosave.path.read_bytes()
    page = 4096
    assert len(data) >= 3 * page
    refused = []
    for cut in [*range(0, 200, 37), *range(page - 1, len(data), page // 2)]:
        autosave.path.write_bytes(data[:cut])
        try:
            session, count = resumed(backlog)
        except InputError as error:
            assert str(error).startswith(f"{autosave.path}: "), cut
            assert "\n" not in str(error)
            refused.append(cut)
        else:
            assert state(session, frozen=False) == snapshots[count], cut
    assert refused
    # Starting afresh sets the damaged file aside and the room goes on.
    autosave.path.write_bytes(data[: refused[-1]])
    fresh = Autosave.for_backlog(backlog)
    fresh.start_fresh()
    assert autosave.path.with_name(autosave.path.name + ".old").read_bytes() == data[: refused[-1]]
    fresh.attach(live := Session(backlog))
    live.decide("A-0", Category.PARKED)
    fresh.close()
    assert resumed(backlog)[1] == 1


def crash_copy(autosave: Autosave, folder: Path) -> Autosave:
    """The database and its WAL as a crash leaves them (the writer never closed)."""
    folder.mkdir()
    for suffix in ("", "-wal"):
        shutil.copy(f"{autosave.path}{suffix}", folder / f"{autosave.path.name}{suffix}")
    return Autosave(folder / autosave.path.name, autosave.backlog)


def test_truncating_the_wal_anywhere_keeps_every_step_committed_before_the_cut(
    backlog: Backlog, tmp_path: Path
) -> None:
    autosave = Autosave.for_backlog(backlog)
    live = Session(backlog)
    autosave.attach(live)
    snapshots = run_workshop(live)
    crashed = crash_copy(autosave, tmp_path / "crashed")
    wal = crashed.path.with_name(crashed.path.name + "-wal").read_bytes()
    autosave.close()
    assert len(wal) > 4096
    counts = []
    for index, cut in enumerate([*range(0, len(wal), 997), len(wal)]):
        copy = crash_copy(crashed, tmp_path / f"cut-{index}")
        copy.path.with_name(copy.path.name + "-wal").write_bytes(wal[:cut])
        session = Session(backlog)
        count = copy.resume(session)  # never raises: SQLite drops the torn transaction
        assert state(session, frozen=False) == snapshots[count], cut
        counts.append(count)
    assert counts == sorted(counts)
    assert counts[-1] == len(snapshots) - 1  # the whole WAL: every step


WRITER = """
import sys
from pathlib import Path
from tests.unit.test_autosave import make_backlog
from triage_tui.core.session import Category, Session
from triage_tui.store.autosave import Autosave

backlog = make_backlog(Path(sys.argv[1]), count=400)
autosave = Autosave.for_backlog(backlog)
session = Session(backlog)
autosave.attach(session)
for index in range(400):
    session.decide(f"A-{index}", Category.HIRING)  # one step each (no time booked)
    print(index + 1, flush=True)  # committed: decide returned
sys.stdin.read()
"""


def test_sigkill_between_steps_loses_no_committed_step(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)],
        cwd=root,
        env=dict(os.environ, PYTHONPATH=str(root)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    acknowledged = 0
    while acknowledged < 25:
        acknowledged = int(writer.stdout.readline())
    # A second window reads the same database while the writer goes on (WAL readers
    # never wait for it, nor it for them).
    reading = Autosave.for_backlog(make_backlog(tmp_path, count=400)).summary()
    assert reading is not None and reading.steps >= acknowledged
    writer.send_signal(signal.SIGKILL)  # mid-way through the next steps
    writer.wait()
    backlog = make_backlog(tmp_path, count=400)
    session, count = resumed(backlog)
    assert count >= acknowledged
    decided = [key for key, d in session.decisions.items() if d.category is Category.HIRING]
    assert decided == [f"A-{index}" for index in range(count)]  # a prefix, no gaps


def test_an_empty_file_left_by_a_crash_at_creation_resumes_nothing(backlog: Backlog) -> None:
    autosave = Autosave.for_backlog(backlog)
    autosave.path.parent.mkdir(parents=True)
    autosave.path.write_bytes(b"")
    session = Session(backlog)
    assert autosave.summary() is None
    assert autosave.resume(session) == 0
    autosave.attach(session)
    session.decide("A-0", Category.HIRING)
    autosave.close()
    again, count = resumed(backlog)
    assert count == 1
    assert again.decisions["A-0"].category is Category.HIRING


def test_summary_describes_the_saved_session(backlog: Backlog) -> None:
    assert Autosave.for_backlog(backlog).summary() is None
    autosave, live, snapshots = recorded(backlog)

    info = Autosave.for_backlog(backlog).summary()

    assert info is not None
    assert info.steps == len(snapshots) - 1
    assert info.decided == 4  # A-2 (re-decided after an undo), A-3
    assert info.items == len(backlog.items)
    assert info.undo_depth == live.undo_depth  # phase and time steps are not undoable
    assert info.phase == "categorize"
    assert info.backlog == backlog.source.resolve()  # type: ignore[union-attr]
    assert info.saved_at == live.history[-1].at
    assert info.describe().startswith("4 of 6 items decided, last saved ")
    assert autosave.exists()


def test_summary_with_a_base_counts_decisions_the_base_already_had(backlog: Backlog) -> None:
    recorded(backlog)
    base = Session(backlog)
    base.decisions["A-5"].category = Category.PARKED  # e.g. a plan reopened
    info = Autosave.for_backlog(backlog).summary(base)
    assert info is not None
    assert info.decided == 5


def test_clean_exit_compacts_to_the_undo_history(backlog: Backlog) -> None:
    autosave = Autosave.for_backlog(backlog)
    live = Session(backlog)
    autosave.attach(live)
    run_workshop(live)
    records_before = len(stored(autosave.path))
    mode_before = autosave.path.stat().st_mode

    autosave.close(live)

    assert len(stored(autosave.path)) == len(live.history) < records_before
    assert [Step.from_json(s) for s in stored(autosave.path)] == live.history
    assert autosave.path.stat().st_mode == mode_before
    session, count = resumed(backlog)
    assert count == len(live.history)
    assert state(session) == state(live)


def test_compaction_while_attached_keeps_appending(backlog: Backlog) -> None:
    autosave = Autosave.for_backlog(backlog)
    live = Session(backlog)
    autosave.attach(live)
    run_workshop(live)
    assert autosave.compact(live)
    live.decide("A-4", Category.PARKED)
    live.undo()
    live.decide("A-5", Category.PROJECT)
    autosave.close()
    session, _count = resumed(backlog)
    assert state(session) == state(live)


def test_compaction_works_from_what_is_stored_never_from_memory(backlog: Backlog) -> None:
    live = Session(backlog)
    live.decide("A-0", Category.HIRING)  # before attach: never stored
    autosave = Autosave.for_backlog(backlog)
    autosave.attach(live)
    live.decide("A-1", Category.HIRING)
    live.decide("A-2", Category.PARKED)
    live.undo()
    assert autosave.compact(live)
    assert [step["label"] for step in stored(autosave.path)] == ["hiring A-1"]
    assert not autosave.compact(live)  # nothing left to drop
    autosave.close()
    session, _count = resumed(backlog)
    assert session.decisions["A-0"].category is Category.UNDECIDED  # not invented
    assert session.decisions["A-1"].category is Category.HIRING
    assert len(session.history) == 1


def test_start_fresh_begins_a_new_run_and_keeps_the_previous_one(backlog: Backlog) -> None:
    autosave, _live, _snapshots = recorded(backlog)
    old = stored(autosave.path)
    fresh = Autosave.for_backlog(backlog)
    fresh.start_fresh()
    assert fresh.summary() is None
    session = Session(backlog)
    fresh.attach(session)
    session.decide("A-4", Category.PARKED)
    fresh.close()
    again, count = resumed(backlog)
    assert count == 1
    assert again.decisions["A-0"].category is Category.UNDECIDED
    assert stored(autosave.path, "run = 1") == old  # set aside, not deleted
    # A second start afresh keeps only the run before it.
    Autosave.for_backlog(backlog).start_fresh()
    assert stored(autosave.path, "run = 1") == []
    assert len(stored(autosave.path, "run = 2")) == 1


def test_attach_refuses_to_mix_with_a_session_it_did_not_resume(backlog: Backlog) -> None:
    recorded(backlog)
    with pytest.raises(RuntimeError, match="resume"):
        Autosave.for_backlog(backlog).attach(Session(backlog))
    with pytest.raises(ValueError, match="fresh"):
        busy = Session(backlog)
        busy.decide("A-0", Category.HIRING)
        Autosave.for_backlog(backlog).resume(busy)


def test_the_session_files_are_private_to_the_user(backlog: Backlog) -> None:
    autosave = Autosave.for_backlog(backlog)
    lock = SessionLock(autosave.lock_path)
    assert lock.acquire().ok
    autosave.attach(live := Session(backlog), lock=lock)
    live.decide("A-0", Category.HIRING)
    files = [p for p in sessions_dir().iterdir()]
    assert {p.name.removeprefix(autosave.path.stem) for p in files} == {
        ".sqlite3",
        ".sqlite3-wal",
        ".sqlite3-shm",
        ".lock",
        f".lock.{lock.token}",
    }
    assert all(p.stat().st_mode & 0o077 == 0 for p in files)
    assert sessions_dir().stat().st_mode & 0o077 == 0
    assert autosave.lock_path == autosave.path.with_suffix(".lock")
    autosave.close(live)
    lock.release()


def test_different_backlogs_and_edited_backlogs_get_different_sessions(tmp_path: Path) -> None:
    first = make_backlog(tmp_path, name="one.toml")
    second = make_backlog(tmp_path, name="two.toml")
    edited = make_backlog(tmp_path, count=7, name="one.toml")
    paths = {Autosave.for_backlog(b).path for b in (first, second, edited)}
    assert len(paths) == 3
    same = make_backlog(tmp_path, name="one.toml")
    assert Autosave.for_backlog(first).path == Autosave.for_backlog(same).path


def test_latest_session_is_the_newest_with_its_backlog_unchanged(tmp_path: Path) -> None:
    assert latest_session() is None
    older = make_backlog(tmp_path, name="older.toml")
    newer = make_backlog(tmp_path, name="newer.toml")
    for backlog, decided in ((older, 1), (newer, 2)):
        autosave = Autosave.for_backlog(backlog)
        session = Session(backlog)
        autosave.attach(session)
        for index in range(decided):
            session.decide(f"A-{index}", Category.PROJECT)
        autosave.close()  # the WAL is folded into the file: its time is the last write's
    os.utime(Autosave.for_backlog(older).path, (1_000_000, 1_000_000))

    info = latest_session()

    assert info is not None
    assert info.backlog == newer.source.resolve()  # type: ignore[union-attr]
    assert info.decided == 2
    assert info.items == 6
    assert info.title == "newer.toml"
    assert [i.title for i in iter_sessions()] == ["newer.toml", "older.toml"]
    # The newer backlog was edited since: its session no longer matches, the older one does.
    newer.source.write_text("[[items]]\ntitle = 'changed'\n")  # type: ignore[union-attr]
    info = latest_session()
    assert info is not None and info.title == "older.toml"
    info = latest_session(require_backlog=False)
    assert info is not None and info.title == "newer.toml"


def test_latest_session_offers_a_reopened_plan_after_it_was_rewritten(tmp_path: Path) -> None:
    plan_file = tmp_path / "acme.plan.toml"
    plan_file.write_text("schema = 'triage-tui/plan/1'\n")
    # read_plan keys the session by the plan's path and the *original* backlog's hash.
    plan = Backlog((Item("A-0", "Item 0"),), source=plan_file, format="plan", sha256="f" * 64)
    autosave = Autosave.for_backlog(plan)
    session = Session(plan)
    autosave.attach(session)
    session.decide("A-0", Category.HIRING)
    autosave.close()
    plan_file.write_text("schema = 'triage-tui/plan/1'\n# written again by ctrl+s\n")

    info = latest_session()

    assert info is not None
    assert info.format == "plan"
    assert info.backlog == plan_file.resolve()
    plan_file.unlink()
    assert latest_session() is None


def test_latest_session_skips_damaged_and_empty_sessions(backlog: Backlog) -> None:
    recorded(backlog)
    folder = sessions_dir()
    (folder / "junk.sqlite3").write_bytes(b"not a database at all, not even close" * 200)
    other_database(folder / "other.sqlite3")
    empty = Autosave(folder / "empty.sqlite3", backlog)
    empty.attach(Session(backlog))
    empty.close()
    future = folder / "future.sqlite3"
    shutil.copy(Autosave.for_backlog(backlog).path, future)
    with sqlite3.connect(future) as db:
        db.execute(f"PRAGMA user_version = {VERSION + 1}")
    db.close()
    info = latest_session()
    assert info is not None and info.title == "backlog.toml"
    assert [i.journal.name for i in iter_sessions()] == [Autosave.for_backlog(backlog).path.name]
    assert read_info(folder / "empty.sqlite3") is None


def test_a_failed_write_keeps_the_step_and_writes_it_with_the_next(backlog: Backlog) -> None:
    autosave = Autosave.for_backlog(backlog)
    live = Session(backlog)
    errors: list[OSError] = []
    autosave.on_error = errors.append
    autosave.attach(live)
    live.decide("A-0", Category.HIRING)
    # A full disk, as SQLite sees one: no page may be added to the database.
    writer = sqlite3.connect(autosave.path)
    writer.close()
    assert autosave._db is not None
    (pages,) = autosave._db.execute("PRAGMA page_count").fetchone()
    autosave._db.execute(f"PRAGMA max_page_count = {pages}")
    big = "spec is in Notion " * 2000  # needs new pages
    live.set_note("A-1", big)  # must not raise into the UI
    live.decide("A-1", Category.PROJECT)

    assert [e.errno for e in errors] == [errno.ENOSPC, errno.ENOSPC]
    assert autosave.unsaved == 2
    assert live.decisions["A-1"].category is Category.PROJECT
    assert "disk is full" in describe_write_error(autosave.path, errors[0])
    # Meanwhile a crash would resume the one decision on disk: nothing half-written.
    crashed, count = resumed(backlog, repair=False)
    assert count == 1
    assert crashed.decisions["A-0"].category is Category.HIRING

    autosave._db.execute("PRAGMA max_page_count = 1073741823")  # space again
    live.decide("A-2", Category.PARKED)
    assert autosave.unsaved == 0
    assert autosave.error is None
    autosave.close()
    session, count = resumed(backlog)
    assert count == 4
    assert state(session) == state(live)


def locked(backlog: Backlog) -> tuple[Autosave, SessionLock]:
    autosave = Autosave.for_backlog(backlog)
    return autosave, SessionLock(autosave.lock_path)


def test_after_a_take_over_the_old_instance_stops_writing(backlog: Backlog) -> None:
    autosave, mine = locked(backlog)
    assert mine.acquire().ok
    live = Session(backlog)
    errors: list[OSError] = []
    autosave.on_error = errors.append
    autosave.attach(live, lock=mine)
    live.decide("A-0", Category.HIRING)

    other, theirs = locked(backlog)
    assert not theirs.acquire().ok
    other.take_over(window := Session(backlog), theirs)
    live.decide("A-1", Category.HIRING)

    assert isinstance(errors[-1], SessionTakenOver)
    assert autosave.unsaved == 1
    assert len(stored(autosave.path)) == 1
    assert not autosave.compact(live)
    autosave.close(live)
    assert len(stored(autosave.path)) == 1
    assert window.decisions["A-0"].category is Category.HIRING
    other.close(window)


@pytest.mark.parametrize("case", ["directory", "missing-folder", "disk-full", "read-only"])
def test_a_failed_export_loses_nothing_already_decided(
    backlog: Backlog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    autosave = Autosave.for_backlog(backlog)
    live = Session(backlog)
    autosave.attach(live)
    run_workshop(live)
    before = state(live)
    target = tmp_path / "out" / "plan.toml"
    expected = {
        "directory": "it is a folder, not a file",
        "missing-folder": "does not exist",
        "disk-full": "the disk is full",
        "read-only": "read-only",
    }[case]
    if case == "directory":
        target.mkdir(parents=True)
    elif case != "missing-folder":
        target.parent.mkdir()

    with monkeypatch.context() as patch:
        if case == "disk-full":
            patch.setattr("triage_tui.store.fsutil.os.fsync", _raise(errno.ENOSPC))
        elif case == "read-only":
            patch.setattr("triage_tui.store.fsutil.tempfile.mkstemp", _raise(errno.EACCES))
        with pytest.raises(OSError) as caught:
            atomic_write_text(target, "schema = 'triage-tui/plan/1'\n", backup=True)

    assert expected in describe_write_error(target, caught.value)
    assert state(live) == before
    # The room picks another path and goes on; the autosave still has everything.
    atomic_write_text(tmp_path / "plan.toml", "ok\n")
    live.decide("A-4", Category.PARKED)
    autosave.close()
    session, _count = resumed(backlog)
    assert state(session) == state(live)


def _raise(code: int) -> Any:
    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code))

    return fail


def test_a_read_only_window_that_takes_over_catches_up_and_keeps_its_changes(
    backlog: Backlog,
) -> None:
    first = Autosave.for_backlog(backlog)
    first_lock = SessionLock(first.lock_path)
    assert first_lock.acquire().ok
    room = Session(backlog)
    first.attach(room, lock=first_lock)
    room.decide("A-0", Category.HIRING)
    # A second window opens the same session read-only.
    second = Autosave.for_backlog(backlog)
    second_lock = SessionLock(second.lock_path)
    assert not second_lock.acquire().ok
    window = Session(backlog)
    assert second.resume(window, repair=False) == 1
    # Both go on: the room decides more, the read-only window notes something.
    room.decide("A-1", Category.PROJECT)
    room.set_note("A-0", "room's note")
    window.set_note("A-2", "asked from the second window")
    window.decide("A-0", Category.PARKED)
    before = stored(first.path)
    assert not second.compact(window)  # never rewrites a session it does not write
    second.close(window)
    assert stored(first.path) == before

    second = Autosave.for_backlog(backlog)
    second.resume(window := Session(backlog), repair=False)
    window.set_note("A-2", "asked from the second window")
    window.decide("A-0", Category.PARKED)
    room.decide("A-3", Category.HIRING)
    second.take_over(window, second_lock)

    decisions = window.decisions
    assert decisions["A-1"].category is Category.PROJECT  # caught up with the room
    assert decisions["A-3"].category is Category.HIRING
    assert decisions["A-0"].note == "room's note"
    assert decisions["A-0"].category is Category.PARKED  # its own change, applied on top
    assert decisions["A-2"].note == "asked from the second window"
    room.decide("A-4", Category.HIRING)  # the old window no longer writes
    assert isinstance(first.error, SessionTakenOver)
    second.close()
    resumed_session, _count = resumed(backlog)
    assert state(resumed_session) == state(window)
    # Undo in the resumed session takes back the second window's last change first.
    resumed_session.undo()
    assert resumed_session.decisions["A-0"].category is Category.HIRING


def test_a_read_only_window_takes_over_after_the_owner_compacted_and_left(
    backlog: Backlog,
) -> None:
    first = Autosave.for_backlog(backlog)
    room = Session(backlog)
    first.attach(room)
    run_workshop(room)
    second = Autosave.for_backlog(backlog)
    second.resume(window := Session(backlog), repair=False)
    room.decide("A-5", Category.PROJECT)
    first.close(room)  # clean exit: the run is rewritten (compacted)

    second.attach(window)

    assert state(window, frozen=False) == state(room, frozen=False)
    window.decide("A-4", Category.PARKED)
    second.close(window)
    final, _count = resumed(backlog)
    assert state(final) == state(window)


def test_a_read_only_window_on_a_session_not_yet_saved_does_not_wipe_it(
    backlog: Backlog,
) -> None:
    second = Autosave.for_backlog(backlog)
    window = Session(backlog)
    assert second.resume(window, repair=False) == 0
    first = Autosave.for_backlog(backlog)
    first.attach(room := Session(backlog))
    room.decide("A-0", Category.HIRING)
    second.attach(window)
    assert window.decisions["A-0"].category is Category.HIRING
    second.close()
    first.close()
    final, _count = resumed(backlog)  # and on disk: the room's decision survived
    assert final.decisions["A-0"].category is Category.HIRING


def take_over(autosave: Autosave, session: Session, lock: SessionLock, how: str) -> LockResult:
    if how == "autosave":
        return autosave.take_over(session, lock)
    result = lock.take_over()  # the two calls the app made before Autosave.take_over
    autosave.attach(session, lock=lock)
    return result


@pytest.mark.parametrize("how", ["autosave", "lock-then-attach"])
def test_issue_12_race_a_take_over_after_the_owner_decided_loses_nothing(
    backlog: Backlog, how: str
) -> None:
    """Issue 12: W1 fresh, W2 opens, W1 decides, W2 takes over: every decision stays."""
    w1, w1_lock = locked(backlog)
    assert w1_lock.acquire().ok
    w1.start_fresh()
    w1.attach(room := Session(backlog), lock=w1_lock)
    w1_errors: list[OSError] = []
    w1.on_error = w1_errors.append
    # W2 opens the same backlog: held, and nothing to resume yet (so it never resumed).
    w2, w2_lock = locked(backlog)
    assert not w2_lock.acquire().ok
    assert w2.summary() is None
    window = Session(backlog)
    room.decide("A-0", Category.HIRING)  # W1 decides after W2 opened
    room.decide("A-1", Category.PROJECT)
    window.set_note("A-2", "typed in W2 while read-only")

    result = take_over(w2, window, w2_lock, how)

    assert result.ok and result.owner is not None and result.owner.token == w1_lock.token
    assert window.decisions["A-0"].category is Category.HIRING  # caught up
    assert window.decisions["A-1"].category is Category.PROJECT
    assert window.decisions["A-2"].note == "typed in W2 while read-only"
    room.decide("A-3", Category.PARKED)  # W1 no longer autosaves, and is told
    assert isinstance(w1_errors[-1], SessionTakenOver)
    window.decide("A-4", Category.PARKED)
    w2.close(window)
    final, _count = resumed(backlog)
    assert {k: d.category for k, d in final.decisions.items() if d.category != "undecided"} == {
        "A-0": Category.HIRING,
        "A-1": Category.PROJECT,
        "A-4": Category.PARKED,
    }
    assert final.decisions["A-2"].note == "typed in W2 while read-only"
    w1.close(room)


@pytest.mark.parametrize("how", ["autosave", "lock-then-attach"])
@pytest.mark.parametrize("failure", ["disk", "damaged"])
def test_a_take_over_that_fails_changes_nothing(
    backlog: Backlog, monkeypatch: pytest.MonkeyPatch, failure: str, how: str
) -> None:
    w1, w1_lock = locked(backlog)
    assert w1_lock.acquire().ok
    w1.attach(room := Session(backlog), lock=w1_lock)
    room.decide("A-0", Category.HIRING)
    w2, w2_lock = locked(backlog)
    assert not w2_lock.acquire().ok
    w2.resume(window := Session(backlog), repair=False)
    window.decide("A-5", Category.PARKED)
    room.decide("A-1", Category.PROJECT)
    expected: type[Exception] = InputError
    with monkeypatch.context() as patch:
        if failure == "disk":

            def full(*_args: Any, **_kwargs: Any) -> Any:
                raise sqlite3.OperationalError("database or disk is full")

            patch.setattr("triage_tui.store.autosave._steps", full)
            expected = OSError
        else:
            with sqlite3.connect(w1.path) as db:
                db.execute("UPDATE steps SET step = '{' WHERE seq = 2")
            db.close()

        with pytest.raises(expected):
            take_over(w2, window, w2_lock, how)

    assert w1_lock.is_ours() and not w2_lock.is_ours()  # the lock went back
    assert window.decisions["A-1"].category is Category.UNDECIDED  # W2 unchanged
    assert window.decisions["A-5"].category is Category.PARKED
    with sqlite3.connect(w1.path) as db:
        db.execute("UPDATE steps SET step = ? WHERE seq = 2", (_step_json(room, 1),))
    db.close()
    room.decide("A-2", Category.PARKED)  # and W1 still autosaves
    assert w1.error is None and w1.unsaved == 0
    assert len(stored(w1.path)) == 3
    _third, third_lock = locked(backlog)
    assert not third_lock.acquire().ok  # W1 is still the live owner
    w1.close(room)
    w1_lock.release()


def _step_json(session: Session, index: int) -> str:
    return json.dumps(session.history[index].to_json())


# -- importing the JSONL journals of earlier versions --------------------------------------
LEGACY = Path(__file__).resolve().parents[1] / "fixtures" / "legacy" / "session-1.jsonl"


def legacy_backlog(tmp_path: Path) -> tuple[Backlog, Path]:
    """The backlog the fixture journal was written over, and where the journal goes.

    tests/fixtures/legacy/session-1.jsonl was written by the JSONL Autosave (the version
    before the SQLite store) over make_backlog()'s six items, running run_workshop() and
    closing without compaction, as a crash would leave it.
    """
    backlog = make_backlog(tmp_path)
    header = json.loads(LEGACY.read_bytes().splitlines()[0])
    assert header["sha256"] == backlog.sha256  # the same items, byte for byte
    journal = sessions_dir() / f"{session_key(backlog)}.jsonl"
    journal.parent.mkdir(parents=True, exist_ok=True)
    return backlog, journal


def journal_replayed(backlog: Backlog) -> Session:
    """The fixture's steps replayed straight from its lines: what resuming it gave."""
    session = Session(backlog)
    for line in LEGACY.read_bytes().splitlines()[1:]:
        session.apply(Step.from_json(json.loads(line)["step"]), notify=False)
    return session


def test_an_old_jsonl_session_is_imported_once_with_its_undo_history(tmp_path: Path) -> None:
    backlog, journal = legacy_backlog(tmp_path)
    shutil.copy(LEGACY, journal)
    expected = journal_replayed(backlog)

    autosave = Autosave.for_backlog(backlog)
    assert autosave.exists()
    info = autosave.summary()

    assert info is not None and info.steps == 17 and info.decided == 4
    assert info.created == json.loads(LEGACY.read_bytes().splitlines()[0])["created"]
    assert not journal.exists()
    assert journal.with_name(journal.name + ".imported").read_bytes() == LEGACY.read_bytes()
    session, count = resumed(backlog)
    assert count == 17
    assert state(session) == state(expected)
    decisions = session.decisions
    assert decisions["A-0"].category is Category.HIRING
    # The old journal's note step (`rationale`, labelled "note A-0") on a hiring item
    # reads as the room's note: the field it has now.
    assert decisions["A-0"].note.startswith("owns billing on-call — « déjà vu »")
    assert decisions["A-0"].rationale == ""
    assert decisions["A-1"].marks == {1: Mark.MET, 4: Mark.MET}
    assert decisions["A-1"].handoff == {"reviewer": "Grace"}
    assert decisions["A-2"].category is Category.PROJECT
    assert decisions["A-3"].category is Category.HIRING
    assert session.facilitator == "Ada"
    session.undo()  # undo works across the import
    expected.undo()
    assert state(session) == state(expected)
    assert session.decisions["A-3"].category is Category.UNDECIDED
    # Once: a journal reappearing later does not add to the database.
    shutil.copy(LEGACY, journal)
    assert resumed(backlog)[1] == 17
    assert journal.with_name(journal.name + ".imported").exists()


def test_an_old_journal_with_a_torn_tail_imports_its_complete_steps(tmp_path: Path) -> None:
    backlog, journal = legacy_backlog(tmp_path)
    data = LEGACY.read_bytes()
    journal.write_bytes(data[: len(data) - 40])  # torn inside the last record
    session, count = resumed(backlog)
    assert count == 16
    assert session.decisions["A-3"].category is Category.UNDECIDED  # the torn step


def test_old_journals_are_imported_for_the_start_screen_too(tmp_path: Path) -> None:
    _backlog, journal = legacy_backlog(tmp_path)
    shutil.copy(LEGACY, journal)
    info = latest_session(require_backlog=False)
    assert info is not None and info.title == "backlog.toml" and info.decided == 4
    assert journal.with_suffix(".sqlite3").is_file()


def test_an_old_journal_from_a_newer_version_is_refused_and_kept(tmp_path: Path) -> None:
    backlog, journal = legacy_backlog(tmp_path)
    journal.write_bytes(b'{"journal": "triage-tui/session/9"}\n')
    with pytest.raises(InputError, match="newer triage-tui"):
        Autosave.for_backlog(backlog).summary()
    assert journal.exists()
    assert list(iter_sessions()) == []
    fresh = Autosave.for_backlog(backlog)
    fresh.start_fresh()  # sets it aside: the room can go on
    assert journal.with_name(journal.name + ".old").exists()
    assert fresh.summary() is None


# -- the room's writer thread (group commit) ---------------------------------------------
def _inline(call: Any) -> None:
    """A dispatch that runs at once (the app's is its loop's call_soon_threadsafe)."""
    call()


def test_the_writer_commits_votes_in_the_session_order_with_the_decisions(
    backlog: Backlog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage_tui.core import votes
    from triage_tui.store import autosave as store

    autosave = Autosave.for_backlog(backlog)
    live = Session(backlog)
    autosave.attach(live)
    autosave.start_writer(_inline)
    transactions: list[int] = []
    append = store._append
    monkeypatch.setattr(
        store, "_append", lambda db, steps: (transactions.append(len(steps)), append(db, steps))
    )
    # The writer is held mid-write (as while an fsync runs): votes queue up behind it.
    autosave._write_lock.acquire()
    for seat in ("s1", "s2", "s3"):
        votes.cast_vote(live, "A-0", seat, "project")
    votes.record_seat(live, "a" * 64, "s4", "Priya", False)
    assert autosave.unsaved == 4  # queued, not committed by the thread that applied them
    waiting = autosave.durable()
    assert not waiting.done()
    autosave._write_lock.release()
    waiting.result(timeout=10)  # every vote before it is on disk now
    assert autosave.unsaved == 0
    assert transactions == [4]  # one transaction (one fsync) for all four

    # A key's decision stays synchronous, and lands after the votes queued before it.
    autosave._write_lock.acquire()
    votes.cast_vote(live, "A-1", "s1", "hiring")
    autosave._write_lock.release()
    live.decide("A-1", Category.HIRING)
    assert autosave.unsaved == 0  # the vote first (the writer's or the decision's write)
    labels = [step["label"] for step in stored(autosave.path)]
    assert labels[-2:] == ["vote A-1", "hiring A-1"]
    assert labels == [step.label for step in live.history]
    assert autosave.durable().result(timeout=0) is None  # nothing waits: done at once
    autosave.close(live)
    session, _count = resumed(backlog)
    assert state(session) == state(live)
    assert session.room_seats == live.room_seats


def test_a_failed_group_commit_fails_its_waiters_and_reports_on_the_apps_thread(
    backlog: Backlog,
) -> None:
    from triage_tui.core import votes

    autosave = Autosave.for_backlog(backlog)
    live = Session(backlog)
    errors: list[OSError] = []
    dispatched: list[Any] = []
    autosave.on_error = errors.append
    autosave.attach(live)
    autosave.start_writer(dispatched.append)  # the app runs these on its loop
    assert autosave._db is not None
    (pages,) = autosave._db.execute("PRAGMA page_count").fetchone()
    autosave._db.execute(f"PRAGMA max_page_count = {pages}")  # a full disk
    autosave._write_lock.acquire()  # they all wait for one transaction
    votes.cast_vote(live, "A-0", "s1", "project", "x" * 150)
    for seat in range(40):  # enough text to need new pages
        votes.cast_vote(live, "A-0", f"s{seat + 2}", "hiring", "y" * 150)
    waiting = autosave.durable()
    autosave._write_lock.release()
    with pytest.raises(OSError) as failure:
        waiting.result(timeout=10)
    assert failure.value.errno == errno.ENOSPC
    assert errors == []  # never called on the writer thread...
    for call in dispatched:  # ...but on the app's
        call()
    assert errors and errors[0].errno == errno.ENOSPC
    assert autosave.unsaved == 41  # kept in memory, in order

    autosave._db.execute("PRAGMA max_page_count = 1073741823")  # space again
    assert autosave.stop_writer()  # the rest committed on this thread
    assert autosave.unsaved == 0 and autosave.error is None
    autosave.close(live)
    session, count = resumed(backlog)
    assert count == 41
    assert session.decisions["A-0"].votes == live.decisions["A-0"].votes


def test_closing_stops_the_writer_and_commits_what_it_held(backlog: Backlog) -> None:
    from triage_tui.core import votes

    autosave = Autosave.for_backlog(backlog)
    live = Session(backlog)
    autosave.attach(live)
    autosave.start_writer(_inline)
    writer = autosave._writer
    assert writer is not None and writer.is_alive()
    autosave._write_lock.acquire()
    votes.cast_vote(live, "A-0", "s1", "parked", "no owner")
    waiting = autosave.durable()
    autosave._write_lock.release()
    autosave.close(live)  # a clean quit with a vote still queued
    assert not writer.is_alive()
    assert waiting.result(timeout=0) is None
    session, count = resumed(backlog)
    assert count == 1
    assert session.decisions["A-0"].votes["s1"]["vote"] == "parked"


def test_old_note_steps_in_a_stored_session_keep_what_the_note_box_meant(
    backlog: Backlog,
) -> None:
    # Before the room's note had a field of its own, Categorize's note box wrote
    # `rationale` (a step labelled "note ID"), and showed a parked item's open question.
    autosave = Autosave.for_backlog(backlog)
    session = Session(backlog)
    autosave.attach(session)
    session.decide("A-0", Category.HIRING)
    session.set_note("A-0", "owns the pager")
    session.decide("A-1", Category.PARKED)
    session.set_note("A-1", "which search?")
    session.set_note("A-1", "which search: admin?")
    autosave.close()
    with sqlite3.connect(autosave.path) as db:  # rewritten as the old version stored them
        rows = db.execute("SELECT run, seq, step FROM steps").fetchall()
        for run, seq, text in rows:
            db.execute(
                "UPDATE steps SET step = ? WHERE run = ? AND seq = ?",
                (text.replace('"note"', '"rationale"'), run, seq),
            )
    db.close()
    assert sum('"rationale"' in json.dumps(step) for step in stored(autosave.path)) == 3

    again, count = resumed(backlog)
    assert count == 5
    assert (again.decisions["A-0"].rationale, again.decisions["A-0"].note) == ("", "owns the pager")
    assert (again.decisions["A-1"].rationale, again.decisions["A-1"].note) == (
        "which search: admin?",
        "",
    )
    again.undo()  # the old step undoes too, into the same field
    assert again.decisions["A-1"].rationale == "which search?"
    # Stored again (a compacted run), the steps still read the same.
    autosave = Autosave.for_backlog(backlog)
    fresh = Session(backlog)
    autosave.resume(fresh)
    autosave.attach(fresh)
    autosave.close(fresh)
    final, _count = resumed(backlog)
    assert final.decisions["A-0"].note == "owns the pager"
    assert final.decisions["A-1"].rationale == "which search: admin?"


def test_an_unexpected_error_on_the_writer_thread_fails_its_waiters_and_the_writer_lives(
    backlog: Backlog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from triage_tui.core import votes
    from triage_tui.store import autosave as store

    autosave = Autosave.for_backlog(backlog)
    live = Session(backlog)
    errors: list[OSError] = []
    autosave.on_error = errors.append
    autosave.attach(live)
    autosave.start_writer(_inline)
    append = store._append

    def broken(db: Any, steps: Any) -> None:
        raise TypeError("not JSON serializable")

    monkeypatch.setattr(store, "_append", broken)
    votes.cast_vote(live, "A-0", "s1", "project")
    with pytest.raises(OSError, match="not JSON serializable"):
        autosave.durable().result(timeout=10)
    assert errors and "not JSON serializable" in str(errors[0])
    writer = autosave._writer
    assert writer is not None and writer.is_alive()  # the thread lives on
    monkeypatch.setattr(store, "_append", append)
    votes.cast_vote(live, "A-0", "s2", "hiring")
    autosave.durable().result(timeout=10)  # the kept step and the new one land
    assert autosave.unsaved == 0
    autosave.close(live)
    session, count = resumed(backlog)
    assert count == 2
    assert set(session.decisions["A-0"].votes) == {"s1", "s2"}
