"""What a tracker export knows around an item: due date, comments, attachments, links.

Every export that has them carries them into the item (`Item.due`, `Item.comments`,
`Item.attachments`, `Item.links`), not into `extra`:

- Jira: `Due date`; repeated `Comment` columns, each cell `date;author;text` (the text
  may hold more `;`); repeated `Attachment` columns, each `date;author;name;url`;
  `Outward issue link (Blocks)`, `Inward issue link (Blocks)`, `... (Relates)`, any
  other link type; `Parent`, `Parent key`, `Parent id` (a numeric id is turned into
  the key of the row with that `Issue id`), `Custom field (Epic Link)`, `Sub-tasks`.
- Linear: `Due Date`, `Parent issue`, and `Related to`, `Blocked by`, `Blocks`,
  `Duplicate of` when present.
- Asana: `Due Date`, `Parent task` (the parent's name: the row with that name when
  there is one), `Blocked By (Dependencies)`, `Blocking (Dependencies)`.
- GitHub: `Parent issue`, `Linked pull requests`, issue URLs and "blocked by #12" /
  "part of #3" lines in the body.

A comment's author given as a Jira Cloud account id is bookkeeping: left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from triage_tui.core.errors import kind_of
from triage_tui.core.model import Attachment, Comment, Item, Link
from triage_tui.formats.loaders.bookkeeping import is_account_id, scrub_mentions

#: Column name (trimmed, case-folded) -> what it holds.
_DUE = ("due date", "due", "due on", "deadline", "target date")
_COMMENT = frozenset({"comment", "comments"})
_ATTACHMENT = frozenset({"attachment", "attachments"})
#: Link columns by name -> the link's kind from this item's side.
_LINK_COLUMNS: Mapping[str, str] = {
    "parent": "parent",
    "parent key": "parent",
    "parent id": "parent",
    "parent issue": "parent",
    "parent task": "parent",
    "custom field (epic link)": "parent",
    "epic link": "parent",
    "sub-tasks": "child",
    "subtasks": "child",
    "sub-issues": "child",
    "related to": "relates",
    "related": "relates",
    "relates to": "relates",
    "related issues": "relates",
    "blocked by": "blocked by",
    "blocked by (dependencies)": "blocked by",
    "depends on": "blocked by",
    "blocks": "blocks",
    "blocking": "blocks",
    "blocking (dependencies)": "blocks",
    "blocking (dependent)": "blocks",
    "duplicate of": "duplicates",
    "duplicates": "duplicates",
    "linked pull requests": "pull request",
}
_ISSUE_LINK = re.compile(r"^(outward|inward) issue link \((.+)\)$")
#: Jira link types -> (outward kind, inward kind).
_JIRA_LINK_TYPES: Mapping[str, tuple[str, str]] = {
    "blocks": ("blocks", "blocked by"),
    "blocker": ("blocks", "blocked by"),
    "dependency": ("blocked by", "blocks"),
    "depends": ("blocked by", "blocks"),
    "relates": ("relates", "relates"),
    "relate": ("relates", "relates"),
    "duplicate": ("duplicates", "duplicated by"),
    "cloners": ("clones", "cloned by"),
    "cloners (migrated)": ("clones", "cloned by"),
    "causes": ("causes", "caused by"),
    "problem/incident": ("causes", "caused by"),
}
#: Column names the loader must not take for another field.
_GITHUB_URL = re.compile(r"https?://github\.com/([\w.-]+/[\w.-]+)/(issues|pull)/(\d+)")
_SPLIT = re.compile(r"[,\n]+")
_BODY_LINKS = re.compile(
    r"(?im)\b(?P<word>blocked by|depends on|requires|needs|blocks|part of|parent(?: issue)?:?"
    r"|epic:?|related to|relates to|see also|duplicate of)\s+"
    r"(?P<ref>(?:[\w.-]+/[\w.-]+)?#\d+|https?://github\.com/[\w.-]+/[\w.-]+/(?:issues|pull)/\d+)"
)
_BODY_KINDS = {
    "blocked by": "blocked by",
    "depends on": "blocked by",
    "requires": "blocked by",
    "needs": "blocked by",
    "blocks": "blocks",
    "part of": "parent",
    "parent": "parent",
    "parent issue": "parent",
    "epic": "parent",
    "related to": "relates",
    "relates to": "relates",
    "see also": "relates",
    "duplicate of": "duplicates",
}

_DATE_FORMATS = (
    ("%d/%b/%y %I:%M %p", True),
    ("%d/%b/%Y %I:%M %p", True),
    ("%d/%b/%y %H:%M", True),
    ("%d/%b/%y", False),
    ("%d/%b/%Y", False),
    ("%Y-%m-%d %H:%M:%S", True),
    ("%Y-%m-%d %H:%M", True),
    ("%Y-%m-%dT%H:%M:%S", True),
    ("%Y-%m-%dT%H:%M:%SZ", True),
    ("%Y-%m-%dT%H:%M:%S.%fZ", True),
    ("%Y-%m-%d", False),
    ("%d/%m/%Y %H:%M", True),
    ("%m/%d/%Y", False),
    ("%d.%m.%Y", False),
    ("%b %d, %Y", False),
)


def _key(name: str) -> str:
    # "due_date" (a script's export) reads as "due date".
    return " ".join(name.replace("_", " ").split()).casefold()


def read_date(text: str) -> tuple[str, bool]:
    """(a date as "YYYY-MM-DD" or "YYYY-MM-DD HH:MM", whether it read as one).

    Unreadable text comes back trimmed, with False.
    """
    value = " ".join(text.split())
    if not value:
        return "", False
    # Linear and GitHub write ISO with an offset or fractions: the date and time suffice.
    iso = re.fullmatch(
        r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?", value
    )
    if iso:
        return f"{iso.group(1)} {iso.group(2)}", True
    for pattern, has_time in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, pattern)
        except ValueError:
            continue
        return parsed.strftime("%Y-%m-%d %H:%M" if has_time else "%Y-%m-%d"), True
    return value, False


def read_due(text: str) -> str:
    """A due date cell as "YYYY-MM-DD" (a time of day dropped), else as written."""
    value, ok = read_date(text)
    return value[:10] if ok else value


def _author(text: str) -> str:
    author = " ".join(text.split())
    return "" if is_account_id(author) else author


def read_comment(cell: str) -> Comment | None:
    """One comment cell: Jira's `date;author;text` (the text keeps any further `;`), or
    plain text; None for an empty cell."""
    text = cell.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return None
    parts = text.split(";", 2)
    if len(parts) == 3:
        at, ok = read_date(parts[0])
        if ok:
            body = scrub_mentions(parts[2].strip())
            return Comment(at=at, author=_author(parts[1]), text=body)
    return Comment(text=scrub_mentions(text))


def read_attachment(cell: str) -> Attachment | None:
    """One attachment cell: Jira's `date;author;name;url`, a URL, or a name."""
    text = " ".join(cell.split())
    if not text:
        return None
    parts = text.split(";")
    if len(parts) >= 4:
        at, ok = read_date(parts[0])
        if ok:
            url = parts[-1].strip()
            name = ";".join(parts[2:-1]).strip() or _url_name(url)
            return Attachment(name=name, url=url, at=at)
    if re.match(r"https?://", text):
        return Attachment(name=_url_name(text), url=text)
    return Attachment(name=text)


