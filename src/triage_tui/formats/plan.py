"""The handoff plan: build, write (TOML, schema "triage-tui/plan/2") and read it back.

Plans of schema plan/1 (no `missing` marks, float seconds, the clock as the sum of the
items' time) still open; they are written back as plan/2.
"""

from __future__ import annotations

import errno
import itertools
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from triage_tui import __version__
from triage_tui.core import votes
from triage_tui.core.errors import InputError, kind_of
from triage_tui.core.handoff import (
    assess_item,
    assess_level,
    default_handoff,
    handoff_fields,
    is_edit,
    recommend_first_engagement,
)
from triage_tui.core.model import MARKUPS, Backlog, Estimate, Item
from triage_tui.core.readiness import CRITERIA_BY_KEY, CRITERIA_BY_NUMBER, Assessment, Level
from triage_tui.core.sanitize import clean_document, shown
from triage_tui.core.scope import Scope, apply_scope
from triage_tui.core.session import (
    DEFAULT_CONTRACTOR_START_DAYS,
    DEFAULT_SEARCH_MONTHS,
    HANDOFF_FIELDS,
    HANDOFF_LIST_FIELDS,
    PHASES,
    TEAM_FIELDS,
    Category,
    Decision,
    Mark,
    Session,
    now_iso,
    split_legacy_rationale,
)
from triage_tui.formats.sniff import SCHEMA_PREFIX, plan_head

SCHEMA = "triage-tui/plan/2"
SCHEMA_VERSION = 2
#: Every schema this version reads.
READABLE_SCHEMAS = frozenset({"triage-tui/plan/1", SCHEMA})

#: A criterion the room has not answered yet (distinct from one it marked missing).
UNANSWERED = "unanswered"


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
    # A path is data from outside: a U+202E or ESC in a file name is written visibly
    # (``\\u202e``), so `git diff` of the plan shows it in order and a terminal acts on none.
    return shown(_backlog_location(session, plan_path))


def _backlog_location(session: Session, plan_path: Path | None) -> str:
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


def _backlog_format(session: Session) -> str:
    """The backlog's format (one of model.FORMATS); a reopened plan keeps its own."""
    if session.backlog.format == "plan":
        return str(session.plan_meta.get("backlog_format", ""))
    return session.backlog.format


def _extra(extra: Mapping[str, Any]) -> dict[str, Any]:
    # Loaders give text keys and values nearly always: no recursive walk, and no copy of a
    # plain dict (an Item's `extra` is never changed once loaded; one dict an item fewer).
    if all(map(isinstance, extra.values(), _STR)) and all(map(isinstance, extra, _STR)):
        return extra if type(extra) is dict else dict(extra)
    safe: dict[str, Any] = _toml_safe(dict(extra))
    return safe


def _as_list(value: Any) -> list[str]:
    """A list-valued handoff field as TOML array entries (text: one entry per line, kept
    as written, so joining them gives the text back)."""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    text = str(value).strip("\n")
    return text.split("\n") if text else []


def _handoff_table(item: Item, decision: Decision) -> dict[str, Any]:
    # Generic over HANDOFF_FIELDS: whatever fields core.handoff defines are written, a
    # list value (or a list field's text) as an array of strings.
    fields: Mapping[str, Any] = handoff_fields(item, decision)
    table: dict[str, Any] = {}
    for name in HANDOFF_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if isinstance(value, list | tuple) or name in HANDOFF_LIST_FIELDS:
            table[name] = _as_list(value)
        else:
            table[name] = "" if value is None else str(value)
    return table


_MARK_KEYS = tuple((n, CRITERIA_BY_NUMBER[n].key) for n in sorted(CRITERIA_BY_NUMBER))
# A mark as the plan writes it (None: not answered), and a level: a dict lookup instead
# of str() of an enum member, for the 7 marks of every project item.
_MARK_TEXT: dict[Mark | None, str] = {None: UNANSWERED, **{mark: mark.value for mark in Mark}}
_LEVEL_TEXT = {level: level.value for level in Level}


def votes_table(decision: Decision, *, named: bool = False) -> dict[str, Any]:
    """An item's [items.votes] table: the room's tally, reasons and whether the decision
    went against the majority ({} when nobody voted). Names only when `named` (the room
    chose to show them); [items.votes.readiness] per criterion that got votes."""
    if not (decision.votes or decision.readiness_votes):
        return {}
    counted = votes.tally(decision)
    table: dict[str, Any] = {choice.value: counted.counts[choice] for choice in votes.VOTE_CHOICES}
    reasons = []
    for reason in counted.reasons:
        entry = {"vote": reason.vote.value, "text": reason.text}
        if named and reason.name:
            entry["name"] = reason.name
        reasons.append(entry)
    table["reasons"] = reasons
    table["against_majority"] = votes.against_majority(decision)
    if named:
        table["names"] = {
            choice.value: list(counted.names.get(choice, ())) for choice in votes.VOTE_CHOICES
        }
    criteria = votes.readiness_tally(decision)
    if criteria:
        table["readiness"] = {
            CRITERIA_BY_NUMBER[number].key: {mark.value: n for mark, n in counts.items()}
            for number, counts in criteria.items()
        }
    return table


