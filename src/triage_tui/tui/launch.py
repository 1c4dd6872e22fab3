"""Building the app from the command line, and the file work its screens start (off the UI thread)."""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from triage_tui.core.errors import InputError
from triage_tui.core.workshop import Workshop


def create_app(options: Any = None, *, now: Callable[[], float] = time.monotonic) -> Any:
    """The factory the command line and the tests share."""
    from triage_tui.tui.app import TriageApp

    return TriageApp(options, now=now)


def options_from_args(args: argparse.Namespace, mapping: dict[str, str]) -> Any:
    """LaunchOptions from parsed command-line arguments."""
    from triage_tui.tui.app import LaunchOptions

    return LaunchOptions(
        file=args.file,
        plan=args.plan,
        minutes=args.minutes,
        mapping=mapping,
        fresh=args.fresh,
        theme=args.theme,
        out=args.out.resolve() if args.out is not None else None,
    )


def run_app(args: argparse.Namespace, mapping: dict[str, str]) -> int:
    """Run the workshop; returns the exit code."""
    app = create_app(options_from_args(args, mapping))
    # Everything imported so far lives as long as the process. Frozen, the cyclic
    # collector stops walking it: the first full collection (12-15 ms, which landed in
    # the middle of the first frame) has nothing to do. Objects are still freed by
    # reference counting as usual.
    gc.freeze()
    code = app.run()
    if app.return_code == 1 and app.load_error is not None:
        print(str(app.load_error), file=sys.stderr)
        return 1
    return int(code or app.return_code or 0)


@dataclass
class Opened:
    """What opening a file produced, for the app to wire up.

    Attributes:
        workshop: the workshop over the file.
        autosave: the session journal (None when autosave is off).
        lock: this session's lock (None when autosave is off).
        resume_info: a sentence about what was resumed, or "".
        held_by: when another triage-tui holds the session, the sentence saying so;
            the autosave is then not attached until the user takes it over.
        autosave_error: why autosave could not start, or "".
    """

    workshop: Workshop | None = None
    autosave: Any = None
    lock: Any = None
    resume_info: str = ""
    held_by: str = ""
    autosave_error: str = ""


def _looks_like_plan(path: Path) -> bool:
    # A plan starts with its schema line; peeking avoids parsing a big plan twice.
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return b'schema = "triage-tui/plan/' in head


def _bundled_plan_path(path: Path) -> Path | None:
    """The demo's plan goes to the current folder, never into the installed package."""
    from triage_tui.store.paths import data_dir

    bundled = data_dir() / "sample_backlogs"
    if path.resolve().parent == bundled.resolve():
        return Path.cwd() / f"{path.stem}.plan.toml"
    return None


def build_workshop(
    path: Path,
    options: Any,
    now: Callable[[], float],
    progress: Callable[[str, int], None] | None = None,
) -> Opened:
    """Load `path` (backlog or plan), resume its autosave unless --fresh, and wrap it.

    Raises:
        InputError: the file is not a backlog or plan we can read, or its autosave is
            from a newer triage-tui.
    """
    from triage_tui.core.session import Session
    from triage_tui.formats.loaders import load

    if not path.exists():
        raise InputError(path, "no such file")
    if _looks_like_plan(path):
        from triage_tui.formats.plan import read_plan

        session = read_plan(path)
    else:
        backlog = load(path, options.mapping, progress)
        if backlog.format == "plan":
            from triage_tui.formats.plan import read_plan

            session = read_plan(path)
        else:
            session = Session(backlog, minutes=options.default_minutes)
    opened = _start_autosave(session, fresh=options.fresh) if options.autosave else Opened()
    if options.minutes is not None:
        session.minutes = options.minutes
    # Built last: the scope and the clock come from the resumed session.
    plan_path = options.plan or _bundled_plan_path(path) or _out_plan_path(path, options.out)
    opened.workshop = Workshop(session, plan_path=plan_path, now=now)
    from triage_tui.store.autosave import sessions_dir
    from triage_tui.store.fsutil import sweep_temp_files

    # Temp files a killed write left behind (beside the plan, in the autosave folder).
    sweep_temp_files(opened.workshop.plan_path.parent, sessions_dir())
    return opened


def _out_plan_path(path: Path, out: Path | None) -> Path | None:
    """With --out, the plan goes into that folder when its usual place is outside it."""
    if out is None:
        return None
    from triage_tui.core.workshop import default_plan_path
    from triage_tui.store.fsutil import inside

    usual = default_plan_path(path)
    return usual if inside(usual, out) else out / usual.name


