"""The team's brief of the plan (Markdown), and the one-row-per-item CSV summary.

The brief is the team's document: what the hour decided, what it does to the roadmap,
the first engagement, the ready handoffs in short (each links to its own standalone
document, `formats.handoff_doc`), the gaps to close, the hiring items with the room's
own reasons and the parked items with their questions. Every backlog string goes
through core.sanitize (`md_text` in Markdown, `csv_cell` in the CSV).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence

from triage_tui.core import votes
from triage_tui.core.carry import previous
from triage_tui.core.categorize import QUESTIONS_BY_KEY
from triage_tui.core.handoff import (
    assess_item,
    field_text,
    handoff_fields,
    handoff_reviewer,
    handoff_status,
    recommend_first_engagement,
    size_words,
)
from triage_tui.core.model import Item
from triage_tui.core.readiness import (
    CRITERIA_BY_NUMBER,
    Assessment,
    Level,
    blocker_sentence,
    gap_todo,
)
from triage_tui.core.roadmap import Roadmap, Start, days_words, roadmap
from triage_tui.core.sanitize import csv_cell, md_text
from triage_tui.core.session import Category, Mark, Session
from triage_tui.core.spec import dialect
from triage_tui.core.tracker import dependency_warning
from triage_tui.formats.handoff_doc import (
    backlog_title,
    deliverable_markdown,
    handoff_filenames,
    inline,
    project_assessments,
    scope_items,
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

#: Where the brief links the handoff documents, relative to the brief.
HANDOFF_DIR = "handoffs"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _heading(item: Item) -> str:
    return f"{inline(item.id)}: {inline(item.title)}"


def _carried(session: Session, item: Item) -> str:
    """ " _(carried)_" after an item whose decision `--from` carried over unchanged."""
    decision = session.decisions.get(item.id)
    return " _(carried)_" if decision is not None and decision.carried else ""


def _carried_note(session: Session, items: list[Item]) -> list[str]:
    """Next quarter's plan: where its carried decisions came from, and how many."""
    source = session.carried_from
    if not source:
        return []
    get = session.decisions.get
    carried = sum(1 for item in items if (decision := get(item.id)) and decision.carried)
    lines = [
        "",
        f"Next quarter of {inline(source)}: {carried} decision{'s' if carried != 1 else ''} "
        "carried over unchanged (marked _carried_), "
        f"{len(items) - carried} new or changed this quarter.",
    ]
    changed = session.carry.get("changed") or {}
    if not changed:
        return lines
    lines += ["", "Changed since last quarter (decided again by the room):", ""]
    for item in items:
        found = previous(session, item.id) if item.id in changed else None
        if found is None:
            continue
        now = session.decision(item.id).category.value
        lines.append(
            f"- **{_heading(item)}**: {inline(found.what)} changed; last quarter "
            f"{found.category.value}, now {now}"
        )
        lines += [f"  - {inline(line)}" for line in found.lines]
    return lines


def _title(session: Session) -> str:
    """The brief's title: the backlog's own title and the team, never a file name."""
    title = backlog_title(session)
    team = session.team.strip()
    if title and team:
        return f"{inline(title)}: the plan of team {inline(team)}"
    if title:
        return f"{inline(title)}: the backlog plan"
    if team:
        return f"The backlog plan of team {inline(team)}"
    return "The backlog plan"


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


