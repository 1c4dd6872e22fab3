"""What changed in an item since last quarter (`--from`), drawn under its suggestion."""

from __future__ import annotations

from rich.text import Text

from triage_tui.core.carry import previous
from triage_tui.core.sanitize import clean_line
from triage_tui.core.session import Session


def changed_text(session: Session, item_id: str, text: Text, *, suffix: str = "") -> None:
    """Append to `text` what changed in `item_id` since last quarter's plan and how its
    draft is kept (nothing when the item did not change)."""
    found = previous(session, item_id)
    if found is None:
        return
    text.append(f"\nChanged since last quarter: {clean_line(found.what)}", style="bold")
    kept = []
    if found.marks:
        kept.append("its marks are suggested (a confirms)")
    if found.handoff:
        kept.append("its handoff edits come back when decided project")
    if kept:
        text.append(f"\n  {'; '.join(kept)}", style="italic")
    for line in found.lines:
        style = "red" if line.startswith("-") else "green" if line.startswith("+") else "dim"
        text.append(f"\n  {clean_line(line)}", style=style)
    text.append(suffix)
