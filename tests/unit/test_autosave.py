"""Autosave journal: resume after a crash, torn and corrupt records, compaction, failures."""

from __future__ import annotations

import copy
import errno
import hashlib
import json
import os
import zlib
from pathlib import Path
from typing import Any

import pytest

from triage_tui.core.errors import InputError
from triage_tui.core.model import Backlog, Item
from triage_tui.core.session import Category, Mark, Session
from triage_tui.store import autosave as autosave_module
from triage_tui.store.autosave import (
    SCHEMA,
    Autosave,
    SessionTakenOver,
    iter_sessions,
    latest_session,
    read_info,
    sessions_dir,
)
from triage_tui.store.fsutil import atomic_write_text, describe_write_error
from triage_tui.store.lock import SessionLock


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
    """A journal written live by a whole workshop, left as a crash would (not compacted)."""
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


def test_resume_round_trip_gives_identical_decisions_and_undo_history(backlog: Backlog) -> None:
    autosave, live, snapshots = recorded(backlog)
    assert autosave.path.parent == sessions_dir()
    lines = autosave.path.read_bytes().splitlines()
    assert len(lines) == 1 + len(snapshots) - 1  # header + one record per step, undos too

    session, count = resumed(backlog)

    assert count == len(snapshots) - 1
    assert state(session) == state(live)
    assert len(session.history) == len(live.history)
    assert session.decisions["A-0"].rationale.startswith("owns billing")
    # The resumed undo stack works: undoing goes back exactly like the live one.
    session.undo()
    live.undo()
    assert state(session) == state(live)


def test_journal_format_header_and_checksummed_records(backlog: Backlog) -> None:
    autosave, _live, _ = recorded(backlog)
    raw = autosave.path.read_bytes()
    assert raw.isascii()
    lines = [json.loads(line) for line in raw.splitlines()]
    header = lines[0]
    assert header["journal"] == SCHEMA
    assert header["backlog"] == str(backlog.source.resolve())  # type: ignore[union-attr]
    assert header["sha256"] == backlog.sha256
    assert header["items"] == len(backlog.items)
    assert isinstance(header["crc"], int)
    assert [line["seq"] for line in lines[1:]] == list(range(1, len(lines)))
    assert any(line["step"].get("undo") for line in lines[1:])


def test_truncating_inside_the_last_record_keeps_every_earlier_record(backlog: Backlog) -> None:
    autosave, _live, snapshots = recorded(backlog)
    data = autosave.path.read_bytes()
    last_start = data.rstrip(b"\n").rfind(b"\n") + 1
    steps = len(snapshots) - 1
    for cut in range(last_start, len(data)):
        autosave.path.write_bytes(data[:cut])

        session, count = resumed(backlog)

        assert count == steps - 1, cut
        assert state(session, frozen=False) == snapshots[-2], cut
        assert autosave.path.read_bytes() == data[:last_start], cut
        # Appending after the repair makes a clean journal again.
        again = Autosave.for_backlog(backlog)
        again.resume(fresh := Session(backlog))
        again.attach(fresh)
        fresh.decide("A-5", Category.PARKED)
        again.close()
        final, count = resumed(backlog)
        assert count == steps, cut
        assert final.decisions["A-5"].category is Category.PARKED
        assert final.decisions["A-3"].category is Category.UNDECIDED  # the torn step


def test_truncating_anywhere_never_raises_and_keeps_complete_records(backlog: Backlog) -> None:
    autosave, _live, snapshots = recorded(backlog)
    data = autosave.path.read_bytes()
    # Every offset through the header and the first three records (the last record's
    # offsets have their own test above), then a coarser sweep over the rest.
    early = len(b"".join(data.splitlines(keepends=True)[:4]))
    for cut in [*range(early + 1), *range(early, len(data) + 1, 7)]:
        autosave.path.write_bytes(data[:cut])
        complete = data[:cut].count(b"\n")
        session, count = resumed(backlog, repair=False)
        assert count == max(0, complete - 1), cut
        assert state(session, frozen=False) == snapshots[count], cut
        assert autosave.path.read_bytes() == data[:cut]  # repair=False never writes