def _roadmap_section(plan: Roadmap) -> list[str]:
    figures = plan.assumptions
    lines = [
        "## Roadmap impact",
        "",
        f"Assumptions: a senior backend search takes {figures.search_months:g} months; a "
        f"contractor starts on a ready spec in {figures.contractor_start_days} days "
        "(`[meta.assumptions]` in the plan; `a` on the Plan screen changes them).",
        "",
        plan.summary(),
    ]
    groups = (
        ("Hiring items", plan.of(Category.HIRING)),
        ("Ready project items", plan.of(Category.PROJECT, ready=True)),
        ("Project items with gaps", plan.of(Category.PROJECT, ready=False)),
    )
    rows = [(name, starts) for name, starts in groups if starts]
    if rows:
        lines += [
            "",
            "| | items | hire for everything | hire for ownership, contract the projects |",
            "| --- | ---: | --- | --- |",
        ]
        for name, starts in rows:
            hire = days_words(max(start.hire_all for start in starts))
            contract = days_words(max(start.contract for start in starts))
            if name == "Project items with gaps":
                contract += ", once the gaps are closed"
            lines.append(f"| {name} | {len(starts)} | in {hire} | in {contract} |")
    return lines


def render_brief(
    session: Session,
    *,
    in_scope: Sequence[Item] | None = None,
    handoff_dir: str = HANDOFF_DIR,
    assessments: dict[str, Assessment] | None = None,
    filenames: Mapping[str, str] | None = None,
) -> str:
    """The team's brief of the plan, as Markdown.

    Sections: summary, roadmap impact, the recommended first engagement, the ready
    handoffs in short (each links to `handoff_dir/<id>.md`), the gaps to close per
    item, the hiring items with the room's reasons, the parked items with their
    questions, the items not reached, and working with an async contractor.

    Args:
        session: the decisions (typically from `triage_tui.formats.plan.read_plan`).
        in_scope: the items covered (default: the session's scope applied).
        handoff_dir: the handoff folder, relative to where the brief is written.
        assessments: assessments of this session already made, by id (filled in:
            `handoff_doc.project_assessments`).
        filenames: `handoff_filenames(session)`, when the caller has it already.

    Returns:
        Markdown text ending with a newline.
    """
    items = scope_items(session, in_scope)
    by_id = {item.id: item for item in items}
    known = {} if assessments is None else assessments
    assessments = project_assessments(session, items, known)
    out: list[str] = [f"# {_title(session)}", ""]
    facts = []
    if session.facilitator:
        facts.append(f"facilitated by {inline(session.facilitator)}")
    if session.team:
        facts.append(f"team {inline(session.team)}")
    created = str(session.plan_meta.get("created", ""))
    if created:
        facts.append(f"written {inline(created)}")
    backlog_path = str(session.plan_meta.get("backlog", ""))
    if backlog_path:
        facts.append(f"backlog {inline(backlog_path)}")
    if facts:
        out += ["_" + ", ".join(facts) + "._", ""]
    out += _summary(session, items, assessments)
    out += _carried_note(session, items)
    plan = roadmap(session, items, lambda item: assessments[item.id])
    out += ["", *_roadmap_section(plan)]

    # -- first engagement
    out += ["", "## Recommended first engagement", ""]
    first = recommend_first_engagement(session, items, assessments=assessments)
    if filenames is None:
        filenames = handoff_filenames(session)  # the names the handoff folder has
    if first is None:
        out.append(
            "No project item is ready to hand off yet. Close the gaps of the smallest "
            "project item below first, then hand that one off as the first engagement."
        )
    else:
        item = by_id[first.id]
        link = f"{handoff_dir}/{filenames[item.id]}"
        out += [f"**[{_heading(item)}]({link})**{_carried(session, item)}", "", inline(first.why)]

    # -- ready handoffs, in short
    ready = [
        item
        for item in items
        if item.id in assessments and assessments[item.id].level is Level.READY
    ]
    out += ["", "## Ready to hand off", ""]
    if not ready:
        out.append("None yet: see the gaps to close below.")
    else:
        out += [
            f"Each has its own standalone handoff in `{handoff_dir}/` "
            "(`triage-tui handoff PLAN --all`): send that, not this brief.",
            "",
        ]
    for item in ready:
        out += _ready_lines(
            session, item, assessments[item.id], handoff_dir, filenames[item.id], known
        )

    # -- gaps, grouped per item
    # By id, not `item not in ready`: a list test compares items field by field, which
    # was quadratic in the backlog (12 million Item.__eq__ calls at 50,000 items).
    ready_ids = {item.id for item in ready}
    others = [item for item in items if item.id in assessments and item.id not in ready_ids]
    out += ["", "## Gaps to close before handoff", ""]
    if not others:
        out.append("None: every project item is ready.")
    else:
        out.append("Closing these helps the internal team too.")
    for item in others:
        assessment = assessments[item.id]
        gate = " (acceptance criteria or definition of done missing)" if assessment.gated else ""
        # The blockers' words are the Plan table's; without them the brief names the
        # level in words (no symbol) and why it is held back.
        status = (
            handoff_status(assessment) if assessment.blockers else assessment.level.label + gate
        )
        out += [
            "",
            f"### {_heading(item)}{_carried(session, item)}",
            "",
            f"{assessment.score}/100, {status}.",
            "",
        ]
        note = _one_line(session.decision(item.id).note)
        if note:
            out += [f"The room's note: {inline(note)}", ""]
        for number in (*assessment.partial, *assessment.missing):
            mark = Mark.PARTIAL if number in assessment.partial else Mark.MISSING
            out.append(f"- [ ] {md_text(gap_todo(number, mark))}")
        out += [f"- [ ] {md_text(blocker_sentence(need))}" for need in assessment.blockers]

    # -- hiring items, with the room's own reasons
    hiring = [item for item in items if session.decision(item.id).category is Category.HIRING]
    out += ["", "## Hiring: needs long-term ownership", ""]
    if not hiring:
        out.append("No item was categorized as a hiring problem.")
    else:
        figures = plan.assumptions
        out += [
            f"Budget the search honestly: with a {figures.search_months:g}-month search the "
            f"owner starts in {days_words(figures.search_days)}, then onboards before the "
            "first production commit. Plan the roadmap around that gap instead of waiting on "
            "it; the project items above do not wait for it.",
        ]
    # Each hiring item's start by id (a linear search per item was quadratic).
    starts = {start.item.id: start for start in reversed(plan.starts)}
    for item in hiring:
        out += ["", f"### {_heading(item)}{_carried(session, item)}", ""]
        out += _hiring_lines(session, item, starts.get(item.id))

    # -- parked items
    parked = [item for item in items if session.decision(item.id).category is Category.PARKED]
    out += ["", "## Parked: open questions", ""]
    if not parked:
        out.append("Nothing was parked.")
    for item in parked:
        decision = session.decision(item.id)
        open_question = _one_line(decision.rationale) or (
            "no open question written down: write the question the room could not answer."
        )
        out.append(f"- **{_heading(item)}**{_carried(session, item)}: {inline(open_question)}")
        if decision.note.strip():
            out.append(f"  - The room's note: {inline(_one_line(decision.note))}")

    out += _room_lines(session, items)

    undecided = [item for item in items if session.decision(item.id).category is Category.UNDECIDED]
    if undecided:
        out += ["", "## Not reached in the timebox", ""]
        out += [f"- {_heading(item)}" for item in undecided]

    # -- working notes
    out += [
        "",
        "## Working with an async contractor",
        "",
        TIMEZONE_NOTE,
        "",
        "Every handoff assumes a written workflow: feedback in pull request comments, "
        "decisions written down where they persist, and a daily written update at the end "
        "of the contractor's day (what was done, what was decided, what is next).",
        "",
        "What to look for in a contractor:",
        "",
    ]
    out += [f"- {line}" for line in CONTRACTOR_CHECKLIST]
    return "\n".join(out).rstrip("\n") + "\n"


