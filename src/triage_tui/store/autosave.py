"""Autosave: every session step committed to a SQLite database the moment it is made.

One database per session, ``state_dir()/sessions/<key>.sqlite3`` (`session_key`: the
backlog's path and content hash). One file per session rather than one for all: a
damaged file costs one session, never every session; two windows on different backlogs
never wait for each other's write lock; deleting a session is deleting its files; and
setting a database aside (newer format, damage) touches nobody else's work.

The database is in WAL mode with ``synchronous=FULL``: a step is on disk when its
transaction commits, and SQLite's recovery drops a transaction a crash cut short (what
the old JSONL journal did by hand with checksums and tail repair). Schema, version 1 in
``PRAGMA user_version``::

    meta(backlog, sha256, title, format, items, owner)  -- one row; owner: who autosaves
    runs(run, created, format)  -- start_fresh begins a new run; the previous one is kept
    steps(run, seq, step)     -- step: Step.to_json() as JSON; undo is a step too

``runs.format`` is the format of the run's steps (``core.session.STEPS_FORMAT``: 2 since
the room's note has a field of its own). A run without it (NULL: begun by an earlier
triage-tui, which added the column to nothing, or imported from a JSONL journal) is a
legacy run: its steps are replayed through ``core.session.legacy_step``, so undoing an
old park step puts the note back where it was. The column is added to a database of an
earlier version the first time this version writes to it; that version still reads and
writes the database (its new runs are legacy runs, which read the same).

Every write is one ``BEGIN IMMEDIATE`` transaction that first compares ``meta.owner``
with this window's token, so a window whose session was taken over cannot commit even
one more step (no check-then-write gap). A clean exit compacts the run (steps that were
undone, and their undos, are dropped). JSONL journals of earlier versions are imported
once (store.legacy).

While the room is open (`start_writer`), the room's votes and seats are committed by a
writer thread instead of the thread that applied them: every step waiting is committed in
one transaction (one fsync for all: a group commit), and the vote server acknowledges a
vote to its phone only once `durable()` says its step is on disk. Every other step (a
key's decision, a reveal) is still committed before `Session.apply` returns, together
with the votes queued before it, so the journal's order is always the session's.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage_tui.core.errors import InputError
from triage_tui.core.model import Backlog
from triage_tui.core.session import (
    READINESS_VOTE_PREFIX,
    SEAT_PREFIX,
    STEPS_FORMAT,
    VOTE_PREFIX,
    Category,
    Op,
    Session,
    Step,
    legacy_step,
    now_iso,
)
from triage_tui.store import legacy, paths
from triage_tui.store.sql import transaction as _transaction

if TYPE_CHECKING:
    from triage_tui.store.lock import LockResult, SessionLock

#: The schema this version writes and reads (``PRAGMA user_version``).
VERSION = 1

_SCHEMA = (
    """CREATE TABLE meta (
        backlog TEXT NOT NULL,  -- the backlog (or plan) file; '' for an in-memory backlog
        sha256 TEXT NOT NULL,   -- its content hash when the session began
        title TEXT NOT NULL,
        format TEXT NOT NULL,
        items INTEGER NOT NULL,
        owner TEXT NOT NULL     -- token of the window that autosaves ('' none)
    )""",
    # format: the steps' format (STEPS_FORMAT); NULL: a legacy run (see the module's doc).
    "CREATE TABLE runs (run INTEGER PRIMARY KEY, created TEXT NOT NULL, format INTEGER)",
    """CREATE TABLE steps (
        run INTEGER NOT NULL REFERENCES runs,
        seq INTEGER NOT NULL,
        step TEXT NOT NULL,     -- JSON: {"ops": [[target, field, old, new]...], "label", "at", "undo"}
        PRIMARY KEY (run, seq)
    ) WITHOUT ROWID""",
    f"PRAGMA user_version = {VERSION}",
)
_CURRENT = "(SELECT max(run) FROM runs)"


def sessions_dir() -> Path:
    """The folder holding every autosaved session (``state_dir()/sessions``)."""
    return paths.state_dir() / "sessions"


def session_key(backlog: Backlog) -> str:
    """The short key naming a backlog's database: its absolute path plus its content hash.

    The same file with the same content always maps to the same session; an edited
    backlog starts a new one (the old decisions referred to the old items).
    """
    where = str(backlog.source.resolve()) if backlog.source is not None else "<memory>"
    digest = hashlib.sha256(f"{where}\0{backlog.sha256}".encode())
    return digest.hexdigest()[:20]


class SessionTakenOver(OSError):
    """Another triage-tui took this session over; this one stops writing to it."""


@dataclass(frozen=True, slots=True)
class ResumeInfo:
    """What an autosaved session holds, for the start screen ("resume or start afresh").

    Attributes:
        journal: the session's database file.
        backlog: the backlog (or plan) file it belongs to, None for an in-memory backlog.
        backlog_sha256: the content hash of that file when the session began.
        title: the backlog's title.
        created: ISO time the session (its current run) was started.
        saved_at: ISO time of the last change (the last step's time, else the file's mtime).
        steps: stored steps (changes and undos) that resume would replay.
        undo_depth: how many changes ctrl+z can take back after resuming.
        decided: items whose category is no longer undecided.
        items: items in the backlog.
        phase: the screen the room was on ("categorize", "readiness", ...).
        format: the backlog's format (FORMATS); "plan" when the session reopened a plan.
    """

    journal: Path
    backlog: Path | None
    backlog_sha256: str
    title: str
    created: str
    saved_at: str
    steps: int
    undo_depth: int
    decided: int
    items: int
    phase: str
    format: str = ""

    def describe(self) -> str:
        """One line for the start screen, e.g. ``12 of 40 items decided, last saved ...``."""
        when = _human_time(self.saved_at)
        noun = "item" if self.items == 1 else "items"
        return f"{self.decided} of {self.items} {noun} decided, last saved {when}"


@dataclass(frozen=True)
class _Saved:
    """What a database holds: its meta row, the current run's creation time and steps."""

    meta: dict[str, Any]
    created: str
    steps: list[Step]
    legacy: bool = False  # the run has no steps format (see `_replay`)


