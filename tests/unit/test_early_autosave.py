"""open_workshop(early=True): a new autosave is made in a thread while the app draws its
first frame, and is attached by `Room.settle_autosave()` before anything can change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLES
from triage_tui import services
from triage_tui.core.session import Category
from triage_tui.services import LaunchOptions
from triage_tui.store.autosave import Autosave
from triage_tui.store.lock import LockStatus, SessionLock


@pytest.fixture
def acme(tmp_path: Path) -> Path:
    target = tmp_path / "acme.toml"
    shutil.copy(SAMPLES / "acme.toml", target)
    return target


def early(path: Path, **options: object) -> services.Room:
    return services.open_workshop(path, LaunchOptions(file=path, **options), early=True)  # type: ignore[arg-type]


def first_look_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """`Autosave.exists` says False once (the look before the thread), then the truth."""
    real_exists = Autosave.exists
    looked: list[bool] = []

    def exists(self: Autosave) -> bool:
        if not looked:
            looked.append(True)
            return False
        return real_exists(self)

    monkeypatch.setattr(Autosave, "exists", exists)


def decide_first(room: services.Room) -> str:
    item = room.workshop.in_scope[0]
    room.session.decide(item.id, Category.HIRING)
    return item.id


def test_a_new_autosave_is_made_in_a_thread_and_attached_by_settle(acme: Path) -> None:
    room = early(acme)
    assert room.autosave is None  # not yet: the thread is making it
    assert room.settle_autosave() is False  # nothing resumed
    assert room.autosaving and room.autosave is not None and room.lock is not None
    item_id = decide_first(room)
    assert room.save_state().saved
    path = room.autosave.path
    room.close()
    # The decision is in the journal: a second opening resumes it.
    again = services.open_workshop(acme, LaunchOptions(file=acme))
    assert again.session.decisions[item_id].category is Category.HIRING
    assert "Resumed" in again.resume_info
    assert again.autosave is not None and again.autosave.path == path
    again.close()


def test_a_stored_autosave_is_resumed_before_the_first_frame(acme: Path) -> None:
    first = services.open_workshop(acme, LaunchOptions(file=acme))
    item_id = decide_first(first)
    first.close()
    room = early(acme)
    # Resumed at once (the first frame shows it): no thread, nothing left to settle.
    assert room.session.decisions[item_id].category is Category.HIRING
    assert room.autosaving and "Resumed" in room.resume_info
    assert room.settle_autosave() is False
    room.close()


def test_a_session_stored_meanwhile_is_resumed_by_settle(
    acme: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = services.open_workshop(acme, LaunchOptions(file=acme))
    item_id = decide_first(first)
    first.close()
    # Another window made it between our look and our lock: the look said "none".
    first_look_finds_nothing(monkeypatch)
    room = early(acme)
    assert room.session.decisions[item_id].category is not Category.HIRING  # not resumed yet
    assert room.settle_autosave() is True  # resumed now: the app redraws
    assert room.session.decisions[item_id].category is Category.HIRING
    assert room.workshop.decided_count() == 1
    assert "Resumed the autosaved session" in room.resume_info
    assert room.autosaving
    room.close()


def test_a_session_held_elsewhere_meanwhile_opens_read_only(
    acme: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = services.open_workshop(acme, LaunchOptions(file=acme))
    first_look_finds_nothing(monkeypatch)
    room = early(acme)
    room.settle_autosave()
    assert room.read_only and not room.autosaving
    room.close()
    other.close()


def test_closing_before_settling_lets_the_lock_go(acme: Path) -> None:
    room = early(acme)
    lock_path = Autosave.for_backlog(room.session.backlog).lock_path
    room.close()
    probe = SessionLock(lock_path)
    assert probe.acquire().status is LockStatus.ACQUIRED
    probe.release()


def test_an_unwritable_state_folder_opens_without_autosave(
    acme: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the state folder should be")
    monkeypatch.setenv("TRIAGE_TUI_STATE_DIR", str(blocked))
    room = early(acme)
    room.settle_autosave()
    assert room.autosave is None and not room.autosaving
    assert room.autosave_error
    room.close()


@pytest.mark.parametrize("options", [{"fresh": True}, {"autosave": False}])
def test_fresh_and_no_autosave_take_the_usual_path(acme: Path, options: dict[str, bool]) -> None:
    room = early(acme, **options)
    assert room.settle_autosave() is False
    assert room.autosaving is (options.get("autosave", True))
    room.close()


def _owner(path: Path) -> str:
    import sqlite3

    db = sqlite3.connect(path)
    try:
        (owner,) = db.execute("SELECT owner FROM meta").fetchone()
    finally:
        db.close()
    return str(owner)


def test_prepare_makes_and_claims_the_database_and_attach_only_listens(acme: Path) -> None:
    session = services.load_session(acme, LaunchOptions(file=acme))
    autosave = Autosave.for_backlog(session.backlog)
    autosave.lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = SessionLock(autosave.lock_path)
    assert lock.acquire().status is LockStatus.ACQUIRED
    autosave.prepare(lock)
    assert _owner(autosave.path) == lock.token  # claimed in prepare (the thread's part)
    autosave.attach(session, lock=lock)
    item = session.backlog.items[0]
    session.decide(item.id, Category.PROJECT)
    autosave.close(session)
    lock.release()
    replayed = services.load_session(acme, LaunchOptions(file=acme))
    Autosave.for_backlog(replayed.backlog).resume(replayed)
    assert replayed.decisions[item.id].category is Category.PROJECT


def test_a_prepared_autosave_closed_unattached_gives_the_database_back(acme: Path) -> None:
    session = services.load_session(acme, LaunchOptions(file=acme))
    autosave = Autosave.for_backlog(session.backlog)
    autosave.prepare()
    assert _owner(autosave.path) != ""
    autosave.close()
    assert _owner(autosave.path) == ""


def test_prepare_refuses_a_stored_session(acme: Path) -> None:
    first = services.open_workshop(acme, LaunchOptions(file=acme))
    decide_first(first)
    first.close()
    session = services.load_session(acme, LaunchOptions(file=acme))
    with pytest.raises(RuntimeError, match="resume"):
        Autosave.for_backlog(session.backlog).prepare()
