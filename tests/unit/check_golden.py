"""Today's `triage-tui check --json` and `check` reports of every sample and fixture file,
saved as digests to compare a faster engine and a lighter scan against (issue 24: the
same report, byte for byte, and the same refusals).

``python -m tests.unit.check_golden --update`` rewrites
tests/fixtures/suggestions/golden/check.json from the code as it is (run from the
repository root); do that only when a report is meant to change, and say so in the
commit. The saved digests were made by df1431a, the engine before it was compiled.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAVED = ROOT / "tests" / "fixtures" / "suggestions" / "golden" / "check.json"
#: Every folder whose backlog files (any depth) the saved reports cover.
FOLDERS = ("sample_backlogs", "tests/fixtures")
SUFFIXES = (".csv", ".tsv", ".tab", ".txt", ".toml")
#: The reports: `check --json` and the terminal's `check`.
MODES = (("check", "--json"), ("check",))


def backlog_files() -> list[str]:
    """Every sample and fixture file a backlog could be, relative to the root."""
    found = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES:
                found.append(path.relative_to(ROOT).as_posix())
    return found


def report(mode: tuple[str, ...], relative: str) -> dict[str, object]:
    """Exit code, stderr and the sha256 of stdout of `triage-tui <mode> relative`, run
    in this process from the root (the report names the file as given)."""
    from triage_tui.cli import main

    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([*mode, relative])
    finally:
        os.chdir(here)
    return {
        "exit": code,
        "stderr": err.getvalue(),
        "stdout_sha256": hashlib.sha256(out.getvalue().encode("utf-8")).hexdigest(),
    }


def key(mode: tuple[str, ...], relative: str) -> str:
    return f"{' '.join(mode)} {relative}"


def update() -> None:
    reports = {
        key(mode, relative): report(mode, relative)
        for relative in backlog_files()
        for mode in MODES
    }
    SAVED.write_text(json.dumps(reports, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(__doc__)
    update()