class Autosave:
    """The stored session of one backlog.

    Typical use (the app)::

        autosave = Autosave.for_backlog(session.backlog)
        lock = SessionLock(autosave.lock_path)
        held = not lock.acquire().ok         # another window has it: read-only
        info = autosave.summary()            # None: nothing to resume
        if info and not fresh:
            autosave.resume(session, repair=not held)
        elif not held:
            autosave.start_fresh()
        if not held:
            autosave.attach(session, lock=lock)  # every step is committed from now on
        else:                                    # later, if the user says so:
            autosave.take_over(session, lock)
        ...
        autosave.close(session)              # clean exit: compact, then close
        lock.release()

    Args:
        path: the database file.
        backlog: the backlog the session is over.
    """

    def __init__(self, path: Path, backlog: Backlog) -> None:
        self.path = path
        self.backlog = backlog
        #: Called with the OSError when a step could not be written (disk full, taken
        #: over). The step is kept in memory and written with the next one that succeeds.
        self.on_error: Callable[[OSError], None] | None = None
        #: The last write error, None once everything is on disk again.
        self.error: OSError | None = None
        self._db: sqlite3.Connection | None = None  # the writer's connection (attached)
        self._token = ""  # our name in meta.owner
        self._session: Session | None = None
        self._ready = False  # resume() or start_fresh() has settled what the file holds
        self._pending: list[Step] = []  # applied, not yet committed (in session order)
        # Steps ever queued, and how many of them are committed: a `durable()` waiter
        # holds the count queued when it asked.
        self._queued = 0
        self._committed = 0
        self._waiters: list[tuple[int, Future[None]]] = []
        self._lock = threading.Lock()  # guards the queue, the counts and the waiters
        self._write_lock = threading.Lock()  # one transaction at a time on `_db`
        #: The writer thread (`start_writer`), its wake-up and how it reports errors.
        self._writer: threading.Thread | None = None
        self._wake = threading.Event()
        self._stopping = False
        self._dispatch: Callable[[Callable[[], None]], object] | None = None
        #: What `prepare` claimed (connection, token, stored steps, whether they are a
        #: legacy run's), for `attach`.
        self._claimed: tuple[sqlite3.Connection, str, list[Step], bool] | None = None
        # Set by a read-only resume: the history as resumed, to rebase on when taking over.
        self._read_only_history: list[Step] | None = None

    # -- finding ---------------------------------------------------------------------
    @classmethod
    def for_backlog(cls, backlog: Backlog, folder: Path | None = None) -> Autosave:
        """The autosave for `backlog` (its file is not created until `attach`).

        Args:
            backlog: the loaded backlog (its path and sha256 pick the database).
            folder: where sessions live; default `sessions_dir()`.
        """
        base = sessions_dir() if folder is None else folder
        return cls(base / f"{session_key(backlog)}.sqlite3", backlog)

    @property
    def lock_path(self) -> Path:
        """Where this session's lock file lives (beside the database)."""
        return self.path.with_suffix(".lock")

    @property
    def legacy_path(self) -> Path:
        """Where an earlier triage-tui kept this session (imported on first open)."""
        return self.path.with_suffix(".jsonl")

    @property
    def unsaved(self) -> int:
        """Steps applied but not yet on disk (after a write error; or a vote the writer
        thread commits in a moment)."""
        return len(self._pending)

    def exists(self) -> bool:
        """Whether this backlog has a stored session (or one still to import)."""
        return self.path.is_file() or self.legacy_path.is_file()

    def summary(self, base: Session | None = None) -> ResumeInfo | None:
        """Describe the stored session (an old journal is imported first; nothing else
        is written).

        Args:
            base: a throwaway Session to replay into, built as `resume` will get it
                (needed when the session starts from a plan's decisions); default an
                empty Session over the backlog.

        Returns:
            None when there is no session or it holds no change.

        Raises:
            InputError: the database is damaged or from a newer triage-tui.
        """
        saved = self._read()
        if saved is None or not saved.steps:
            return None
        session = base if base is not None else Session(self.backlog)
        _replay(session, saved.steps, saved.legacy)
        return _info(self.path, saved, session, len(session.backlog.items))

    # -- resuming ----------------------------------------------------------------------
    def resume(self, session: Session, *, repair: bool = True) -> int:
        """Replay the stored steps into `session`.

        Args:
            session: a fresh Session over the same backlog (nothing in its history).
            repair: False opens read-only (a second window while another instance owns
                the session): a later `take_over` then catches up with what the owner
                wrote meanwhile. (The name is kept from the journal, which was repaired.)

        Returns:
            The number of steps replayed (0 when there is no session).

        Raises:
            InputError: the database is damaged or from a newer triage-tui; nothing has
                been applied to `session`.
            ValueError: `session` already has history.
        """
        if session.history:
            raise ValueError("resume() needs a fresh Session")
        if self._db is not None:
            raise RuntimeError("resume() must come before attach()")
        saved = self._read()
        steps = saved.steps if saved is not None else []
        if saved is not None:
            self._check_backlog(saved.meta)
            _replay(session, steps, saved.legacy)
        self._ready = True
        self._read_only_history = None if repair else list(session.history)
        return len(steps)

    def start_fresh(self) -> None:
        """Begin a new run; the previous one stays in the database (one is kept).

        A database this version cannot read (damaged, newer) is set aside whole as
        ``<key>.sqlite3.old``, an unreadable old journal as ``<key>.jsonl.old``.
        """
        if self._db is not None:
            raise RuntimeError("start_fresh() must come before attach()")
        try:
            self._read()  # imports an old journal; raises if this version cannot read it
        except InputError:
            _set_aside(self.path, self.legacy_path)
        db = self._connect()
        try:
            with _transaction(db):
                db.execute(
                    "INSERT INTO runs (created, format) VALUES (?, ?)", (now_iso(), STEPS_FORMAT)
                )
                (run,) = db.execute("SELECT max(run) FROM runs").fetchone()
                db.execute("DELETE FROM steps WHERE run < ?", (run - 1,))
                db.execute("DELETE FROM runs WHERE run < ?", (run - 1,))
        except sqlite3.Error as error:
            raise _os_error(error) from None
        finally:
            db.close()
        self._ready = True

    def prepare(self, lock: SessionLock | None = None) -> None:
        """Create the database and claim it now (a backlog with none stored), on any
        thread, so that `attach` with the same lock has only to start listening: the
        disk syncs happen here (the app does this in a thread while it draws).

        Raises:
            OSError: the folder or the file cannot be created or written.
            InputError: a file already there is not a session this version can read.
            RuntimeError: a session with changes is stored (resume it instead).
        """
        if self._db is not None or self._claimed is not None:
            raise RuntimeError("already attached or prepared")
        self._claimed = self._claim(lock, taking=False)

    # -- writing -----------------------------------------------------------------------
    def attach(self, session: Session, *, lock: SessionLock | None = None) -> None:
        """Become the session's writer and commit every step `session` applies.

        Call after `resume` or `start_fresh` (or with no session stored yet). Claiming
        the ``owner`` row and reading what is stored happen in one transaction. After a
        read-only resume the owner may have written more meanwhile: `session` is rewound
        along its undo history, the stored steps replayed, and the changes made here since
        applied again on top (and stored). Undos made while read-only are not carried over.

        Args:
            session: the live session.
            lock: this session's lock (its token becomes the owner); default a token of
                our own.

        Raises:
            OSError: the state folder or the database cannot be written; the session
                still works, without autosave (show `describe_write_error(path, e)`).
                SessionTakenOver when `lock` no longer names us.
            RuntimeError: attached twice, or a session with changes is stored and neither
                `resume` nor `start_fresh` was called.
            InputError: the database is damaged or from a newer triage-tui.
        """
        if self._db is not None:
            raise RuntimeError("already attached")
        taking = lock is not None and lock.taking_over
        if taking and self._read_only_history is None:
            # Never resumed (nothing was stored when this window opened): everything in
            # the history was made here, on top of the backlog's own state.
            self._read_only_history = []
        claimed, self._claimed = self._claimed, None
        if claimed is not None and not taking and (lock is None or claimed[1] == lock.token):
            db, token, stored, legacy = claimed  # prepare() claimed it for this lock
        else:
            if claimed is not None:
                claimed[0].close()
            db, token, stored, legacy = self._claim(lock, taking=taking)
        self._db, self._token, self._session = db, token, session
        local: list[Step] = []
        if self._read_only_history is not None:
            local = _rebase(session, self._read_only_history, stored, legacy)
            self._read_only_history = None
        session.listeners.append(self._on_step)
        for step in local:
            # Old values are taken from the state now, so undo restores what is on screen.
            ops = tuple(
                Op(op.target, op.name, session.get(op.target, op.name), op.new)
                for op in step.ops
                if session.get(op.target, op.name) != op.new
            )
            if ops:  # (replace keeps whatever else the step says, e.g. whether it undoes)
                session.apply(replace(step, ops=ops, at=step.at or now_iso()))

    def _claim(
        self, lock: SessionLock | None, *, taking: bool
    ) -> tuple[sqlite3.Connection, str, list[Step], bool]:
        """Open the database, read what is stored and claim the ``owner`` row, in one
        transaction (see `attach`): the connection, our token, the stored steps and
        whether they are a legacy run's."""
        token = lock.token if lock is not None else secrets.token_hex(8)
        try:
            db = self._connect()
            try:
                with _transaction(db):
                    stored = _steps(db, self.path)
                    legacy = _legacy_run(db)
                    if self._read_only_history is None and not self._ready and stored:
                        raise RuntimeError(
                            "an autosaved session exists: resume() or start_fresh() first"
                        )
                    if lock is not None and not lock.is_ours():
                        raise SessionTakenOver(f"another triage-tui took over {self.path.name}")
                    db.execute("UPDATE meta SET owner = ?", (token,))
            except BaseException:
                db.close()
                raise
        except BaseException as error:
            if taking and lock is not None:
                lock.give_back()  # a take-over either succeeds or changes nothing
            if isinstance(error, sqlite3.Error):
                raise _os_error(error) from None
            raise
        if taking and lock is not None:
            lock.settle()
        return db, token, stored, legacy

    def take_over(self, session: Session, lock: SessionLock) -> LockResult:
        """Take the session over from the window that autosaves it, or change nothing.

        The lock moves to us, then `attach` catches up and claims the database in one
        transaction; the other window's next write fails (SessionTakenOver). If anything
        after moving the lock fails, the lock is given back and the other window goes on
        autosaving. (``lock.take_over()`` then ``attach(session, lock=lock)`` does the same.)

        Raises:
            What `attach` raises; the lock is back with its previous holder.
        """
        result = lock.take_over()
        self.attach(session, lock=lock)
        return result

    def flush(self) -> bool:
        """Commit every step waiting (the room's queued votes, steps a failed write kept
        in memory) in one transaction, on the calling thread.

        Returns:
            True when every step is on disk.
        """
        with self._write_lock:
            return self._commit_waiting(on_writer=False)

    def _commit_waiting(self, *, on_writer: bool) -> bool:
        # (Holding the write lock.) The queue is taken as it is now: the steps applied
        # meanwhile wait for the next transaction, behind these (the session's order).
        with self._lock:
            batch = list(self._pending)
            upto = self._queued
        if not batch:
            return True
        if self._db is None:
            return False
        try:
            with _transaction(self._db) as db:
                self._check_owner(db)
                _append(db, batch)
        except Exception as error:
            if not (on_writer or isinstance(error, sqlite3.Error | OSError)):
                raise
            # On the writer thread anything (a step json cannot encode, a bug) is reported
            # as a failed write: the thread lives on, the phones waiting hear it.
            failure = error if isinstance(error, OSError) else _os_error(error)
            with self._lock:
                waiting = [f for seq, f in self._waiters if seq <= upto]
                self._waiters = [(seq, f) for seq, f in self._waiters if seq > upto]
            for future in waiting:  # their phones hear it at once; the steps stay queued
                _settle(future, failure)
            self._fail(failure, on_writer=on_writer)
            return False
        with self._lock:
            del self._pending[: len(batch)]
            self._committed = upto  # the batch was every step queued up to `upto`
            done = [f for seq, f in self._waiters if seq <= self._committed]
            self._waiters = [(seq, f) for seq, f in self._waiters if seq > self._committed]
            self.error = None
        for future in done:
            _settle(future, None)
        return True

    # -- the room's writer thread ----------------------------------------------------
    def start_writer(self, dispatch: Callable[[Callable[[], None]], object]) -> None:
        """Commit the room's votes and seats on a writer thread from now on (group commit:
        the steps that waited while one transaction was syncing go in the next one).

        Args:
            dispatch: runs a callable on the thread that owns the session (the app's
                ``loop.call_soon_threadsafe``): a write error reaches `on_error` there.
        """
        if self._db is None or self._writer is not None:
            return
        self._dispatch = dispatch
        self._stopping = False
        self._writer = threading.Thread(target=self._run, name="autosave-writer", daemon=True)
        self._writer.start()

    def stop_writer(self) -> bool:
        """Stop the writer thread and commit what it had not yet (on this thread).

        Returns:
            True when every step is on disk.
        """
        writer = self._writer
        if writer is not None:
            self._stopping = True
            self._wake.set()
            writer.join()
            self._writer = None
            self._dispatch = None
        return self.flush()

    def durable(self) -> Future[None]:
        """A future resolved once every step applied so far is on disk (at once when it
        is already, or when this autosave is not writing): the vote server awaits it
        before it acknowledges a vote. It fails with the OSError when the write fails
        (the steps stay in memory and are retried with the next write).
        """
        future: Future[None] = Future()
        with self._lock:
            if not self._pending or self._db is None:
                future.set_result(None)
                return future
            if self._writer is None:
                # No writer to wait for: the steps waiting are ones a failed write kept.
                future.set_exception(self.error or OSError("the autosave is not writing"))
                return future
            self._waiters.append((self._queued, future))
        self._wake.set()
        return future

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return  # `stop_writer` commits the rest on its own thread
            with self._write_lock:
                self._commit_waiting(on_writer=True)

    def compact(self, session: Session | None = None) -> bool:
        """Drop the stored steps that were undone, and their undos, in one transaction.

        What is compacted is the stored run itself, never rebuilt from `session` (which
        callers pass on a clean exit): the result replays to the same state and the same
        undo history, whatever the session keeps in memory. Skipped when this autosave is
        not the writer, steps are still unsaved, or the session was taken over.

        Returns:
            True when the run was rewritten.

        Raises:
            OSError: the rewrite failed; the stored run is intact.
        """
        if self._db is None or not self.flush():
            return False
        try:
            with self._write_lock, _transaction(self._db) as db:
                self._check_owner(db)
                steps = _steps(db, self.path)
                kept = _without_undone(steps)
                if len(kept) == len(steps):
                    return False
                db.execute(f"DELETE FROM steps WHERE run = {_CURRENT}")
                db.executemany(
                    f"INSERT INTO steps (run, seq, step) VALUES ({_CURRENT}, ?, ?)",
                    [(n, _encode(step)) for n, step in enumerate(kept, 1)],
                )
        except SessionTakenOver:
            return False
        except sqlite3.Error as error:
            raise _os_error(error) from None
        return True

    def close(self, session: Session | None = None) -> None:
        """Stop autosaving; with `session` (a clean exit) compact first.

        Steps still unsaved after a write error are retried once. Safe to call twice.
        """
        self.stop_writer()
        if session is not None:
            with contextlib.suppress(OSError):
                self.compact(session)
        self.flush()
        with self._lock:  # a vote still unsaved: its phone hears so, never waits forever
            waiting, self._waiters = self._waiters, []
        for _seq, future in waiting:
            _settle(future, self.error or OSError("the autosave closed"))
        if self._session is not None:
            with contextlib.suppress(ValueError):
                self._session.listeners.remove(self._on_step)
            self._session = None
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("UPDATE meta SET owner = '' WHERE owner = ?", (self._token,))
            self._db.close()  # the last connection checkpoints the WAL into the file
            self._db = None
        claimed, self._claimed = self._claimed, None
        if claimed is not None:  # prepared, never attached
            with contextlib.suppress(sqlite3.Error):
                claimed[0].execute("UPDATE meta SET owner = '' WHERE owner = ?", (claimed[1],))
            claimed[0].close()

    # -- internals ---------------------------------------------------------------------
    def _on_step(self, step: Step) -> None:
        # Runs inside Session.apply: it must not raise, or the UI action that made the
        # change would fail after the change happened. Errors go to on_error instead.
        with self._lock:
            self._pending.append(step)
            self._queued += 1
        if self._writer is not None and _room_step(step):
            self._wake.set()  # a vote or a seat: the writer commits it, with its neighbours
            return
        # Anything else is on disk before the change returns, after the votes before it.
        self.flush()

    def _check_owner(self, db: sqlite3.Connection) -> None:
        (owner,) = db.execute("SELECT owner FROM meta").fetchone()
        if owner != self._token:
            raise SessionTakenOver(f"another triage-tui took over {self.path.name}")

    def _fail(self, error: OSError, *, on_writer: bool = False) -> None:
        self.error = error
        report = self.on_error
        if report is None:
            return
        dispatch = self._dispatch
        if on_writer and dispatch is not None:
            # The app hears it on its own thread, as it does for a step of a key.
            with contextlib.suppress(RuntimeError):  # (the app's loop is gone: quitting)
                dispatch(lambda: report(error))
        else:
            report(error)

    def _check_backlog(self, meta: dict[str, Any]) -> None:
        recorded = str(meta.get("sha256", ""))
        if recorded and self.backlog.sha256 and recorded != self.backlog.sha256:
            raise InputError(
                self.path,
                "this autosave belongs to another version of the backlog; "
                "start afresh (--fresh) to set it aside",
            )

    def _read(self) -> _Saved | None:
        if self.legacy_path.is_file():
            _import_journal(self.legacy_path, self.path)
        return _read(self.path)

    def _connect(self) -> sqlite3.Connection:
        if self.legacy_path.is_file():
            _import_journal(self.legacy_path, self.path)
        source = self.backlog.source
        meta = {
            "backlog": str(source.resolve()) if source is not None else "",
            "sha256": self.backlog.sha256,
            "title": self.backlog.title,
            "format": self.backlog.format,
            "items": len(self.backlog.items),
        }
        return _open(self.path, meta)


