"""Handoff briefs for ready project items, and the recommended first engagement."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

from triage_tui.core.model import Estimate, Item
from triage_tui.core.readiness import Assessment, Level, assess
from triage_tui.core.session import HANDOFF_FIELDS, Category, Decision, Session

#: DOMAIN.md: written, asynchronous review.
DEFAULT_CHANNEL = "async: pull request comments + written daily update"
#: DOMAIN.md: "a daily written update at the end of the contractor's day".
DEFAULT_CADENCE = "daily written update at the end of the contractor's day: done, decided, next"
DEFAULT_REVIEWER = "to name"
ACCEPTANCE_TO_WRITE = "to write before handoff (see the readiness gaps)"

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


_HEADING = re.compile(r"^[ \t]*(?:#{1,6}[ \t]|h[1-6]\.[ \t]|\*\*[^*\n]+\*\*[ \t]*:?[ \t]*$)")
_AC_HEADING = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*|h[1-6]\.[ \t]*|\*\*|__)?(?:acceptance criteria|acceptance tests?)"
    r"(?:\*\*|__)?[ \t]*:?[ \t]*(?:\*\*|__)?[ \t]*(?P<rest>.*)$",
    re.IGNORECASE | re.MULTILINE,
)
# A "Definition of done:" / "Scope:" style label line ends the acceptance section too.
_LABEL = re.compile(r"^[ \t]*(?:\*\*|__|\*)?[A-Z][\w /'-]{1,40}:(?:\*\*|__|\*)?(?:[ \t]|$)")
_GWT = re.compile(r"^[ \t]*(?:[-*][ \t]*)?(?:\*\*)?(?:given|when|then|and)\b.*$", re.I | re.M)
_CHECK = re.compile(r"^[ \t]*[-*][ \t]*\[[ xX]\][ \t]+\S.*$", re.MULTILINE)
_REVIEWER = re.compile(
    r"\breview(?:er|ers|ed by)[ \t]*[:=\-–][ \t]*(?P<who>@?[\w.\-]+(?:[ \t]+[A-Z][\w\-]+)?)",
    re.IGNORECASE,
)
_LIMIT = 2000


def acceptance_section(description: str) -> str:
    """The acceptance criteria written in a description, or "" when there are none.

    Takes the section under an "Acceptance criteria" heading (up to the next heading),
    else the Given/When/Then lines, else the checklist lines.
    """
    # Cheap substring tests rule most patterns out before a regex scans every line
    # (the plan writer runs this for every ready item). Each test is a necessary
    # condition: the patterns' keywords are ASCII letters that IGNORECASE matches only
    # in upper or lower case, so a match always shows up in `lowered`.
    lowered = description.lower()
    match = _AC_HEADING.search(description) if "acceptance" in lowered else None
    if match is not None:
        lines = [match.group("rest").strip()] if match.group("rest").strip() else []
        for line in description[match.end() :].splitlines()[1:]:
            if _HEADING.match(line) or _LABEL.match(line):
                break
            lines.append(line.rstrip())
        text = "\n".join(lines).strip()
        if text:
            return text[:_LIMIT]
    for pattern in (_GWT, _CHECK):
        if pattern is _GWT and "then" not in lowered:
            continue  # only lines with a "then" make the given/when/then form
        if pattern is _CHECK and "[ ]" not in description and "[x]" not in lowered:
            continue
        found = [m.group(0).strip() for m in pattern.finditer(description)]
        if pattern is _GWT and not any(
            line.casefold().lstrip("-* ").startswith("then") for line in found
        ):
            continue
        if found:
            return "\n".join(found)[:_LIMIT]
    return ""


# Sections whose prose describes the deliverable (vs. "Definition of done", "API"...).
_ABOUT = re.compile(
    r"(?:context|background|summary|overview|goal|goals|description|problem|what|why)\b", re.I
)


def _first_sentence(description: str) -> str:
    # The first prose paragraph before any heading (or under a context-like heading);
    # wrapped lines are joined before taking its first sentence.
    in_code = False
    section_ok = True
    paragraph: list[str] = []
    for raw in description.splitlines():
        line = raw.strip()
        if line.startswith("```"):
            in_code = not in_code
            if paragraph:
                break
            continue
        if not in_code and _HEADING.match(raw):
            if paragraph:
                break
            name = re.sub(r"^[#\s]*(?:h[1-6]\.)?[\s*]*", "", line)
            section_ok = bool(_ABOUT.match(name))
            continue
        prose = section_ok and not in_code and line and line[0] not in "-*>|{[#`"
        if prose:
            paragraph.append(line)
        elif paragraph:
            break
    if not paragraph:
        return ""
    sentence = re.split(r"(?<=[.!?])\s", " ".join(paragraph), maxsplit=1)[0]
    return sentence if len(sentence) <= 200 else sentence[:199].rstrip() + "…"


def default_handoff(item: Item, decision: Decision | None = None) -> dict[str, str]:
    """The handoff brief fields before the room edits them (HANDOFF_FIELDS order).

    Args:
        item: the project item.
        decision: the room's decision (unused today; kept so defaults may use it).

    Returns:
        deliverable, acceptance_criteria, timeline, reviewer, channel, cadence.
    """
    del decision  # the defaults come from the item alone for now
    title = " ".join(item.title.split())
    sentence = _first_sentence(item.description)
    deliverable = title if not sentence else f"{title}: {sentence}"
    # "rev" is a necessary condition (see acceptance_section) and rare in descriptions.
    reviewer_match = (
        _REVIEWER.search(item.description) if "rev" in item.description.lower() else None
    )
    return {
        "deliverable": deliverable,
        "acceptance_criteria": acceptance_section(item.description) or ACCEPTANCE_TO_WRITE,
        "timeline": timeline_for(item.estimate),
        "reviewer": reviewer_match.group("who").strip() if reviewer_match else DEFAULT_REVIEWER,
        "channel": DEFAULT_CHANNEL,
        "cadence": DEFAULT_CADENCE,
    }


def handoff_fields(item: Item, decision: Decision) -> dict[str, str]:
    """The handoff brief: defaults overlaid with the room's edits, in HANDOFF_FIELDS order."""
    fields = default_handoff(item, decision)
    for name in HANDOFF_FIELDS:
        edited = decision.handoff.get(name)
        if edited is not None:
            fields[name] = edited
    return fields


