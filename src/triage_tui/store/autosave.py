"""Autosave: an append-only, checksummed journal of session steps that survives a power cut.

File format (one JSON object per line, ASCII, under ``state_dir()/sessions/``)::

    {"journal": "triage-tui/session/1", "backlog": "/abs/path.toml", "sha256": "...",
     "title": "...", "items": 40, "created": "2026-...Z", "crc": 123}
    {"seq": 1, "step": {"ops": [[...]], "label": "hiring API-12", "at": "..."}, "crc": 456}
    ...

``crc`` is the CRC-32 of the record's canonical JSON without the ``crc`` key (sorted keys,
no spaces, ASCII). A record counts once its newline is on disk: each one is appended
with a single ``os.write`` on an ``O_APPEND`` descriptor and fsynced, so a crash leaves
at most one torn last line, which resuming cuts off. Undo is journaled as an ordinary
step with ``"undo": true``. The cost per decision is one small append and one fsync,
independent of the backlog's size.

On a clean exit the journal is compacted: rewritten atomically as the header plus the
session's undo history (the steps that, replayed in order, give the same state and the
same undo depth). Undone steps and their undos disappear; nothing else changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage_tui.core.errors import InputError
from triage_tui.core.model import Backlog
from triage_tui.core.session import (
    SESSION,
    SESSION_FIELDS,
    Category,
    Decision,
    Op,
    Session,
    Step,
    now_iso,
)
from triage_tui.store import paths
from triage_tui.store.fsutil import atomic_write_bytes, fsync_dir

if TYPE_CHECKING:
    from triage_tui.store.lock import SessionLock

#: The journal format this version writes and reads.
SCHEMA = "triage-tui/session/1"
_SCHEMA_PREFIX = "triage-tui/session/"
_VERSION = 1


def sessions_dir() -> Path:
    """The folder holding every autosaved session (``state_dir()/sessions``)."""
    return paths.state_dir() / "sessions"


def session_key(backlog: Backlog) -> str:
    """The short key naming a backlog's journal: its absolute path plus its content hash.

    The same file with the same content always maps to the same journal; an edited
    backlog starts a new one (the old decisions referred to the old items).
    """
    where = str(backlog.source.resolve()) if backlog.source is not None else "<memory>"
    digest = hashlib.sha256(f"{where}\0{backlog.sha256}".encode())
    return digest.hexdigest()[:20]


class SessionTakenOver(OSError):
    """Another triage-tui took this session's lock over; this one stops writing to it."""