# -- the database ------------------------------------------------------------------------
def _open(
    path: Path,
    meta: dict[str, Any] | None,
    created: str = "",
    steps: list[Step] | None = None,
    run_format: int | None = STEPS_FORMAT,
) -> sqlite3.Connection:
    """A connection to the session database at `path`, created from `meta` (and the first
    run's `created` time, `steps` and their `run_format`: None for an imported journal's)
    if `meta` is given and it holds no session yet. Given `meta` (a writer), a database
    of an earlier version gets the runs' ``format`` column (its runs: legacy).

    Raises:
        InputError: not a triage-tui session, damaged, or from a newer triage-tui.
        OSError: the folder or the file cannot be created.
    """
    if meta is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Created private before SQLite writes to it; its -wal and -shm take this mode.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    uri = f"{path.resolve().as_uri()}?mode=rw"
    try:
        db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as error:
        raise _os_error(error) from None
    try:
        db.execute("PRAGMA busy_timeout = 5000")
        db.execute("PRAGMA synchronous = FULL")
        (version,) = db.execute("PRAGMA user_version").fetchone()
        if version == 0 and meta is not None:
            with _transaction(db):
                (version,) = db.execute("PRAGMA user_version").fetchone()
                if version == 0:  # nobody created it while we waited for the lock
                    _create(db, meta, created or now_iso(), steps or [], run_format)
            version = VERSION
        db.execute("PRAGMA journal_mode = WAL")
        _check_version(path, db, version)
        if meta is not None and not _has_format(db):
            with _transaction(db):
                if not _has_format(db):  # (another window may have added it meanwhile)
                    db.execute("ALTER TABLE runs ADD COLUMN format INTEGER")
    except sqlite3.DatabaseError as error:
        db.close()
        if error.sqlite_errorname in ("SQLITE_NOTADB", "SQLITE_CORRUPT"):
            raise InputError(path, _damaged(error)) from None
        raise _os_error(error) from None
    except BaseException:
        db.close()
        raise
    return db


