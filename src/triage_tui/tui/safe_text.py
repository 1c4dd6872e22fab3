"""What the app's text fields draw: a pasted value never reaches the terminal raw."""

from __future__ import annotations

from rich.highlighter import Highlighter
from rich.text import Text

from triage_tui.core.sanitize import same_length_pictures


class ControlPictures(Highlighter):
    """An Input highlighter drawing control characters as pictures, one for one.

    Textual's Input draws its value as it is: a path holding ESC (a file name from a
    zip) or a note pasted from a web page would send escape sequences to the terminal.
    The value itself is untouched (a path must stay the real path).
    """

    def highlight(self, text: Text) -> None:
        shown = same_length_pictures(text.plain)
        if shown != text.plain:
            text.plain = shown


#: The one instance the screens pass as ``Input(highlighter=...)``.
CONTROL_PICTURES = ControlPictures()
