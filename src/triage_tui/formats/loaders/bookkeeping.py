"""Tracker bookkeeping: export columns a plan's reader never needs (PRODUCT.md "Plan output").

Jira, Linear and Asana exports carry the tracker's own housekeeping next to the work:
internal and account ids, the board rank, watchers and votes, when someone last looked,
time-tracking sums. None of it helps a room or a contractor, and in a plan under git it
is most of the noise of a pull request. The CSV loader leaves these columns out of
`Item.extra` (the UI has no use for them either) and the plan names them once in
[meta] source_columns_left_out. What a reader does need stays: components, priority,
fix versions, epic and parent links, sprint, the reporter and assignee, comments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Whole column names (casefolded, spaces collapsed) that are bookkeeping.
_NAMES = frozenset(
    {
        "votes",
        "watchers",
        "last viewed",
        "updated",  # changes whenever anyone touches the ticket
        "last modified",
        "status category",  # the status, again
        "status category changed",
        "custom field (development)",  # the dev panel's summary, "{}" when empty
        "original estimate",  # Jira time tracking, in seconds
        "remaining estimate",
        "time spent",
        "work ratio",
        "log work",
        "project key",  # the project's settings, the same on every row: the id
        "project type",  # already carries the key, the name stays
        "project lead",
    }
)

#: Name patterns: internal or account ids ("Issue id", "Assignee Id", "Project lead id",
#: "Watchers Id", Linear's "Project ID"), the board rank, Jira's Σ sums.
_PATTERN = re.compile(r"(?:^|\s)ids?$|\brank\b|^σ")


#: Jira Cloud account ids ("712020:9a3e5d71-...", or 24 hex digits) where an export puts
#: a person in a comment or attachment cell ("date;author;text").
_ACCOUNT_ID = re.compile(
    r"(?<![\w:-])(?:\d+:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|[0-9a-f]{24})(?![\w:-])"
)
#: Columns whose cells name their author by account id.
_AUTHORED = frozenset({"comment", "attachment"})


def authored_columns(columns: Iterable[str]) -> list[str]:
    """The columns whose cells carry an author (Jira's Comment, Attachment)."""
    return [name for name in columns if _key(name) in _AUTHORED]


def scrub_account_ids(value: str) -> str:
    """`value` with Jira Cloud account ids as "@jira-user" (as descriptions show them)."""
    return _ACCOUNT_ID.sub("@jira-user", value) if ";" in value else value


def _key(column: str) -> str:
    return " ".join(column.split()).casefold()


def is_bookkeeping(column: str) -> bool:
    """True for a source column the plan leaves out (see the module docstring)."""
    name = _key(column)
    return name in _NAMES or _PATTERN.search(name) is not None


def bookkeeping_columns(columns: Iterable[str]) -> list[str]:
    """The columns of one export that are bookkeeping, in their order.

    Besides `is_bookkeeping`: Jira's Creator (who typed the ticket in) beside a Reporter
    (who asked for it, what a reader needs); alone (Linear) the creator is the asker.
    """
    names = list(columns)
    keys = {_key(name) for name in names}
    creator_too = "reporter" in keys
    return [
        name for name in names if is_bookkeeping(name) or (creator_too and _key(name) == "creator")
    ]


_MENTION = re.compile(r"\[~accountid:[^\]\s]*\]")


def is_account_id(text: str) -> bool:
    """Whether `text` is a Jira Cloud account id, whole ("712020:9a3e...", 24 hex)."""
    return _ACCOUNT_ID.fullmatch(text.strip()) is not None


def scrub_mentions(text: str) -> str:
    """Comment text with its account ids as "@jira-user": `[~accountid:...]` mentions
    and bare ids alike (bookkeeping never reaches the plan)."""
    if "[~accountid:" in text:
        text = _MENTION.sub("@jira-user", text)
    return _ACCOUNT_ID.sub("@jira-user", text)
