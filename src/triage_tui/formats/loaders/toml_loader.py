"""TOML backlogs: a `title` and `[[items]]` tables (PRODUCT.md "Backlog input")."""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from triage_tui.core.errors import InputError, kind_of
from triage_tui.core.model import MARKUPS, Backlog, Estimate, Item
from triage_tui.core.sanitize import clean_document, clean_line
from triage_tui.formats.loaders.common import dedupe, generate_ids, split_labels
from triage_tui.formats.loaders.text import CONFLICT_MESSAGE
from triage_tui.formats.sniff import SCHEMA_PREFIX

_KNOWN = frozenset(
    {
        "id",
        "title",
        "description",
        "labels",
        "estimate",
        "status",
        "type",
        # what the tracker knows around the item (formats.loaders.context)
        "due",
        "comments",
        "attachments",
        "links",
    }
)
_ITEMS_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*(?:items|\"items\"|'items')[ \t]*\]\]", re.MULTILINE)
_ITEMS_KEY = re.compile(r"^[ \t]*(?:items|\"items\"|'items')[ \t]*=", re.MULTILINE)
_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    """Parse TOML text, turning every parser complaint into an InputError with its line.

    Args:
        text: the decoded file.
        path: the file, for messages.

    Returns:
        The parsed document.

    Raises:
        InputError: the text is not valid TOML (a git merge conflict left in it is
            named as such, at the line of its first marker).
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise toml_error(text, path, error, "invalid TOML") from None
    except RecursionError:
        # Pathologically nested arrays exhaust the recursive parser.
        raise nesting_error(text, path, "invalid TOML") from None
    except ValueError as error:  # an integer of more than 4300 digits
        raise InputError(path, f"invalid TOML: {error}") from None


#: Nesting no backlog or plan needs; the line named is where a file goes past it.
NESTING_SHOWN = 100


def nesting_error(text: str, path: str | Path, prefix: str) -> InputError:
    """The one line for TOML nested too deeply for the parser (arrays or inline tables
    inside each other hundreds of times), naming the line where it goes too deep."""
    depth, deepest, deepest_line, line = 0, 0, None, 1
    index, size = 0, len(text)
    while index < size:
        char = text[index]
        if char == "\n":
            line += 1
        elif char == "#":
            end = text.find("\n", index)
            index = size if end < 0 else end
            continue
        elif char in "\"'":
            quote = text[index : index + 3] if text.startswith(char * 3, index) else char
            index += len(quote)
            while index < size and not text.startswith(quote, index):
                if text[index] == "\n":
                    if len(quote) == 1:
                        break  # an unclosed one-line string: the parser said so
                    line += 1
                elif text[index] == "\\" and char == '"':
                    index += 1
                index += 1
            index += len(quote) - 1  # past the closing quote (the loop's += 1 is the last)
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest, deepest_line = depth, line
                if depth > NESTING_SHOWN:
                    break
        elif char in "]}":
            depth = max(0, depth - 1)
        index += 1
    return InputError(
        path,
        f"{prefix}: lists or tables are nested too deeply here (more than {NESTING_SHOWN} "
        "levels, one inside another); a backlog or plan needs only a few",
        deepest_line,
    )


_CONFLICT = re.compile(r"^(?:<{7}|>{7})(?:[ \t].*)?$|^={7}[ \t]*$", re.MULTILINE)
_CONFLICT_START = re.compile(r"^(?:<{7}|>{7})(?:[ \t].*)?$", re.MULTILINE)


def toml_error(
    text: str, path: str | Path, error: tomllib.TOMLDecodeError, prefix: str
) -> InputError:
    """The one line for a TOML file tomllib refused, with the line it is about.

    A git merge conflict left in the file (``<<<<<<<``, ``=======``, ``>>>>>>>`` lines)
    reads "unresolved merge conflict (git)" at its first marker, not tomllib's
    "Invalid statement"; a file that ends inside a string or table (cut short by a
    copy or a full disk) names its last line.

    Args:
        text: the file's text.
        path: the file, for the message.
        error: what tomllib raised.
        prefix: what the message starts with ("invalid TOML", "not valid TOML").
    """
    if _CONFLICT_START.search(text):
        marker = _CONFLICT.search(text)
        assert marker is not None
        return InputError(path, CONFLICT_MESSAGE, text.count("\n", 0, marker.start()) + 1)
    message = str(error)
    line: int | None = None
    where = _WHERE.search(message)
    if where:
        line = int(where.group(1))
        message = f"{message[: where.start()]} (column {where.group(2)})"
    elif _AT_END.search(message):
        line = text.count("\n") + (0 if text.endswith("\n") else 1)
        message = _AT_END.sub(" (at the end of the file: is it cut short?)", message)
    return InputError(path, f"{prefix}: {message}", line)


def is_plan(document: dict[str, Any]) -> bool:
    """Whether a parsed TOML document is an exported plan (schema "triage-tui/plan/N").

    A `schema` that is not text (``schema = 2``) counts as a plan too, so the plan
    reader refuses it with its line: opened as a plain backlog, every decision in it
    would be dropped without a word.
    """
    schema = document.get("schema")
    if schema is not None and not isinstance(schema, str):
        return True
    return isinstance(schema, str) and schema.startswith(SCHEMA_PREFIX)


def load_toml(
    document: dict[str, Any],
    text: str,
    path: Path,
    *,
    warnings: Sequence[str] = (),
    sha256: str = "",
) -> Backlog:
    """Turn a parsed TOML backlog into a Backlog.

    Args:
        document: the parsed document.
        text: its source text, to find each `[[items]]` header's line.
        path: the file, for messages and the backlog's source.
        warnings: warnings gathered so far.
        sha256: digest of the file's bytes.

    Returns:
        The backlog, items in file order.

    Raises:
        InputError: missing or mistyped fields, naming the item, the field and the line.
    """
    document = clean_document(document, text)  # the text boundary: no control gets past
    title = document.get("title", "")
    if not isinstance(title, str):
        raise InputError(
            path, f"title must be a string, not {kind_of(title)}", _key_line(text, "title")
        )
    markup = document.get("markup", "")
    if markup not in ("", *MARKUPS):
        raise InputError(
            path,
            f'markup must be "jira" or "markdown" (the descriptions\' dialect), not {markup!r}',
            _key_line(text, "markup"),
        )
    raw_items = document.get("items")
    if raw_items is None:
        raise InputError(
            path, 'no items: add one [[items]] table per item, each with a title = "..."'
        )
    if not isinstance(raw_items, list):
        raise InputError(
            path,
            f"items must be an array of tables ([[items]]), not {kind_of(raw_items)}",
            _first_match_line(text, _ITEMS_KEY),
        )
    if not raw_items:
        raise InputError(
            path, "no items: the items array is empty", _first_match_line(text, _ITEMS_KEY)
        )
    lines = _item_lines(text, len(raw_items))
    # Inline arrays (items = [{...}]) have no headers: errors point at `items =`.
    fallback_line = None if lines else _first_match_line(text, _ITEMS_KEY)
    items: list[Item] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_items):
        line = lines[index] if lines else fallback_line
        item = _item(raw, index, line, path)
        if not lines or markup:
            item = replace(item, line=item.line if lines else 0, markup=markup)
        if item.id:
            if item.id in seen:
                raise InputError(
                    path,
                    f"duplicate id {item.id!r}: items {seen[item.id]} and {index + 1}"
                    + (f" (lines {lines[seen[item.id] - 1]} and {line})" if lines else ""),
                    line,
                )
            seen[item.id] = index + 1
        items.append(item)
    return Backlog(
        items=tuple(generate_ids(items)),
        source=path,
        format="toml",
        title=title.strip() or clean_line(path.name),
        columns={},
        warnings=tuple(warnings),
        sha256=sha256,
    )


def _item(raw: Any, index: int, line: int | None, path: Path) -> Item:
    position = index + 1
    if not isinstance(raw, dict):
        raise InputError(path, f"items[{position}] must be a table, not {kind_of(raw)}", line)
    raw_id = raw.get("id", "")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int):
        raise InputError(path, f"item {position}: id must be a string, not {kind_of(raw_id)}", line)
    item_id = str(raw_id).strip()
    name = f"item {item_id!r}" if item_id else f"item {position}"

    def text_field(field: str) -> str:
        value = raw.get(field, "")
        if not isinstance(value, str):
            raise InputError(path, f"{name}: {field} must be a string, not {kind_of(value)}", line)
        return value

    if "title" not in raw:
        raise InputError(path, f'{name}: title is missing (add title = "...")', line)
    title = " ".join(text_field("title").split())
    if not title:
        raise InputError(path, f"{name}: title is empty", line)
    from triage_tui.formats.loaders.context import toml_context

    known = _KNOWN
    links = raw.get("links")
    if links is not None and not (
        isinstance(links, list) and all(isinstance(link, dict) for link in links)
    ):
        # `links = ["https://..."]`: a backlog's own web links, carried as written;
        # links to other items are tables {kind, id}.
        raw = {key: value for key, value in raw.items() if key != "links"}
        known = _KNOWN - {"links"}
    context = toml_context(raw, lambda message: InputError(path, f"{name}: {message}", line))
    if known is not _KNOWN:
        raw = {**raw, "links": links}
    return Item(
        id=item_id,
        title=title,
        description=text_field("description").strip("\n"),
        labels=_labels(raw.get("labels"), name, line, path),
        estimate=_estimate(raw.get("estimate"), name, line, path),
        status=text_field("status").strip(),
        type=text_field("type").strip(),
        extra={key: value for key, value in raw.items() if key not in known},
        line=line or 0,
        **context,
    )


def _labels(value: Any, name: str, line: int | None, path: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return dedupe(split_labels(value))
    if isinstance(value, list) and all(isinstance(label, str) for label in value):
        return dedupe(label.strip() for label in value if label.strip())
    raise InputError(path, f"{name}: labels must be a list of strings, not {kind_of(value)}", line)


def _estimate(value: Any, name: str, line: int | None, path: Path) -> Estimate:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise InputError(path, f"{name}: estimate must be text or a number, not {kind_of(value)}", line)


def _item_lines(text: str, count: int) -> list[int]:
    """1-based line of each `[[items]]` header, when they account for every item."""
    starts = [match.start() for match in _ITEMS_HEADER.finditer(text)]
    if len(starts) != count:
        return []
    lines: list[int] = []
    line, position = 1, 0
    for start in starts:
        line += text.count("\n", position, start)
        position = start
        lines.append(line)
    return lines


def _first_match_line(text: str, pattern: re.Pattern[str]) -> int | None:
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _key_line(text: str, key: str) -> int | None:
    return _first_match_line(text, re.compile(rf"^[ \t]*{re.escape(key)}[ \t]*=", re.MULTILINE))
