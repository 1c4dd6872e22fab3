"""The room's votes (DOMAIN.md "The room's voice"): cast, hidden, revealed, tallied.

Each participant holds a seat (a short id the vote server gives out; never the seat's
secret token). A seat votes hiring / project / park with an optional one-line reason
on Categorize, and missing / partial / met per criterion on Readiness. Every vote is a
`Step` through the session, so it is journaled by the autosave like a decision and a
crash loses none; ctrl+z passes over votes (they are the room's, not the
facilitator's keys), and a re-vote clears them in one step.

Votes stay hidden until the facilitator reveals them (`reveal`); a revealed item takes
no more votes until the room votes again (`revote`). The majority is computed here and
offered as the suggestion once revealed; `against_majority` says whether the
facilitator's decision went the other way. No UI imports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from triage_tui.core.sanitize import clean_line
from triage_tui.core.session import (
    READINESS_VOTE_PREFIX,
    SEAT_PREFIX,
    SESSION,
    VOTE_PREFIX,
    Category,
    Decision,
    Mark,
    Session,
    Step,
)

#: The phases the room votes in.
CATEGORIZE = "categorize"
READINESS = "readiness"
VOTING_PHASES = (CATEGORIZE, READINESS)
#: Auto-reveal needs this many voting seats in the room (every one here voted): one
#: phone alone is not a room.
AUTO_REVEAL_MIN_SEATS = 2

#: What a seat may vote on Categorize, in display order.
VOTE_CHOICES = (Category.HIRING, Category.PROJECT, Category.PARKED)
#: What a seat may mark a criterion on Readiness.
MARK_CHOICES = (Mark.MET, Mark.PARTIAL, Mark.MISSING)
#: How the room's words read ("one said park").
VOTE_WORDS = {Category.HIRING: "hiring", Category.PROJECT: "project", Category.PARKED: "park"}

#: Longest reason and name kept (one line each; longer text is cut with "…").
REASON_LIMIT = 200
NAME_LIMIT = 40
#: The seven readiness criteria, by number.
CRITERIA = range(1, 8)

_SEAT = re.compile(r"[A-Za-z0-9_-]{1,32}")
_NUMBER_WORDS = ("no one", "one", "two", "three", "four", "five", "six", "seven", "eight")


class VoteRejected(ValueError):
    """A vote the room's rules do not take (closed, revealed, not a choice)."""


def one_line(text: str, limit: int) -> str:
    """Participant text through the boundary (core.sanitize), on one line, at most
    `limit` characters (cut with "…")."""
    cleaned = " ".join(clean_line(str(text)).split())
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "…"
    return cleaned


def check_seat(seat: str) -> str:
    """`seat` if it is a seat id (letters, digits, - and _; at most 32); else raises."""
    if not isinstance(seat, str) or not _SEAT.fullmatch(seat):
        raise VoteRejected(f"not a seat id: {seat!r}")
    return seat


# -- reading ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Reason:
    """One vote's reason: what it said, and who (only shown when the room chose names)."""

    vote: Category
    text: str
    name: str = ""


