"""The one exception bad input may raise, rendered as `FILE:LINE: message`."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any


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


#: What a parsed TOML value is, in TOML's words ("must be a string, not an integer").
_KINDS = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "an array",
    dict: "a table",
}


def kind_of(value: Any) -> str:
    """What `value` (parsed from a TOML backlog, plan or tracker context) is, for an
    `InputError` message: "a string", "an integer", "a non-finite number (nan)"..."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"a non-finite number ({value})"
    return _KINDS.get(type(value), f"a {type(value).__name__}")
