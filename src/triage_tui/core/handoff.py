"""Handoff briefs for ready project items, and the recommended first engagement."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import NamedTuple

from triage_tui.core.model import Estimate, Item, Link
from triage_tui.core.readiness import (
    Assessment,
    Level,
    assess,
    blocker_sentence,
    level_for,
    score_for,
)
from triage_tui.core.session import (
    HANDOFF_FIELDS,
    HANDOFF_LIST_FIELDS,
    Category,
    Decision,
    Session,
)
from triage_tui.core.spec import Spec, find_spec

#: DOMAIN.md: written, asynchronous review.
DEFAULT_CHANNEL = "async: pull request comments + written daily update"
#: DOMAIN.md: "a daily written update at the end of the contractor's day".
DEFAULT_CADENCE = "daily written update at the end of the contractor's day: done, decided, next"
#: DOMAIN.md: "what the team must arrange before day one", always.
DEFAULT_ACCESS = (
    "repository access for the contractor's own account (clone, branch, pull requests)",
    "a working development environment: setup instructions that run, or a dev container",
    "the reviewer introduced in the channel, with the hours they review in",
)

#: DOMAIN.md, "a recommended first engagement".
FIRST_ENGAGEMENT_ADVICE = (
    "Start with a project smaller than the one you actually need: the first engagement "
    "tests whether the spec was clear enough and whether the review workflow works, "
    "at low risk."
)

# Working days per unit. "m" is minutes, as in Jira's time tracking ("1w 2d 4h 30m").
_UNIT_DAYS: dict[str, float] = {
    "m": 1 / 480,
    "min": 1 / 480,
    "mins": 1 / 480,
    "minute": 1 / 480,
    "minutes": 1 / 480,
    "h": 1 / 8,
    "hr": 1 / 8,
    "hrs": 1 / 8,
    "hour": 1 / 8,
    "hours": 1 / 8,
    "d": 1,
    "day": 1,
    "days": 1,
    "w": 5,
    "wk": 5,
    "wks": 5,
    "week": 5,
    "weeks": 5,
    "mo": 20,
    "month": 20,
    "months": 20,
    "sprint": 10,
    "sprints": 10,
}
# Effort units: a point is treated as a day so mixed backlogs still sort sensibly.
_POINT_UNITS = frozenset({"p", "pt", "pts", "point", "points", "sp", "story points"})
_TSHIRT: dict[str, float] = {"xs": 1, "s": 3, "m": 5, "l": 10, "xl": 20, "xxl": 40}
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*(story points|[a-z]+)?")


def estimate_days(estimate: Estimate) -> float | None:
    """Rough size of an estimate in working days, for ordering only.

    Understands durations ("2w", "3d", "1w 2d", "4h", "2 sprints"), points ("5 points",
    "8 sp", bare numbers), and T-shirt sizes (XS..XXL).

    Args:
        estimate: the item's estimate as the source wrote it.

    Returns:
        Working days (points count as days), or None when unknown or unreadable.
    """
    if estimate is None or isinstance(estimate, bool):
        return None
    if isinstance(estimate, int | float):
        value = float(estimate)
        return value if math.isfinite(value) and value >= 0 else None
    text = estimate.strip().casefold()
    if not text:
        return None
    if text in _TSHIRT:
        return _TSHIRT[text]
    total = 0.0
    position = 0
    found = False
    for match in _PART.finditer(text):
        # Only separators (spaces, commas, "and") may sit between the parts.
        if text[position : match.start()].strip(" ,+and") != "":
            return None
        number = float(match.group(1).replace(",", "."))
        unit = (match.group(2) or "").strip()
        if unit in _UNIT_DAYS:
            total += number * _UNIT_DAYS[unit]
        elif unit in _POINT_UNITS or unit == "":
            total += number
        else:
            return None
        position = match.end()
        found = True
    if not found or text[position:].strip():
        return None
    return total


def _is_duration(estimate: Estimate) -> bool:
    if not isinstance(estimate, str):
        return False
    units = re.findall(r"[a-z]+", estimate.casefold())
    return bool(units) and all(unit in _UNIT_DAYS for unit in units)


def _is_points(estimate: Estimate) -> bool:
    """Story points or a T-shirt size: a number, "5 points", "8 sp", "XL"."""
    if isinstance(estimate, bool) or estimate is None:
        return False
    if isinstance(estimate, int | float):
        return True
    text = estimate.strip().casefold()
    if text in _TSHIRT:
        return True
    return estimate_days(estimate) is not None and not _is_duration(estimate)


def _human_days(days: float) -> str:
    if days < 1:
        hours = max(1, round(days * 8))
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if days < 5:
        count = round(days, 1)
        shown = f"{count:g}"
        return f"{shown} working day{'s' if count != 1 else ''}"
    weeks = round(days / 5, 1)
    return f"{weeks:g} week{'s' if weeks != 1 else ''}"


def timeline_for(estimate: Estimate) -> str:
    """A handoff timeline sentence from the item's estimate."""
    agree = "agree the delivery date in writing before work starts"
    if estimate is None or (isinstance(estimate, str) and not estimate.strip()):
        return f"no estimate yet: {agree}"
    days = estimate_days(estimate)
    if days is not None and _is_duration(estimate):
        return f"about {_human_days(days)} (estimate {estimate}); {agree}"
    if isinstance(estimate, int | float) and not isinstance(estimate, bool):
        return f"{estimate:g} points (estimate); {agree}"
    return f"estimate {estimate}; {agree}"