def _item_entry(
    item: Item,
    decision: Decision,
    *,
    named: bool = False,
    known: dict[str, Assessment] | None = None,
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
    # str(member): a StrEnum's value, without Enum's `.value` descriptor (~0.4 us, and a
    # plan reads ten of them an item).
    entry["category"] = str(decision.category)
    entry["rationale"] = decision.rationale
    entry["signals"] = list(decision.signals)
    entry["seconds_spent"] = int(decision.seconds_spent)
    entry["decided_at"] = decision.decided_at
    entry["carried"] = decision.carried
    # Written when it says something, or when an older reader's rule would misread its
    # absence: without `note`, a non-parked item's `rationale` reads as its note (plans
    # from before the note had a field of its own; `_Reader.item`).
    if decision.note or (decision.rationale and decision.category is not Category.PARKED):
        entry["note"] = decision.note
    if item.due or item.comments or item.attachments or item.links:
        # What the tracker knows (due, comments, attachments, links): keys of their own.
        from triage_tui.formats.loaders.context import context_table

        entry.update(context_table(item))
    # Tables after the plain keys (tomli-w writes them so): extra, readiness, handoff.
    extra = _extra(item.extra)
    if extra:
        entry["extra"] = extra
    assessment: Assessment | None = None
    if decision.category is Category.PROJECT:
        if known is None:
            # Only the score, level and blockers are written: no gap sentences made.
            assessment = assess_level(item, decision)
        else:
            assessment = known.get(item.id)
            if assessment is None:
                assessment = known[item.id] = assess_item(item, decision)
        get = decision.marks.get
        entry["readiness"] = {
            "score": assessment.score,
            "level": _LEVEL_TEXT[assessment.level],
            "marks": {key: _MARK_TEXT[get(number)] for number, key in _MARK_KEYS},
        }
        # Ready items get their brief; others keep any fields the room already wrote.
        if assessment.level is Level.READY or decision.handoff:
            entry["handoff"] = _handoff_table(item, decision)
    if decision.votes or decision.readiness_votes:
        entry["votes"] = votes_table(decision, named=named)
    return entry, assessment


def _previous_table(session: Session, item_id: str) -> dict[str, Any]:
    """[items.previous]: last quarter's decision of an item changed since (`--from`),
    what changed and the changed lines, its marks (this quarter's suggestions) and its
    handoff edits (brought back when the room decides it project)."""
    from triage_tui.core.carry import previous

    found = previous(session, item_id)
    if found is None:
        return {}
    table: dict[str, Any] = {"category": found.category.value, "rationale": found.rationale}
    if found.note or (found.rationale and found.category is not Category.PARKED):
        table["note"] = found.note  # (absent: read by category, as an older plan's)
    table["changed"] = found.what
    table["lines"] = list(found.lines)
    if found.marks:
        table["marks"] = {
            key: found.marks[number].value for number, key in _MARK_KEYS if number in found.marks
        }
    if found.handoff:
        table["handoff"] = {
            name: list(value) if isinstance(value, list) else str(value)
            for name in HANDOFF_FIELDS
            if (value := found.handoff.get(name)) is not None
        }
    return table


def _first_engagement(
    session: Session, items: Sequence[Item], assessments: Mapping[str, Assessment]
) -> dict[str, str]:
    recommendation = recommend_first_engagement(session, items, assessments=assessments)
    if recommendation is None:
        return {"id": "", "why": NO_FIRST_ENGAGEMENT, "chosen_by": "recommendation", "before": ""}
    first_id, why, before = recommendation  # before: the larger need it tests the ground for
    chosen_by = "room" if first_id == session.first_engagement else "recommendation"
    return {"id": first_id, "why": why, "chosen_by": chosen_by, "before": before}


def _markup(session: Session) -> dict[str, str]:
    """[meta] markup: the descriptions' dialect when the source said it (else no key, so
    a plan whose source did not say reads as it always did)."""
    markup = next((item.markup for item in session.backlog.items if item.markup), "")
    return {"markup": markup} if markup else {}


def build_plan(
    session: Session,
    *,
    in_scope: Sequence[Item] | None = None,
    generated_by: str = GENERATED_BY,
    created: str | None = None,
    plan_path: Path | None = None,
    assessments: dict[str, Assessment] | None = None,
) -> dict[str, Any]:
    """The plan as a plain dict in schema "triage-tui/plan/2" (key order is file order).

    Args:
        session: the workshop's decisions.
        in_scope: the items the plan covers, in backlog order (default: the session's
            scope applied to the backlog, except a `--from` list of ids, which narrows
            the hour and not the plan).
        generated_by: the tool and version recorded in [meta].
        created: ISO time recorded in [meta] (default: the reopened plan's, or the
            plan file's already on disk (see `write_plan`), else now).
        plan_path: where the plan will be written; the backlog path is recorded
            relative to its folder.
        assessments: the project items' assessments already made for this session, by
            id; the plan's are added to it (an export's brief, CSV and handoffs reuse
            them: `handoff_doc.project_assessments`).

    Returns:
        schema, meta, summary, first_engagement, items.
    """
    if in_scope is None:
        items = apply_scope(session.backlog.items, Scope.from_dict(session.scope).for_plan())
    else:
        items = list(in_scope)
    previous = session.plan_meta
    items_total = max(len(items), int(previous.get("items_total", len(session.backlog.items))))

    entries: list[dict[str, Any]] = []
    # Each project item is assessed once, here, and the recommendation reuses it.
    planned: dict[str, Assessment] = {}
    counts = dict.fromkeys(("hiring", "project", "parked", "undecided"), 0)
    levels = dict.fromkeys(("ready", "needs_work", "not_ready"), 0)
    changed = session.carry.get("changed") or {}
    for item in items:
        entry, assessment = _item_entry(
            item, session.decision(item.id), named=session.votes_named, known=assessments
        )
        if changed and item.id in changed:
            entry["previous"] = _previous_table(session, item.id)
        entries.append(entry)
        counts[entry["category"]] += 1
        if assessment is not None:
            planned[item.id] = assessment
            levels[_LEVEL_TEXT[assessment.level]] += 1

    first_written = created or str(previous.get("created") or "") or now_iso()
    left_out = session.backlog.columns_left_out or tuple(
        previous.get("source_columns_left_out", ())
    )
    seconds_used = int(session.seconds_used)
    return {
        "schema": SCHEMA,
        "meta": {
            "generated_by": generated_by,
            "created": first_written,
            # The room's last change, not this write: saving twice writes the same file;
            # never before `created` (changes made before the first write date from it).
            "updated": max(
                session.updated or str(previous.get("updated") or "") or first_written,
                first_written,
            ),
            "backlog": _backlog_path(session, plan_path),
            "backlog_title": session.backlog.title,
            "backlog_sha256": session.backlog.sha256,
            # Which tracker the ids came from (`triage-tui push` writes only to that one).
            "backlog_format": _backlog_format(session),
            **_markup(session),
            "facilitator": session.facilitator,
            "minutes": session.minutes,
            "minutes_used": round(seconds_used / 60, 1),
            "seconds_used": seconds_used,
            "phase": session.phase,
            "items_total": items_total,
            "items_left_out": items_total - len(items),
            "carried_from": session.carried_from,
            "source_columns_left_out": list(left_out),
            "scope": _toml_safe(session.scope),
            "assumptions": {
                "search_months": session.search_months,
                "contractor_start_days": session.contractor_start_days,
            },
            # The team's name, and what every handoff says about the team: every key
            # written, "" when not known yet, so filling one in is a one-line diff.
            "team": {
                "name": session.team,
                **{key: session.team_info.get(key, "") for key in TEAM_FIELDS},
            },
        },
        "summary": {"items": len(entries), **counts, **levels},
        "first_engagement": _first_engagement(session, items, planned),
        "items": entries,
    }


#: Items per `tomli_w.dumps` call when the writer reports progress (`dumps_toml`).
PROGRESS_CHUNK = 2_000

#: The share of a plan write spent building the document (the rest is TOML text).
_BUILD_SHARE = 0.2


def dumps_toml(plan: Mapping[str, Any], progress: Callable[[float], None] | None = None) -> str:
    """`tomli_w.dumps(plan, multiline_strings=True)`, the same text; with `progress`, the
    [[items]] are written `PROGRESS_CHUNK` at a time and `progress(fraction)` is called
    after each chunk (a 100,000-item plan is seconds of tomli-w: the Export screen's bar
    moves meanwhile).

    tomli-w writes each [[items]] table on its own, separated by one blank line, so the
    chunks joined by a newline are the whole text. The one choice it makes over the
    whole array (inline tables when every entry is short and on one line: never for an
    item, which has ten keys) is checked: a chunk written inline falls back to one call.
    """
    import tomli_w

    items = plan.get("items")
    if (
        progress is None
        or not isinstance(items, list)
        or len(items) <= PROGRESS_CHUNK
        or list(plan)[-1] != "items"  # (build_plan puts them last)
    ):
        # Multi-line strings keep descriptions readable in a pull request diff.
        text: str = tomli_w.dumps(plan, multiline_strings=True)
        if progress is not None:
            progress(1.0)
        return text
    head = {key: value for key, value in plan.items() if key != "items"}
    parts = [tomli_w.dumps(head, multiline_strings=True)]
    for start in range(0, len(items), PROGRESS_CHUNK):
        chunk = tomli_w.dumps(
            {"items": items[start : start + PROGRESS_CHUNK]}, multiline_strings=True
        )
        if not chunk.startswith("[[items]]"):  # inline: only the whole array decides
            text = tomli_w.dumps(plan, multiline_strings=True)
            progress(1.0)
            return text
        parts.append(chunk)
        progress(min(1.0, (start + PROGRESS_CHUNK) / len(items)))
    return "\n".join(parts)


def dumps_plan(
    session: Session,
    *,
    in_scope: Sequence[Item] | None = None,
    generated_by: str = GENERATED_BY,
    created: str | None = None,
    plan_path: Path | None = None,
    progress: Callable[[float], None] | None = None,
    assessments: dict[str, Assessment] | None = None,
) -> str:
    """The plan as TOML text (see `build_plan` for the arguments); `progress(fraction)`
    is called as it is written (see `dumps_toml`)."""
    plan = build_plan(
        session,
        in_scope=in_scope,
        generated_by=generated_by,
        created=created,
        plan_path=plan_path,
        assessments=assessments,
    )
    if progress is None:
        return dumps_toml(plan)
    report = progress
    report(_BUILD_SHARE)
    return dumps_toml(plan, lambda done: report(_BUILD_SHARE + (1 - _BUILD_SHARE) * done))


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
    if created is None and not session.plan_meta.get("created"):
        # `created` is the first write's: a plan already there keeps its own.
        created = _created_on_disk(target)
    text = dumps_plan(
        session,
        in_scope=in_scope,
        generated_by=generated_by,
        created=created,
        plan_path=target,
    )
    return atomic_write_text(target, text, backup=backup)


_CREATED_LINE = re.compile(r'^created = "([^"\\\n]+)"$', re.MULTILINE)


def _created_on_disk(path: Path) -> str | None:
    """The [meta] created of the plan at `path`, if one is there (read from its head)."""
    head = plan_head(path)
    if head is None:
        return None
    match = _CREATED_LINE.search(head)
    return match.group(1) if match else None


# -- reading --------------------------------------------------------------------------
_CATEGORIES = {category.value: category for category in Category}
_MARKS = {mark.value: mark for mark in Mark}
# A plan/1 list entry's bullet and checkbox ("- [ ] stored once" -> "stored once").
_PLAN1_ENTRY = re.compile(r"^(?:[-*+]\s+)?(?:\[[ xX]\]\s+)?")
# Only what follows the line's leading blanks: item_line checks those by hand.
_ITEMS_HEADER = re.compile(r"\[\[[ \t]*items[ \t]*\]\][ \t]*(?:#.*)?$", re.MULTILINE)
# An item's text fields, in the order a wrong one is named (`_Reader.item`).
_ITEM_TEXTS = ("title", "status", "type", "description", "category", "rationale", "decided_at")
# A [readiness.marks] key -> its criterion number.
_NUMBERS = {key: number for number, key in _MARK_KEYS}


# `core.sanitize.clean_document(document, text)` asks one question of the TOML source: can
# anything in it decode to a control or bidi character (an escape: a backslash and one of
# b f r u U; or such a character, all of them non-ASCII but DEL)? Its one pattern is tried
# at every position of the text, ~12 ms a megabyte, a tenth of reopening a plan beside
# tomllib. `_clean` asks the same in two cheap scans: the escapes (a literal backslash
# first), then clean_document's own pattern over the text's non-ASCII characters and DELs
# only, which a plan has few of (tests: the same answer as clean_document's).
_ESCAPE_RISK = re.compile(r"\\[bfrUu]")
_ASCII_BUT_DEL = bytes(range(0x7F))


def _clean(document: dict[str, Any], text: str) -> dict[str, Any]:
    """`clean_document(document, text)`, the same document, found cheaper."""
    if _ESCAPE_RISK.search(text) is not None:
        return clean_document(document, text)
    data = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BUT_DEL)
    return clean_document(document, data.decode("utf-8", "surrogatepass"))


