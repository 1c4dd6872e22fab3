"""The real app in a pseudo-terminal, killed with SIGKILL mid-workshop, resumes every decision."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.conftest import SAMPLES
from triage_tui.core.session import Category, Session
from triage_tui.formats.loaders import load
from triage_tui.store.autosave import Autosave

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")


class Terminal:
    """`python -m triage_tui FILE` in a 120x36 pseudo-terminal."""

    def __init__(self, backlog: Path, state_dir: Path) -> None:
        env = dict(os.environ, TERM="xterm-256color", TRIAGE_TUI_STATE_DIR=str(state_dir))
        env.pop("TEXTUAL", None)
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the app
            os.execvpe(sys.executable, [sys.executable, "-m", "triage_tui", str(backlog)], env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
        self.seen = b""

    def shows(self, needle: bytes) -> bool:
        """`needle` was drawn: in the bytes, or once the escape sequences are taken out (a
        toast over two panels is drawn in pieces, each placed by a cursor move)."""
        return needle in self.seen or needle in re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", self.seen)

    def read_until(self, needle: bytes, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.shows(needle):
            left = deadline - time.monotonic()
            if left <= 0:
                tail = self.seen[-2000:].decode("utf-8", "replace")
                raise AssertionError(f"{needle!r} never appeared; last output: {tail}")
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if ready:
                try:
                    self.seen += os.read(self.fd, 65536)
                except OSError:
                    break

    def drain(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    self.seen += os.read(self.fd, 65536)
                except OSError:
                    return

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def kill(self, *, reap: bool = True) -> None:
        """SIGKILL; with reap=False the child stays a zombie until `reap()`."""
        os.kill(self.pid, signal.SIGKILL)
        os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT)  # dead, not yet reaped
        if reap:
            self.reap()

    def reap(self) -> int:
        _pid, status = os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.fd)
        return os.waitstatus_to_exitcode(status)

    def wait_exit(self, timeout: float = 30.0) -> int:
        """Read until the app exits by itself; its exit code."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.drain(0.2)
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            self.drain(0.1)
        self.kill()
        raise AssertionError("the app did not exit")


def test_sigkill_mid_workshop_loses_nothing(tmp_path: Path) -> None:
    backlog = tmp_path / "acme.toml"
    backlog.write_bytes((SAMPLES / "acme.toml").read_bytes())
    state = tmp_path / "state"
    keys = "hpsph"

    first = Terminal(backlog, state)
    try:
        first.read_until(b"Begin")
        first.type("\r")
        first.read_until(b"decided")
        total = len(load(backlog).items)
        for key in keys:
            first.type(key)
            first.drain(0.2)
        # The pace line shows the last decision: by then it is fsynced (Session.apply).
        first.read_until(f"{len(keys)} of {total} decided".encode())
    finally:
        first.kill(reap=False)  # a zombie: its pid lives on, its lock does not

    # What the journal holds after the kill: every decision, in order.
    items = load(backlog).items
    session = Session(load(backlog))
    journal = Autosave.for_backlog(session.backlog, state / "sessions")
    # repair=False: read the file exactly as the killed process left it.
    # Every decision, the move to Categorize and the time booked on the items (journaled
    # steps, not undoable).
    assert journal.resume(session, repair=False) >= len(keys) + 1
    assert session.phase == "categorize" and session.undo_depth == len(keys)
    expected = {"h": Category.HIRING, "p": Category.PROJECT, "s": Category.PARKED}
    for item, key in zip(items, keys, strict=False):
        assert session.decisions[item.id].category is expected[key], item.id

    # And the app, started again while the killed one is still a zombie, resumes it
    # without asking "open elsewhere?": the dead process's file lock went with it.
    second = Terminal(backlog, state)
    try:
        second.read_until(b"Resumed")
        second.read_until(f"{len(keys)} of {len(items)}".encode())
        assert b"open elsewhere" not in second.seen
    finally:
        second.kill()
        first.reap()


def test_a_damaged_database_is_one_line_and_exit_1_never_a_traceback(tmp_path: Path) -> None:
    backlog = tmp_path / "acme.toml"
    backlog.write_bytes((SAMPLES / "acme.toml").read_bytes())
    state = tmp_path / "state"
    session = Session(load(backlog))
    autosave = Autosave.for_backlog(session.backlog, state / "sessions")
    autosave.attach(session)
    session.decide(session.backlog.items[0].id, Category.HIRING)
    autosave.close(session)
    data = autosave.path.read_bytes()
    autosave.path.write_bytes(data[:100] + b"\xde\xad" * 3000 + data[6100:])  # torn pages

    app = Terminal(backlog, state)
    code = app.wait_exit()

    output = app.seen.decode("utf-8", "replace")
    assert code == 1
    assert "Traceback" not in output
    assert f"{autosave.path}: the autosave is damaged" in output
    assert "--fresh" in output
