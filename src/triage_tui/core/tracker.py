"""What the tracker knows around an item, read for the room and the contractor.

The loaders carry an export's due date, comments, attachments and links into the item
(`Item.due`, `Item.comments`, `Item.attachments`, `Item.links`). Here: the comments a
handoff shows (the latest, and the open questions in any), each related item with the
room's decision on it ("needs PLA-183, parked: 'CLI auth flow first'"), and the rule
the Readiness and Plan screens and the handoff share: an item the room calls ready
that depends on a parked, hiring or not-ready item says so.

No UI imports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from triage_tui.core.model import Comment, Item, Link
from triage_tui.core.readiness import Assessment, Level
from triage_tui.core.session import Category, Session

#: Link kinds that make this item depend on the other one: its work needs the other's.
DEPENDS_ON = frozenset({"blocked by", "parent"})

#: How a link reads from this item's side, before the other item's id.
_PHRASES: Mapping[str, str] = {
    "parent": "part of",
    "child": "has the sub-item",
    "blocks": "blocks",
    "blocked by": "needs",
    "relates": "related to",
    "duplicates": "duplicates",
    "duplicated by": "duplicated by",
    "clones": "clones",
    "cloned by": "cloned by",
    "pull request": "pull request",
}

#: How many of the latest comments a handoff shows.
LATEST_COMMENTS = 3

_QUESTION = re.compile(r"[^.!?\n]*\?")


#: The same, as what the item does ("it is part of CORE-100").
_VERBS: Mapping[str, str] = {
    "parent": "is part of",
    "child": "has the sub-item",
    "relates": "is related to",
    "duplicated by": "is duplicated by",
    "cloned by": "is cloned by",
    "pull request": "has the pull request",
}


def link_phrase(link: Link, *, verb: bool = False) -> str:
    """ "needs PLA-183", "part of CORE-100", "related to #12" (`verb`: "is part of
    CORE-100", to follow "it")."""
    if verb and link.kind in _VERBS:
        return f"{_VERBS[link.kind]} {link.id}"
    return f"{_PHRASES.get(link.kind, link.kind)} {link.id}"


def questions(comment: Comment) -> list[str]:
    """The questions a comment asks: its sentences ending with '?', trimmed."""
    text = comment.text.strip()
    if "?" not in text:
        return []
    found = [" ".join(match.group(0).split()) for match in _QUESTION.finditer(text)]
    return [question for question in found if len(question) > 1]


def open_questions(comments: Iterable[Comment]) -> list[Comment]:
    """The comments that end with a question (the last thing said in them is asked)."""
    return [comment for comment in comments if comment.text.rstrip().endswith("?")]


def latest_comments(comments: Sequence[Comment], count: int = LATEST_COMMENTS) -> list[Comment]:
    """The `count` newest comments, oldest of them first (source order breaks ties;
    a comment without a date keeps its place)."""
    if len(comments) <= count:
        return list(comments)
    order = sorted(range(len(comments)), key=lambda i: (comments[i].at or "", i))
    kept = sorted(order[-count:])
    return [comments[i] for i in kept]


@dataclass(frozen=True, slots=True)
class Related:
    """One item the tracker relates this one to, with the room's decision on it.

    Attributes:
        link: the tracker's link.
        title: the other item's title ("" when it is not in the backlog).
        state: the room's decision in words: "parked", "hiring", "project, ready",
            "project, needs work", "undecided", or "" when it is not in the backlog.
        note: the room's note on it (a parked item's open question), one line.
        holds_up: this item depends on it (`DEPENDS_ON`) and it is parked, hiring or a
            project item that is not ready: work on this one waits for it.
    """

    link: Link
    title: str
    state: str
    note: str
    holds_up: bool

    def sentence(self, *, with_title: bool = False, verb: bool = False) -> str:
        """ "needs PLA-183, parked: 'CLI auth flow first'" (`with_title`: the other
        item's title after its id; `verb`: see `link_phrase`)."""
        text = link_phrase(self.link, verb=verb)
        if with_title and self.title:
            text += f" “{self.title}”"
        if not self.state:
            return f"{text} (not in this backlog)"
        text += f", {self.state}"
        if self.note:
            text += f": '{self.note}'"
        return text


def related_items(
    session: Session,
    item: Item,
    *,
    assess: Callable[[Item], Assessment],
    by_id: Mapping[str, Item] | None = None,
) -> list[Related]:
    """Every item `item` links to, with the room's decision on each, in link order.

    Args:
        session: the decisions.
        item: the item whose links are read.
        assess: the readiness of a project item (`core.handoff.assess_item` with its
            decision; callers pass a cached one).
        by_id: the backlog by id (default: built from the session's backlog).
    """
    if not item.links:
        return []
    items = by_id if by_id is not None else session.backlog.by_id()
    get = session.decisions.get
    result: list[Related] = []
    for link in item.links:
        other = items.get(link.id)
        if other is None:
            result.append(Related(link, "", "", "", False))
            continue
        decision = get(other.id)
        category = Category.UNDECIDED if decision is None else decision.category
        note = " ".join((decision.reason if decision is not None else "").split())
        blocking = False
        if category is Category.PROJECT:
            level = assess(other).level
            state = f"project, {level.label}"
            blocking = level is not Level.READY
        else:
            state = category.value
            blocking = category in (Category.PARKED, Category.HIRING)
        holds_up = blocking and link.kind in DEPENDS_ON
        result.append(Related(link, " ".join(other.title.split()), state, note, holds_up))
    return result


def held_up_by(related: Iterable[Related]) -> list[Related]:
    """The related items this one waits for (`Related.holds_up`)."""
    return [entry for entry in related if entry.holds_up]


def dependency_warning(
    session: Session,
    item: Item,
    *,
    assess: Callable[[Item], Assessment],
    by_id: Mapping[str, Item] | None = None,
) -> str:
    """For a ready project item that depends on a parked, hiring or not-ready item, one
    sentence saying so ("Ready, but it needs PLA-183, parked: 'CLI auth flow first'");
    "" otherwise (not ready, no such dependency)."""
    if not item.links:
        return ""
    decision = session.decisions.get(item.id)
    if decision is None or decision.category is not Category.PROJECT:
        return ""
    if assess(item).level is not Level.READY:
        return ""
    waits = held_up_by(related_items(session, item, assess=assess, by_id=by_id))
    if not waits:
        return ""
    return "Ready, but it " + "; and it ".join(entry.sentence(verb=True) for entry in waits) + "."


# -- systems the spec names: what the contractor needs access to before day one -------
#: (pattern, the system's name). Case matters for the short acronyms.
SYSTEMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:AWS|S3|EC2|RDS|Lambda|DynamoDB|SQS|SNS|IAM|CloudWatch)\b"), "AWS"),
    (re.compile(r"\b(?:GCP|Google Cloud|BigQuery|Cloud Run|GKE)\b"), "Google Cloud"),
    (re.compile(r"\bAzure\b"), "Azure"),
    (re.compile(r"\bgrafana\b", re.I), "Grafana"),
    (re.compile(r"\bprometheus\b", re.I), "Prometheus"),
    (re.compile(r"\bdatadog\b", re.I), "Datadog"),
    (re.compile(r"\bsentry\b", re.I), "Sentry"),
    (re.compile(r"\bpagerduty\b", re.I), "PagerDuty"),
    (re.compile(r"\btemporal\b", re.I), "Temporal"),
    (re.compile(r"\bstripe\b", re.I), "Stripe"),
    (re.compile(r"\bgithub\b", re.I), "GitHub"),
    (re.compile(r"\bgitlab\b", re.I), "GitLab"),
    (re.compile(r"\b(?:kubernetes|k8s|helm)\b", re.I), "Kubernetes"),
    (re.compile(r"\bterraform\b", re.I), "Terraform"),
    (re.compile(r"\bkafka\b", re.I), "Kafka"),
    (re.compile(r"\bredis\b", re.I), "Redis"),
    (re.compile(r"\b(?:postgres|postgresql)\b", re.I), "Postgres"),
    (re.compile(r"\bsnowflake\b", re.I), "Snowflake"),
    (re.compile(r"\bsalesforce\b", re.I), "Salesforce"),
    (re.compile(r"\b(?:okta|auth0)\b", re.I), "the identity provider (Okta / Auth0)"),
    (re.compile(r"\bvault\b", re.I), "Vault"),
    (re.compile(r"\btwilio\b", re.I), "Twilio"),
    (re.compile(r"\bsendgrid\b", re.I), "SendGrid"),
    (re.compile(r"\bcloudflare\b", re.I), "Cloudflare"),
    (re.compile(r"\blaunchdarkly\b", re.I), "LaunchDarkly"),
    (re.compile(r"\b(?:elasticsearch|opensearch)\b", re.I), "Elasticsearch"),
)


def systems_named(*texts: str) -> list[str]:
    """The systems the texts name (AWS, Grafana, Temporal, ...), each once, in SYSTEMS
    order."""
    text = "\n".join(texts)
    return [name for pattern, name in SYSTEMS if pattern.search(text)]