def test_torn_header_resumes_nothing_and_attach_starts_a_clean_journal(backlog: Backlog) -> None:
    autosave = Autosave.for_backlog(backlog)
    autosave.path.parent.mkdir(parents=True)
    autosave.path.write_bytes(b'{"journal": "triage-tui/ses')
    session = Session(backlog)
    assert autosave.summary() is None
    assert autosave.resume(session) == 0
    autosave.attach(session)
    session.decide("A-0", Category.HIRING)
    autosave.close()
    again, count = resumed(backlog)
    assert count == 1
    assert again.decisions["A-0"].category is Category.HIRING


def corrupt_record(path: Path, seq: int, how: str) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    line = lines[seq]
    if how == "crc":
        record = json.loads(line)
        record["crc"] ^= 1
        lines[seq] = json.dumps(record).encode() + b"\n"
    elif how == "flip":
        index = line.index(b'"label":"') + len(b'"label":"')
        lines[seq] = line[:index] + bytes([line[index] ^ 0x01]) + line[index + 1 :]
    elif how == "garbage":
        lines[seq] = b"\x00\xff not json\n"
    elif how == "seq":
        record = json.loads(line)
        record["seq"] = seq + 7
        del record["crc"]
        body = json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
        record["crc"] = zlib.crc32(body)
        lines[seq] = json.dumps(record).encode() + b"\n"
    path.write_bytes(b"".join(lines))


@pytest.mark.parametrize("how", ["crc", "flip", "garbage", "seq"])
def test_a_corrupt_record_in_the_middle_stops_there_keeping_earlier_ones(
    backlog: Backlog, how: str
) -> None:
    autosave, _live, snapshots = recorded(backlog)
    original = autosave.path.read_bytes()
    corrupt_record(autosave.path, 4, how)

    session, count = resumed(backlog)

    assert count == 3
    assert state(session) == snapshots[3]
    good = b"".join(original.splitlines(keepends=True)[:4])
    assert autosave.path.read_bytes() == good
    discarded = autosave.path.with_name(autosave.path.name + ".discarded").read_bytes()
    assert discarded.count(b"\n") == len(snapshots) - 1 - 3  # the bad record and the rest
    # And the journal takes new records cleanly after the cut.
    again = Autosave.for_backlog(backlog)
    again.resume(live := Session(backlog))
    again.attach(live)
    live.decide("A-4", Category.HIRING)
    again.close()
    final, count = resumed(backlog)
    assert count == 4
    assert final.decisions["A-4"].category is Category.HIRING


def test_a_checksummed_record_this_version_cannot_apply_is_not_half_applied(
    backlog: Backlog,
) -> None:
    autosave, _live, snapshots = recorded(backlog)
    lines = autosave.path.read_bytes().splitlines(keepends=True)
    step = {"ops": [["A-0", "category", "undecided", "hiring"], ["A-1", "bogus", 1, 2]]}
    lines[3] = autosave_module._encode({"seq": 3, "step": step})
    autosave.path.write_bytes(b"".join(lines))
    session, count = resumed(backlog)
    assert count == 2
    assert state(session) == snapshots[2]


def write_header(path: Path, **fields: Any) -> None:
    header = {"journal": SCHEMA, "backlog": "", "sha256": "", "created": "2026-01-01T00:00:00Z"}
    header.update(fields)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(autosave_module._encode(header))


def test_a_journal_from_a_newer_schema_is_refused_whole(backlog: Backlog) -> None:
    autosave, _live, _ = recorded(backlog)
    lines = autosave.path.read_bytes().splitlines(keepends=True)
    header = json.loads(lines[0])
    del header["crc"]
    header["journal"] = "triage-tui/session/2"
    lines[0] = autosave_module._encode(header)
    autosave.path.write_bytes(b"".join(lines))
    before = autosave.path.read_bytes()
    session = Session(backlog)

    with pytest.raises(InputError) as caught:
        Autosave.for_backlog(backlog).resume(session)

    assert caught.value.path == str(autosave.path)
    assert "newer triage-tui" in str(caught.value)
    assert "--fresh" in str(caught.value)
    assert session.history == []
    assert all(d.category is Category.UNDECIDED for d in session.decisions.values())
    assert autosave.path.read_bytes() == before  # never repaired into a partial file
    with pytest.raises(InputError):
        Autosave.for_backlog(backlog).summary()
    # start_fresh sets it aside so the room can go on.
    fresh = Autosave.for_backlog(backlog)
    fresh.start_fresh()
    assert autosave.path.with_name(autosave.path.name + ".old").read_bytes() == before
    fresh.attach(Session(backlog))
    fresh.close()


