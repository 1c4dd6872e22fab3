"""Narrowing a big export to what the hour can cover: status, type, label and text filters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import Any

from triage_tui.core.model import Item

#: Statuses that mean the work is over (Jira, Linear, GitHub, Asana wording), compared casefolded.
CLOSED_STATUSES = frozenset(
    {
        "done",
        "closed",
        "resolved",
        "complete",
        "completed",
        "cancelled",
        "canceled",
        "won't do",
        "wont do",
        "won't fix",
        "duplicate",
        "archived",
        "shipped",
        "released",
    }
)


@dataclass(frozen=True, slots=True)
class Scope:
    """Which items the workshop covers. The default covers every item.

    Attributes:
        hide_closed: leave out done / cancelled items.
        text: words that must all appear in the title, description, id or labels;
            `status:x`, `type:x`, `label:x` (and `-status:x` etc.) filter those fields.
        ids: when not empty, only these items (`--from`: the new and changed ones). It
            narrows the hour, not the plan (see `for_plan`).
    """

    hide_closed: bool = False
    text: str = ""
    ids: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain form for the plan's [meta.scope] and the session."""
        data: dict[str, Any] = {"hide_closed": self.hide_closed, "text": self.text}
        if self.ids:
            data["ids"] = list(self.ids)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Scope:
        """Inverse of `to_dict`; unknown keys ignored."""
        data = data or {}
        ids = data.get("ids") or ()
        return cls(
            bool(data.get("hide_closed", False)),
            str(data.get("text", "")),
            tuple(str(i) for i in ids) if isinstance(ids, list | tuple) else (),
        )

    @property
    def is_everything(self) -> bool:
        """True when nothing is filtered out."""
        return not self.hide_closed and not self.text.strip() and not self.ids

    def for_plan(self) -> Scope:
        """The scope of the plan: the same filters, every item of them (a plan made
        `--from` last quarter's holds the carried items too)."""
        return Scope(self.hide_closed, self.text) if self.ids else self

    def describe(self) -> str:
        """A short human sentence for the start screen and the plan."""
        parts = []
        if self.ids:
            count = len(self.ids)
            parts.append(f"the {count} new and changed item{'s' if count != 1 else ''}")
        if self.hide_closed:
            parts.append("done and cancelled items left out")
        if self.text.strip():
            parts.append(f"filter “{self.text.strip()}”")
        return "; ".join(parts) if parts else "every item"


def is_closed(item: Item) -> bool:
    """True when the item's status says the work is over."""
    return item.status.strip().casefold() in CLOSED_STATUSES


def _terms(text: str) -> list[tuple[bool, str, str]]:
    terms = []
    for raw in text.split():
        negate = raw.startswith("-") and len(raw) > 1
        word = raw[1:] if negate else raw
        field, sep, value = word.partition(":")
        if sep and field.casefold() in ("status", "type", "label") and value:
            terms.append((negate, field.casefold(), value.casefold()))
        else:
            terms.append((negate, "", word.casefold()))
    return terms


def _matches(item: Item, field: str, value: str) -> bool:
    if field == "status":
        return value in item.status.casefold()
    if field == "type":
        return value in item.type.casefold()
    if field == "label":
        return any(value in label.casefold() for label in item.labels)
    haystack = " ".join((item.id, item.title, item.description, " ".join(item.labels)))
    return value in haystack.casefold()


def apply_scope(items: Sequence[Item], scope: Scope) -> list[Item]:
    """The items `scope` keeps, in backlog order."""
    if scope.is_everything:
        return list(items)
    terms = _terms(scope.text)
    only = frozenset(scope.ids) if scope.ids else None
    kept = []
    for item in items:
        if only is not None and item.id not in only:
            continue
        if scope.hide_closed and is_closed(item):
            continue
        if all(_matches(item, field, value) != negate for negate, field, value in terms):
            kept.append(item)
    return kept


def facet_counts(items: Iterable[Item], field: str) -> list[tuple[str, int]]:
    """Distinct values of `status`, `type` or `labels` with their counts, most common first.

    Values that differ only in case are one value, under the first spelling met
    ("api" and "API" are one label; the `label:` filter ignores case too).
    """
    # Counted as they are first (C speed: the start screen counts 100,000 items three
    # times on every change of scope), then the few distinct spellings are merged by
    # case. A Counter keeps first-met order, so the first spelling of a key wins.
    if field == "labels":
        raw = Counter(chain.from_iterable(map(attrgetter("labels"), items)))
    else:
        raw = Counter(map(attrgetter(field), items))
    counts: dict[str, int] = {}
    spelling: dict[str, str] = {}
    for value, count in raw.items():
        if value:
            key = value.casefold()
            if key not in counts:
                spelling[key] = value
                counts[key] = 0
            counts[key] += count
    return sorted(
        ((spelling[key], count) for key, count in counts.items()),
        key=lambda pair: (-pair[1], pair[0].casefold()),
    )