@dataclass(frozen=True)
class Tally:
    """The room's votes on one item's category.

    Attributes:
        counts: hiring / project / parked -> votes (all three present).
        reasons: every non-empty reason, hiring's first, then project's, then park's.
        names: vote -> the names of the seats that voted it (named seats only), sorted.
    """

    counts: dict[Category, int]
    reasons: tuple[Reason, ...] = ()
    names: dict[Category, tuple[str, ...]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """How many seats voted."""
        return sum(self.counts.values())

    @property
    def majority(self) -> Category | None:
        """The vote more than half the seats gave, or None (no votes, or a split room)."""
        return majority(self.counts)

    @property
    def split(self) -> bool:
        """Votes were cast and no choice has more than half of them."""
        return self.total > 0 and self.majority is None

    def describe(self) -> str:
        """Where the room stood, in words: "3 of 4 said project; one said hiring: 'the
        ledger needs an owner'" (the dissent's reasons quoted), or "split: ..."."""
        total = self.total
        if not total:
            return "no votes"
        lead = self.majority
        parts: list[str] = []
        if lead is not None:
            head = f"{self.counts[lead]} of {total} said {VOTE_WORDS[lead]}"
            if self.counts[lead] == total:
                head = f"all {total} said {VOTE_WORDS[lead]}" if total > 1 else head
            parts.append(head)
        for choice in VOTE_CHOICES:
            count = self.counts[choice]
            if not count or choice is lead:
                continue
            said = f"{_number(count)} said {VOTE_WORDS[choice]}"
            quoted = [f"'{reason.text}'" for reason in self.reasons if reason.vote is choice]
            if quoted:
                said += ": " + ", ".join(quoted)
            parts.append(said)
        text = "; ".join(parts)
        return text if lead is not None else f"split: {text}"


def _number(count: int) -> str:
    return _NUMBER_WORDS[count] if count < len(_NUMBER_WORDS) else str(count)


def majority(counts: Mapping[Category, int]) -> Category | None:
    """The choice with more than half of the votes in `counts`, or None."""
    total = sum(counts.values())
    for choice in VOTE_CHOICES:
        if total and counts.get(choice, 0) * 2 > total:
            return choice
    return None


def tally(decision: Decision) -> Tally:
    """The Categorize votes of one item (revealed or not: the caller decides who sees)."""
    counts = dict.fromkeys(VOTE_CHOICES, 0)
    reasons: list[Reason] = []
    names: dict[Category, list[str]] = {}
    for _seat, vote in sorted(decision.votes.items()):
        choice = _choice(vote.get("vote", ""))
        if choice is None:
            continue
        counts[choice] += 1
        name = vote.get("name", "")
        if name:
            names.setdefault(choice, []).append(name)
        if vote.get("reason"):
            reasons.append(Reason(choice, vote["reason"], name))
    # Grouped by vote (hiring, project, park), each group in seat order: the plan's order,
    # which a reopened plan's seats give back.
    reasons.sort(key=lambda reason: VOTE_CHOICES.index(reason.vote))
    return Tally(counts, tuple(reasons), {k: tuple(sorted(v)) for k, v in names.items()})


def readiness_tally(decision: Decision) -> dict[int, dict[Mark, int]]:
    """Criterion number -> {met, partial, missing: votes} over the Readiness votes
    (criteria nobody marked are left out)."""
    result: dict[int, dict[Mark, int]] = {}
    for vote in decision.readiness_votes.values():
        for number in CRITERIA:
            mark = _mark(vote.get(str(number), ""))
            if mark is not None:
                counts = result.setdefault(number, dict.fromkeys(MARK_CHOICES, 0))
                counts[mark] += 1
    return dict(sorted(result.items()))


def readiness_majority(decision: Decision) -> dict[int, Mark]:
    """Criterion number -> the mark more than half of its votes gave (criteria without
    one left out)."""
    found: dict[int, Mark] = {}
    for number, counts in readiness_tally(decision).items():
        total = sum(counts.values())
        for mark in MARK_CHOICES:
            if counts[mark] * 2 > total:
                found[number] = mark
    return found


def against_majority(decision: Decision) -> bool:
    """The room decided, the votes had a majority, and the decision is another one."""
    if decision.category is Category.UNDECIDED:
        return False
    lead = tally(decision).majority
    return lead is not None and lead is not decision.category


def disagreed(decision: Decision) -> bool:
    """The room did not speak with one voice on this item: its Categorize votes went more
    than one way, or the decision went against their majority."""
    counted = tally(decision)
    return sum(1 for n in counted.counts.values() if n) > 1 or against_majority(decision)


def readiness_splits(decision: Decision) -> dict[int, dict[Mark, int]]:
    """The criteria whose Readiness votes went more than one way (number -> counts)."""
    return {
        number: counts
        for number, counts in readiness_tally(decision).items()
        if sum(1 for n in counts.values() if n) > 1
    }


def is_revealed(decision: Decision, phase: str = CATEGORIZE) -> bool:
    """The facilitator revealed the `phase` votes on this item."""
    return phase in decision.revealed


def room_suggestion(decision: Decision) -> Category | None:
    """The room's majority on Categorize, once revealed: what the screen offers as the
    suggestion (the facilitator still decides)."""
    return tally(decision).majority if is_revealed(decision) else None


def has_voted(decision: Decision, phase: str, seat: str) -> bool:
    """Whether `seat` has voted on this item in `phase` (on Readiness: every criterion)."""
    if phase == CATEGORIZE:
        return seat in decision.votes
    vote = decision.readiness_votes.get(seat)
    return vote is not None and all(str(number) in vote for number in CRITERIA)


def voters(decision: Decision, phase: str) -> set[str]:
    """The seats that have voted on this item in `phase`."""
    seats = decision.votes if phase == CATEGORIZE else decision.readiness_votes
    return {seat for seat in seats if has_voted(decision, phase, seat)}


def _choice(value: object) -> Category | None:
    try:
        choice = Category(str(value))
    except ValueError:
        return None
    return choice if choice in VOTE_CHOICES else None


def _mark(value: object) -> Mark | None:
    try:
        return Mark(str(value))
    except ValueError:
        return None


# -- changing (every one a Step; ctrl+z passes over them) -----------------------------
def cast_vote(
    session: Session,
    item_id: str,
    seat: str,
    choice: Category | str,
    reason: str = "",
    name: str = "",
) -> Step | None:
    """`seat` votes `choice` on `item_id` (again: the new vote replaces its old one).

    The reason and name pass the text boundary and are cut to one line.

    Raises:
        VoteRejected: not a vote choice, not a seat, or the item's votes are revealed.
        KeyError: no such item.
    """
    check_seat(seat)
    chosen = _choice(choice.value if isinstance(choice, Category) else choice)
    if chosen is None:
        raise VoteRejected(f"not a vote: {choice!r} (hiring, project or parked)")
    decision = session.decisions[item_id]
    if is_revealed(decision, CATEGORIZE):
        raise VoteRejected("the votes on this item are revealed: wait for a re-vote")
    vote = {
        "vote": chosen.value,
        "reason": one_line(reason, REASON_LIMIT),
        "name": one_line(name, NAME_LIMIT),
    }
    return session.change(f"vote {item_id}", (item_id, VOTE_PREFIX + seat, vote), undoable=False)


def cast_readiness_vote(
    session: Session,
    item_id: str,
    seat: str,
    criterion: int,
    mark: Mark | str | None,
    name: str = "",
) -> Step | None:
    """`seat` marks criterion `criterion` (1..7) of `item_id` met / partial / missing
    (None: takes its mark back).

    Raises:
        VoteRejected: not a criterion or mark, not a seat, or the votes are revealed.
        KeyError: no such item.
    """
    check_seat(seat)
    if criterion not in CRITERIA:
        raise VoteRejected(f"not a criterion: {criterion!r} (1 to 7)")
    chosen = None if mark is None else _mark(mark.value if isinstance(mark, Mark) else mark)
    if mark is not None and chosen is None:
        raise VoteRejected(f"not a mark: {mark!r} (met, partial or missing)")
    decision = session.decisions[item_id]
    if is_revealed(decision, READINESS):
        raise VoteRejected("the votes on this item are revealed: wait for a re-vote")
    vote = dict(decision.readiness_votes.get(seat, {}))
    if chosen is None:
        vote.pop(str(criterion), None)
    else:
        vote[str(criterion)] = chosen.value
    vote["name"] = one_line(name, NAME_LIMIT)
    marks_left = any(key != "name" for key in vote)
    return session.change(
        f"readiness vote {item_id}",
        (item_id, READINESS_VOTE_PREFIX + seat, vote if marks_left else None),
        undoable=False,
    )


def reveal(session: Session, item_id: str, phase: str = CATEGORIZE) -> Step | None:
    """Show the room's `phase` votes on `item_id` (None: already shown)."""
    _check_phase(phase)
    decision = session.decisions[item_id]
    if phase in decision.revealed:
        return None
    return session.change(
        f"reveal {item_id}",
        (item_id, "revealed", sorted({*decision.revealed, phase})),
        undoable=False,
    )


def revote(session: Session, item_id: str, phase: str = CATEGORIZE) -> Step | None:
    """The room votes again on `item_id`: its `phase` votes cleared and hidden again,
    in one step (None: there was nothing to clear)."""
    _check_phase(phase)
    decision = session.decisions[item_id]
    prefix, seats = (
        (VOTE_PREFIX, decision.votes)
        if phase == CATEGORIZE
        else (READINESS_VOTE_PREFIX, decision.readiness_votes)
    )
    changes: list[tuple[str, str, object]] = [
        (item_id, prefix + seat, None) for seat in sorted(seats)
    ]
    changes.append((item_id, "revealed", [p for p in decision.revealed if p != phase]))
    return session.change(f"re-vote {item_id}", *changes, undoable=False)


def set_names_shown(session: Session, shown: bool) -> Step | None:
    """The room chooses whether the plan names who voted what (anonymous by default)."""
    return session.change(
        "votes named" if shown else "votes anonymous", (SESSION, "votes_named", shown)
    )


def keep_room_link(session: Session, secret: str, port: int) -> Step | None:
    """The room's link is kept with the session (its secret and port): closing and
    reopening the room, or the app restarting, gives the same link (None: unchanged)."""
    room = {"secret": str(secret), "port": int(port)}
    return session.change("room link", (SESSION, "room", room), undoable=False)


def record_seat(
    session: Session, key: str, seat: str, name: str = "", spectator: bool = False
) -> Step | None:
    """Keep a seat with the session under `key` (the hash of its cookie's token, never
    the token), so a returning phone takes back the same seat after the room closed or
    the app restarted (None: nothing changed)."""
    check_seat(seat)
    value = {
        "id": seat,
        "name": one_line(name, NAME_LIMIT),
        "spectator": "1" if spectator else "",
    }
    return session.change(f"seat {seat}", (SESSION, SEAT_PREFIX + key, value), undoable=False)


def _check_phase(phase: str) -> None:
    if phase not in VOTING_PHASES:
        raise VoteRejected(f"the room votes on categorize or readiness, not {phase!r}")


def restore_votes(
    decision: Decision,
    counts: Mapping[Category, int],
    reasons: Iterable[Reason],
    names: Mapping[Category, Iterable[str]] | None = None,
    readiness: Mapping[int, Mapping[Mark, int]] | None = None,
) -> None:
    """Give `decision` the votes a plan recorded (counts, reasons, names, per-criterion
    counts), as seats "plan-1", "plan-2", ...: writing the plan again gives the same
    tables. A reopened plan's votes count as revealed."""
    seat_number = 0
    given = list(reasons)
    for choice in VOTE_CHOICES:
        said = [reason for reason in given if reason.vote is choice]
        # The names of the seats that gave no reason: the choice's names less the reasons'.
        unnamed = list(names.get(choice, ())) if names else []
        for reason in said:
            if reason.name in unnamed:
                unnamed.remove(reason.name)
        for index in range(max(0, int(counts.get(choice, 0)))):
            seat_number += 1
            if index < len(said):
                text, name = said[index].text, said[index].name
            else:
                text, name = "", unnamed.pop(0) if unnamed else ""
            decision.votes[f"plan-{seat_number:03d}"] = {
                "vote": choice.value,
                "reason": text,
                "name": name,
            }
    if readiness:
        for number, marks in readiness.items():
            seat = 0
            for mark in MARK_CHOICES:
                for _ in range(max(0, int(marks.get(mark, 0)))):
                    seat += 1
                    vote = decision.readiness_votes.setdefault(f"plan-{seat:03d}", {"name": ""})
                    vote[str(number)] = mark.value
    revealed = set(decision.revealed)
    if decision.votes:
        revealed.add(CATEGORIZE)
    if decision.readiness_votes:
        revealed.add(READINESS)
    decision.revealed = sorted(revealed)
