"""Next quarter's workshop: carry last quarter's plan over to a fresh export (`--from`).

An item is unchanged when it has the same id, title and description as in the old
plan: its decision, note, signals, marks and handoff edits come over, marked
`carried`. New items and items whose title or description changed start undecided and
are the hour's default scope, within last quarter's own scope (its status, type and
text filters carry over, so what the room left out on purpose stays out and is not
"new"); a changed item keeps last quarter's decision beside it
(`describe_previous`). The plan still holds every item.

The carry-over is one journaled step that ctrl+z passes over, so an autosave resumed
later (with or without `--from`) has it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from triage_tui.core.model import Item
from triage_tui.core.scope import Scope, apply_scope
from triage_tui.core.session import (
    HANDOFF_FIELDS,
    SESSION,
    Category,
    Decision,
    Mark,
    Session,
    Step,
    split_legacy_rationale,
)


@dataclass(frozen=True, slots=True)
class CarryCounts:
    """How the new backlog relates to the old plan."""

    carried: int
    new: int
    changed: int
    removed: int
    outside: int = 0

    def describe(self, source: str) -> str:
        """One line for the start screen."""
        notes = []
        if self.removed:
            notes.append(f"{self.removed} gone from the backlog")
        if self.outside:
            notes.append(f"{self.outside} more outside last quarter's scope, left out")
        return (
            f"From {source}: {self.carried} decision{'s' if self.carried != 1 else ''} carried, "
            f"{self.new} new and {self.changed} changed item"
            f"{'s' if self.new + self.changed != 1 else ''} to decide"
            + (f" ({'; '.join(notes)})" if notes else "")
        )


def _decision_changes(item_id: str, old: Decision) -> list[tuple[str, str, Any]]:
    changes: list[tuple[str, str, Any]] = [
        (item_id, "category", old.category),
        (item_id, "rationale", old.rationale),
        (item_id, "note", old.note),
        (item_id, "signals", list(old.signals)),
        (item_id, "decided_at", old.decided_at),
        (item_id, "carried", old.category is not Category.UNDECIDED),
    ]
    changes += [(item_id, f"mark.{number}", mark) for number, mark in sorted(old.marks.items())]
    changes += [(item_id, f"handoff.{name}", value) for name, value in old.handoff.items()]
    return changes


def carry_over(session: Session, old: Session, source: str) -> Step | None:
    """Carry `old`'s decisions into `session` (a workshop over the new backlog).

    Args:
        session: the new quarter's session, nothing decided yet.
        old: last quarter's plan, reopened (`read_plan`).
        source: how to name the old plan (its path, as given).

    Returns:
        The step applied (not undoable), or None when there was nothing to carry.
    """
    # Here, not at the top: diff needs readiness (~80 regexes), which the Start
    # screen's first paint, importing this module, does not.
    from triage_tui.core.diff import changed_lines, describe_text_change

    old_items = old.backlog.by_id()
    old_get = old.decisions.get
    # Last quarter's scope is this quarter's default: what the room left out on purpose
    # (done, sub-tasks...) stays out, and an item it would have left out is not "new".
    filters = Scope.from_dict(old.scope).for_plan()
    items = session.backlog.items
    kept = {item.id for item in apply_scope(items, filters)}
    changes: list[tuple[str, str, Any]] = []
    new: list[str] = []
    changed: dict[str, dict[str, Any]] = {}
    carried = outside = 0
    for item in items:
        in_scope = item.id in kept
        before = old_items.get(item.id)
        decision = old_get(item.id)
        if before is None:
            if in_scope:
                new.append(item.id)
            else:
                outside += 1
        elif what := describe_text_change(before, item):
            if in_scope:
                lines = changed_lines(before, item)
                changed[item.id] = previous_entry(decision or Decision(), what, lines, before)
        elif decision is not None:
            changes += _decision_changes(item.id, decision)
            carried += in_scope and decision.category is not Category.UNDECIDED
    ids = session.backlog.by_id()
    removed = sum(1 for item_id in old_items if item_id not in ids)
    carry = {"from": source, "carried": carried, "new": new, "changed": changed, "removed": removed}
    if outside:
        carry["outside"] = outside
    changes.append((SESSION, "carry", carry))
    fresh = set(new)
    focus = [item.id for item in items if item.id in changed or item.id in fresh]
    if focus or not filters.is_everything:
        # The hour goes to what is new or changed; the room can widen it on Start.
        narrowed = Scope(filters.hide_closed, filters.text, tuple(focus))
        changes.append((SESSION, "scope", narrowed.to_dict()))
    for name in ("facilitator", "team", "search_months", "contractor_start_days"):
        changes.append((SESSION, name, getattr(old, name)))
    if old.team_info:  # asked once: next quarter's handoffs use last quarter's answers
        changes.append((SESSION, "team_info", {**session.team_info, **old.team_info}))
    first = old.first_engagement
    if first and first in ids and first not in changed and first not in fresh:
        changes.append((SESSION, "first_engagement", old.first_engagement))
    return session.change(f"carry over from {source}", *changes, undoable=False)


def previous_entry(
    decision: Decision, what: str, lines: list[str], before: Item | None = None
) -> dict[str, Any]:
    """Last quarter's decision of a changed item, as the carry (and the plan's
    `[items.previous]`) keeps it: shown beside the item, its marks suggested and its
    handoff edits brought back when the room decides it project again: a draft the
    room confirms. With `before` (last quarter's item), a handoff field that only
    repeats what its old description gave (`default_handoff`: a ready item's plan
    writes every field) is no edit and is not brought back: the changed description's
    own criteria stand, never last quarter's stale ones."""
    handoff = dict(decision.handoff)
    if before is not None and handoff:
        from triage_tui.core.handoff import default_handoff

        derived = default_handoff(before)
        handoff = {
            name: value
            for name, value in handoff.items()
            if _field_value(value) != _field_value(derived.get(name, ""))
        }
    return {
        "category": decision.category.value,
        "rationale": decision.rationale,
        "note": decision.note,
        "what": what,
        "lines": list(lines),
        "marks": {str(number): mark.value for number, mark in sorted(decision.marks.items())},
        "handoff": {
            name: list(value) if isinstance(value, list | tuple) else str(value)
            for name, value in handoff.items()
        },
    }


def _field_value(value: object) -> object:
    """A handoff field's value to compare: a list as a tuple of its stripped entries."""
    if isinstance(value, list | tuple):
        return tuple(str(entry).strip() for entry in value)
    return str(value).strip()


@dataclass(frozen=True, slots=True)
class Previous:
    """Last quarter's decision of an item changed since (`--from`).

    Attributes:
        category: last quarter's category.
        rationale: its open question (when it was parked).
        note: the room's note on it.
        what: what changed, in words ("description (+1 −1 lines)").
        lines: the changed lines ("- old", "+ new"), a few at most.
        marks: last quarter's readiness marks: this quarter's suggestions.
        handoff: last quarter's handoff edits (reviewer, definition of done...).
    """

    category: Category
    rationale: str = ""
    note: str = ""
    what: str = "text"
    lines: tuple[str, ...] = ()
    marks: dict[int, Mark] | None = None
    handoff: dict[str, str | list[str]] | None = None

    @property
    def reason(self) -> str:
        """A parked item's open question (its note when it has none), else its note."""
        if self.category is Category.PARKED:
            return self.rationale or self.note
        return self.note


_CATEGORIES = {category.value: category for category in Category}
_MARK_VALUES = {mark.value: mark for mark in Mark}


def previous(session: Session, item_id: str) -> Previous | None:
    """Last quarter's decision of `item_id` when `--from` found it changed, else None."""
    entry = session.carry.get("changed", {}).get(item_id)
    if not entry:
        return None
    if isinstance(entry, list | tuple):  # a journal from before the entry was a table
        category = _CATEGORIES.get(str(entry[0]), Category.UNDECIDED)
        question, note = split_legacy_rationale(category, str(entry[1]) if len(entry) > 1 else "")
        return Previous(category, question, note, str(entry[2]) if len(entry) > 2 else "text")
    marks: dict[int, Mark] = {}
    for number, value in dict(entry.get("marks") or {}).items():
        mark = _MARK_VALUES.get(str(value))
        if mark is not None and str(number).isdigit() and 1 <= int(number) <= 7:
            marks[int(number)] = mark
    handoff: dict[str, str | list[str]] = {}
    for name, value in dict(entry.get("handoff") or {}).items():
        if name in HANDOFF_FIELDS:
            handoff[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    category = _CATEGORIES.get(str(entry.get("category", "")), Category.UNDECIDED)
    question, note = str(entry.get("rationale", "")), str(entry.get("note", ""))
    if "note" not in entry:  # kept before the note had a field of its own
        question, note = split_legacy_rationale(category, question)
    return Previous(
        category,
        question,
        note,
        str(entry.get("what", "")) or "text",
        tuple(str(line) for line in entry.get("lines") or ()),
        marks,
        handoff,
    )


def draft_marks(session: Session, item_id: str) -> dict[int, Mark]:
    """Last quarter's marks of a changed item (the room confirms them as suggestions)."""
    found = previous(session, item_id)
    return dict(found.marks or {}) if found is not None else {}


def draft_handoff(session: Session, item: Item) -> list[tuple[str, str, Any]]:
    """The changes bringing last quarter's handoff edits back to a changed item the room
    decides as project now (none when it has handoff edits of its own already)."""
    found = previous(session, item.id)
    decision = session.decisions.get(item.id)
    if found is None or not found.handoff or (decision is not None and decision.handoff):
        return []
    return [(item.id, f"handoff.{name}", value) for name, value in found.handoff.items()]


def carry_counts(session: Session) -> CarryCounts | None:
    """What the carry-over did, from the session (None when nothing was carried)."""
    carry = session.carry
    if "carried" not in carry:  # none, or a reopened plan's (its items say what they are)
        return None
    return CarryCounts(
        int(carry.get("carried", 0)),
        len(carry.get("new", ())),
        len(carry.get("changed", {})),
        int(carry.get("removed", 0)),
        int(carry.get("outside", 0)),
    )


def describe_previous(session: Session, item_id: str) -> str:
    """Last quarter's decision of a changed item and what changed ("last quarter: hiring:
    why · changed since: description (+3 lines)"), or ""."""
    found = previous(session, item_id)
    if found is None:
        return ""
    what = found.what
    reason = found.reason
    if found.category is Category.UNDECIDED and not reason:
        return f"last quarter: not decided · changed since: {what}"
    note = f": {' '.join(reason.split())}" if reason.strip() else ""
    kept = []
    if found.marks:
        kept.append("its marks suggested")
    if found.handoff:
        kept.append("its handoff edits kept")
    draft = f" ({', '.join(kept)})" if kept else ""
    return f"last quarter: {found.category.value}{note}{draft} · changed since: {what}"
