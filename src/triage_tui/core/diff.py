"""What changed between two plans, or between a plan and a fresh backlog export.

Pure: two Sessions in, a `PlanDiff` out (formats/diff.py renders it as Markdown for a
pull request comment, or as JSON). An item is the same item when its id is the same;
it changed when its title or description did.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from typing import Any

from triage_tui.core import votes
from triage_tui.core.handoff import assess_item
from triage_tui.core.model import Item
from triage_tui.core.scope import Scope, apply_scope, is_closed
from triage_tui.core.session import Category, Decision, Session


@dataclass(frozen=True, slots=True)
class ItemRef:
    """An item named in the diff: its id and title (the newer one when it changed)."""

    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Changed:
    """An item whose text changed: which fields ("title", "description"), and in words
    with the description's line counts (`describe_text_change`)."""

    id: str
    title: str
    fields: tuple[str, ...]
    old_title: str = ""
    what: str = ""


@dataclass(frozen=True, slots=True)
class DecisionChange:
    """A category the room changed, with what the room said now (`Decision.reason`: a
    parked item's open question, any other item's note)."""

    id: str
    title: str
    old: str
    new: str
    rationale: str


@dataclass(frozen=True, slots=True)
class LevelMove:
    """A project item whose readiness level moved ("" old: it was not a project)."""

    id: str
    title: str
    old: str
    new: str
    old_score: int | None
    new_score: int


@dataclass(frozen=True, slots=True)
class HiringOpen:
    """A hiring item still open (in the newer side, not done)."""

    id: str
    title: str
    status: str


@dataclass(frozen=True, slots=True)
class Answered:
    """A parked item's open question, answered by a decision in the newer plan."""

    id: str
    title: str
    question: str
    now: str
    rationale: str


@dataclass(frozen=True, slots=True)
class VoteChange:
    """The room's votes on an item moved: the tally (hiring / project / parked counts)
    before and after, and whether the newer decision went against the majority."""

    id: str
    title: str
    old: dict[str, int]
    new: dict[str, int]
    against_majority: bool
    was_against_majority: bool


