"""One triage-tui per session: a lock file with the owner's pid, host and start time.

The lock is created with ``O_CREAT | O_EXCL``, so of two instances starting together
exactly one gets it. A lock left by a process that is gone (same host, pid no longer
alive) is stale and taken over automatically; a live one is reported so the user can
open the session read-only or take it over.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import sys
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from triage_tui.core.session import now_iso
from triage_tui.store.fsutil import atomic_write_bytes

#: A lock file that cannot be read (its owner died between creating and writing it)
#: counts as held for this long, then as stale.
UNREADABLE_GRACE_SECONDS = 10.0


class LockStatus(StrEnum):
    """What `SessionLock.acquire` found."""

    ACQUIRED = "acquired"  # nobody held it
    HELD = "held"  # a live instance holds it (or one on another host)
    TOOK_OVER = "took_over"  # a stale lock (dead owner) or a forced take-over


@dataclass(frozen=True, slots=True)
class LockOwner:
    """Who holds a lock, as its file says.

    Attributes:
        pid: the owner's process id (0 when the file could not be read).
        host: the owner's host name.
        since: ISO time the owner took the lock.
        token: random per-acquisition value telling two owners in one process apart.
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
    """The lock file guarding one session (``<journal>.lock``).

    Args:
        path: the lock file.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._token = secrets.token_hex(8)
        self._me = LockOwner(os.getpid(), socket.gethostname(), "", self._token)

    def acquire(self) -> LockResult:
        """Take the lock if it is free or stale.

        Returns:
            ACQUIRED, TOOK_OVER (a stale lock; `owner` is the dead process) or HELD
            (`owner` is the live holder; we do not hold the lock).

        Raises:
            OSError: the lock file cannot be created (a read-only state folder...).
        """
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        stale: LockOwner | None = None
        # Retried only when a stale lock vanished or was replaced under us.
        for _attempt in range(5):
            if self._create():
                return LockResult(LockStatus.TOOK_OVER if stale else LockStatus.ACQUIRED, stale)
            raw = self._read_raw()
            if raw is None:
                continue  # released between our attempt and our read
            owner = _parse(raw)
            if owner is not None and owner.token == self._token:
                return LockResult(LockStatus.ACQUIRED)
            if owner is None:
                if self._age() < UNREADABLE_GRACE_SECONDS:
                    return LockResult(LockStatus.HELD, LockOwner(0, "", ""))
                stale = LockOwner(0, "", "")
            elif _alive(owner):
                return LockResult(LockStatus.HELD, owner)
            else:
                stale = owner
            # Remove the stale lock only if it is still the very file we judged: another
            # instance may have taken it over in the meantime.
            if self._read_raw() == raw:
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
        owner = _parse(self._read_raw() or b"")
        return LockResult(LockStatus.HELD, owner or LockOwner(0, "", ""))

    def take_over(self) -> LockResult:
        """Take the lock whoever holds it (the user chose to); the holder stops writing.

        Returns:
            TOOK_OVER with the previous holder (None if there was none: ACQUIRED).
        """
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        previous = _parse(self._read_raw() or b"")
        atomic_write_bytes(self.path, self._content())
        if previous is None or previous.token == self._token:
            return LockResult(LockStatus.ACQUIRED)
        return LockResult(LockStatus.TOOK_OVER, previous)

    def is_ours(self) -> bool:
        """Whether the lock file on disk is still ours (nobody took it over)."""
        owner = _parse(self._read_raw() or b"")
        return owner is not None and owner.token == self._token

    def holder(self) -> LockOwner | None:
        """Who holds the lock now, per its file (None: free or unreadable)."""
        return _parse(self._read_raw() or b"")

    def release(self) -> bool:
        """Remove the lock if it is ours; a lock someone took over is left alone.

        Returns:
            True when we held it and removed it.
        """
        if not self.is_ours():
            return False
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        return True

    # -- internals ---------------------------------------------------------------------
    def _content(self) -> bytes:
        me = self._me
        data = {"pid": me.pid, "host": me.host, "since": now_iso(), "token": me.token}
        return (json.dumps(data, sort_keys=True) + "\n").encode()

    def _create(self) -> bool:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return False
        try:
            # One write: a reader sees an empty file or the whole record, and an empty
            # one is given UNREADABLE_GRACE_SECONDS before it counts as stale.
            os.write(fd, self._content())
            os.fsync(fd)
        finally:
            os.close(fd)
        return True

    def _read_raw(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except OSError:
            # Gone or unreadable: no owner can be read. This runs inside every autosave
            # (is_ours), where an exception would escape a decision already applied.
            return None

    def _age(self) -> float:
        try:
            return time.time() - self.path.stat().st_mtime
        except OSError:
            return 0.0


def _parse(raw: bytes) -> LockOwner | None:
    try:
        data = json.loads(raw)
        return LockOwner(
            int(data["pid"]), str(data["host"]), str(data["since"]), str(data["token"])
        )
    except (ValueError, KeyError, TypeError):
        return None


def _alive(owner: LockOwner) -> bool:
    # Only a process on this host can be checked; elsewhere assume it is alive and let
    # the user decide to take over.
    if owner.host != socket.gethostname():
        return True
    if owner.pid <= 0:
        return False
    if sys.platform == "win32":
        # os.kill(pid, 0) would terminate the process on Windows.
        return True
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by another user
    except OSError:
        return True
    return True