def _room_lines(session: Session, items: Sequence[Item]) -> list[str]:
    """Where the room disagreed (its votes went more than one way, or the decision went
    against their majority): the tally in words and the dissent's reasons, quoted."""
    lines: list[str] = []
    for item in items:
        decision = session.decision(item.id)
        if not (decision.votes or decision.readiness_votes):
            continue
        parts: list[str] = []
        if votes.disagreed(decision):
            said = votes.tally(decision).describe()
            if decision.category is Category.UNDECIDED:
                said += "; not decided"
            elif votes.against_majority(decision):
                said += f"; the room decided {decision.category.value}, against the majority"
            else:
                said += f"; decided {decision.category.value}"
            parts.append(said)
        for number, counts in votes.readiness_splits(decision).items():
            spread = ", ".join(f"{n} {mark.value}" for mark, n in counts.items() if n)
            parts.append(f"{CRITERIA_BY_NUMBER[number].name}: {spread}")
        if parts:
            lines.append(f"- **{_heading(item)}**: {inline('. '.join(parts))}.")
    if not lines:
        return []
    return ["", "## Where the room disagreed", "", *lines]


def _ready_lines(
    session: Session,
    item: Item,
    assessment: Assessment,
    handoff_dir: str,
    filename: str,
    known: dict[str, Assessment],
) -> list[str]:
    fields = handoff_fields(item, session.decision(item.id))
    markup = dialect(item.description, item.markup)
    deliverable = deliverable_markdown(item, fields, markup=markup)
    # The outcome alone: "ships when ... below" points into the handoff, not this list.
    # Cut only outside code: a cut inside a code span or block would leave its backticks
    # unpaired, and the raw text it held (code is not escaped) would read as HTML.
    outcome = re.split(r"[:;] ships when ", deliverable, maxsplit=1)[0]
    runs = re.findall(r"`+", outcome)
    if "~~~" not in outcome and all(runs.count(run) % 2 == 0 for run in set(runs)):
        deliverable = outcome.rstrip(".") + "."
    criteria = [part for part in fields["acceptance_criteria"] if part.strip()]
    reviewer = field_text(fields["reviewer"]).strip()
    link = f"{handoff_dir}/{filename}"
    facts = [f"readiness {assessment.score}/100", inline(size_words(item.estimate))]
    facts.append(f"{len(criteria)} acceptance criteri{'on' if len(criteria) == 1 else 'a'}")
    facts.append(f"reviewer {inline(reviewer)}")
    if item.due:
        facts.append(f"due {inline(item.due)}")
    carried = _carried(session, item)
    lines = [
        f"- **[{_heading(item)}]({link})**{carried}: {_one_line(deliverable)} ({', '.join(facts)})"
    ]
    note = _one_line(session.decision(item.id).note)
    if note:
        lines.append(f"  - The room's note: {inline(note)}")

    def assess(other: Item) -> Assessment:
        if other.id not in known:
            known[other.id] = assess_item(other, session.decision(other.id))
        return known[other.id]

    waits = dependency_warning(session, item, assess=assess)
    if waits:
        lines.append(f"  - **Waits on other work.** {inline(waits)}")
    return lines


