"""The Markdown brief a contractor can start from, and the one-row-per-item CSV summary."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from triage_tui.core.categorize import QUESTIONS_BY_KEY, suggest
from triage_tui.core.handoff import handoff_fields, recommend_first_engagement
from triage_tui.core.model import Item
from triage_tui.core.readiness import Assessment, Level, assess
from triage_tui.core.sanitize import clean_line, csv_cell, md_text
from triage_tui.core.scope import Scope, apply_scope
from triage_tui.core.session import Category, Session

#: DOMAIN.md: the hiring items' "what to do".
SEARCH_TIMELINE_NOTE = (
    "Search timeline: budget it honestly. Senior backend hires in a small local pool take "
    "months, not weeks; plan the roadmap around that gap instead of waiting on it. The "
    "items below stay on hold, or with the current team, until their owner starts."
)

#: DOMAIN.md: why a written workflow turns the timezone gap into an asset.
TIMEZONE_NOTE = (
    "The timezone gap is an asset when the workflow is written: work arrives overnight, "
    "review happens in your day, and the next iteration is under way before you close "
    "your laptop."
)

#: DOMAIN.md: what to look for in a contractor.
CONTRACTOR_CHECKLIST = (
    "shipped production backend systems;",
    "clear written communication;",
    "a track record with clients they were not co-located with;",
    "delivering against specs rather than ongoing direction.",
)

_HANDOFF_LABELS = (
    ("deliverable", "Deliverable"),
    ("acceptance_criteria", "Acceptance criteria"),
    ("timeline", "Timeline"),
    ("reviewer", "Reviewer"),
    ("channel", "Channel"),
    ("cadence", "Update cadence"),
)


def _items(session: Session, in_scope: Sequence[Item] | None) -> list[Item]:
    if in_scope is not None:
        return list(in_scope)
    return apply_scope(session.backlog.items, Scope.from_dict(session.scope))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _md(text: str) -> str:
    # Inline text from the backlog must not open a heading, a table cell or emphasis.
    line = _one_line(text)
    # Backticks stay: a `code span` in a title reads as intended.
    for char in ("\\", "|", "*", "_", "[", "]"):
        line = line.replace(char, "\\" + char)
    # HTML as entities: not every renderer honours a backslash before "<".
    return md_text(line)


def _heading(item: Item) -> str:
    return f"{_md(item.id)}: {_md(item.title)}"


def _block(text: str, indent: str = "  ") -> list[str]:
    """Multi-line text under a list item, kept verbatim (indented, so Markdown nests it)."""
    return [f"{indent}{md_text(line)}".rstrip() for line in text.strip("\n").splitlines()]


def _quote_block(text: str) -> list[str]:
    return [f"> {line}".rstrip() for line in text.strip("\n").splitlines()]


def _handoff_lines(item: Item, session: Session) -> list[str]:
    fields = handoff_fields(item, session.decision(item.id))
    lines: list[str] = []
    for key, label in _HANDOFF_LABELS:
        value = fields[key].strip()
        if "\n" in value:
            lines.append(f"- **{label}:**")
            lines.append("")
            lines.extend(_block(value))
            lines.append("")
        else:
            lines.append(f"- **{label}:** {_md(value)}")
    return lines


def _summary(session: Session, items: list[Item], assessments: dict[str, Assessment]) -> list[str]:
    counts = session.counts(items)
    levels = dict.fromkeys(Level, 0)
    for assessment in assessments.values():
        levels[assessment.level] += 1
    rows = [
        ("Hiring: needs long-term ownership", counts[Category.HIRING]),
        ("Project delivery", counts[Category.PROJECT]),
        ("  ready to hand off", levels[Level.READY]),
        ("  needs work", levels[Level.NEEDS_WORK]),
        ("  not ready", levels[Level.NOT_READY]),
        ("Parked (open question)", counts[Category.PARKED]),
        ("Undecided", counts[Category.UNDECIDED]),
        ("**Items in scope**", len(items)),
    ]
    lines = ["## Summary", "", "| | items |", "| --- | ---: |"]
    lines += [f"| {label.replace('  ', '&nbsp;&nbsp;')} | {count} |" for label, count in rows]
    # A reopened plan holds only the items in scope; its (checked) items_total counts all.
    total = session.plan_meta.get("items_total", len(session.backlog.items))
    left_out = int(total) - len(items)
    if left_out > 0:
        lines += ["", f"{left_out} backlog items were left out of the workshop's scope."]
    return lines


def render_brief(session: Session, *, in_scope: Sequence[Item] | None = None) -> str:
    """The handoff plan as Markdown a contractor (and the team) can start from.

    Sections: summary, recommended first engagement, a brief per ready project item,
    the gaps to close for the other project items, the hiring items with their reason
    and a search-timeline note, the parked items with their open questions, the items
    not reached, and working notes (timezone, what to look for in a contractor).

    Args:
        session: the decisions (typically from `triage_tui.formats.plan.read_plan`).
        in_scope: the items covered (default: the session's scope applied).

    Returns:
        Markdown text ending with a newline.
    """
    items = _items(session, in_scope)
    by_id = {item.id: item for item in items}
    assessments = {
        item.id: assess(item, session.decision(item.id).marks)
        for item in items
        if session.decision(item.id).category is Category.PROJECT
    }
    title = session.backlog.title or (
        session.backlog.source.name if session.backlog.source else "backlog"
    )
    out: list[str] = [f"# Handoff plan: {_md(title)}", ""]
    facts = []
    created = str(session.plan_meta.get("created", ""))
    if created:
        facts.append(f"written {_md(created)}")
    if session.facilitator:
        facts.append(f"facilitator {_md(session.facilitator)}")
    if session.team:
        facts.append(f"team {_md(session.team)}")
    backlog_path = str(session.plan_meta.get("backlog", ""))
    if backlog_path:
        no_backtick = clean_line(backlog_path).replace("`", "'")  # nothing may close the code span
        facts.append(f"from `{no_backtick}`")
    if facts:
        out += ["_" + ", ".join(facts) + "._", ""]
    out += _summary(session, items, assessments)

    # -- first engagement
    out += ["", "## Recommended first engagement", ""]
    recommendation = recommend_first_engagement(session, items, assessments=assessments)
    if recommendation is None:
        out.append(
            "No project item is ready to hand off yet. Close the gaps of the smallest "
            "project item below first, then hand that one off as the first engagement."
        )
    else:
        item = by_id[recommendation[0]]
        out += [f"**{_heading(item)}**", "", _md(recommendation[1])]

    # -- ready items
    ready = [
        item
        for item in items
        if item.id in assessments and assessments[item.id].level is Level.READY
    ]
    out += ["", "## Ready to hand off", ""]
    if not ready:
        out.append("None yet: see the gaps to close below.")
    for item in ready:
        assessment = assessments[item.id]
        out += [f"### {_heading(item)}", "", f"Spec readiness: {assessment.score}/100."]
        if item.estimate is not None:
            unit = "" if isinstance(item.estimate, str) else " points"
            out[-1] += f" Estimate: {_md(str(item.estimate))}{unit}."
        out += ["", *_handoff_lines(item, session)]
        if assessment.gaps:
            out += ["", "Still worth tightening:", ""]
            out += [f"- [ ] {_md(gap)}" for gap in assessment.gaps]
        if item.description.strip():
            out += ["", "<details><summary>The spec as written</summary>", ""]
            out += _quote_block(md_text(item.description))  # no raw HTML, no </details>
            out += ["", "</details>"]
        out.append("")

    # -- gaps for the other project items
    others = [item for item in items if item.id in assessments and item not in ready]
    out += ["## Gaps to close before handoff", ""]
    if not others:
        out.append("None: every project item is ready.")
    for item in others:
        assessment = assessments[item.id]
        gate = " (acceptance criteria or definition of done missing)" if assessment.gated else ""
        out += [
            f"### {_heading(item)}",
            "",
            f"Spec readiness: {assessment.score}/100, {assessment.level.label}{gate}. "
            "Closing these helps the internal team too.",
            "",
        ]
        out += [f"- [ ] {_md(gap)}" for gap in assessment.gaps]
        out.append("")

    # -- hiring items
    hiring = [item for item in items if session.decision(item.id).category is Category.HIRING]
    out += ["## Hiring: needs long-term ownership", ""]
    if not hiring:
        out.append("No item was categorized as a hiring problem.")
    else:
        out += [SEARCH_TIMELINE_NOTE, ""]
    for item in hiring:
        out += [f"### {_heading(item)}", ""]
        out += [f"- **Why ownership:** {_why_hiring(item, session)}"]
        signals = [
            QUESTIONS_BY_KEY[key]
            for key in session.decision(item.id).signals
            if key in QUESTIONS_BY_KEY
        ]
        for question in signals:
            out.append(f"- Yes to: {question.text}")
        out.append("")

    # -- parked items
    parked = [item for item in items if session.decision(item.id).category is Category.PARKED]
    out += ["## Parked: open questions", ""]
    if not parked:
        out.append("Nothing was parked.")
    for item in parked:
        open_question = _one_line(session.decision(item.id).rationale) or (
            "no open question written down: write the question the room could not answer."
        )
        out.append(f"- **{_heading(item)}**: {_md(open_question)}")
    out.append("")

    undecided = [item for item in items if session.decision(item.id).category is Category.UNDECIDED]
    if undecided:
        out += ["## Not reached in the timebox", ""]
        out += [f"- {_heading(item)}" for item in undecided]
        out.append("")

    # -- working notes
    out += [
        "## Working with an async contractor",
        "",
        TIMEZONE_NOTE,
        "",
        "Every handoff above assumes a written workflow: feedback in pull request comments, "
        "decisions written down where they persist, and a daily written update at the end "
        "of the contractor's day (what was done, what was decided, what is next).",
        "",
        "What to look for in a contractor:",
        "",
    ]
    out += [f"- {line}" for line in CONTRACTOR_CHECKLIST]
    return "\n".join(out).rstrip("\n") + "\n"


def _why_hiring(item: Item, session: Session) -> str:
    rationale = _one_line(session.decision(item.id).rationale)
    if rationale:
        return _md(rationale)
    suggestion = suggest(item)
    if suggestion.category is Category.HIRING:
        return f"(no rationale written; the suggestion said) {_md(suggestion.reason)}"
    return "no rationale written down: say why this needs an owner for years."


def render_csv_summary(session: Session, *, in_scope: Sequence[Item] | None = None) -> str:
    """One CSV row per item: id, title, category, score, level, gaps (joined by " | ").

    Score and level are empty for items that are not project items.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("id", "title", "category", "score", "level", "gaps"))
    for item in _items(session, in_scope):
        decision = session.decision(item.id)
        if decision.category is Category.PROJECT:
            assessment = assess(item, decision.marks)
            score, level, gaps = str(assessment.score), assessment.level.value, assessment.gaps
        else:
            score, level, gaps = "", "", ()
        row = (item.id, item.title, decision.category.value, score, level, " | ".join(gaps))
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()