@dataclass(frozen=True, slots=True)
class ResumeInfo:
    """What an autosaved session holds, for the start screen ("resume or start afresh").

    Attributes:
        journal: the journal file.
        backlog: the backlog (or plan) file it belongs to, None for an in-memory backlog.
        backlog_sha256: the content hash of that file when the session began.
        title: the backlog's title.
        created: ISO time the journal was started.
        saved_at: ISO time of the last change (the last step's time, else the file's mtime).
        steps: journal records (changes and undos) that resume would replay.
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


@dataclass
class _Scan:
    """What reading a journal found."""

    header: dict[str, Any] | None  # None: no complete header (empty file, torn at birth)
    steps: list[Step]
    good_size: int  # byte offset just after the last good record
    size: int  # bytes read
    problem: str  # why reading stopped early, "" when every byte was good


class Autosave:
    """The journal of one backlog's session.

    Typical use (the app)::

        autosave = Autosave.for_backlog(session.backlog)
        lock = SessionLock(autosave.lock_path)
        held = not lock.acquire().ok         # another window has it: read-only
        info = autosave.summary()            # None: nothing to resume
        if info and not fresh:
            autosave.resume(session, repair=not held)
        elif not held:
            autosave.start_fresh()
        if not held:                         # (or later, after lock.take_over())
            autosave.attach(session, lock=lock)  # every step is appended from now on
        ...
        autosave.close(session)              # clean exit: compact, then close
        lock.release()

    Args:
        path: the journal file.
        backlog: the backlog the session is over.
    """

    def __init__(self, path: Path, backlog: Backlog) -> None:
        self.path = path
        self.backlog = backlog
        #: Called with the OSError when a step could not be written (disk full, lock lost).
        #: The step is kept in memory and written with the next one that succeeds.
        self.on_error: Callable[[OSError], None] | None = None
        #: The last write error, None once everything is on disk again.
        self.error: OSError | None = None
        self._fd: int | None = None
        self._session: Session | None = None
        self._lock: SessionLock | None = None
        self._ready = False  # resume() or start_fresh() has settled what the file holds
        self._size = 0  # bytes of good records on disk
        self._seq = 0  # last sequence number used
        self._depth = 0  # undo depth the journal reproduces
        self._created = ""
        self._pending: list[tuple[bytes, bool]] = []  # (record, is an undo), not yet on disk
        self._dirty = False  # a failed write may have left bytes past _size
        # Set by a read-only resume: the history as resumed, to rebase on at attach.
        self._read_only_history: list[Step] | None = None

    # -- finding ---------------------------------------------------------------------
    @classmethod
    def for_backlog(cls, backlog: Backlog, folder: Path | None = None) -> Autosave:
        """The autosave for `backlog` (its file is not created until `attach`).

        Args:
            backlog: the loaded backlog (its path and sha256 pick the journal).
            folder: where journals live; default `sessions_dir()`.
        """
        base = sessions_dir() if folder is None else folder
        return cls(base / f"{session_key(backlog)}.jsonl", backlog)

    @property
    def lock_path(self) -> Path:
        """Where this session's lock file lives (beside the journal)."""
        return self.path.with_suffix(".lock")

    @property
    def unsaved(self) -> int:
        """Steps applied but not yet on disk (after a write error)."""
        return len(self._pending)

    def exists(self) -> bool:
        """Whether a journal file exists for this backlog."""
        return self.path.is_file()

    def summary(self, base: Session | None = None) -> ResumeInfo | None:
        """Describe the autosaved session without touching the file.

        Args:
            base: a throwaway Session to replay into, built as `resume` will get it
                (needed when the session starts from a plan's decisions); default an
                empty Session over the backlog.

        Returns:
            None when there is no journal or it holds no change.

        Raises:
            InputError: the file is not a journal, or one from a newer triage-tui.
        """
        scan = _read(self.path)
        if scan is None or not scan.steps:
            return None
        session = base if base is not None else Session(self.backlog)
        for step in scan.steps:
            session.apply(step, notify=False)
        return _info(self.path, scan, session, len(session.backlog.items))

    # -- resuming ----------------------------------------------------------------------
    def resume(self, session: Session, *, repair: bool = True) -> int:
        """Replay every complete, checksum-valid record into `session`.

        Reading stops at the first torn or corrupt record; with `repair` the file is cut
        back to the last good record (anything cut that was more than a torn last line is
        kept in ``<journal>.discarded``) so later appends follow good data.

        Args:
            session: a fresh Session over the same backlog (nothing in its history).
            repair: cut off a bad tail; pass False to open read-only (a second window
                while another instance holds the lock). A later `attach` (after taking
                the lock over) then re-reads the journal; see `attach`.

        Returns:
            The number of records replayed (0 when there is no journal).

        Raises:
            InputError: the file is not a journal, or one from a newer triage-tui; nothing
                has been applied to `session`.
            ValueError: `session` already has history.
        """
        if session.history:
            raise ValueError("resume() needs a fresh Session")
        if self._fd is not None:
            raise RuntimeError("resume() must come before attach()")
        scan = _read(self.path)
        if scan is None:
            self._settle(0, 0, 0, "")
            self._read_only_history = None if repair else []
            return 0
        self._check_backlog(scan)
        for step in scan.steps:
            session.apply(step, notify=False)
        if repair and scan.good_size < scan.size:
            self._cut_tail(scan)
        created = str(scan.header.get("created", "")) if scan.header else ""
        self._settle(scan.good_size, len(scan.steps), len(session.history), created)
        if not repair:
            self._read_only_history = list(session.history)
        return len(scan.steps)

    def start_fresh(self) -> None:
        """Set the old journal aside as ``<journal>.old`` (replacing an older one)."""
        if self._fd is not None:
            raise RuntimeError("start_fresh() must come before attach()")
        with contextlib.suppress(FileNotFoundError):
            os.replace(self.path, self.path.with_name(self.path.name + ".old"))
        self._settle(0, 0, 0, "")

    # -- writing -----------------------------------------------------------------------
    def attach(self, session: Session, *, lock: SessionLock | None = None) -> None:
        """Start appending every step `session` applies (changes and undos).

        Call after `resume` or `start_fresh` (or with no journal on disk yet).

        After a read-only resume (``repair=False``, then the user took the lock over),
        the journal is read again, since the other instance may have written more or
        compacted it on exit: `session` is rewound along its undo history, the journal
        replayed, and the changes made here meanwhile are applied again on top (and
        journaled). Undos made while read-only are not carried over.

        Args:
            session: the live session.
            lock: this session's lock; once another instance takes it over, writing
                stops and `on_error` gets a `SessionTakenOver`.

        Raises:
            OSError: the state folder cannot be created or written; the session still
                works, without autosave (show `describe_write_error(autosave.path, e)`).
            RuntimeError: attached twice, or a journal with changes exists and neither
                `resume` nor `start_fresh` was called.
            InputError: (after a read-only resume) the journal became unreadable.
        """
        if self._fd is not None:
            raise RuntimeError("already attached")
        local = self._rebase(session) if self._read_only_history is not None else []
        if not self._ready:
            scan = _read(self.path)
            if scan is not None and scan.steps:
                raise RuntimeError("an autosaved session exists: resume() or start_fresh() first")
            good = scan.good_size if scan is not None else 0
            created = str(scan.header.get("created", "")) if scan and scan.header else ""
            self._settle(good, 0, 0, created)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size != self._size:
                os.ftruncate(fd, self._size)
            if self._size == 0:
                header = self._header()
                _write_all(fd, header)
                _sync(fd)
                fsync_dir(self.path.parent)
                self._size = len(header)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self._lock = lock
        self._session = session
        session.listeners.append(self._on_step)
        for step in local:
            # Old values are taken from the state now, so undo restores what is on screen.
            ops = tuple(
                Op(op.target, op.name, session.get(op.target, op.name), op.new)
                for op in step.ops
                if session.get(op.target, op.name) != op.new
            )
            if ops:
                session.apply(Step(ops, step.label, step.at or now_iso()))

    def flush(self) -> bool:
        """Retry writing steps a failed write kept in memory.

        Returns:
            True when every step is on disk.
        """
        if not self._pending:
            return True
        if self._fd is None:
            return False
        if self._lock is not None and not self._lock.is_ours():
            self._fail(SessionTakenOver(f"another triage-tui took over {self.path.name}"))
            return False
        data = b"".join(record for record, _undo in self._pending)
        try:
            if self._dirty:
                # A failed write may have left part of a record: cut it before appending.
                if os.fstat(self._fd).st_size != self._size:
                    os.ftruncate(self._fd, self._size)
                self._dirty = False
            _write_all(self._fd, data)
            _sync(self._fd)
        except OSError as error:
            self._dirty = True
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self._size)
                self._dirty = False
            self._fail(error)
            return False
        self._size += len(data)
        self._depth = _depth_after(self._depth, self._pending)
        self._pending.clear()
        self.error = None
        return True

    def compact(self, session: Session) -> bool:
        """Rewrite the journal atomically as the header plus `session.history`.

        The result replays to the same state with the same undo depth. Skipped (the
        journal is kept as it is, still correct) when this autosave did not record the
        whole history or the lock now belongs to another instance.

        Returns:
            True when the journal was rewritten.

        Raises:
            OSError: the rewrite failed; the old journal is intact.
        """
        if self._fd is None:
            # Only the writer compacts: a read-only window must never rewrite the journal
            # another instance is appending to.
            return False
        if not self._ready or len(session.history) != _depth_after(self._depth, self._pending):
            # The journal does not account for every step in the history (a change made
            # before attach): compacting from the history could not be checked.
            return False
        if self._lock is not None and not self._lock.is_ours():
            return False
        records = [self._header()]
        records += [_record(seq, step) for seq, step in enumerate(session.history, start=1)]
        data = b"".join(records)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        existed = self.path.exists()
        atomic_write_bytes(self.path, data)  # keeps an existing journal's 0600 mode
        if not existed:
            os.chmod(self.path, 0o600)
        # The old descriptor points at the replaced file; appends go to the new one.
        os.close(self._fd)
        self._fd = None
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        self._size = len(data)
        self._seq = len(session.history)
        self._depth = len(session.history)
        self._pending.clear()
        self._dirty = False
        self.error = None
        return True

    def close(self, session: Session | None = None) -> None:
        """Stop autosaving; with `session` (a clean exit) compact first.

        Steps still unsaved after a write error are retried once. Safe to call twice.
        """
        if session is not None:
            with contextlib.suppress(OSError):
                self.compact(session)
        self.flush()
        if self._session is not None:
            with contextlib.suppress(ValueError):
                self._session.listeners.remove(self._on_step)
            self._session = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    # -- internals ---------------------------------------------------------------------
    def _rebase(self, session: Session) -> list[Step]:
        # Returns the steps made since the read-only resume, to apply again after attach.
        resumed = self._read_only_history or []
        history = session.history
        common = 0
        while common < min(len(resumed), len(history)) and history[common] is resumed[common]:
            common += 1
        local = history[common:]
        # The state is the fold of the undo history, so undoing it all gives the base.
        while session.history:
            session.apply(session.history[-1].inverse(), notify=False)
        scan = _read(self.path)
        steps = scan.steps if scan is not None else []
        for step in steps:
            session.apply(step, notify=False)
        if scan is not None and scan.good_size < scan.size:
            self._cut_tail(scan)  # ours to repair now: the lock was taken over
        created = str(scan.header.get("created", "")) if scan and scan.header else ""
        self._settle(scan.good_size if scan else 0, len(steps), len(session.history), created)
        self._read_only_history = None
        return local

    def _settle(self, size: int, seq: int, depth: int, created: str) -> None:
        self._ready = True
        self._size = size
        self._seq = seq
        self._depth = depth
        self._created = created or now_iso()

    def _header(self) -> bytes:
        source = self.backlog.source
        header = {
            "journal": SCHEMA,
            "backlog": str(source.resolve()) if source is not None else "",
            "sha256": self.backlog.sha256,
            "title": self.backlog.title,
            "format": self.backlog.format,
            "items": len(self.backlog.items),
            "created": self._created or now_iso(),
        }
        return _encode(header)

    def _on_step(self, step: Step) -> None:
        # Runs inside Session.apply: it must not raise, or the UI action that made the
        # change would fail after the change happened. Errors go to on_error instead.
        self._seq += 1
        self._pending.append((_record(self._seq, step), step.undo))
        self.flush()

    def _fail(self, error: OSError) -> None:
        self.error = error
        if self.on_error is not None:
            self.on_error(error)

    def _check_backlog(self, scan: _Scan) -> None:
        recorded = str(scan.header.get("sha256", "")) if scan.header else ""
        if recorded and self.backlog.sha256 and recorded != self.backlog.sha256:
            raise InputError(
                self.path,
                "this autosave belongs to another version of the backlog; "
                "start afresh (--fresh) to set it aside",
                1,
            )

    def _cut_tail(self, scan: _Scan) -> None:
        try:
            with open(self.path, "r+b") as handle:
                handle.seek(scan.good_size)
                tail = handle.read()
                if b"\n" in tail:
                    # More than a torn last line: keep the evidence instead of erasing it.
                    side = self.path.with_name(self.path.name + ".discarded")
                    with open(side, "ab") as kept:
                        kept.write(tail)
                handle.truncate(scan.good_size)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as error:
            # attach() cuts it again (and raises if it still cannot); resuming still works.
            self.error = error