def _hiring_lines(session: Session, item: Item, start: Start | None) -> list[str]:
    decision = session.decision(item.id)
    lines = []
    rationale = _one_line(decision.note)
    if rationale:
        lines.append(f"- **Why ownership (the room):** {inline(rationale)}")
    else:
        lines.append("- **Why ownership:** the room wrote no reason; write one before the search.")
    signals = [QUESTIONS_BY_KEY[key] for key in decision.signals if key in QUESTIONS_BY_KEY]
    if signals:
        lines.append("- **Signals the room ticked:**")
        lines += [f"  - {md_text(question.text)}" for question in signals]
    if start is not None:
        lines.append(
            f"- **Search timeline:** the owner starts in {days_words(start.hire_all)}; until "
            f"then {inline(item.id)} stays with the current team, so plan what it blocks."
        )
    return lines


#: The CSV summary's columns (the first eight as before; then what a team sorts by).
CSV_COLUMNS = (
    "id",
    "title",
    "category",
    "score",
    "level",
    "ready_once",
    "open_question",
    "gaps",
    "carried",
    "reviewer",
    "estimate",
    "status",
    "due",
    "note",
    "handoff_file",
    "waits_on",
)

#: The CSV_COLUMNS whose values repeat from row to row (never the first: it is guarded
#: as a row's leading cell).
_REPEATING = frozenset(
    CSV_COLUMNS.index(name)
    for name in (
        "category",
        "score",
        "level",
        "ready_once",
        "carried",
        "reviewer",
        "estimate",
        "status",
        "due",
    )
)

