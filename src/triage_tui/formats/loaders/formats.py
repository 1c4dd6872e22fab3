"""Tracker export shapes: how to recognise each one and which columns feed which field."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: Fields whose value is the union of every chosen column (the others take the first
#: non-empty one).
UNION_FIELDS = frozenset({"labels"})


@dataclass(frozen=True, slots=True)
class Shape:
    """One export shape.

    Attributes:
        name: the format name `check` reports (one of model.FORMATS).
        columns: field -> candidate column names, best first. For fields in
            UNION_FIELDS every present candidate is used, for `estimate` every present
            candidate is tried in order per row, otherwise the first present one wins.
        multi: fields that read every present candidate (first non-empty per row).
        split_labels_on_space: Jira labels cannot contain spaces, and some exports put
            several in one cell separated by spaces.
    """

    name: str
    columns: Mapping[str, tuple[str, ...]]
    multi: frozenset[str] = field(default_factory=frozenset)
    split_labels_on_space: tuple[str, ...] = ()


GENERIC: Mapping[str, tuple[str, ...]] = {
    "id": ("id", "key", "issue key", "issue id", "number", "#", "ticket", "task id", "item id"),
    "title": ("title", "summary", "name", "task", "task name", "subject", "story", "headline"),
    "description": ("description", "body", "notes", "details", "desc", "content"),
    "labels": ("labels", "label", "tags", "tag", "components", "component/s", "component"),
    "estimate": (
        "estimate",
        "story points",
        "story point estimate",
        "points",
        "size",
        "effort",
        "estimation",
        "sp",
    ),
    "status": ("status", "state", "section/column", "column", "stage"),
    "type": ("type", "issue type", "kind"),
}

JIRA = Shape(
    "jira-csv",
    {
        "id": ("issue key", "key", "issue id"),
        "title": ("summary",),
        "description": ("description",),
        "labels": ("labels", "component/s", "components"),
        "estimate": (
            "custom field (story points)",
            "custom field (story point estimate)",
            "story points",
            "story point estimate",
        ),
        "status": ("status",),
        "type": ("issue type",),
    },
    multi=frozenset({"estimate"}),
    split_labels_on_space=("labels",),
)
LINEAR = Shape(
    "linear-csv",
    {
        "id": ("id",),
        "title": ("title",),
        "description": ("description",),
        "labels": ("labels",),
        "estimate": ("estimate",),
        "status": ("status",),
    },
)
GITHUB_TSV = Shape(
    "github-tsv",
    {
        "title": ("title",),
        "labels": ("labels",),
        "estimate": ("estimate", "story points", "points", "size"),
        "status": ("status",),
        "type": ("type", "issue type"),
    },
    multi=frozenset({"estimate"}),
)
GITHUB_CSV = Shape(
    "github-csv",
    {
        "id": ("number",),
        "title": ("title",),
        "description": ("body",),
        "labels": ("labels",),
        "status": ("state",),
    },
)
ASANA = Shape(
    "asana-csv",
    {
        "id": ("task id",),
        "title": ("name",),
        "description": ("notes",),
        "labels": ("tags",),
        "status": ("section/column",),
    },
)
PLAIN = Shape("csv", {})

_LINEAR_MARKERS = frozenset({"team", "cycle number", "cycle name", "project milestone", "triaged"})
_GITHUB_PROJECT_MARKERS = frozenset(
    {"assignees", "status", "repository", "linked pull requests", "milestone", "labels"}
)


def key(name: str) -> str:
    """Normalise a column name for matching: trimmed and case-folded."""
    return name.strip().casefold()


def detect(header: Iterable[str]) -> Shape:
    """Recognise an export by its header row.

    Args:
        header: the column names as they appear in the file.

    Returns:
        The matching shape; PLAIN when none matches.
    """
    names = {key(name) for name in header}
    if "summary" in names and names & {"issue key", "issue id", "key"}:
        return JIRA
    if "task id" in names and "name" in names:
        return ASANA
    if {"id", "title"} <= names and names & _LINEAR_MARKERS:
        return LINEAR
    if {"number", "title"} <= names:
        return GITHUB_CSV
    if {"title", "url"} <= names and names & _GITHUB_PROJECT_MARKERS:
        return GITHUB_TSV
    return PLAIN


def has_title_column(header: Iterable[str]) -> bool:
    """Whether some column looks like an item title (any shape's title candidates)."""
    names = {key(name) for name in header}
    return any(candidate in names for candidate in GENERIC["title"])
