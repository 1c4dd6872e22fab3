"""Next quarter's workshop: carry last quarter's plan over to a fresh export (`--from`).

An item is unchanged when it has the same id, title and description as in the old
plan: its decision, note, signals, marks and handoff edits come over, marked
`carried`. New items and items whose title or description changed start undecided and
are the hour's default scope; a changed item keeps last quarter's decision beside it
(`describe_previous`). The plan still holds every item.

The carry-over is one journaled step that ctrl+z passes over, so an autosave resumed
later (with or without `--from`) has it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from triage_tui.core.scope import Scope
from triage_tui.core.session import SESSION, Category, Decision, Session, Step


@dataclass(frozen=True, slots=True)
class CarryCounts:
    """How the new backlog relates to the old plan."""

    carried: int
    new: int
    changed: int
    removed: int

    def describe(self, source: str) -> str:
        """One line for the start screen."""
        return (
            f"From {source}: {self.carried} decision{'s' if self.carried != 1 else ''} carried, "
            f"{self.new} new and {self.changed} changed item"
            f"{'s' if self.new + self.changed != 1 else ''} to decide"
            + (f" ({self.removed} gone from the backlog)" if self.removed else "")
        )


def _decision_changes(item_id: str, old: Decision) -> list[tuple[str, str, Any]]:
    changes: list[tuple[str, str, Any]] = [
        (item_id, "category", old.category),
        (item_id, "rationale", old.rationale),
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
    from triage_tui.core.diff import describe_text_change

    old_items = old.backlog.by_id()
    old_get = old.decisions.get
    changes: list[tuple[str, str, Any]] = []
    new: list[str] = []
    changed: dict[str, list[str]] = {}
    carried = 0
    for item in session.backlog.items:
        before = old_items.get(item.id)
        decision = old_get(item.id)
        if before is None:
            new.append(item.id)
        elif what := describe_text_change(before, item):
            if decision is not None:
                changed[item.id] = [decision.category.value, decision.rationale, what]
            else:
                changed[item.id] = [Category.UNDECIDED.value, "", what]
        elif decision is not None:
            changes += _decision_changes(item.id, decision)
            carried += decision.category is not Category.UNDECIDED
    ids = session.backlog.by_id()
    removed = sum(1 for item_id in old_items if item_id not in ids)
    carry = {"from": source, "carried": carried, "new": new, "changed": changed, "removed": removed}
    changes.append((SESSION, "carry", carry))
    fresh = set(new)
    focus = [item_id for item_id in ids if item_id in changed or item_id in fresh]
    if focus:
        # The hour goes to what is new or changed; the room can widen it on Start.
        scope = Scope.from_dict(session.scope)
        narrowed = Scope(scope.hide_closed, scope.text, tuple(focus))
        changes.append((SESSION, "scope", narrowed.to_dict()))
    for name in ("facilitator", "team", "search_months", "contractor_start_days"):
        changes.append((SESSION, name, getattr(old, name)))
    if old.team_info:  # asked once: next quarter's handoffs use last quarter's answers
        changes.append((SESSION, "team_info", {**session.team_info, **old.team_info}))
    if old.first_engagement and old.first_engagement in ids and old.first_engagement not in focus:
        changes.append((SESSION, "first_engagement", old.first_engagement))
    return session.change(f"carry over from {source}", *changes, undoable=False)


def carry_counts(session: Session) -> CarryCounts | None:
    """What the carry-over did, from the session (None when nothing was carried)."""
    carry = session.carry
    if not carry.get("new") and not carry.get("changed") and "carried" not in carry:
        return None
    return CarryCounts(
        int(carry.get("carried", 0)),
        len(carry.get("new", ())),
        len(carry.get("changed", {})),
        int(carry.get("removed", 0)),
    )


def describe_previous(session: Session, item_id: str) -> str:
    """Last quarter's decision of a changed item and what changed ("last quarter: hiring:
    why · changed since: description (+3 lines)"), or ""."""
    previous = session.carry.get("changed", {}).get(item_id)
    if not previous:
        return ""
    category = str(previous[0])
    rationale = str(previous[1]) if len(previous) > 1 else ""
    what = str(previous[2]) if len(previous) > 2 else "text"
    if category == Category.UNDECIDED.value and not rationale:
        return f"last quarter: not decided · changed since: {what}"
    note = f": {' '.join(rationale.split())}" if rationale.strip() else ""
    return f"last quarter: {category}{note} · changed since: {what}"
