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
SESSION_FIELDS = (
    "facilitator",
    "team",
    "minutes",
    "first_engagement",
    "scope",
    "phase",
    "seconds_used",
    "search_months",
    "contractor_start_days",
    "carry",
    "team_info",
    "votes_named",
    "room",
)

#: What every handoff says about the team (`Session.team_info`, the plan's [meta.team]):
#: the repository, the stack, where the reviewer works and their hours, and how access
#: is requested. Asked once, in the plan, the config file or the Plan screen.
TEAM_FIELDS = ("repository", "stack", "reviewer_hours", "access")

#: Session fields holding whole numbers.
_INT_FIELDS = frozenset({"minutes", "seconds_used", "contractor_start_days"})
#: Session fields holding true / false.
_BOOL_FIELDS = frozenset({"votes_named"})

#: Step field prefixes of the room's votes (core.votes): a seat's vote on an item.
VOTE_PREFIX = "vote."
READINESS_VOTE_PREFIX = "rvote."
#: Session field prefix of the room's seats (core.votes.record_seat): "seat.<token hash>"
#: -> {"id", "name", "spectator"}, so a returning phone takes back its seat after the
#: room closed or the app restarted (the token itself is never stored).
SEAT_PREFIX = "seat."

#: The workshop's phases, in screen order (what `Session.set_phase` accepts).
PHASES = ("start", "categorize", "readiness", "plan", "export")

#: Roadmap-impact assumptions (DOMAIN.md): months to hire, days until a contractor starts.
DEFAULT_SEARCH_MONTHS = 4
DEFAULT_CONTRACTOR_START_DAYS = 5

SESSION = ""  # the Op target meaning "the session itself", not an item

#: The step field of an old journal's note step. Before the room's note had a field of
#: its own, Categorize's note box wrote `rationale` in a step labelled "note ID", and the
#: box showed a parked item's open question. `Step.from_json` renames such an op to this
#: field, which sets what the box then meant: a parked item's open question (`rationale`),
#: any other item's note (`note`). New steps never use it. (README: "The room's note
#: and a parked item's open question are two fields".)
LEGACY_NOTE = "rationale|note"

#: The format of the steps one run of the autosave holds, stored with the run: 2 since
#: the room's note has a field of its own (`note`) beside a parked item's open question
#: (`rationale`). A run stored without it was written before (or by a version that did
#: not mark its runs): its steps are replayed through `legacy_step`.
STEPS_FORMAT = 2


def now_iso() -> str:
    """Current UTC time, ISO 8601 to the second (what plans and journals record)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def split_legacy_rationale(category: Category, rationale: str) -> tuple[str, str]:
    """(open question, note) of a decision written before the note had a field of its own,
    when `rationale` held both (a plan without `note` keys, an old carry entry): a parked
    item's text is its open question, any other item's is the room's note."""
    return (rationale, "") if category is Category.PARKED else ("", rationale)


