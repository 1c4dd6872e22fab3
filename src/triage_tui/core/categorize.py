"""Hiring problem or project delivery: the DOMAIN.md signals as questions, and a suggestion engine."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from triage_tui.core.model import Item
from triage_tui.core.session import Category


@dataclass(frozen=True, slots=True)
class Question:
    """One signal from DOMAIN.md, asked of an item as a yes/no question.

    Attributes:
        key: stable id, stored in `Decision.signals` when the room answers yes.
        text: the question as the room reads it.
        points_to: the category a "yes" argues for.
    """

    key: str
    text: str
    points_to: Category


#: DOMAIN.md, "Hiring problem: needs long-term embedded ownership".
OWNERSHIP_QUESTIONS: tuple[Question, ...] = (
    Question(
        "compounding_architecture",
        "Does it involve architecture decisions that compound over years?",
        Category.HIRING,
    ),
    Question(
        "institutional_knowledge",
        "Does it need institutional knowledge that only builds up by being deep in "
        "one codebase for a long time?",
        Category.HIRING,
    ),
    Question(
        "production_accountability",
        "Does someone have to be accountable for its production behaviour day to day "
        "(on-call, reliability ownership)?",
        Category.HIRING,
    ),
)

#: DOMAIN.md, "Project-delivery problem: a defined scope and a finish line".
SCOPE_QUESTIONS: tuple[Question, ...] = (
    Question(
        "finish_line",
        "Does it have a beginning, a middle and an end?",
        Category.PROJECT,
    ),
    Question(
        "deliverable_kind",
        "Is it a service to build, an integration on the roadmap, a migration that needs "
        "to happen, or a component blocking other items?",
        Category.PROJECT,
    ),
    Question(
        "no_payroll",
        "Can it succeed without anyone on the payroll for it in three years?",
        Category.PROJECT,
    ),
)

#: Every question, ownership first (the order the categorize screen shows them).
ALL_QUESTIONS: tuple[Question, ...] = OWNERSHIP_QUESTIONS + SCOPE_QUESTIONS

QUESTIONS_BY_KEY: dict[str, Question] = {question.key: question for question in ALL_QUESTIONS}


def signals_for(category: Category) -> tuple[Question, ...]:
    """The questions whose "yes" argues for `category` (none for parked/undecided)."""
    if category is Category.HIRING:
        return OWNERSHIP_QUESTIONS
    if category is Category.PROJECT:
        return SCOPE_QUESTIONS
    return ()


def lean_from_signals(keys: Iterable[str]) -> Category:
    """The category the room's ticked signals lean to (UNDECIDED on a tie or none).

    Args:
        keys: question keys the room answered yes (`Decision.signals`); unknown keys
            are ignored.
    """
    hiring = project = 0
    for key in keys:
        question = QUESTIONS_BY_KEY.get(key)
        if question is None:
            continue
        if question.points_to is Category.HIRING:
            hiring += 1
        else:
            project += 1
    if hiring > project:
        return Category.HIRING
    if project > hiring:
        return Category.PROJECT
    return Category.UNDECIDED


class Hit(NamedTuple):
    """One word or phrase that moved the suggestion.

    Attributes:
        word: the text as it appears in the item (first occurrence).
        points_to: HIRING or PROJECT.
        where: "title", "labels" or "description" (the strongest field it was found in).
    """

    word: str
    points_to: Category
    where: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Advice for the room: a category and the words that led to it.

    Attributes:
        category: HIRING, PROJECT or UNDECIDED (never PARKED: parking is the room's call).
        reason: one readable sentence naming the words.
        hits: every matched word, strongest first.
        project_score: weighted evidence for a project.
        hiring_score: weighted evidence for ownership.
    """

    category: Category
    reason: str
    hits: tuple[Hit, ...] = ()
    project_score: int = 0
    hiring_score: int = 0


