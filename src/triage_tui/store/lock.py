"""One owner per session, and whether that owner is alive: advisory file locks, no pid probing.

Two kinds of file, beside the session's database:

- ``<key>.lock`` names the current owner (one JSON line: pid, host, since, token). It is
  read and changed only under a ``flock`` on it, held for the few microseconds that
  takes, so of two windows deciding together exactly one becomes the owner.
- ``<key>.lock.<token>``, one per owner, is held with an exclusive ``flock`` for the
  owner's whole life. The kernel drops it the moment the process dies (SIGKILL, and a
  zombie too: its files are closed before it is reaped), so "is the owner alive" is
  "can I lock its file": no pid that might be reused, no clock, no grace period.

The lock says who may start autosaving; the database's ``owner`` row, checked inside
every writing transaction, is what stops a displaced window from writing (store.autosave).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import stat
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from triage_tui.core.session import now_iso

if sys.platform != "win32":
    import fcntl


class LockStatus(StrEnum):
    """What `SessionLock.acquire` found."""

    ACQUIRED = "acquired"  # nobody held it
    HELD = "held"  # a live instance holds it (or one on another host)
    TOOK_OVER = "took_over"  # from a dead owner, or a forced take-over


@dataclass(frozen=True, slots=True)
class LockOwner:
    """Who holds a lock, as its file says.

    Attributes:
        pid: the owner's process id (0 when unknown).
        host: the owner's host name.
        since: ISO time the owner took the lock.
        token: random per-lock value; also the owner written in the session's database.
    """

    pid: int
    host: str
    since: str
    token: str = ""


@dataclass(frozen=True, slots=True)
class LockResult:
    """The outcome of `acquire` or `take_over`.

    Attributes:
        status: acquired, held or took over.
        owner: the holder when HELD; the previous (dead or displaced) holder when
            TOOK_OVER; None when ACQUIRED.
    """

    status: LockStatus
    owner: LockOwner | None = None

    @property
    def ok(self) -> bool:
        """Whether we hold the lock now."""
        return self.status is not LockStatus.HELD

    @property
    def pid(self) -> int | None:
        """The other owner's pid (the holder, or the one taken over from)."""
        return self.owner.pid if self.owner is not None else None

    @property
    def since(self) -> str | None:
        """When the other owner took the lock (ISO time)."""
        return self.owner.since if self.owner is not None else None

    def describe(self) -> str:
        """One sentence for the user about what happened."""
        owner = self.owner
        if self.status is LockStatus.ACQUIRED or owner is None:
            return "This session is yours."
        who = f"process {owner.pid}" if owner.pid else "another process"
        if owner.host and owner.host != socket.gethostname():
            who += f" on {owner.host}"
        since = f" since {owner.since}" if owner.since else ""
        if self.status is LockStatus.HELD:
            return (
                f"This session is already open in another triage-tui ({who}{since}); "
                "open it read-only or take it over."
            )
        return f"Took this session over from {who}{since}."