@dataclass
class Decision:
    """Everything the room said about one item.

    Attributes:
        category: hiring / project / parked / undecided.
        rationale: a parked item's open question (PRODUCT.md's `rationale`; `S` on
            Categorize writes it). Kept when the item is decided later: what was asked.
        note: the room's note on the item, whatever its category (Categorize's `n`).
        signals: the ownership/scope signals the room ticked (question keys).
        marks: readiness criterion number (1..7) -> Mark; absent means not yet answered.
        handoff: handoff field -> text, or a list of strings for HANDOFF_LIST_FIELDS
            (HANDOFF_FIELDS), edited by the room.
        seconds_spent: whole seconds the item was open, summed over visits.
        decided_at: ISO time of the last categorization, or "".
        carried: the decision came from last quarter's plan (`--from`), unchanged since.
        votes: the room's votes on Categorize (core.votes): seat id -> {"vote": category,
            "reason": one line, "name": the seat's name or ""}.
        readiness_votes: the room's votes on Readiness: seat id -> {criterion number as
            text: mark, ..., "name": ...}.
        revealed: the phases ("categorize", "readiness") whose votes the facilitator
            revealed on this item, sorted.
    """

    category: Category = Category.UNDECIDED
    rationale: str = ""
    signals: list[str] = field(default_factory=list)
    marks: dict[int, Mark] = field(default_factory=dict)
    handoff: dict[str, str | list[str]] = field(default_factory=dict)
    seconds_spent: int = 0
    decided_at: str = ""
    carried: bool = False
    votes: dict[str, dict[str, str]] = field(default_factory=dict)
    readiness_votes: dict[str, dict[str, str]] = field(default_factory=dict)
    revealed: list[str] = field(default_factory=list)
    #: Last, so a Decision built by position (category, rationale, signals...) reads as before.
    note: str = ""

    def get(self, name: str) -> Any:
        """Read a field by its step name (see `Session.apply`)."""
        if name.startswith(VOTE_PREFIX):
            return self.votes.get(name[len(VOTE_PREFIX) :])
        if name.startswith(READINESS_VOTE_PREFIX):
            return self.readiness_votes.get(name[len(READINESS_VOTE_PREFIX) :])
        if name.startswith("mark."):
            return self.marks.get(int(name[5:]))
        if name.startswith("handoff."):
            return self.handoff.get(name[8:])
        if name == LEGACY_NOTE:
            return self.rationale if self.category is Category.PARKED else self.note
        return getattr(self, name)

    @property
    def reason(self) -> str:
        """What the room said about the item, where one text is shown: a parked item's
        open question (its note when it has none), any other item's note."""
        if self.category is Category.PARKED:
            return self.rationale or self.note
        return self.note

    def set(self, name: str, value: Any) -> None:
        """Write a field by its step name; None removes a mark, handoff field or vote."""
        if name.startswith(VOTE_PREFIX) or name.startswith(READINESS_VOTE_PREFIX):
            votes = self.votes if name.startswith(VOTE_PREFIX) else self.readiness_votes
            seat = name.split(".", 1)[1]
            if not seat:
                raise KeyError(name)
            if value is None:
                votes.pop(seat, None)
            elif isinstance(value, Mapping):
                votes[seat] = {str(k): str(v) for k, v in value.items()}
            else:
                raise TypeError(f"{name}: a vote is a table, not {type(value).__name__}")
        elif name == "revealed":
            self.revealed = sorted({str(phase) for phase in value or ()})
        elif name.startswith("mark."):
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
        elif name == "note":
            self.note = "" if value is None else str(value)
        elif name == LEGACY_NOTE:
            self.set("rationale" if self.category is Category.PARKED else "note", value)
        elif name == "decided_at":
            self.decided_at = "" if value is None else str(value)
        elif name == "seconds_spent":
            self.seconds_spent = round(float(value))
        elif name == "carried":
            self.carried = bool(value)
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
    """One change of the room's (a decision, a toggle, an edit, a move, time booked).

    Attributes:
        ops: the field changes.
        label: what the undo notice says.
        at: ISO time it was made.
        undo: this step undoes the newest step of its kind (see `Session.apply`).
        undoable: False for navigation and time (`set_phase`, `add_time`): journaled and
            replayed like any step, but ctrl+z passes over them.
    """

    ops: tuple[Op, ...]
    label: str = ""
    at: str = ""
    undo: bool = False
    undoable: bool = True

    def inverse(self) -> Step:
        """The step that undoes this one (ops reversed and inverted)."""
        ops = tuple(op.inverse() for op in reversed(self.ops))
        return Step(ops, self.label, now_iso(), True, self.undoable)

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
        """Inverse of `to_json`. An old journal's note step (a `rationale` op in a step
        labelled "note ID", written before the note had a field of its own) comes back
        setting LEGACY_NOTE: what the note box meant then."""
        label = str(data.get("label", ""))
        ops = tuple(Op.from_json(op) for op in data["ops"])
        if label.startswith("note ") and any(op.name == "rationale" for op in ops):
            ops = tuple(
                Op(op.target, LEGACY_NOTE, op.old, op.new)
                if op.name == "rationale" and label == f"note {op.target}"
                else op
                for op in ops
            )
        elif label.startswith("carry over from ") and any(op.name == "rationale" for op in ops):
            # An old journal's carry set each carried item's `rationale` to last quarter's
            # one text (a hiring or project item's note); a carry written since sets
            # `note` beside it. The item's category op comes first in the step.
            noted = {op.target for op in ops if op.name == "note"}
            ops = tuple(
                Op(op.target, LEGACY_NOTE, op.old, op.new)
                if op.name == "rationale" and op.target not in noted
                else op
                for op in ops
            )
        return cls(
            ops,
            label,
            str(data.get("at", "")),
            bool(data.get("undo", False)),
            bool(data.get("undoable", True)),
        )


_LEGACY_TEXT = frozenset(("rationale", LEGACY_NOTE))