# Words that describe a deliverable with a finish line (DOMAIN.md: a service to build,
# an integration, a migration, a blocking component).
_PROJECT_TERMS = (
    r"migrat(?:e|es|ed|ing|ion|ions)",
    r"integrat(?:e|es|ed|ing|ion|ions)",
    r"build(?:s|ing)?",
    r"implement(?:s|ed|ing|ation)?",
    r"webhooks?",
    r"sso",
    r"saml",
    r"oauth2?",
    r"oidc",
    r"scim",
    r"imports?",
    r"importer",
    r"exports?",
    r"exporter",
    r"endpoints?",
    r"api clients?",
    r"sdk",
    r"upgrad(?:e|es|ed|ing)",
    r"port(?:ing)? to",
    r"replac(?:e|es|ed|ing)",
    r"connector",
    r"backfill(?:s|ing)?",
    r"ingestion",
    r"rewrite",
    r"prototype",
    r"proof of concept",
    r"add support for",
    r"move (?:from|to)",
    r"switch (?:from|to)",
    r"deprecat(?:e|ed|ing|ion)",
    r"sunset",
    r"unblock(?:s|ing)?",
    r"blocking",
    r"blocker",
    r"one-off",
    r"cutover",
    r"retir(?:e|es|ed|ing)",
    r"decommission(?:s|ed|ing)?",
    r"sync(?:s|ing)?",
    r"spike",
)

# A named technology with a version is a migration or upgrade target ("Postgres 16").
_VERSIONED_TECH = (
    r"(?:postgres(?:ql)?|mysql|python|node(?:\.js)?|django|rails|ruby|java|php|go|"
    r"kubernetes|k8s|elasticsearch|opensearch|redis|kafka|terraform|ubuntu|debian|"
    r"react|spring boot|laravel|\.net|mongodb)\s?v?\d+(?:\.\d+)*"
)

# Words that describe an area someone has to own for years (DOMAIN.md: compounding
# architecture, institutional knowledge, accountability for production).
_HIRING_TERMS = (
    r"own",
    r"owns",
    r"owner",
    r"owners",
    r"ownership",
    r"on-?call",
    r"pager(?:duty)?",
    r"architecture",
    r"architect",
    r"platform lead",
    r"tech(?:nical)? lead",
    r"team lead",
    r"reliability",
    r"sre",
    r"slos?",
    r"slas?",
    r"uptime",
    r"long-term",
    r"long term",
    r"roadmap",
    r"maintain(?:s|ed|ing)?",
    r"maintenance",
    r"strategy",
    r"ongoing",
    r"day[- ]to[- ]day",
    r"incidents?",
    r"institutional knowledge",
    r"steward(?:ship)?",
    r"evolv(?:e|ing) the",
    r"mentor(?:ing)?",
    r"production support",
    r"24/7",
)


class _Matcher:
    """Word-boundary matching of many terms, fast on long descriptions.

    Matching lowercased text with a case-sensitive pattern is several times faster than
    re.IGNORECASE in CPython; text whose lowercase changes length (a few Unicode letters)
    falls back to the IGNORECASE pattern so positions stay right.
    """

    def __init__(self, terms: Iterable[str], exact: str = "") -> None:
        # "-" counts as part of a word, so "on-call" matches whole and "own" does not
        # match inside "known" or "well-owned".
        body = r"(?<![\w-])(?:" + "|".join(terms) + r")(?![\w-])"
        self.lower = re.compile(body)
        self.folded = re.compile(body, re.IGNORECASE)
        self.exact = re.compile(r"(?<![\w-])(?:" + exact + r")") if exact else None

    def words(self, text: str) -> Iterator[str]:
        lowered = text.lower()
        if len(lowered) == len(text):
            for match in self.lower.finditer(lowered):
                yield text[match.start() : match.end()]
        else:
            for match in self.folded.finditer(text):
                yield match.group(0)
        if self.exact is not None:
            for match in self.exact.finditer(text):
                yield match.group(0)


# An HTTP verb and a path is an endpoint to build; case-sensitive so prose "get" is not.
_HTTP = r"(?:GET|POST|PUT|PATCH|DELETE) /[\w/{}:.\-]*"
_PROJECT = _Matcher((*_PROJECT_TERMS, _VERSIONED_TECH), exact=_HTTP)
_HIRING = _Matcher(_HIRING_TERMS)
_VERSIONED_RE = re.compile(_VERSIONED_TECH, re.IGNORECASE)

#: How much a word counts in each field: the title is what the room reads first.
FIELD_WEIGHTS: dict[str, int] = {"title": 3, "labels": 2, "description": 1}

#: The winner needs at least this score...
MIN_SCORE = 2
#: ...and more than this many times the other side's score, else the signals are mixed.
MARGIN = 2