def _create(
    db: sqlite3.Connection,
    meta: dict[str, Any],
    created: str,
    steps: list[Step],
    run_format: int | None,
) -> None:
    for statement in _SCHEMA:
        db.execute(statement)
    db.execute(
        "INSERT INTO meta (backlog, sha256, title, format, items, owner) VALUES (?,?,?,?,?,'')",
        (meta["backlog"], meta["sha256"], meta["title"], meta["format"], meta["items"]),
    )
    db.execute("INSERT INTO runs (run, created, format) VALUES (1, ?, ?)", (created, run_format))
    db.executemany(
        "INSERT INTO steps (run, seq, step) VALUES (1, ?, ?)",
        [(n, _encode(step)) for n, step in enumerate(steps, 1)],
    )


def _check_version(path: Path, db: sqlite3.Connection, version: int) -> None:
    if version > VERSION:
        raise InputError(
            path,
            f"this autosave was written by a newer triage-tui (session format {version}; "
            f"this version reads format {VERSION}): upgrade triage-tui to resume it, "
            "or start afresh (--fresh) to set it aside",
        )
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_schema")}
    if version < VERSION or not {"meta", "runs", "steps"} <= tables:
        raise InputError(path, "not a triage-tui autosave (no session tables)")


def _read(path: Path) -> _Saved | None:
    """What the database at `path` holds (None: no file), read as one snapshot.

    Raises:
        InputError: damaged, not a session, from a newer triage-tui, or a step this
            version cannot apply (nothing is half-applied).
    """
    if not path.is_file() or path.stat().st_size == 0:
        return None  # (empty: a crash before the first transaction committed)
    db = _open(path, None)
    try:
        with _transaction(db, "BEGIN"):
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise InputError(path, "the autosave is damaged; start afresh (--fresh)")
            columns = ("backlog", "sha256", "title", "format", "items")
            row = db.execute(f"SELECT {', '.join(columns)} FROM meta").fetchone()
            if row is None:
                raise InputError(path, "not a triage-tui autosave (no session row)")
            (created,) = db.execute(f"SELECT created FROM runs WHERE run = {_CURRENT}").fetchone()
            steps = _steps(db, path)
            legacy = _legacy_run(db)
    except sqlite3.DatabaseError as error:
        raise InputError(path, _damaged(error)) from None
    finally:
        db.close()
    return _Saved(dict(zip(columns, row, strict=True)), created or "", steps, legacy)