def _url_name(url: str) -> str:
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    return tail or url


def _refs(cell: str) -> list[str]:
    """The item references in a link cell: keys, ids, URLs, "#12", names."""
    refs: list[str] = []
    for part in _SPLIT.split(cell):
        ref = part.strip()
        if not ref:
            continue
        url = _GITHUB_URL.search(ref)
        if url:
            refs.append(f"{url.group(1)}#{url.group(3)}")
            continue
        # Several keys separated by spaces ("PLA-1 PLA-2"), never a name with spaces.
        words = ref.split()
        if len(words) > 1 and all(re.fullmatch(r"[A-Za-z][\w]*-\d+|#\d+", w) for w in words):
            refs.extend(words)
        else:
            refs.append(ref)
    return refs


def _link_kind(name: str) -> str | None:
    key = _key(name)
    if key in _LINK_COLUMNS:
        return _LINK_COLUMNS[key]
    match = _ISSUE_LINK.match(key)
    if match is None:
        return None
    side, kind = match.groups()
    outward, inward = _JIRA_LINK_TYPES.get(kind, (kind, f"{kind} (inward)"))
    return outward if side == "outward" else inward


class ContextColumns:
    """Which columns of one export hold context, and how to read a row's.

    Attributes:
        positions: every column read here (the loader leaves them out of `extra`).
    """

    def __init__(self, header: Sequence[str], *, github: bool = False) -> None:
        self.due: list[int] = []
        self.comments: list[int] = []
        self.attachments: list[int] = []
        self.links: list[tuple[int, str]] = []
        self.github = github
        for position, name in enumerate(header):
            key = _key(name)
            if key in _DUE:
                self.due.append(position)
            elif key in _COMMENT:
                self.comments.append(position)
            elif key in _ATTACHMENT:
                self.attachments.append(position)
            else:
                kind = _link_kind(name)
                if kind is not None:
                    self.links.append((position, kind))
        # A due date column named twice: the first wins.
        self.due = self.due[:1]
        self.positions = frozenset(
            [*self.due, *self.comments, *self.attachments, *(p for p, _ in self.links)]
        )

    def __bool__(self) -> bool:
        return bool(self.positions) or self.github

    def read(
        self, cells: Sequence[str], description: str = ""
    ) -> tuple[str, tuple[Comment, ...], tuple[Attachment, ...], tuple[Link, ...]]:
        """(due, comments, attachments, links) of one row."""
        due = read_due(cells[self.due[0]]) if self.due else ""
        comments = tuple(
            comment for p in self.comments if (comment := read_comment(cells[p])) is not None
        )
        attachments = tuple(
            found for p in self.attachments if (found := read_attachment(cells[p])) is not None
        )
        links: list[Link] = []
        for position, kind in self.links:
            links.extend(Link(kind, ref) for ref in _refs(cells[position]))
        if self.github and description:
            links.extend(body_links(description))
            attachments += body_attachments(description)
        return due, comments, attachments, tuple(dict.fromkeys(links))