@pytest.mark.parametrize(
    "content",
    [b"hello world\n", b"[1, 2]\n", b'{"journal": "someone-else/1"}\n', b"\xff\xfe\n"],
)
def test_a_file_that_is_not_a_journal_is_an_input_error(backlog: Backlog, content: bytes) -> None:
    autosave = Autosave.for_backlog(backlog)
    autosave.path.parent.mkdir(parents=True)
    autosave.path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        autosave.resume(Session(backlog))
    assert str(caught.value).startswith(f"{autosave.path}:1: ")


def test_a_damaged_header_checksum_is_an_input_error(backlog: Backlog) -> None:
    autosave, _live, _ = recorded(backlog)
    data = autosave.path.read_bytes()
    autosave.path.write_bytes(data.replace(b'"title":"backlog.toml"', b'"title":"Backlog.toml"', 1))
    with pytest.raises(InputError, match="damaged"):
        Autosave.for_backlog(backlog).resume(Session(backlog))


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
    records_before = len(autosave.path.read_bytes().splitlines()) - 1
    mode_before = autosave.path.stat().st_mode

    autosave.close(live)

    lines = autosave.path.read_bytes().splitlines()
    assert len(lines) - 1 == len(live.history) < records_before
    assert autosave.path.stat().st_mode == mode_before
    session, count = resumed(backlog)
    assert count == len(live.history)
    assert state(session) == state(live)


def test_compaction_while_attached_keeps_appending_to_the_new_file(backlog: Backlog) -> None:
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


def test_compaction_is_skipped_when_history_predates_the_journal(backlog: Backlog) -> None:
    live = Session(backlog)
    live.decide("A-0", Category.HIRING)  # before attach: not in the journal
    autosave = Autosave.for_backlog(backlog)
    autosave.attach(live)
    live.decide("A-1", Category.HIRING)
    assert not autosave.compact(live)
    autosave.close()


def test_start_fresh_sets_the_old_journal_aside(backlog: Backlog) -> None:
    autosave, _live, _ = recorded(backlog)
    old = autosave.path.read_bytes()
    fresh = Autosave.for_backlog(backlog)
    fresh.start_fresh()
    assert not fresh.exists()
    assert autosave.path.with_name(autosave.path.name + ".old").read_bytes() == old
    session = Session(backlog)
    fresh.attach(session)
    session.decide("A-4", Category.PARKED)
    fresh.close()
    again, count = resumed(backlog)
    assert count == 1
    assert again.decisions["A-0"].category is Category.UNDECIDED


def test_attach_refuses_to_mix_with_a_journal_it_did_not_resume(backlog: Backlog) -> None:
    recorded(backlog)
    with pytest.raises(RuntimeError, match="resume"):
        Autosave.for_backlog(backlog).attach(Session(backlog))
    with pytest.raises(ValueError, match="fresh"):
        busy = Session(backlog)
        busy.decide("A-0", Category.HIRING)
        Autosave.for_backlog(backlog).resume(busy)


def test_the_journal_is_private_to_the_user(backlog: Backlog) -> None:
    autosave, _live, _ = recorded(backlog)
    assert autosave.path.stat().st_mode & 0o077 == 0
    assert autosave.lock_path == autosave.path.with_suffix(".lock")