def _has_format(db: sqlite3.Connection) -> bool:
    """Whether the runs table has its ``format`` column (an earlier version's has not)."""
    return any(row[1] == "format" for row in db.execute("PRAGMA table_info(runs)"))


def _legacy_run(db: sqlite3.Connection) -> bool:
    """Whether the current run's steps were stored without a steps format (see the
    module's doc): a run of an earlier version, or of an imported journal."""
    if not _has_format(db):
        return True
    row = db.execute(f"SELECT format FROM runs WHERE run = {_CURRENT}").fetchone()
    return row is None or row[0] is None


def _replay(session: Session, steps: list[Step], legacy: bool) -> None:
    """Apply stored steps to `session` (not notified: nothing to store again); a legacy
    run's as this version means them (`core.session.legacy_step`, which needs the state
    each one is replayed onto)."""
    for step in steps:
        session.apply(legacy_step(session, step) if legacy else step, notify=False)


def _steps(db: sqlite3.Connection, path: Path) -> list[Step]:
    steps = []
    rows = db.execute(f"SELECT seq, step FROM steps WHERE run = {_CURRENT} ORDER BY seq")
    for seq, text in rows:
        try:
            step = Step.from_json(json.loads(text))
            check_step(step)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            raise InputError(
                path,
                f"step {seq} of the autosave cannot be applied by this version; "
                "start afresh (--fresh) to set the session aside",
            ) from None
        steps.append(step)
    return steps


