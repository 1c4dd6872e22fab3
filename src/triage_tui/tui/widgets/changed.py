"""What changed in an item since last quarter (`--from`), drawn under its suggestion."""

from __future__ import annotations

from rich.text import Text

from triage_tui.core.carry import previous
from triage_tui.core.sanitize import clean_line
from triage_tui.core.session import Session


def changed_text(
    session: Session, item_id: str, text: Text, *, draft: bool = False, suffix: str = ""
) -> None:
    """Append to `text` what changed in `item_id` since last quarter's plan, the changed
    lines first (a clamped panel cuts the end), then with `draft` how last quarter's
    marks are kept. Nothing when the item did not change."""
    found = previous(session, item_id)
    if found is None:
        return
    text.append(f"\nChanged since last quarter: {clean_line(found.what)}", style="bold")
    for line in found.lines:
        style = {"-": "red", "+": "green", "~": "yellow"}.get(line[:1], "dim")
        text.append(f"\n {clean_line(line)}", style=style)
    if draft and found.marks:
        text.append("\n  last quarter's marks are suggested: a confirms them", style="italic")
    text.append(suffix)
