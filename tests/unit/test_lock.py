"""Session lock: one owner per session, and a dead owner (killed, zombie) is dead at once."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from triage_tui.store.lock import LockStatus, SessionLock

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fcntl.flock is POSIX")


@pytest.fixture
def lock_path(tmp_path: Path) -> Path:
    return tmp_path / "sessions" / "abc.lock"


def write_lock(path: Path, pid: int, host: str | None = None) -> None:
    """A lock file naming an owner whose live file nobody holds (it died)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "pid": pid,
        "host": host or socket.gethostname(),
        "since": "2026-01-01T09:00:00Z",
        "token": "someone-else",
    }
    path.write_text(json.dumps(data))
    path.with_name(f"{path.name}.someone-else").write_text(json.dumps(data))


HOLDER = """
import sys
from triage_tui.store.lock import SessionLock
lock = SessionLock(sys.argv[1])
print(lock.acquire().status.value, flush=True)
sys.stdin.read()
"""


def holder(path: Path) -> subprocess.Popen[str]:
    """Another process that takes the lock and keeps it until its stdin closes."""
    return subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_acquire_then_a_second_instance_sees_it_held(lock_path: Path) -> None:
    first = SessionLock(lock_path)
    result = first.acquire()
    assert result.status is LockStatus.ACQUIRED
    assert result.ok
    content = json.loads(lock_path.read_text())
    assert content["pid"] == os.getpid()
    assert content["host"] == socket.gethostname()
    assert content["since"].endswith("Z")
    assert content["token"] == first.token

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


def test_release_only_clears_our_own_lock(lock_path: Path) -> None:
    first = SessionLock(lock_path)
    first.acquire()
    other = SessionLock(lock_path)
    assert not other.release()
    assert first.is_ours()
    assert first.release()
    assert first.holder() is None
    assert not first.live_path.exists()
    assert not first.release()  # twice is harmless
    assert other.acquire().status is LockStatus.ACQUIRED


def test_an_owner_that_died_is_taken_over(lock_path: Path) -> None:
    write_lock(lock_path, 4242)

    lock = SessionLock(lock_path)
    result = lock.acquire()

    assert result.status is LockStatus.TOOK_OVER
    assert result.ok
    assert result.pid == 4242
    assert result.since == "2026-01-01T09:00:00Z"
    assert lock.is_ours()
    assert json.loads(lock_path.read_text())["pid"] == os.getpid()
    assert "Took this session over" in result.describe()
    assert not lock_path.with_name(f"{lock_path.name}.someone-else").exists()  # swept


def test_another_process_holds_it_until_it_is_killed_zombie_included(lock_path: Path) -> None:
    other = holder(lock_path)
    assert other.stdout is not None
    try:
        assert other.stdout.readline().strip() == "acquired"
        held = SessionLock(lock_path).acquire()
        assert held.status is LockStatus.HELD
        assert held.pid == other.pid
        os.kill(other.pid, signal.SIGKILL)
        # Not reaped yet: a zombie still has its pid, but no open files and no locks.
        os.waitid(os.P_PID, other.pid, os.WEXITED | os.WNOWAIT)
        assert Path(f"/proc/{other.pid}").exists() or sys.platform != "linux"
        mine = SessionLock(lock_path)
        result = mine.acquire()
        assert result.status is LockStatus.TOOK_OVER
        assert result.pid == other.pid
    finally:
        other.kill()
        other.wait()


def test_of_many_processes_starting_together_exactly_one_gets_it(lock_path: Path) -> None:
    others = [holder(lock_path) for _ in range(6)]
    try:
        statuses = sorted(o.stdout.readline().strip() for o in others if o.stdout is not None)
    finally:
        for other in others:
            other.kill()
            other.wait()
    assert statuses == ["acquired", *["held"] * 5]


def test_a_lock_held_on_another_host_is_never_assumed_dead(lock_path: Path) -> None:
    write_lock(lock_path, 4242, host="some-other-laptop")
    result = SessionLock(lock_path).acquire()
    assert result.status is LockStatus.HELD
    assert result.owner is not None and result.owner.host == "some-other-laptop"
    assert "on some-other-laptop" in result.describe()


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"pid": 1}'])
def test_a_lock_file_naming_nobody_is_free(lock_path: Path, content: bytes) -> None:
    lock_path.parent.mkdir(parents=True)
    lock_path.write_bytes(content)  # e.g. released, or written by something else
    lock = SessionLock(lock_path)
    assert lock.acquire().status is LockStatus.ACQUIRED
    assert lock.is_ours()


def test_take_over_from_a_live_holder(lock_path: Path) -> None:
    first = SessionLock(lock_path)
    first.acquire()
    second = SessionLock(lock_path)

    result = second.take_over()

    assert result.status is LockStatus.TOOK_OVER
    assert result.pid == os.getpid()
    assert result.owner is not None and result.owner.token == first.token
    assert second.is_ours()
    assert not first.is_ours()
    assert not first.release()  # the displaced owner leaves the new lock alone
    assert second.is_ours()
    assert SessionLock(lock_path).acquire().status is LockStatus.HELD  # the new owner lives
    assert second.release()
    assert sorted(p.name for p in lock_path.parent.iterdir()) == [lock_path.name]


def test_give_back_undoes_a_take_over(lock_path: Path) -> None:
    first = SessionLock(lock_path)
    first.acquire()
    second = SessionLock(lock_path)
    second.take_over()

    second.give_back()

    assert first.is_ours()
    assert not second.is_ours()
    assert not second.live_path.exists()
    held = SessionLock(lock_path).acquire()
    assert held.status is LockStatus.HELD and held.owner is not None
    assert held.owner.token == first.token


def test_take_over_of_a_free_lock_is_a_plain_acquire(lock_path: Path) -> None:
    lock = SessionLock(lock_path)
    assert lock.take_over().status is LockStatus.ACQUIRED
    assert lock.is_ours()
    owner = lock.holder()
    assert owner is not None and owner.pid == os.getpid()


@pytest.mark.parametrize("before", ["free", "ours"])
def test_give_back_after_taking_a_free_or_own_lock_restores_just_that(
    lock_path: Path, before: str
) -> None:
    lock = SessionLock(lock_path)
    if before == "ours":
        lock.acquire()
    lock.take_over()
    lock.give_back()
    assert lock.is_ours() is (before == "ours")
    assert lock.live_path.exists() is (before == "ours")
    lock.give_back()  # nothing to give back twice
    assert lock.is_ours() is (before == "ours")


def test_the_sessions_folder_is_made_private(lock_path: Path) -> None:
    lock_path.parent.mkdir(mode=0o755)  # e.g. made by an earlier version
    os.chmod(lock_path.parent, 0o755)
    SessionLock(lock_path).acquire()
    assert lock_path.parent.stat().st_mode & 0o777 == 0o700
    assert lock_path.stat().st_mode & 0o777 == 0o600
