"""`triage-tui diff`: a `PlanDiff` as Markdown for a pull request comment, or as JSON.

Every string from a backlog or a plan goes through core.sanitize: `md_text` for prose,
one line per list row or table cell (`clean_line`), `|` escaped inside tables, and ids
in code spans no backtick inside can close.
"""

from __future__ import annotations

import json
import re

from triage_tui.core.diff import PlanDiff
from triage_tui.core.sanitize import clean_line, md_text, shown

_LEVELS = {"ready": "ready", "needs_work": "needs work", "not_ready": "not ready", "": "—"}
#: Summary rows, in order: (key, words).
_SUMMARY = (
    ("items", "items"),
    ("hiring", "hiring"),
    ("project", "project"),
    ("parked", "parked"),
    ("undecided", "undecided"),
    ("ready", "ready"),
    ("needs_work", "needs work"),
    ("not_ready", "not ready"),
)
#: Longest rationale or question quoted in a table cell.
_CELL_LIMIT = 160


def _cell_code(text: str) -> str:
    """An id as a code span inside a table cell: GitHub splits cells at `|` even there."""
    return code(text).replace("|", "\\|")


def code(text: str) -> str:
    """`text` as an inline code span (an id), safe whatever backticks it holds."""
    text = clean_line(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def prose(text: str, limit: int | None = None) -> str:
    """Backlog text as one line of Markdown prose (no HTML, no line breaks)."""
    line = " ".join(clean_line(text).split())
    if limit is not None and len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return md_text(line)


def cell(text: str, limit: int | None = _CELL_LIMIT) -> str:
    """Backlog text for a table cell: one line, `|` escaped."""
    return prose(text, limit).replace("|", "\\|")


def _item(item_id: str, title: str) -> str:
    return f"{code(item_id)} {prose(title)}"


def _heading(title: str, count: int) -> str:
    return f"### {title} ({count})\n\n"


def _tally(counts: dict[str, int]) -> str:
    if not any(counts.values()):
        return "no votes"
    return " · ".join(f"{counts[key]} {key}" for key in ("hiring", "project", "parked"))


def render_markdown(diff: PlanDiff, old_name: str, new_name: str) -> str:
    """The diff as Markdown that reads well pasted into a pull request."""
    out: list[str] = []
    kind = "plan" if diff.new_is_plan else "backlog export"
    out.append(f"## Triage plan changes: {code(shown(old_name))} → {code(shown(new_name))}\n\n")
    if not diff.new_is_plan:
        out.append(f"The newer side is a {kind}: what is new or changed since the plan.\n\n")
    rows = []
    for key, words in _SUMMARY:
        if key not in diff.old_summary or key not in diff.new_summary:
            continue
        if not diff.new_is_plan and key != "items":
            continue  # an export has no decisions to count
        before, after = diff.old_summary[key], diff.new_summary[key]
        if key == "items" or before != after:
            arrow = f"{before} → {after}" if before != after else f"{after}"
            same = f" ({diff.unchanged} unchanged)" if key == "items" else ""
            rows.append(f"{words} {arrow}{same}")
    out.append(" · ".join(rows) + "\n\n")
    if diff.empty:
        out.append(f"No item added, removed or changed; {diff.unchanged} items the same.\n\n")
    if diff.added:
        out.append(_heading("Added", len(diff.added)))
        out.extend(f"- {_item(ref.id, ref.title)}\n" for ref in diff.added)
        out.append("\n")
    if diff.outside_scope:
        out.append(_heading("Outside the plan's scope", len(diff.outside_scope)))
        out.append(
            f"In the export, not in the plan: its scope leaves them out "
            f"({prose(diff.old_scope)}), so they are not added.\n\n"
        )
        out.extend(f"- {_item(ref.id, ref.title)}\n" for ref in diff.outside_scope)
        out.append("\n")
    if diff.removed:
        out.append(_heading("Removed", len(diff.removed)))
        out.extend(f"- {_item(ref.id, ref.title)}\n" for ref in diff.removed)
        out.append("\n")
    if diff.changed:
        out.append(_heading("Title or description changed", len(diff.changed)))
        for entry in diff.changed:
            what = entry.what or " and ".join(entry.fields)
            was = f" (was “{prose(entry.old_title)}”)" if entry.old_title else ""
            out.append(f"- {_item(entry.id, entry.title)}: {what} changed{was}\n")
        out.append("\n")
    if diff.decisions:
        out.append(_heading("Decisions changed", len(diff.decisions)))
        out.append("| item | was | now | why |\n| --- | --- | --- | --- |\n")
        for change in diff.decisions:
            out.append(
                f"| {_cell_code(change.id)} {cell(change.title, None)} | {change.old} | "
                f"**{change.new}** | {cell(change.rationale) or '—'} |\n"
            )
        out.append("\n")
    if diff.levels:
        out.append(_heading("Readiness moved", len(diff.levels)))
        out.append("| item | was | now | score |\n| --- | --- | --- | --- |\n")
        for move in diff.levels:
            score = (
                f"{move.new_score}"
                if move.old_score is None
                else f"{move.old_score} → {move.new_score}"
            )
            out.append(
                f"| {_cell_code(move.id)} {cell(move.title, None)} | {_LEVELS[move.old]} | "
                f"**{_LEVELS[move.new]}** | {score} |\n"
            )
        out.append("\n")
    if diff.answered:
        out.append(_heading("Parked questions answered", len(diff.answered)))
        for answer in diff.answered:
            why = f": {prose(answer.rationale, _CELL_LIMIT)}" if answer.rationale.strip() else ""
            out.append(
                f"- {_item(answer.id, answer.title)}: “{prose(answer.question, _CELL_LIMIT)}” "
                f"→ **{answer.now}**{why}\n"
            )
        out.append("\n")
    if diff.votes:
        out.append(_heading("The room's votes changed", len(diff.votes)))
        out.append("| item | was | now | against the majority |\n| --- | --- | --- | --- |\n")
        for moved in diff.votes:
            against = "yes" if moved.against_majority else "no"
            if moved.was_against_majority != moved.against_majority:
                against = f"**{against}**"
            out.append(
                f"| {_cell_code(moved.id)} {cell(moved.title, None)} | "
                f"{_tally(moved.old)} | **{_tally(moved.new)}** | {against} |\n"
            )
        out.append("\n")
    if diff.hiring_open:
        out.append(_heading("Hiring still open", len(diff.hiring_open)))
        for hire in diff.hiring_open:
            status = f" ({prose(hire.status)})" if hire.status else ""
            out.append(f"- {_item(hire.id, hire.title)}{status}\n")
        out.append("\n")
    return "".join(out).rstrip("\n") + "\n"


def render_json(diff: PlanDiff, old_name: str, new_name: str) -> str:
    """The diff as one JSON object (`diff --json`)."""
    # File names pass the boundary as in every other report (a U+202E shows as \\u202e).
    data = {"old": shown(old_name), "new": shown(new_name), **diff.to_dict()}
    return json.dumps(data, ensure_ascii=False) + "\n"