# -- reading journals -----------------------------------------------------------------
def _read(path: Path) -> _Scan | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise InputError(path, f"cannot read the autosave: {error.strerror or error}") from None
    return _scan(path, data)


def _scan(path: Path, data: bytes) -> _Scan:
    end = data.find(b"\n")
    if end < 0:
        # Empty, or torn while the header itself was being written: nothing to resume.
        return _Scan(None, [], 0, len(data), "torn header" if data else "")
    header = _parse_header(path, data[:end])
    steps: list[Step] = []
    pos = end + 1
    problem = ""
    while pos < len(data):
        end = data.find(b"\n", pos)
        if end < 0:
            problem = "torn last record"
            break
        step = _parse_record(data[pos:end], len(steps) + 1)
        if step is None:
            problem = f"bad record on line {len(steps) + 2}"
            break
        steps.append(step)
        pos = end + 1
    return _Scan(header, steps, pos, len(data), problem)


def _parse_header(path: Path, line: bytes) -> dict[str, Any]:
    try:
        header = json.loads(line)
    except ValueError:
        header = None
    journal = header.get("journal") if isinstance(header, dict) else None
    if not isinstance(header, dict) or not isinstance(journal, str):
        raise InputError(path, "not a triage-tui autosave (unreadable header)", 1)
    # The version is checked before the checksum: a newer format may checksum differently.
    version_text = journal.removeprefix(_SCHEMA_PREFIX)
    if not journal.startswith(_SCHEMA_PREFIX) or not version_text.isdigit():
        raise InputError(path, f"not a triage-tui autosave (format {journal!r})", 1)
    version = int(version_text)
    if version > _VERSION:
        raise InputError(
            path,
            f"this autosave was written by a newer triage-tui (session format {version}; "
            f"this version reads format {_VERSION}): upgrade triage-tui to resume it, "
            "or start afresh (--fresh) to set it aside",
            1,
        )
    if version < _VERSION or not _crc_ok(header):
        raise InputError(
            path, "the autosave's header is damaged; start afresh (--fresh) to set it aside", 1
        )
    return header