class SessionLock:
    """The lock guarding one session (``<key>.lock``).

    Args:
        path: the lock file.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        #: Written as this owner's name in the lock file and in the session's database.
        self.token = secrets.token_hex(8)
        self._live: int | None = None  # our live file, flocked while we own (or owned)
        self._before: bytes | None = None  # the lock file before the last take_over

    @property
    def live_path(self) -> Path:
        """The file this owner keeps locked for as long as it lives."""
        return self.path.with_name(f"{self.path.name}.{self.token}")

    def acquire(self) -> LockResult:
        """Take the lock if it is free or its owner is dead.

        Returns:
            ACQUIRED, TOOK_OVER (`owner` is the dead process) or HELD (`owner` is the live
            holder; we do not hold the lock).

        Raises:
            OSError: the lock file cannot be created (a read-only state folder...).
        """
        with self._locked() as fd:
            owner = _parse(_read(fd))
            if owner is not None and owner.token == self.token:
                return LockResult(LockStatus.ACQUIRED)
            if owner is not None and self._alive(owner):
                return LockResult(LockStatus.HELD, owner)
            self._claim(fd)
            self._sweep()
        return LockResult(LockStatus.TOOK_OVER if owner else LockStatus.ACQUIRED, owner)

    def take_over(self) -> LockResult:
        """Take the lock whoever holds it (the user chose to). See `give_back`.

        Returns:
            TOOK_OVER with the previous holder (ACQUIRED if there was none).
        """
        with self._locked() as fd:
            self._before = _read(fd)
            self._claim(fd)
        owner = _parse(self._before)
        if owner is None or owner.token == self.token:
            return LockResult(LockStatus.ACQUIRED)
        return LockResult(LockStatus.TOOK_OVER, owner)

    @property
    def taking_over(self) -> bool:
        """A `take_over` is under way: neither confirmed by `settle` nor undone."""
        return self._before is not None

    def settle(self) -> None:
        """Confirm the last `take_over` (what had to follow it worked)."""
        self._before = None

    def give_back(self) -> None:
        """Undo the last `take_over` (what had to follow it failed): the lock file says
        again what it said before, so the holder it displaced holds the lock again."""
        before, self._before = self._before, None
        if before is None:
            return
        with self._locked() as fd:
            now = _parse(_read(fd))
            if now is not None and now.token == self.token:
                _write(fd, before)
        owner = _parse(before)
        if owner is None or owner.token != self.token:
            self._drop_live()

    def is_ours(self) -> bool:
        """Whether the lock file still names us (nobody took it over)."""
        owner = self.holder()
        return owner is not None and owner.token == self.token

    def holder(self) -> LockOwner | None:
        """Who holds the lock now, per its file (None: free or unreadable)."""
        try:
            with self._locked(shared=True, create=False) as fd:
                return _parse(_read(fd))
        except OSError:
            # Gone or unreadable: no owner can be read.
            return None

    def release(self) -> bool:
        """Let go: clear the lock file if it names us (a lock someone took over is left
        alone) and unlock our live file. Safe to call twice.

        Returns:
            True when we held the lock.
        """
        ours = False
        with contextlib.suppress(OSError), self._locked(create=False) as fd:
            owner = _parse(_read(fd))
            ours = owner is not None and owner.token == self.token
            if ours:
                _write(fd, b"")
        self._drop_live()
        return ours

    # -- internals ---------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self, *, shared: bool = False, create: bool = True) -> Iterator[int]:
        if create:
            _private_folder(self.path.parent)
        flags = os.O_RDWR | (os.O_CREAT if create else 0)
        fd = os.open(self.path, flags, 0o600)
        try:
            if sys.platform != "win32":
                fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
            yield fd
        finally:
            os.close(fd)  # closing drops the flock

    def _claim(self, fd: int) -> None:
        # Our live file first: the moment the lock file names us, we must look alive.
        me = LockOwner(os.getpid(), socket.gethostname(), now_iso(), self.token)
        if self._live is None:
            live = os.open(self.live_path, os.O_RDWR | os.O_CREAT, 0o600)
            if sys.platform != "win32":
                fcntl.flock(live, fcntl.LOCK_EX | fcntl.LOCK_NB)
            _write(live, _encode(me))
            self._live = live
        _write(fd, _encode(me))

    def _drop_live(self) -> None:
        if self._live is not None:
            with contextlib.suppress(OSError):
                self.live_path.unlink()
            os.close(self._live)
            self._live = None

    def _alive(self, owner: LockOwner) -> bool:
        # Another host's process cannot be judged from here (a shared home folder):
        # assume it is alive and let the user decide to take over.
        if owner.host != socket.gethostname() or sys.platform == "win32":
            return True
        return _locked_by_someone(self.path.with_name(f"{self.path.name}.{owner.token}"))

    def _sweep(self) -> None:
        # Live files of owners that died (crashed, or displaced and then crashed).
        if sys.platform == "win32":
            return
        for live in self.path.parent.glob(f"{self.path.name}.*"):
            if live != self.live_path:
                _locked_by_someone(live)


def _private_folder(folder: Path) -> None:
    """Create `folder` 0700, or make it so: what is in it says when the room met and who."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if stat.S_IMODE(folder.stat().st_mode) & 0o077:
        os.chmod(folder, 0o700)


def _locked_by_someone(live: Path) -> bool:
    """Whether a live process holds `live`; a file nobody holds is removed."""
    try:
        fd = os.open(live, os.O_RDWR)
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell: count it as alive
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return True
    else:
        with contextlib.suppress(OSError):
            live.unlink()
        return False
    finally:
        os.close(fd)


def _read(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 4096)


def _write(fd: int, data: bytes) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, data)
    os.fsync(fd)


def _encode(owner: LockOwner) -> bytes:
    return (json.dumps(asdict(owner), sort_keys=True) + "\n").encode()


def _parse(raw: bytes) -> LockOwner | None:
    try:
        data = json.loads(raw)
        return LockOwner(
            int(data["pid"]), str(data["host"]), str(data["since"]), str(data["token"])
        )
    except (ValueError, KeyError, TypeError):
        return None