def legacy_step(session: Session, step: Step) -> Step:
    """`step`, stored in a run without STEPS_FORMAT, as this version means it, given the
    state `session` has just before it is replayed.

    Before the note had a field of its own, `rationale` held the one text of an item: a
    hiring or project item's note, a parked item's question. A park step (S) set it to the
    question, so its old value was often the note: undone as stored, it would copy the
    note into `rationale`. Forward, such a step is right as it is; only what its undo
    restores is wrong. So each `rationale` op (and each LEGACY_NOTE op of a step that does
    not change the item's category) takes its old value from the state it replays onto,
    and a stored undo step becomes the inverse of the step it takes back, as replayed.

    For a step this version wrote, the old values are the state's already: it comes back
    unchanged, so a run written by a version that did not mark its runs (or a new step
    added to an old run after resuming it) reads the same either way.
    """
    if step.undo:
        history = session.history
        undone: Step | None = None
        if step.undoable:
            undone = next((s for s in reversed(history) if s.undoable), None)
        elif history:
            undone = history[-1]
        if undone is None or undone.label != step.label:
            return step
        inverse = tuple(op.inverse() for op in reversed(undone.ops))
        if inverse == step.ops or [(op.target, op.name) for op in inverse] != [
            (op.target, op.name) for op in step.ops
        ]:
            return step
        return Step(inverse, step.label, step.at, step.undo, step.undoable)
    fixed: list[Op] | None = None
    for index, op in enumerate(step.ops):
        if op.name not in _LEGACY_TEXT:
            continue  # (most steps: a decision, a mark, a vote)
        if op.name == LEGACY_NOTE and any(
            other.target == op.target and other.name == "category" for other in step.ops
        ):
            continue  # what the field means changes within the step: left as stored
        old = _plain(session.get(op.target, op.name))
        if old != op.old:
            fixed = list(step.ops) if fixed is None else fixed
            fixed[index] = Op(op.target, op.name, old, op.new)
    if fixed is None:
        return step
    return Step(tuple(fixed), step.label, step.at, step.undo, step.undoable)