def _start_autosave(session: Any, *, fresh: bool) -> Opened:
    """Lock the session, resume (or set aside) its journal, and attach the autosave."""
    from triage_tui.store.autosave import Autosave
    from triage_tui.store.fsutil import describe_write_error
    from triage_tui.store.lock import LockStatus, SessionLock

    opened = Opened()
    autosave = Autosave.for_backlog(session.backlog)
    lock = SessionLock(autosave.lock_path)
    try:
        autosave.lock_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # files: 0600
        result = lock.acquire()
    except OSError as error:
        opened.autosave_error = describe_write_error(autosave.lock_path, error)
        return opened
    held = result.status is LockStatus.HELD
    if fresh and not held:
        autosave.start_fresh()
    else:
        info = autosave.summary()
        # A second window reads the journal but never repairs (cuts) someone else's file.
        if info is not None and autosave.resume(session, repair=not held):
            # Count from the resumed session: a reopened plan had decisions of its own.
            decided = sum(1 for d in session.decisions.values() if d.category != "undecided")
            resumed = replace(info, decided=decided, items=len(session.backlog.items))
            opened.resume_info = f"Resumed the autosaved session: {resumed.describe()}"
    opened.autosave, opened.lock = autosave, lock
    if held:
        opened.held_by = result.describe()
        return opened
    try:
        autosave.attach(session, lock=lock)
    except OSError as error:
        opened.autosave_error = describe_write_error(autosave.path, error)
    return opened


def export_files(
    workshop: Workshop,
    *,
    plan: Path | None = None,
    brief: Path | None = None,
    csv: Path | None = None,
    out: Path | None = None,
    handoffs: Path | None = None,
) -> tuple[list[str], bool]:
    """Write the chosen exports atomically; one message per file, and whether all worked.

    `handoffs` is a folder: one standalone handoff per ready project item (the brief
    links to them by the folder's name when both are written side by side).

    A failure (read-only folder, full disk, a directory in the way) leaves the session
    untouched: the caller shows the message and the user can pick another path.
    With `out` (--out DIR) a path outside that folder, symlinks resolved, is refused.
    """
    from triage_tui.formats.brief import render_brief, render_csv_summary
    from triage_tui.formats.plan import dumps_plan
    from triage_tui.store.fsutil import atomic_write_text, check_inside, describe_write_error

    messages: list[str] = []
    ok = True
    session = workshop.session
    jobs: list[tuple[Path, Callable[[], str], bool]] = []
    if plan is not None:
        target = plan
        jobs.append(
            (plan, lambda: dumps_plan(session, in_scope=workshop.in_scope, plan_path=target), True)
        )
    if brief is not None:
        folder = handoffs.name if handoffs is not None else "handoffs"
        jobs.append(
            (
                brief,
                lambda: render_brief(session, in_scope=workshop.in_scope, handoff_dir=folder),
                False,
            )
        )
    if csv is not None:
        jobs.append((csv, lambda: render_csv_summary(session, in_scope=workshop.in_scope), False))
    for path, render, backup in jobs:
        try:
            check_inside(path, out)
            atomic_write_text(path, render(), backup=backup)
        except OSError as error:
            ok = False
            messages.append(describe_write_error(path, error))
        except Exception as error:  # never a silent failure: the room must know it is unsaved
            ok = False
            messages.append(f"Could not write {path} ({type(error).__name__}: {error}).")
        else:
            messages.append(f"Wrote {path}")
    if handoffs is not None:
        from triage_tui.formats.handoff_doc import handoff_documents

        try:
            docs = handoff_documents(session, in_scope=workshop.in_scope, every_ready=True)
            check_inside(handoffs, out)
            handoffs.mkdir(parents=True, exist_ok=True)
            for doc in docs:
                check_inside(handoffs / doc.filename, out)
                atomic_write_text(handoffs / doc.filename, doc.text)
        except OSError as error:
            ok = False
            messages.append(describe_write_error(handoffs, error))
        else:
            count = len(docs)
            messages.append(
                f"Wrote {handoffs}/ ({count} handoff{'s' if count != 1 else ''})"
                if count
                else f"Wrote no handoff into {handoffs}/: no project item is ready yet"
            )
    return messages, ok
