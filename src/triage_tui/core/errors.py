"""The one exception bad input may raise, rendered as `FILE:LINE: message`."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input data: a backlog, plan, session or config file the user gave us.

    Rendered as one line, ``FILE:LINE: message`` (``FILE: message`` when no line
    applies). The command line prints it and exits 1; the app shows it.

    Args:
        path: the file at fault.
        message: what is wrong, in words a user can act on.
        line: the 1-based line number, or None when no line applies.
    """

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        # The text boundary: a file name holding ESC or U+202E (or a message quoting
        # one) reaches the terminal, a notification or a report as visible characters.
        from triage_tui.core.sanitize import shown

        where = shown(self.path)
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {shown(self.message)}"
