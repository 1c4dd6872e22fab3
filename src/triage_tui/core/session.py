"""The room's decisions as state plus a log of reversible steps (undo, autosave journal).

Every change the room makes is a `Step`: a list of `Op` (target, field, old, new).
Applying a step sets each field to `new`; undoing applies the inverse (`old`).
A step is small and JSON-friendly, so the autosave appends one line per step
instead of rewriting the session (cost independent of backlog size).

No UI imports.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from triage_tui.core.model import Backlog, Item
from triage_tui.core.sanitize import clean_text


class Category(StrEnum):
    """The room's answer for one item (DOMAIN.md: the exercise)."""

    HIRING = "hiring"
    PROJECT = "project"
    PARKED = "parked"
    UNDECIDED = "undecided"


class Mark(StrEnum):
    """The room's answer for one readiness criterion."""

    MISSING = "missing"
    PARTIAL = "partial"
    MET = "met"

    def next(self) -> Mark:
        """Cycle missing -> partial -> met -> missing."""
        order = (Mark.MISSING, Mark.PARTIAL, Mark.MET)
        return order[(order.index(self) + 1) % 3]


#: Handoff fields (DOMAIN.md: the handoff a contractor receives), in plan order.
HANDOFF_FIELDS = (
    "deliverable",
    "context",
    "contract",
    "acceptance_criteria",
    "definition_of_done",
    "out_of_scope",
    "timeline",
    "reviewer",
    "channel",
    "cadence",
    "access",
)
#: Handoff fields that hold a list of strings (one criterion, one thing to arrange).
HANDOFF_LIST_FIELDS = frozenset({"acceptance_criteria", "access"})

#: Session-level fields a step may set (target SESSION).
SESSION_FIELDS = ("facilitator", "team", "minutes", "first_engagement", "scope", "phase")

SESSION = ""  # the Op target meaning "the session itself", not an item


