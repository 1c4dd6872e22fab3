"""The contractor's handoff: one standalone Markdown document per project item.

DOMAIN.md "The handoff a contractor receives": written so that someone who has never
seen the codebase, in another timezone, can start without a kickoff call. Every part
comes from the item's handoff (the spec's own sections, as the room edited them);
Jira markup is converted to Markdown, backlog prose goes through `md_text` and code
and the spec as written through `md_fence`, so no raw HTML or markup gets out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from triage_tui.core.handoff import (
    DEFAULT_CADENCE,
    FirstEngagement,
    assess_item,
    default_handoff,
    deliverable_outcome,
    field_text,
    handoff_fields,
    recommend_first_engagement,
    review_points,
    tracker_repository,
    with_sub_items,
)
from triage_tui.core.model import Attachment, Comment, Item
from triage_tui.core.readiness import Assessment, Level
from triage_tui.core.sanitize import (
    clean_line,
    clean_text,
    md_fence,
    md_line,
    md_link,
    md_text,
)
from triage_tui.core.scope import Scope, apply_scope
from triage_tui.core.session import Category, Session
from triage_tui.core.spec import dialect
from triage_tui.core.tracker import (
    dependency_warning,
    latest_comments,
    open_questions,
    questions,
    related_items,
)
from triage_tui.formats.markup import display_markdown, part_markdown

#: What the document says when the spec leaves a part empty (never "to write").
NOT_IN_SPEC = "Not in the spec."


def inline(text: str) -> str:
    """Backlog text for one line of Markdown: no heading, emphasis, link, table or HTML
    (core.sanitize's `md_line`, the one place every Markdown export takes it from)."""
    return md_line(text)


_FENCE_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+.-]*)[ \t]*$")


def safe_markdown(markdown: str) -> str:
    """Markdown from a backlog made safe to render: prose through `md_text`, each fenced
    block re-fenced with `md_fence` (so `<api key>` in a code block stays as written)."""
    out: list[str] = []
    prose: list[str] = []
    code: list[str] = []
    fence = ""
    info = ""
    for line in clean_text(markdown).split("\n"):
        if fence:
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                out.append(md_fence("\n".join(code), info))
                fence, code = "", []
            else:
                code.append(line)
            continue
        opening = _FENCE_OPEN.match(line)
        if opening:
            if prose:
                out.append(md_text("\n".join(prose)))
                prose = []
            fence, info = opening.group(1), opening.group(2)
            continue
        prose.append(line)
    if fence:
        out.append(md_fence("\n".join(code), info))
    if prose:
        out.append(md_text("\n".join(prose)))
    return "\n".join(part for part in out if part.strip()).strip("\n")


def backlog_title(session: Session) -> str:
    """The backlog's own title, or "" when it only has its file's name (a CSV export)."""
    title = session.backlog.title.strip()
    source = session.backlog.source
    names = {source.name, source.stem} if source is not None else set()
    backlog_file = str(session.plan_meta.get("backlog", ""))
    if backlog_file:
        names |= {backlog_file, backlog_file.replace("\\", "/").rsplit("/", 1)[-1]}
    if title in names or title.casefold().endswith((".csv", ".tsv", ".toml", ".txt")):
        return ""
    return title


#: Names Windows keeps for devices, in any case and with any extension ("nul.md",
#: "Com1.tar.md"): a file so named cannot be checked out there.
_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {
        f"{port}{n}"
        for port in ("COM", "LPT")
        for n in (*"0123456789", "\u00b9", "\u00b2", "\u00b3")
    }
)
#: A file name's budget: 255 bytes on ext4, APFS and NTFS (UTF-16 units there, fewer than
#: UTF-8 bytes); room is kept for ".md" and a "-2" that handoff_filenames may add.
_NAME_BYTES = 240
_STEM_CHARS = 80