def body_links(description: str) -> list[Link]:
    """Links a GitHub issue body writes in words ("Blocked by #12", "Part of #3")."""
    links: list[Link] = []
    for match in _BODY_LINKS.finditer(description):
        word = " ".join(match.group("word").casefold().rstrip(":").split())
        ref = match.group("ref")
        url = _GITHUB_URL.fullmatch(ref)
        if url:
            ref = f"{url.group(1)}#{url.group(3)}"
        links.append(Link(_BODY_KINDS.get(word, "relates"), ref))
    return links


_GITHUB_FILE = re.compile(
    r"(?:!?\[(?P<name>[^\]\n]{1,200})\]\()?"
    r"(?P<url>https://github\.com/(?:user-attachments/(?:files|assets)|[\w.-]+/[\w.-]+/files)"
    r"/[\w./%-]+)\)?"
)


def body_attachments(description: str) -> tuple[Attachment, ...]:
    """Files attached to a GitHub issue: the body links them (`[spec.pdf](https://github
    .com/user-attachments/files/...)`)."""
    found: dict[str, Attachment] = {}
    for match in _GITHUB_FILE.finditer(description):
        url = match.group("url")
        name = (match.group("name") or "").strip() or _url_name(url)
        found.setdefault(url, Attachment(name=name, url=url))
    return tuple(found.values())


def resolve_links(
    items: Sequence[Item],
    *,
    numeric_ids: Mapping[str, str] | None = None,
    repository: str = "",
) -> list[Item]:
    """The items with each link naming a backlog id where the export lets us tell which:
    a numeric Jira issue id becomes its key, a parent task's name its task id, "#12" or
    "owner/repo#12" the item with that id or URL; other references stay as written."""
    if not any(item.links for item in items):
        return list(items)
    from dataclasses import replace

    ids = {item.id for item in items}
    by_title: dict[str, str | None] = {}
    for item in items:
        key = _key(item.title)
        by_title[key] = None if key in by_title else item.id  # ambiguous names: none
    numeric = numeric_ids or {}

    def resolve(ref: str) -> str:
        if ref in ids:
            return ref
        if ref in numeric:
            return numeric[ref]
        number = re.fullmatch(r"(?:([\w.-]+/[\w.-]+))?#(\d+)", ref)
        if number is not None:
            repo, digits = number.groups()
            if repo is None or not repository or repo.casefold() == repository.casefold():
                for candidate in (f"#{digits}", digits):
                    if candidate in ids:
                        return candidate
            return ref
        found = by_title.get(_key(ref))
        return found or ref

    result: list[Item] = []
    for item in items:
        if not item.links:
            result.append(item)
            continue
        links = tuple(
            dict.fromkeys(
                Link(link.kind, resolve(link.id))
                for link in item.links
                if resolve(link.id) != item.id
            )
        )
        result.append(item if links == item.links else replace(item, links=links))
    return result