def _quoted(title: str) -> str:
    return "“" + " ".join(title.split()) + "”"


def recommend_first_engagement(
    session: Session,
    items: Sequence[Item] | None = None,
    *,
    assessments: Mapping[str, Assessment] | None = None,
) -> tuple[str, str] | None:
    """The first project to hand off, and why.

    The room's choice (`session.first_engagement`) wins when it names an item in
    `items`. Otherwise: the smallest ready project item by estimate (unknown estimates
    last), ties broken by the higher readiness score, then backlog order.

    Args:
        session: the workshop's decisions.
        items: the items to choose from (default every backlog item), in backlog order.
        assessments: item id -> `assess(item, marks)` already computed by the caller
            (the plan writer assesses every project item once); missing ids are assessed.

    Returns:
        (item id, why sentence), or None when no project item is ready.
    """
    pool = list(session.backlog.items if items is None else items)
    chosen = session.first_engagement
    if chosen:
        for item in pool:
            if item.id == chosen:
                decision = session.decision(item.id)
                assessment = assess(item, decision.marks)
                note = ""
                if decision.category is not Category.PROJECT:
                    note = f" It is categorized {decision.category.value}, not project: check that."
                elif assessment.level is not Level.READY:
                    note = (
                        f" Its spec is {assessment.level.label} ({assessment.score}/100): "
                        "close its gaps before handing it off."
                    )
                return item.id, f"Chosen by the room: {_quoted(item.title)}.{note} " + (
                    FIRST_ENGAGEMENT_ADVICE
                )
    known = assessments or {}
    ranked: list[tuple[tuple[int, float, int, int], Item, int]] = []
    for index, item in enumerate(pool):
        decision = session.decision(item.id)
        if decision.category is not Category.PROJECT:
            continue
        assessment = known.get(item.id) or assess(item, decision.marks)
        if assessment.level is not Level.READY:
            continue
        days = estimate_days(item.estimate)
        key = (0 if days is not None else 1, days or 0.0, -assessment.score, index)
        ranked.append((key, item, assessment.score))
    if not ranked:
        return None
    ranked.sort(key=lambda entry: entry[0])
    _, item, score = ranked[0]
    others = len(ranked) - 1
    if item.estimate is None:
        size = f"no estimate, readiness {score}/100"
    else:
        size = f"estimate {item.estimate}, readiness {score}/100"
    among = f" of {len(ranked)}" if others else ""
    if not others:
        lead = "the only ready project"
    elif estimate_days(item.estimate) is None:
        # Unknown sizes sort last: the winner has one only when nobody has a usable one.
        lead = "the highest-scored ready project (no estimates to compare)"
        among = ""
    else:
        lead = "the smallest ready project"
    return item.id, f"{_quoted(item.title)} is {lead}{among} ({size}). {FIRST_ENGAGEMENT_ADVICE}"