def test_different_backlogs_and_edited_backlogs_get_different_journals(tmp_path: Path) -> None:
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
        autosave.close()
    os.utime(Autosave.for_backlog(older).path, (1_000_000, 1_000_000))

    info = latest_session()

    assert info is not None
    assert info.backlog == newer.source.resolve()  # type: ignore[union-attr]
    assert info.decided == 2
    assert info.items == 6
    assert info.title == "newer.toml"
    assert [i.title for i in iter_sessions()] == ["newer.toml", "older.toml"]
    # The newer backlog was edited since: its journal no longer matches, the older one does.
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


def test_latest_session_skips_damaged_and_empty_journals(backlog: Backlog) -> None:
    recorded(backlog)
    folder = sessions_dir()
    (folder / "junk.jsonl").write_bytes(b"not a journal\n")
    write_header(folder / "empty.jsonl")
    write_header(folder / "future.jsonl", journal="triage-tui/session/9")
    info = latest_session()
    assert info is not None and info.title == "backlog.toml"
    assert read_info(folder / "empty.jsonl") is None


def test_a_failed_write_keeps_the_step_and_writes_it_with_the_next(
    backlog: Backlog, monkeypatch: pytest.MonkeyPatch
) -> None:
    autosave = Autosave.for_backlog(backlog)
    live = Session(backlog)
    errors: list[OSError] = []
    autosave.on_error = errors.append
    autosave.attach(live)
    live.decide("A-0", Category.HIRING)
    real_write_all = autosave_module._write_all

    def disk_full(fd: int, data: bytes) -> None:
        os.write(fd, data[: len(data) // 2])  # part of the record reaches the disk
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(autosave_module, "_write_all", disk_full)
    live.decide("A-1", Category.PROJECT)  # must not raise into the UI
    live.set_note("A-1", "spec is in Notion")

    assert [e.errno for e in errors] == [errno.ENOSPC, errno.ENOSPC]
    assert autosave.unsaved == 2
    assert live.decisions["A-1"].category is Category.PROJECT
    assert "disk is full" in describe_write_error(autosave.path, errors[0])
    # Meanwhile a crash would resume the one decision on disk: no torn bytes in the way.
    crashed, count = resumed(backlog, repair=False)
    assert count == 1
    assert crashed.decisions["A-0"].category is Category.HIRING

    monkeypatch.setattr(autosave_module, "_write_all", real_write_all)
    live.decide("A-2", Category.PARKED)
    assert autosave.unsaved == 0
    assert autosave.error is None
    autosave.close()
    session, count = resumed(backlog)
    assert count == 4
    assert state(session) == state(live)


def test_after_a_take_over_the_old_instance_stops_writing(backlog: Backlog) -> None:
    autosave = Autosave.for_backlog(backlog)
    mine = SessionLock(autosave.lock_path)
    assert mine.acquire().ok
    live = Session(backlog)
    errors: list[OSError] = []
    autosave.on_error = errors.append
    autosave.attach(live, lock=mine)
    live.decide("A-0", Category.HIRING)
    size = autosave.path.stat().st_size

    SessionLock(autosave.lock_path).take_over()
    live.decide("A-1", Category.HIRING)

    assert isinstance(errors[-1], SessionTakenOver)
    assert autosave.path.stat().st_size == size
    assert not autosave.compact(live)
    autosave.close(live)
    assert autosave.path.stat().st_size == size


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
    size = first.path.stat().st_size
    assert not second.compact(window)  # never rewrites a journal it does not write
    second.close(window)
    assert first.path.stat().st_size == size

    second = Autosave.for_backlog(backlog)
    second.resume(window := Session(backlog), repair=False)
    window.set_note("A-2", "asked from the second window")
    window.decide("A-0", Category.PARKED)
    room.decide("A-3", Category.HIRING)
    second_lock.take_over()
    second.attach(window, lock=second_lock)

    decisions = window.decisions
    assert decisions["A-1"].category is Category.PROJECT  # caught up with the room
    assert decisions["A-3"].category is Category.HIRING
    assert decisions["A-0"].rationale == "room's note"
    assert decisions["A-0"].category is Category.PARKED  # its own change, applied on top
    assert decisions["A-2"].rationale == "asked from the second window"
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
    first.close(room)  # clean exit: the journal is rewritten (compacted)

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