def _parse_record(line: bytes, seq: int) -> Step | None:
    try:
        record = json.loads(line)
        if not isinstance(record, dict) or record.get("seq") != seq or not _crc_ok(record):
            return None
        step = Step.from_json(record["step"])
        _check_step(step)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return step


def _check_step(step: Step) -> None:
    # A checksummed record can still be one this version cannot apply (hand-edited, a
    # bug): reject it before it half-applies to the session.
    for op in step.ops:
        if op.target == SESSION:
            if op.name not in SESSION_FIELDS:
                raise KeyError(op.name)
            if op.name == "minutes":
                int(op.new)
                int(op.old)
            elif op.name == "scope":
                dict(op.new or {})
                dict(op.old or {})
        else:
            scratch = Decision()
            scratch.set(op.name, op.new)
            scratch.set(op.name, op.old)


def _info(path: Path, scan: _Scan, session: Session, items: int) -> ResumeInfo:
    header = scan.header or {}
    saved_at = next((step.at for step in reversed(scan.steps) if step.at), "")
    if not saved_at:
        with contextlib.suppress(OSError):
            mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(microsecond=0)
            saved_at = mtime.isoformat().replace("+00:00", "Z")
    backlog = str(header.get("backlog", ""))
    decided = sum(1 for d in session.decisions.values() if d.category is not Category.UNDECIDED)
    return ResumeInfo(
        journal=path,
        backlog=Path(backlog) if backlog else None,
        backlog_sha256=str(header.get("sha256", "")),
        title=str(header.get("title", "")),
        created=str(header.get("created", "")),
        saved_at=saved_at,
        steps=len(scan.steps),
        undo_depth=session.undo_depth,
        decided=decided,
        items=items,
        phase=session.phase,
        format=str(header.get("format", "")),
    )


