"""The use cases, free of any UI: open a backlog or plan, resume or start afresh, take a
session over, go to a phase, export, quit. The app and the command line both call these.

Every file the app or the command line writes goes through one `GuardedWriter`: never
the backlog itself, never outside the allowed folder when one is set (`--out DIR`).

No textual or rich imports (import-linter checks it).
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from triage_tui.core.errors import InputError
from triage_tui.core.sanitize import shown
from triage_tui.core.session import Session, Step
from triage_tui.core.workshop import PHASES, Workshop
from triage_tui.store.fsutil import WriteRefused, check_inside, describe_write_error, inside

if TYPE_CHECKING:
    from triage_tui.core.model import Item
    from triage_tui.core.readiness import Assessment
    from triage_tui.core.session import Decision
    from triage_tui.store.autosave import Autosave, ResumeInfo
    from triage_tui.store.lock import SessionLock

#: Reports how far a big load got: ("read" | "built", items so far).
Progress = Callable[[str, int], None]
#: Reports how far an export got: (fraction done 0..1, the file being written next).
ExportProgress = Callable[[float, str], None]
#: Each export's share of the work, measured at 100,000 items (bench/run.py "export"):
#: the plan is the biggest; handoffs are split evenly between their documents.
_EXPORT_WEIGHTS = {"plan": 0.45, "brief": 0.25, "csv": 0.1, "handoffs": 0.2}


@dataclass
class LaunchOptions:
    """What the command line asked for (see cli.py).

    Attributes:
        file: the backlog or plan to open, None for the start screen's chooser.
        plan: where ctrl+s writes the plan (default beside the backlog).
        minutes: the workshop's length from --minutes (a resumed session otherwise wins).
        mapping: CSV field -> column overrides (--map).
        fresh: set an autosaved session aside instead of resuming it.
        theme: the theme name asked for.
        autosave: journal every change (off only in tests and benchmarks).
        default_minutes: the config file's length, used when nothing else says.
        out: --out DIR: every file written must resolve inside this folder.
        carry_from: --from OLD.plan.toml: last quarter's plan to carry decisions from.
        default_team: the config file's [team] (repository, stack, reviewer_hours,
            access): what a new backlog's handoffs say about the team until the room
            changes it; a reopened plan keeps its own [meta.team] (saving it unchanged
            writes the same bytes).
        room_host, room_port: --room-host / --room-port: where the room's vote server
            listens when `R` opens it (None: the config's, else loopback, any free port).
    """

    file: Path | None = None
    plan: Path | None = None
    minutes: int | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    fresh: bool = False
    theme: str | None = None
    autosave: bool = True
    default_minutes: int = 60
    out: Path | None = None
    carry_from: Path | None = None
    default_team: dict[str, str] = field(default_factory=dict)
    room_host: str | None = None
    room_port: int | None = None


class ServiceError(Exception):
    """A use case could not be done; the message is the sentence the user sees."""


# -- the one guarded writer -------------------------------------------------------------
class ProtectedFile(WriteRefused):
    """A write to a file that is never overwritten (the backlog itself, the plan being read)."""

    def __init__(self, path: Path, what: str) -> None:
        OSError.__init__(
            self,
            errno.EPERM,
            f"Refused to write {path}: that is {what}, which is never overwritten; "
            "choose another file",
            str(path),
        )
        self.path = Path(path)
        self.folder = self.path.parent


def _same_file(a: Path, b: Path) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)  # a hard link to the backlog is the backlog too
    except OSError:
        return False


@dataclass(frozen=True)
class GuardedWriter:
    """Writes files atomically, refusing the inputs and anything outside `out`.

    Attributes:
        protected: files never written (the backlog a session came from, a plan being
            rendered as a brief).
        out: when set (--out DIR), the folder every write must resolve inside.
        what: what the protected files are, for the refusal's sentence.
    """

    protected: tuple[Path, ...] = ()
    out: Path | None = None
    what: str = "the backlog itself"

    def check(self, path: Path) -> None:
        """Raise `WriteRefused` when `path` may not be written."""
        for kept in self.protected:
            if _same_file(path, kept):
                raise ProtectedFile(path, self.what)
        check_inside(path, self.out)

    def write_text(self, path: Path, text: str, *, backup: bool = False) -> Path:
        """Check, then write `text` atomically (see `store.fsutil.atomic_write_text`).

        Raises:
            WriteRefused: the guard refused; nothing was written.
            OSError: the write failed; the old file is intact.
        """
        from triage_tui.store.fsutil import atomic_write_text

        self.check(path)
        return atomic_write_text(path, text, backup=backup)


def writer_for(session: Session, out: Path | None = None) -> GuardedWriter:
    """The writer for a session: its backlog (and a plan's original backlog) protected."""
    protected: list[Path] = []
    source = session.backlog.source
    if source is not None and session.backlog.format != "plan":
        protected.append(source)
    original = session.plan_meta.get("backlog")
    if isinstance(original, str) and original:
        # A plan records its backlog relative to the plan's own folder.
        base = source.parent if source is not None else Path.cwd()
        protected.append(base / original)
    return GuardedWriter(tuple(protected), out)


@dataclass(frozen=True)
class ExportResult:
    """What an export did: one message per file, and whether every file was written."""

    messages: tuple[str, ...]
    ok: bool
    #: An export from a worker (`Room.export(taken=...)`): the plan it wrote and that
    #: write's result, for `Room.exported` to settle on the thread that owns the session.
    plan_write: tuple[PlanSave, ExportResult] | None = None


def _report_part(
    report: Callable[[float, str], None], start: float, share: float, what: str, part: float
) -> None:
    """`part` of one export file's `share` of the bar, which starts at `start`."""
    report(start + share * part, what)


@dataclass(frozen=True)
class PlanSave:
    """A plan to write, taken on the thread that owns the session (`Room.snapshot_plan`).

    Attributes:
        path: where it goes.
        session: the decisions as they were (a copy no later change reaches; the live
            session when `Room.export` writes it on the calling thread).
        items: the items the plan holds, as they were.
        changes: the room's changes counted when it was taken (`Room.plan_written`: those
            are on disk once it is written).
        acted: the workshop's `acted` when it was taken (back if the write fails).
        take: its number among the plans this room took (a later one is newer).
    """

    path: Path
    session: Session
    items: tuple[Item, ...]
    changes: int
    acted: bool
    take: int = 0


def frozen_copy(session: Session, decisions: dict[str, Decision] | None = None) -> Session:
    """A copy of `session` that no later step changes, for writing the plan off the UI
    thread: its decisions (`copy_decisions`, or `decisions` already copied) and every
    table the plan reads copied; no history, no listeners.

    Taken on the thread that owns the session.
    """
    from triage_tui.core.session import Decisions

    if decisions is None:
        decisions = copy_decisions(session)
    return replace(
        session,
        decisions=Decisions(session.backlog.items, decisions),
        scope=dict(session.scope),
        carry=dict(session.carry),
        team_info=dict(session.team_info),
        plan_meta=dict(session.plan_meta),
        history=[],
        listeners=[],
    )


def copy_decisions(
    session: Session,
    previous: Mapping[str, Decision] | None = None,
    touched: Iterable[str] = (),
) -> dict[str, Decision]:
    """The session's decisions as copies no later step changes: all of them, or only
    those `touched` since `previous` was copied (the others are still as copied).

    A step edits a decision's marks, handoff and votes in place: every table and list
    of a decision is copied, one level deep (their values are text, numbers, enums and
    lists a step replaces, never edits). With the collector paused (half a million new
    tables would set off its passes), 100,000 decisions take about 0.25 s; again after a
    few steps, a few milliseconds.
    """
    from dataclasses import fields as fields_of

    from triage_tui.core.session import Decision

    make = object.__new__
    live = session.decisions
    # Every table and list a decision holds (marks, handoff, votes, signals...): a field
    # added later is copied too.
    tables = [f.name for f in fields_of(Decision) if f.default_factory in (dict, list)]

    def copy(decision: Decision) -> Decision:
        fields = decision.__dict__.copy()
        for name in tables:
            fields[name] = fields[name].copy()
        copied: Decision = make(Decision)
        copied.__dict__ = fields
        return copied

    with _collector_paused():
        if previous is None:  # only those made so far (an absent one is undecided)
            return {item_id: copy(decision) for item_id, decision in dict.items(live)}
        copies = dict(previous)
        for item_id in touched:
            decision = dict.get(live, item_id)
            if decision is None:
                copies.pop(item_id, None)
            else:
                copies[item_id] = copy(decision)
        return copies


class _Copies:
    """The decisions of a room's last frozen copy, and the items steps changed since: the
    next copy takes only those again (`copy_decisions`).

    Every change to a decision is a step (the project's rule); steps applied without a
    word to the listeners (a take-over catching up) move the session's revision past the
    one counted here, and the next copy takes every decision again.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.decisions: dict[str, Decision] | None = None
        self.touched: set[str] = set()
        self.revision = session.revision
        session.listeners.append(self.step)

    def step(self, step: Step) -> None:
        if self.session.revision != self.revision + 1:
            self.decisions = None  # a step went by unannounced: copy all next time
        self.revision = self.session.revision
        if self.decisions is not None:
            self.touched.update(op.target for op in step.ops if op.target)

    def take(self) -> dict[str, Decision]:
        """The decisions now, as copies (on the thread that owns the session)."""
        session = self.session
        if self.revision != session.revision:
            self.decisions, self.revision = None, session.revision
        self.decisions = copy_decisions(session, self.decisions, self.touched)
        self.touched = set()
        return dict(self.decisions)  # the caller's; the next take starts from ours

    def close(self) -> None:
        with contextlib.suppress(ValueError):
            self.session.listeners.remove(self.step)


@dataclass(frozen=True)
class SaveState:
    """Whether quitting now would lose anything.

    Attributes:
        unsaved: changes that exist only in memory (0: everything is on disk).
        reason: why they are not on disk (the autosave's error), "" when saved.
    """

    unsaved: int
    reason: str = ""

    @property
    def saved(self) -> bool:
        """Nothing exists only in memory."""
        return self.unsaved == 0


#: One plan written at a time (`Room.write_plan`, from the workers of ctrl+s and Export).
_PLAN_WRITES = threading.Lock()


# -- an open workshop -------------------------------------------------------------------
class Room:
    """One opened backlog: the workshop, its autosave and lock, and the use cases on it.

    Made by `open_workshop`. The app and the command line call its methods; none of
    them draws anything.
    """

    #: The decisions of the last plan taken (`snapshot_plan`), made on the first.
    _copies: _Copies | None = None
    #: Changes counted since the room opened, and how many of them a written plan holds
    #: (`_since_plan` is the difference); plans taken so far; per file, the newest take
    #: written to it (a ctrl+s pressed again while one writes: the older never wins).
    _changes = 0
    _on_disk = 0
    _takes = 0
    _written: dict[Path, int] | None = None

    def __init__(
        self,
        workshop: Workshop,
        *,
        autosave: Autosave | None = None,
        lock: SessionLock | None = None,
        resume_info: str = "",
        held_by: str = "",
        autosave_error: str = "",
        out: Path | None = None,
        starting: AutosaveStarting | None = None,
    ) -> None:
        self.workshop = workshop
        self.autosave = autosave
        self.lock = lock
        self.resume_info = resume_info
        self.held_by = held_by
        self.autosave_error = autosave_error
        self.writer = writer_for(workshop.session, out)
        #: The autosave is attached and writes every change (not read-only, not off).
        self.autosaving = autosave is not None and not held_by and not autosave_error
        self._since_plan = 0  # changes since the plan was last written
        #: The autosave still being made in a thread (see `open_workshop(early=True)`).
        self._starting = starting
        workshop.session.listeners.append(self._count)

    @property
    def session(self) -> Session:
        """The decisions."""
        return self.workshop.session

    @property
    def read_only(self) -> bool:
        """Another triage-tui holds the session and this window did not take it over."""
        return bool(self.held_by)

    @property
    def resumed_phase(self) -> str:
        """The phase to reopen at: a resumed session's, or the one a reopened plan was
        saved in ("" for a backlog opened afresh)."""
        phase = self.session.phase
        reopened = bool(self.resume_info) or self.session.backlog.format == "plan"
        return phase if reopened and phase in PHASES else ""

    def opens(self, path: Path) -> bool:
        """Whether `path` is the file this room was opened from (its autosave and lock)."""
        source = self.session.backlog.source
        return source is not None and _same_file(Path(path), source)

    def settle_autosave(self) -> bool:
        """Finish an autosave started in a thread (`open_workshop(early=True)`): wait for
        it and attach it, so every change from now on is journaled. Call on the thread
        that owns the session, before the room can change anything. Safe to call again.

        Returns:
            True when the session changed (a stored session appeared meanwhile and was
            resumed): redraw.

        Raises:
            InputError: the autosave that appeared meanwhile is damaged or from a newer
                triage-tui (as `open_workshop` would have raised).
        """
        starting, self._starting = self._starting, None
        if starting is None:
            return False
        started = starting.settle()
        self.autosave, self.lock = started.autosave, started.lock
        self.held_by, self.autosave_error = started.held_by, started.autosave_error
        self.autosaving = self.autosave is not None and not self.held_by and not self.autosave_error
        if started.resumed is None:
            return False
        # Another window made it between our look and our lock (rare): resumed now, so
        # the workshop is built again from the resumed session, as open_workshop does.
        old = self.workshop
        with contextlib.suppress(ValueError):
            self.session.listeners.remove(old._on_step)
        self.workshop = Workshop(self.session, plan_path=old.plan_path, now=starting.now)
        counted = replace(
            started.resumed,
            decided=self.workshop.decided_count(),
            items=len(self.workshop.in_scope),
        )
        self.resume_info = f"Resumed the autosaved session: {counted.describe()}"
        return True

    def _count(self, step: Step) -> None:
        if any(op.name != "phase" for op in step.ops):
            self._since_plan += 1
            self._changes += 1

    # -- use cases -----------------------------------------------------------------
    def go_to_phase(self, phase: str) -> None:
        """The room moves to `phase`: journaled (resume returns there), never undone."""
        if phase not in PHASES:
            raise ValueError(phase)
        self.workshop.set_phase(phase)  # the time so far is booked first
        if phase != "start":
            self.workshop.clock.start()  # the hour runs from the first phase shown

    def take_over(self) -> str:
        """Take the session over from the other window; returns the sentence to show.

        Raises:
            ServiceError: it could not be taken over (this window stays read-only).
        """
        if self.autosave is None or self.lock is None:
            raise ServiceError("This window has no autosave to take over.")
        try:
            # The store's take-over: succeeds, or gives the lock back and changes nothing.
            result = self.autosave.take_over(self.session, self.lock)
        except OSError as error:
            raise ServiceError(describe_write_error(self.autosave.path, error)) from None
        except (RuntimeError, InputError) as error:
            raise ServiceError(str(error)) from None
        self.held_by = ""
        self.autosaving = True
        # The count the pace line shows: the domain's, after the catch-up.
        workshop = self.workshop
        decided, total = workshop.decided_count(), len(workshop.in_scope)
        return f"{result.describe()} {decided} of {total} decided."

    def autosave_failed(self, error: OSError) -> str:
        """The sentence for an autosave write error; a take-over stops this window's autosave."""
        from triage_tui.store.autosave import SessionTakenOver

        if isinstance(error, SessionTakenOver):
            self.autosaving = False
            return "Another triage-tui took this session over: this window no longer autosaves."
        path = self.autosave.path if self.autosave is not None else Path("autosave")
        return describe_write_error(path, error) + " Decisions are kept in memory and retried."

    def export(
        self,
        *,
        plan: Path | None = None,
        brief: Path | None = None,
        csv: Path | None = None,
        handoffs: Path | None = None,
        progress: ExportProgress | None = None,
        taken: PlanSave | None = None,
    ) -> ExportResult:
        """Write the chosen exports through the guard; one message per file.

        `taken`: the room as `snapshot_plan` took it on the UI thread, for an export run
        in a worker: every file is rendered from that copy, so what the room does while
        they are written reaches none of them half-way (the next export has it), and the
        export changes none of the room's counts: the caller passes the result to
        `exported` on the UI thread (as ctrl+s and push call `plan_written` there). Without
        it the files are rendered from the live session and the counts settle here (call
        it on the UI thread then).

        `handoffs` is a folder: one standalone handoff per ready project item (the brief
        links to them by the folder's name when both are written side by side).
        `progress(fraction, what)` is called before each file and after each handoff
        (from the calling thread), and with 1.0 at the end.

        A failure (refused, read-only folder, full disk) leaves the session untouched:
        the caller shows the message and the user can pick another path.
        """
        from triage_tui.formats.brief import render_brief, render_csv_summary

        workshop = self.workshop
        # The plan holds every item of the scope's filters (a --from plan: carried too),
        # and the brief, the CSV and the handoffs cover the same items.
        if taken is None:
            session, in_scope = self.session, list(workshop.plan_items)
        else:
            session, in_scope = taken.session, list(taken.items)
        # One session, one scope: each project item is assessed once for the four files,
        # and the handoff file names are worked out once.
        known: dict[str, Assessment] = {}
        names: dict[str, str] = {}

        def filenames() -> dict[str, str]:
            if not names:
                from triage_tui.formats.handoff_doc import handoff_filenames

                names.update(handoff_filenames(session))
            return names

        jobs: list[tuple[Path, Callable[[], str] | PlanSave]] = []
        if plan is not None:
            if taken is None:
                jobs.append((plan, self._plan_save(plan, session, tuple(in_scope))))
            else:
                jobs.append((plan, replace(taken, path=plan)))
        if brief is not None:
            folder = handoffs.name if handoffs is not None else "handoffs"
            jobs.append(
                (
                    brief,
                    lambda: render_brief(
                        session,
                        in_scope=in_scope,
                        handoff_dir=folder,
                        assessments=known,
                        filenames=filenames(),
                    ),
                )
            )
        if csv is not None:
            # A file Excel opens with its accents intact: UTF-8 with a byte order mark.
            hand_dir = handoffs.name if handoffs is not None else "handoffs"
            jobs.append(
                (
                    csv,
                    lambda: render_csv_summary(
                        session,
                        in_scope=in_scope,
                        handoff_dir=hand_dir,
                        bom=True,
                        assessments=known,
                        filenames=filenames(),
                    ),
                )
            )
        messages: list[str] = []
        ok = True
        plan_write: tuple[PlanSave, ExportResult] | None = None
        chosen = {
            name: path
            for name, path in (
                ("plan", plan),
                ("brief", brief),
                ("csv", csv),
                ("handoffs", handoffs),
            )
            if path is not None
        }
        total = sum(_EXPORT_WEIGHTS[name] for name in chosen) or 1.0
        shares = [_EXPORT_WEIGHTS[name] / total for name in chosen]
        done = 0.0

        def report(fraction: float, what: str) -> None:
            if progress is not None:
                progress(min(1.0, fraction), what)

        for index, (path, render) in enumerate(jobs):
            report(done, path.name)
            start, done = done, done + shares[index]
            if isinstance(render, PlanSave):
                # The plan is most of an export: its bar moves as the text is made.
                result = self.write_plan(
                    render, partial(_report_part, report, start, shares[index], path.name), known
                )
                if taken is None:
                    self.plan_written(render, result)
                else:  # from a worker: settled by `exported` on the UI thread
                    plan_write = (render, result)
            else:
                result = self._write(path, render)
            ok = ok and result.ok
            messages.extend(result.messages)
        if handoffs is not None:
            start, share = done, 1.0 - done
            report(start, f"{handoffs.name}/")

            def each(count: int, of: int) -> None:
                report(start + share * count / max(of, 1), f"{handoffs.name}/")

            written, message = self._write_handoffs(
                handoffs, session, in_scope, each, known, filenames()
            )
            ok = ok and written
            messages.append(message)
        report(1.0, "")
        return ExportResult(tuple(messages), ok, plan_write)

    def exported(self, taken: PlanSave, result: ExportResult) -> None:
        """After `export(taken=...)` ran in a worker, on the thread that owns the session:
        the unsaved count and the room's booked time settle here, as `plan_written` does
        for ctrl+s and push (a worker never changes a counter the UI thread changes)."""
        if result.plan_write is not None:
            self.plan_written(*result.plan_write)
        else:  # no plan written: its time is still to be booked
            self.workshop.acted = self.workshop.acted or taken.acted

    def _write_handoffs(
        self,
        folder: Path,
        session: Session,
        items: Sequence[Item],
        each: Callable[[int, int], None] | None = None,
        assessments: dict[str, Assessment] | None = None,
        filenames: Mapping[str, str] | None = None,
    ) -> tuple[bool, str]:
        from triage_tui.formats.handoff_doc import handoff_documents

        path = folder
        failures: list[str] = []
        try:
            docs = handoff_documents(
                session,
                in_scope=items,
                every_ready=True,
                each=each,
                assessments=assessments,
                filenames=filenames,
            )
            self.writer.check(folder)
            folder.mkdir(parents=True, exist_ok=True)
            for doc in docs:
                path = folder / doc.filename
                # One file that cannot be written is named; the others are still written.
                try:
                    self.writer.write_text(path, doc.text)
                except OSError as error:
                    failures.append(describe_write_error(path, error))
        except OSError as error:
            return False, describe_write_error(path, error)
        except Exception as error:  # a rendering bug: said, never a traceback (as export)
            return False, shown(f"Could not write {path} ({type(error).__name__}: {error}).")
        count = len(docs)
        if failures:
            written = count - len(failures)
            return False, (
                f"Wrote {written} of {count} handoffs into {shown(folder)}/; " + " ".join(failures)
            )
        if not count:
            return True, f"Wrote no handoff into {shown(folder)}/: no project item is ready yet"
        return True, f"Wrote {shown(folder)}/ ({count} handoff{'s' if count != 1 else ''})"

    def save_plan(self, path: Path | None = None) -> ExportResult:
        """Write the plan (ctrl+s) to `path`, default the workshop's plan path, on this
        thread (the app: `snapshot_plan` here, `write_plan` in a worker)."""
        save = self.snapshot_plan(path)
        result = self.write_plan(save)
        self.plan_written(save, result)
        return result

    def snapshot_plan(self, path: Path | None = None) -> PlanSave:
        """The plan as it stands, to be written from any thread: call it on the thread that
        owns the session (the UI thread), then `write_plan`, then `plan_written` there.

        The session is copied (`frozen_copy`): a decision, a vote or an undo made while
        the plan is written changes the room, not the file being written, which holds
        the state of this moment; the change reaches the autosave and the next save.
        """
        if self._copies is None or self._copies.session is not self.session:
            self._copies = _Copies(self.session)
        session = frozen_copy(self.session, self._copies.take())
        return self._plan_save(path, session, tuple(self.workshop.plan_items))

    def _plan_save(self, path: Path | None, session: Session, items: tuple[Item, ...]) -> PlanSave:
        workshop = self.workshop
        self._takes += 1
        save = PlanSave(
            path or workshop.plan_path, session, items, self._changes, workshop.acted, self._takes
        )
        # Written: the room's time is booked up to here; from now on only what the room
        # does again is (see Workshop.acted). Anything it does while this writes sets it.
        workshop.acted = False
        return save

    def write_plan(
        self,
        save: PlanSave,
        progress: Callable[[float], None] | None = None,
        assessments: dict[str, Assessment] | None = None,
    ) -> ExportResult:
        """Render and write a plan taken by `snapshot_plan` (any thread: it reads only the
        copy, and writes through the guard); one message. `progress(fraction)` is called
        as the text is made (`formats.plan.dumps_plan`); `assessments`: see `export`.

        One plan is written at a time, and a plan taken before the one its file already
        holds is not written over it (ctrl+s pressed again while the first still wrote).
        """
        from triage_tui.formats.plan import dumps_plan

        with _PLAN_WRITES:
            written = self._written if self._written is not None else {}
            self._written = written
            if written.get(save.path, 0) > save.take:
                return ExportResult((f"{shown(save.path)} already holds a later save",), True)
            result = self._write(
                save.path,
                lambda: dumps_plan(
                    save.session,
                    in_scope=save.items,
                    plan_path=save.path,
                    progress=progress,
                    assessments=assessments,
                ),
                backup=True,
            )
            if result.ok:
                written[save.path] = save.take
            return result

    def plan_written(self, save: PlanSave, result: ExportResult) -> None:
        """After `write_plan`, on the thread that owns the session: what is on disk now."""
        if not result.ok:
            self.workshop.acted = self.workshop.acted or save.acted
        elif save.changes > self._on_disk:  # changes made while writing still count
            self._since_plan -= save.changes - self._on_disk
            self._on_disk = save.changes

    def _write(
        self, path: Path, render: Callable[[], str], *, backup: bool = False
    ) -> ExportResult:
        """One file rendered and written through the guard: its message, never a traceback."""
        try:
            self.writer.write_text(path, render(), backup=backup)
        except OSError as error:
            return ExportResult((describe_write_error(path, error),), False)
        except Exception as error:  # never silent: the room must know it is unsaved
            return ExportResult(
                (shown(f"Could not write {path} ({type(error).__name__}: {error})."),), False
            )
        return ExportResult((f"Wrote {shown(path)}",), True)

    def save_state(self) -> SaveState:
        """Whether everything is on disk: retries a failing autosave once first.

        A journal whose file is gone (its folder removed while the app ran) takes appends
        into nothing: that counts as not saved.
        """
        autosave = self.autosave
        if self.autosaving and autosave is not None and autosave.flush() and autosave.exists():
            return SaveState(0)
        if self._since_plan == 0:
            return SaveState(0)
        if autosave is None or self.autosave_error:
            reason = "Autosave is off" + (
                f": {self.autosave_error}" if self.autosave_error else "."
            )
        elif self.read_only:
            reason = "This window is read-only: the session is open in another window."
        elif not autosave.exists():
            reason = f"The autosave {autosave.path} is gone (its folder was removed)."
        elif self.autosaving and autosave.error is not None:
            reason = describe_write_error(autosave.path, autosave.error)
        else:
            reason = "Another triage-tui took this session over: this window no longer autosaves."
        return SaveState(self._since_plan, reason)

    def book_time(self) -> None:
        """Book the time and the clock so far (on the thread that owns the session)."""
        with contextlib.suppress(Exception):  # never in the way of a save or a quit
            self.workshop.book_time()

    def close(self) -> None:
        """Stop autosaving (a clean exit compacts the journal) and let go of the lock."""
        if self._starting is not None:
            # Opened and closed before it settled: let its lock go, keep nothing running.
            with contextlib.suppress(Exception):
                self.settle_autosave()
        self.book_time()  # the last seconds reach the journal too
        session = self.session
        with contextlib.suppress(ValueError):
            session.listeners.remove(self._count)
        if self.autosave is not None:
            # Closing must never hide the room's work: on any error the journal stays as is.
            with contextlib.suppress(Exception):
                self.autosave.close(session if self.autosaving else None)
        if self.lock is not None:
            with contextlib.suppress(Exception):
                self.lock.release()
        self.autosave = None
        self.lock = None
        self.autosaving = False
        if self._copies is not None:
            self._copies.close()
            self._copies = None


# -- opening ----------------------------------------------------------------------------
def _bundled_plan_path(path: Path) -> Path | None:
    """The demo's plan goes to the current folder, never into the installed package."""
    from triage_tui.store.paths import data_dir

    bundled = data_dir() / "sample_backlogs"
    if path.resolve().parent == bundled.resolve():
        return Path.cwd() / f"{path.stem}.plan.toml"
    return None


def _out_plan_path(path: Path, out: Path | None) -> Path | None:
    """With --out, the plan goes into that folder when its usual place is outside it."""
    if out is None:
        return None
    from triage_tui.core.workshop import default_plan_path

    usual = default_plan_path(path)
    return usual if inside(usual, out) else out / usual.name


def load_session(path: Path, options: LaunchOptions, progress: Progress | None = None) -> Session:
    """Read `path` as a plan or a backlog (no autosave, no lock).

    Raises:
        InputError: the file is not a backlog or plan we can read.
    """
    from triage_tui.formats.loaders import load
    from triage_tui.formats.sniff import looks_like_plan

    if not path.exists():
        raise InputError(path, "no such file")
    with _collector_paused():
        if looks_like_plan(path):
            return _read_plan(path)  # its own [meta.team]: reopened as it was
        backlog = load(path, options.mapping, progress)
        if backlog.format == "plan":
            return _read_plan(path)
        return Session(
            backlog, minutes=options.default_minutes, team_info=dict(options.default_team)
        )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a load, as it was after (issue 24).

    A 100,000-row load makes millions of objects and no cycles; with the collector on,
    its passes walk the growing heap again and again (0.94 s vs 0.74 s for 50,000 rows).
    Reference counting still frees everything.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _read_plan(path: Path) -> Session:
    # Imported here: the plan format pulls in readiness and handoff (~80 regexes,
    # ~30 ms), which a backlog's first paint does not need.
    from triage_tui.formats.plan import read_plan

    return read_plan(path)


def check_plan_path(path: Path, options: LaunchOptions) -> None:
    """Refuse, before anything opens, a --plan that names the backlog or leaves --out.

    Raises:
        InputError: one line naming the file and why.
    """
    if options.plan is None:
        return
    from triage_tui.formats.sniff import looks_like_plan

    protected = () if looks_like_plan(path) else (path,)
    try:
        GuardedWriter(protected, options.out).check(options.plan)
    except ProtectedFile as refused:
        reason = str(refused).split(": ", 1)[1]
        raise InputError(options.plan, f"--plan refused: {reason}") from None
    except WriteRefused as refused:
        raise InputError(options.plan, f"--plan refused: {refused}") from None


def open_workshop(
    path: Path,
    options: LaunchOptions,
    now: Callable[[], float] = time.monotonic,
    progress: Progress | None = None,
    *,
    early: bool = False,
) -> Room:
    """Open `path` (backlog or plan), resume its autosave unless `options.fresh`, and wrap it.

    Args:
        early: opened before the app's first paint. When no autosave is stored for this
            backlog (nothing to resume), it is made in a thread while the app draws
            (the lock and a new database cost ~50 ms of disk syncs): the caller must
            call `Room.settle_autosave()` before the room can change anything.

    Raises:
        InputError: the file is not a backlog or plan we can read, or its autosave is
            from a newer triage-tui.
    """
    session = load_session(path, options, progress)
    # Every input is read and accepted before anything is written: a bad --from plan
    # leaves no lock and no session database behind.
    old_plan = _read_carry_from(session, path, options.carry_from)
    starting = None
    if early and options.autosave and not options.fresh and old_plan is None:
        starting = AutosaveStarting.begin(session, now)  # None: one is stored, resume it now
    if starting is not None:
        started = _Started()
    elif options.autosave:
        started = _start_autosave(session, fresh=options.fresh)
    else:
        started = _Started()
    if old_plan is not None and options.carry_from is not None and not session.carried_from:
        # After the autosave attached (the carry-over is journaled) and only once: a
        # resumed session that carried already has it.
        from triage_tui.core.carry import carry_over

        carry_over(session, old_plan, options.carry_from.as_posix())
    if options.minutes is not None:
        session.minutes = options.minutes
    # Built last: the scope and the clock come from the resumed session.
    plan = options.plan or _bundled_plan_path(path) or _out_plan_path(path, options.out)
    workshop = Workshop(session, plan_path=plan, now=now)
    if started.resumed is not None:
        # One count (the domain's, in scope, from the resumed session: a reopened plan had
        # decisions of its own): the resume notice says what the pace line says.
        counted = replace(
            started.resumed, decided=workshop.decided_count(), items=len(workshop.in_scope)
        )
        started.resume_info = f"Resumed the autosaved session: {counted.describe()}"
    if starting is not None:
        starting.sweep_also(workshop.plan_path.parent)
    else:
        _sweep(workshop.plan_path.parent)
    return Room(
        workshop,
        autosave=started.autosave,
        lock=started.lock,
        resume_info=started.resume_info,
        held_by=started.held_by,
        autosave_error=started.autosave_error,
        out=options.out,
        starting=starting,
    )


def _sweep(plan_folder: Path) -> None:
    """Temp files a killed write left behind (beside the plan, in the autosave folder)."""
    from triage_tui.store.autosave import sessions_dir
    from triage_tui.store.fsutil import sweep_temp_files

    sweep_temp_files(plan_folder, sessions_dir())


def _read_carry_from(session: Session, path: Path, old_plan: Path | None) -> Session | None:
    """`--from OLD.plan.toml`: last quarter's plan, read (and refused) before anything is
    written; None without --from."""
    if old_plan is None:
        return None
    from triage_tui.formats.plan import read_plan

    if session.backlog.format == "plan":
        raise InputError(path, "--from carries a plan over to a backlog export, not to a plan")
    return read_plan(old_plan)


def start_afresh(
    path: Path,
    options: LaunchOptions,
    now: Callable[[], float] = time.monotonic,
    progress: Progress | None = None,
) -> Room:
    """Open `path` with its autosaved session set aside (kept as ``.old``), not resumed."""
    return open_workshop(path, replace(options, fresh=True), now, progress)


@dataclass
class _Started:
    """What starting the autosave found (see `Room`'s arguments)."""

    autosave: Autosave | None = None
    lock: SessionLock | None = None
    resume_info: str = ""
    held_by: str = ""
    autosave_error: str = ""
    resumed: ResumeInfo | None = None


class AutosaveStarting:
    """A new autosave being made in a thread while the app draws its first frame.

    Only for a backlog with nothing stored: the thread takes the lock and creates the
    database (the disk syncs), and touches nothing of the session. `settle()`, on the
    session's thread, waits for it and attaches the autosave, so no change can happen
    before it is journaled. If another window got there first (the lock is held, or a
    database appeared), `settle()` does what `open_workshop` does for a stored session.
    """

    def __init__(self, session: Session, autosave: Autosave, now: Callable[[], float]) -> None:
        self.session = session
        self.autosave = autosave
        self.now = now  # the workshop's clock, should it be built again (`Room.settle_autosave`)
        self._lock: SessionLock | None = None
        self._error = ""  # the sentence for a folder or file that cannot be written
        self._stored = False  # another window holds it, or a database appeared
        self._sweep: Path | None = None
        self._thread = threading.Thread(target=self._run, name="triage-autosave", daemon=True)

    @classmethod
    def begin(cls, session: Session, now: Callable[[], float]) -> AutosaveStarting | None:
        """Start making `session`'s autosave; None when one is stored (resume it now)."""
        from triage_tui.store.autosave import Autosave

        autosave = Autosave.for_backlog(session.backlog)
        if autosave.exists():
            return None
        return cls(session, autosave, now)

    def sweep_also(self, plan_folder: Path) -> None:
        """Also sweep stale temp files (`_sweep`) in the thread; starts the thread."""
        self._sweep = plan_folder
        self._thread.start()

    def _run(self) -> None:
        try:
            self._make()
        except Exception:  # anything unforeseen: settle() opens it the usual way
            self._stored = True
        finally:
            if self._sweep is not None:
                with contextlib.suppress(OSError):
                    _sweep(self._sweep)

    def _make(self) -> None:
        from triage_tui.store.lock import LockStatus, SessionLock

        autosave = self.autosave
        lock = SessionLock(autosave.lock_path)
        try:
            autosave.lock_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            result = lock.acquire()
        except OSError as error:
            self._error = describe_write_error(autosave.lock_path, error)
            return
        if result.status is LockStatus.HELD:
            self._stored = True
            return
        try:
            if autosave.exists():
                self._stored = True  # made meanwhile by another window
            else:
                autosave.prepare(lock)  # the database made and claimed: attach only listens
                self._lock = lock
        except OSError as error:
            self._error = describe_write_error(autosave.path, error)
        except Exception:  # damaged, newer, or a session appeared: settle() opens it
            self._stored = True
        finally:
            if self._lock is None:
                lock.release()

    def settle(self) -> _Started:
        """Wait for the thread and attach the autosave (on the session's thread)."""
        if not self._thread.is_alive() and self._thread.ident is None:
            self._thread.start()
        self._thread.join()
        if self._stored:
            return _start_autosave(self.session, fresh=False)
        if self._error:
            return _Started(autosave_error=self._error)
        autosave, lock = self.autosave, self._lock
        assert lock is not None
        try:
            autosave.attach(self.session, lock=lock)
        except OSError as error:
            return _Started(
                autosave, lock, autosave_error=describe_write_error(autosave.path, error)
            )
        return _Started(autosave, lock)


def _start_autosave(session: Session, *, fresh: bool) -> _Started:
    """Lock the session, resume (or set aside) its journal, and attach the autosave."""
    from triage_tui.store.autosave import Autosave
    from triage_tui.store.lock import LockStatus, SessionLock

    autosave = Autosave.for_backlog(session.backlog)
    lock = SessionLock(autosave.lock_path)
    try:
        autosave.lock_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # files: 0600
        result = lock.acquire()
    except OSError as error:
        return _Started(autosave_error=describe_write_error(autosave.lock_path, error))
    held = result.status is LockStatus.HELD
    started = _Started(autosave, lock)
    try:
        if fresh and not held:
            autosave.start_fresh()
        else:
            info = autosave.summary()
            # A second window reads the journal but never repairs (cuts) someone else's.
            if info is not None and autosave.resume(session, repair=not held):
                # Counted once the workshop is built (open_workshop): the pace line's count.
                started.resumed = info
                started.resume_info = f"Resumed the autosaved session: {info.describe()}"
    except OSError as error:
        # A read-only or full state folder: the hour opens with the autosave off (the
        # room is told), and the lock is given back so the next window is not refused.
        if not held:
            lock.release()
        return _Started(autosave_error=describe_write_error(autosave.path, error))
    except BaseException:
        if not held:
            lock.release()
        raise
    if held:
        started.held_by = result.describe()
        return started
    try:
        autosave.attach(session, lock=lock)
    except OSError as error:
        started.autosave_error = describe_write_error(autosave.path, error)
    return started
