"""Spec readiness: the seven DOMAIN.md criteria, their weights, levels, evidence and gaps."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from triage_tui.core.model import Item
from triage_tui.core.sanitize import clip as clip  # a text rule; the screens import it here
from triage_tui.core.session import Mark
from triage_tui.core.spec import find_spec


@dataclass(frozen=True, slots=True)
class Criterion:
    """One yes/no question of DOMAIN.md's spec-readiness list.

    Attributes:
        number: 1..7, DOMAIN.md order (also the readiness screen's key).
        key: stable id used in the plan (`met = ["acceptance_criteria", ...]`).
        name: short label for the screen.
        question: the question as the room reads it.
    """

    number: int
    key: str
    name: str
    question: str


#: DOMAIN.md, "The prerequisite: spec readiness", in its order and wording.
CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        1,
        "coherent_scope",
        "Coherent scope",
        "Is it a specific project with a beginning, middle and end, not an area of ownership?",
    ),
    Criterion(
        2,
        "system_context",
        "System context",
        "Is the system context written down: what the service does, how it fits the wider "
        "architecture, what the adjacent systems look like?",
    ),
    Criterion(
        3,
        "io_contracts",
        "API contracts / IO",
        "Are there API contracts, or at least clear input/output definitions?",
    ),
    Criterion(
        4,
        "acceptance_criteria",
        "Acceptance criteria",
        "Are the acceptance criteria precise enough for an outsider, and defined before "
        "work starts?",
    ),
    Criterion(
        5,
        "definition_of_done",
        "Definition of done",
        "Is there a definition of done that means the same thing to everyone?",
    ),
    Criterion(
        6,
        "review_workflow",
        "Review workflow",
        "Is there a review workflow built for writing: a named reviewer, feedback in code "
        "review and written comments, decisions written down where they persist?",
    ),
    Criterion(
        7,
        "no_tribal_knowledge",
        "No tribal knowledge",
        "Can it be built without context that lives in one or two people's heads or in "
        "conversations?",
    ),
)

CRITERIA_BY_NUMBER: dict[int, Criterion] = {c.number: c for c in CRITERIA}
CRITERIA_BY_KEY: dict[str, Criterion] = {c.key: c for c in CRITERIA}

#: Points per criterion out of 100. Acceptance criteria and the definition of done weigh
#: most: without them a contractor cannot know when they are finished. Every weight is
#: even, so a partial (half weight) is still a whole number.
WEIGHTS: dict[int, int] = {1: 12, 2: 14, 3: 14, 4: 20, 5: 18, 6: 10, 7: 12}

#: Score at or above which an item is ready (if the hard gate allows).
READY_AT = 80
#: Score at or above which an item needs work rather than being not ready.
NEEDS_WORK_AT = 50
#: Criteria that, when missing, make an item not ready whatever its score (DOMAIN.md).
GATE = (4, 5)
# Plain names for the loop every plan runs per project item (an Enum class attribute
# lookup costs ~0.1 µs; assess makes up to 21 of them).
_MET, _PARTIAL, _MISSING = Mark.MET, Mark.PARTIAL, Mark.MISSING
_WEIGHT_ITEMS = tuple(WEIGHTS.items())


class Level(StrEnum):
    """Readiness level; the values are what the plan writes."""

    READY = "ready"
    NEEDS_WORK = "needs_work"
    NOT_READY = "not_ready"

    @property
    def label(self) -> str:
        """Words for screens and the brief ("needs work")."""
        return self.value.replace("_", " ")


def level_for(score: int, marks: Mapping[int, Mark]) -> Level:
    """The level for a score, applying the hard gate.

    Boundaries: READY_AT (80) and above is ready, NEEDS_WORK_AT (50) up to 79 needs work,
    below 50 is not ready. Acceptance criteria (4) or definition of done (5) missing or
    unanswered means not ready whatever the score.
    """
    get = marks.get
    if any(get(number, _MISSING) is _MISSING for number in GATE):
        return Level.NOT_READY
    if score >= READY_AT:
        return Level.READY
    if score >= NEEDS_WORK_AT:
        return Level.NEEDS_WORK
    return Level.NOT_READY


def score_for(marks: Mapping[int, Mark]) -> int:
    """Weighted score out of 100: met counts the full weight, partial half, else nothing."""
    total = 0
    get = marks.get
    for number, weight in _WEIGHT_ITEMS:  # (plain names: an Enum lookup is ~0.1 us)
        mark = get(number, _MISSING)
        if mark is _MET:
            total += weight
        elif mark is _PARTIAL:
            total += weight // 2
    return total


def _name(title: str, limit: int = 70) -> str:
    # Gap sentences name the item; a 300-character title would drown the sentence.
    text = " ".join(title.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return f"“{text}”"


# Gap sentences: (missing, partial) per criterion; {item} is the quoted title.
_GAPS: dict[int, tuple[str, str]] = {
    1: (
        "Cut {item} down to one project with a beginning, a middle and an end "
        "(or recategorize it as ownership).",
        "Finish the scope of {item}: say what is in, what is out and where it ends.",
    ),
    2: (
        "Write down the system context for {item}: what it does, how it fits the "
        "architecture, what the adjacent systems look like.",
        "Finish the system context for {item}: name every adjacent system and link the "
        "design docs.",
    ),
    3: (
        "Write the input/output contract for {item}: endpoints, payloads, error cases.",
        "Finish the input/output contract for {item}: every endpoint, payload and error case.",
    ),
    4: (
        "Write acceptance criteria for {item} that an outsider can check, before work starts.",
        "Finish the acceptance criteria for {item} so an outsider can check each one "
        "without asking.",
    ),
    5: (
        "Agree a definition of done for {item} that means the same to everyone "
        "(tests, docs, deployed where).",
        "Finish the definition of done for {item}: tests, docs, deployment, who signs off.",
    ),
    6: (
        "Name a reviewer for {item} and say where feedback and decisions are written down.",
        "Finish the review workflow for {item}: a named reviewer, written feedback, "
        "decisions recorded where they persist.",
    ),
    7: (
        "Write down what {item} depends on that lives in someone's head or in chat threads.",
        "Finish writing down the remaining context of {item} that lives in people's heads.",
    ),
}


def gap_sentence(number: int, title: str, mark: Mark = Mark.MISSING) -> str:
    """The concrete thing to write so criterion `number` is met for the item `title`.

    Args:
        number: criterion 1..7.
        title: the item's title (quoted in the sentence).
        mark: MISSING for the "write ..." sentence, PARTIAL for the "finish ..." one.

    Returns:
        One sentence; "" when `mark` is MET.
    """
    if mark is Mark.MET:
        return ""
    return _gap(number, _name(title), mark)


def _gap(number: int, name: str, mark: Mark) -> str:
    missing, partial = _GAPS[number]
    template = partial if mark is Mark.PARTIAL else missing
    return template.format(item=name)


def gap_todo(number: int, mark: Mark = Mark.MISSING) -> str:
    """`gap_sentence` for a list already headed by the item: "this item", not its title."""
    if mark is Mark.MET:
        return ""
    return _gap(number, "this item", mark)


def blocker_sentence(need: str, title: str = "") -> str:
    """The gap for a handoff part a ready item still lacks ("name a reviewer")."""
    where = f"the handoff of {_name(title)}" if title else "the handoff"
    return f"{need[:1].upper()}{need[1:]} in {where}: it is ready once that is written."


@dataclass(frozen=True, slots=True)
class Assessment:
    """The readiness of one item given the room's marks.

    Attributes:
        score: 0..100.
        level: ready / needs work / not ready.
        met, partial, missing: criterion numbers in each state (unanswered is missing).
        gaps: one sentence per criterion not met, in criterion order.
        gated: True when the hard gate (4 or 5 missing) forced NOT_READY.
        blockers: what the handoff still lacks ("name a reviewer") when the marks alone
            say ready: the item needs work until those are written (DOMAIN.md).
    """

    score: int
    level: Level
    met: tuple[int, ...]
    partial: tuple[int, ...]
    missing: tuple[int, ...]
    gaps: tuple[str, ...]
    gated: bool = False
    blockers: tuple[str, ...] = ()


def assess(item: Item, marks: Mapping[int, Mark], *, blockers: Sequence[str] = ()) -> Assessment:
    """Score an item against the seven criteria.

    Args:
        item: the item (its title goes into the gap sentences).
        marks: criterion number -> Mark; unanswered criteria count as missing.
        blockers: handoff parts still missing ("name a reviewer",
            `triage_tui.core.handoff.assess_item` finds them): a ready score then needs
            work, and each becomes a gap.

    Returns:
        The assessment.
    """
    met: list[int] = []
    partial: list[int] = []
    missing: list[int] = []
    gaps: list[str] = []
    name = ""  # the quoted title, made once and only when a gap needs it
    score = 0  # as score_for(marks), summed in the same pass (plans assess every item)
    get = marks.get
    for number, weight in _WEIGHT_ITEMS:
        mark = get(number, _MISSING)
        if mark is _MET:
            met.append(number)
            score += weight
            continue
        if mark is _PARTIAL:
            partial.append(number)
            score += weight // 2
        else:
            missing.append(number)
        name = name or _name(item.title)
        missing_text, partial_text = _GAPS[number]
        gaps.append((partial_text if mark is _PARTIAL else missing_text).format(item=name))
    level = level_for(score, marks)
    # The gate "forced" the level only when the score alone would have said otherwise.
    gated = level is Level.NOT_READY and score >= NEEDS_WORK_AT
    if blockers and level is Level.READY:
        level = Level.NEEDS_WORK
        gaps.extend(blocker_sentence(need, item.title) for need in blockers)
    else:
        blockers = ()
    return Assessment(
        score,
        level,
        tuple(met),
        tuple(partial),
        tuple(missing),
        tuple(gaps),
        gated=gated,
        blockers=tuple(blockers),
    )


def level_reason(assessment: Assessment) -> str:
    """Why the level is what it is, in a few words ("" when ready): a full score that still
    needs work says what the handoff lacks, a gated one which criteria hold it back."""
    if assessment.blockers:
        return "the handoff still needs: " + ", ".join(assessment.blockers)
    if assessment.gated:
        return "acceptance criteria (4) and definition of done (5) must not be missing"
    if assessment.level is Level.NEEDS_WORK:
        return f"ready from {READY_AT}"
    if assessment.level is Level.NOT_READY:
        return f"needs work from {NEEDS_WORK_AT}, ready from {READY_AT}"
    return ""


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the description suggests for one criterion, and the text that suggests it.

    Attributes:
        criterion: 1..7.
        mark: the suggested answer (MISSING when the text argues against the criterion,
            e.g. "ask Dana" for no tribal knowledge).
        found: the line of the description that was found.
    """

    criterion: int
    mark: Mark
    found: str


_M = re.MULTILINE
_MI = re.MULTILINE | re.IGNORECASE
# A heading in Markdown (## X), Jira wiki markup (h3. X), bold (**X**) or a line "X:".
_HEAD = r"^[ \t]*(?:#{1,6}[ \t]*|h[1-6]\.[ \t]*|\*\*|__)?"

# Per criterion: rules in priority order (first match wins), each (pattern, mark).
_RULES: dict[int, tuple[tuple[re.Pattern[str], Mark], ...]] = {
    1: (
        (
            re.compile(_HEAD + r"(?:out of scope|in scope|scope|non-goals|milestones?)\b", _MI),
            Mark.MET,
        ),
        (
            re.compile(r"\b(?:out of scope|not in scope|phase 1|first version|mvp)\b", _MI),
            Mark.PARTIAL,
        ),
    ),
    2: (
        (
            re.compile(
                _HEAD + r"(?:system context|context|background|architecture|overview)\b", _MI
            ),
            Mark.MET,
        ),
        (
            re.compile(
                r"https?://\S*(?:design|rfc|adr|docs?|wiki|confluence|notion|architecture)\S*",
                re.IGNORECASE,
            ),
            Mark.MET,
        ),
        (
            re.compile(r"\b(?:design doc(?:ument)?|RFC|ADR|diagram)s?\b", re.IGNORECASE),
            Mark.PARTIAL,
        ),
    ),
    3: (
        (
            re.compile(r"\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)[ \t]+/[\w/{}:.\-?=&]*"),
            Mark.MET,
        ),
        (re.compile(r"^[ \t]*```[ \t]*json\b|^[ \t]*\{[ \t]*\"[^\"\n]+\"[ \t]*:", _MI), Mark.MET),
        (
            re.compile(r"\b(?:openapi|swagger|protobuf|\.proto|json schema|graphql schema)\b", _MI),
            Mark.MET,
        ),
        (
            re.compile(
                r"\b(?:request|response|payload|schema|inputs?|outputs?|contract|fields?)\b", _MI
            ),
            Mark.PARTIAL,
        ),
    ),
    4: (
        (re.compile(_HEAD + r"(?:acceptance criteria|acceptance tests?)\b", _MI), Mark.MET),
        (
            re.compile(r"^[ \t]*(?:[-*][ \t]*)?(?:\*\*)?given\b.*(?:\n.*){0,4}?\bthen\b", _MI),
            Mark.MET,
        ),
        (re.compile(r"^[ \t]*[-*][ \t]*\[[ xX]\][ \t]+\S", _M), Mark.PARTIAL),
        (re.compile(r"\b(?:acceptance|must|should be able to)\b", _MI), Mark.PARTIAL),
    ),
    5: (
        (re.compile(r"\bdefinition of done\b|\bDoD\b|" + _HEAD + r"done when\b", _MI), Mark.MET),
        (re.compile(r"\b(?:done when|shipped when|finished when)\b", _MI), Mark.PARTIAL),
    ),
    6: (
        (
            re.compile(
                r"\breview(?:er|ers|ed by)?[ \t]*[:=\-–][ \t]*@?[\w.\-]+|@[\w\-]+[ \t]+(?:to[ \t]+)?reviews?\b",
                _MI,
            ),
            Mark.MET,
        ),
        (
            re.compile(r"\b(?:code review|pull requests?|PR review|review(?:ed)? in)\b", _MI),
            Mark.PARTIAL,
        ),
    ),
    7: (
        # Evidence *against*: context that lives in a head or a conversation.
        (
            re.compile(
                r"\b(?i:ask|talk to|check with|ping)[ \t]+@?[A-Z][a-z]+\b|"
                r"\b(?i:as discussed|as we discussed|in (?:the )?(?:slack|meeting|call)|(?:slack|chat) thread|"
                r"tribal knowledge|only [A-Z][a-z]+ knows|you know the one)\b|"
                r"\b[A-Z][a-z]+ knows\b",
                _M,
            ),
            Mark.MISSING,
        ),
    ),
}


#: Characters of a found line kept as evidence.
FOUND_CHARACTERS = 120
#: Characters of the evidence quoted beside a criterion on the Readiness screen.
SNIPPET_CHARACTERS = 60


def _line_at(text: str, index: int) -> str:
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    return _clip(text[start : end if end != -1 else len(text)])


def _from_spec(description: str, markup: str = "") -> dict[int, Evidence]:
    """Evidence from the spec's own sections (the same finder the handoff carries from)."""
    spec = find_spec(description, markup)
    found = spec.found
    evidence: dict[int, Evidence] = {}
    if "out_of_scope" in found or "scope" in found:
        kind = "out_of_scope" if "out_of_scope" in found else "scope"
        evidence[1] = Evidence(1, Mark.MET, _clip(found[kind]))
    if "context" in found:
        evidence[2] = Evidence(2, Mark.MET, _clip(found["context"]))
    if spec.contract:
        # The first line that says something: not a ``` fence or a {code} marker.
        lines = [line.strip() for line in spec.contract.splitlines() if line.strip()]
        first = next(
            (
                line
                for line in lines
                if not re.fullmatch(r"`{3,}\w*|~{3,}\w*|\{(?:code|noformat)(?::[^}]*)?\}", line)
            ),
            lines[0],
        )
        evidence[3] = Evidence(3, Mark.MET, _clip(first))
    if spec.acceptance:
        line = found.get("acceptance", spec.acceptance[0])
        # A bare task list is a checklist, not yet criteria an outsider can check.
        mark = Mark.PARTIAL if re.match(r"[-*+]\s*\[[ xX]\]", line) else Mark.MET
        evidence[4] = Evidence(4, mark, _clip(line))
    if spec.done:
        line = found.get("done", spec.done[0])
        evidence[5] = Evidence(5, Mark.MET, _clip(line))
    if spec.reviewer:
        line = found.get("reviewer", spec.reviewer)
        evidence[6] = Evidence(6, Mark.MET, _clip(line))
    return evidence


def _clip(line: str) -> str:
    return clip(line.strip(), FOUND_CHARACTERS)


def detect_evidence(item: Item) -> dict[int, Evidence]:
    """What the item's description suggests for each criterion.

    First the spec's own sections (`triage_tui.core.spec.find_spec`: acceptance
    criteria, Given/When/Then, definition of done, contract blocks, context, scope,
    a named reviewer), then phrases that hint at a criterion (a design-doc link,
    "request/response", "code review") and signs of context that lives in someone's
    head. These are suggestions the room confirms, never answers.

    Args:
        item: the backlog item.

    Returns:
        criterion number -> Evidence, only for criteria where something was found.
    """
    text = item.description
    if not text.strip():
        return {}
    found = _from_spec(text, item.markup)
    for number, rules in _RULES.items():
        if number in found:
            continue
        for pattern, mark in rules:
            match = pattern.search(text)
            if match is not None:
                line = _line_at(text, match.start())
                found[number] = Evidence(number, mark, line)
                break
    return dict(sorted(found.items()))