def _append(db: sqlite3.Connection, steps: list[Step]) -> None:
    """Insert `steps` after the current run's last (inside the caller's transaction)."""
    (seq,) = db.execute(
        f"SELECT coalesce(max(seq), 0) FROM steps WHERE run = {_CURRENT}"
    ).fetchone()
    db.executemany(
        f"INSERT INTO steps (run, seq, step) VALUES ({_CURRENT}, ?, ?)",
        [(seq + n, _encode(step)) for n, step in enumerate(steps, 1)],
    )


def _import_journal(journal: Path, path: Path) -> None:
    """Import an earlier version's JSONL journal into the database at `path` (one
    transaction, so a crash leaves all of it or none), then rename it ``.jsonl.imported``.
    Steps from the first one this version cannot apply are left out, as resuming that
    journal did. A database that already holds the session is left as it is.

    Raises:
        InputError: not a journal, damaged header, newer format (the journal is kept).
    """
    try:
        header, steps = legacy.read_journal(journal)
    except OSError as error:
        raise InputError(journal, f"cannot read the autosave: {error.strerror or error}") from None
    if header is not None:
        valid = []
        for step in steps:
            try:
                check_step(step)
            except (ValueError, KeyError, TypeError, AttributeError, IndexError):
                break
            valid.append(step)
        meta: dict[str, Any] = {k: str(header.get(k, "")) for k in ("backlog", "sha256", "title")}
        meta["format"] = str(header.get("format", ""))
        items = header.get("items")
        meta["items"] = items if isinstance(items, int) else 0
        _open(path, meta, str(header.get("created", "")), valid, None).close()
    os.replace(journal, journal.with_name(journal.name + ".imported"))