#: What starts a CSV file Excel opens as UTF-8 (accents intact): the byte order mark.
CSV_BOM = "\ufeff"


def render_csv_summary(
    session: Session,
    *,
    in_scope: Sequence[Item] | None = None,
    handoff_dir: str = HANDOFF_DIR,
    bom: bool = False,
    assessments: dict[str, Assessment] | None = None,
    filenames: Mapping[str, str] | None = None,
) -> str:
    """One CSV row per item: CSV_COLUMNS, every cell through `csv_cell`.

    Score, level, ready_once, gaps and reviewer are filled for project items;
    open_question for parked items (their `rationale`), note for every item (the room's
    note, its own field); carried is "true" for a decision `--from` carried over from last quarter's
    plan unchanged, else "false"; handoff_file for ready project items (the file
    `handoff --all` writes, under `handoff_dir`); waits_on for a ready item that depends
    on a parked, hiring or not-ready item; gaps are joined by " | ".

    Args:
        bom: start with a UTF-8 byte order mark, so Excel reads the accents (a file;
            not for a pipe).
        assessments: assessments of this session already made, by id (filled in).
        filenames: `handoff_filenames(session)`, when the caller has it already.
    """
    buffer = io.StringIO()
    if bom:
        buffer.write(CSV_BOM)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    items = scope_items(session, in_scope)
    if filenames is None:
        filenames = handoff_filenames(session)
    cache: dict[str, Assessment] = {} if assessments is None else assessments

    def assess(other: Item) -> Assessment:
        if other.id not in cache:
            cache[other.id] = assess_item(other, session.decision(other.id))
        return cache[other.id]

    # Most cells are empty or one of a few values (category, level, status, carried...):
    # each distinct one goes through `csv_cell` once (a pure function: the same text).
    guarded: dict[str, str] = {}

    def cell(column: int, value: str) -> str:
        if not value:
            return ""
        if column not in _REPEATING:
            return csv_cell(value, leading=not column)
        found = guarded.get(value)
        if found is None:
            found = guarded[value] = csv_cell(value)
        return found

    by_id = session.backlog.by_id()
    for item in items:
        decision = session.decision(item.id)
        score = level = ready_once = question = reviewer = handoff_file = waits = ""
        note = ""
        gaps: tuple[str, ...] = ()
        if decision.category is Category.PROJECT:
            assessment = assess(item)
            score, level = str(assessment.score), assessment.level.value
            ready_once = ", ".join(assessment.blockers)
            gaps = assessment.gaps
            reviewer = _one_line(field_text(handoff_reviewer(item, decision)))
            if assessment.level is Level.READY:
                handoff_file = f"{handoff_dir}/{filenames[item.id]}"
                waits = dependency_warning(session, item, assess=assess, by_id=by_id)
                waits = waits.removeprefix("Ready, but it ").rstrip(".")
        if decision.category is Category.PARKED:
            question = _one_line(decision.rationale)
        note = _one_line(decision.note)
        estimate = "" if item.estimate is None else str(item.estimate)
        writer.writerow(
            tuple(
                cell(column, value)
                for column, value in enumerate(
                    (
                        item.id,
                        _one_line(item.title),
                        decision.category.value,
                        score,
                        level,
                        ready_once,
                        question,
                        " | ".join(gaps),
                        "true" if decision.carried else "false",
                        reviewer,
                        estimate,
                        _one_line(item.status),
                        item.due,
                        note,
                        handoff_file,
                        waits,
                    )
                )
            )
        )
    return buffer.getvalue()