def review_points(estimate: Estimate) -> str:
    """When review happens: a first reviewable increment early, the middle, the end.

    Args:
        estimate: the item's estimate (sizes the midpoint and the end).

    Returns:
        One sentence of review points in working days from the start.
    """
    # Points and T-shirt sizes are effort, not days: only a duration places review days
    # (13 points never means "final review on day 13").
    days = estimate_days(estimate) if _is_duration(estimate) else None
    if days is None and _is_points(estimate):
        return (
            "review points: a first pull request within 2 working days, a midpoint review "
            "halfway to the agreed date, a final review before it (points are effort, not "
            "days)"
        )
    if days is None or days < 2:
        return (
            "review points: a first pull request within 2 working days, then a review "
            "of each pull request within one working day"
        )
    end = max(2, math.ceil(days))
    middle = max(2, math.ceil(end / 2))
    first = min(2, middle)
    points = [f"first pull request by day {first}"]
    if middle not in (first, end):
        points.append(f"midpoint review on day {middle}")
    points.append(f"final review on day {end}")
    return "review points: " + ", ".join(points)


# Imperative verb -> the participle an outcome reads with ("Build X" -> "X, built").
_PARTICIPLES: dict[str, str] = {
    "accept": "accepted",
    "allow": "allowed",
    "archive": "archived",
    "audit": "audited",
    "backfill": "backfilled",
    "cache": "cached",
    "clean": "cleaned",
    "configure": "configured",
    "convert": "converted",
    "delete": "deleted",
    "deploy": "deployed",
    "document": "documented",
    "drop": "dropped",
    "emit": "emitted",
    "encrypt": "encrypted",
    "enforce": "enforced",
    "export": "exported",
    "generate": "generated",
    "handle": "handled",
    "harden": "hardened",
    "import": "imported",
    "improve": "improved",
    "index": "indexed",
    "limit": "limited",
    "log": "logged",
    "notify": "notified",
    "optimise": "optimised",
    "optimize": "optimized",
    "parse": "parsed",
    "persist": "persisted",
    "provision": "provisioned",
    "publish": "published",
    "rebuild": "rebuilt",
    "reduce": "reduced",
    "rename": "renamed",
    "schedule": "scheduled",
    "secure": "secured",
    "send": "sent",
    "sign": "signed",
    "store": "stored",
    "stream": "streamed",
    "switch": "switched",
    "track": "tracked",
    "update": "updated",
    "upload": "uploaded",
    "validate": "validated",
    "verify": "verified",
    "wire": "wired",
    "add": "added",
    "automate": "automated",
    "build": "built",
    "create": "created",
    "deprecate": "deprecated",
    "design": "designed",
    "enable": "enabled",
    "expose": "exposed",
    "extract": "extracted",
    "fix": "fixed",
    "implement": "implemented",
    "integrate": "integrated",
    "introduce": "introduced",
    "make": "made",
    "migrate": "migrated",
    "move": "moved",
    "port": "ported",
    "refactor": "refactored",
    "remove": "removed",
    "render": "rendered",
    "replace": "replaced",
    "retire": "retired",
    "retry": "retried",
    "rewrite": "rewritten",
    "set": "set",
    "ship": "shipped",
    "split": "split",
    "support": "supported",
    "sync": "synced",
    "upgrade": "upgraded",
    "write": "written",
}
# Nouns that name a thing one builds: "a working Stripe webhook ingestion service".
_SYSTEMS = re.compile(
    r"(?:service|endpoint|api|integration|sync|export|import|pipeline|job|worker|queue|"
    r"component|client|library|tool|dashboard|receiver|consumer|producer|log|flow|panel|"
    r"engine|gateway|proxy|cache|index|migration|upgrade|module|webhook|webhooks)$",
    re.IGNORECASE,
)
_ARTICLES = ("a ", "an ", "the ", "our ", "all ", "every ")