def _stem(word: str) -> str:
    # 'webhooks' and 'webhook', 'owns' and 'own' are one signal, not two.
    norm = word.casefold()
    return norm[:-1] if len(norm) > 3 and norm.endswith("s") else norm


def _scan(
    matcher: _Matcher, fields: list[tuple[str, str]], side: Category
) -> tuple[int, list[Hit]]:
    score = 0
    seen: dict[str, Hit] = {}
    for where, text in fields:
        if not text:
            continue
        weight = FIELD_WEIGHTS[where]
        in_field: set[str] = set()
        for found in matcher.words(text):
            word = " ".join(found.split())
            norm = _stem(word)
            if word[:1].isupper() and word[1:].islower() and not _VERSIONED_RE.fullmatch(word):
                # "Migrate" at the start of a title reads better quoted as 'migrate';
                # acronyms (SSO) and product names (Postgres 16) keep their case.
                word = word.lower()
            # Each word counts once per field: a long description repeating "migrate"
            # ten times is no more a project than one that says it once.
            if norm in in_field:
                continue
            in_field.add(norm)
            score += weight
            seen.setdefault(norm, Hit(word, side, where))
    return score, list(seen.values())


#: A reason names at most this many words per side; the rest are counted.
MAX_NAMED = 4


def _quote(hits: list[Hit]) -> str:
    named = ", ".join(f"'{hit.word}'" for hit in hits[:MAX_NAMED])
    more = len(hits) - MAX_NAMED
    return f"{named} and {more} more" if more > 0 else named


def _verb(hits: list[Hit]) -> str:
    return "points" if len(hits) == 1 else "point"


def _suggests(hits: list[Hit]) -> str:
    return "suggests" if len(hits) == 1 else "suggest"


def suggest(item: Item) -> Suggestion:
    """Suggest hiring / project / undecided for one item, with the words that led there.

    Scores weighted word matches in the title (3), labels (2) and description (1). The
    winner needs a score of at least MIN_SCORE and more than MARGIN times the other
    side's, otherwise the suggestion is UNDECIDED and says why. The room's decision
    always wins; this is advice.

    Args:
        item: the backlog item.

    Returns:
        The suggestion; `reason` is one sentence naming the words.
    """
    fields = [
        ("title", item.title),
        ("labels", " ; ".join(item.labels)),
        ("description", item.description),
    ]
    project, project_hits = _scan(_PROJECT, fields, Category.PROJECT)
    hiring, hiring_hits = _scan(_HIRING, fields, Category.HIRING)
    order = {"title": 0, "labels": 1, "description": 2}
    project_hits.sort(key=lambda hit: order[hit.where])
    hiring_hits.sort(key=lambda hit: order[hit.where])

    if project == 0 and hiring == 0:
        return Suggestion(
            Category.UNDECIDED,
            "No signals found in the title, description or labels: the room decides.",
        )
    if project > hiring:
        winner, winner_hits, loser, loser_hits = project, project_hits, hiring, hiring_hits
        category = Category.PROJECT
    else:
        winner, winner_hits, loser, loser_hits = hiring, hiring_hits, project, project_hits
        category = Category.HIRING
    hits = tuple(winner_hits + loser_hits)

    if winner > MARGIN * loser and winner >= MIN_SCORE:
        if category is Category.PROJECT:
            reason = f"{_quote(winner_hits)} {_verb(winner_hits)} to a project with a finish line"
        else:
            reason = f"{_quote(winner_hits)} {_verb(winner_hits)} to long-term ownership (a hiring problem)"
        if loser_hits:
            reason += f"; {_quote(loser_hits)} {_verb(loser_hits)} the other way, more weakly"
        return Suggestion(category, reason + ".", hits, project, hiring)

    if loser == 0:
        reason = (
            f"Too little to go on: only {_quote(winner_hits)}, in the "
            f"{winner_hits[0].where}, {_verb(winner_hits)} to "
            f"{'a project' if category is Category.PROJECT else 'ownership'}."
        )
    else:
        reason = (
            f"Signals point both ways: {_quote(project_hits)} "
            f"{_suggests(project_hits)} a project, {_quote(hiring_hits)} "
            f"{_suggests(hiring_hits)} ownership; the room decides."
        )
    return Suggestion(Category.UNDECIDED, reason, hits, project, hiring)
