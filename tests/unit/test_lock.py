"""Session lock: one instance per session, stale locks from dead processes taken over."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from triage_tui.store.lock import LockStatus, SessionLock


@pytest.fixture
def lock_path(tmp_path: Path) -> Path:
    return tmp_path / "sessions" / "abc.lock"


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def write_lock(path: Path, pid: int, host: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "pid": pid,
        "host": host or socket.gethostname(),
        "since": "2026-01-01T09:00:00Z",
        "token": "someone-else",
    }
    path.write_text(json.dumps(data))


def test_acquire_then_a_second_instance_sees_it_held(lock_path: Path) -> None:
    first = SessionLock(lock_path)
    result = first.acquire()
    assert result.status is LockStatus.ACQUIRED
    assert result.ok
    content = json.loads(lock_path.read_text())
    assert content["pid"] == os.getpid()
    assert content["host"] == socket.gethostname()
    assert content["since"].endswith("Z")

    second = SessionLock(lock_path).acquire()

    assert second.status is LockStatus.HELD
    assert not second.ok
    assert second.pid == os.getpid()
    assert second.since == content["since"]
    assert "already open in another triage-tui" in second.describe()
    assert f"process {os.getpid()}" in second.describe()


def test_acquire_twice_by_the_same_owner_is_fine(lock_path: Path) -> None:
    lock = SessionLock(lock_path)
    assert lock.acquire().status is LockStatus.ACQUIRED
    assert lock.acquire().status is LockStatus.ACQUIRED


def test_release_only_removes_our_own_lock(lock_path: Path) -> None:
    first = SessionLock(lock_path)
    first.acquire()
    other = SessionLock(lock_path)
    assert not other.release()
    assert lock_path.exists()
    assert first.release()
    assert not lock_path.exists()
    assert not first.release()  # twice is harmless
    assert other.acquire().status is LockStatus.ACQUIRED


def test_a_stale_lock_from_a_dead_process_is_taken_over(lock_path: Path) -> None:
    pid = dead_pid()
    write_lock(lock_path, pid)

    lock = SessionLock(lock_path)
    result = lock.acquire()

    assert result.status is LockStatus.TOOK_OVER
    assert result.ok
    assert result.pid == pid
    assert result.since == "2026-01-01T09:00:00Z"
    assert lock.is_ours()
    assert json.loads(lock_path.read_text())["pid"] == os.getpid()
    assert "Took this session over" in result.describe()


def test_a_lock_held_on_another_host_is_never_assumed_stale(lock_path: Path) -> None:
    write_lock(lock_path, dead_pid(), host="some-other-laptop")
    result = SessionLock(lock_path).acquire()
    assert result.status is LockStatus.HELD
    assert result.owner is not None and result.owner.host == "some-other-laptop"
    assert "on some-other-laptop" in result.describe()


def test_a_live_process_of_another_user_counts_as_alive(
    lock_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_lock(lock_path, 4242)

    def not_permitted(pid: int, signal: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr("triage_tui.store.lock.os.kill", not_permitted)
    assert SessionLock(lock_path).acquire().status is LockStatus.HELD


def test_an_unreadable_lock_is_held_while_young_and_stale_when_old(lock_path: Path) -> None:
    lock_path.parent.mkdir(parents=True)
    lock_path.write_bytes(b"")  # its owner died between creating and writing it
    assert SessionLock(lock_path).acquire().status is LockStatus.HELD
    old = time.time() - 3600
    os.utime(lock_path, (old, old))
    lock = SessionLock(lock_path)
    assert lock.acquire().status is LockStatus.TOOK_OVER
    assert lock.is_ours()


def test_take_over_from_a_live_holder(lock_path: Path) -> None:
    first = SessionLock(lock_path)
    first.acquire()
    second = SessionLock(lock_path)

    result = second.take_over()

    assert result.status is LockStatus.TOOK_OVER
    assert result.pid == os.getpid()
    assert second.is_ours()
    assert not first.is_ours()
    assert not first.release()  # the displaced owner leaves the new lock alone
    assert lock_path.exists()
    assert second.release()
    assert list(lock_path.parent.iterdir()) == []  # no temp file left


def test_take_over_of_a_free_lock_is_a_plain_acquire(lock_path: Path) -> None:
    lock = SessionLock(lock_path)
    assert lock.take_over().status is LockStatus.ACQUIRED
    assert lock.is_ours()
    holder = lock.holder()
    assert holder is not None and holder.pid == os.getpid()
