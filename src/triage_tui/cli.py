"""Command line: `triage-tui [FILE]`, `check`, `brief`, `serve`. Textual is imported only to run the app."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (0 ok, 1 bad input, 2 usage)."""
    print("triage-tui: not yet", file=sys.stderr)
    return 0