def handoff_filename(item_id: str) -> str:
    """The handoff's file name for an item id ("CORE-137.md"), portable to Windows, macOS
    and Linux: letters, digits, ``.``, ``_`` and ``-`` only (NFC), never a Windows device
    name (``CON``, ``nul``, ``Com1``, ``LPT9``: prefixed ``_``), and short: a longer id is
    cut on a character boundary (80 characters, 240 UTF-8 bytes at most) and given a short
    hash of the whole id, so two long ids still get names of their own."""
    import hashlib
    import unicodedata

    text = unicodedata.normalize("NFC", clean_line(item_id))
    stem = re.sub(r"[^\w.-]+", "-", text).strip("-.") or "item"
    if len(stem) > _STEM_CHARS or len(stem.encode()) > _NAME_BYTES:
        digest = hashlib.sha256(item_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        budget = _NAME_BYTES - len(digest) - 1
        cut = stem[:_STEM_CHARS]
        while len(cut.encode()) > budget:
            cut = cut[:-1]  # whole characters: never half of a UTF-8 sequence
        stem = f"{cut.rstrip('-.')}-{digest}"
    if stem.split(".", 1)[0].upper() in _DEVICES:
        stem = "_" + stem
    return f"{stem}.md"


def handoff_filenames(session: Session) -> dict[str, str]:
    """Every item's handoff file name, each its own: ids that read alike as a file name
    ("A/B", "A B", "A-B"; "core-1" beside "CORE-1" on a case-blind disk) get "-2", "-3"
    in backlog order, so no handoff overwrites another and the brief links the right one."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    import unicodedata

    def key(name: str) -> str:  # case-blind (NTFS, APFS), normalization-blind (APFS)
        return unicodedata.normalize("NFD", name.casefold())

    for item in session.backlog.items:
        name = handoff_filename(item.id)
        stem, count = name[: -len(".md")], 1
        while key(name) in taken:
            count += 1
            name = f"{stem}-{count}.md"
        taken.add(key(name))
        names[item.id] = name
    return names


@dataclass(frozen=True, slots=True)
class HandoffDoc:
    """One rendered handoff.

    Attributes:
        item: the project item.
        filename: its file name in a handoff folder.
        ready: whether the item is ready to hand off.
        text: the Markdown document.
    """

    item: Item
    filename: str
    ready: bool
    text: str


def _part(value: str, *, markup: str) -> str:
    return safe_markdown(part_markdown(value, markup=markup)) if value.strip() else ""


def _attachment_line(attachment: Attachment) -> str:
    """`- [name](url) (date)`: a link only where core.sanitize's one allowlist says so
    (`md_link`); any other url is shown as text."""
    shown = md_link(attachment.name, attachment.url)
    return f"- {shown}" + (f" ({inline(attachment.at)})" if attachment.at else "")


def _who(comment: Comment) -> str:
    parts = [part for part in (comment.at, comment.author) if part]
    return inline(", ".join(parts)) if parts else "undated"


def _comment_text(comment: Comment, *, markup: str) -> str:
    return " ".join(_part(comment.text, markup=markup).split())


def tracker_section(
    session: Session,
    item: Item,
    *,
    markup: str,
    assess: Callable[[Item], Assessment],
) -> str:
    """What the tracker already says about the item (due date, open questions, latest
    comments, attachments, related items with the room's decision on each), as Markdown;
    "" when it says nothing."""
    out: list[str] = []
    if item.due:
        out += [f"- **Due in the tracker:** {inline(item.due)}", ""]
    asked = open_questions(item.comments)
    if asked:
        out += ["**Open questions in the comments** (answer them in writing before day one):", ""]
        for comment in asked:
            later = len(item.comments) - 1 - item.comments.index(comment)
            asks = questions(comment) or [comment.text]
            text = " ".join(_part(" ".join(asks), markup=markup).split())
            after = (
                f" _(followed by {later} later comment{'s' if later != 1 else ''}: check "
                "whether they answer it)_"
                if later
                else ""
            )
            out.append(f"- {_who(comment)}: {text}{after}")
        out.append("")
    if item.comments:
        latest = latest_comments(item.comments)
        more = len(item.comments) - len(latest)
        heading = "**Latest comments**" + (f" ({more} earlier not shown)" if more else "")
        out += [f"{heading}:", ""]
        out += [f"- {_who(c)}: {_comment_text(c, markup=markup)}" for c in latest]
        out.append("")
    if item.attachments:
        out += ["**Attachments** (in the tracker; ask for access if a link does not open):", ""]
        out += [_attachment_line(attachment) for attachment in item.attachments]
        out.append("")
    # The parent a child names, and a parent's sub-items (items naming it as their
    # parent), each with its title and the room's decision: plain text, never a link.
    related = related_items(session, with_sub_items(session.backlog.items, item), assess=assess)
    if related:
        out += ["**Related items** (the room's decision on each):", ""]
        out += [f"- {inline(entry.sentence(with_title=True))}" for entry in related]
        out.append("")
    return "\n".join(out).strip("\n")


def team_section(session: Session, item: Item, reviewer: str) -> str:
    """The team and the code: repository, stack, the reviewer's place and hours, how
    access is requested ([meta.team]); what is not known yet says who to ask."""
    info = session.team_info
    repository = info.get("repository", "") or tracker_repository(item)
    ask = "not written down yet: ask the reviewer before day one"
    who = inline(reviewer) if reviewer else "the reviewer"
    hours = info.get("reviewer_hours", "")
    lines = [
        f"- Repository: {inline(repository)}" if repository else f"- Repository: {ask}.",
        f"- Stack: {inline(info['stack'])}" if info.get("stack") else f"- Stack: {ask}.",
        f"- Where and when {who} reviews: {inline(hours)}"
        if hours
        else f"- Where and when {who} reviews: {ask}.",
        f"- How access is requested: {inline(info['access'])}"
        if info.get("access")
        else f"- How access is requested: {ask}.",
    ]
    return "\n".join(lines)


def deliverable_markdown(item: Item, fields: Mapping[str, Any], *, markup: str) -> str:
    """The Deliverable as Markdown. As drafted from the title (a one-line field), it is
    one line of text (`md_line`): a title "# Pay", "- x" or "{code}" never starts a
    heading, list or code block, and a link in it is text. Once the room wrote its own,
    it is the room's Markdown (`safe_markdown`: links through the allowlist)."""
    value = field_text(fields["deliverable"])
    outcome = deliverable_outcome(item.title)
    if value != field_text(default_handoff(item)["deliverable"]) or not value.startswith(outcome):
        return _part(value, markup=markup)
    # The spec's own words that follow (": a small service that ...; ships when ...")
    # keep their Markdown; they start mid-line, so they open no block either.
    rest = " ".join(_part(value[len(outcome) :], markup=markup).split("\n"))
    return md_line(outcome) + rest


def render_handoff(
    session: Session,
    item: Item,
    *,
    assessment: Assessment | None = None,
    first: FirstEngagement | None = None,
) -> str:
    """The standalone handoff document for one project item.

    Args:
        session: the decisions (the room's handoff edits, names, the backlog's title).
        item: the project item.
        assessment: its assessment (default: computed).
        first: the recommended first engagement (the document says so when it is this
            item, and names the larger need it prepares for).

    Returns:
        Markdown ending with a newline.
    """
    decision = session.decision(item.id)
    assessment = assessment or assess_item(item, decision)
    fields = handoff_fields(item, decision)
    markup = dialect(item.description, item.markup)
    ready = decision.category is Category.PROJECT and assessment.level is Level.READY

    out: list[str] = [f"# Handoff: {inline(item.id)}, {inline(item.title)}", ""]
    if not ready:
        out += ["> **Not ready yet.** Close these gaps before handing it off:", ">"]
        if decision.category is not Category.PROJECT:
            out.append(f"> - It is categorized {decision.category.value}, not project delivery.")
        out += [f"> - {inline(gap)}" for gap in assessment.gaps]
        out.append("")
    title = backlog_title(session)
    facts = [inline(title)] if title else []
    if session.team:
        facts.append(f"team {inline(session.team)}")
    if session.facilitator:
        facts.append(f"prepared with {inline(session.facilitator)}")
    facts.append(f"spec readiness {assessment.score}/100")
    if decision.carried:  # decided last quarter, unchanged since (`--from`)
        source = session.carried_from
        facts.append(f"carried from {inline(source)}" if source else "carried from last quarter")
    out += ["_" + " · ".join(facts) + "_", ""]
    if first is not None and first.id == item.id:
        out += [f"**The first engagement.** {inline(first.why)}", ""]

    cache: dict[str, Assessment] = {item.id: assessment}

    def assess(other: Item) -> Assessment:
        if other.id not in cache:
            cache[other.id] = assess_item(other, session.decision(other.id))
        return cache[other.id]

    waits = dependency_warning(session, item, assess=assess)
    if waits:
        out += [f"> **Waits on other work.** {inline(waits)} Settle it before day one.", ""]
    note = " ".join(decision.note.split())
    if note:
        out += [f"**The room's note:** {inline(note)}", ""]
    asked = " ".join(decision.rationale.split())  # the open question, while it was parked
    if asked:
        out += [f"**Asked while it was parked:** {inline(asked)}", ""]

    def section(title: str, body: str, *, empty: str = NOT_IN_SPEC) -> None:
        out.extend([f"## {title}", "", body.strip() or empty, ""])

    section("Deliverable", deliverable_markdown(item, fields, markup=markup))
    section(
        "System context",
        _part(field_text(fields["context"]), markup=markup),
        empty="Not in the spec: the reviewer adds what the service does, how it fits the "
        "architecture and the adjacent systems before day one."
        if ready
        else NOT_IN_SPEC,
    )
    section("Contract (inputs and outputs)", _part(field_text(fields["contract"]), markup=markup))

    criteria = [part for part in fields["acceptance_criteria"] if part.strip()]
    checklist = "\n".join(
        f"- [ ] {_part(criterion, markup=markup).replace(chr(10), ' ')}" for criterion in criteria
    )
    section(
        "Acceptance criteria",
        checklist,
        empty="None written yet: the gaps above say what is missing.",
    )
    section(
        "Definition of done",
        _part(field_text(fields["definition_of_done"]), markup=markup),
        empty="None written yet: the gaps above say what is missing.",
    )
    section(
        "Out of scope",
        _part(field_text(fields["out_of_scope"]), markup=markup),
        empty="Nothing is written as out of scope: anything not in the acceptance criteria "
        "above is a question for the reviewer, asked in writing before it is built.",
    )

    said = tracker_section(session, item, markup=markup, assess=assess)
    if said:
        section("What the tracker already says", said)

    timeline = field_text(fields["timeline"])
    timeline_lines = [f"- {inline(part.strip())}" for part in timeline.split(";") if part.strip()]
    if "review points" not in timeline.casefold():
        timeline_lines.append(f"- {inline(review_points(item.estimate))}")
    section(
        "Timeline",
        "Agreed in writing at the start: the deliverable above, the dates and the review "
        "points.\n\n" + "\n".join(timeline_lines),
    )

    reviewer = field_text(fields["reviewer"]).strip()
    review = [
        f"- Reviewer: **{inline(reviewer)}**"
        if reviewer
        else "- Reviewer: none named yet (see the gaps above).",
        "- Feedback comes in code review: comments on your pull requests, and written "
        "comments on this document.",
        "- Decisions are written down where they persist (the pull request, the repository's "
        "docs), never only said in a call.",
    ]
    section("How review works", "\n".join(review))

    channel = field_text(fields["channel"]).strip()
    cadence = field_text(fields["cadence"]).strip()
    updates = [
        f"- Channel: {inline(channel)}" if channel else "- Channel: pull request comments.",
        f"- Cadence: {inline(cadence)}" if cadence and cadence != DEFAULT_CADENCE else "",
        "- A daily written update at the end of your day, in the channel:",
        "  - what was done,",
        "  - what was decided (and why),",
        "  - what is next (and any question that blocks it).",
        "- Work arrives in reviewable increments: small commits, one pull request per "
        "step, each one reviewable on its own.",
        "- The timezone gap works for both sides: your work arrives overnight, review "
        "happens in the team's day, and the next iteration is under way before you "
        "start again.",
    ]
    section("Channel and updates", "\n".join(line for line in updates if line))
    section("The team and the code", team_section(session, item, reviewer))

    access = [part for part in fields["access"] if part.strip()]
    how = session.team_info.get("access", "")
    section(
        "Before day one (the team arranges)",
        "So the first question is never “how do I get in”:\n\n"
        + "\n".join(f"- [ ] {inline(part)}" for part in access)
        + (f"\n\nAccess is requested: {inline(how)}" if how else ""),
    )

    if item.description.strip():
        shown = display_markdown(item.description, markup) if markup == "jira" else item.description
        out += ["## The spec as written", "", md_fence(clean_text(shown), "markdown"), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def scope_items(session: Session, in_scope: Sequence[Item] | None) -> list[Item]:
    """The items a brief, a CSV or the handoffs cover: `in_scope`, default the plan's
    (the scope's filters; a `--from` list of new and changed ids narrows the hour, not
    the plan, so carried items are covered too)."""
    if in_scope is not None:
        return list(in_scope)
    return apply_scope(session.backlog.items, Scope.from_dict(session.scope).for_plan())


def project_assessments(
    session: Session, items: Sequence[Item], known: dict[str, Assessment] | None = None
) -> dict[str, Assessment]:
    """Each project item of `items` (and only those) with `assess_item`'s assessment.

    `known`: assessments of the same session already made, by id (an export writes the
    plan, the brief, the CSV and the handoffs of one session: each item is assessed
    once for the four); what is missing is assessed and added to it.
    """
    known = {} if known is None else known
    assessments = {}
    for item in items:
        found = known.get(item.id)
        if found is None:
            decision = session.decision(item.id)
            if decision.category is not Category.PROJECT:
                continue
            found = known[item.id] = assess_item(item, decision)
        assessments[item.id] = found
    return assessments


def handoff_documents(
    session: Session,
    *,
    in_scope: Sequence[Item] | None = None,
    ids: Sequence[str] = (),
    every_ready: bool = False,
    each: Callable[[int, int], None] | None = None,
    assessments: dict[str, Assessment] | None = None,
    filenames: Mapping[str, str] | None = None,
) -> list[HandoffDoc]:
    """The handoffs `triage-tui handoff` and the Export screen write.

    Args:
        session: the decisions.
        in_scope: the items covered (default: the session's scope applied).
        ids: these items (any category: one that is not ready says so at the top).
        every_ready: every ready project item (ignored when `ids` are given).
        each: called with (documents rendered, documents in all) after each one (the
            Export screen's progress bar).
        assessments: assessments of this session already made (`project_assessments`).
        filenames: `handoff_filenames(session)`, when the caller has it already.

    Returns:
        One document per item, in backlog order for `every_ready`, in `ids` order
        otherwise; neither: the recommended first engagement (none when nothing is ready).

    Raises:
        KeyError: an id that is not in the plan (the message names it).
    """
    items = scope_items(session, in_scope)
    known = assessments
    assessments = project_assessments(session, items, known)
    first = recommend_first_engagement(session, items, assessments=assessments)
    by_id = {item.id: item for item in session.backlog.items}
    if ids:
        chosen = []
        for item_id in ids:
            if item_id not in by_id:
                raise KeyError(item_id)
            chosen.append(by_id[item_id])
    elif every_ready:
        chosen = [
            item
            for item in items
            if item.id in assessments and assessments[item.id].level is Level.READY
        ]
    else:
        chosen = [by_id[first.id]] if first is not None else []
    if filenames is None:
        filenames = handoff_filenames(session)
    docs = []
    for item in chosen:
        assessment = assessments.get(item.id) or assess_item(item, session.decision(item.id))
        ready = (
            session.decision(item.id).category is Category.PROJECT
            and assessment.level is Level.READY
        )
        text = render_handoff(session, item, assessment=assessment, first=first)
        docs.append(HandoffDoc(item, filenames[item.id], ready, text))
        if each is not None:
            each(len(docs), len(chosen))
    return docs