# -- TOML backlogs and plans ------------------------------------------------------------
def toml_context(raw: Mapping[str, Any], fail: Callable[[str], Exception]) -> dict[str, Any]:
    """The context keys of one TOML item (backlog or plan) as Item keyword arguments.

    `due` is text; `comments` a list of tables {at, author, text} (or of texts);
    `attachments` a list of tables {name, url, at} (or of names); `links` a list of
    tables {kind, id}. `fail(message)` makes the error to raise for a wrong type.
    """
    found: dict[str, Any] = {}
    if "due" in raw:
        due = raw["due"]
        if hasattr(due, "isoformat") and not isinstance(due, str):
            due = due.isoformat()  # a bare TOML date
        if not isinstance(due, str):
            raise fail(f"due must be a date or text, not {kind_of(due)}")
        found["due"] = due.strip()
    if "comments" in raw:
        found["comments"] = tuple(
            _table_entry(entry, Comment, ("at", "author", "text"), "text", "comments", fail)
            for entry in _entries(raw["comments"], "comments", fail)
        )
    if "attachments" in raw:
        found["attachments"] = tuple(
            _table_entry(entry, Attachment, ("name", "url", "at"), "name", "attachments", fail)
            for entry in _entries(raw["attachments"], "attachments", fail)
        )
    if "links" in raw:
        links: list[Link] = []
        for entry in _entries(raw["links"], "links", fail):
            if isinstance(entry, str) and entry.strip():
                links.append(Link("relates", entry.strip()))
                continue
            if not isinstance(entry, Mapping):
                raise fail(f"links must be tables {{kind, id}}, not {kind_of(entry)}")
            kind, ref = entry.get("kind", ""), entry.get("id", "")
            if not isinstance(kind, str) or not isinstance(ref, str) or not ref.strip():
                raise fail('each of links needs kind = "..." and id = "..." as text')
            links.append(Link(" ".join(kind.split()) or "relates", ref.strip()))
        found["links"] = tuple(links)
    return found


#: The keys `toml_context` reads (a TOML backlog does not carry them into `extra`).
TOML_KEYS = frozenset({"due", "comments", "attachments", "links"})


def _entries(value: Any, name: str, fail: Callable[[str], Exception]) -> list[Any]:
    if not isinstance(value, list):
        raise fail(f"{name} must be a list, not {kind_of(value)}")
    return value


def _table_entry(
    entry: Any,
    cls: Any,
    keys: tuple[str, ...],
    main: str,
    name: str,
    fail: Callable[[str], Exception],
) -> Any:
    if isinstance(entry, str):
        return cls(**{main: entry})
    if not isinstance(entry, Mapping):
        raise fail(f"{name} must hold tables or text, not {kind_of(entry)}")
    values: dict[str, str] = {}
    for key in keys:
        value = entry.get(key, "")
        if hasattr(value, "isoformat") and not isinstance(value, str):
            value = value.isoformat()
        if not isinstance(value, str):
            raise fail(f"{name}: {key} must be text, not {kind_of(value)}")
        values[key] = value
    if not values[main].strip():
        raise fail(f'{name}: each entry needs {main} = "..."')
    return cls(**values)


def context_table(item: Item) -> dict[str, Any]:
    """The item's context as plan keys (only those it has), in plan order."""
    table: dict[str, Any] = {}
    if item.due:
        table["due"] = item.due
    if item.comments:
        table["comments"] = [
            _nonempty(c.at, c.author, c.text, ("at", "author", "text")) for c in item.comments
        ]
    if item.attachments:
        table["attachments"] = [
            _nonempty(a.name, a.url, a.at, ("name", "url", "at")) for a in item.attachments
        ]
    if item.links:
        table["links"] = [{"kind": link.kind, "id": link.id} for link in item.links]
    return table


def _nonempty(a: str, b: str, c: str, keys: tuple[str, str, str]) -> dict[str, str]:
    return {key: value for key, value in zip(keys, (a, b, c), strict=True) if value}


def numeric_id_map(
    header: Sequence[str], rows: Iterable[Sequence[str]], key_at: int | None
) -> dict[str, str]:
    """Jira's `Issue id` -> `Issue key` over an export's rows ({} without both columns)."""
    id_at = next((i for i, name in enumerate(header) if _key(name) == "issue id"), None)
    if id_at is None or key_at is None or id_at == key_at:
        return {}
    width = max(id_at, key_at) + 1
    return {
        cells[id_at].strip(): cells[key_at].strip()
        for cells in rows
        if len(cells) >= width and cells[id_at].strip() and cells[key_at].strip()
    }
