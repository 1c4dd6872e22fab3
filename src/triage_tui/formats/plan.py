"""The handoff plan: build, write (TOML, schema "triage-tui/plan/1") and read it back."""

from __future__ import annotations

import errno
import itertools
import math
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from triage_tui import __version__
from triage_tui.core.errors import InputError
from triage_tui.core.handoff import (
    assess_item,
    default_handoff,
    handoff_fields,
    recommend_first_engagement,
)
from triage_tui.core.model import Backlog, Estimate, Item
from triage_tui.core.readiness import CRITERIA_BY_KEY, CRITERIA_BY_NUMBER, Assessment, Level
from triage_tui.core.sanitize import clean_document
from triage_tui.core.scope import Scope, apply_scope
from triage_tui.core.session import (
    HANDOFF_FIELDS,
    HANDOFF_LIST_FIELDS,
    Category,
    Decision,
    Mark,
    Session,
    now_iso,
)

SCHEMA = "triage-tui/plan/1"
SCHEMA_PREFIX = "triage-tui/plan/"
SCHEMA_VERSION = 1

#: What [meta].generated_by says by default.
GENERATED_BY = f"triage-tui {__version__}"

# isinstance(value, str) for every value via map(), in C.
_STR = itertools.repeat(str)

NO_FIRST_ENGAGEMENT = (
    "No project item is ready yet: close the gaps of the smallest project item first, "
    "then hand that one off."
)