@dataclass
class PlanDiff:
    """Everything `triage-tui diff` reports.

    Attributes:
        new_is_plan: False when the newer side is a backlog export (no decisions).
        old_summary, new_summary: category (and, for plans, level) counts per side.
        added, removed, changed: items by id; `changed` = title or description edited.
            Against a fresh export, `added` holds only the new items within the old
            plan's scope (its status, type and text filters).
        outside_scope: a fresh export's new items the old plan's scope leaves out (done,
            a filtered type...): not "added", the room left their like out on purpose.
        old_scope: the old plan's scope in words ("every item" when it had none).
        unchanged: how many items are in both, with the same text.
        decisions: categories changed (plans only).
        levels: readiness levels moved (plans only).
        hiring_open: hiring items still open (the newer side's, or for a backlog the
            old plan's hiring items the export still lists as not done).
        answered: parked questions answered (plans only).
        votes: the room's tallies that moved (plans only).
    """

    new_is_plan: bool
    old_summary: dict[str, int] = field(default_factory=dict)
    new_summary: dict[str, int] = field(default_factory=dict)
    added: list[ItemRef] = field(default_factory=list)
    removed: list[ItemRef] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    outside_scope: list[ItemRef] = field(default_factory=list)
    old_scope: str = "every item"
    unchanged: int = 0
    decisions: list[DecisionChange] = field(default_factory=list)
    levels: list[LevelMove] = field(default_factory=list)
    hiring_open: list[HiringOpen] = field(default_factory=list)
    answered: list[Answered] = field(default_factory=list)
    votes: list[VoteChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing moved at all (hiring items still open are a standing fact, not a move)."""
        return not (
            self.added
            or self.outside_scope
            or self.removed
            or self.changed
            or self.decisions
            or self.levels
            or self.answered
            or self.votes
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (`diff --json`)."""
        data = asdict(self)
        for entry in data["changed"]:
            entry["fields"] = list(entry["fields"])
        return data


def text_changes(old: Item, new: Item) -> tuple[str, ...]:
    """Which of title and description differ (what makes an item "changed")."""
    fields = []
    if old.title != new.title:
        fields.append("title")
    if old.description != new.description:
        fields.append("description")
    return tuple(fields)


def word_change(old: str, new: str, context: int = 2) -> str:
    """One line edited in place, word by word, with `context` words either side of each
    change: "… downtime under [60 → 30] s" ("" when the two lines share too little for
    that to read well)."""
    before, after = old.split(), new.split()
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    if matcher.ratio() < 0.5:
        return ""
    parts: list[str] = []
    codes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(codes):
        if tag == "equal":
            # A few words of context either side of a change: the change stays in view.
            words = before[i1:i2]
            head = words[:context] if index else []
            tail = words[-context:] if index < len(codes) - 1 else []
            if len(words) > len(head) + len(tail):
                parts += [*head, "…", *tail]
            else:
                parts += words
        else:
            was, now = " ".join(before[i1:i2]), " ".join(after[j1:j2])
            if was and now:
                parts.append(f"[{was} → {now}]")
            else:
                parts.append(f"[−{was}]" if was else f"[+{now}]")
    return " ".join(parts)


def changed_lines(old: Item, new: Item, limit: int = 6, width: int = 160) -> list[str]:
    """What changed, line by line, for the room to see: "~ a line [old → new] in place",
    else "- old line" / "+ new line", of the title and description (at most `limit`
    lines, each cut at `width` characters)."""
    pairs: list[tuple[str, str]] = []
    if old.title != new.title:
        pairs.append((old.title, new.title))
    if old.description != new.description:
        removed: list[str] = []
        added: list[str] = []
        for line in difflib.ndiff(old.description.splitlines(), new.description.splitlines()):
            if line.startswith("- ") and line[2:].strip():
                removed.append(line[2:])
            elif line.startswith("+ ") and line[2:].strip():
                added.append(line[2:])
            elif not line.startswith("? "):
                pairs += _paired(removed, added)
                removed, added = [], []
        pairs += _paired(removed, added)
    lines: list[str] = []
    for was, now in pairs:
        inline = word_change(was, now) if was and now else ""
        if inline:
            lines.append(f"~ {inline}")
        else:
            lines += ([f"- {was}"] if was else []) + ([f"+ {now}"] if now else [])
    cut = [line if len(line) <= width else line[: width - 1] + "…" for line in lines[:limit]]
    if len(lines) > limit:
        cut.append(f"… {len(lines) - limit} more changed lines")
    return cut


def _paired(removed: list[str], added: list[str]) -> list[tuple[str, str]]:
    """A run of removed lines and the run of added lines after it, paired in order."""
    count = max(len(removed), len(added))
    return [
        (removed[i] if i < len(removed) else "", added[i] if i < len(added) else "")
        for i in range(count)
    ]


def line_counts(old: str, new: str) -> tuple[int, int]:
    """(lines added, lines removed) from `old` to `new` text."""
    added = removed = 0
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        if line.startswith("+ "):
            added += 1
        elif line.startswith("- "):
            removed += 1
    return added, removed


def describe_text_change(old: Item, new: Item) -> str:
    """What changed, in words: "title", "description (+3 lines)", "title and description
    (+1 −2 lines)"; "" when neither did."""
    fields = text_changes(old, new)
    if not fields:
        return ""
    what = " and ".join(fields)
    if "description" not in fields:
        return what
    added, removed = line_counts(old.description, new.description)
    counts = " ".join(
        part for part in (f"+{added}" if added else "", f"−{removed}" if removed else "") if part
    )
    lines = "line" if added + removed == 1 else "lines"
    return f"{what} ({counts} {lines})" if counts else what


def _summary(session: Session, with_levels: bool) -> dict[str, int]:
    """The counts a plan's [summary] holds, counted as the plan writer counts them (a
    "ready" item without acceptance criteria, a definition of done or a reviewer is
    not ready: `assess_item`)."""
    counts = session.counts()
    summary = {"items": len(session.backlog.items)}
    summary.update((category.value, counts[category]) for category in Category)
    if with_levels:
        levels = dict.fromkeys(("ready", "needs_work", "not_ready"), 0)
        for item in session.items_in(Category.PROJECT):
            levels[assess_item(item, session.decision(item.id)).level.value] += 1
        summary.update(levels)
    return summary


def _level(item: Item, decision: Decision | None) -> tuple[str, int | None]:
    if decision is None or decision.category is not Category.PROJECT:
        return "", None
    assessment = assess_item(item, decision)
    return assessment.level.value, assessment.score


def _counts(decision: Decision | None) -> dict[str, int]:
    if decision is None:
        return {choice.value: 0 for choice in votes.VOTE_CHOICES}
    counted = votes.tally(decision).counts
    return {choice.value: counted[choice] for choice in votes.VOTE_CHOICES}


def _vote_change(item: Item, was: Decision | None, now: Decision | None) -> VoteChange | None:
    old, new = _counts(was), _counts(now)
    was_against = was is not None and votes.against_majority(was)
    against = now is not None and votes.against_majority(now)
    if old == new and was_against == against:
        return None
    return VoteChange(item.id, item.title, old, new, against, was_against)


def compare(old: Session, new: Session, *, new_is_plan: bool = True) -> PlanDiff:
    """The diff from `old` (a plan) to `new` (a plan, or a backlog when not `new_is_plan`)."""
    result = PlanDiff(new_is_plan=new_is_plan)
    result.old_summary = _summary(old, True)
    result.new_summary = _summary(new, new_is_plan)
    old_items = old.backlog.by_id()
    old_scope = Scope.from_dict(old.scope).for_plan()
    result.old_scope = old_scope.describe()
    # A fresh export holds what the old plan left out on purpose: its new items outside
    # the old scope are told apart from the new ones (a plan holds its scope only).
    kept = (
        None
        if new_is_plan or old_scope.is_everything
        else {item.id for item in apply_scope(new.backlog.items, old_scope)}
    )
    new_ids = set()
    for item in new.backlog.items:
        new_ids.add(item.id)
        before = old_items.get(item.id)
        if before is None:
            if kept is None or item.id in kept:
                result.added.append(ItemRef(item.id, item.title))
            else:
                result.outside_scope.append(ItemRef(item.id, item.title))
            continue
        fields = text_changes(before, item)
        if fields:
            old_title = before.title if "title" in fields else ""
            what = describe_text_change(before, item)
            result.changed.append(Changed(item.id, item.title, fields, old_title, what))
        else:
            result.unchanged += 1
    result.removed = [
        ItemRef(item.id, item.title) for item in old.backlog.items if item.id not in new_ids
    ]

    old_get, new_get = old.decisions.get, new.decisions.get
    if new_is_plan:
        for item in new.backlog.items:
            if item.id not in old_items:
                continue
            was, now = old_get(item.id), new_get(item.id)
            was_category = was.category if was else Category.UNDECIDED
            now_category = now.category if now else Category.UNDECIDED
            if was_category is not now_category:
                result.decisions.append(
                    DecisionChange(
                        item.id,
                        item.title,
                        was_category.value,
                        now_category.value,
                        now.reason if now else "",
                    )
                )
                answered = (
                    was_category is Category.PARKED
                    and was is not None
                    and was.rationale.strip()
                    and now_category is not Category.UNDECIDED
                )
                if answered and was is not None:
                    result.answered.append(
                        Answered(
                            item.id,
                            item.title,
                            was.rationale,
                            now_category.value,
                            now.reason if now else "",
                        )
                    )
            moved = _vote_change(item, was, now)
            if moved is not None:
                result.votes.append(moved)
            old_level, old_score = _level(old_items[item.id], was)
            new_level, new_score = _level(item, now)
            if new_level and new_score is not None and new_level != old_level:
                result.levels.append(
                    LevelMove(item.id, item.title, old_level, new_level, old_score, new_score)
                )
        hiring = new.items_in(Category.HIRING)
    else:
        # A fresh export has no decisions: the old plan's hiring items it still lists.
        hiring = (
            item
            for item in new.backlog.items
            if item.id in old_items and old.decision(item.id).category is Category.HIRING
        )
    result.hiring_open = [
        HiringOpen(item.id, item.title, item.status) for item in hiring if not is_closed(item)
    ]
    return result