def _set_aside(path: Path, journal: Path) -> None:
    """Move an unreadable database (with its WAL) or journal out of the way as ``.old``."""
    for source in (path, journal):
        if source.exists():
            os.replace(source, source.with_name(source.name + ".old"))
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, path.with_name(f"{path.name}.old{suffix}"))


def _rebase(
    session: Session, resumed: list[Step], stored: list[Step], legacy: bool = False
) -> list[Step]:
    """Rewind `session` to its base, replay `stored` (a legacy run's if `legacy`); returns
    the steps made since `resumed`."""
    history = session.history
    common = 0
    while common < min(len(resumed), len(history)) and history[common] is resumed[common]:
        common += 1
    local = history[common:]
    # The state is the fold of the undo history, so undoing it all gives the base.
    while session.history:
        session.apply(session.history[-1].inverse(), notify=False)
    _replay(session, stored, legacy)
    return local


def _without_undone(steps: list[Step]) -> list[Step]:
    """`steps` less those undone and the undos: replayed, they give the same state and the
    same undo history. Which step an undo takes back is the Session's rule, so it is
    found by replaying into a scratch Session; steps that never go on the undo stack
    (navigation, time) are always kept."""
    scratch = Session(Backlog(items=()))
    for step in steps:
        scratch.apply(step, notify=False)
    live = {id(step) for step in scratch.history}
    return [s for s in steps if not s.undo and (id(s) in live or not getattr(s, "undoable", 1))]


def check_step(step: Step) -> None:
    """Raise (KeyError, ValueError, TypeError...) unless this version can apply `step`
    and its undo: a stored step can still be one it cannot (hand-edited, a bug), and it is
    rejected before it half-applies to the session. Tried on a scratch session, so every
    field the session knows is checked the way the session itself checks it."""
    scratch = Session(Backlog(items=()))
    scratch.apply(step, notify=False)
    scratch.apply(step.inverse(), notify=False)


def _settle(future: Future[None], error: OSError | None) -> None:
    """Resolve a `durable()` future (one its awaiter cancelled meanwhile is left be)."""
    with contextlib.suppress(InvalidStateError):
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)