class _Reader:
    """Validates one plan document, naming the file, the line and the field at fault."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self._item_lines: list[int] | None = None
        self.version = SCHEMA_VERSION
        self.votes_named = False  # an [items.votes] table named its voters
        self.markup = ""  # [meta] markup: every item's dialect

    def fail(self, message: str, line: int | None = None) -> InputError:
        return InputError(self.path, message, line)

    def line_of(self, pattern: str) -> int | None:
        match = re.search(pattern, self.text, re.MULTILINE)
        return None if match is None else self.text.count("\n", 0, match.start()) + 1

    def key_line(self, table: str | None, key: str) -> int | None:
        """The line of ``key = ...`` in ``[table]`` (None: the top level, before any
        table), else the table's header line, else None."""
        text = self.text
        start = 0
        if table is not None:
            header = re.search(
                rf"^[ \t]*\[[ \t]*{re.escape(table)}[ \t]*\][ \t]*(?:#.*)?$", text, re.MULTILINE
            )
            if header is None:
                return self.line_of(rf"^[ \t]*{re.escape(table)}[ \t]*=")
            start = header.end()
        following = re.compile(r"^[ \t]*\[", re.MULTILINE).search(text, start)
        end = following.start() if following else len(text)
        found = re.compile(rf"^[ \t]*{re.escape(key)}[ \t]*=", re.MULTILINE).search(
            text, start, end
        )
        if found is not None:
            return text.count("\n", 0, found.start()) + 1
        return None if table is None else text.count("\n", 0, start) + 1

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
            raise self.fail(f"{where}: {key} must be a string, not {kind_of(value)}", line)
        return value

    def number(self, table: Mapping[str, Any], key: str, where: str, line: int | None) -> float:
        value = table.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{where}: {key} must be a number, not {kind_of(value)}", line)
        if not math.isfinite(value) or value < 0:
            raise self.fail(f"{where}: {key} must be a number of 0 or more, not {value}", line)
        return float(value)

    def integer(
        self, table: Mapping[str, Any], key: str, where: str, line: int | None, default: int
    ) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            shown = value if isinstance(value, float) else kind_of(value)
            raise self.fail(f"{where}: {key} must be a whole number, not {shown}", line)
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
            raise self.fail(f"{where}: {key} must be a table, not {kind_of(value)}", line)
        return value

    # the document -------------------------------------------------------------------
    def schema(self, document: Mapping[str, Any]) -> None:
        line = self.line_of(r"^[ \t]*schema[ \t]*=")
        schema = document.get("schema")
        if schema is None:
            raise self.fail(f'not a triage-tui plan: no schema = "{SCHEMA}" line')
        if not isinstance(schema, str):
            raise self.fail(f"schema must be a string like {SCHEMA!r}, not {kind_of(schema)}", line)
        if schema in READABLE_SCHEMAS:
            self.version = int(schema[len(SCHEMA_PREFIX) :])
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
            raise self.fail(f"items[{index + 1}] must be a table, not {kind_of(raw)}", line)
        get = raw.get
        item_id = get("id")
        if not isinstance(item_id, str) or not item_id:
            raise self.fail(f"item #{index + 1}: id must be a non-empty string", line)
        where = f"item {item_id!r}"
        # The text fields, checked in one pass (a plan reads ten of them an item); the
        # first that is not text is named by `string`, in this order.
        texts = [get(key, "") for key in _ITEM_TEXTS]
        if not all(map(isinstance, texts, _STR)):
            for key in _ITEM_TEXTS:
                self.string(raw, key, where, line)
        title, status, kind, description, category_text, rationale, decided_at = texts
        if not title.strip():
            raise self.fail(f"{where}: title is missing or empty", line)
        estimate = get("estimate")
        if estimate is not None and (
            isinstance(estimate, bool)
            or not isinstance(estimate, str | int | float)
            or (isinstance(estimate, float) and not math.isfinite(estimate))  # nan, inf
        ):
            raise self.fail(
                f"{where}: estimate must be text or a finite number, not "
                + (str(estimate) if isinstance(estimate, float) else kind_of(estimate)),
                line,
            )
        extra = get("extra")
        if extra is None:
            extra = {}
        elif extra.__class__ is not dict:
            extra = self.table(raw, "extra", where, line)  # (names it: not a table)
        # (The parsed table itself, not a copy: the document is this reader's alone.)
        est: Estimate = estimate
        context: dict[str, Any] = {}
        if "due" in raw or "comments" in raw or "attachments" in raw or "links" in raw:
            from triage_tui.formats.loaders.context import toml_context

            context = toml_context(raw, lambda message: self.fail(f"{where}: {message}", line))
        item = Item(
            id=item_id,
            title=title,
            description=description,
            labels=tuple(self.strings(raw, "labels", where, line)),
            estimate=est,
            status=status,
            type=kind,
            extra=extra,
            line=line or 0,
            **context,
            markup=self.markup,
        )
        category = _CATEGORIES.get(category_text or "undecided")  # ~10x cheaper than Category()
        if category is None:
            choices = ", ".join(c.value for c in Category)
            raise self.fail(
                f"{where}: category must be one of {choices}, not {category_text!r}", line
            )
        carried = get("carried", False)
        if carried is not True and carried is not False:
            raise self.fail(f"{where}: carried must be true or false, not {kind_of(carried)}", line)
        if self.version >= 2:
            seconds = get("seconds_spent", 0)
            if seconds.__class__ is not int:
                seconds = self.integer(raw, "seconds_spent", where, line, 0)
            if seconds < 0:
                raise self.fail(f"{where}: seconds_spent must be 0 or more, not {seconds}", line)
        else:  # plan/1 wrote tenths of a second
            seconds = round(self.number(raw, "seconds_spent", where, line))
        note = get("note")
        if note is None:  # written before the note had a field of its own: `rationale` held both
            rationale, note = split_legacy_rationale(category, rationale)
        elif note.__class__ is not str:
            note = self.string(raw, "note", where, line)
        decision = Decision(
            category=category,
            rationale=rationale,
            note=note,
            signals=self.strings(raw, "signals", where, line),
            seconds_spent=seconds,
            decided_at=decided_at,
            carried=carried,
        )
        readiness = get("readiness")
        if readiness is not None:
            readiness = self.table(raw, "readiness", where, line)
            if self.version >= 2:
                self.marks(readiness, decision, where, line)
            else:
                for mark, key in ((Mark.MET, "met"), (Mark.PARTIAL, "partial")):
                    for name in self.strings(readiness, key, f"{where} readiness", line):
                        number = self.criterion(name, f"readiness.{key}", where, line)
                        decision.marks[number] = mark
        handoff = get("handoff")
        if handoff is not None:
            handoff = self.table(raw, "handoff", where, line)
            if handoff:
                self.handoff(handoff, item, decision, where, line)
        room = get("votes")
        if room is not None:
            room = self.table(raw, "votes", where, line)
            if room:
                self.votes(room, decision, where, line)
        return item, decision, bool(handoff)

    def votes(
        self, table: Mapping[str, Any], decision: Decision, where: str, line: int | None
    ) -> None:
        """[items.votes]: counts, reasons, names and per-criterion counts, back as seats."""
        where = f"{where} votes"
        counts = {
            choice: self.integer(table, choice.value, where, line, 0)
            for choice in votes.VOTE_CHOICES
        }
        for choice, count in counts.items():
            if count < 0:
                raise self.fail(f"{where}: {choice.value} must be 0 or more, not {count}", line)
        raw_reasons = table.get("reasons", [])
        if not isinstance(raw_reasons, list):
            raise self.fail(f"{where}: reasons must be a list, not {kind_of(raw_reasons)}", line)
        reasons: list[votes.Reason] = []
        for raw in raw_reasons:
            if isinstance(raw, str):
                # Hand-written plain text: the reason of the majority's (or the first) vote.
                said_by = votes.majority(counts) or next(
                    (choice for choice, count in counts.items() if count), None
                )
                if said_by is not None and raw.strip():
                    reasons.append(votes.Reason(said_by, votes.one_line(raw, 10_000)))
                continue
            if not isinstance(raw, dict):
                raise self.fail(
                    f"{where}: each reason must be a table or text, not {kind_of(raw)}", line
                )
            said = _CATEGORIES.get(self.string(raw, "vote", f"{where} reason", line))
            if said is None or said not in votes.VOTE_CHOICES:
                raise self.fail(
                    f"{where}: a reason's vote must be hiring, project or parked, "
                    f"not {raw.get('vote')!r}",
                    line,
                )
            text = votes.one_line(self.string(raw, "text", f"{where} reason", line), 10_000)
            name = votes.one_line(self.string(raw, "name", f"{where} reason", line), 10_000)
            reasons.append(votes.Reason(said, text, name))
        against = table.get("against_majority", False)
        if not isinstance(against, bool):
            raise self.fail(
                f"{where}: against_majority must be true or false, not {kind_of(against)}", line
            )
        names_table = self.table(table, "names", where, line)
        if "names" in table:
            self.votes_named = True
        names = {
            choice: [
                votes.one_line(name, 10_000)
                for name in self.strings(names_table, choice.value, f"{where} names", line)
            ]
            for choice in votes.VOTE_CHOICES
        }
        readiness = self.table(table, "readiness", where, line)
        per_criterion: dict[int, dict[Mark, int]] = {}
        for key, marks in readiness.items():
            number = self.criterion(key, "votes.readiness", where, line)
            if not isinstance(marks, dict):
                raise self.fail(
                    f"{where}: readiness.{key} must be a table, not {kind_of(marks)}", line
                )
            per_criterion[number] = {}
            for mark in votes.MARK_CHOICES:
                count = self.integer(marks, mark.value, f"{where} readiness.{key}", line, 0)
                if count < 0:
                    raise self.fail(
                        f"{where}: readiness.{key}.{mark.value} must be 0 or more", line
                    )
                per_criterion[number][mark] = count
        votes.restore_votes(decision, counts, reasons, names, per_criterion)

    def previous(self, raw: Mapping[str, Any], where: str, line: int | None) -> dict[str, Any]:
        """[items.previous] as the carry keeps it (`core.carry.previous_entry`)."""
        table = self.table(raw, "previous", where, line)
        where = f"{where} previous"
        category = self.string(table, "category", where, line) or Category.UNDECIDED.value
        if category not in _CATEGORIES:
            choices = ", ".join(c.value for c in Category)
            raise self.fail(f"{where}: category must be one of {choices}, not {category!r}", line)
        marks: dict[str, str] = {}
        for name, value in self.table(table, "marks", where, line).items():
            number = self.criterion(name, "previous.marks", where, line)
            if not isinstance(value, str) or value not in _MARKS:
                raise self.fail(
                    f"{where}: marks.{name} must be one of missing, partial, met, not {value!r}",
                    line,
                )
            marks[str(number)] = value
        handoff: dict[str, str | list[str]] = {}
        given = self.table(table, "handoff", where, line)
        for name in HANDOFF_FIELDS:
            if name not in given:
                continue
            if isinstance(given[name], list):
                handoff[name] = list(self.strings(given, name, f"{where} handoff", line))
            else:
                handoff[name] = self.string(given, name, f"{where} handoff", line)
        entry: dict[str, Any] = {
            "category": category,
            "rationale": self.string(table, "rationale", where, line),
            "what": self.string(table, "changed", where, line),
            "lines": list(self.strings(table, "lines", where, line)),
            "marks": marks,
            "handoff": handoff,
        }
        if "note" in table:  # absent: an older plan's, split by its category (core.carry)
            entry["note"] = self.string(table, "note", where, line)
        return entry

    def criterion(self, name: str, field: str, where: str, line: int | None) -> int:
        criterion = CRITERIA_BY_KEY.get(name)
        if criterion is None:
            known = ", ".join(CRITERIA_BY_KEY)
            raise self.fail(
                f"{where}: {field} has unknown criterion {name!r} (known: {known})", line
            )
        return criterion.number

    def marks(
        self, readiness: Mapping[str, Any], decision: Decision, where: str, line: int | None
    ) -> None:
        marks = self.table(readiness, "marks", f"{where} readiness", line)
        found = decision.marks
        for name, value in marks.items():
            number = _NUMBERS.get(name)
            if number is None:
                number = self.criterion(name, "readiness.marks", where, line)
            mark = _MARKS.get(value) if value.__class__ is str else None
            if mark is not None:
                found[number] = mark
                continue
            if value != UNANSWERED:
                raise self.fail(
                    f"{where}: readiness.marks.{name} must be one of "
                    f"missing, partial, met, unanswered, not {value!r}",
                    line,
                )

    def handoff(
        self,
        handoff: Mapping[str, Any],
        item: Item,
        decision: Decision,
        where: str,
        line: int | None,
    ) -> None:
        defaults: Mapping[str, Any] = default_handoff(item)
        given: dict[str, str | list[str]] = {}
        for name in HANDOFF_FIELDS:
            if name not in handoff:
                continue
            value: str | list[str]
            if name in HANDOFF_LIST_FIELDS and isinstance(handoff[name], str):
                # plan/1 wrote a list field as one text, one entry a line
                value = [
                    _PLAN1_ENTRY.sub("", part.strip())
                    for part in handoff[name].splitlines()
                    if part.strip()
                ]
            elif name in HANDOFF_LIST_FIELDS:
                value = list(self.strings(handoff, name, f"{where} handoff", line))
            else:
                value = self.string(handoff, name, f"{where} handoff", line)
            given[name] = value
            # Only what differs from the defaults is the room's edit; an empty contract
            # (every ready item's in a plan written before the spec finder found contracts
            # outside a section of their own) is none: the spec's is the handoff's.
            if value != defaults.get(name) and is_edit(name, value):
                decision.handoff[name] = value
        if not decision.handoff:
            # Every field as the defaults say (an edit back to the default): keep them,
            # or the next save of a not-ready item would drop its handoff table.
            decision.handoff.update(given)

    def team(self, meta: Mapping[str, Any], meta_line: int | None) -> tuple[str, dict[str, str]]:
        """[meta.team] (name, repository, stack, reviewer_hours, access), or an older
        plan's `team = "name"`."""
        value = meta.get("team", "")
        if isinstance(value, str):
            return value, {}
        if not isinstance(value, dict):
            raise self.fail(
                f"[meta]: team must be a table ([meta.team]) or text, not {kind_of(value)}",
                meta_line,
            )
        line = self.line_of(r"^[ \t]*\[[ \t]*meta[ \t]*\.[ \t]*team[ \t]*\]") or meta_line
        name = self.string(value, "name", "[meta.team]", line)
        info = {key: self.string(value, key, "[meta.team]", line).strip() for key in TEAM_FIELDS}
        return name, {key: text for key, text in info.items() if text}

    def counts(
        self,
        document: Mapping[str, Any],
        meta: Mapping[str, Any],
        found: int,
        meta_line: int | None,
    ) -> None:
        """Refuse a plan holding fewer items than its own [summary] and [meta] say: it was
        cut short between two [[items]] tables (a copy, a merge, a full disk), and the
        items lost would read as left out of scope, or removed, with no word."""
        summary = self.table(document, "summary", "plan", self.key_line(None, "summary"))
        expected: list[tuple[int, str, int | None]] = []
        if "items" in summary:
            said = self.integer(summary, "items", "[summary]", self.key_line("summary", "items"), 0)
            expected.append((said, "its [summary] says", self.key_line("summary", "items")))
        left_out = meta.get("items_left_out", 0)
        # A hand-edited items_left_out is not trusted (the brief recounts it): no check.
        if "items_total" in meta and type(left_out) is int:
            total = self.integer(meta, "items_total", "[meta]", meta_line, 0)
            expected.append(
                (
                    total - left_out,
                    f"its [meta] says {total} in the backlog, {left_out} left out",
                    self.key_line("meta", "items_total"),
                )
            )
        for count, who, line in expected:
            if found < count:
                noun = "item" if found == 1 else "items"
                raise self.fail(
                    f"the plan holds {found} {noun} but {who} ({count} in the plan): "
                    "it is cut short; restore it from version control (or, if an item was "
                    "removed by hand, correct that count)",
                    line,
                )

    def session(self, document: dict[str, Any]) -> Session:
        document = _clean(document, self.text)  # the text boundary (core.sanitize)
        self.schema(document)
        meta_line = self.line_of(r"^[ \t]*\[[ \t]*meta[ \t]*\]")
        meta = self.table(document, "meta", "plan", self.key_line(None, "meta"))
        for key in ("generated_by", "backlog", "backlog_title", "backlog_sha256", "backlog_format"):
            self.string(meta, key, "[meta]", meta_line)
        self.markup = self.string(meta, "markup", "[meta]", meta_line)
        if self.markup not in ("", *MARKUPS):
            raise self.fail(
                f'[meta]: markup must be "jira" or "markdown", not {self.markup!r}', meta_line
            )
        created = meta.get("created", "")
        if isinstance(created, datetime | date):
            # Hand-edited plans may carry a bare TOML datetime; keep it as text.
            created = created.isoformat()
        if not isinstance(created, str):
            raise self.fail(f"[meta]: created must be a string, not {kind_of(created)}", meta_line)
        minutes = self.integer(meta, "minutes", "[meta]", meta_line, 60)
        if minutes <= 0:
            raise self.fail("[meta]: minutes must be more than 0", meta_line)
        items_total = self.integer(meta, "items_total", "[meta]", meta_line, 0)
        scope = self.table(meta, "scope", "[meta]", meta_line)
        updated = self.string(meta, "updated", "[meta]", meta_line)
        carried_from = self.string(meta, "carried_from", "[meta]", meta_line)
        left_out = self.strings(meta, "source_columns_left_out", "[meta]", meta_line)
        phase = self.string(meta, "phase", "[meta]", meta_line) or "start"
        if phase not in PHASES:
            raise self.fail(
                f"[meta]: phase must be one of {', '.join(PHASES)}, not {phase!r}", meta_line
            )
        if "seconds_used" in meta:
            seconds_used = self.integer(meta, "seconds_used", "[meta]", meta_line, 0)
        else:  # plan/1: the clock was the items' time, in minutes
            seconds_used = round(self.number(meta, "minutes_used", "[meta]", meta_line) * 60)
        assumptions = self.table(meta, "assumptions", "[meta]", meta_line)
        where = "[meta.assumptions]"
        search_months: float = DEFAULT_SEARCH_MONTHS
        if "search_months" in assumptions:  # months may be fractional (4.5)
            search_months = self.number(assumptions, "search_months", where, meta_line)
            if isinstance(assumptions["search_months"], int):
                search_months = int(search_months)  # a whole number stays one
        start_days = self.integer(
            assumptions, "contractor_start_days", where, meta_line, DEFAULT_CONTRACTOR_START_DAYS
        )
        team_name, team_info = self.team(meta, meta_line)
        first = self.table(
            document, "first_engagement", "plan", self.key_line(None, "first_engagement")
        )
        for key in ("id", "why", "chosen_by", "before"):
            self.string(first, key, "[first_engagement]", self.key_line("first_engagement", key))

        raw_items = document.get("items", [])
        if not isinstance(raw_items, list):
            raise self.fail(
                f"items must be an array of tables ([[items]]), not {kind_of(raw_items)}",
                self.key_line(None, "items"),
            )
        self.counts(document, meta, len(raw_items), meta_line)
        items: list[Item] = []
        decisions: dict[str, Decision] = {}
        changed: dict[str, dict[str, Any]] = {}
        for index, raw in enumerate(raw_items):
            item, decision, _ = self.item(raw, index)
            if item.id in decisions:
                raise self.fail(f"duplicate item id {item.id!r}", self.item_line(index))
            items.append(item)
            decisions[item.id] = decision
            if "previous" in raw:
                changed[item.id] = self.previous(raw, f"item {item.id!r}", self.item_line(index))
            # Its parsed table is done with: freed now, not after the last item, so the
            # heap a collector pass walks holds one form of the plan, not two.
            raw_items[index] = None
        warnings: list[str] = []
        if "meta" not in document:
            # Every plan the app writes has one: a hand-made plan opens with the defaults,
            # and says so (check, the start screen).
            warnings.append(
                f"no [meta] table: opened with the default settings ({minutes} minutes, "
                "the start phase, the clock at 0:00); a plan triage-tui writes has one"
            )

        first_id = self.string(first, "id", "[first_engagement]", None)  # checked above
        chosen_by = self.string(first, "chosen_by", "[first_engagement]", None)
        backlog = Backlog(
            items=tuple(items),
            source=self.path,
            format="plan",
            title=self.string(meta, "backlog_title", "[meta]", meta_line),
            sha256=self.string(meta, "backlog_sha256", "[meta]", meta_line),
            columns_left_out=tuple(left_out),
            warnings=tuple(warnings),
        )
        plan_meta = dict(meta)
        plan_meta["created"] = created
        plan_meta["items_total"] = max(items_total, len(items))
        return Session(
            backlog=backlog,
            decisions=decisions,
            facilitator=self.string(meta, "facilitator", "[meta]", meta_line),
            team=team_name,
            team_info=team_info,
            minutes=minutes,
            first_engagement=first_id if chosen_by == "room" and first_id in decisions else "",
            scope=scope,
            phase=phase,
            seconds_used=seconds_used,
            search_months=search_months,
            contractor_start_days=start_days,
            carry=_carry(carried_from, changed),
            votes_named=self.votes_named,
            updated=updated,
            plan_meta=plan_meta,
        )


