"""Building the app from the command line, and the file work its screens start (off the UI thread)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from triage_tui.errors import InputError
from triage_tui.workshop import Workshop


def create_app(options: Any = None, *, now: Callable[[], float] = time.monotonic) -> Any:
    """The factory the command line and the tests share."""
    from triage_tui.ui.app import TriageApp

    return TriageApp(options, now=now)


def options_from_args(args: argparse.Namespace, mapping: dict[str, str]) -> Any:
    """LaunchOptions from parsed command-line arguments."""
    from triage_tui.ui.app import LaunchOptions

    return LaunchOptions(
        file=args.file,
        plan=args.plan,
        minutes=args.minutes,
        mapping=mapping,
        fresh=args.fresh,
        theme=args.theme,
    )


def run_app(args: argparse.Namespace, mapping: dict[str, str]) -> int:
    """Run the workshop; returns the exit code."""
    app = create_app(options_from_args(args, mapping))
    code = app.run()
    if app.return_code == 1 and app.load_error is not None:
        print(str(app.load_error), file=sys.stderr)
        return 1
    return int(code or app.return_code or 0)


def build_workshop(path: Path, options: Any, now: Callable[[], float]) -> tuple[Workshop, Any, str]:
    """Load `path` (backlog or plan), resume its autosave unless --fresh, and wrap it.

    Returns:
        (workshop, autosave or None, a sentence about what was resumed or "").

    Raises:
        InputError: the file is not a backlog or plan we can read.
    """
    from triage_tui.autosave import Autosave
    from triage_tui.loaders import load
    from triage_tui.session import Session

    if not path.exists():
        raise InputError(path, "no such file")
    backlog = load(path, options.mapping)
    if backlog.format == "plan":
        from triage_tui.plan import read_plan

        session = read_plan(path)
    else:
        session = Session(backlog)
    if options.minutes is not None:
        session.minutes = options.minutes
    resume_info = ""
    autosave = None
    if options.autosave:
        autosave = Autosave.for_backlog(session.backlog)
        if options.fresh:
            autosave.start_fresh()
        else:
            info = autosave.summary()
            if info is not None:
                replayed = autosave.resume(session)
                if replayed:
                    resume_info = info.describe()
        autosave.attach(session)
    plan_path = options.plan
    workshop = Workshop(session, plan_path=plan_path, now=now)
    return workshop, autosave, resume_info


def export_files(
    workshop: Workshop,
    *,
    plan: Path | None = None,
    brief: Path | None = None,
    csv: Path | None = None,
) -> tuple[list[str], bool]:
    """Write the chosen exports atomically; one message per file, and whether all worked.

    A failure (read-only folder, full disk, a directory in the way) leaves the session
    untouched: the caller shows the message and the user can pick another path.
    """
    from triage_tui.brief import render_brief, render_csv_summary
    from triage_tui.fsutil import atomic_write_text, describe_write_error
    from triage_tui.plan import dumps_plan

    messages: list[str] = []
    ok = True
    session = workshop.session
    jobs: list[tuple[Path, Callable[[], str], bool]] = []
    if plan is not None:
        jobs.append((plan, lambda: dumps_plan(session, in_scope=workshop.in_scope), True))
    if brief is not None:
        jobs.append((brief, lambda: render_brief(session), False))
    if csv is not None:
        jobs.append((csv, lambda: render_csv_summary(session), False))
    for path, render, backup in jobs:
        try:
            atomic_write_text(path, render(), backup=backup)
        except OSError as error:
            ok = False
            messages.append(describe_write_error(path, error))
        else:
            messages.append(f"Wrote {path}")
    return messages, ok