def _plain(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _is_vote(step: Step) -> bool:
    """A step of the room's votes: never undone by ctrl+z, but a change of the room's."""
    return any(
        op.name.startswith((VOTE_PREFIX, READINESS_VOTE_PREFIX)) or op.name == "revealed"
        for op in step.ops
    )


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
        seconds_used: the workshop clock, in whole seconds (booked by `add_time`).
        search_months, contractor_start_days: the roadmap-impact assumptions.
        votes_named: the room chose to show who voted what (the plan then names them;
            votes are anonymous in it otherwise).
        room: the vote server's link, kept for the session: {"secret", "port"} ({} before
            the room first opened); never written to a plan.
        room_seats: the room's seats by the hash of their cookie's token (core.votes).
        carry: what `--from` carried (see `triage_tui.core.carry`), {} else:
            {"from": the old plan, "carried": n, "new": [ids], "removed": n,
            "outside": n, "changed": {id: {category, rationale, note, what, lines,
            marks, handoff}}}: last quarter's decision of each changed item, shown beside it,
            its marks suggested and its handoff edits brought back (`core.carry.previous`;
            journals of older versions hold [category, rationale, what] lists).
        team_info: what every handoff says about the team (TEAM_FIELDS -> text; absent
            keys are not known yet).
        updated: ISO time of the room's last change (a decision, an edit, an undo; not
            navigation or time), or "" before the first.
        history: applied steps, newest last (ctrl+z undoes the newest undoable one).
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
    seconds_used: int = 0
    search_months: float = DEFAULT_SEARCH_MONTHS
    contractor_start_days: int = DEFAULT_CONTRACTOR_START_DAYS
    carry: dict[str, Any] = field(default_factory=dict, repr=False)
    team_info: dict[str, str] = field(default_factory=dict)
    votes_named: bool = False
    room: dict[str, Any] = field(default_factory=dict, repr=False)
    room_seats: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    updated: str = ""
    history: list[Step] = field(default_factory=list)
    listeners: list[Any] = field(default_factory=list, repr=False)
    plan_meta: dict[str, Any] = field(default_factory=dict, repr=False)
    #: Steps applied so far, replayed and unannounced ones too (``apply(notify=False)``:
    #: a resume, a take-over catching up): a count kept from the listeners recounts
    #: when this moved without it (see Workshop.undecided_count).
    revision: int = field(default=0, repr=False, compare=False)

    def __post_init__(self) -> None:
        decisions = self.decisions
        if not (isinstance(decisions, Decisions) and decisions._items is self.backlog.items):
            self.decisions = Decisions(self.backlog.items, decisions)

    # -- reading -----------------------------------------------------------------
    @property
    def carried_from(self) -> str:
        """The plan `--from` carried decisions from, or ""."""
        return str(self.carry.get("from", ""))

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
            if name.startswith(SEAT_PREFIX):
                return self.room_seats.get(name[len(SEAT_PREFIX) :])
            if name not in SESSION_FIELDS:
                raise KeyError(name)
            return getattr(self, name)
        return self.decision(target).get(name)

    # -- changing ----------------------------------------------------------------
    def change(
        self, label: str, *changes: tuple[str, str, Any], undoable: bool = True
    ) -> Step | None:
        """Apply one step made of (target, field, new value) triples.

        Ops whose value does not change are dropped; a step with none is not recorded.
        `undoable=False` for what ctrl+z must pass over (navigation, time, a carry-over).

        Returns:
            The step applied, or None when nothing changed.
        """
        return self._step(label, changes, undoable=undoable)

    def _step(
        self, label: str, changes: Iterable[tuple[str, str, Any]], *, undoable: bool
    ) -> Step | None:
        ops = []
        for target, name, new in changes:
            old = self.get(target, name)
            if _plain(old) != _plain(new):
                ops.append(Op(target, name, _plain(old), _plain(new)))
        if not ops:
            return None
        step = Step(tuple(ops), label, now_iso(), undoable=undoable)
        self.apply(step)
        return step

    def apply(self, step: Step, *, notify: bool = True) -> None:
        """Apply `step` (a new step or a replayed one) and record it.

        Every step goes on `history`, so replaying the history (a resume, a compacted
        journal) gives the same state. An undo step removes the step it undoes: an
        undoable one removes the newest undoable step (ctrl+z passes over navigation
        and time, whose fields no undoable step touches, so the two commute); the
        inverse of a non-undoable step (an autosave rewinding its history) removes the
        newest step.
        """
        for op in step.ops:
            self._set(op.target, op.name, op.new)
        self.revision += 1
        history = self.history
        if step.undo:
            if step.undoable:
                for index in range(len(history) - 1, -1, -1):
                    if history[index].undoable:
                        del history[index]
                        break
            elif history:
                history.pop()
        else:
            history.append(step)
        if step.at and (step.undoable or step.undo or _is_vote(step)):
            self.updated = step.at
        if notify:
            for listener in self.listeners:
                listener(step)

    def undo(self) -> Step | None:
        """Undo the newest undoable step; returns the inverse step applied, or None."""
        for step in reversed(self.history):
            if step.undoable:
                inverse = step.inverse()
                self.apply(inverse)
                return inverse
        return None

    @property
    def undo_depth(self) -> int:
        """How many steps ctrl+z can undo."""
        return sum(1 for step in self.history if step.undoable)

    def _set(self, target: str, name: str, value: Any) -> None:
        if target == SESSION:
            if name.startswith(SEAT_PREFIX):
                self._set_seat(name[len(SEAT_PREFIX) :], value)
                return
            if name not in SESSION_FIELDS:
                raise KeyError(name)
            if name in _INT_FIELDS:
                value = int(value)
            elif name in _BOOL_FIELDS:
                value = bool(value)
            elif name == "search_months":  # 4, or 4.5: a whole number stays one
                number = float(value)
                value = int(number) if number.is_integer() else number
            elif name in ("scope", "carry", "room"):
                value = dict(value or {})
            elif name == "team_info":
                value = {key: str(value[key]) for key in TEAM_FIELDS if (value or {}).get(key)}
            else:
                value = "" if value is None else str(value)
            setattr(self, name, value)
        else:
            self.decision(target).set(name, value)

    def _set_seat(self, key: str, value: Any) -> None:
        if not key or len(key) > 64 or not key.isalnum():
            raise ValueError(f"not a seat key: {key!r}")
        if value is None:
            self.room_seats.pop(key, None)
        elif isinstance(value, dict):
            self.room_seats[key] = {str(k): str(v) for k, v in value.items()}
        else:
            raise TypeError(f"a seat is a table, not {type(value).__name__}")

    # -- the verbs the screens use -------------------------------------------------
    def decide(
        self, item_id: str, category: Category, *, seconds: float = 0, at: str | None = None
    ) -> Step | None:
        """Categorize one item; `seconds` (the time it took) is booked first by `add_time`,
        so undoing the decision leaves the time spent on it."""
        if seconds:
            self.add_time(item_id, round(seconds))
        return self.change(
            f"{category.value} {item_id}",
            (item_id, "category", category),
            (item_id, "decided_at", at or now_iso()),
            (item_id, "carried", False),
        )

    def set_phase(self, phase: str) -> Step | None:
        """The room moved to `phase` (one of PHASES): journaled, never undone."""
        if phase not in PHASES:
            raise ValueError(f"unknown phase {phase!r}")
        return self._step(f"go to {phase}", [(SESSION, "phase", phase)], undoable=False)

    def add_time(self, item_id: str, seconds: int, *, clock: int | None = None) -> Step | None:
        """Book `seconds` more on `item_id` ("" for none) and, with `clock`, set the
        workshop clock to `clock` seconds: journaled, never undone."""
        changes: list[tuple[str, str, Any]] = []
        if item_id and seconds > 0:
            spent = self.decision(item_id).seconds_spent
            changes.append((item_id, "seconds_spent", spent + int(seconds)))
        if clock is not None and clock > self.seconds_used:
            changes.append((SESSION, "seconds_used", int(clock)))
        return self._step(f"time {item_id}".rstrip(), changes, undoable=False)

    def set_note(self, item_id: str, text: str) -> Step | None:
        """Set the room's note on one item, whatever its category (a parked item's open
        question is `rationale`, written with the park: `Workshop.park`)."""
        # Typed or pasted text passes the same boundary as backlog text (core.sanitize).
        return self.change(f"note {item_id}", (item_id, "note", clean_text(text)))

    def set_signals(self, item_id: str, signals: Iterable[str]) -> Step | None:
        """Set which signal questions the room answered yes for one item."""
        return self.change(f"signals {item_id}", (item_id, "signals", sorted(set(signals))))

    def cycle_mark(self, item_id: str, criterion: int) -> Step | None:
        """Cycle criterion `criterion` (1..7): missing -> partial -> met -> missing.

        An unanswered criterion counts as missing (whatever the evidence suggests).
        """
        current = self.decision(item_id).marks.get(criterion, Mark.MISSING)
        new = current.next()
        return self.change(f"criterion {criterion} {item_id}", (item_id, f"mark.{criterion}", new))

    def set_mark(self, item_id: str, criterion: int, mark: Mark | None) -> Step | None:
        """Set criterion `criterion` to `mark` (None: unanswered)."""
        return self.change(f"criterion {criterion} {item_id}", (item_id, f"mark.{criterion}", mark))

    def set_handoff(self, item_id: str, name: str, value: str | list[str]) -> Step | None:
        """Edit one handoff brief field of a project item."""
        return self.set_handoff_fields(item_id, {name: value}, label=f"{name} {item_id}")

    def set_handoff_fields(
        self, item_id: str, fields: Mapping[str, str | list[str]], *, label: str = ""
    ) -> Step | None:
        """Edit several handoff fields of a project item as one undoable step."""
        changes: list[tuple[str, str, Any]] = []
        for name, value in fields.items():
            if name not in HANDOFF_FIELDS:
                raise KeyError(name)
            # Typed text passes the boundary too (a list field: each of its parts).
            cleaned = (
                clean_text(value) if isinstance(value, str) else [clean_text(v) for v in value]
            )
            changes.append((item_id, f"handoff.{name}", cleaned))
        return self.change(label or f"handoff {item_id}", *changes)

    def set_team_info(self, fields: Mapping[str, str]) -> Step | None:
        """Set what every handoff says about the team (TEAM_FIELDS), as one undoable step;
        an empty text removes that part."""
        value = dict(self.team_info)
        for key, text in fields.items():
            if key not in TEAM_FIELDS:
                raise KeyError(key)
            cleaned = " ".join(clean_text(str(text)).split())  # one line each
            if cleaned:
                value[key] = cleaned
            else:
                value.pop(key, None)
        ordered = {key: value[key] for key in TEAM_FIELDS if key in value}
        return self.change("team", (SESSION, "team_info", ordered))

    def set_field(self, name: str, value: Any) -> Step | None:
        """Set a session-level field (SESSION_FIELDS); the phase goes through `set_phase`."""
        if name == "phase":
            return self.set_phase(str(value))
        if name == "seconds_used":
            raise KeyError("the clock is booked by add_time, never set by the room")
        if isinstance(value, str):
            value = clean_text(value)  # facilitator and team names are typed too
        return self.change(f"{name}", (SESSION, name, value))
