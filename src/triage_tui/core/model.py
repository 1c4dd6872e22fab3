"""The backlog as loaded: items and where they came from. No UI imports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Estimate = str | int | float | None

#: The formats `check --json` reports (PRODUCT.md).
FORMATS = (
    "toml",
    "plan",
    "jira-csv",
    "github-csv",
    "github-tsv",
    "linear-csv",
    "asana-csv",
    "csv",
)

#: The markup dialects a description can be written in (`Item.markup`): "jira" (Jira
#: wiki markup: a Jira export), "markdown" (GitHub, Linear, Asana), or "" when the source
#: does not say (a TOML backlog without `markup = ...`, a plain CSV sheet, an old plan):
#: each description is then judged on its own (`core.spec.looks_like_jira`).
MARKUPS = ("jira", "markdown")

#: The dialect each export format's text is written in (formats missing here: "").
FORMAT_MARKUP = {
    "jira-csv": "jira",
    "github-csv": "markdown",
    "github-tsv": "markdown",
    "linear-csv": "markdown",
    "asana-csv": "markdown",
}

#: Fields a CSV column can be mapped to (`--map field=Column`).
MAPPABLE_FIELDS = ("id", "title", "description", "labels", "estimate", "status", "type")


@dataclass(frozen=True, slots=True)
class Comment:
    """One comment the tracker holds on an item (Jira's repeated `Comment` columns).

    Attributes:
        at: when it was written, "YYYY-MM-DD HH:MM" when the export's date reads, else as
            written, or "" when unknown.
        author: who wrote it, as the export names them ("" for an account id: tracker
            bookkeeping, never carried).
        text: the comment as written (Jira wiki markup or Markdown, as its source).
    """

    at: str = ""
    author: str = ""
    text: str = ""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the tracker holds on an item (Jira's repeated `Attachment` columns).

    Attributes:
        name: the file's name.
        url: where the tracker serves it ("" when unknown).
        at: when it was attached, as `Comment.at`.
    """

    name: str
    url: str = ""
    at: str = ""


#: Link kinds the loaders give (`Link.kind`); a tracker's own other link types keep
#: their name ("causes", "caused by").
LINK_KINDS = (
    "parent",
    "child",
    "blocks",
    "blocked by",
    "relates",
    "duplicates",
    "duplicated by",
    "clones",
    "cloned by",
    "pull request",
)


@dataclass(frozen=True, slots=True)
class Link:
    """Another item the tracker relates this one to.

    Attributes:
        kind: how it relates, from this item's side ("blocked by" PLA-183: this item
            needs PLA-183 first); one of LINK_KINDS or the tracker's own word.
        id: the other item's id as the export names it (a backlog id when it is one).
    """

    kind: str
    id: str


@dataclass(frozen=True, slots=True)
class Item:
    """One backlog item, exactly as the source gave it.

    Attributes:
        id: the source's id, or one generated from the position when it has none.
        title: never empty.
        description: free text (Markdown, Jira wiki markup, ...), kept verbatim.
        labels: labels / tags / components, in source order, without duplicates.
        estimate: story points or a duration as the source wrote it.
        status: the source's status or board column ("Done", "In Progress"), or "".
        type: the source's issue type ("Bug", "Story"), or "".
        extra: every other non-empty original field, carried into the plan.
        line: the 1-based line where the item starts in its source file (0 if unknown).
        due: the tracker's due date, "YYYY-MM-DD" when it reads as a date, else as
            written, or "".
        comments: the tracker's comments, oldest first.
        attachments: the tracker's attachments, in source order.
        links: parent, blocking, related items the tracker names, in source order.
        markup: the description's dialect, decided by its source: one of MARKUPS, or ""
            when the source does not say (see MARKUPS).
    """

    id: str
    title: str
    description: str = ""
    labels: tuple[str, ...] = ()
    estimate: Estimate = None
    status: str = ""
    type: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    line: int = 0
    due: str = ""
    comments: tuple[Comment, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    links: tuple[Link, ...] = ()
    markup: str = ""


@dataclass(frozen=True, slots=True)
class Backlog:
    """A loaded backlog and what we learned about its source.

    Attributes:
        items: the items in file order.
        source: the file it came from, or None for an in-memory backlog.
        format: one of FORMATS.
        title: the backlog's title (TOML `title`, else the file name).
        columns: for CSV, field name -> source column chosen for it.
        warnings: things the user should know (encoding fallback, skipped rows...).
        sha256: hex digest of the source file's bytes ("" when unknown).
        columns_left_out: source columns not carried into `Item.extra` (tracker
            bookkeeping and columns empty in every row), named once for the plan.
    """

    items: tuple[Item, ...]
    source: Path | None = None
    format: str = "toml"
    title: str = ""
    columns: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    sha256: str = ""
    columns_left_out: tuple[str, ...] = ()

    def by_id(self) -> dict[str, Item]:
        """Return a mapping of item id to item."""
        return {item.id: item for item in self.items}


#: One item as `check --json` lists it: (id, title, labels, estimate).
Record = tuple[str, str, tuple[str, ...], Estimate]


@dataclass(frozen=True, slots=True)
class Scan:
    """What `triage-tui check` reports about a file: a Backlog's facts, and its items as
    records only (no descriptions or extra columns: the bulk of a big export).

    Attributes:
        format: one of FORMATS.
        title: as Backlog.title.
        columns: as Backlog.columns.
        warnings: as Backlog.warnings.
        sha256: as Backlog.sha256.
        records: every item in file order, ids as the app uses them.
    """

    format: str
    title: str
    columns: Mapping[str, str]
    warnings: tuple[str, ...]
    sha256: str
    records: Sequence[Record]