def deliverable_for(title: str, spec: Spec | None = None) -> str:
    """The deliverable as an outcome, drafted from the item's title.

    "Implement idempotency keys on POST /v1/payments" becomes "Idempotency keys on POST
    /v1/payments, implemented and working: ships when ..."; a noun title ("Invoice CSV
    export endpoint") becomes "A working invoice CSV export endpoint: ships when ...".

    Args:
        title: the item's title (imperative or a noun phrase).
        spec: the spec's own sections (the "ships when" names what it has).

    Returns:
        One sentence.
    """
    outcome = deliverable_outcome(title)
    what = _what_it_does(spec.context) if spec else ""
    if what:
        outcome = f"{outcome}: {what}"
    has_ac = bool(spec and spec.acceptance)
    has_done = bool(spec and spec.done)
    if has_ac and has_done:
        ships = "every acceptance criterion below passes and the definition of done is met"
    elif has_ac:
        ships = "every acceptance criterion below passes"
    elif has_done:
        ships = "the definition of done below is met"
    else:
        ships = "the acceptance criteria agreed before work starts pass"
    return f"{outcome}{';' if what else ':'} ships when {ships}."


def deliverable_outcome(title: str) -> str:
    """The part of `deliverable_for` drafted from the title alone ("A working invoice CSV
    export endpoint"): an export renders it as one line of text (it is the title's)."""
    text = " ".join(title.split()).rstrip(".")
    words = text.split(" ")
    verb = words[0].casefold() if words else ""
    if verb in _PARTICIPLES and len(words) > 1:
        thing = " ".join(words[1:])
        if verb == "set" and thing.casefold().startswith("up "):
            thing, participle = thing[3:], "set up"
        else:
            participle = _PARTICIPLES[verb]
        outcome = f"{thing[:1].upper()}{thing[1:]}, {participle} and working"
    else:
        thing = text
        last = thing.split(" ")[-1] if thing else ""
        if _SYSTEMS.match(last) and not thing.casefold().startswith(_ARTICLES):
            outcome = f"A working {thing}"
        else:
            outcome = f"{thing[:1].upper()}{thing[1:]}, delivered and working"
    return outcome


# "Build a small service that receives Stripe webhooks, ..." in the context: what it does.
_WHAT = re.compile(
    r"(?:^|(?<=[.!?]\s))(?:Build|Create|Write|Add|Implement|Make)\s+"
    r"(?P<what>(?:an?|the)\s+(?:[^.!?\n]|[.!?](?=\S)){3,80}?\s(?:that|which|to)\s"
    r"(?:[^.!?\n]|[.!?](?=\S)){5,200}?)[.!?](?:\s|$)"
)


def _what_it_does(context: str) -> str:
    """The context's own sentence of what to build ("a small service that receives ..."),
    or "" when it has none."""
    match = _WHAT.search(" ".join(context.split()))
    return match.group("what").strip() if match else ""