def read_info(path: Path) -> ResumeInfo | None:
    """Describe the journal at `path` without its backlog (counts come from the journal).

    Returns:
        None when the file is missing or holds no change.

    Raises:
        InputError: the file is not a journal, or one from a newer triage-tui.
    """
    scan = _read(path)
    if scan is None or not scan.steps:
        return None
    session = Session(Backlog(items=()))
    for step in scan.steps:
        session.apply(step, notify=False)
    items = (scan.header or {}).get("items")
    total = items if isinstance(items, int) else len(session.decisions)
    return _info(path, scan, session, total)


def iter_sessions(folder: Path | None = None) -> Iterator[ResumeInfo]:
    """Every readable autosaved session with at least one change, newest first.

    Unreadable journals (damaged, newer format) are skipped; opening their backlog
    reports them properly.
    """
    base = sessions_dir() if folder is None else folder
    try:
        journals = [(p.stat().st_mtime, p) for p in base.glob("*.jsonl")]
    except OSError:
        return
    for _mtime, journal in sorted(journals, reverse=True):
        try:
            info = read_info(journal)
        except (InputError, OSError):
            continue
        if info is not None:
            yield info


def latest_session(
    folder: Path | None = None, *, require_backlog: bool = True
) -> ResumeInfo | None:
    """The last autosaved session, for the start screen with no file given.

    Args:
        folder: where journals live; default `sessions_dir()`.
        require_backlog: skip sessions whose backlog file is gone or has changed since
            (opening it would not find this journal). A reopened plan is keyed by the
            hash of the backlog it came from, which writing the plan does not change,
            so for plans only the file's existence is checked.

    Returns:
        The newest session by file time, or None.
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


# -- encoding ---------------------------------------------------------------------------
def _canonical(obj: dict[str, Any]) -> bytes:
    # ASCII only: a lone surrogate in a note can never make a record unencodable.
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _crc_ok(record: dict[str, Any]) -> bool:
    crc = record.pop("crc", None)
    return isinstance(crc, int) and zlib.crc32(_canonical(record)) == crc


def _encode(obj: dict[str, Any]) -> bytes:
    body = _canonical(obj)
    return body[:-1] + b',"crc":%d}\n' % zlib.crc32(body)


def _record(seq: int, step: Step) -> bytes:
    return _encode({"seq": seq, "step": step.to_json()})


def _depth_after(depth: int, pending: list[tuple[bytes, bool]]) -> int:
    # The undo depth after replaying `pending` on top of `depth` (an undo pops one).
    for _record_bytes, undo in pending:
        depth = max(0, depth - 1) if undo else depth + 1
    return depth


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _sync(fd: int) -> None:
    # fdatasync skips the timestamp update fsync would also flush; the size change that
    # an append makes is still written, which is all a reader needs.
    sync = getattr(os, "fdatasync", os.fsync)
    sync(fd)


def _human_time(iso: str) -> str:
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso or "at an unknown time"
    return when.astimezone().strftime("%Y-%m-%d %H:%M")