# -- building -------------------------------------------------------------------------
def _toml_safe(value: Any) -> Any:
    """Make `value` writable by tomli-w: TOML has no null, keys are strings."""
    if isinstance(value, str | bool | int | float | datetime | date | time):
        return value
    if isinstance(value, Mapping):
        return {str(k): _toml_safe(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_toml_safe(v) for v in value if v is not None]
    return str(value)


def _backlog_path(session: Session, plan_path: Path | None) -> str:
    if session.backlog.format == "plan" or "backlog" in session.plan_meta:
        # A reopened plan keeps pointing at the original backlog, not at itself.
        return str(session.plan_meta.get("backlog", ""))
    source = session.backlog.source
    if source is None:
        return ""
    if plan_path is None:
        return source.as_posix()
    # Relative to the plan's folder, so the plan reads the same on every clone.
    try:
        relative = os.path.relpath(source.resolve(), plan_path.resolve().parent)
    except ValueError:  # another drive on Windows
        return source.as_posix()
    return Path(relative).as_posix()


def _seconds(decision: Decision) -> float:
    return round(float(decision.seconds_spent), 1)


def _extra(extra: Mapping[str, Any]) -> dict[str, Any]:
    # Loaders give text keys and values nearly always: copying skips a recursive walk.
    if all(map(isinstance, extra.values(), _STR)) and all(map(isinstance, extra, _STR)):
        return dict(extra)
    safe: dict[str, Any] = _toml_safe(dict(extra))
    return safe


def _item_entry(
    item: Item, decision: Decision, seconds: float
) -> tuple[dict[str, Any], Assessment | None]:
    """One [[items]] entry, and the item's assessment when it is a project item."""
    entry: dict[str, Any] = {
        "id": item.id,
        "title": item.title,
        "description": item.description,
        "labels": list(item.labels),
    }
    if item.estimate is not None:
        entry["estimate"] = item.estimate
    # Status and type have keys of their own (scope filters need them when the plan is
    # reopened); inside `extra` they would collide with a source column of that name.
    if item.status:
        entry["status"] = item.status
    if item.type:
        entry["type"] = item.type
    extra = _extra(item.extra)
    if extra:
        entry["extra"] = extra
    entry["category"] = decision.category.value
    entry["rationale"] = decision.rationale
    entry["signals"] = list(decision.signals)
    assessment: Assessment | None = None
    if decision.category is Category.PROJECT:
        assessment = assess_item(item, decision)
        entry["readiness"] = {
            "score": assessment.score,
            "level": assessment.level.value,
            "met": [CRITERIA_BY_NUMBER[n].key for n in assessment.met],
            "partial": [CRITERIA_BY_NUMBER[n].key for n in assessment.partial],
            "gaps": list(assessment.gaps),
        }
        # Ready items get their brief; others keep any fields the room already wrote.
        if assessment.level is Level.READY or decision.handoff:
            entry["handoff"] = handoff_fields(item, decision)
    entry["seconds_spent"] = seconds
    entry["decided_at"] = decision.decided_at
    return entry, assessment


def build_plan(
    session: Session,
    *,
    in_scope: Sequence[Item] | None = None,
    generated_by: str = GENERATED_BY,
    created: str | None = None,
    plan_path: Path | None = None,
) -> dict[str, Any]:
    """The plan as a plain dict in schema "triage-tui/plan/1" (key order is file order).

    Args:
        session: the workshop's decisions.
        in_scope: the items the plan covers, in backlog order (default: the session's
            scope applied to the backlog).
        generated_by: the tool and version recorded in [meta].
        created: ISO time recorded in [meta] (default: the reopened plan's, else now).
        plan_path: where the plan will be written; the backlog path is recorded
            relative to its folder.

    Returns:
        schema, meta, summary, first_engagement, items.
    """
    if in_scope is None:
        items = apply_scope(session.backlog.items, Scope.from_dict(session.scope))
    else:
        items = list(in_scope)
    previous = session.plan_meta
    items_total = max(len(items), int(previous.get("items_total", len(session.backlog.items))))

    entries: list[dict[str, Any]] = []
    # Each project item is assessed once, here, and the recommendation reuses it.
    assessments: dict[str, Assessment] = {}
    total_seconds = 0.0
    counts = dict.fromkeys(("hiring", "project", "parked", "undecided"), 0)
    levels = dict.fromkeys(("ready", "needs_work", "not_ready"), 0)
    for item in items:
        decision = session.decision(item.id)
        seconds = _seconds(decision)
        total_seconds += seconds
        entry, assessment = _item_entry(item, decision, seconds)
        entries.append(entry)
        counts[entry["category"]] += 1
        if assessment is not None:
            assessments[item.id] = assessment
            levels[assessment.level.value] += 1

    recommendation = recommend_first_engagement(session, items, assessments=assessments)
    if recommendation is None:
        first = {"id": "", "why": NO_FIRST_ENGAGEMENT, "chosen_by": "recommendation"}
    else:
        chosen_by = "room" if recommendation[0] == session.first_engagement else "recommendation"
        first = {"id": recommendation[0], "why": recommendation[1], "chosen_by": chosen_by}

    return {
        "schema": SCHEMA,
        "meta": {
            "generated_by": generated_by,
            "created": created or str(previous.get("created") or now_iso()),
            "backlog": _backlog_path(session, plan_path),
            "backlog_title": session.backlog.title,
            "backlog_sha256": session.backlog.sha256,
            "facilitator": session.facilitator,
            "team": session.team,
            "minutes": session.minutes,
            "minutes_used": round(total_seconds / 60, 1),
            "scope": _toml_safe(session.scope),
            "items_total": items_total,
            "items_left_out": items_total - len(items),
        },
        "summary": {"items": len(entries), **counts, **levels},
        "first_engagement": first,
        "items": entries,
    }


def dumps_plan(
    session: Session,
    *,
    in_scope: Sequence[Item] | None = None,
    generated_by: str = GENERATED_BY,
    created: str | None = None,
    plan_path: Path | None = None,
) -> str:
    """The plan as TOML text (see `build_plan` for the arguments)."""
    import tomli_w

    plan = build_plan(
        session,
        in_scope=in_scope,
        generated_by=generated_by,
        created=created,
        plan_path=plan_path,
    )
    # Multi-line strings keep descriptions readable in a pull request diff.
    return tomli_w.dumps(plan, multiline_strings=True)


def write_plan(
    session: Session,
    path: str | Path,
    *,
    in_scope: Sequence[Item] | None = None,
    generated_by: str = GENERATED_BY,
    created: str | None = None,
    backup: bool = True,
) -> Path:
    """Write the plan atomically (temp file in the same folder, fsync, os.replace).

    Args:
        session: the workshop's decisions.
        path: the plan file.
        in_scope, generated_by, created: see `build_plan`.
        backup: keep the previous plan as ``<path>.bak``.

    Returns:
        The path written.

    Raises:
        OSError: the file cannot be written (the old plan is intact), or `path` is the
            backlog the session was loaded from (a plan never overwrites its backlog).
    """
    from triage_tui.store.fsutil import atomic_write_text

    target = Path(path)
    source = session.backlog.source
    if (
        session.backlog.format != "plan"
        and source is not None
        and target.exists()
        and source.exists()
        and os.path.samefile(source, target)
    ):
        raise PermissionError(
            errno.EPERM, "refusing to overwrite the backlog with the plan", str(target)
        )
    text = dumps_plan(
        session,
        in_scope=in_scope,
        generated_by=generated_by,
        created=created,
        plan_path=target,
    )
    return atomic_write_text(target, text, backup=backup)


# -- reading --------------------------------------------------------------------------
_CATEGORIES = {category.value: category for category in Category}
# Only what follows the line's leading blanks: item_line checks those by hand.
_ITEMS_HEADER = re.compile(r"\[\[[ \t]*items[ \t]*\]\][ \t]*(?:#.*)?$", re.MULTILINE)


class _Reader:
    """Validates one plan document, naming the file, the line and the field at fault."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self._item_lines: list[int] | None = None

    def fail(self, message: str, line: int | None = None) -> InputError:
        return InputError(self.path, message, line)

    def line_of(self, pattern: str) -> int | None:
        match = re.search(pattern, self.text, re.MULTILINE)
        return None if match is None else self.text.count("\n", 0, match.start()) + 1

    def item_line(self, index: int) -> int | None:
        if self._item_lines is None:
            # Count newlines from the previous header only: counting from the top of
            # the file for each header made reopening 10,000 items quadratic.
            text = self.text
            lines: list[int] = []
            line, position = 1, 0
            # Searching for the literal "[[" first is ~4x faster than a ^-anchored
            # pattern, which the regex engine tries at every position of the file.
            for match in _ITEMS_HEADER.finditer(text):
                start = match.start()
                line_start = text.rfind("\n", 0, start) + 1
                if line_start < start and text[line_start:start].strip(" \t"):
                    continue  # "[[items]]" after other text on its line is no header
                line += text.count("\n", position, line_start)
                position = line_start
                lines.append(line)
            self._item_lines = lines
        return self._item_lines[index] if index < len(self._item_lines) else None

    # typed getters ------------------------------------------------------------------
    def string(self, table: Mapping[str, Any], key: str, where: str, line: int | None) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            raise self.fail(f"{where}: {key} must be a string, not {_kind(value)}", line)
        return value

    def number(self, table: Mapping[str, Any], key: str, where: str, line: int | None) -> float:
        value = table.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{where}: {key} must be a number, not {_kind(value)}", line)
        if not math.isfinite(value) or value < 0:
            raise self.fail(f"{where}: {key} must be a number of 0 or more, not {value}", line)
        return float(value)

    def integer(
        self, table: Mapping[str, Any], key: str, where: str, line: int | None, default: int
    ) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{where}: {key} must be a whole number, not {_kind(value)}", line)
        return value

    def strings(
        self, table: Mapping[str, Any], key: str, where: str, line: int | None
    ) -> list[str]:
        value = table.get(key, [])
        # map() keeps the per-element check in C: four lists per item add up at 10,000.
        if not isinstance(value, list) or not all(map(isinstance, value, _STR)):
            raise self.fail(f"{where}: {key} must be a list of strings", line)
        return value

    def table(
        self, table: Mapping[str, Any], key: str, where: str, line: int | None
    ) -> dict[str, Any]:
        value = table.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(f"{where}: {key} must be a table, not {_kind(value)}", line)
        return value

    # the document -------------------------------------------------------------------
    def schema(self, document: Mapping[str, Any]) -> None:
        line = self.line_of(r"^[ \t]*schema[ \t]*=")
        schema = document.get("schema")
        if schema is None:
            raise self.fail(f'not a triage-tui plan: no schema = "{SCHEMA}" line')
        if not isinstance(schema, str):
            raise self.fail(f"schema must be a string like {SCHEMA!r}, not {_kind(schema)}", line)
        if schema == SCHEMA:
            return
        if schema.startswith(SCHEMA_PREFIX):
            version = schema[len(SCHEMA_PREFIX) :]
            if version.isdigit() and int(version) > SCHEMA_VERSION:
                raise self.fail(
                    f"plan schema {schema!r} is newer than this triage-tui "
                    f"({__version__}) reads ({SCHEMA!r}); upgrade triage-tui to open it",
                    line,
                )
            raise self.fail(
                f"unknown plan schema {schema!r}; this triage-tui reads {SCHEMA!r}", line
            )
        raise self.fail(f"not a triage-tui plan: schema is {schema!r}, expected {SCHEMA!r}", line)

    def item(self, raw: Any, index: int) -> tuple[Item, Decision, bool]:
        line = self.item_line(index)
        if not isinstance(raw, dict):
            raise self.fail(f"items[{index + 1}] must be a table, not {_kind(raw)}", line)
        item_id = raw.get("id")
        if not isinstance(item_id, str) or not item_id:
            raise self.fail(f"item #{index + 1}: id must be a non-empty string", line)
        where = f"item {item_id!r}"
        title = self.string(raw, "title", where, line)
        if not title.strip():
            raise self.fail(f"{where}: title is missing or empty", line)
        estimate = raw.get("estimate")
        if estimate is not None and (
            isinstance(estimate, bool)
            or not isinstance(estimate, str | int | float)
            or (isinstance(estimate, float) and not math.isfinite(estimate))  # nan, inf
        ):
            raise self.fail(
                f"{where}: estimate must be text or a number, not {_kind(estimate)}", line
            )
        extra = dict(self.table(raw, "extra", where, line))
        status = self.string(raw, "status", where, line)
        kind = self.string(raw, "type", where, line)
        est: Estimate = estimate
        item = Item(
            id=item_id,
            title=title,
            description=self.string(raw, "description", where, line),
            labels=tuple(self.strings(raw, "labels", where, line)),
            estimate=est,
            status=status,
            type=kind,
            extra=extra,
            line=line or 0,
        )
        category_text = self.string(raw, "category", where, line) or Category.UNDECIDED.value
        category = _CATEGORIES.get(category_text)  # a dict is ~10x cheaper than Category()
        if category is None:
            choices = ", ".join(c.value for c in Category)
            raise self.fail(
                f"{where}: category must be one of {choices}, not {category_text!r}", line
            )
        decision = Decision(
            category=category,
            rationale=self.string(raw, "rationale", where, line),
            signals=self.strings(raw, "signals", where, line),
            seconds_spent=self.number(raw, "seconds_spent", where, line),
            decided_at=self.string(raw, "decided_at", where, line),
        )
        readiness = self.table(raw, "readiness", where, line)
        for mark, key in ((Mark.MET, "met"), (Mark.PARTIAL, "partial")):
            for name in self.strings(readiness, key, f"{where} readiness", line):
                criterion = CRITERIA_BY_KEY.get(name)
                if criterion is None:
                    known = ", ".join(CRITERIA_BY_KEY)
                    raise self.fail(
                        f"{where}: readiness.{key} has unknown criterion {name!r} (known: {known})",
                        line,
                    )
                decision.marks[criterion.number] = mark
        handoff = self.table(raw, "handoff", where, line)
        if handoff:
            defaults = default_handoff(item, decision)
            for name in HANDOFF_FIELDS:
                if name in handoff:
                    value: str | list[str]
                    if name in HANDOFF_LIST_FIELDS and isinstance(handoff[name], str):
                        # plan/1 wrote a list field as one text, one entry a line
                        value = [
                            re.sub(r"^(?:[-*+]\s+)?(?:\[[ xX]\]\s+)?", "", part.strip())
                            for part in handoff[name].splitlines()
                            if part.strip()
                        ]
                    elif name in HANDOFF_LIST_FIELDS:
                        value = self.strings(handoff, name, f"{where} handoff", line)
                    else:
                        value = self.string(handoff, name, f"{where} handoff", line)
                    # Only what differs from the defaults is the room's edit.
                    if value != defaults[name]:
                        decision.handoff[name] = value
            if not decision.handoff:
                # Every field as the defaults say (an edit back to the default): keep them,
                # or the next save of a not-ready item would drop its handoff table.
                for name in HANDOFF_FIELDS:
                    if name in handoff:
                        kept = handoff[name]
                        decision.handoff[name] = (
                            [str(part) for part in kept] if isinstance(kept, list) else str(kept)
                        )
        return item, decision, bool(handoff)

    def session(self, document: dict[str, Any]) -> Session:
        document = clean_document(document, self.text)  # the text boundary (core.sanitize)
        self.schema(document)
        meta_line = self.line_of(r"^[ \t]*\[[ \t]*meta[ \t]*\]")
        meta = self.table(document, "meta", "plan", None)
        for key in ("generated_by", "backlog", "backlog_title", "backlog_sha256"):
            self.string(meta, key, "[meta]", meta_line)
        created = meta.get("created", "")
        if isinstance(created, datetime | date):
            # Hand-edited plans may carry a bare TOML datetime; keep it as text.
            created = created.isoformat()
        if not isinstance(created, str):
            raise self.fail(f"[meta]: created must be a string, not {_kind(created)}", meta_line)
        minutes = self.integer(meta, "minutes", "[meta]", meta_line, 60)
        if minutes <= 0:
            raise self.fail("[meta]: minutes must be more than 0", meta_line)
        items_total = self.integer(meta, "items_total", "[meta]", meta_line, 0)
        scope = self.table(meta, "scope", "[meta]", meta_line)

        raw_items = document.get("items", [])
        if not isinstance(raw_items, list):
            raise self.fail(f"items must be an array of tables, not {_kind(raw_items)}")
        items: list[Item] = []
        decisions: dict[str, Decision] = {}
        for index, raw in enumerate(raw_items):
            item, decision, _ = self.item(raw, index)
            if item.id in decisions:
                raise self.fail(f"duplicate item id {item.id!r}", self.item_line(index))
            items.append(item)
            decisions[item.id] = decision

        first = self.table(document, "first_engagement", "plan", None)
        first_id = self.string(first, "id", "[first_engagement]", None)
        chosen_by = self.string(first, "chosen_by", "[first_engagement]", None)
        backlog = Backlog(
            items=tuple(items),
            source=self.path,
            format="plan",
            title=self.string(meta, "backlog_title", "[meta]", meta_line),
            sha256=self.string(meta, "backlog_sha256", "[meta]", meta_line),
        )
        plan_meta = dict(meta)
        plan_meta["created"] = created
        plan_meta["items_total"] = max(items_total, len(items))
        return Session(
            backlog=backlog,
            decisions=decisions,
            facilitator=self.string(meta, "facilitator", "[meta]", meta_line),
            team=self.string(meta, "team", "[meta]", meta_line),
            minutes=minutes,
            first_engagement=first_id if chosen_by == "room" and first_id in decisions else "",
            scope=scope,
            plan_meta=plan_meta,
        )


def _kind(value: Any) -> str:
    names = {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)


def loads_plan(
    text: str, path: str | Path = "<plan>", *, document: dict[str, Any] | None = None
) -> Session:
    """Parse and validate plan text; see `read_plan`.

    Args:
        text: the TOML text.
        path: the file name used in error messages and as the backlog's source.
        document: `text` already parsed (the loaders parse it to tell a plan from a
            backlog): not parsed a second time, which for a 10,000-item plan is seconds.

    Raises:
        InputError: not TOML, not a plan, a newer schema, or a field of the wrong type.
    """
    source = Path(path)
    text = text.removeprefix("\ufeff")
    if document is not None:
        return _Reader(source, text).session(document)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        from triage_tui.formats.loaders.toml_loader import toml_error

        raise toml_error(text, source, error, "not valid TOML") from None
    except (RecursionError, ValueError) as error:  # pathologically nested arrays
        raise InputError(source, f"not valid TOML: {type(error).__name__}") from None
    return _Reader(source, text).session(document)


def read_plan(path: str | Path) -> Session:
    """Reopen a plan as a session, without the backlog it came from.

    The session's backlog has format "plan", the plan as its source, the original
    title and sha256; each decision comes back with its category, rationale, signals,
    marks (from the met/partial lists), time, and the handoff fields the room edited.

    Args:
        path: the plan file.

    Returns:
        The session (its `plan_meta` keeps [meta] so re-exporting is byte-identical).

    Raises:
        InputError: unreadable, not UTF-8, not TOML, not a plan, a newer schema, or a
            field of the wrong type (naming the item and field).
    """
    source = Path(path)
    try:
        data = source.read_bytes()
    except OSError as error:
        raise InputError(source, f"cannot read: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(source, "not UTF-8 text (a plan is UTF-8 TOML)", line) from None
    return loads_plan(text, source)