# Systems a description names -> what the contractor needs access to before day one.
_ACCESS_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bstaging\b", re.I), "a staging environment to deploy to, with credentials"),
    (re.compile(r"\bstripe\b", re.I), "Stripe test-mode keys and the Stripe CLI for replays"),
    (re.compile(r"\bdatadog\b", re.I), "Datadog read access (dashboards, logs) for the service"),
    (re.compile(r"\b(?:RDS|AWS|S3|EC2)\b"), "an AWS role scoped to the resources it touches"),
    (re.compile(r"\bbigquery\b", re.I), "a BigQuery dataset to write test exports into"),
    (re.compile(r"\bsalesforce\b", re.I), "a Salesforce sandbox org"),
    (re.compile(r"\b(?:okta|azure ad|saml|idp)\b", re.I), "a test IdP tenant (Okta or Azure AD)"),
    (
        re.compile(r"\b(?:postgres|database|db)\b", re.I),
        "a database copy with realistic, anonymised data",
    ),
)


#: Systems `core.tracker.systems_named` finds that a hint above already covers.
_HINTED_SYSTEMS = frozenset(
    {"Stripe", "Datadog", "AWS", "Google Cloud", "Salesforce", "Postgres"}
    | {"the identity provider (Okta / Auth0)"}
)


def _access(item: Item) -> list[str]:
    from triage_tui.core.tracker import systems_named

    extra = [need for pattern, need in _ACCESS_HINTS if pattern.search(item.description)]
    # Every other system the spec names: access to it, asked for before day one.
    extra += [
        f"access to {name}, scoped to what the spec needs"
        for name in systems_named(item.description)
        if name not in _HINTED_SYSTEMS
    ]
    first = DEFAULT_ACCESS[0]
    repository = tracker_repository(item)
    if repository:
        first = f"access to the {repository} repository for {first.split(' for ', 1)[1]}"
    return [first, DEFAULT_ACCESS[1], *extra, DEFAULT_ACCESS[2]]


_GITHUB_REPO = re.compile(r"https?://github\.com/([\w.-]+/[\w.-]+)/(?:issues|pull)/\d+")


def _extra_text(item: Item, *names: str) -> str:
    """The first of the tracker columns `names` (case-blind, in that order) that holds
    text, stripped, or "". One pass over the columns (every project item of a plan asks
    for its reviewer's)."""
    found, rank = "", len(names)
    for key, value in item.extra.items():
        folded = key.casefold()
        if folded in names and isinstance(value, str) and value.strip():
            at = names.index(folded)
            if at < rank:
                found, rank = value.strip(), at
                if not at:
                    break
    return found


def tracker_repository(item: Item) -> str:
    """The repository the tracker names for an item ("acme-ledger/api"), or ""."""
    named = _extra_text(item, "repository", "repo")
    if named:
        return named
    match = _GITHUB_REPO.search(_extra_text(item, "url", "issue url"))
    return match.group(1) if match else ""


def tracker_reviewer(item: Item) -> str:
    """The first reviewer the tracker names for an item (GitHub Projects' "Reviewers"
    column: a GitHub login, so "@priyar"), or ""."""
    named = _extra_text(item, "reviewers", "reviewer")
    if not named:
        return ""
    first = re.split(r"[,;]\s*", named)[0].strip()
    if not first:
        return ""
    github = bool(tracker_repository(item)) or "github" in _extra_text(item, "url")
    if github and re.fullmatch(r"[\w-]+", first):
        return "@" + first
    return first