def _carry(carried_from: str, changed: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A reopened plan's carry: where it came from, and its changed items' previous."""
    carry: dict[str, Any] = {"from": carried_from} if carried_from else {}
    if changed:
        carry["changed"] = changed
    return carry


def loads_plan(
    text: str, path: str | Path = "<plan>", *, document: dict[str, Any] | None = None
) -> Session:
    """Parse and validate plan text; see `read_plan`.

    Args:
        text: the TOML text.
        path: the file name used in error messages and as the backlog's source.
        document: `text` already parsed (the loaders parse it to tell a plan from a
            backlog): not parsed a second time, which for a 10,000-item plan is seconds.
            It is the reader's from then on: its [[items]] are consumed as they are read.

    Raises:
        InputError: not TOML, not a plan, a newer schema, or a field of the wrong type.
    """
    from triage_tui.formats.loaders.text import refuse_conflict
    from triage_tui.formats.loaders.toml_loader import nesting_error, toml_error

    source = Path(path)
    text = text.removeprefix("\ufeff")
    # Markers that parse (inside a multi-line string) would put both sides in the plan.
    refuse_conflict(text, source)
    if document is not None:
        return _Reader(source, text).session(document)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise toml_error(text, source, error, "not valid TOML") from None
    except RecursionError:  # pathologically nested arrays
        raise nesting_error(text, source, "not valid TOML") from None
    except ValueError as error:  # an integer of more than 4300 digits
        raise InputError(source, f"not valid TOML: {error}") from None
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