def now_iso() -> str:
    """Current UTC time, ISO 8601 to the second (what plans and journals record)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class Decision:
    """Everything the room said about one item.

    Attributes:
        category: hiring / project / parked / undecided.
        rationale: the room's note (for parked items: the open question).
        signals: the ownership/scope signals the room ticked (question keys).
        marks: readiness criterion number (1..7) -> Mark; absent means not yet answered.
        handoff: handoff field -> text, or a list of strings for HANDOFF_LIST_FIELDS
            (HANDOFF_FIELDS), edited by the room.
        seconds_spent: time the item was open, summed over visits.
        decided_at: ISO time of the last categorization, or "".
    """

    category: Category = Category.UNDECIDED
    rationale: str = ""
    signals: list[str] = field(default_factory=list)
    marks: dict[int, Mark] = field(default_factory=dict)
    handoff: dict[str, str | list[str]] = field(default_factory=dict)
    seconds_spent: float = 0.0
    decided_at: str = ""

    def get(self, name: str) -> Any:
        """Read a field by its step name (see `Session.apply`)."""
        if name.startswith("mark."):
            return self.marks.get(int(name[5:]))
        if name.startswith("handoff."):
            return self.handoff.get(name[8:])
        return getattr(self, name)

    def set(self, name: str, value: Any) -> None:
        """Write a field by its step name; None removes a mark or handoff field."""
        if name.startswith("mark."):
            number = int(name[5:])
            if value is None:
                self.marks.pop(number, None)
            else:
                self.marks[number] = Mark(value)
        elif name.startswith("handoff."):
            key = name[8:]
            if value is None:
                self.handoff.pop(key, None)
            elif isinstance(value, list | tuple):
                self.handoff[key] = [str(part) for part in value]
            else:
                self.handoff[key] = str(value)
        elif name == "category":
            self.category = Category(value)
        elif name == "signals":
            self.signals = list(value)
        elif name == "rationale":
            self.rationale = "" if value is None else str(value)
        elif name == "decided_at":
            self.decided_at = "" if value is None else str(value)
        elif name == "seconds_spent":
            self.seconds_spent = float(value)
        else:
            raise KeyError(name)


@dataclass(frozen=True, slots=True)
class Op:
    """One field change: `target` is an item id, or SESSION for session fields."""

    target: str
    name: str
    old: Any
    new: Any

    def inverse(self) -> Op:
        """The op that undoes this one."""
        return Op(self.target, self.name, self.new, self.old)

    def to_json(self) -> list[Any]:
        """Compact JSON form: [target, name, old, new]."""
        return [self.target, self.name, _plain(self.old), _plain(self.new)]

    @classmethod
    def from_json(cls, data: list[Any]) -> Op:
        """Inverse of `to_json`."""
        target, name, old, new = data
        return cls(str(target), str(name), old, new)


@dataclass(frozen=True, slots=True)
class Step:
    """One user action (a decision, a toggle, an edit), undoable unless `undoable` is False.

    A step that is not undoable (moving to another phase) is journaled and replayed like
    any other, but never goes on the undo stack: ctrl+z never undoes a navigation.
    """

    ops: tuple[Op, ...]
    label: str = ""
    at: str = ""
    undo: bool = False
    undoable: bool = True

    def inverse(self) -> Step:
        """The step that undoes this one (ops reversed and inverted)."""
        return Step(tuple(op.inverse() for op in reversed(self.ops)), self.label, now_iso(), True)

    def to_json(self) -> dict[str, Any]:
        """JSON form used by the autosave journal."""
        data: dict[str, Any] = {"ops": [op.to_json() for op in self.ops], "label": self.label}
        if self.at:
            data["at"] = self.at
        if self.undo:
            data["undo"] = True
        if not self.undoable:
            data["undoable"] = False
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Step:
        """Inverse of `to_json`."""
        return cls(
            tuple(Op.from_json(op) for op in data["ops"]),
            str(data.get("label", "")),
            str(data.get("at", "")),
            bool(data.get("undo", False)),
            bool(data.get("undoable", True)),
        )


def _plain(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


class Decisions(dict[str, Decision]):
    """Item id -> Decision, created on first use for the backlog's items.

    A 50,000-item backlog used to start with 50,000 empty Decisions (a third of a
    second, mostly the cyclic GC walking them). Now `decisions[item_id]` creates,
    stores and returns an empty Decision for any backlog id the first time it is read;
    `item_id in decisions` is true for every backlog id. Iterating (keys, values,
    items, len) sees only the entries created so far: an absent entry is undecided,
    so counting decided items or summing time over `values()` is unchanged.
    Equality treats an absent backlog entry as an empty Decision.
    """

    def __init__(
        self, items: Iterable[Item] = (), entries: Mapping[str, Decision] | None = None
    ) -> None:
        super().__init__(entries or {})
        self._items = tuple(items)
        self._ids: frozenset[str] | None = None

    def backlog_ids(self) -> frozenset[str]:
        """The ids that have a decision, created or not (built on first use)."""
        if self._ids is None:
            self._ids = frozenset(item.id for item in self._items)
        return self._ids

    def __missing__(self, item_id: str) -> Decision:
        if item_id not in self.backlog_ids():
            raise KeyError(item_id)
        decision = self[item_id] = Decision()
        return decision

    def __contains__(self, item_id: object) -> bool:
        return dict.__contains__(self, item_id) or item_id in self.backlog_ids()

    def complete(self) -> dict[str, Decision]:
        """A plain dict with an entry for every backlog id (absent ones empty)."""
        # keys() is dict's own view: __contains__ above would count absent ids as present.
        full = {item_id: Decision() for item_id in self.backlog_ids() - self.keys()}
        full.update(self)
        return full

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        mine = self.complete()
        theirs = other.complete() if isinstance(other, Decisions) else dict(other)
        return mine == theirs

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # mutable, as dict

    def __reduce__(self) -> tuple[Any, ...]:
        return (Decisions, (self._items, dict(self)))


@dataclass
class Session:
    """A workshop in progress over one backlog.

    Attributes:
        backlog: the loaded backlog (all items, in file order).
        decisions: item id -> Decision (a `Decisions` dict: entries for backlog items
            are created on first read; absent ones are undecided).
        facilitator, team: optional names for the plan.
        minutes: the workshop's total length.
        first_engagement: item id chosen by the room, or "" for the recommendation.
        scope: the scope filter as a plain dict (see `triage_tui.core.scope`), {} = all.
        phase: the screen the room was on ("start", "categorize", ...), for resuming.
        history: applied steps, newest last (the undo stack).
        listeners: called with each step applied (autosave hooks in here).
        plan_meta: for a session reopened from a plan, the plan's [meta] table (created,
            original backlog path, items_total...), so re-exporting keeps them; {} else.
    """

    backlog: Backlog
    decisions: dict[str, Decision] = field(default_factory=dict)
    facilitator: str = ""
    team: str = ""
    minutes: int = 60
    first_engagement: str = ""
    scope: dict[str, Any] = field(default_factory=dict)
    phase: str = "start"
    history: list[Step] = field(default_factory=list)
    listeners: list[Any] = field(default_factory=list, repr=False)
    plan_meta: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        decisions = self.decisions
        if not (isinstance(decisions, Decisions) and decisions._items is self.backlog.items):
            self.decisions = Decisions(self.backlog.items, decisions)

    # -- reading -----------------------------------------------------------------
    def decision(self, item_id: str) -> Decision:
        """The decision for `item_id` (created empty if needed)."""
        decision = self.decisions.get(item_id)
        if decision is None:
            # Not setdefault(item_id, Decision()): that builds a throwaway Decision on
            # every call, and the plan writer calls this for every item.
            decision = self.decisions[item_id] = Decision()
        return decision

    def items_in(self, category: Category) -> Iterator[Item]:
        """Items whose category is `category`, in backlog order."""
        # get(): reading must not create the entries the lazy dict left out.
        get = self.decisions.get
        for item in self.backlog.items:
            decision = get(item.id)
            if (Category.UNDECIDED if decision is None else decision.category) is category:
                yield item

    def counts(self, items: Iterable[Item] | None = None) -> dict[Category, int]:
        """Number of items per category (over `items`, default all)."""
        result = dict.fromkeys(Category, 0)
        decisions = self.decisions
        get = decisions.get
        for item in self.backlog.items if items is None else items:
            decision = get(item.id)
            if decision is not None:
                result[decision.category] += 1
            elif item.id in decisions:  # a backlog item not read yet: undecided
                result[Category.UNDECIDED] += 1
            else:
                raise KeyError(item.id)
        return result

    def get(self, target: str, name: str) -> Any:
        """Read the value a step op would change."""
        if target == SESSION:
            if name not in SESSION_FIELDS:
                raise KeyError(name)
            return getattr(self, name)
        return self.decision(target).get(name)

    # -- changing ----------------------------------------------------------------
    def change(self, label: str, *changes: tuple[str, str, Any]) -> Step | None:
        """Apply one undoable step made of (target, field, new value) triples.

        Ops whose value does not change are dropped; a step with none is not recorded.

        Returns:
            The step applied, or None when nothing changed.
        """
        ops = []
        for target, name, new in changes:
            old = self.get(target, name)
            if _plain(old) != _plain(new):
                ops.append(Op(target, name, _plain(old), _plain(new)))
        if not ops:
            return None
        step = Step(tuple(ops), label, now_iso())
        self.apply(step)
        return step

    def apply(self, step: Step, *, notify: bool = True) -> None:
        """Apply `step` (a new step or a replayed one) and record it for undo."""
        for op in step.ops:
            self._set(op.target, op.name, op.new)
        if step.undo:
            if self.history:
                self.history.pop()
        elif step.undoable:
            self.history.append(step)
        if notify:
            for listener in self.listeners:
                listener(step)

    def undo(self) -> Step | None:
        """Undo the newest step; returns the inverse step applied, or None."""
        if not self.history:
            return None
        inverse = self.history[-1].inverse()
        self.apply(inverse)
        return inverse

    def _set(self, target: str, name: str, value: Any) -> None:
        if target == SESSION:
            if name not in SESSION_FIELDS:
                raise KeyError(name)
            if name == "minutes":
                value = int(value)
            elif name == "scope":
                value = dict(value or {})
            else:
                value = "" if value is None else str(value)
            setattr(self, name, value)
        else:
            self.decision(target).set(name, value)

    # -- the verbs the screens use -------------------------------------------------
    def decide(
        self, item_id: str, category: Category, *, seconds: float = 0.0, at: str | None = None
    ) -> Step | None:
        """Categorize one item, adding `seconds` to the time it took."""
        decision = self.decision(item_id)
        return self.change(
            f"{category.value} {item_id}",
            (item_id, "category", category),
            (item_id, "decided_at", at or now_iso()),
            (item_id, "seconds_spent", round(decision.seconds_spent + seconds, 1)),
        )

    def set_note(self, item_id: str, text: str) -> Step | None:
        """Set the room's rationale (or open question) for one item."""
        # Typed or pasted text passes the same boundary as backlog text (core.sanitize).
        return self.change(f"note {item_id}", (item_id, "rationale", clean_text(text)))

    def set_signals(self, item_id: str, signals: Iterable[str]) -> Step | None:
        """Set which signal questions the room answered yes for one item."""
        return self.change(f"signals {item_id}", (item_id, "signals", sorted(set(signals))))

    def cycle_mark(self, item_id: str, criterion: int, default: Mark = Mark.MISSING) -> Step | None:
        """Cycle criterion `criterion` (1..7): missing -> partial -> met.

        An unanswered criterion starts from `default` (the evidence suggestion).
        """
        current = self.decision(item_id).marks.get(criterion)
        new = default.next() if current is None else current.next()
        return self.change(f"criterion {criterion} {item_id}", (item_id, f"mark.{criterion}", new))

    def set_mark(self, item_id: str, criterion: int, mark: Mark | None) -> Step | None:
        """Set criterion `criterion` to `mark` (None: unanswered)."""
        return self.change(f"criterion {criterion} {item_id}", (item_id, f"mark.{criterion}", mark))

    def set_handoff(self, item_id: str, name: str, value: str | list[str]) -> Step | None:
        """Edit one handoff brief field of a project item."""
        if name not in HANDOFF_FIELDS:
            raise KeyError(name)
        # Typed text passes the boundary too (a list field: each of its parts).
        cleaned = clean_text(value) if isinstance(value, str) else [clean_text(v) for v in value]
        return self.change(f"{name} {item_id}", (item_id, f"handoff.{name}", cleaned))

    def set_phase(self, phase: str) -> Step | None:
        """The room moved to `phase`: journaled (a resume returns there), never undone."""
        if phase == self.phase:
            return None
        op = Op(SESSION, "phase", self.phase, phase)
        step = Step((op,), f"phase {phase}", now_iso(), undoable=False)
        self.apply(step)
        return step

    def set_field(self, name: str, value: Any) -> Step | None:
        """Set a session-level field (SESSION_FIELDS)."""
        if isinstance(value, str):
            value = clean_text(value)  # facilitator and team names are typed too
        return self.change(f"{name}", (SESSION, name, value))