def _lines(parts: Sequence[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return "\n".join(f"- {part}" for part in parts)


def _timeline(item: Item) -> str:
    timeline = f"{timeline_for(item.estimate)}; {review_points(item.estimate)}"
    if item.due:
        timeline = f"due {item.due} in the tracker; {timeline}"
    return timeline


def default_handoff(item: Item) -> dict[str, str | list[str]]:
    """The handoff's fields before the room edits them (HANDOFF_FIELDS order).

    Every part the description already writes down is carried as written (see
    `triage_tui.core.spec.find_spec`): nothing is retyped, and a part it does not
    have is left empty ("" or []) for the room to write; no placeholder text.

    Args:
        item: the project item (the defaults come from it alone; `handoff_fields` lays
            the room's edits over them).

    Returns:
        Field -> text, or a list of strings for HANDOFF_LIST_FIELDS.
    """
    spec = find_spec(item.description, item.markup)
    context = spec.context
    if spec.scope:
        context = f"{context}\n\nScope:\n{spec.scope}".strip()
    return {
        "deliverable": deliverable_for(item.title, spec),
        "context": context,
        "contract": spec.contract,
        "acceptance_criteria": list(spec.acceptance),
        "definition_of_done": _lines(spec.done) if spec.done else "",
        "out_of_scope": _lines(spec.out_of_scope) if spec.out_of_scope else "",
        "timeline": _timeline(item),
        "reviewer": spec.reviewer or tracker_reviewer(item),
        "channel": DEFAULT_CHANNEL,
        "cadence": DEFAULT_CADENCE,
        "access": _access(item),
    }


#: Handoff fields whose empty value is no edit: the contract a plan wrote empty before the
#: spec finder found contracts outside a section of their own (before session 8's plans
#: this was every ready item's `contract = ""`) is the spec's, as for a fresh item. The
#: room writes a contract, it does not blank the one the spec states.
EMPTY_IS_NO_EDIT = frozenset({"contract"})


def is_edit(name: str, value: str | list[str]) -> bool:
    """Whether a stored handoff field `name` holding `value` is the room's edit (it is,
    unless it is an empty EMPTY_IS_NO_EDIT field)."""
    return name not in EMPTY_IS_NO_EDIT or _has(value)


def handoff_fields(item: Item, decision: Decision) -> dict[str, str | list[str]]:
    """The handoff: defaults overlaid with the room's edits, in HANDOFF_FIELDS order (an
    empty contract is no edit: `EMPTY_IS_NO_EDIT`)."""
    fields = default_handoff(item)
    for name in HANDOFF_FIELDS:
        edited = decision.handoff.get(name)
        if edited is None or not is_edit(name, edited):
            continue
        if name in HANDOFF_LIST_FIELDS:
            fields[name] = [edited] if isinstance(edited, str) else list(edited)
        else:
            fields[name] = "\n".join(edited) if isinstance(edited, list) else edited
    return fields


def field_text(value: str | list[str]) -> str:
    """A field as one text (a list one entry a line), for screens and comparisons."""
    return "\n".join(value) if isinstance(value, list) else value


#: A list marker pasted before an entry ("- [ ] ", "1. ", "• "); it needs the space after
#: it: "2.5 s p95", "-v flag", "*.csv" are text.
_LIST_MARKER = re.compile(r"^\s*(?:(?:[-*+•]|\d+[.)])\s+)?(?:\[[ xX]\]\s+)?")


def list_entries(text: str) -> list[str]:
    """A list field typed as text: one entry a line, a pasted list marker not part of it,
    blank lines none."""
    entries = (_LIST_MARKER.sub("", line).strip() for line in text.splitlines())
    return [entry for entry in entries if entry]


def _has(value: str | list[str]) -> bool:
    if isinstance(value, list):
        return any(part.strip() for part in value)
    return bool(value.strip())


#: What a handoff without a reviewer lacks (`Workshop.reviewer_missing` asks for it).
REVIEWER_NEED = "name a reviewer"
#: What a handoff needs before "ready" means it (DOMAIN.md), the one list of it: the
#: field, what to do while it is empty (a blocker), and what the editor asks for.
_NEEDS = (
    ("acceptance_criteria", "write the acceptance criteria", "one checkable criterion a line"),
    ("definition_of_done", "write the definition of done", "what done means to everyone"),
    ("reviewer", REVIEWER_NEED, "name the person who reviews (e.g. @priya)"),
)
#: Field -> what to do while it is empty ("name a reviewer"), in the order they are asked.
READY_NEEDS: tuple[tuple[str, str], ...] = tuple((name, todo) for name, todo, _ in _NEEDS)
#: Field -> what the Plan screen and the handoff editor ask for while it is empty.
ASKS: dict[str, str] = {name: f"needed: {ask}" for name, _, ask in _NEEDS}
#: A readiness level as one symbol (beside its words, never alone).
LEVEL_SYMBOLS = {Level.READY: "✓", Level.NEEDS_WORK: "◐", Level.NOT_READY: "✗"}


def handoff_status(assessment: Assessment) -> str:
    """A project item's handoff status in a few words: "✓ ready", "◐ needs work", or
    what the handoff still lacks ("ready once: name a reviewer")."""
    if assessment.blockers:
        return "ready once: " + ", ".join(assessment.blockers)
    return f"{LEVEL_SYMBOLS[assessment.level]} {assessment.level.label}"


def handoff_blockers(fields: Mapping[str, str | list[str]]) -> tuple[str, ...]:
    """What the handoff still lacks to be handed off ("name a reviewer"), in READY_NEEDS order."""
    lacks = [need for name, need in READY_NEEDS if not _has(fields.get(name, ""))]
    return tuple(lacks) if lacks else ()


def _ready_fields(item: Item, decision: Decision) -> dict[str, str | list[str]]:
    """The READY_NEEDS fields of `handoff_fields(item, decision)`, and only those.

    `assess_item` runs for every project item of every export; the whole handoff costs
    a dozen regex scans of the description (the access hints) that a readiness check
    never reads. Same values as `handoff_fields` for these fields (a test compares).
    """
    edits = decision.handoff
    fields: dict[str, str | list[str]] = {}
    spec = None
    for name, _ in READY_NEEDS:
        edited = edits.get(name)
        if edited is not None:
            if name in HANDOFF_LIST_FIELDS:
                fields[name] = [edited] if isinstance(edited, str) else list(edited)
            else:
                fields[name] = "\n".join(edited) if isinstance(edited, list) else edited
            continue
        if spec is None:
            spec = find_spec(item.description, item.markup)  # as default_handoff reads it
        if name == "acceptance_criteria":
            fields[name] = list(spec.acceptance)
        elif name == "definition_of_done":
            fields[name] = _lines(spec.done) if spec.done else ""
        else:  # reviewer
            fields[name] = spec.reviewer or tracker_reviewer(item)
    return fields


def handoff_reviewer(item: Item, decision: Decision) -> str | list[str]:
    """`handoff_fields(item, decision)["reviewer"]` alone (the CSV summary's column for
    every project item): without the rest of the handoff's regex scans, ~0.2 ms an item."""
    return _ready_fields(item, decision)["reviewer"]


def assess_item(item: Item, decision: Decision) -> Assessment:
    """`assess` with DOMAIN.md's contradiction ruled out: a "ready" item whose handoff has
    no acceptance criteria, no definition of done or no named reviewer is not ready yet
    (needs work, with what to write in `Assessment.blockers`).
    """
    assessment = assess(item, decision.marks)
    if assessment.level is not Level.READY:
        return assessment
    blockers = handoff_blockers(_ready_fields(item, decision))
    if not blockers:
        return assessment
    # What `assess(item, decision.marks, blockers=blockers)` gives, without scoring the
    # marks again (every export assesses every project item: tests compare the two).
    return replace(
        assessment,
        level=Level.NEEDS_WORK,
        gaps=(*assessment.gaps, *(blocker_sentence(need, item.title) for need in blockers)),
        blockers=blockers,
    )


def assess_level(item: Item, decision: Decision) -> Assessment:
    """`assess_item`'s score, level and blockers, without its gap sentences.

    For a caller that reads only those (the plan writer: [items.readiness] and the first
    engagement): the gap sentences are most of `assess_item`'s cost, one formatted
    sentence per criterion not met, and the plan never writes them. The result's `gaps`
    and its met / partial / missing are empty: never show it or hand it on as an item's
    assessment (tests compare score, level and blockers with `assess_item`'s).
    """
    marks = decision.marks
    score = score_for(marks)
    level = level_for(score, marks)
    blockers: tuple[str, ...] = ()
    if level is Level.READY:
        blockers = handoff_blockers(_ready_fields(item, decision))
        if blockers:
            level = Level.NEEDS_WORK
    key = (score, level, blockers)
    found = _LEAN.get(key)
    if found is None:  # (frozen: one per score, level and blockers, at most ~2,400)
        found = _LEAN[key] = Assessment(score, level, (), (), (), (), blockers=blockers)
    return found


_LEAN: dict[tuple[int, Level, tuple[str, ...]], Assessment] = {}


def _quoted(title: str) -> str:
    return "“" + " ".join(title.split()) + "”"


def size_words(estimate: Estimate) -> str:
    """An estimate in words for a sentence: "3 points", "2w", "no estimate"."""
    if estimate is None or (isinstance(estimate, str) and not estimate.strip()):
        return "no estimate"
    if isinstance(estimate, int | float) and not isinstance(estimate, bool):
        return f"{estimate:g} point{'s' if estimate != 1 else ''}"
    text = str(estimate).strip()
    return f"{text} points" if re.fullmatch(r"\d+(?:\.\d+)?", text) else text


class FirstEngagement(NamedTuple):
    """The recommended first engagement.

    Attributes:
        id: the item to hand off first.
        why: the sentence the plan and the screen show.
        before: the larger project item it tests the ground for ("" when none is larger).
    """

    id: str
    why: str
    before: str = ""


def _related(chosen: Item, item: Item) -> bool:
    """Whether `item` is work of the same kind as `chosen`: a label in common, or the same
    id prefix ("PAY-114", "PAY-120"). An item with no labels is related to any."""
    if not chosen.labels:
        return True
    labels = {label.casefold() for label in chosen.labels}
    if labels & {label.casefold() for label in item.labels}:
        return True
    prefix = chosen.id.rpartition("-")[0]
    return bool(prefix) and item.id.rpartition("-")[0] == prefix


def _larger_need(session: Session, pool: Sequence[Item], chosen: Item) -> tuple[Item | None, bool]:
    """(the largest related project item larger than `chosen` (see `_related`), whether
    `chosen` is the largest project item of all)."""
    chosen_days = estimate_days(chosen.estimate)
    if chosen_days is None:
        return None, False
    largest: tuple[float, int, Item] | None = None
    smaller = larger = False
    project = Category.PROJECT
    decision = session.decision
    for index, item in enumerate(pool):
        if item.id == chosen.id or decision(item.id).category is not project:
            continue
        days = estimate_days(item.estimate)
        if days is None:
            continue
        if days < chosen_days:
            smaller = True
        elif days > chosen_days:
            larger = True
            # "Start with X before Y" names the need X prepares for, not any larger
            # item: the largest related one, the first of equals (backlog order), so
            # an item that would not win is not asked whether it is related.
            if (largest is None or days > largest[0]) and _related(chosen, item):
                largest = (days, index, item)
    if largest is not None:
        return largest[2], False
    # The largest (others are smaller, none larger): a first engagement should not be.
    return None, smaller and not larger


def _before_sentence(
    chosen: Item, larger: Item | None, is_largest: bool, session: Session | None = None
) -> str:
    if larger is not None:
        state = ""
        if session is not None:
            assessment = assess_item(larger, session.decision(larger.id))
            if assessment.level is not Level.READY:
                state = f"; its spec: {assessment.level.label}"
        return (
            f"Start with {chosen.id} ({size_words(chosen.estimate)}) before {larger.id} "
            f"({size_words(larger.estimate)}, {_quoted(larger.title)}{state}): it is smaller on "
            "purpose, so the first engagement tests whether the spec was clear enough and "
            "whether the review workflow works, at low risk."
        )
    if is_largest:
        return (
            f"Warning: {chosen.id} ({size_words(chosen.estimate)}) is the largest project "
            "item. A first engagement should be smaller than the one you actually need, so "
            "it tests the spec and the review workflow at low risk: pick a smaller ready one."
        )
    return FIRST_ENGAGEMENT_ADVICE


def recommend_first_engagement(
    session: Session,
    items: Sequence[Item] | None = None,
    *,
    assessments: Mapping[str, Assessment] | None = None,
) -> FirstEngagement | None:
    """The first project to hand off, why, and the larger need it prepares for.

    The room's choice (`session.first_engagement`) wins when it names an item in
    `items`. Otherwise: the smallest ready project item by estimate (unknown estimates
    last), ties broken by the higher readiness score, then backlog order. The reason
    depends only on the item and the backlog, so cycling back to an item gives the same
    words; it warns when the room picks the largest project item.

    Args:
        session: the workshop's decisions.
        items: the items to choose from (default every backlog item), in backlog order.
        assessments: item id -> `assess_item(item, decision)` already computed by the
            caller (the plan writer assesses every project item once); missing ids are
            assessed.

    Returns:
        The engagement (id, why, before), or None when no project item is ready.
    """
    pool = list(session.backlog.items if items is None else items)
    known = assessments or {}
    chosen = session.first_engagement
    if chosen:
        for item in pool:
            if item.id == chosen:
                decision = session.decision(item.id)
                assessment = known.get(item.id) or assess_item(item, decision)
                note = ""
                if decision.category is not Category.PROJECT:
                    note = f" It is categorized {decision.category.value}, not project: check that."
                elif assessment.level is not Level.READY:
                    note = (
                        f" Its spec is {assessment.level.label} ({assessment.score}/100): "
                        "close its gaps before handing it off."
                    )
                larger, is_largest = _larger_need(session, pool, item)
                why = f"Chosen by the room: {_quoted(item.title)}.{note} " + _before_sentence(
                    item, larger, is_largest, session
                )
                return FirstEngagement(item.id, why, larger.id if larger else "")
    ranked: list[tuple[tuple[int, int, float, int, int], Item, int]] = []

    def assess_other(other: Item) -> Assessment:
        return known.get(other.id) or assess_item(other, session.decision(other.id))

    for index, item in enumerate(pool):
        decision = session.decision(item.id)
        if decision.category is not Category.PROJECT:
            continue
        assessment = known.get(item.id) or assess_item(item, decision)
        if assessment.level is not Level.READY:
            continue
        days = estimate_days(item.estimate)
        # One that waits on parked, hiring or not-ready work (core.tracker) comes last:
        # a first engagement should not start blocked.
        waits = 0
        if item.links:
            from triage_tui.core.tracker import dependency_warning

            waits = 1 if dependency_warning(session, item, assess=assess_other) else 0
        key = (waits, 0 if days is not None else 1, days or 0.0, -assessment.score, index)
        ranked.append((key, item, assessment.score))
    if not ranked:
        return None
    ranked.sort(key=lambda entry: entry[0])
    _, item, score = ranked[0]
    others = len(ranked) - 1
    if item.estimate is None:
        size = f"no estimate, readiness {score}/100"
    else:
        size = f"estimate {size_words(item.estimate)}, readiness {score}/100"
    among = f" of {len(ranked)}" if others else ""
    if not others:
        lead = "the only ready project"
    elif estimate_days(item.estimate) is None:
        # Unknown sizes sort last: the winner has one only when nobody has a usable one.
        lead = "the highest-scored ready project (no estimates to compare)"
        among = ""
    else:
        lead = "the smallest ready project"
    larger, is_largest = _larger_need(session, pool, item)
    why = f"{_quoted(item.title)} is {lead}{among} ({size}). " + _before_sentence(
        item, larger, is_largest, session
    )
    return FirstEngagement(item.id, why, larger.id if larger else "")


# -- a parent's sub-items ---------------------------------------------------------------
#: The backlog the children index was made for (kept, so its identity stays valid), and
#: the index: parent id -> the ids of the items whose links name it as their parent.
_CHILDREN: tuple[Sequence[Item], dict[str, tuple[str, ...]]] | None = None


def sub_items(items: Sequence[Item], parent_id: str) -> tuple[str, ...]:
    """The ids of the items whose links name `parent_id` as their parent, in backlog
    order. The index of the whole backlog is made once (a handoff of every item asks
    for each), and again when another backlog is asked about."""
    global _CHILDREN
    if _CHILDREN is None or _CHILDREN[0] is not items:
        index: dict[str, list[str]] = {}
        for item in items:
            for link in item.links:
                if link.kind == "parent" and link.id != item.id:
                    kids = index.setdefault(link.id, [])
                    if item.id not in kids:
                        kids.append(item.id)
        _CHILDREN = (items, {parent: tuple(kids) for parent, kids in index.items()})
    return _CHILDREN[1].get(parent_id, ())


def with_sub_items(items: Sequence[Item], item: Item) -> Item:
    """`item` with a "child" link to each item that names it as its parent and that its
    own links do not name yet (a tracker often records the link on the child's side
    only), so its handoff lists its sub-items as a child's lists its parent."""
    known = {link.id for link in item.links if link.kind == "child"}
    added = tuple(Link("child", kid) for kid in sub_items(items, item.id) if kid not in known)
    return replace(item, links=(*item.links, *added)) if added else item