def _room_step(step: Step) -> bool:
    """A participant's vote or seat (all its ops), which the writer thread may commit."""
    return not step.undo and all(
        op.name.startswith((VOTE_PREFIX, READINESS_VOTE_PREFIX, SEAT_PREFIX)) for op in step.ops
    )


def _encode(step: Step) -> str:
    # ASCII only: a lone surrogate in a note can never make a step unstorable.
    return json.dumps(step.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


#: SQLite result codes as the errno the app's messages understand.
_ERRNO = {
    "SQLITE_FULL": errno.ENOSPC,
    "SQLITE_READONLY": errno.EROFS,
    "SQLITE_PERM": errno.EACCES,
    "SQLITE_CANTOPEN": errno.ENOENT,
    "SQLITE_BUSY": errno.EBUSY,
    "SQLITE_LOCKED": errno.EBUSY,
}


def _os_error(error: Exception) -> OSError:
    """A SQLite failure (or, on the writer thread, any other) as the OSError every writer
    in the app reports."""
    name = getattr(error, "sqlite_errorname", "") or ""
    code = next((c for prefix, c in _ERRNO.items() if name.startswith(prefix)), errno.EIO)
    return OSError(code, f"{os.strerror(code)} ({error})")


def _damaged(error: sqlite3.Error) -> str:
    return f"the autosave is damaged ({error}); start afresh (--fresh) to set it aside"


# -- listing -----------------------------------------------------------------------------
def _info(path: Path, saved: _Saved, session: Session, items: int) -> ResumeInfo:
    meta = saved.meta
    saved_at = next((step.at for step in reversed(saved.steps) if step.at), "")
    if not saved_at:
        with contextlib.suppress(OSError):
            mtime = datetime.fromtimestamp(_mtime(path), UTC).replace(microsecond=0)
            saved_at = mtime.isoformat().replace("+00:00", "Z")
    backlog = str(meta.get("backlog", ""))
    decided = sum(1 for d in session.decisions.values() if d.category is not Category.UNDECIDED)
    return ResumeInfo(
        journal=path,
        backlog=Path(backlog) if backlog else None,
        backlog_sha256=str(meta.get("sha256", "")),
        title=str(meta.get("title", "")),
        created=saved.created,
        saved_at=saved_at,
        steps=len(saved.steps),
        undo_depth=session.undo_depth,
        decided=decided,
        items=items,
        phase=session.phase,
        format=str(meta.get("format", "")),
    )


def read_info(path: Path) -> ResumeInfo | None:
    """Describe the session database at `path` without its backlog.

    Returns:
        None when the file is missing or holds no change.

    Raises:
        InputError: damaged, not a session, or from a newer triage-tui.
    """
    saved = _read(path)
    if saved is None or not saved.steps:
        return None
    session = Session(Backlog(items=()))
    _replay(session, saved.steps, saved.legacy)
    items = saved.meta.get("items")
    total = items if isinstance(items, int) and items else len(session.decisions)
    return _info(path, saved, session, total)


def iter_sessions(folder: Path | None = None) -> Iterator[ResumeInfo]:
    """Every readable stored session with at least one change, newest write first.

    Journals of earlier versions are imported first. Unreadable sessions (damaged,
    newer format) are skipped; opening their backlog reports them properly.
    """
    base = sessions_dir() if folder is None else folder
    try:
        for journal in base.glob("*.jsonl"):
            with contextlib.suppress(InputError, OSError):
                _import_journal(journal, journal.with_suffix(".sqlite3"))
        found = [(_mtime(p), p) for p in base.glob("*.sqlite3")]
    except OSError:
        return
    for _when, path in sorted(found, reverse=True):
        try:
            info = read_info(path)
        except (InputError, OSError):
            continue
        if info is not None:
            yield info


def _mtime(path: Path) -> float:
    # A commit lands in the -wal file; the database file changes at checkpoints.
    wal = path.with_name(path.name + "-wal")
    return max(path.stat().st_mtime, wal.stat().st_mtime if wal.exists() else 0.0)


def latest_session(
    folder: Path | None = None, *, require_backlog: bool = True
) -> ResumeInfo | None:
    """The last autosaved session, for the start screen with no file given.

    Args:
        folder: where sessions live; default `sessions_dir()`.
        require_backlog: skip sessions whose backlog file is gone or has changed since
            (opening it would not find this session). A reopened plan is keyed by the
            hash of the backlog it came from, which writing the plan does not change,
            so for plans only the file's existence is checked.

    Returns:
        The session written last, or None.
    """
    for info in iter_sessions(folder):
        if not require_backlog:
            return info
        if info.backlog is None or not info.backlog.is_file():
            continue
        if info.format == "plan" or _sha256_of(info.backlog) == info.backlog_sha256:
            return info
    return None


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


def _human_time(iso: str) -> str:
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso or "at an unknown time"
    return when.astimezone().strftime("%Y-%m-%d %H:%M")
